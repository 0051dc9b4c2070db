"""AETNet model: alignment-aware ViT and text encoder, heads per task, inference graphs, training models (docs/method.md §2).

The fusion with its additive injection lives in `fusion.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from transformers import BertConfig, BertModel, MPNetConfig, MPNetModel, RobertaConfig, RobertaModel

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
from .fusion import build_fusion, fuse, visual_stream


# ---------------------------------------------------------------- alignment-aware image encoder (docs/method.md §2.1)


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


# ---------------------------------------------------------------- text encoder


def build_text_encoder(cfg: ModelConfig) -> nn.Module:
    common = dict(
        vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, num_hidden_layers=cfg.text_layers,
        num_attention_heads=cfg.num_heads, intermediate_size=cfg.intermediate_size,
        hidden_dropout_prob=cfg.dropout, attention_probs_dropout_prob=cfg.dropout,
        max_position_embeddings=cfg.text_max_positions, pad_token_id=cfg.pad_id, attn_implementation="eager",
    )
    if cfg.text_encoder == "mpnet":
        common.pop("attn_implementation")
        return MPNetModel(MPNetConfig(**common, layer_norm_eps=1e-5), add_pooling_layer=False)
    if cfg.text_encoder == "roberta":
        return RobertaModel(RobertaConfig(**common, type_vocab_size=1, layer_norm_eps=1e-5), add_pooling_layer=False)
    return BertModel(BertConfig(**common, type_vocab_size=2, layer_norm_eps=1e-12), add_pooling_layer=False)


# ---------------------------------------------------------------- heads (docs/method.md §2.6)


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


# The pair geometry features, in this order (heads/key-value-pairs.ts computes the same): boxes in page units
# (0–1000 / 1000), the value V against the key K; gaps and offsets ×10 so a page spans about 10.
PAIR_GEOMETRY_FEATURES = ("gapX", "gapY", "centreDX", "centreDY", "overlapY", "overlapX", "leftDX", "sameLineRight",
                          "belowOverlapping")


def pair_geometry(boxes: Tensor) -> Tensor:
    """(B, E, 4) entity boxes → (B, E, E, F): row = the value entity, column = the key entity. The last two are the
    geometric rule's own tests (a value on the key's line right of it; below it, overlapping horizontally)."""
    return box_geometry(boxes[:, :, None, :], boxes[:, None, :, :])


def box_geometry(value: Tensor, key: Tensor) -> Tensor:
    """pair_geometry's features of value boxes against key boxes (..., 4), broadcast against each other."""
    key_height, value_height = key[..., 3] - key[..., 1], value[..., 3] - value[..., 1]
    key_width, value_width = key[..., 2] - key[..., 0], value[..., 2] - value[..., 0]
    overlap_y = (torch.minimum(key[..., 3], value[..., 3]) - torch.maximum(key[..., 1], value[..., 1])).clamp(min=0)
    overlap_x = (torch.minimum(key[..., 2], value[..., 2]) - torch.maximum(key[..., 0], value[..., 0])).clamp(min=0)
    overlap_y = overlap_y / torch.minimum(key_height, value_height).clamp(min=1e-3)
    overlap_x = overlap_x / torch.minimum(key_width, value_width).clamp(min=1e-3)
    same_line_right = (overlap_y >= 0.5) & (value[..., 0] >= key[..., 0] + 0.5 * key_width)
    below_overlapping = (value[..., 1] >= key[..., 3] - 0.5 * key_height) & (overlap_x > 0)
    return torch.stack([
        10 * (value[..., 0] - key[..., 2]), 10 * (value[..., 1] - key[..., 3]),
        5 * (value[..., 0] + value[..., 2] - key[..., 0] - key[..., 2]),
        5 * (value[..., 1] + value[..., 3] - key[..., 1] - key[..., 3]),
        overlap_y, overlap_x, 10 * (value[..., 0] - key[..., 0]), same_line_right.float(), below_overlapping.float(),
    ], dim=-1)


