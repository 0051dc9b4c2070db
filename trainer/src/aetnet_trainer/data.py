"""Reads the prepared dataset (docs/prepared-dataset.md) of any task: windows, dynamic padding, clean and momentum
image views.

No tokenization happens here: TypeScript `prepare` tokenized already, so training and serving cannot skew.
"""

from __future__ import annotations

import copy
import json
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageEnhance, ImageFilter
from torch import Tensor
from torch.utils.data import Dataset

IMAGE_MEAN = (0.5, 0.5, 0.5)
IMAGE_STD = (0.5, 0.5, 0.5)
META_FIELDS = ("docId", "page", "window", "tokenStart")
TASKS = ("extract", "classify", "ask")


def read_metadata(root: str | Path) -> dict:
    meta = json.loads(Path(root, "dataset.json").read_text())
    if meta.get("formatVersion") != 1:
        raise ValueError(f"{root}/dataset.json: formatVersion {meta.get('formatVersion')} is not supported (expected 1)")
    meta.setdefault("task", "extract")
    if meta["task"] not in TASKS:
        raise ValueError(f"{root}/dataset.json: task {meta['task']!r} is not one of {TASKS}")
    return meta


def tokenizer_vocab_size(root: str | Path, meta: dict) -> int:
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(Path(root, meta["tokenizer"]))).get_vocab_size(with_added_tokens=True)


def normalised_tensor(image: Image.Image) -> Tensor:
    """RGB PIL image → float32 CHW scaled to [0,1] then (x − 0.5)/0.5, as the bundle's `image` block says."""
    array = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    mean, std = np.asarray(IMAGE_MEAN, np.float32), np.asarray(IMAGE_STD, np.float32)
    return torch.from_numpy(((array - mean) / std).transpose(2, 0, 1).copy())


def clean_view(path: Path, size: int) -> Tensor:
    image = Image.open(path).convert("RGB")
    if image.size != (size, size):
        image = image.resize((size, size), Image.BILINEAR)
    return normalised_tensor(image)


def random_resized_crop(image: Image.Image, size: int, rng: random.Random, scale=(0.5, 1.0), ratio=(3 / 4, 4 / 3)):
    width, height = image.size
    area = width * height
    for _ in range(10):
        target_area = area * rng.uniform(*scale)
        aspect = math.exp(rng.uniform(math.log(ratio[0]), math.log(ratio[1])))
        crop_w = round(math.sqrt(target_area * aspect))
        crop_h = round(math.sqrt(target_area / aspect))
        if 0 < crop_w <= width and 0 < crop_h <= height:
            left, top = rng.randint(0, width - crop_w), rng.randint(0, height - crop_h)
            return image.resize((size, size), Image.BICUBIC, box=(left, top, left + crop_w, top + crop_h))
    return image.resize((size, size), Image.BICUBIC)


def shift_hue(image: Image.Image, shift: float) -> Image.Image:
    hsv = np.asarray(image.convert("HSV"), dtype=np.uint8).copy()
    hsv[..., 0] = (hsv[..., 0].astype(np.int16) + round(shift * 255)) % 256
    return Image.fromarray(hsv, "HSV").convert("RGB")


def color_jitter(image: Image.Image, rng: random.Random, strength=0.4, hue=0.1) -> Image.Image:
    operations = [
        lambda img: ImageEnhance.Brightness(img).enhance(rng.uniform(1 - strength, 1 + strength)),
        lambda img: ImageEnhance.Contrast(img).enhance(rng.uniform(1 - strength, 1 + strength)),
        lambda img: ImageEnhance.Color(img).enhance(rng.uniform(1 - strength, 1 + strength)),
        lambda img: shift_hue(img, rng.uniform(-hue, hue)),
    ]
    rng.shuffle(operations)
    for operation in operations:
        image = operation(image)
    return image


