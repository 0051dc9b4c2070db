import json
import shutil

import numpy as np
import onnxruntime
import pytest
import torch

from aetnet_trainer.bundle_weights import BundleWeightsError, load_bundle_weights, read_bundle_weights
from aetnet_trainer.fusion import relative_position_bucket
from aetnet_trainer.checkpoint import load_checkpoint_model
from aetnet_trainer.export import INPUT_NAMES, export_bundle, sample_inputs
from aetnet_trainer.quantize import quantize_file
from aetnet_trainer.train import main
from conftest import train_tiny

INFERENCE = ("fusion.", "image_encoder.", "text_encoder.", "head.")


@pytest.fixture(scope="module")
def base_bundle(trained_run, tmp_path_factory):
    bundle = tmp_path_factory.mktemp("base") / "bundle"
    export_bundle(trained_run / "best.pt", bundle, bundle_id="base-tiny")
    return bundle


def reached(name, model, value):
    """A relative-position Linear's columns for the buckets a distance within ±max reaches (the only ones the fused
    model reads, so the only ones a bundle holds); any other parameter whole."""
    config = model.fusion.config
    kinds = {"rel_pos_bias": (config.rel_pos_bins, config.max_rel_pos),
             "rel_pos_x_bias": (config.rel_2d_pos_bins, config.max_rel_2d_pos),
             "rel_pos_y_bias": (config.rel_2d_pos_bins, config.max_rel_2d_pos)}
    if name.split(".")[-2] not in kinds:
        return value
    buckets, distance = kinds[name.split(".")[-2]]
    return value[:, sorted(set(relative_position_bucket(torch.arange(-distance, distance + 1), buckets, distance).tolist()))]


def inference_parameters(model):
    return {name: reached(name, model, value.detach().numpy()) for name, value in model.named_parameters()
            if name.startswith(INFERENCE)}


def logits(bundle, inputs):
    session = onnxruntime.InferenceSession(str(bundle / "model.onnx"), providers=["CPUExecutionProvider"])
    return session.run(["logits"], {name: tensor.numpy() for name, tensor in inputs.items()})[0]


def test_every_inference_weight_reads_back_from_the_onnx(trained_run, base_bundle):
    model, _ = load_checkpoint_model(trained_run / "best.pt")
    weights, manifest = read_bundle_weights(base_bundle, model.fusion.config)
    assert manifest["id"] == "base-tiny"
    expected = inference_parameters(model)
    assert sorted(name for name in expected if name not in weights) == []
    for name, value in expected.items():
        assert np.abs(reached(name, model, weights[name].numpy()) - value).max() <= 1e-6, name


def test_a_split_bundle_reads_back_too(trained_run, tmp_path):
    """Split bundles (image_encoder.onnx + model.onnx: ask and joint) name their weights under `inference.`."""
    bundle = tmp_path / "split"
    export_bundle(trained_run / "best.pt", bundle, bundle_id="split-tiny", split_image_encoder=True)
    model, _ = load_checkpoint_model(trained_run / "best.pt")
    weights, _ = read_bundle_weights(bundle, model.fusion.config)
    expected = inference_parameters(model)
    assert sorted(name for name in expected if name not in weights) == []
    for name, value in expected.items():
        assert np.abs(reached(name, model, weights[name].numpy()) - value).max() <= 1e-6, name


def test_int8_weights_read_back_within_one_quantisation_step(trained_run, base_bundle, tmp_path):
    int8 = tmp_path / "int8"
    shutil.copytree(base_bundle, int8)
    quantize_file(base_bundle / "model.onnx", int8 / "model.onnx")
    model, _ = load_checkpoint_model(trained_run / "best.pt")
    weights, _ = read_bundle_weights(int8, model.fusion.config)
    for name, value in inference_parameters(model).items():
        step = np.abs(value).max() / 127 + 1e-6  # one int8 step of the coarsest block or row
        assert np.abs(reached(name, model, weights[name].numpy()) - value).max() <= step, name


def test_a_zero_step_warm_start_serves_like_its_base(prepared_dir, base_bundle, tmp_path):
    run = tmp_path / "warm"
    train_tiny(prepared_dir, run, "--init-bundle", str(base_bundle), "--max-steps", "0")
    assert json.loads((run / "config.json").read_text())["train"]["init_bundle"] == str(base_bundle)
    warm = tmp_path / "warm-bundle"
    export_bundle(run / "last.pt", warm)
    model, _ = load_checkpoint_model(run / "last.pt")
    for length in (9, 40):
        inputs = sample_inputs(model, 2, length, seed=3)
        assert np.abs(logits(warm, inputs) - logits(base_bundle, inputs)).max() <= 1e-4
    assert set(INPUT_NAMES) <= set(inputs)


def warm_start_from(prepared_dir, base_bundle, bundle, edit_manifest, run):
    """A copy of the base bundle with its manifest edited, a zero-step warm start from it, and for the started model
    whether each of its inference parameters equals the bundle's (name → bool), and the model."""
    shutil.copytree(base_bundle, bundle)
    manifest = json.loads((bundle / "manifest.json").read_text())
    (bundle / "manifest.json").write_text(json.dumps(edit_manifest(manifest)))
    train_tiny(prepared_dir, run, "--init-bundle", str(bundle), "--max-steps", "0")
    model, _ = load_checkpoint_model(run / "last.pt")
    weights, _ = read_bundle_weights(bundle, model.fusion.config)
    ours = inference_parameters(model)
    return {name: np.array_equal(value, reached(name, model, weights[name].numpy())) for name, value in ours.items()}, model


def test_other_labels_get_a_new_head_and_another_vocabulary_is_refused(prepared_dir, base_bundle, tmp_path):
    relabelled = tmp_path / "relabelled"
    same, model = warm_start_from(prepared_dir, base_bundle, relabelled,
                                  lambda manifest: {**manifest, "labels": [f"{label}-X" for label in manifest["labels"]]},
                                  tmp_path / "new-head")
    assert all(kept for name, kept in same.items() if not name.startswith("head."))
    assert not all(kept for name, kept in same.items() if name.startswith("head."))

    tokenizer = json.loads((relabelled / "tokenizer.json").read_text())
    tokenizer["model"]["vocab"] = {"[UNK]": 0}
    (relabelled / "tokenizer.json").write_text(json.dumps(tokenizer))
    assert main(["--data", str(prepared_dir), "--config", "tiny", "--out", str(tmp_path / "refused"),
                 "--init-bundle", str(relabelled), "--max-steps", "0"]) == 2
    with pytest.raises(BundleWeightsError, match="another vocabulary"):
        load_bundle_weights(model, relabelled, {"x": 1}, [])


def test_a_tasks_manifest_over_a_single_task_graph_keeps_its_head(prepared_dir, base_bundle, tmp_path):
    """A bundle whose manifest lists heads the service computes (classify_head, key_lookup) beside its graph's own."""
    def as_tasks(manifest):
        rest = {key: value for key, value in manifest.items() if key not in ("task", "labels")}
        return {**rest, "tasks": {"extract": {"labels": manifest["labels"], "outputs": {"logits": "logits"}},
                                  "ask": {"labels": [], "keyLookup": {"minKeySimilarity": 0.6}}}}

    same, _ = warm_start_from(prepared_dir, base_bundle, tmp_path / "shared", as_tasks, tmp_path / "warm-shared")
    heads = [name for name in same if name.startswith("head.")]
    assert heads and all(same[name] for name in heads)
