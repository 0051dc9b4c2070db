"""The joint model: one fusion, three heads, task-sampled batches from several prepared datasets."""

import json

import pytest
import torch

from aetnet_trainer.data import PreparedDataset, collate, joint_metadata, parse_data_spec, read_metadata
from aetnet_trainer.train import epoch_batches, joint_batches, main


def test_data_specs_name_a_task_and_repeats(tmp_path):
    assert parse_data_spec("data/x").task is None
    spec = parse_data_spec("ask=data/funsd-qa@0.25")
    assert (spec.task, str(spec.path), spec.weight, spec.name) == ("ask", "data/funsd-qa", 0.25, "ask:funsd-qa")
    assert parse_data_spec("extract=data/funsd").weight == 1.0
    with pytest.raises(ValueError, match="not one of"):
        parse_data_spec("vqa=data/x")
    for weight in ("0", "-1", "two"):
        with pytest.raises(ValueError, match="weight"):
            parse_data_spec(f"ask=data/x@{weight}")


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


def test_joint_batches_take_each_parts_weight_of_its_batches():
    lengths_a, lengths_b = [10 + i % 7 for i in range(40)], [5] * 16
    assert joint_batches([(lengths_a, 1.0)], 4, 42, 3, 0, 1, 4) == epoch_batches(lengths_a, 4, 42, 3, 0, 1, 4)
    epoch0 = joint_batches([(lengths_a, 0.5), (lengths_b, 2.0)], 4, 42, 0, 0, 1)
    from_a = [batch for batch in epoch0 if batch[0] < 40]
    from_b = [batch for batch in epoch0 if batch[0] >= 40]
    assert len(from_a) == 5 and len(from_b) == 8 and all(all(i >= 40 for i in batch) for batch in from_b)
    assert sorted(i for batch in from_b for i in batch) == sorted(list(range(40, 56)) * 2)
    epoch1 = joint_batches([(lengths_a, 0.5), (lengths_b, 2.0)], 4, 42, 1, 0, 1)
    seen = lambda batches: {i for batch in batches if batch[0] < 40 for i in batch}
    assert seen(epoch0) != seen(epoch1), "a half share sees other windows in the next epoch"


@pytest.fixture(scope="module")
def joint_run(prepared_dir, classify_dir, ask_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("joint-run")
    assert main(["--data", f"extract={prepared_dir}", "--data", f"classify={classify_dir}", "--data", f"ask={ask_dir}",
                 "--config", "tiny", "--out", str(out), "--epochs", "1", "--validation-docs", "2"]) == 0
    return out


def test_joint_export_is_one_split_bundle_with_a_head_per_task(joint_run, prepared_dir, classify_dir, tmp_path):
    import onnx

    from aetnet_trainer.checkpoint import load_checkpoint_model
    from aetnet_trainer.export import export_bundle, run_bundle_graphs, sample_inputs

    bundle = tmp_path / "joint-bundle"
    manifest = export_bundle(joint_run / "best.pt", bundle, "tiny-joint")
    extract_labels, classify_labels = (read_metadata(path)["labels"] for path in (prepared_dir, classify_dir))
    assert "task" not in manifest and "labels" not in manifest
    assert manifest["tasks"] == {
        "extract": {"labels": extract_labels, "outputs": {"logits": "token_logits"}},
        "ask": {"outputs": {"start_logits": "start_logits", "end_logits": "end_logits"}, "maxQuestionTokens": 64, "maxAnswerTokens": 30},
        "classify": {"labels": classify_labels, "outputs": {"logits": "class_logits"}},
    }
    assert manifest["onnx"]["imageEncoderFile"] == "image_encoder.onnx" and manifest["parity"]["maxAbsDiff"] <= 1e-4
    graph = onnx.load(str(bundle / "model.onnx")).graph
    assert [output.name for output in graph.output] == ["token_logits", "start_logits", "end_logits", "class_logits"]
    model, _ = load_checkpoint_model(joint_run / "best.pt")
    inputs = {name: value.numpy() for name, value in sample_inputs(model, 2, 12, 3).items()}
    token, start, end, classes = run_bundle_graphs(bundle, inputs, "joint")
    assert token.shape == (2, 12, len(extract_labels)) and start.shape == end.shape == (2, 12)
    assert classes.shape == (2, len(classify_labels))
    card = (bundle / "MODEL_CARD.md").read_text()
    assert "one backbone, 3 heads" in card and f"classify labels: {', '.join(classify_labels)}" in card


def test_joint_int8_gates_each_head_on_its_own_validation_split(joint_run, tmp_path, monkeypatch):
    from aetnet_trainer import quantize
    from aetnet_trainer.export import export_bundle

    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 0.0)  # a 1-epoch tiny model's argmax flips under int8 noise
    monkeypatch.setattr(quantize, "MAX_METRIC_DROP", 1.0)
    manifest = export_bundle(joint_run / "best.pt", tmp_path / "int8", "tiny-joint", int8=True)
    parts = manifest["quantization"]["parts"]
    assert {name.split(":")[0]: part["metric"] for name, part in parts.items()} == {"extract": "f1", "classify": "accuracy", "ask": "anls"}
    assert all(part["windows"] > 0 and part["positions"] > 0 for part in parts.values())
    assert "gated on the validation split" in (tmp_path / "int8" / "MODEL_CARD.md").read_text()
    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 1.01)
    with pytest.raises(quantize.QuantizationGateError):
        export_bundle(joint_run / "best.pt", tmp_path / "refused", "tiny-joint", int8=True)
    assert not (tmp_path / "refused").exists()