class KeyValueHead(nn.Module):
    """Which ANSWER belongs to which QUESTION. Semantic: per-token key and value projections (B, L, d); an entity is
    the mean of its words' first tokens, and key k scores ⟨k, v⟩/√d for value v. Geometric: an MLP over the pair's
    boxes (pair_geometry), added to it. Both against a fixed 0 for "no key". The value projection starts at zero, so
    training starts from geometry alone and the semantic term grows where it helps (on FUNSD validation link F1
    94.68 → 95.74; README). The service pools and scores the same way (heads/key-value-pairs.ts), the geometry MLP
    from the manifest."""

    def __init__(self, hidden: int, dim: int, dropout: float, geometry_hidden: int = 64):
        super().__init__()
        self.keys = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.values = nn.Sequential(nn.Dropout(dropout), nn.Linear(hidden, hidden), nn.GELU(), nn.Linear(hidden, dim))
        nn.init.zeros_(self.values[-1].weight)
        nn.init.zeros_(self.values[-1].bias)
        features = len(PAIR_GEOMETRY_FEATURES)
        self.geometry = nn.Sequential(nn.Linear(features, geometry_hidden), nn.ReLU(),
                                      nn.Linear(geometry_hidden, geometry_hidden), nn.ReLU(), nn.Linear(geometry_hidden, 1))

    def forward(self, tokens: Tensor) -> tuple[Tensor, Tensor]:
        return self.keys(tokens), self.values(tokens)

    def geometry_scores(self, boxes: Tensor) -> Tensor:
        """(B, E, 4) → (B, E, E): the geometric score of each (value row, key column)."""
        return self.geometry(pair_geometry(boxes)).squeeze(-1)


class TokenPairHead(TokenClassificationHead):
    """Token labels and the key-value projections on the same text stream: {extract, pair_keys, pair_values}."""

    def __init__(self, hidden: int, num_labels: int, dropout: float, pair_dim: int):
        super().__init__(hidden, num_labels, dropout)
        self.pairs = KeyValueHead(hidden, pair_dim, dropout)

    def forward(self, fused: Tensor, text_length: int) -> dict[str, Tensor]:
        keys, values = self.pairs(fused[:, :text_length])
        return {"extract": super().forward(fused, text_length), "pair_keys": keys, "pair_values": values}


def pair_scores(keys: Tensor, values: Tensor, pool: Tensor, roles: Tensor, geometry: Tensor | None = None) -> Tensor:
    """(B, E, E + 1): for each entity as a value, the score of every key entity and, last, of "no key" (0).
    `geometry` (B, E, E): KeyValueHead.geometry_scores, added to the semantic score."""
    entity_keys, entity_values = pool @ keys, pool @ values
    scores = entity_values @ entity_keys.transpose(1, 2) / math.sqrt(keys.shape[-1])
    if geometry is not None:
        scores = scores + geometry
    scores = scores.float().masked_fill((roles != 1).unsqueeze(1), torch.finfo(torch.float32).min)
    return torch.cat([scores, scores.new_zeros(scores.shape[:2] + (1,))], dim=-1)


def pair_loss(logits: dict[str, Tensor], batch: dict[str, Tensor], geometry: Tensor | None = None) -> Tensor:
    """Cross-entropy of each value's key (or "no key") over the window's key entities; −100 rows are skipped."""
    scores = pair_scores(logits["pair_keys"], logits["pair_values"], batch["pair_pool"], batch["pair_roles"], geometry)
    targets = batch["pair_targets"]
    if (targets != -100).sum() == 0:
        return scores.sum() * 0.0
    return F.cross_entropy(scores.flatten(0, 1), targets.flatten(), ignore_index=-100)


class SequenceClassificationHead(nn.Module):
    """Output position 0 (the text [CLS]) → MLP → (B, C)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.classifier = classifier(hidden, num_labels, dropout, mlp=True)

    def forward(self, fused: Tensor, text_length: int) -> Tensor:
        return self.classifier(fused[:, 0])


class QuestionAnsweringHead(nn.Module):
    """Text stream only → MLP → (B, L, 2): start and end logits per token ([CLS] at 0 = no answer)."""

    def __init__(self, hidden: int, num_labels: int, dropout: float):
        super().__init__()
        self.classifier = classifier(hidden, 2, dropout, mlp=True)

    def forward(self, fused: Tensor, text_length: int) -> Tensor:
        return self.classifier(fused[:, :text_length])


# ---------------------------------------------------------------- inference graphs (docs/method.md §2.7)


class TaskHeads(nn.Module):
    """The joint model's heads on one fusion output: every head runs on every window (they cost a few matrix
    products), so one graph serves all tasks and a page's forward can answer extract and classify at once."""

    def __init__(self, hidden: int, head_labels: dict[str, int], dropout: float):
        super().__init__()
        self.extract = TokenClassificationHead(hidden, head_labels["extract"], dropout)
        self.ask = QuestionAnsweringHead(hidden, 0, dropout)
        self.classify = SequenceClassificationHead(hidden, head_labels["classify"], dropout)

    def forward(self, fused: Tensor, text_length: int) -> dict[str, Tensor]:
        return {task: getattr(self, task)(fused, text_length) for task in JOINT_TASKS}