def momentum_view(path: Path, size: int, rng: random.Random) -> Tensor:
    """I⁺ for the momentum image encoder (docs/method.md §4.1, no flip: a mirrored page is a different document)."""
    image = random_resized_crop(Image.open(path).convert("RGB"), size, rng)
    if rng.random() < 0.8:
        image = color_jitter(image, rng)
    if rng.random() < 0.2:
        image = image.convert("L").convert("RGB")
    if rng.random() < 0.5:
        image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.1, 2.0)))
    return normalised_tensor(image)


def task_targets(task: str, window: dict) -> dict[str, Tensor]:
    """extract: token labels (L,); classify: the document class (); ask: answer start and end indices ()."""
    if task == "classify":
        return {"labels": torch.tensor(window["classLabel"], dtype=torch.long)}
    if task == "ask":
        return {"start_positions": torch.tensor(window["startPosition"], dtype=torch.long),
                "end_positions": torch.tensor(window["endPosition"], dtype=torch.long)}
    return {"labels": torch.tensor(window["labels"], dtype=torch.long)}


KEY_LABEL, VALUE_LABEL = "QUESTION", "ANSWER"
NO_KEY = -1  # a value whose key is none of the window's entities (collate turns it into the "none" column)


def window_pairs(window: dict) -> dict[str, Tensor]:
    """Key-value targets of an extract window with `pairEntities` (docs/prepared-dataset.md): the QUESTION and ANSWER
    entities wholly inside the window, as mean-pooling weights (E, L) over the first token of each of their words
    here; their roles (1 key, 2 value); each value's key among them (NO_KEY: none; −100: its key lies outside the
    window, so the window cannot tell); their boxes (E, 4) in page units, the union of their words' boxes."""
    first_token: dict[int, int] = {}
    for position, word in enumerate(window["wordIds"]):
        if word >= 0 and word not in first_token:
            first_token[word] = position
    entities = window.get("pairEntities", [])  # absent on a page with no link
    kept, tokens = [], []
    for index, entity in enumerate(entities):
        positions = [first_token.get(word) for word in range(entity["firstWord"], entity["lastWord"] + 1)]
        if all(position is not None for position in positions):
            kept.append(index)
            tokens.append(positions)
    pool = torch.zeros((len(kept), len(window["inputIds"])))
    for row, positions in enumerate(tokens):
        pool[row, positions] = 1.0 / len(positions)
    roles = torch.tensor([1 if entities[index]["label"] == KEY_LABEL else 2 for index in kept], dtype=torch.long)
    targets = torch.where(roles == 2, NO_KEY, -100)
    row_of = {index: row for row, index in enumerate(kept)}
    for key, value in window.get("pairLinks", []):
        if value in row_of:
            targets[row_of[value]] = row_of[key] if key in row_of else -100
    word_boxes = torch.tensor(window["wordBbox"], dtype=torch.float32).clamp(0, 1000) / 1000
    boxes = torch.zeros((len(kept), 4))
    for row, positions in enumerate(tokens):
        words = word_boxes[positions]
        boxes[row] = torch.cat([words[:, :2].min(0).values, words[:, 2:].max(0).values])
    return {"pair_pool": pool, "pair_roles": roles, "pair_targets": targets, "pair_boxes": boxes}


class PreparedDataset(Dataset):
    """One item per window. `with_momentum_view` adds I⁺, drawn from a seed fixed by (seed, epoch, index) so a
    resumed run sees the same augmentations."""

    def __init__(self, root: str | Path, split: str, image_size: int, with_momentum_view: bool, seed: int = 42):
        self.root = Path(root)
        self.meta = read_metadata(root)
        self.image_size, self.with_momentum_view, self.seed = image_size, with_momentum_view, seed
        self.epoch = 0
        lines = Path(root, f"{split}.jsonl").read_text().splitlines()
        self.windows = [json.loads(line) for line in lines if line.strip()]
        self._clean_cache: dict[str, Tensor] = {}

    def subset(self, keep, with_momentum_view: bool | None = None) -> PreparedDataset:
        """The windows for which keep(window) is true, sharing nothing mutable with this dataset."""
        part = copy.copy(self)
        part.windows = [window for window in self.windows if keep(window)]
        part._clean_cache = {}
        if with_momentum_view is not None:
            part.with_momentum_view = with_momentum_view
        return part

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.windows)

    def __getitem__(self, index: int) -> dict:
        window = self.windows[index]
        if window["image"] not in self._clean_cache:
            self._clean_cache[window["image"]] = clean_view(self.root / window["image"], self.image_size)
        item = {
            "input_ids": torch.tensor(window["inputIds"], dtype=torch.long),
            "bbox": torch.tensor(window["bbox"], dtype=torch.long).clamp(0, 1000),
            "word_bbox": torch.tensor(window["wordBbox"], dtype=torch.long).clamp(0, 1000),
            "pixel_values": self._clean_cache[window["image"]],
            **{name: window[name] for name in META_FIELDS},
            **task_targets(self.meta["task"], window),
            **(window_pairs(window) if self.meta.get("pairs") else {}),
            "task": self.meta["task"],
        }
        if self.with_momentum_view:
            rng = random.Random(f"{self.seed}/{self.epoch}/{index}")
            item["momentum_pixel_values"] = momentum_view(self.root / window["original"], self.image_size, rng)
        return item


