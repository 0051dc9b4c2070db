"""AETNet contrastive alignment: momentum encoders, feature queues and the DITC/IMC/GLITC/PITA losses.

Training only; nothing here is exported to ONNX. Section numbers refer to docs/method.md.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import Tensor, nn

from .config import PITA_RULES, PITA_VARIANTS

IMAGE_LOCAL_POOL_MODES = ("adaptive", "code")
TEMPERATURE_INIT = 0.07
TEMPERATURE_RANGE = (0.001, 0.5)
BOX_SCALE = 1000


# ---------------------------------------------------------------- momentum encoders (§2.3)


def make_momentum_copy(online: nn.Module) -> nn.Module:
    momentum = copy.deepcopy(online)
    for param in momentum.parameters():
        param.requires_grad_(False)
    return momentum


@torch.no_grad()
def ema_update(online: nn.Module, momentum: nn.Module, m: float) -> None:
    online_params = dict(online.named_parameters())
    for name, momentum_param in momentum.named_parameters():
        # Written as two products and a sum so the result is bit-identical to m·θm + (1−m)·θ.
        momentum_param.copy_(m * momentum_param + (1.0 - m) * online_params[name])
    online_buffers = dict(online.named_buffers())
    for name, momentum_buffer in momentum.named_buffers():
        momentum_buffer.copy_(online_buffers[name])


# ---------------------------------------------------------------- queues and temperature (§2.3)


class FeatureQueue(nn.Module):
    """FIFO bank of K feature columns used as extra negatives by DITC and IMC."""

    features: Tensor
    ptr: Tensor

    def __init__(self, dim: int, size: int):
        super().__init__()
        self.register_buffer("features", F.normalize(torch.randn(dim, size), dim=0))
        self.register_buffer("ptr", torch.zeros((), dtype=torch.long))

    @property
    def size(self) -> int:
        return self.features.shape[1]

    @torch.no_grad()
    def enqueue(self, feats: Tensor) -> None:
        batch = feats.shape[0]
        assert feats.shape[1] == self.features.shape[0], "feature width differs from the queue's"
        assert batch > 0 and self.size % batch == 0, f"queue size {self.size} is not a multiple of batch {batch}"
        start = int(self.ptr)
        columns = (start + torch.arange(batch, device=self.features.device)) % self.size
        self.features[:, columns] = feats.detach().to(self.features.dtype).T
        self.ptr.fill_((start + batch) % self.size)


class Temperature(nn.Module):
    """The learnable τ shared by DITC, IMC, GLITC and the default PITA variant."""

    def __init__(self, init: float = TEMPERATURE_INIT):
        super().__init__()
        self.value = nn.Parameter(torch.tensor(float(init)))

    @torch.no_grad()
    def clamp_(self) -> None:
        self.value.clamp_(*TEMPERATURE_RANGE)

    def forward(self) -> Tensor:
        return self.value


@torch.no_grad()
def all_gather_features(x: Tensor) -> Tensor:
    if not (dist.is_available() and dist.is_initialized()) or dist.get_world_size() == 1:
        return x
    gathered = [torch.empty_like(x) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, x.contiguous())
    return torch.cat(gathered, dim=0)


def distillation_alpha(alpha: float, epoch: int, step_in_epoch: int, steps_per_epoch: int) -> float:
    """ALBEF's ramp (§5.1, §6 #8): α grows linearly over epoch 0, then stays at its configured value."""
    if epoch > 0:
        return alpha
    return alpha * min(1.0, step_in_epoch / max(1, steps_per_epoch))


# ---------------------------------------------------------------- DITC and IMC (§3.2, §3.3)


def _zero_loss(*inputs: Tensor) -> Tensor:
    """A finite 0 still attached to the graph, so callers can always add and backpropagate it."""
    return torch.stack([x.sum() * 0.0 for x in inputs]).sum()


def _feature_bank(momentum_feats: Tensor, queue: Tensor) -> Tensor:
    """[momentum batch ; queue] as (D, B+K) columns; the positive of row i is column i."""
    return torch.cat([momentum_feats.detach().T, queue.detach()], dim=1)


