import json

import pytest
import torch

from aetnet_trainer.train import epoch_batches, lr_factor, main


def log_lines(run):
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def test_run_writes_log_checkpoints_and_metrics(trained_run):
    lines = log_lines(trained_run)
    steps = [line for line in lines if line["event"] == "step"]
    assert [line["step"] for line in steps] == [1, 2, 3, 4]
    assert set(steps[0]["terms"]) == {"task", "ditc", "imc", "glitc", "pita", "total"}
    assert {"epoch", "totalSteps", "lr", "samplesPerSec", "etaSeconds"} <= set(steps[0])
    assert lines[-1]["event"] == "done" and any(line["event"] == "eval" for line in lines)
    for name in ("last.pt", "best.pt", "config.json", "metrics.json"):
        assert (trained_run / name).exists()
    assert "f1" in json.loads((trained_run / "metrics.json").read_text())


def test_few_steps_reduce_loss_on_tiny_overfit_set(prepared_dir, tmp_path):
    out = tmp_path / "overfit"
    args = ["--data", str(prepared_dir), "--config", "tiny", "--out", str(out), "--epochs", "8",
            "--loss-preset", "task-only", "--lr", "2e-3", "--plain"]
    assert main(args) == 0
    losses = [line["terms"]["task"] for line in log_lines(out) if line["event"] == "step"]
    assert sum(losses[-3:]) / 3 < 0.7 * sum(losses[:3]) / 3


def test_resume_continues_at_the_right_step(prepared_dir, tmp_path):
    common = ["--data", str(prepared_dir), "--config", "tiny", "--epochs", "2", "--seed", "3"]
    straight, resumed = tmp_path / "straight", tmp_path / "resumed"
    assert main([*common, "--out", str(straight)]) == 0
    assert main([*common, "--out", str(resumed), "--max-steps", "3"]) == 0
    assert torch.load(resumed / "last.pt", weights_only=False)["step"] == 3
    assert main([*common, "--out", str(resumed), "--resume"]) == 0
    steps = [line for line in log_lines(resumed) if line["event"] == "step"]
    assert [line["step"] for line in steps] == [1, 2, 3, 4]
    expected = [line for line in log_lines(straight) if line["event"] == "step"][-1]["terms"]
    assert steps[-1]["terms"] == pytest.approx(expected, rel=1e-4)


def test_invalid_queue_size_exits_before_training(prepared_dir, tmp_path, capsys):
    code = main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(tmp_path / "bad"), "--batch-size", "3"])
    assert code == 2
    assert "queue size 32 is not a multiple of the global batch size 3" in capsys.readouterr().err
    assert not (tmp_path / "bad" / "log.jsonl").exists()


def test_schedule_warms_up_then_decays_to_the_floor():
    factors = [lr_factor(step, 100, 5, 3e-4, 1e-5) for step in range(100)]
    assert factors[0] == pytest.approx(0.2) and factors[4] == pytest.approx(1.0)
    assert factors[5] == pytest.approx(1.0)
    assert factors[-1] * 3e-4 == pytest.approx(1e-5, rel=0.05)


def test_epoch_batches_are_full_and_sharded():
    rank0 = epoch_batches([5] * 10, 2, seed=0, epoch=0, rank=0, world=2)
    rank1 = epoch_batches([5] * 10, 2, seed=0, epoch=0, rank=1, world=2)
    assert all(len(batch) == 2 for batch in rank0 + rank1) and len(rank0) == len(rank1) == 2
    assert not set(sum(rank0, [])) & set(sum(rank1, []))


def test_length_grouped_batches_pad_less_and_still_cover_every_window_once():
    lengths = [int(n) for n in torch.randint(8, 512, (64,), generator=torch.Generator().manual_seed(0))]
    padded = lambda batches: sum(len(batch) * max(lengths[i] for i in batch) for batch in batches)
    plain = epoch_batches(lengths, 4, seed=1, epoch=0, rank=0, world=1)
    grouped = epoch_batches(lengths, 4, seed=1, epoch=0, rank=0, world=1, pool_batches=8)
    assert sorted(sum(grouped, [])) == sorted(sum(plain, [])) == list(range(64))
    assert padded(grouped) < 0.8 * padded(plain)
    assert grouped != epoch_batches(lengths, 4, seed=1, epoch=1, rank=0, world=1, pool_batches=8)


def test_validation_docs_select_on_held_out_training_documents(prepared_dir, tmp_path):
    from aetnet_trainer.data import PreparedDataset, carve_validation

    out = tmp_path / "validated"
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(out), "--epochs", "2",
                 "--validation-docs", "2", "--batch-size", "2"]) == 0
    evals = [line for line in log_lines(out) if line["event"] == "eval"]
    assert [line["epoch"] for line in evals] == [1, 2] and {line["split"] for line in evals} == {"validation"}
    train, validation = carve_validation(PreparedDataset(prepared_dir, "train", 32, True), 2, seed=42)
    assert {w["docId"] for w in train.windows}.isdisjoint({w["docId"] for w in validation.windows})
    assert len({w["docId"] for w in validation.windows}) == 2 and not validation.with_momentum_view
    assert evals[-1]["pages"] == 2
    done = log_lines(out)[-1]
    assert done["selectionSplit"] == "validation" and done["speed"]["trainWindows"] == len(train.windows)


def test_too_many_validation_docs_is_refused(prepared_dir, tmp_path, capsys):
    code = main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(tmp_path / "v"), "--validation-docs", "8"])
    assert code == 2
    assert "--validation-docs 8 must be between 1 and 7" in capsys.readouterr().err


def test_quick_schedule_trains_few_epochs_with_the_lower_fusion_frozen(prepared_dir, tmp_path):
    out = tmp_path / "quick"
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(out), "--schedule", "quick",
                 "--max-steps", "2"]) == 0
    state = torch.load(out / "last.pt", weights_only=False)
    assert state["config"]["train"]["schedule"] == "quick" and state["config"]["train"]["epochs"] == 6
    assert state["config"]["train"]["frozen_layers"] == 1  # half of tiny's 2 fusion layers
    start = tmp_path / "start"
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(start), "--max-steps", "0"]) == 0
    before, after = torch.load(start / "last.pt", weights_only=False)["model"], state["model"]
    frozen = [name for name in after if name.startswith(("fusion.embeddings.word_embeddings", "fusion.encoder.layer.0."))]
    moved = [name for name in after if name.startswith("fusion.encoder.layer.1.")]
    assert frozen and all(torch.equal(before[name], after[name]) for name in frozen)
    assert any(not torch.equal(before[name], after[name]) for name in moved)
