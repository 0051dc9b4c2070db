"""Warm start from a served bundle: its PyTorch weights, read back from the ONNX initialisers.

Bundles hold ONNX only (models/ stays small: no second copy of the weights), and every inference weight is in the
graph under its PyTorch name or recoverable from the graph around it:
- `<name>` as exported; `<name>__fp16` (fp16 storage, export.store_weights_as_fp16) → fp32;
- `<name>__int8` + `<name>__scale` (int8 embedding rows, quantize.quantize_embedding_rows) → rows × scale;
- a Linear's weight W is the constant B = Wᵀ of the MatMul whose output the Add with `<layer>.bias` reads; int8
  bundles hold B as MatMulNBits (8-bit blocks along K, one scale each, symmetric about 128) → dequantised;
- the relative-position biases (Linear without bias) are folded into gather tables W[:, bucket(d)] for d in
  [−M, M] (fusion.relative_bias_lookup): the 1-D table has 2·max_rel_pos+1 columns, the 2-D x and y tables
  2·max_rel_2d_pos+1 each, x traced first; W[:, b] is read at the first d whose bucket is b.
Training-only parts (momentum encoders, queues, contrastive projections, τ) are not in a bundle: they start as the
preset initialises them, the momentum copies synced from the loaded encoders. int8 weights come back dequantised,
so a warm start from an int8 bundle serves like it within the int8 gate's tolerance.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from .fusion import relative_position_bucket


class BundleWeightsError(ValueError):
    pass


SPLIT_GRAPH_PREFIX = "inference."


def dequantize_matmul_nbits(node: onnx.NodeProto, arrays: dict[str, np.ndarray]) -> np.ndarray:
    """MatMulNBits(A, B_q, scales[, zero_points]) → the fp32 B (K, N) it multiplies by."""
    attrs = {attr.name: onnx.helper.get_attribute_value(attr) for attr in node.attribute}
    k, n, bits, block = attrs["K"], attrs["N"], attrs["bits"], attrs["block_size"]
    if bits != 8:
        raise BundleWeightsError(f"{node.name}: {bits}-bit weights cannot be read back (8-bit only)")
    quantized = arrays[node.input[1]].reshape(n, -1, block).astype(np.float32)
    scales = arrays[node.input[2]].reshape(n, -1, 1)
    zero = 128.0
    if len(node.input) > 3 and node.input[3]:
        zero = arrays[node.input[3]].reshape(n, -1, 1).astype(np.float32)
    weight = ((quantized - zero) * scales).reshape(n, -1)[:, :k]  # (N, K): blocks run along K, padded at the end
    return weight.T


def graph_arrays(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    """Initialisers as fp32 arrays under the name the graph reads them by (fp16 and int8-row storage undone)."""
    raw = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    arrays = dict(raw)
    for name, value in raw.items():
        if name.endswith("__fp16"):
            arrays[name[: -len("__fp16")]] = value.astype(np.float32)
        elif name.endswith("__int8") and f"{name[: -len('__int8')]}__scale" in raw:
            base = name[: -len("__int8")]
            arrays[base] = value.astype(np.float32) * raw[f"{base}__scale"][:, None]
    return arrays


def graph_weights(model: onnx.ModelProto, arrays: dict[str, np.ndarray], file: str) -> dict[str, np.ndarray]:
    """Named initialisers and the Linear weights behind MatMuls, under their PyTorch names (`arrays`: graph_arrays)."""
    graph = model.graph
    cast_of = {node.output[0]: node.input[0] for node in graph.node if node.op_type == "Cast" and node.input[0] in arrays}

    def constant(name: str) -> np.ndarray | None:
        return arrays.get(cast_of.get(name, name))

    readers: dict[str, list[onnx.NodeProto]] = {}
    for node in graph.node:
        for name in node.input:
            readers.setdefault(name, []).append(node)
    weights = {name: value for name, value in arrays.items() if not name.startswith("onnx::") and "__" not in name}
    for node in graph.node:
        if node.op_type not in ("MatMul", "MatMulNBits"):
            continue
        matrix = dequantize_matmul_nbits(node, arrays) if node.op_type == "MatMulNBits" else constant(node.input[1])
        if matrix is None:
            continue  # activations × activations (attention scores)
        bias = next((name for reader in readers.get(node.output[0], []) if reader.op_type == "Add"
                     for name in reader.input if name.endswith(".bias") and constant(name) is not None), None)
        if bias is None:
            raise BundleWeightsError(f"{file}: the MatMul {node.name} has a constant weight but no bias to name it by")
        weights[f"{bias[: -len('.bias')]}.weight"] = np.ascontiguousarray(matrix.T)
    return weights


def table_to_linear(table: np.ndarray, buckets: int, max_distance: int) -> np.ndarray:
    """W (heads, buckets) from its gather table W[:, bucket(d)], d = −M … M; a bucket no d reaches stays 0."""
    offsets = torch.arange(-max_distance, max_distance + 1)
    bucket_of = relative_position_bucket(offsets, buckets, max_distance).numpy()
    weight = np.zeros((table.shape[0], buckets), dtype=np.float32)
    for bucket in range(buckets):
        hits = np.nonzero(bucket_of == bucket)[0]
        if hits.size:
            weight[:, bucket] = table[:, hits[0]]
    return weight


def rel_pos_weights(arrays: dict[str, np.ndarray], fusion_config, file: str) -> dict[str, np.ndarray]:
    """The fusion's relative-position Linears (1-D; 2-D x then y, in the order the export traced them) from their
    folded gather tables (`arrays`: graph_arrays of the text-side graph)."""
    kinds = []
    if getattr(fusion_config, "has_relative_attention_bias", False):
        kinds.append((["rel_pos_bias"], fusion_config.rel_pos_bins, fusion_config.max_rel_pos))
    if getattr(fusion_config, "has_spatial_attention_bias", False):
        kinds.append((["rel_pos_x_bias", "rel_pos_y_bias"], fusion_config.rel_2d_pos_bins, fusion_config.max_rel_2d_pos))
    heads = fusion_config.num_attention_heads
    order = lambda name: int(name.rsplit("_", 1)[-1]) if name.rsplit("_", 1)[-1].isdigit() else -1  # noqa: E731
    weights = {}
    for names, buckets, max_distance in kinds:
        shape = (heads, 2 * max_distance + 1)
        tables = sorted((name for name, value in arrays.items()
                         if name.startswith("onnx::") and "__" not in name and value.shape == shape), key=order)
        if len(tables) != len(names):
            raise BundleWeightsError(f"{file}: expected {len(names)} relative-position table(s) of {shape[0]}×{shape[1]}, "
                                     f"found {len(tables)}")
        for name, table in zip(names, tables, strict=True):
            weights[f"fusion.encoder.{name}.weight"] = table_to_linear(arrays[table], buckets, max_distance)
    return weights


def read_bundle_weights(bundle_dir: str | Path, fusion_config) -> tuple[dict[str, torch.Tensor], dict]:
    """A bundle → (its weights under the training model's parameter names, its manifest)."""
    bundle = Path(bundle_dir)
    manifest = json.loads((bundle / "manifest.json").read_text())
    weights: dict[str, np.ndarray] = {}
    for file in filter(None, [manifest["onnx"].get("imageEncoderFile"), manifest["onnx"]["file"]]):
        graph = onnx.load(str(bundle / file))
        arrays = graph_arrays(graph)  # decoded once: int8/fp16 storage undone for both readers
        weights.update(graph_weights(graph, arrays, file))
        if file == manifest["onnx"]["file"]:
            weights.update(rel_pos_weights(arrays, fusion_config, file))
    # A split bundle's graphs wrap the inference model (export.ImageEncoderGraph / TextSideGraph): its names carry
    # an `inference.` prefix.
    return {name.removeprefix(SPLIT_GRAPH_PREFIX): torch.from_numpy(np.array(value, dtype=np.float32))
            for name, value in weights.items()}, manifest


INFERENCE_MODULES = ("fusion.", "image_encoder.", "text_encoder.")


def head_weights(weights: dict[str, torch.Tensor], manifest: dict, task: str) -> dict[str, torch.Tensor]:
    """The bundle's head of `task` under a single-task or joint model's names (`head.<x>` / `head.<task>.<x>`)."""
    heads = {name: value for name, value in weights.items() if name.startswith("head.")}
    if graph_task(manifest) == "joint":
        return {f"head.{name[len(f'head.{task}.'):]}": value for name, value in heads.items() if name.startswith(f"head.{task}.")}
    return heads if graph_task(manifest) == task else {}


def graph_task(manifest: dict) -> str | None:
    """The task the graph's head weights were trained for: a single-task manifest's `task`; for a `tasks` manifest the
    training model's (heads the service computes from the manifest, classify `linear` and ask `keyLookup`, hold no
    graph weights)."""
    return manifest.get("task") or manifest.get("training", {}).get("model", {}).get("task")


def bundle_labels(manifest: dict, task: str) -> list[str] | None:
    head = (manifest.get("tasks") or {}).get(task)
    if head is not None:
        return list(head.get("labels", []))
    return list(manifest.get("labels") or []) if manifest.get("task") == task else None


def geometry_weights(manifest: dict, prefix: str, own: dict) -> dict[str, torch.Tensor]:
    """The key-value head's geometry MLP from manifest `pairs.geometry` (it runs outside the graph), under this model's
    names of its Linear layers in order; none when the manifest has none or the layers differ in number."""
    layers = manifest.get("pairs", {}).get("geometry", {}).get("layers", [])
    ours = sorted({name[len(prefix):].split(".")[0] for name in own if name.startswith(prefix)}, key=int)
    if len(layers) != len(ours):
        return {}
    return {f"{prefix}{index}.{part}": torch.tensor(layer[part], dtype=torch.float32)
            for index, layer in zip(ours, layers) for part in ("weight", "bias")}


def load_bundle_weights(model, bundle_dir: str | Path, vocabulary: dict, labels) -> tuple[list[str], list[str]]:
    """`--init-bundle`: the fusion, alignment encoders and (when its labels are the dataset's) the head of a served
    bundle. The bundle must share the dataset's vocabulary and hold every inference weight of this model. Returns
    (the names of the parameters it set, the tasks whose head was kept)."""
    bundle = Path(bundle_dir)
    if not (bundle / "manifest.json").is_file():
        raise BundleWeightsError(f"--init-bundle {bundle}: no manifest.json")
    manifest = json.loads((bundle / "manifest.json").read_text())
    theirs = json.loads((bundle / manifest["tokenizer"]["file"]).read_text())["model"].get("vocab") or {}
    if theirs != vocabulary:
        raise BundleWeightsError(f"--init-bundle {bundle} has another vocabulary ({len(theirs)} tokens; the dataset's "
                                 f"has {len(vocabulary)})")
    weights, _ = read_bundle_weights(bundle, model.fusion.config)
    own = model.state_dict()
    parameters = dict(model.named_parameters())  # tied weights once, under their first name
    needed = [name for name in parameters if name.startswith(INFERENCE_MODULES)]
    taken = {name: weights[name] for name in needed if name in weights and weights[name].shape == own[name].shape}
    if len(taken) < len(needed):
        lacking = [name for name in needed if name not in taken]
        raise BundleWeightsError(f"--init-bundle {bundle} (config {manifest.get('training', {}).get('config')}) lacks "
                                 f"{len(lacking)} of this model's {len(needed)} weights (or their shapes differ), "
                                 f"e.g. {', '.join(lacking[:3])}")
    tasks = list(labels) if isinstance(labels, dict) else [model.cfg.task]
    kept = []
    for task in tasks:
        wanted = labels.get(task) if isinstance(labels, dict) else labels
        if task != "ask" and bundle_labels(manifest, task) != list(wanted or []):
            continue  # other labels: a new head
        prefix = f"head.{task}." if model.cfg.task == "joint" else "head."
        head = {f"{prefix}{name[len('head.'):]}": value for name, value in head_weights(weights, manifest, task).items()}
        if task == "extract":
            head.update(geometry_weights(manifest, f"{prefix}pairs.geometry.", own))
        # A key-value head the bundle lacks starts fresh; the token head is kept when it matches.
        pairs = f"{prefix}pairs."
        if not any(name.startswith(pairs) for name in head):
            ours = {name for name in own if name.startswith(prefix) and not name.startswith(pairs)}
        else:
            ours = {name for name in own if name.startswith(prefix)}
        head = {name: value for name, value in head.items() if name in own}
        if ours and set(head) == ours and all(own[name].shape == value.shape for name, value in head.items()):
            taken.update(head)
            kept.append(task)
    model.load_state_dict(taken, strict=False)
    return [name for name in parameters if name in taken], kept
