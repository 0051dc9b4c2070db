"""The joint model: one fusion, three heads, task-sampled batches from several prepared datasets."""

import json

import pytest
import torch

from aetnet_trainer.data import PreparedDataset, collate, joint_metadata, parse_data_spec, read_metadata
from aetnet_trainer.train import main


def test_data_specs_name_a_task_and_repeats(tmp_path):
    assert parse_data_spec("data/x").task is None
    spec = parse_data_spec("ask=data/funsd-qa@3")
    assert (spec.task, str(spec.path), spec.repeats, spec.name) == ("ask", "data/funsd-qa", 3, "ask:funsd-qa")
    with pytest.raises(ValueError, match="not one of"):
        parse_data_spec("vqa=data/x")
    with pytest.raises(ValueError, match="repeats"):
        parse_data_spec("ask=data/x@0")


def test_joint_metadata_refuses_mismatched_parts(prepared_dir, classify_dir, ask_dir):
    specs = [parse_data_spec(f"extract={prepared_dir}"), parse_data_spec(f"classify={classify_dir}"), parse_data_spec(f"ask={ask_dir}")]
    metas = [read_metadata(spec.path) for spec in specs]
    tokenizers = [(spec.path / meta["tokenizer"]).read_text() for spec, meta in zip(specs, metas)]
    meta = joint_metadata(specs, metas, tokenizers)
    assert meta["task"] == "joint" and meta["labels"]["extract"] == metas[0]["labels"]
    assert meta["labels"]["classify"] == metas[1]["labels"] and [part["name"] for part in meta["parts"]] == [s.name for s in specs]
    with pytest.raises(ValueError, match="prepared for task 'extract'"):
        joint_metadata([parse_data_spec(f"ask={prepared_dir}")], metas[:1], tokenizers[:1])
    with pytest.raises(ValueError, match="one extract dataset"):
        joint_metadata(specs[:1] * 2, metas[:1] * 2, tokenizers[:1] * 2)
    with pytest.raises(ValueError, match="another tokenizer"):
        joint_metadata(specs[:2], metas[:2], [tokenizers[0], tokenizers[0] + " "])


def test_a_batch_holds_one_task(prepared_dir, classify_dir):
    extract = PreparedDataset(prepared_dir, "train", 112, with_momentum_view=False)
    classify = PreparedDataset(classify_dir, "train", 112, with_momentum_view=False)
    assert collate([extract[0], extract[1]], pad_id=0)["task"] == "extract"
    with pytest.raises(ValueError, match="one task"):
        collate([extract[0], classify[0]], pad_id=0)


def test_joint_run_trains_every_head_and_selects_on_each_validation_split(prepared_dir, classify_dir, ask_dir, tmp_path):
    out = tmp_path / "joint"
    code = main(["--data", f"extract={prepared_dir}@2", "--data", f"classify={classify_dir}", "--data", f"ask={ask_dir}",
                 "--config", "tiny", "--out", str(out), "--epochs", "1", "--validation-docs", "2"])
    assert code == 0
    lines = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    steps = [line for line in lines if line["event"] == "step"]
    assert {line["task"] for line in steps} == {"extract", "classify", "ask"}
    assert all(line["terms"]["task"] > 0 for line in steps)
    metrics = json.loads((out / "metrics.json").read_text())
    names = [f"extract:{prepared_dir.name}", f"classify:{classify_dir.name}", f"ask:{ask_dir.name}"]
    assert set(metrics["scores"]) == set(names)
    assert metrics["score"] == pytest.approx(sum(metrics["scores"].values()) / 3)
    assert {"f1", "accuracy", "anls"} <= {key for part in metrics["parts"].values() for key in part}
    done = lines[-1]
    assert done["selectionMetric"] == "score" and done["selectionSplit"] == "validation"
    state = torch.load(out / "best.pt", weights_only=False)
    assert state["config"]["model"]["task"] == "joint"
    assert state["config"]["model"]["head_labels"] == {"extract": len(read_metadata(prepared_dir)["labels"]),
                                                       "classify": len(read_metadata(classify_dir)["labels"])}
    assert {key.split(".")[1] for key in state["model"] if key.startswith("head.")} == {"extract", "ask", "classify"}


def test_several_data_need_a_task_each(prepared_dir, classify_dir, tmp_path, capsys):
    assert main(["--data", str(prepared_dir), "--data", f"classify={classify_dir}", "--config", "tiny", "--out", str(tmp_path / "x")]) == 2
    assert "TASK=DIR" in capsys.readouterr().err
