"""LayoutLMv3 fusion (docs/method.md §2.4–§2.5): construction, relative position biases, and the forward with additive injection.

The fusion is HF's `LayoutLMv3Model`, so a local microsoft/layoutlmv3-base loads with its own weight names; its
forward has no hook for the injection (§2.4), so `visual_stream` and `fuse` compose its submodules directly. The two
are separate so the export can run the image side once per page (`image_encoder.onnx`).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn
from transformers import LayoutLMv3Config, LayoutLMv3Model

from .config import ModelConfig


def build_fusion(cfg: ModelConfig, layoutlmv3_dir: str | None = None, saved_config: dict | None = None) -> LayoutLMv3Model:
    if saved_config is not None:  # rebuilding from a checkpoint: the weights come from its state dict
        return LayoutLMv3Model(LayoutLMv3Config(**{**saved_config, "attn_implementation": "eager"}))
    if layoutlmv3_dir:
        fusion = LayoutLMv3Model.from_pretrained(layoutlmv3_dir, attn_implementation="eager")
        loaded = fusion.config
        if (loaded.hidden_size, loaded.vocab_size) != (cfg.hidden_size, cfg.vocab_size):
            raise ValueError(
                f"{layoutlmv3_dir}: hidden {loaded.hidden_size} / vocab {loaded.vocab_size} differ from the config's "
                f"hidden {cfg.hidden_size} / dataset tokenizer vocab {cfg.vocab_size}"
            )
        return fusion
    config = LayoutLMv3Config(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, num_hidden_layers=cfg.fusion_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        hidden_dropout_prob=cfg.dropout, attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=cfg.fusion_max_positions, pad_token_id=cfg.pad_id,
        coordinate_size=cfg.coordinate_size, shape_size=cfg.shape_size,
        input_size=cfg.image_size, patch_size=cfg.patch_size, attn_implementation="eager",
    )
    return LayoutLMv3Model(config)


# ---------------------------------------------------------------- fusion forward with injection (docs/method.md §2.4)


def relative_position_bucket(relative: Tensor, num_buckets: int, max_distance: int) -> Tensor:
    """T5-style bidirectional log buckets, as LayoutLMv3; clamping before the log keeps the export NaN-free."""
    half = num_buckets // 2
    bucket = (relative > 0).long() * half
    distance = relative.abs()
    max_exact = half // 2
    log_ratio = torch.log(distance.clamp(min=1).float() / max_exact) / math.log(max_distance / max_exact)
    large = (max_exact + (log_ratio * (half - max_exact)).long()).clamp(max=half - 1)
    return bucket + torch.where(distance < max_exact, distance, large)


def relative_bias_lookup(positions: Tensor, linear: nn.Linear, num_buckets: int, max_distance: int) -> Tensor:
    """Gather form of one_hot(bucket(p_j − p_i)) @ Wᵀ (docs/method.md §2.5): (B, N) positions → (B, heads, N, N), with gradient."""
    offsets = torch.arange(-max_distance, max_distance + 1, device=positions.device)
    table = linear.weight[:, relative_position_bucket(offsets, num_buckets, max_distance)]  # (heads, 2M+1)
    relative = (positions.unsqueeze(-2) - positions.unsqueeze(-1)).clamp(-max_distance, max_distance) + max_distance
    return table[:, relative].transpose(0, 1)


def fusion_position_bias(fusion: LayoutLMv3Model, position_ids: Tensor, bbox: Tensor) -> Tensor | None:
    config, encoder = fusion.config, fusion.encoder
    if not config.has_relative_attention_bias:
        return None
    bias = relative_bias_lookup(position_ids, encoder.rel_pos_bias, config.rel_pos_bins, config.max_rel_pos)
    if config.has_spatial_attention_bias:
        for coordinate, linear in ((0, encoder.rel_pos_x_bias), (3, encoder.rel_pos_y_bias)):
            bias = bias + relative_bias_lookup(
                bbox[:, :, coordinate], linear, config.rel_2d_pos_bins, config.max_rel_2d_pos
            )
    return bias / math.sqrt(config.hidden_size // config.num_attention_heads)


def visual_stream(fusion: LayoutLMv3Model, pixel_values: Tensor, align_image: Tensor | None) -> Tensor:
    """P0 = E_vis + V, (B, 1 + G·G, d): the image side, independent of the text."""
    visual = fusion.forward_image(pixel_values)
    return visual if align_image is None else visual + align_image


def fuse(
    fusion: LayoutLMv3Model,
    input_ids: Tensor,
    attention_mask: Tensor,
    bbox: Tensor,
    visual: Tensor,
    align_text: Tensor | None,
) -> Tensor:
    """T0 = E_txt + W, X0 = Dropout(LN([T0; P0])) with P0 = `visual`, then the encoder → (B, L + 1 + G·G, d)."""
    batch, length = input_ids.shape
    mask = attention_mask.long()
    # RoBERTa-style positions counted over real tokens, starting after the padding row (HF's convention).
    position_ids = torch.cumsum(mask, dim=1) * mask + fusion.config.pad_token_id
    text = fusion.embeddings(
        input_ids=input_ids, bbox=bbox, position_ids=position_ids, token_type_ids=torch.zeros_like(input_ids)
    )
    if align_text is not None:
        text = text + align_text
    hidden = fusion.dropout(fusion.LayerNorm(torch.cat([text, visual], dim=1)))

    num_visual = visual.shape[1]
    full_mask = torch.cat([mask, torch.ones(batch, num_visual, dtype=mask.dtype, device=mask.device)], dim=1)
    additive_mask = (1.0 - full_mask[:, None, None, :].to(hidden.dtype)) * torch.finfo(hidden.dtype).min
    sequence_positions = torch.cat(
        [torch.arange(length, device=mask.device), torch.arange(num_visual, device=mask.device)]
    ).unsqueeze(0).expand(batch, -1)
    full_bbox = torch.cat([bbox, fusion.visual_bbox.unsqueeze(0).expand(batch, -1, -1).to(bbox.dtype)], dim=1)
    position_bias = fusion_position_bias(fusion, sequence_positions, full_bbox)
    for layer in fusion.encoder.layer:
        hidden = layer(hidden, additive_mask, position_bias=position_bias)
    return hidden
