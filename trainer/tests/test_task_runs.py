"""classify and ask end to end on synthetic data: reading, training, evaluation, best.pt selection, export parity."""

import json

import numpy as np
import onnx
import torch

from aetnet_trainer.checkpoint import load_checkpoint_model
from aetnet_trainer.data import PreparedDataset, collate
from aetnet_trainer.export import SPLIT_INPUT_NAMES, export_bundle, run_bundle_graphs, sample_inputs


def log_lines(run):
    return [json.loads(line) for line in (run / "log.jsonl").read_text().splitlines()]


def test_classify_and_ask_batches(classify_dir, ask_dir):
    classify = PreparedDataset(classify_dir, "train", 112, with_momentum_view=False)
    batch = collate([classify[0], classify[1]], pad_id=0)
    assert batch["labels"].shape == (2,) and batch["labels"].tolist() == [w["classLabel"] for w in classify.windows[:2]]
    ask = PreparedDataset(ask_dir, "train", 112, with_momentum_view=False)
    batch = collate([ask[0], ask[1]], pad_id=0)
    assert "labels" not in batch and batch["start_positions"].shape == batch["end_positions"].shape == (2,)
    window = next(w for w in ask.windows if w["startPosition"] > 0)
    answer_words = window["wordIds"][window["startPosition"]:window["endPosition"] + 1]
    assert " ".join(window["words"][i] for i in dict.fromkeys(answer_words)) == window["answers"][0]


def test_classify_run_selects_by_accuracy(classify_run):
    metrics = json.loads((classify_run / "metrics.json").read_text())
    assert {"accuracy", "perLabel", "confusion", "documents"} <= set(metrics) and metrics["documents"] == 6
    done = log_lines(classify_run)[-1]
    assert done["event"] == "done" and done["selectionMetric"] == "accuracy"
    assert done["bestScore"] == metrics["accuracy"]


def test_ask_run_reports_anls_and_exact_match(ask_run):
    metrics = json.loads((ask_run / "metrics.json").read_text())
    assert {"anls", "exactMatch", "questions", "answered"} <= set(metrics)
    assert 0.0 <= metrics["anls"] <= 1.0 and metrics["questions"] > 0
    assert log_lines(ask_run)[-1]["selectionMetric"] == "anls"
    steps = [line for line in log_lines(ask_run) if line["event"] == "step"]
    assert set(steps[0]["terms"]) == {"task", "ditc", "imc", "glitc", "pita", "total"}


def test_few_steps_reduce_classify_and_ask_loss(classify_dir, ask_dir):
    """Overfits one fixed batch of 4 windows per task (dropout off, so 10 steps suffice)."""
    from aetnet_trainer.config import preset, resolve_loss_weights
    from aetnet_trainer.data import read_metadata
    from aetnet_trainer.modeling import build_task_model

    for data in (classify_dir, ask_dir):
        meta = read_metadata(data)
        config = preset("tiny")
        config.plain, config.model.task, config.model.num_labels = True, meta["task"], len(meta["labels"])
        torch.manual_seed(0)
        model = build_task_model(config, resolve_loss_weights("task-only", {})).eval()
        dataset = PreparedDataset(data, "train", 112, with_momentum_view=False)
        batch = collate([dataset[i] for i in range(4)], pad_id=0)
        batch = {name: value for name, value in batch.items() if isinstance(value, torch.Tensor)}
        optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
        losses = []
        for _ in range(10):
            loss = model(batch).loss
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(float(loss.detach()))
        assert losses[-1] < 0.6 * losses[0], (meta["task"], losses)


def check_parity(bundle, checkpoint, task, lengths=(9, 40)):
    model, _ = load_checkpoint_model(checkpoint)
    inference = model.inference_model().eval()
    for length in lengths:
        inputs = sample_inputs(model, 2, length, seed=7)
        with torch.no_grad():
            expected = inference(inputs["input_ids"], inputs["attention_mask"], inputs["bbox"], inputs["pixel_values"])
        expected = expected if isinstance(expected, tuple) else (expected,)
        actual = run_bundle_graphs(bundle, {name: tensor.numpy() for name, tensor in inputs.items()}, task)
        for got, want in zip(actual, expected, strict=True):
            assert got.shape == tuple(want.shape) and np.abs(got - want.numpy()).max() <= 1e-4


def test_classify_export(classify_run, tmp_path):
    bundle = tmp_path / "classify"
    manifest = export_bundle(classify_run / "best.pt", bundle, data_licence="synthetic, CC0")
    assert sorted(p.name for p in bundle.iterdir()) == ["MODEL_CARD.md", "manifest.json", "model.onnx", "tokenizer.json"]
    assert manifest["task"] == "classify" and manifest["labels"] == ["invoice", "letter", "memo"]
    assert manifest["outputs"] == {"logits": {"dtype": "float32", "shape": ["batch", 3]}}
    assert "imageEncoderFile" not in manifest["onnx"] and "pixel_values" in manifest["inputs"]
    assert manifest["parity"]["maxAbsDiff"] <= 1e-4
    check_parity(bundle, classify_run / "best.pt", "classify")
    card = (bundle / "MODEL_CARD.md").read_text()
    assert "synthetic, CC0" in card and "accuracy" in card and "Apache-2.0" in card


def test_ask_export_splits_the_image_encoder(ask_run, tmp_path):
    bundle = tmp_path / "ask"
    manifest = export_bundle(ask_run / "best.pt", bundle)
    assert (bundle / "image_encoder.onnx").exists() and manifest["onnx"]["imageEncoderFile"] == "image_encoder.onnx"
    assert list(manifest["outputs"]) == ["start_logits", "end_logits"]
    assert manifest["outputs"]["start_logits"]["shape"] == ["batch", "sequence"]
    assert manifest["maxQuestionTokens"] == 64 and manifest["maxAnswerTokens"] == 30
    assert manifest["inputs"]["image_embeddings"]["shape"] == ["batch", 1 + 7 * 7, 64]
    assert manifest["imageEncoder"]["outputs"]["image_embeddings"]["shape"] == ["batch", 50, 64]
    graph = onnx.load(str(bundle / "model.onnx")).graph
    assert [i.name for i in graph.input] == list(SPLIT_INPUT_NAMES)
    assert [o.name for o in graph.output] == ["start_logits", "end_logits"]
    check_parity(bundle, ask_run / "best.pt", "ask")


def test_extract_export_can_split_and_ask_can_stay_whole(trained_run, ask_run, tmp_path):
    extract = export_bundle(trained_run / "best.pt", tmp_path / "extract", split_image_encoder=True)
    assert extract["onnx"]["imageEncoderFile"] == "image_encoder.onnx"
    check_parity(tmp_path / "extract", trained_run / "best.pt", "extract")
    whole = export_bundle(ask_run / "best.pt", tmp_path / "ask-whole", split_image_encoder=False)
    assert "imageEncoderFile" not in whole["onnx"] and not (tmp_path / "ask-whole" / "image_encoder.onnx").exists()
    check_parity(tmp_path / "ask-whole", ask_run / "best.pt", "ask")
