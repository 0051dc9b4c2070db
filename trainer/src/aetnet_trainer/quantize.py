"""int8 serving: ONNX Runtime dynamic quantisation of an exported bundle, behind a gate on the validation split.

The gate runs the fp32 and the int8 graphs on the same validation windows, as the service would (the image encoder
first when the bundle is split), and compares what serving decodes: per-token labels (extract), the document class
(classify), answer start/end (ask); and the task metric of both. A bundle that fails is not written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from onnxruntime.quantization import QuantType, quantize_dynamic

from .data import PreparedDataset, carve_validation, collate
from .evaluate import SELECTION_METRIC, ask_metrics, classify_metrics, extract_metrics

MIN_AGREEMENT = 0.99
MAX_METRIC_DROP = 0.005  # 0.5 points of F1 / accuracy / ANLS
# MatMul carries almost all the compute; Gather covers the embedding tables, most of the file.
QUANTIZED_OPS = ["MatMul", "Gather"]


class QuantizationGateError(RuntimeError):
    pass


def quantize_file(source: Path, target: Path) -> None:
    quantize_dynamic(source, target, op_types_to_quantize=QUANTIZED_OPS, per_channel=True,
                     weight_type=QuantType.QInt8)


def validation_windows(state: dict, image_size: int) -> PreparedDataset:
    """The checkpoint's own validation split: the documents `carve_validation` held out of its training data."""
    meta, train = state["dataset"], state["config"]["train"]
    documents = train.get("validation_docs", 0)
    if not documents:
        raise QuantizationGateError("the checkpoint was trained without --validation-docs, so there is no validation "
                                    "split to gate the int8 bundle on")
    data_path = Path(meta["dataPath"])
    if not (data_path / "train.jsonl").is_file():
        raise QuantizationGateError(f"the training data {data_path} is not there any more; the gate needs its "
                                    "validation split")
    dataset = PreparedDataset(data_path, "train", image_size, with_momentum_view=False)
    return carve_validation(dataset, documents, train["seed"])[1]


def window_feeds(batch: dict) -> dict[str, np.ndarray]:
    return {name: batch[name].numpy() for name in ("input_ids", "attention_mask", "bbox", "pixel_values")}


def predicted(task: str, outputs: list[np.ndarray], length: int) -> np.ndarray:
    """What serving decodes from one window's outputs."""
    if task == "classify":
        return outputs[0][0].argmax(-1, keepdims=True)
    if task == "ask":
        return np.array([outputs[0][0, :length].argmax(), outputs[1][0, :length].argmax()])
    return outputs[0][0, :length].argmax(-1)


def scored_positions(task: str, window: dict) -> np.ndarray | slice:
    if task == "extract":
        return np.asarray(window["labels"]) != -100
    return slice(None)


def window_logits(task: str, outputs: list[np.ndarray], length: int) -> np.ndarray:
    if task == "classify":
        return outputs[0][0]
    if task == "ask":
        return np.stack([outputs[0][0, :length], outputs[1][0, :length]], axis=-1)
    return outputs[0][0, :length]


def task_metric(task: str, windows: list[dict], logits: list[np.ndarray], labels: list[str]) -> float:
    if task == "classify":
        metrics = classify_metrics(windows, logits, labels)
    elif task == "ask":
        metrics = ask_metrics(windows, logits)
    else:
        metrics = extract_metrics(windows, logits, labels)
    return metrics[SELECTION_METRIC[task]]


def compare_precisions(run_fp32, run_int8, dataset: PreparedDataset, task: str, labels: list[str], pad_id: int) -> dict:
    """run_*: feeds → outputs. Agreement over the positions serving decodes, and the task metric of each."""
    agree = total = 0
    logits = {"fp32": [], "int8": []}
    for index in range(len(dataset)):
        window = dataset.windows[index]
        batch = collate([dataset[index]], pad_id)
        feeds, length = window_feeds(batch), len(window["inputIds"])
        results = {"fp32": run_fp32(feeds), "int8": run_int8(feeds)}
        positions = scored_positions(task, window)
        a, b = (predicted(task, results[name], length)[positions] for name in ("fp32", "int8"))
        agree, total = agree + int((a == b).sum()), total + a.size
        for name in logits:
            logits[name].append(window_logits(task, results[name], length))
    scores = {name: task_metric(task, dataset.windows, values, labels) for name, values in logits.items()}
    return {"split": "validation", "windows": len(dataset), "positions": total,
            "agreement": agree / total if total else 1.0, "metric": SELECTION_METRIC[task],
            "fp32": scores["fp32"], "int8": scores["int8"],
            "minAgreement": MIN_AGREEMENT, "maxMetricDrop": MAX_METRIC_DROP}


def check_gate(report: dict) -> None:
    if report["agreement"] < MIN_AGREEMENT:
        raise QuantizationGateError(
            f"int8 agrees with fp32 on {100 * report['agreement']:.2f} % of {report['positions']} validation "
            f"positions, below {100 * MIN_AGREEMENT:.0f} %")
    drop = report["fp32"] - report["int8"]
    if drop > MAX_METRIC_DROP:
        raise QuantizationGateError(
            f"int8 {report['metric']} {100 * report['int8']:.2f} is {100 * drop:.2f} points below fp32 "
            f"{100 * report['fp32']:.2f} on the validation split (at most {100 * MAX_METRIC_DROP:.1f} allowed)")