JOINT_TASKS = ("extract", "ask", "classify")


def task_outputs(logits: Tensor | dict[str, Tensor], task: str) -> Tensor | tuple[Tensor, ...]:
    """The exported outputs: `logits`, (`start_logits`, `end_logits`) for ask, and for the joint model
    (`token_logits`, `start_logits`, `end_logits`, `class_logits`)."""
    if task == "joint":
        return logits["extract"], logits["ask"][..., 0], logits["ask"][..., 1], logits["classify"]
    if task == "ask":
        return logits[..., 0], logits[..., 1]
    if isinstance(logits, dict):  # extract with the key-value head
        return logits["extract"], logits["pair_keys"], logits["pair_values"]
    return logits


def task_logits(logits: Tensor | dict[str, Tensor], task: str) -> Tensor:
    """The logits of one task from a single-task or a joint model's output."""
    return logits[task] if isinstance(logits, dict) else logits


class AETNetInference(nn.Module):
    """What the export runs: (input_ids, attention_mask, bbox, pixel_values) → task outputs. Shares the training
    model's modules; no momentum encoders, queues, projections or τ (docs/method.md §2.7)."""

    def __init__(self, fusion: nn.Module, head: nn.Module, image_encoder: nn.Module | None,
                 text_encoder: nn.Module | None, task: str):
        super().__init__()
        self.fusion, self.head, self.task = fusion, head, task
        self.image_encoder, self.text_encoder = image_encoder, text_encoder

    def image_embeddings(self, pixel_values: Tensor) -> Tensor:
        align_image = None if self.image_encoder is None else self.image_encoder(pixel_values)
        return visual_stream(self.fusion, pixel_values, align_image)

    def text_side(self, input_ids: Tensor, attention_mask: Tensor, bbox: Tensor, image_embeddings: Tensor):
        align_text = None
        if self.text_encoder is not None:
            align_text = self.text_encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        fused = fuse(self.fusion, input_ids, attention_mask, bbox, image_embeddings, align_text)
        return task_outputs(self.head(fused, input_ids.shape[1]), self.task)

    def forward(self, input_ids: Tensor, attention_mask: Tensor, bbox: Tensor, pixel_values: Tensor):
        return self.text_side(input_ids, attention_mask, bbox, self.image_embeddings(pixel_values))


class ImageEncoderGraph(nn.Module):
    """`image_encoder.onnx`: pixel_values → image_embeddings (P0), run once per page."""

    def __init__(self, inference: AETNetInference):
        super().__init__()
        self.inference = inference

    def forward(self, pixel_values: Tensor) -> Tensor:
        return self.inference.image_embeddings(pixel_values)


class TextSideGraph(nn.Module):
    """The split bundle's `model.onnx`: (input_ids, attention_mask, bbox, image_embeddings) → task outputs."""

    def __init__(self, inference: AETNetInference):
        super().__init__()
        self.inference = inference

    def forward(self, input_ids: Tensor, attention_mask: Tensor, bbox: Tensor, image_embeddings: Tensor):
        return self.inference.text_side(input_ids, attention_mask, bbox, image_embeddings)


# ---------------------------------------------------------------- training models


@dataclass
class AETNetOutput:
    logits: Tensor | dict[str, Tensor]  # extract (B, L, C); classify (B, C); ask (B, L, 2) = start, end; joint: per task
    loss: Tensor | None
    terms: dict[str, Tensor]


# The online modules alignment-enriched tuning adds to the fusion, each with a momentum copy `<name>_m`
# (docs/method.md §2.1–§2.3); a plain run has none.
ALIGNMENT_MODULES = ("image_encoder", "text_encoder", "image_proj", "text_proj")


