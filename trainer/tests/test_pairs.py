"""The key-value head: targets read from windows, the loss, training, export with parity and the int8 gate."""
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from aetnet_trainer.data import collate, window_pairs
from aetnet_trainer.modeling import KeyValueHead, pair_geometry, pair_loss, pair_scores
from conftest import train_tiny
from synthetic_dataset import write_synthetic_dataset


def test_window_pairs_keep_entities_wholly_inside_and_point_each_value_at_its_key():
    window = {
        "inputIds": [101, 7, 8, 9, 10, 11, 102],
        "wordIds": [-1, 0, 1, 1, 2, 3, -1],  # word 1 has two sub-tokens; word 4 lies in another window
        "pairEntities": [
            {"label": "QUESTION", "firstWord": 0, "lastWord": 1},
            {"label": "ANSWER", "firstWord": 2, "lastWord": 2},
            {"label": "ANSWER", "firstWord": 3, "lastWord": 3},
            {"label": "QUESTION", "firstWord": 4, "lastWord": 4},
            {"label": "ANSWER", "firstWord": 3, "lastWord": 4},
        ],
        "pairLinks": [[0, 1], [3, 2]],
        "wordBbox": [[0, 0, 0, 0], [100, 100, 200, 120], [210, 100, 300, 130], [210, 100, 300, 130], [400, 100, 500, 120],
                     [600, 100, 700, 120], [0, 0, 0, 0]],
    }
    pairs = window_pairs(window)
    assert pairs["pair_roles"].tolist() == [1, 2, 2]
    # Entity 0 pools words 0 and 1 at their first tokens (positions 1 and 2).
    assert pairs["pair_pool"][0].tolist() == [0, 0.5, 0.5, 0, 0, 0, 0]
    # Value 1's key is entity 0; value 2's key (entity 3) lies outside: unknown here (−100); a key has no target.
    assert pairs["pair_targets"].tolist() == [-100, 0, -100]
    # Each entity's box: the union of its words' boxes, in page units.
    expected = torch.tensor([[0.1, 0.1, 0.3, 0.13], [0.4, 0.1, 0.5, 0.12], [0.6, 0.1, 0.7, 0.12]])
    assert torch.allclose(pairs["pair_boxes"], expected)


def test_a_window_of_a_page_without_links_has_no_pair_targets():
    pairs = window_pairs({"inputIds": [101, 7, 102], "wordIds": [-1, 0, -1], "wordBbox": [[0, 0, 0, 0]] * 3})
    assert pairs["pair_roles"].numel() == 0 and pairs["pair_boxes"].shape == (0, 4)


GOLDEN = Path(__file__).resolve().parents[2] / "test" / "fixtures" / "pair-geometry" / "golden.json"


def test_pair_geometry_and_its_mlp_give_the_golden_cases_the_service_also_checks():
    golden = json.loads(GOLDEN.read_text())
    layers = golden["geometry"]["layers"]
    head = KeyValueHead(8, 4, 0.0, geometry_hidden=len(layers[0]["bias"]))
    with torch.no_grad():
        for layer, spec in zip([m for m in head.geometry if isinstance(m, torch.nn.Linear)], layers, strict=True):
            layer.weight.copy_(torch.tensor(spec["weight"]))
            layer.bias.copy_(torch.tensor(spec["bias"]))
        boxes = torch.tensor(golden["boxes"], dtype=torch.float32)[None] / 1000
        features, scores = pair_geometry(boxes)[0], head.geometry_scores(boxes)[0]
    for case in golden["pairs"]:
        assert features[case["value"], case["key"]].tolist() == pytest.approx(case["features"], abs=1e-5)
        assert float(scores[case["value"], case["key"]]) == pytest.approx(case["score"], abs=1e-4)


def test_the_geometry_score_moves_the_loss_and_the_value_projection_starts_at_zero():
    head = KeyValueHead(8, 4, 0.0)
    tokens = torch.randn(1, 3, 8)
    keys, values = head(tokens)
    assert torch.count_nonzero(values) == 0  # the semantic score starts at 0: training starts from geometry alone
    pool, roles = torch.eye(3)[None], torch.tensor([[1, 2, 2]])
    batch = {"pair_pool": pool, "pair_roles": roles, "pair_targets": torch.tensor([[-100, 0, 3]])}
    geometry = torch.zeros(1, 3, 3)
    geometry[0, 1, 0] = 5.0  # value 1 → key 0, as linked
    linked = pair_loss({"pair_keys": keys, "pair_values": values}, batch, geometry)
    plain = pair_loss({"pair_keys": keys, "pair_values": values}, batch)
    assert linked < plain


