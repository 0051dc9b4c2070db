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


def quantization_lines(report: dict | None) -> list[str]:
    if report is None:
        return []
    return [
        f"- int8 ({report['method']}; {', '.join(report['ops'])}), gated on the {report['split']} split "
        f"({report['windows']} windows): agreement with fp32 {100 * report['agreement']:.2f} % of {report['positions']} "
        f"positions (≥ {100 * report['minAgreement']:.0f} %), {report['metric']} fp32 {100 * report['fp32']:.2f} → int8 "
        f"{100 * report['int8']:.2f} (drop ≤ {100 * report['maxMetricDrop']:.1f} points)",
    ]


def model_card(manifest: dict, state: dict, data_licence: str | None) -> str:
    meta, config = state["dataset"], state["config"]
    task = manifest["task"]
    splits = meta.get("splits", {})
    lines = [
        f"# {manifest['id']}",
        "",
        f"AETNet {TASK_DESCRIPTIONS[task]} model, config `{config['preset']}`, "
        f"mode `{manifest['training']['mode']}`, exported by `aetnet_trainer.export`.",
        "",
        "## Data",
        f"- prepared dataset: `{meta.get('dataPath', 'unknown')}` (source `{meta.get('source', 'unknown')}`, "
        f"task `{task}`, max length {meta['maxLength']}, stride {meta['windowStride']}, image {meta['imageSize']}px)",
    ]
    for name, split in splits.items():
        lines.append(f"- {name}: {split.get('documents', '?')} documents, {split.get('windows', '?')} windows")
    if manifest["labels"]:
        lines.append(f"- labels: {', '.join(manifest['labels'])}")
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