def _soft_cross_entropy(logits: Tensor, targets: Tensor) -> Tensor:
    return -(targets * F.log_softmax(logits, dim=1)).sum(dim=1).mean()


def _contrastive_targets(
    momentum_query: Tensor, bank: Tensor, temp: Tensor | float, alpha: float
) -> Tensor:
    one_hot = torch.eye(momentum_query.shape[0], bank.shape[1], device=bank.device, dtype=bank.dtype)
    if alpha == 0.0:
        return one_hot
    with torch.no_grad():
        tau = temp.detach() if isinstance(temp, Tensor) else temp
        momentum_probs = F.softmax(momentum_query.detach() @ bank / tau, dim=1)
    return alpha * momentum_probs + (1.0 - alpha) * one_hot


def ditc_loss(
    g_v: Tensor,
    g_w: Tensor,
    g_v_m: Tensor,
    g_w_m: Tensor,
    queue_img: Tensor,
    queue_txt: Tensor,
    temp: Tensor | float,
    alpha: float = 0.0,
) -> Tensor:
    """Document-level image↔text contrast against [momentum batch ; queue] of the other modality."""
    bank_img = _feature_bank(g_v_m, queue_img)
    bank_txt = _feature_bank(g_w_m, queue_txt)
    targets_i2t = _contrastive_targets(g_v_m, bank_txt, temp, alpha)
    targets_t2i = _contrastive_targets(g_w_m, bank_img, temp, alpha)
    loss_i2t = _soft_cross_entropy(g_v @ bank_txt / temp, targets_i2t)
    loss_t2i = _soft_cross_entropy(g_w @ bank_img / temp, targets_t2i)
    return 0.5 * (loss_i2t + loss_t2i)


def imc_loss(
    g_v: Tensor,
    g_w: Tensor,
    g_v_m: Tensor,
    g_w_m: Tensor,
    queue_img: Tensor,
    queue_txt: Tensor,
    temp: Tensor | float,
) -> Tensor:
    """Intra-modal contrast: each online global against its own modality's momentum bank."""
    positives = torch.arange(g_v.shape[0], device=g_v.device)
    loss_i2i = F.cross_entropy(g_v @ _feature_bank(g_v_m, queue_img) / temp, positives)
    loss_t2t = F.cross_entropy(g_w @ _feature_bank(g_w_m, queue_txt) / temp, positives)
    return 0.5 * (loss_i2i + loss_t2t)


# ---------------------------------------------------------------- GLITC (§3.4)


def pool_image_locals(patch_feats: Tensor, grid: int, mode: str = "adaptive") -> Tensor:
    """(B, G·G, D) patch features → (B, 9, D) region features, row-major; not re-normalised (§3.4)."""
    batch, num_patches, dim = patch_feats.shape
    if num_patches != grid * grid:
        raise ValueError(f"{num_patches} patches do not form a {grid}x{grid} grid")
    as_image = patch_feats.reshape(batch, grid, grid, dim).permute(0, 3, 1, 2)
    if mode == "adaptive":
        pooled = F.adaptive_avg_pool2d(as_image, 3)
    elif mode == "code":
        if grid != 14:
            raise ValueError("pool mode 'code' (kernel 5, stride 4) is defined for a 14x14 grid only")
        pooled = F.avg_pool2d(as_image, kernel_size=5, stride=4)
    else:
        raise ValueError(f"unknown pool mode {mode!r}; expected one of {IMAGE_LOCAL_POOL_MODES}")
    return pooled.flatten(2).transpose(1, 2)


