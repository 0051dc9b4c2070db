import json

import numpy as np
import onnx
import onnxruntime
import pytest

from aetnet_trainer.checkpoint import load_checkpoint_model
from aetnet_trainer.export import (FP16_STORAGE_TOLERANCE, INPUT_NAMES, export_bundle, parity_lengths,
                                   sample_inputs, served_values)


def run_bundle(bundle, inputs):
    session = onnxruntime.InferenceSession(str(bundle / "model.onnx"), providers=["CPUExecutionProvider"])
    return session.run(["logits"], {name: tensor.numpy() for name, tensor in inputs.items()})[0]


def test_export_parity_at_two_lengths_and_manifest(trained_run, prepared_dir, tmp_path):
    bundle = tmp_path / "bundle"
    manifest = export_bundle(trained_run / "best.pt", bundle, bundle_id="test-tiny")
    assert sorted(path.name for path in bundle.iterdir()) == ["MODEL_CARD.md", "manifest.json", "model.onnx", "tokenizer.json"]
    assert json.loads((bundle / "manifest.json").read_text()) == manifest
    assert manifest["parity"]["maxAbsDiff"] <= 1e-4
    assert manifest["outputs"]["logits"]["shape"] == ["batch", "sequence", 7]
    assert manifest["inputs"]["pixel_values"]["shape"] == ["batch", 3, 112, 112]
    assert (bundle / "tokenizer.json").read_text() == (prepared_dir / "tokenizer.json").read_text()
    graph = onnx.load(str(bundle / "model.onnx")).graph
    assert [i.name for i in graph.input] == list(INPUT_NAMES) and [o.name for o in graph.output] == ["logits"]

    model, _ = load_checkpoint_model(trained_run / "best.pt")
    inference = model.inference_model().eval()
    for length in (9, 40):
        inputs = sample_inputs(model, 2, length, seed=7)
        expected = inference(*(inputs[name] for name in INPUT_NAMES)).detach().numpy()
        assert np.abs(run_bundle(bundle, inputs) - expected).max() <= 1e-4


def test_fp16_storage_halves_the_file_within_tolerance(trained_run, tmp_path):
    full = tmp_path / "full"
    export_bundle(trained_run / "best.pt", full)
    half = tmp_path / "half"
    manifest = export_bundle(trained_run / "best.pt", half, fp16_storage=True)
    assert manifest["parity"]["tolerance"] == FP16_STORAGE_TOLERANCE
    assert manifest["parity"]["maxAbsDiff"] <= FP16_STORAGE_TOLERANCE
    assert (half / "model.onnx").stat().st_size < 0.6 * (full / "model.onnx").stat().st_size


def test_failed_parity_writes_nothing(trained_run, tmp_path, monkeypatch):
    from aetnet_trainer import export

    monkeypatch.setattr(export, "max_parity_diff", lambda *args: 1.0)
    with pytest.raises(export.ParityError):
        export_bundle(trained_run / "best.pt", tmp_path / "refused")
    assert list(tmp_path.iterdir()) == []


def test_parity_compares_real_tokens_only():
    mask = np.array([[1, 1, 1], [1, 0, 0]])
    token_logits = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    assert served_values(token_logits, mask, per_window=False).shape == (4, 3)
    assert served_values(token_logits[..., 0], mask, per_window=False).tolist() == [0, 3, 6, 9]  # start/end [batch, L]
    class_logits = np.ones((2, 3), dtype=np.float32)  # classify: [batch, labels], even when labels == L
    assert served_values(class_logits, mask, per_window=True).shape == (2, 3)


def test_parity_lengths_span_the_window():
    assert parity_lengths(512) == [16, 128, 256, 512]
    assert parity_lengths(64) == [16, 32, 64]
    assert parity_lengths(8) == [2, 4, 8]