def test_pair_loss_prefers_the_linked_key_and_none_for_a_lone_value():
    keys = torch.tensor([[[0.0, 0.0], [4.0, 0.0], [0.0, 0.0], [0.0, 4.0]]])
    values = torch.tensor([[[0.0, 0.0], [0.0, 0.0], [4.0, 0.0], [-4.0, -4.0]]])
    pool = torch.eye(4)[None, 1:]  # entities at tokens 1, 2, 3
    roles = torch.tensor([[1, 2, 2]])
    scores = pair_scores(keys, values, pool, roles)
    assert scores.shape == (1, 3, 4)
    assert scores[0, 1].argmax() == 0  # value at token 2 aligns with the key at token 1
    assert scores[0, 2].argmax() == 3  # value at token 3 scores below "none"
    good = pair_loss({"pair_keys": keys, "pair_values": values}, {"pair_pool": pool, "pair_roles": roles, "pair_targets": torch.tensor([[-100, 0, 3]])})
    bad = pair_loss({"pair_keys": keys, "pair_values": values}, {"pair_pool": pool, "pair_roles": roles, "pair_targets": torch.tensor([[-100, 3, 0]])})
    assert good < bad


def test_collate_pads_entities_and_moves_none_to_the_last_column(tmp_path):
    from aetnet_trainer.data import PreparedDataset

    data = write_synthetic_dataset(tmp_path, train_docs=3, test_docs=1, pairs=True)
    dataset = PreparedDataset(data, "train", 112, with_momentum_view=False)
    batch = collate([dataset[0], dataset[1]], 0)
    entities = batch["pair_roles"].shape[1]
    assert batch["pair_pool"].shape == (2, entities, batch["input_ids"].shape[1])
    targets = batch["pair_targets"][batch["pair_roles"] == 2]
    assert ((targets == entities) | (targets == -100) | ((targets >= 0) & (targets < entities))).all()


def test_a_run_with_links_trains_exports_and_gates_the_key_value_head(tmp_path):
    from aetnet_trainer.export import export_bundle

    data = write_synthetic_dataset(tmp_path / "data", train_docs=8, test_docs=2, pairs=True)
    train_tiny(data, tmp_path / "run", "--epochs", "2", "--validation-docs", "2")
    manifest = export_bundle(tmp_path / "run" / "best.pt", tmp_path / "bundle", int8=True)
    geometry = manifest["pairs"].pop("geometry")
    assert manifest["pairs"] == {"keys": "pair_keys", "values": "pair_values", "dim": 128, "keyLabel": "QUESTION", "valueLabel": "ANSWER"}
    assert geometry["features"][0] == "gapX" and len(geometry["layers"][0]["weight"][0]) == len(geometry["features"])
    assert len(geometry["layers"][-1]["bias"]) == 1
    assert set(manifest["outputs"]) == {"logits", "pair_keys", "pair_values"}
    written = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert written["quantization"]["pairDecisions"] > 0
    assert written["quantization"]["pairAgreement"] >= 0.99
    assert np.isfinite(written["parity"]["maxAbsDiff"])


def test_train_pairs_trains_only_the_key_value_head_of_a_served_bundle_and_exports_it(tmp_path):
    from aetnet_trainer.export import export_bundle
    from aetnet_trainer.train_pairs import main

    data = write_synthetic_dataset(tmp_path / "data", train_docs=8, test_docs=2, pairs=True)
    train_tiny(data, tmp_path / "base-run", "--epochs", "1", "--validation-docs", "2")
    export_bundle(tmp_path / "base-run" / "best.pt", tmp_path / "base")
    assert main(["--data", str(data), "--init-bundle", str(tmp_path / "base"), "--config", "tiny", "--out",
                 str(tmp_path / "run"), "--epochs", "3", "--validation-docs", "2"]) == 0
    base = torch.load(tmp_path / "base-run" / "best.pt", weights_only=False)["model"]
    tuned = torch.load(tmp_path / "run" / "best.pt", weights_only=False)["model"]
    # The token head and the fusion are the bundle's (the relative-position tables are read back from the graph's
    # lookup, equal only in the buckets it uses); the geometry MLP trained.
    kept = [name for name in tuned if name.startswith(("fusion.", "head.")) and not name.startswith("head.pairs.")
            and "rel_pos" not in name]
    assert kept and all(torch.allclose(tuned[name], base[name], atol=1e-5) for name in kept)
    assert not torch.allclose(tuned["head.pairs.geometry.0.weight"], base["head.pairs.geometry.0.weight"])
    evals = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    assert [event["epoch"] for event in evals if event["event"] == "eval"] == [1, 2, 3]
    assert all(0 <= event["pairs"]["f1"] <= 1 for event in evals if event["event"] == "eval")
    manifest = export_bundle(tmp_path / "run" / "best.pt", tmp_path / "bundle", int8=True)
    assert manifest["pairs"]["geometry"]["features"][-1] == "belowOverlapping"
    assert manifest["quantization"]["pairAgreement"] >= 0.99


def test_train_pairs_refuses_a_dataset_without_links(tmp_path, capsys):
    from aetnet_trainer.train_pairs import main

    data = write_synthetic_dataset(tmp_path / "data", train_docs=4, test_docs=1)
    assert main(["--data", str(data), "--init-bundle", str(tmp_path / "none"), "--config", "tiny", "--out",
                 str(tmp_path / "run")]) == 2
    assert "no key-value links" in capsys.readouterr().err