def test_a_joint_bundle_can_serve_some_of_its_heads_gating_only_those(joint_run, tmp_path, monkeypatch):
    from aetnet_trainer import quantize
    from aetnet_trainer.export import export_bundle

    monkeypatch.setattr(quantize, "MIN_AGREEMENT", 0.0)
    monkeypatch.setattr(quantize, "MAX_METRIC_DROP", 1.0)
    manifest = export_bundle(joint_run / "best.pt", tmp_path / "two", "tiny-joint", int8=True, tasks=["ask", "classify"])
    assert sorted(manifest["tasks"]) == ["ask", "classify"]
    assert sorted(name.split(":")[0] for name in manifest["quantization"]["parts"]) == ["ask", "classify"]
    with pytest.raises(ValueError, match="serves only the tasks it trained"):
        export_bundle(joint_run / "best.pt", tmp_path / "bad", "tiny-joint", tasks=["summarise"])


def test_a_joint_run_can_start_from_an_extraction_checkpoint(trained_run, prepared_dir, classify_dir, ask_dir, tmp_path):
    from aetnet_trainer.checkpoint import load_checkpoint_model
    from aetnet_trainer.pretrained import load_run_checkpoint

    extract_model, extract_state = load_checkpoint_model(trained_run / "best.pt")
    out = tmp_path / "joint-from-extract"
    args = ["--data", f"extract={prepared_dir}", "--data", f"classify={classify_dir}", "--data", f"ask={ask_dir}",
            "--config", "tiny", "--out", str(out), "--epochs", "1", "--max-steps", "1",
            "--init-checkpoint", str(trained_run / "best.pt")]
    assert main(args) == 0
    state = torch.load(out / "last.pt", weights_only=False)
    assert state["config"]["train"]["init_checkpoint"] == str(trained_run / "best.pt")

    import json as json_module
    from aetnet_trainer.config import RunConfig
    from aetnet_trainer.modeling import build_task_model

    joint = build_task_model(RunConfig.from_dict(state["config"]), {})
    vocabulary = json_module.loads(extract_state["tokenizerJson"])["model"]["vocab"]
    loaded = load_run_checkpoint(joint, trained_run / "best.pt", vocabulary)
    assert "head.extract.classifier.1.weight" in loaded and not any(name.startswith("head.classify.") for name in loaded)
    assert torch.equal(joint.head.extract.classifier[1].weight, extract_model.head.classifier[1].weight)
    assert torch.equal(joint.fusion.embeddings.word_embeddings.weight, extract_model.fusion.embeddings.word_embeddings.weight)
    with pytest.raises(ValueError, match="another vocabulary"):
        load_run_checkpoint(joint, trained_run / "best.pt", {"a": 0})
