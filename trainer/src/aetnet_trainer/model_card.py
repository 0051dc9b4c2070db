"""MODEL_CARD.md for an exported bundle, from its manifest and the checkpoint's config, dataset and metrics."""

from __future__ import annotations

import json

TASK_DESCRIPTIONS = {
    "extract": "token classification (key-value / entity extraction)",
    "classify": "document classification",
    "ask": "extractive document question answering",
}


def scalar_metrics(metrics: dict) -> list[tuple[str, float]]:
    return [(name, value) for name, value in metrics.items() if isinstance(value, (int, float))]


def gate_line(report: dict, name: str = "") -> str:
    return (f"{name}gated on the {report['split']} split ({report['windows']} windows): agreement with fp32 "
            f"{100 * report['agreement']:.2f} % of {report['positions']} positions (≥ {100 * report['minAgreement']:.0f} %), "
            f"{report['metric']} fp32 {100 * report['fp32']:.2f} → int8 {100 * report['int8']:.2f} "
            f"(drop ≤ {100 * report['maxMetricDrop']:.1f} points)")


def quantization_lines(report: dict | None) -> list[str]:
    if report is None:
        return []
    if "parts" in report:
        return [f"- int8 ({report['method']}; {', '.join(report['ops'])}), each head gated on its own task's data:",
                *[f"  - {gate_line(part, f'`{name}` ')}" for name, part in report["parts"].items()]]
    return [f"- int8 ({report['method']}; {', '.join(report['ops'])}), {gate_line(report)}"]


def served_tasks(manifest: dict) -> dict[str, list[str]]:
    """task → labels, for a single-task manifest (`task`, `labels`) or one with several heads (`tasks`)."""
    if "tasks" in manifest:
        return {task: head.get("labels", []) for task, head in manifest["tasks"].items()}
    return {manifest["task"]: manifest["labels"]}


def model_card(manifest: dict, state: dict, data_licence: str | None) -> str:
    meta, config = state["dataset"], state["config"]
    tasks = served_tasks(manifest)
    lines = [
        f"# {manifest['id']}",
        "",
        f"AETNet {' + '.join(TASK_DESCRIPTIONS[task] for task in tasks)} model"
        + (f" (one backbone, {len(tasks)} heads)" if len(tasks) > 1 else "")
        + f", config `{config['preset']}`, mode `{manifest['training']['mode']}`, exported by `aetnet_trainer.export`.",
        "",
        "## Data",
    ]
    if "parts" in meta:
        for part in meta["parts"]:
            lines.append(f"- `{part['name']}` ({part['task']}, weight {part['weight']} per epoch)")
    else:
        lines.append(f"- prepared dataset: `{meta.get('dataPath', 'unknown')}` (source `{meta.get('source', 'unknown')}`, "
                     f"task `{meta.get('task', 'extract')}`, max length {meta['maxLength']}, stride {meta['windowStride']}, "
                     f"image {meta['imageSize']}px)")
        for name, split in meta.get("splits", {}).items():
            lines.append(f"- {name}: {split.get('documents', '?')} documents, {split.get('windows', '?')} windows")
    for task, labels in tasks.items():
        if labels:
            lines.append(f"- {task} labels: {', '.join(labels)}")
    lines.append(f"- data licence: {data_licence or 'not stated (export with --data-licence)'}")
    lines += ["", "## Metrics", ""]
    metrics = state.get("metrics", {})
    if metrics:
        documents = config["train"].get("validation_docs", 0)
        split = (f"the validation split ({documents} training documents held out by seed {config['train']['seed']}, "
                 "on which this checkpoint was chosen)" if documents else "the dataset's test split")
        lines += [f"Measured on {split} after {state['step']} training steps.", "",
                  "| metric | value |", "|---|---|"]
        lines += [f"| {name} | {value:.4f} |" if isinstance(value, float) else f"| {name} | {value} |"
                  for name, value in scalar_metrics(metrics)]
        lines += ["", "<details><summary>all metrics</summary>", "", "```json", json.dumps(metrics, indent=2), "```",
                  "", "</details>"]
    else:
        lines.append("No evaluation was run for this checkpoint.")
    parity = manifest["parity"]
    lines += [
        "", "## Export",
        f"- ONNX opset {manifest['onnx']['opset']}; outputs {', '.join(manifest['outputs'])}"
        + (f"; split image encoder `{manifest['onnx']['imageEncoderFile']}`" if "imageEncoderFile" in manifest["onnx"] else ""),
        f"- ONNX Runtime vs PyTorch: max |Δ| {parity['maxAbsDiff']:.3g} (tolerance {parity['tolerance']:g})",
        *quantization_lines(manifest.get("quantization")),
        "", "## Licences",
        f"- bundle: {manifest['licence']['bundle']}",
        *[f"- {part}: {text}" for part, text in manifest["licence"]["parts"].items()],
        "", "## Training config", "", "```json", json.dumps(config, indent=2), "```", "",
    ]
    return "\n".join(lines)