def carve_validation(dataset: PreparedDataset, documents: int, seed: int) -> tuple[PreparedDataset, PreparedDataset]:
    """Splits a training set by document (all windows of a document stay together): `documents` of them, drawn
    with `seed`, become the validation split. Returns (train, validation)."""
    doc_ids = sorted({window["docId"] for window in dataset.windows})
    if not 0 < documents < len(doc_ids):
        raise ValueError(f"--validation-docs {documents} must be between 1 and {len(doc_ids) - 1} "
                         f"(the training split has {len(doc_ids)} documents)")
    chosen = set(random.Random(seed).sample(doc_ids, documents))
    return (dataset.subset(lambda window: window["docId"] not in chosen),
            dataset.subset(lambda window: window["docId"] in chosen, with_momentum_view=False))


def collate(items: list[dict], pad_id: int) -> dict:
    """Pads to the longest window: ids = pad id, mask 0, boxes 0, token labels −100; per-window targets (a class,
    answer positions) are stacked."""
    length = max(len(item["input_ids"]) for item in items)
    batch_size = len(items)
    batch = {
        "input_ids": torch.full((batch_size, length), pad_id, dtype=torch.long),
        "attention_mask": torch.zeros((batch_size, length), dtype=torch.long),
        "bbox": torch.zeros((batch_size, length, 4), dtype=torch.long),
        "word_bbox": torch.zeros((batch_size, length, 4), dtype=torch.long),
    }
    token_labels = "labels" in items[0] and items[0]["labels"].dim() == 1
    if token_labels:
        batch["labels"] = torch.full((batch_size, length), -100, dtype=torch.long)
    for row, item in enumerate(items):
        size = len(item["input_ids"])
        batch["input_ids"][row, :size] = item["input_ids"]
        batch["attention_mask"][row, :size] = 1
        for name in ("bbox", "word_bbox", "labels") if token_labels else ("bbox", "word_bbox"):
            batch[name][row, :size] = item[name]
    for name in ("labels", "start_positions", "end_positions"):
        if name in items[0] and not (name == "labels" and token_labels):
            batch[name] = torch.stack([item[name] for item in items])
    if "pair_pool" in items[0]:
        batch.update(collate_pairs(items, length))
    batch["pixel_values"] = torch.stack([item["pixel_values"] for item in items])
    if "momentum_pixel_values" in items[0]:
        batch["momentum_pixel_values"] = torch.stack([item["momentum_pixel_values"] for item in items])
    for name in META_FIELDS:
        batch[name] = [item[name] for item in items]
    tasks = {item["task"] for item in items if "task" in item}
    if len(tasks) > 1:
        raise ValueError(f"a batch must hold windows of one task, got {sorted(tasks)}")
    if tasks:
        batch["task"] = tasks.pop()
    return batch