def global_local_loss(
    global_feats: Tensor, local_feats: Tensor, local_mask: Tensor | None, temp: Tensor | float
) -> Tensor:
    """One modality's GLITC term: each valid local of document i against its global g_i, with every
    valid local of the other documents in the batch as negatives (no queue)."""
    batch, num_locals, _ = local_feats.shape
    device = local_feats.device
    valid = (
        torch.ones(batch, num_locals, dtype=torch.bool, device=device)
        if local_mask is None
        else local_mask.to(device=device, dtype=torch.bool)
    )
    docs_with_locals = valid.any(dim=1)
    if batch < 2 or not docs_with_locals.any():
        return _zero_loss(global_feats)

    sims = torch.einsum("id,jkd->ijk", global_feats, local_feats.detach()) / temp  # (B, B, N)
    doc_range = torch.arange(batch, device=device)
    positives = sims[doc_range, doc_range]  # (B, N)
    other_doc = ~torch.eye(batch, dtype=torch.bool, device=device)
    negative_mask = other_doc[:, :, None] & valid[None, :, :]
    has_negatives = negative_mask.flatten(1).any(dim=1)
    # Rows without any negative get a dummy all-zero row so logsumexp (and its gradient) stays finite.
    negative_logits = sims.masked_fill(~negative_mask, float("-inf"))
    negative_logits = negative_logits.masked_fill(~has_negatives[:, None, None], 0.0)
    negative_lse = torch.where(
        has_negatives,
        torch.logsumexp(negative_logits.flatten(1), dim=1),
        torch.full_like(has_negatives, float("-inf"), dtype=sims.dtype),
    )
    # −log(e^pos / (e^pos + Σ e^neg)) = softplus(logsumexp(neg) − pos)
    per_local = F.softplus(negative_lse[:, None] - positives)
    per_doc = (per_local * valid).sum(dim=1) / valid.sum(dim=1).clamp(min=1)
    return per_doc[docs_with_locals].mean()


def glitc_loss(
    g_v: Tensor,
    g_w: Tensor,
    local_img: Tensor,
    local_txt: Tensor,
    local_txt_mask: Tensor,
    temp: Tensor | float,
) -> Tensor:
    """½ (image global ↔ its 9 regions + text global ↔ its tokens 1..L−1)."""
    loss_img = global_local_loss(g_v, local_img, None, temp)
    loss_txt = global_local_loss(g_w, local_txt, local_txt_mask, temp)
    return 0.5 * (loss_img + loss_txt)


# ---------------------------------------------------------------- PITA (§3.5, §6 #3–#6)


def _box_cell(coord: Tensor, grid: int, denominator: int = BOX_SCALE) -> Tensor:
    """⌊coord·grid/denominator⌋ in exact integer arithmetic, clipped to [0, grid−1]."""
    if coord.is_floating_point():
        cells = torch.floor(coord * grid / denominator).long()
    else:
        cells = torch.div(coord.long() * grid, denominator, rounding_mode="floor")
    return cells.clamp(0, grid - 1)


def pita_assign(word_bbox: Tensor, attention_mask: Tensor, grid: int, rule: str = "inside") -> Tensor:
    """Token → patch index r·G + c (B, L), or −1 for padding, all-zero boxes (special tokens) and,
    under the 'inside' rule, boxes that cross a cell boundary."""
    x0, y0, x1, y1 = word_bbox.unbind(dim=-1)
    eligible = attention_mask.bool() & (word_bbox != 0).any(dim=-1)
    if rule == "inside":
        col, row = _box_cell(x0, grid), _box_cell(y0, grid)
        eligible = eligible & (col == _box_cell(x1, grid)) & (row == _box_cell(y1, grid))
    elif rule == "center":
        # The centre (x0+x1)/2 keeps integer arithmetic exact by doubling the denominator.
        col = _box_cell(x0 + x1, grid, 2 * BOX_SCALE)
        row = _box_cell(y0 + y1, grid, 2 * BOX_SCALE)
    else:
        raise ValueError(f"unknown PITA rule {rule!r}; expected one of {PITA_RULES}")
    patch = row * grid + col
    return torch.where(eligible, patch, torch.full_like(patch, -1))


def pita_text_per_patch(text_feats: Tensor, assign: Tensor, num_patches: int) -> tuple[Tensor, Tensor]:
    """Mean text feature per patch (B, P, d) via a one-hot (B, P, L) matmul, and token counts (B, P).
    A patch without tokens gets the zero vector."""
    assigned = assign >= 0
    one_hot = F.one_hot(assign.clamp(min=0), num_patches).to(text_feats.dtype)
    one_hot = one_hot * assigned[..., None].to(text_feats.dtype)  # (B, L, P)
    counts = one_hot.sum(dim=1)
    sums = one_hot.transpose(1, 2) @ text_feats
    return sums / counts.clamp(min=1)[..., None], counts.long()


