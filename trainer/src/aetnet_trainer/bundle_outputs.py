"""A served bundle's own ONNX session over prepared windows: the per-token outputs heads trained on a frozen
backbone learn from (classify_head, ask_reader), as serving computes them (int8 when the bundle is)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from .data import PreparedDataset


def window_outputs(bundle: Path, dataset: PreparedDataset, outputs: list[str], threads: int) -> Iterator[list[np.ndarray]]:
    """Each window's `outputs`, each (T, D), one window at a time (no padding). Raises ValueError for a split bundle
    or a graph without one of the outputs."""
    import onnxruntime as ort

    manifest = json.loads((bundle / "manifest.json").read_text())
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(bundle / manifest["onnx"]["file"]), options, providers=["CPUExecutionProvider"])
    inputs = {node.name for node in session.get_inputs()}
    if "image_embeddings" in inputs:
        raise ValueError(f"{bundle} is a split bundle: heads on its outputs read single-graph bundles only")
    missing = [name for name in outputs if name not in {node.name for node in session.get_outputs()}]
    if missing:
        raise ValueError(f"{bundle}/{manifest['onnx']['file']} does not output {', '.join(missing)}")
    for index in range(len(dataset)):
        item = dataset[index]
        feed = {"input_ids": item["input_ids"][None].numpy(),
                "attention_mask": np.ones((1, len(item["input_ids"])), dtype=np.int64),
                "bbox": item["bbox"][None].numpy(), "pixel_values": item["pixel_values"][None].numpy()}
        yield [output[0] for output in session.run(outputs, {name: value for name, value in feed.items() if name in inputs})]
