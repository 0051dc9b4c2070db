"""Alignment machinery on constructed inputs with known answers (docs/method.md §2.3, §3)."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from aetnet_trainer.config import LOSS_PRESETS
from aetnet_trainer.alignment import (
    AlignmentLosses,
    FeatureQueue,
    Temperature,
    all_gather_features,
    distillation_alpha,
    ditc_loss,
    ema_update,
    glitc_loss,
    global_local_loss,
    imc_loss,
    make_momentum_copy,
    pita_assign,
    pita_loss,
    pita_text_per_patch,
    pool_image_locals,
)

GRID = 14


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def unit(*shape: int) -> torch.Tensor:
    return F.normalize(torch.randn(*shape), dim=-1)


# ---------------------------------------------------------------- presets


def test_presets_carry_the_spec_weights():
    assert set(LOSS_PRESETS) == {"paper", "code-funsd", "code-cord", "task-only"}
    for weights in LOSS_PRESETS.values():
        assert set(weights) == {"task", "ditc", "imc", "glitc", "pita"}
    assert all(v == 1.0 for v in LOSS_PRESETS["paper"].values())
    assert LOSS_PRESETS["code-funsd"] == pytest.approx(
        {"task": 1.0, "ditc": 1 / 3, "imc": 1 / 3, "glitc": 1 / 3, "pita": 1.0}
    )
    assert LOSS_PRESETS["code-cord"] == pytest.approx(
        {"task": 0.8, "ditc": 0.4, "imc": 0.4, "glitc": 0.4, "pita": 0.4}
    )
    assert LOSS_PRESETS["task-only"] == {"task": 1.0, "ditc": 0.0, "imc": 0.0, "glitc": 0.0, "pita": 0.0}


def test_weighted_sum_excludes_task_and_logs_each_term():
    losses = AlignmentLosses(
        ditc=torch.tensor(1.0), imc=torch.tensor(2.0), glitc=torch.tensor(3.0), pita=torch.tensor(4.0)
    )
    assert losses.weighted(LOSS_PRESETS["code-cord"]).item() == pytest.approx(0.4 * 10)
    assert losses.weighted(LOSS_PRESETS["task-only"]).item() == 0.0
    assert losses.as_floats() == {"ditc": 1.0, "imc": 2.0, "glitc": 3.0, "pita": 4.0}


# ---------------------------------------------------------------- EMA, queue, temperature


def test_momentum_copy_equals_online_and_gets_no_gradient():
    online = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    momentum = make_momentum_copy(online)
    for (name, p), (name_m, p_m) in zip(online.named_parameters(), momentum.named_parameters()):
        assert name == name_m and torch.equal(p, p_m)
        assert p_m.requires_grad is False and p.requires_grad is True
    assert momentum[0].weight.data_ptr() != online[0].weight.data_ptr()


def test_ema_update_is_exact():
    online = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    momentum = make_momentum_copy(online)
    with torch.no_grad():
        for p in online.parameters():
            p.add_(torch.randn_like(p))
        online[1].running_mean.fill_(5.0)
    before = {n: p.clone() for n, p in momentum.named_parameters()}
    m = 0.995
    ema_update(online, momentum, m)
    for name, p in online.named_parameters():
        expected = m * before[name] + (1 - m) * p.detach()
        assert torch.equal(dict(momentum.named_parameters())[name], expected)
    assert torch.equal(momentum[1].running_mean, online[1].running_mean)


def test_queue_starts_unit_columns_writes_at_pointer_and_wraps():
    queue = FeatureQueue(dim=3, size=6)
    assert queue.features.shape == (3, 6)
    assert torch.allclose(queue.features.norm(dim=0), torch.ones(6))
    assert queue.ptr.dtype == torch.long and queue.ptr.item() == 0
    initial = queue.features.clone()

    first = torch.arange(6.0).reshape(2, 3)
    queue.enqueue(first)
    assert torch.equal(queue.features[:, 0:2], first.T)
    assert torch.equal(queue.features[:, 2:], initial[:, 2:])
    assert queue.ptr.item() == 2

    queue.enqueue(first + 10)
    queue.enqueue(first + 20)
    assert queue.ptr.item() == 0
    queue.enqueue(first + 30)
    assert torch.equal(queue.features[:, 0:2], (first + 30).T)
    assert torch.equal(queue.features[:, 2:4], (first + 10).T)
    assert queue.ptr.item() == 2


def test_queue_rejects_batch_that_does_not_divide_size():
    queue = FeatureQueue(dim=3, size=6)
    with pytest.raises(AssertionError):
        queue.enqueue(torch.randn(4, 3))


def test_queue_state_travels_in_state_dict():
    queue = FeatureQueue(dim=3, size=4)
    assert set(queue.state_dict()) == {"features", "ptr"}


def test_temperature_init_and_clamp():
    temp = Temperature()
    assert temp().item() == pytest.approx(0.07)
    assert temp().requires_grad and temp().dim() == 0
    with torch.no_grad():
        temp.value.fill_(3.0)
    temp.clamp_()
    assert temp().item() == pytest.approx(0.5)
    with torch.no_grad():
        temp.value.fill_(-1.0)
    temp.clamp_()
    assert temp().item() == pytest.approx(0.001)


def test_all_gather_is_identity_without_process_group():
    x = torch.randn(2, 3)
    assert torch.equal(all_gather_features(x), x)


def test_distillation_alpha_ramps_over_first_epoch():
    assert distillation_alpha(0.4, 0, 0, 10) == 0.0
    assert distillation_alpha(0.4, 0, 5, 10) == pytest.approx(0.2)
    assert distillation_alpha(0.4, 2, 0, 10) == 0.4


# ---------------------------------------------------------------- DITC and IMC


def test_ditc_and_imc_equal_log_bank_size_for_uniform_features():
    batch, dim, size = 4, 8, 12
    same = F.normalize(torch.ones(dim), dim=0)
    g = same.expand(batch, dim)
    queue = same[:, None].expand(dim, size)
    expected = math.log(batch + size)
    assert ditc_loss(g, g, g, g, queue, queue, 0.07).item() == pytest.approx(expected, rel=1e-5)
    assert ditc_loss(g, g, g, g, queue, queue, 0.07, alpha=0.4).item() == pytest.approx(expected, rel=1e-5)
    assert imc_loss(g, g, g, g, queue, queue, 0.07).item() == pytest.approx(expected, rel=1e-5)


def test_ditc_with_alpha_zero_is_one_hot_cross_entropy():
    batch, dim, size = 4, 8, 12
    g_v, g_w, g_v_m, g_w_m = unit(batch, dim), unit(batch, dim), unit(batch, dim), unit(batch, dim)
    queue_img, queue_txt = F.normalize(torch.randn(dim, size), dim=0), F.normalize(torch.randn(dim, size), dim=0)
    temp = 0.1
    positives = torch.arange(batch)
    bank_img = torch.cat([g_v_m.T, queue_img], dim=1)
    bank_txt = torch.cat([g_w_m.T, queue_txt], dim=1)
    expected = 0.5 * (
        F.cross_entropy(g_v @ bank_txt / temp, positives) + F.cross_entropy(g_w @ bank_img / temp, positives)
    )
    loss = ditc_loss(g_v, g_w, g_v_m, g_w_m, queue_img, queue_txt, temp)
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    soft = ditc_loss(g_v, g_w, g_v_m, g_w_m, queue_img, queue_txt, temp, alpha=0.4)
    assert abs(soft.item() - loss.item()) > 1e-3


def test_imc_uses_own_modality_bank():
    batch, dim, size = 3, 8, 6
    g_v, g_w, g_v_m, g_w_m = unit(batch, dim), unit(batch, dim), unit(batch, dim), unit(batch, dim)
    queue_img, queue_txt = F.normalize(torch.randn(dim, size), dim=0), F.normalize(torch.randn(dim, size), dim=0)
    positives = torch.arange(batch)
    expected = 0.5 * (
        F.cross_entropy(g_v @ torch.cat([g_v_m.T, queue_img], 1) / 0.2, positives)
        + F.cross_entropy(g_w @ torch.cat([g_w_m.T, queue_txt], 1) / 0.2, positives)
    )
    assert imc_loss(g_v, g_w, g_v_m, g_w_m, queue_img, queue_txt, 0.2).item() == pytest.approx(
        expected.item(), rel=1e-6
    )


def test_contrastive_gradients_reach_online_features_and_temperature_only():
    batch, dim, size = 4, 8, 8
    g_v = unit(batch, dim).requires_grad_()
    g_w = unit(batch, dim).requires_grad_()
    g_v_m, g_w_m = unit(batch, dim), unit(batch, dim)
    queue = FeatureQueue(dim, size)
    temp = Temperature()
    loss = ditc_loss(g_v, g_w, g_v_m, g_w_m, queue.features, queue.features, temp(), alpha=0.4)
    loss = loss + imc_loss(g_v, g_w, g_v_m, g_w_m, queue.features, queue.features, temp())
    queue.enqueue(g_v_m)  # the step enqueues before backward; the loss must not see the write
    loss.backward()
    for grad in (g_v.grad, g_w.grad, temp.value.grad):
        assert grad is not None and torch.isfinite(grad).all()


# ---------------------------------------------------------------- GLITC


def test_pool_image_locals_adaptive_and_code_modes():
    patches = torch.arange(GRID * GRID, dtype=torch.float32).reshape(1, GRID * GRID, 1)
    grid_values = patches.reshape(GRID, GRID)
    adaptive = pool_image_locals(patches, GRID)
    assert adaptive.shape == (1, 9, 1)
    # adaptive pool on 14 → 3 uses windows [0,5), [4,10), [9,14)
    assert adaptive[0, 0, 0].item() == pytest.approx(grid_values[0:5, 0:5].mean().item())
    assert adaptive[0, 8, 0].item() == pytest.approx(grid_values[9:14, 9:14].mean().item())
    code = pool_image_locals(patches, GRID, mode="code")
    assert code[0, 8, 0].item() == pytest.approx(grid_values[8:13, 8:13].mean().item())
    with pytest.raises(ValueError):
        pool_image_locals(torch.zeros(1, 49, 1), 7, mode="code")


def test_pool_image_locals_does_not_renormalise():
    pooled = pool_image_locals(unit(2, 49, 16), 7)
    assert (pooled.norm(dim=-1) < 1.0).all()


def test_glitc_near_zero_for_self_aligned_orthogonal_locals():
    batch, dim, num_locals = 3, 8, 9
    globals_ = torch.eye(dim)[:batch]
    locals_ = globals_[:, None, :].expand(batch, num_locals, dim)
    mask = torch.ones(batch, num_locals, dtype=torch.bool)
    loss = glitc_loss(globals_, globals_, locals_, locals_, mask, temp=0.01)
    assert loss.item() < 1e-6


def test_glitc_equals_log_one_plus_negatives_for_identical_features():
    batch, dim = 3, 8
    same = F.normalize(torch.ones(dim), dim=0)
    g = same.expand(batch, dim)
    local_img = same.expand(batch, 9, dim)
    image_term = math.log(1 + (batch - 1) * 9)
    assert global_local_loss(g, local_img, None, 0.07).item() == pytest.approx(image_term, rel=1e-5)

    # 5 text locals per doc, the last 2 of every doc are padding → 3 valid each.
    local_txt = same.expand(batch, 5, dim)
    mask = torch.tensor([[1, 1, 1, 0, 0]] * batch)
    text_term = math.log(1 + (batch - 1) * 3)
    assert global_local_loss(g, local_txt, mask, 0.07).item() == pytest.approx(text_term, rel=1e-5)
    total = glitc_loss(g, g, local_img, local_txt, mask, 0.07)
    assert total.item() == pytest.approx(0.5 * (image_term + text_term), rel=1e-5)


def test_glitc_text_averages_valid_locals_per_document_first():
    dim = 4
    same = F.normalize(torch.ones(dim), dim=0)
    g = same.expand(2, dim)
    local_txt = same.expand(2, 4, dim)
    mask = torch.tensor([[1, 0, 0, 0], [1, 1, 1, 1]])
    # doc 0 sees 4 negatives, doc 1 sees 1; each doc's valid locals are averaged, then docs.
    expected = 0.5 * (math.log(1 + 4) + math.log(1 + 1))
    assert global_local_loss(g, local_txt, mask, 0.1).item() == pytest.approx(expected, rel=1e-5)


def test_glitc_single_document_is_zero_with_gradient():
    g = unit(1, 8).requires_grad_()
    loss = glitc_loss(g, g, unit(1, 9, 8), unit(1, 5, 8), torch.ones(1, 5), 0.07)
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert torch.isfinite(g.grad).all()


def test_glitc_gradient_reaches_globals_and_temperature_only():
    g_v, g_w = unit(3, 8).requires_grad_(), unit(3, 8).requires_grad_()
    local_img, local_txt = unit(3, 9, 8).requires_grad_(), unit(3, 6, 8).requires_grad_()
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 1], [1, 0, 0, 0, 0, 0]])
    temp = Temperature()
    glitc_loss(g_v, g_w, local_img, local_txt, mask, temp()).backward()
    assert torch.isfinite(g_v.grad).all() and g_v.grad.abs().sum() > 0
    assert torch.isfinite(g_w.grad).all() and temp.value.grad is not None
    assert local_img.grad is None and local_txt.grad is None


# ---------------------------------------------------------------- PITA assignment


def boxes(*rows):
    return torch.tensor([list(rows)])


def test_pita_assign_inside_rule():
    bbox = boxes(
        [0, 0, 0, 0],  # special token
        [10, 10, 60, 60],  # inside cell (0, 0)
        [80, 150, 120, 200],  # inside row 2, col 1 → 2·14 + 1
        [60, 10, 80, 60],  # crosses the col 0 / col 1 boundary at 71.43
        [990, 990, 1000, 1000],  # 1000 clips to cell 13
        [10, 10, 60, 60],  # padding
    )
    mask = torch.tensor([[1, 1, 1, 1, 1, 0]])
    assign = pita_assign(bbox, mask, GRID)
    assert assign.dtype == torch.long
    assert assign.tolist() == [[-1, 0, 29, -1, 195, -1]]


def test_pita_assign_uses_exact_cell_size_not_72():
    # x 72..142 lies in col 1 with exact 1000/14 cells (71.43..142.86) but spans two cells of width 72.
    assign = pita_assign(boxes([72, 0, 142, 10]), torch.ones(1, 1), GRID)
    assert assign.tolist() == [[1]]


def test_pita_assign_center_rule():
    bbox = boxes([60, 10, 100, 60], [0, 0, 0, 0], [900, 950, 1000, 1000])
    assign = pita_assign(bbox, torch.tensor([[1, 1, 1]]), GRID, rule="center")
    # centre (80, 35) → col 1, row 0;  centre (950, 975) → col 13, row 13
    assert assign.tolist() == [[1, -1, 195]]


def test_pita_assign_accepts_float_boxes_and_other_grids():
    bbox = boxes([0.0, 150.0, 100.0, 280.0])
    assert pita_assign(bbox, torch.ones(1, 1), 7).tolist() == [[7]]
    with pytest.raises(ValueError):
        pita_assign(bbox, torch.ones(1, 1), 7, rule="nearest")


# ---------------------------------------------------------------- PITA pooling and loss


def test_text_per_patch_equals_naive_mean():
    batch, length, dim, num_patches = 2, 10, 5, 6
    text = torch.randn(batch, length, dim)
    assign = torch.randint(-1, num_patches, (batch, length))
    means, counts = pita_text_per_patch(text, assign, num_patches)
    assert means.shape == (batch, num_patches, dim) and counts.shape == (batch, num_patches)
    for b in range(batch):
        for p in range(num_patches):
            members = text[b][assign[b] == p]
            assert counts[b, p].item() == len(members)
            expected = members.mean(0) if len(members) else torch.zeros(dim)
            assert torch.allclose(means[b, p], expected, atol=1e-6)


@pytest.mark.parametrize("variant", ["infonce", "dot_ce", "cosine"])
def test_pita_variants_are_finite_with_gradients(variant):
    batch, num_patches, length, dim = 2, 9, 7, 6
    patches = torch.randn(batch, num_patches, dim, requires_grad=True)
    text = torch.randn(batch, length, dim, requires_grad=True)
    assign = torch.tensor([[0, 0, 3, 4, -1, -1, -1], [8, 2, 2, 2, 5, 1, -1]])
    temp = Temperature()
    loss = pita_loss(patches, text, assign, temp(), variant=variant)
    assert torch.isfinite(loss)
    loss.backward()
    assert torch.isfinite(patches.grad).all() and patches.grad.abs().sum() > 0
    assert torch.isfinite(text.grad).all() and text.grad.abs().sum() > 0


@pytest.mark.parametrize("variant", ["infonce", "cosine"])
def test_pita_without_any_assigned_token_is_zero_with_gradient(variant):
    patches = torch.randn(2, 9, 6, requires_grad=True)
    text = torch.randn(2, 4, 6, requires_grad=True)
    loss = pita_loss(patches, text, torch.full((2, 4), -1), 0.07, variant=variant)
    assert loss.item() == 0.0 and loss.requires_grad
    loss.backward()
    assert torch.isfinite(patches.grad).all()


def test_pita_infonce_restricts_to_non_empty_patches():
    dim = 4
    patches = torch.eye(dim)[None].repeat(1, 2, 1)  # 8 patches, patch p = e_{p mod 4}
    text = torch.eye(dim)[None, :2]  # two tokens: e0, e1
    assign = torch.tensor([[0, 1]])  # only patches 0 and 1 are non-empty
    temp = 0.5
    # two candidates per row/column: own match at cosine 1, the other at cosine 0
    expected = math.log(1 + math.exp(-1 / temp))
    assert pita_loss(patches, text, assign, temp).item() == pytest.approx(expected, rel=1e-5)


def test_pita_cosine_is_negative_mean_cosine():
    patches = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]])
    text = torch.tensor([[[2.0, 0.0], [1.0, 1.0]]])
    assign = torch.tensor([[0, 1]])
    expected = -(1.0 + math.sqrt(0.5)) / 2
    assert pita_loss(patches, text, assign, None, variant="cosine").item() == pytest.approx(expected)


def test_pita_dot_ce_counts_every_patch_without_temperature():
    patches = torch.zeros(1, 4, 3)
    text = torch.randn(1, 2, 3)
    loss = pita_loss(patches, text, torch.tensor([[0, 1]]), None, variant="dot_ce")
    assert loss.item() == pytest.approx(math.log(4))


def test_pita_rejects_unknown_variant_and_missing_temperature():
    patches, text, assign = torch.randn(1, 4, 3), torch.randn(1, 2, 3), torch.tensor([[0, 1]])
    with pytest.raises(ValueError):
        pita_loss(patches, text, assign, 0.07, variant="mse")
    with pytest.raises(ValueError):
        pita_loss(patches, text, assign, None)