class AETNetForTask(nn.Module):
    """Training model shared by the tasks; a subclass names its head and task loss. A `plain` run is the fusion and
    head alone (task loss only, same fusion); otherwise the alignment encoders, their projections, momentum copies,
    queues and τ are added, and every alignment loss applies to every task."""

    head_class: type[nn.Module]

    def __init__(self, config: RunConfig, loss_weights: dict[str, float], fusion_config: dict | None = None):
        super().__init__()
        cfg, train = config.model, config.train
        self.cfg, self.plain, self.loss_weights = cfg, config.plain, loss_weights
        self.alpha, self.pita_variant, self.pita_rule = train.alpha, train.pita_variant, train.pita_rule
        self.fusion = build_fusion(cfg, config.layoutlmv3_dir, fusion_config)
        self.head = self.build_head(cfg)
        # Registered as None when plain, so `self.image_encoder is None` says "no alignment" everywhere.
        self.image_encoder = self.text_encoder = self.image_proj = self.text_proj = None
        if not self.plain:
            self.add_alignment_parts(cfg)

    def add_alignment_parts(self, cfg: ModelConfig) -> None:
        self.image_encoder = AlignmentViT(cfg)
        self.text_encoder = build_text_encoder(cfg)
        self.text_encoder.embeddings.word_embeddings = self.fusion.embeddings.word_embeddings  # tied (docs/method.md §2.2)
        self.image_proj = nn.Linear(cfg.hidden_size, cfg.embed_dim)
        self.text_proj = nn.Linear(cfg.hidden_size, cfg.embed_dim)
        self.image_queue = FeatureQueue(cfg.embed_dim, cfg.queue_size)
        self.text_queue = FeatureQueue(cfg.embed_dim, cfg.queue_size)
        self.temperature = Temperature()
        for name in ALIGNMENT_MODULES:
            setattr(self, f"{name}_m", make_momentum_copy(getattr(self, name)))

    def build_head(self, cfg: ModelConfig) -> nn.Module:
        return self.head_class(cfg.hidden_size, cfg.num_labels, cfg.dropout)

    def task_loss(self, logits: Tensor, batch: dict[str, Tensor]) -> Tensor | None:
        raise NotImplementedError

    def momentum_pairs(self) -> list[tuple[nn.Module, nn.Module]]:
        """(online, momentum) module pairs; none in a plain run."""
        if self.image_encoder is None:
            return []
        return [(getattr(self, name), getattr(self, f"{name}_m")) for name in ALIGNMENT_MODULES]

    def sync_momentum(self) -> None:
        """Momentum = online; call after loading pretrained weights into the online modules."""
        for online, momentum in self.momentum_pairs():
            momentum.load_state_dict(online.state_dict())

    def inference_model(self) -> AETNetInference:
        return AETNetInference(self.fusion, self.head, self.image_encoder, self.text_encoder, self.cfg.task)

    def encode(self, batch: dict[str, Tensor]) -> tuple[Tensor, Tensor | None, Tensor | None]:
        """The fused sequence (B, L + visual, H) the heads read, and the alignment encoders' outputs (None when plain)."""
        input_ids, attention_mask, pixel_values = batch["input_ids"], batch["attention_mask"], batch["pixel_values"]
        align_image = align_text = None
        if self.image_encoder is not None:
            align_image = self.image_encoder(pixel_values)
            align_text = self.text_encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        visual = visual_stream(self.fusion, pixel_values, align_image)
        return fuse(self.fusion, input_ids, attention_mask, batch["bbox"], visual, align_text), align_image, align_text

    def forward(self, batch: dict[str, Tensor]) -> AETNetOutput:
        input_ids, pixel_values = batch["input_ids"], batch["pixel_values"]
        zero = pixel_values.new_zeros(())
        terms = {name: zero for name in LOSS_TERMS}
        if self.image_encoder is not None and self.training:
            self.temperature.clamp_()
        fused, align_image, align_text = self.encode(batch)
        if align_image is not None and self.training:
            terms.update(self.alignment_terms(batch, align_image, align_text).terms())
        logits = self.head(fused, input_ids.shape[1])
        task_loss = self.task_loss(logits, batch)
        loss = None
        if task_loss is not None:
            terms["task"] = task_loss
            loss = sum(self.loss_weights[name] * term for name, term in terms.items())
        return AETNetOutput(logits=logits, loss=loss, terms=terms)

    def alignment_terms(self, batch: dict[str, Tensor], image_feats: Tensor, text_feats: Tensor) -> AlignmentLosses:
        """docs/method.md §3.7 steps 2–5. Terms with weight 0 are skipped (reported as 0); the momentum branch runs only for
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


def token_classification_loss(logits: Tensor, batch: dict[str, Tensor]) -> Tensor:
    """extract: `labels` (B, L) with −100 on special tokens, continuation sub-tokens and padding."""
    return F.cross_entropy(logits.flatten(0, -2).float(), batch["labels"].flatten(), ignore_index=-100)


def sequence_classification_loss(logits: Tensor, batch: dict[str, Tensor]) -> Tensor:
    """classify: `labels` (B,) = the window's document class."""
    return F.cross_entropy(logits.float(), batch["labels"])


