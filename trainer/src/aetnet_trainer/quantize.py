"""int8 serving: weight-only int8 quantisation of an exported bundle, behind a gate on the validation split.

Every MatMul with a constant weight becomes ONNX Runtime's MatMulNBits with 8-bit weights in blocks of 32 (one
scale per block; the activations are quantised per block at run time, accuracy level 4), and every large
embedding table becomes int8 rows with one scale per row. Measured on an epoch-8 checkpoint of the FUNSD mpnet6
model: ONNX Runtime's dynamic quantisation (per-tensor activation scales) flipped 4.6 % of the validation tokens,
the weight-only MatMuls 0.6 %; per-tensor int8 embeddings on top cost another 1.4 %, per-row ones 0.2 %.

The gate runs the fp32 and the int8 graphs on the same validation windows, as the service would (the image encoder
first when the bundle is split), and compares what serving decodes: per-token labels (extract), the document class
(classify), answer start/end (ask); and the task metric of both. A bundle that fails is not written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import TensorProto, helper, numpy_helper

from .data import PreparedDataset, carve_validation, collate
from .evaluate import SELECTION_METRIC, ask_metrics, classify_metrics, extract_metrics
from .modeling import pair_scores

MIN_AGREEMENT = 0.99
MAX_METRIC_DROP = 0.005  # 0.5 points of F1 / accuracy / ANLS
BLOCK_SIZE = 32
EMBEDDING_MIN_ROWS = 10_000  # the vocabulary table; position and 2-D tables are small and stay fp32
QUANTIZED_OPS = ["MatMul (MatMulNBits, 8 bits, blocks of 32)", "Gather of embedding tables (int8 per row)"]


class QuantizationGateError(RuntimeError):
    pass


def quantize_matmuls(model: onnx.ModelProto) -> onnx.ModelProto:
    from onnxruntime.quantization.matmul_nbits_quantizer import DefaultWeightOnlyQuantConfig, MatMulNBitsQuantizer

    config = DefaultWeightOnlyQuantConfig(block_size=BLOCK_SIZE, is_symmetric=True, accuracy_level=4, bits=8)
    quantizer = MatMulNBitsQuantizer(model, bits=8, block_size=BLOCK_SIZE, is_symmetric=True, accuracy_level=4,
                                     algo_config=config)
    quantizer.process()
    return quantizer.model.model


def quantize_embedding_rows(model: onnx.ModelProto) -> None:
    """Each table of ≥ EMBEDDING_MIN_ROWS rows that only Gathers read → int8 rows + fp32 row scales (symmetric);
    each Gather(table, ids) becomes Gather(int8, ids) → Cast → Mul(Unsqueeze(Gather(scales, ids)))."""
    graph = model.graph
    initializers = {init.name: init for init in graph.initializer}
    readers: dict[str, list] = {}
    for node in graph.node:
        for position, name in enumerate(node.input):
            if name in initializers:
                readers.setdefault(name, []).append((node, position))
    replaced = {}
    for name, uses in readers.items():
        table = numpy_helper.to_array(initializers[name])
        if table.ndim != 2 or table.shape[0] < EMBEDDING_MIN_ROWS or table.dtype != np.float32:
            continue
        if any(node.op_type != "Gather" or position != 0 for node, position in uses):
            continue
        scales = np.maximum(np.abs(table).max(axis=1), 1e-12) / 127.0
        rows = np.clip(np.round(table / scales[:, None]), -127, 127).astype(np.int8)
        replaced[name] = (numpy_helper.from_array(rows, f"{name}__int8"),
                          numpy_helper.from_array(scales.astype(np.float32), f"{name}__scale"))
    if not replaced:
        return
    axes = numpy_helper.from_array(np.array([-1], dtype=np.int64), "embedding_rows__last_axis")
    nodes = []
    for node in graph.node:
        if node.op_type != "Gather" or node.input[0] not in replaced:
            nodes.append(node)
            continue
        rows, scales = replaced[node.input[0]]
        ids, out, base = node.input[1], node.output[0], node.name or node.output[0]
        nodes += [
            helper.make_node("Gather", [rows.name, ids], [f"{base}__rows"], name=f"{base}__rows", axis=0),
            helper.make_node("Cast", [f"{base}__rows"], [f"{base}__rows_f"], name=f"{base}__cast", to=TensorProto.FLOAT),
            helper.make_node("Gather", [scales.name, ids], [f"{base}__scales"], name=f"{base}__scales", axis=0),
            helper.make_node("Unsqueeze", [f"{base}__scales", axes.name], [f"{base}__scales_u"], name=f"{base}__unsqueeze"),
            helper.make_node("Mul", [f"{base}__rows_f", f"{base}__scales_u"], [out], name=f"{base}__dequantize"),
        ]
    kept = [init for init in graph.initializer if init.name not in replaced]
    graph.ClearField("initializer")
    graph.initializer.extend([*kept, *[part for pair in replaced.values() for part in pair], axes])
    graph.ClearField("node")
    graph.node.extend(nodes)


def quantize_file(source: Path, target: Path) -> None:
    model = quantize_matmuls(onnx.load(str(source)))
    quantize_embedding_rows(model)
    onnx.checker.check_model(model)
    onnx.save(model, str(target))


def validation_windows(state: dict, image_size: int, data_path: str | None = None) -> PreparedDataset:
    """The checkpoint's own validation split: the documents `carve_validation` held out of its training data
    (of `data_path`, one part of a joint run; default the run's only dataset)."""
    meta, train = state["dataset"], state["config"]["train"]
    documents = train.get("validation_docs", 0)
    if not documents:
        raise QuantizationGateError("the checkpoint was trained without --validation-docs, so there is no validation "
                                    "split to gate the int8 bundle on")
    data_path = Path(data_path or meta["dataPath"])
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


def pair_decisions(outputs: list[np.ndarray], batch: dict, geometry=None) -> np.ndarray:
    """The key (or E = none) the key-value head gives each value entity of a window, scored as in training;
    `geometry`: boxes → the head's geometric scores (KeyValueHead.geometry_scores), which run outside the graph."""
    length = batch["pair_pool"].shape[-1]
    keys, values = (torch.from_numpy(output[:, :length]) for output in outputs[1:3])
    with torch.no_grad():
        extra = geometry(batch["pair_boxes"]) if geometry is not None else None
        scores = pair_scores(keys, values, batch["pair_pool"], batch["pair_roles"], extra)
    return scores.argmax(-1)[0][batch["pair_roles"][0] == 2].numpy()


def compare_precisions(run_fp32, run_int8, dataset: PreparedDataset, task: str, labels: list[str], pad_id: int,
                       pair_geometry=None) -> dict:
    """run_*: feeds → outputs. Agreement over the positions serving decodes (and, with the key-value head, over
    each value's key), and the task metric of each."""
    agree = total = pair_agree = pair_total = 0
    logits = {"fp32": [], "int8": []}
    for index in range(len(dataset)):
        window = dataset.windows[index]
        batch = collate([dataset[index]], pad_id)
        feeds, length = window_feeds(batch), len(window["inputIds"])
        results = {"fp32": run_fp32(feeds), "int8": run_int8(feeds)}
        positions = scored_positions(task, window)
        a, b = (predicted(task, results[name], length)[positions] for name in ("fp32", "int8"))
        agree, total = agree + int((a == b).sum()), total + a.size
        if len(results["fp32"]) == 3 and "pair_pool" in batch:
            a, b = (pair_decisions(results[name], batch, pair_geometry) for name in ("fp32", "int8"))
            pair_agree, pair_total = pair_agree + int((a == b).sum()), pair_total + a.size
        for name in logits:
            logits[name].append(window_logits(task, results[name], length))
    scores = {name: task_metric(task, dataset.windows, values, labels) for name, values in logits.items()}
    return {"split": "validation", "windows": len(dataset), "positions": total,
            "agreement": agree / total if total else 1.0, "metric": SELECTION_METRIC[task],
            **({"pairAgreement": pair_agree / pair_total, "pairDecisions": pair_total} if pair_total else {}),
            "fp32": scores["fp32"], "int8": scores["int8"],
            "minAgreement": MIN_AGREEMENT, "maxMetricDrop": MAX_METRIC_DROP}


def check_gate(report: dict, part: str = "") -> None:
    """Raises when int8 fails the gate; a joint bundle's data `part` is named in the reason."""
    where = f"{part}: " if part else ""
    if report["agreement"] < MIN_AGREEMENT:
        raise QuantizationGateError(
            f"{where}int8 agrees with fp32 on {100 * report['agreement']:.2f} % of {report['positions']} validation "
            f"positions, below {100 * MIN_AGREEMENT:.0f} %")
    if report.get("pairAgreement", 1.0) < MIN_AGREEMENT:
        raise QuantizationGateError(
            f"{where}int8 gives {100 * report['pairAgreement']:.2f} % of {report['pairDecisions']} validation answers "
            f"the key fp32 gives, below {100 * MIN_AGREEMENT:.0f} %")
    drop = report["fp32"] - report["int8"]
    if drop > MAX_METRIC_DROP:
        raise QuantizationGateError(
            f"{where}int8 {report['metric']} {100 * report['int8']:.2f} is {100 * drop:.2f} points below fp32 "
            f"{100 * report['fp32']:.2f} on the validation split (at most {100 * MAX_METRIC_DROP:.1f} allowed)")
