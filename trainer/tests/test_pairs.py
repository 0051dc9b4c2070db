"""The key-value head: targets read from windows, the loss, training, export with parity and the int8 gate."""
import json

import numpy as np
import torch

from aetnet_trainer.data import collate, window_pairs
from aetnet_trainer.modeling import pair_loss, pair_scores
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
    }
    pairs = window_pairs(window)
    assert pairs["pair_roles"].tolist() == [1, 2, 2]
    # Entity 0 pools words 0 and 1 at their first tokens (positions 1 and 2).
    assert pairs["pair_pool"][0].tolist() == [0, 0.5, 0.5, 0, 0, 0, 0]
    # Value 1's key is entity 0; value 2's key (entity 3) lies outside: unknown here (−100); a key has no target.
    assert pairs["pair_targets"].tolist() == [-100, 0, -100]


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
    assert manifest["pairs"] == {"keys": "pair_keys", "values": "pair_values", "dim": 128, "keyLabel": "QUESTION", "valueLabel": "ANSWER"}
    assert set(manifest["outputs"]) == {"logits", "pair_keys", "pair_values"}
    written = json.loads((tmp_path / "bundle" / "manifest.json").read_text())
    assert written["quantization"]["pairDecisions"] > 0
    assert written["quantization"]["pairAgreement"] >= 0.99
    assert np.isfinite(written["parity"]["maxAbsDiff"])