def collate_pairs(items: list[dict], length: int) -> dict[str, Tensor]:
    """Pads the entities to the batch's most (at least one): pooling weights 0, role 0, target −100; a value
    without a key points at column E (the "none" score the head appends)."""
    entities = max(1, max(len(item["pair_roles"]) for item in items))
    pool = torch.zeros((len(items), entities, length))
    roles = torch.zeros((len(items), entities), dtype=torch.long)
    targets = torch.full((len(items), entities), -100, dtype=torch.long)
    boxes = torch.zeros((len(items), entities, 4))
    for row, item in enumerate(items):
        count, size = len(item["pair_roles"]), item["pair_pool"].shape[1]
        pool[row, :count, :size] = item["pair_pool"]
        boxes[row, :count] = item["pair_boxes"]
        roles[row, :count] = item["pair_roles"]
        targets[row, :count] = torch.where(item["pair_targets"] == NO_KEY, entities, item["pair_targets"])
    return {"pair_pool": pool, "pair_roles": roles, "pair_targets": targets, "pair_boxes": boxes}


TENSOR_FIELDS = ("input_ids", "attention_mask", "bbox", "word_bbox", "labels", "start_positions", "end_positions",
                 "pixel_values", "momentum_pixel_values", "pair_pool", "pair_roles", "pair_targets", "pair_boxes")


def to_device(batch: dict, device: torch.device) -> dict:
    """The model's inputs: the tensors on `device`, and the batch's task (the joint model picks its head by it)."""
    moved = {name: value.to(device, non_blocking=True) for name, value in batch.items() if name in TENSOR_FIELDS}
    return {**moved, "task": batch["task"]} if "task" in batch else moved


# ---------------------------------------------------------------- joint training on several prepared datasets


@dataclass
class DataSpec:
    """`--data` value: `DIR` (one dataset, its own task) or `TASK=DIR[@WEIGHT]` (a part of a joint run; an epoch
    takes WEIGHT × the part's batches: 2 = every window twice, 0.25 = a different quarter of them each epoch, so
    a large dataset does not crowd out a small one)."""

    path: Path
    task: str | None = None
    weight: float = 1.0

    @property
    def name(self) -> str:
        return f"{self.task}:{self.path.name}"


def parse_data_spec(text: str) -> DataSpec:
    task, sep, rest = text.partition("=")
    if not sep:
        return DataSpec(Path(text))
    if task not in TASKS:
        raise ValueError(f"--data {text!r}: task {task!r} is not one of {TASKS}")
    path, _, weight = rest.rpartition("@") if "@" in rest else (rest, "", "1")
    try:
        value = float(weight)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise ValueError(f"--data {text!r}: weight {weight!r} must be a positive number")
    return DataSpec(Path(path), task, value)


def joint_metadata(specs: list[DataSpec], metas: list[dict], tokenizers: list[str]) -> dict:
    """One metadata for the joint run: the parts' own tasks must match their specs, share one tokenizer and
    image size, and there is at most one extract and one classify part (their labels become the heads')."""
    for spec, meta in zip(specs, metas, strict=True):
        if spec.task != meta["task"]:
            raise ValueError(f"--data {spec.task}={spec.path}: the dataset was prepared for task {meta['task']!r}")
    for spec, meta, tokenizer in zip(specs[1:], metas[1:], tokenizers[1:]):
        if tokenizer != tokenizers[0]:
            raise ValueError(f"{spec.path} was tokenized with another tokenizer than {specs[0].path}")
        if meta["imageSize"] != metas[0]["imageSize"]:
            raise ValueError(f"{spec.path} has {meta['imageSize']} px images, {specs[0].path} {metas[0]['imageSize']} px")
    labels = {}
    for task in ("extract", "classify"):
        own = [meta for meta in metas if meta["task"] == task]
        if len(own) > 1:
            raise ValueError(f"a joint run takes one {task} dataset, got {len(own)}")
        labels[task] = own[0]["labels"] if own else []
    return {
        **metas[0], "task": "joint", "labels": labels, "maxLength": max(meta["maxLength"] for meta in metas),
        "parts": [{"name": spec.name, "task": spec.task, "path": str(spec.path.resolve()), "weight": spec.weight,
                   "labels": meta["labels"]} for spec, meta in zip(specs, metas, strict=True)],
    }