def _masked_infonce(logits: Tensor, candidate_mask: Tensor, target: Tensor) -> Tensor:
    """Mean CE over rows, each row's softmax restricted to its candidates (target always a candidate)."""
    masked = logits.masked_fill(~candidate_mask, float("-inf"))
    return (torch.logsumexp(masked, dim=1) - masked.gather(1, target[:, None]).squeeze(1)).mean()


def _pita_infonce(patch_feats: Tensor, text_per_patch: Tensor, non_empty: Tensor, temp: Tensor | float) -> Tensor:
    sims = F.normalize(patch_feats, dim=-1) @ F.normalize(text_per_patch, dim=-1).transpose(1, 2) / temp
    doc_idx, patch_idx = non_empty.nonzero(as_tuple=True)
    candidates = non_empty[doc_idx]  # other non-empty patches of the same document
    image_to_text = _masked_infonce(sims[doc_idx, patch_idx, :], candidates, patch_idx)
    text_to_image = _masked_infonce(sims[doc_idx, :, patch_idx], candidates, patch_idx)
    return 0.5 * (image_to_text + text_to_image)


def _pita_dot_ce(patch_feats: Tensor, text_per_patch: Tensor) -> Tensor:
    sims = patch_feats @ text_per_patch.transpose(1, 2)  # (B, P, P)
    batch, num_patches, _ = sims.shape
    targets = torch.arange(num_patches, device=sims.device).repeat(batch)
    image_to_text = F.cross_entropy(sims.reshape(batch * num_patches, num_patches), targets)
    text_to_image = F.cross_entropy(sims.transpose(1, 2).reshape(batch * num_patches, num_patches), targets)
    return 0.5 * (image_to_text + text_to_image)


def pita_loss(
    patch_feats: Tensor,
    text_feats: Tensor,
    assign: Tensor,
    temp: Tensor | float | None,
    variant: str = "infonce",
) -> Tensor:
    """Patch-level image↔text alignment within each document (no cross-document negatives).

    'infonce' (default, §6 #3): L2-normalised, /τ, symmetric, over patches with ≥1 token only;
    'dot_ce': unnormalised dot products over every patch, no τ (the released code);
    'cosine': −mean cosine between each patch with text and its mean text feature (the paper's equation)."""
    if variant not in PITA_VARIANTS:
        raise ValueError(f"unknown PITA variant {variant!r}; expected one of {PITA_VARIANTS}")
    text_per_patch, counts = pita_text_per_patch(text_feats, assign, patch_feats.shape[1])
    if variant == "dot_ce":
        return _pita_dot_ce(patch_feats, text_per_patch)
    non_empty = counts > 0
    if not non_empty.any():
        return _zero_loss(patch_feats, text_feats)
    if variant == "cosine":
        return -F.cosine_similarity(patch_feats[non_empty], text_per_patch[non_empty], dim=-1).mean()
    if temp is None:
        raise ValueError("PITA variant 'infonce' needs the temperature")
    return _pita_infonce(patch_feats, text_per_patch, non_empty, temp)


# ---------------------------------------------------------------- named terms


@dataclass
class AlignmentLosses:
    ditc: Tensor
    imc: Tensor
    glitc: Tensor
    pita: Tensor

    def terms(self) -> dict[str, Tensor]:
        return {"ditc": self.ditc, "imc": self.imc, "glitc": self.glitc, "pita": self.pita}

    def weighted(self, weights: dict[str, float]) -> Tensor:
        """Σ λ·term over the four alignment terms; the task loss is added by the caller."""
        return torch.stack([weights[name] * term for name, term in self.terms().items()]).sum()

    def as_floats(self) -> dict[str, float]:
        return {name: float(term.detach()) for name, term in self.terms().items()}