def span_loss(logits: Tensor, batch: dict[str, Tensor]) -> Tensor:
    """ask: `start_positions` / `end_positions` (B,), 0 (= [CLS]) when the answer is not in the window; the mean
    of the start and end cross-entropies over the window's real tokens."""
    padding = batch["attention_mask"] == 0
    start, end = (part.float().masked_fill(padding, torch.finfo(torch.float32).min) for part in logits.unbind(-1))
    return 0.5 * (F.cross_entropy(start, batch["start_positions"]) + F.cross_entropy(end, batch["end_positions"]))


TASK_LOSSES = {"extract": token_classification_loss, "classify": sequence_classification_loss, "ask": span_loss}
TARGETS = {"extract": "labels", "classify": "labels", "ask": "start_positions"}


class AETNetForTokenClassification(AETNetForTask):
    head_class = TokenClassificationHead

    def build_head(self, cfg: ModelConfig) -> nn.Module:
        if cfg.pair_dim > 0:
            return TokenPairHead(cfg.hidden_size, cfg.num_labels, cfg.dropout, cfg.pair_dim)
        return super().build_head(cfg)

    def task_loss(self, logits: Tensor | dict[str, Tensor], batch: dict[str, Tensor]) -> Tensor | None:
        if "labels" not in batch:
            return None
        if not isinstance(logits, dict):
            return token_classification_loss(logits, batch)
        loss = token_classification_loss(logits["extract"], batch)
        if "pair_pool" not in batch:
            return loss
        return loss + pair_loss(logits, batch, self.head.pairs.geometry_scores(batch["pair_boxes"]))


class AETNetForSequenceClassification(AETNetForTask):
    head_class = SequenceClassificationHead

    def task_loss(self, logits: Tensor, batch: dict[str, Tensor]) -> Tensor | None:
        return sequence_classification_loss(logits, batch) if "labels" in batch else None


class AETNetForQuestionAnswering(AETNetForTask):
    head_class = QuestionAnsweringHead

    def task_loss(self, logits: Tensor, batch: dict[str, Tensor]) -> Tensor | None:
        return span_loss(logits, batch) if "start_positions" in batch else None


class AETNetForTasks(AETNetForTask):
    """The joint model: one fusion, the alignment losses on every batch, and one head per task; a batch holds
    windows of one task (`batch["task"]`) and trains that task's head."""

    def build_head(self, cfg: ModelConfig) -> nn.Module:
        return TaskHeads(cfg.hidden_size, cfg.head_labels, cfg.dropout)

    def task_loss(self, logits: dict[str, Tensor], batch: dict[str, Tensor]) -> Tensor | None:
        task = batch.get("task")
        if task is None or TARGETS[task] not in batch:
            return None
        return TASK_LOSSES[task](logits[task], batch)


TASK_MODELS: dict[str, type[AETNetForTask]] = {
    "extract": AETNetForTokenClassification,
    "classify": AETNetForSequenceClassification,
    "ask": AETNetForQuestionAnswering,
    "joint": AETNetForTasks,
}


def build_task_model(config: RunConfig, loss_weights: dict[str, float], fusion_config: dict | None = None) -> AETNetForTask:
    return TASK_MODELS[config.model.task](config, loss_weights, fusion_config)
