"""A classification head on a served bundle's pooled outputs (classify_head) and ask by key lookup (key_lookup):
the pooling the service also checks, the fit, the manifest they write, and bad input."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from aetnet_trainer import classify_head, key_lookup
from synthetic_dataset import write_synthetic_dataset

REPO = Path(__file__).resolve().parents[2]
GOLDEN = REPO / "test" / "fixtures" / "linear-head" / "golden.json"
TINY_PAIRS = REPO / "test" / "fixtures" / "pair-bundles" / "tiny-pairs"


def test_pooling_and_weights_give_the_golden_logits_the_service_also_checks():
    golden = json.loads(GOLDEN.read_text())
    assert len(golden["cases"]) >= 3
    for case in golden["cases"]:
        outputs = [np.asarray(output["data"], dtype=np.float32).reshape(-1, output["width"]) for output in case["outputs"]]
        features = classify_head.pool_window(outputs, case["wordIds"])
        logits = np.asarray(case["weight"]) @ features + np.asarray(case["bias"])
        assert np.allclose(logits, case["logits"], atol=1e-4)


def test_logistic_fit_folds_the_standardisation_into_weights_on_raw_features():
    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 20)
    features = rng.normal(size=(60, 4)) * [1, 100, 0.01, 5] + labels[:, None] * [3, 300, 0.03, 0]
    weight, bias = classify_head.fit_logistic(features, labels, 3, 1e-3)
    assert weight.shape == (3, 4) and bias.shape == (3,)
    assert ((features @ weight.T + bias).argmax(axis=1) == labels).mean() > 0.95


@pytest.fixture(scope="module")
def bundle_with_classify(tmp_path_factory):
    root = tmp_path_factory.mktemp("classify-head")
    bundle = root / "tiny-pairs"
    shutil.copytree(TINY_PAIRS, bundle)
    data = write_synthetic_dataset(root / "data", train_docs=16, test_docs=4, task="classify")
    code = classify_head.main(["--bundle", str(bundle), "--data", str(data), "--out", str(root / "run"),
                               "--validation-docs", "4", "--l2", "1e-3,1e-1", "--threads", "1", "--write"])
    assert code == 0
    return bundle, data, root / "run"


def test_the_head_goes_into_the_manifest_beside_the_extraction_head(bundle_with_classify):
    bundle, data, run = bundle_with_classify
    manifest = json.loads((bundle / "manifest.json").read_text())
    labels = json.loads((data / "dataset.json").read_text())["labels"]
    assert "task" not in manifest and "labels" not in manifest
    assert manifest["tasks"]["extract"]["outputs"] == {"logits": "logits"}
    head = manifest["tasks"]["classify"]
    assert head["labels"] == labels
    assert head["linear"]["from"] == ["pair_keys", "pair_values"] and head["linear"]["pooling"] == "mean-word-tokens"
    assert np.asarray(head["linear"]["weight"]).shape == (len(labels), 256)
    assert len(head["linear"]["bias"]) == len(labels)
    assert manifest["metrics"]["classify"]["l2"] in (1e-3, 1e-1)
    # The features are cached in the run: a second run reads them back and refits the same head.
    assert (run / "features.npz").is_file()
    first = json.loads((run / "head.json").read_text())
    assert classify_head.main(["--bundle", str(bundle), "--data", str(data), "--out", str(run), "--validation-docs", "4",
                               "--l2", "1e-3,1e-1", "--threads", "1"]) == 0
    assert np.allclose(json.loads((run / "head.json").read_text())["weight"], first["weight"])


def test_key_lookup_declares_ask_on_a_bundle_with_the_key_value_head(bundle_with_classify, tmp_path):
    bundle, _, _ = bundle_with_classify
    assert key_lookup.main(["--bundle", str(bundle), "--min-key-similarity", "0.6"]) == 0
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["tasks"]["ask"] == {"labels": [], "keyLookup": {"minKeySimilarity": 0.6}}
    assert set(manifest["tasks"]) == {"extract", "classify", "ask"}
    assert key_lookup.main(["--bundle", str(bundle), "--min-key-similarity", "1.5"]) == 2
    without = tmp_path / "no-pairs"
    shutil.copytree(TINY_PAIRS, without)
    stripped = json.loads((without / "manifest.json").read_text())
    del stripped["pairs"]
    (without / "manifest.json").write_text(json.dumps(stripped))
    assert key_lookup.main(["--bundle", str(without), "--min-key-similarity", "0.6"]) == 2


def test_bad_input_is_refused_with_a_configuration_error(bundle_with_classify, tmp_path, capsys):
    bundle, _, _ = bundle_with_classify
    extract_data = write_synthetic_dataset(tmp_path / "extract", train_docs=6, test_docs=2)
    assert classify_head.main(["--bundle", str(bundle), "--data", str(extract_data), "--out", str(tmp_path / "run")]) == 2
    assert "not classify" in capsys.readouterr().err
    classify_data = write_synthetic_dataset(tmp_path / "classify", train_docs=6, test_docs=2, task="classify")
    assert classify_head.main(["--bundle", str(bundle), "--data", str(classify_data), "--out", str(tmp_path / "run"),
                               "--validation-docs", "6"]) == 2
    assert "--validation-docs" in capsys.readouterr().err
    assert classify_head.main(["--bundle", str(bundle), "--data", str(classify_data), "--out", str(tmp_path / "run2"),
                               "--validation-docs", "2", "--features", "hidden_states"]) == 2
    assert "does not output hidden_states" in capsys.readouterr().err
