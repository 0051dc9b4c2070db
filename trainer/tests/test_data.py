import json

import torch

from aetnet_trainer.data import PreparedDataset, collate


def test_items_and_dynamic_padding(prepared_dir):
    dataset = PreparedDataset(prepared_dir, "train", 112, with_momentum_view=True)
    items = [dataset[0], dataset[1]]
    batch = collate(items, pad_id=0)
    length = max(len(item["input_ids"]) for item in items)
    assert batch["input_ids"].shape == (2, length)
    assert batch["bbox"].shape == batch["word_bbox"].shape == (2, length, 4)
    assert batch["pixel_values"].shape == batch["momentum_pixel_values"].shape == (2, 3, 112, 112)
    short = min(range(2), key=lambda row: len(items[row]["input_ids"]))
    size = len(items[short]["input_ids"])
    if size < length:
        assert batch["attention_mask"][short, size:].sum() == 0
        assert (batch["labels"][short, size:] == -100).all()
        assert batch["bbox"][short, size:].abs().sum() == 0
    assert -1.0 <= float(batch["pixel_values"].min()) and float(batch["pixel_values"].max()) <= 1.0


def test_momentum_view_is_reproducible_per_epoch(prepared_dir):
    dataset = PreparedDataset(prepared_dir, "train", 112, with_momentum_view=True, seed=1)
    first = dataset[0]["momentum_pixel_values"]
    assert torch.equal(first, dataset[0]["momentum_pixel_values"])
    dataset.set_epoch(1)
    assert not torch.equal(first, dataset[0]["momentum_pixel_values"])


def test_clean_view_is_resized_when_sizes_differ(prepared_dir):
    dataset = PreparedDataset(prepared_dir, "test", 64, with_momentum_view=False)
    item = dataset[0]
    assert item["pixel_values"].shape == (3, 64, 64) and "momentum_pixel_values" not in item
    window = json.loads((prepared_dir / "test.jsonl").read_text().splitlines()[0])
    assert item["input_ids"].tolist() == window["inputIds"]
