"""Span head for key lookup on a served bundle's backbone, the backbone graph left byte for byte as it is:
python -m aetnet_trainer.ask_reader --bundle <bundle> --data <prepared funsd dirs with pairs> --out <run dir> [--write].

A question about a form names a key; the service finds the key's words on the page (heads/span-reader.ts
locateKeys) and this head reads the answer's first and last word from the page's words given that key. It replaces
the extraction-then-pairing answer, whose mistakes were mostly entity boundaries (a value cut or merged by the BIO
tagger). Its inputs are per window of the backbone's forward pass: each word's graph outputs at its first token
(`from`, by default the token head's logits and the key-value head's keys and values), each word's box and its
model-input (segment) box, and a mask of the key's words. Its outputs are start and end logits over "no answer"
(position 0) and the window's words, which the service decodes with the extractive span decoder (heads/span-decode.ts),
so answers, confidences and the no-answer threshold mean what they mean for any span head. The head is a small ONNX
graph of its own (a few hundred kB) run on the page's cached forward pass: the backbone runs once per page whatever
the number of questions.

Training data: every QUESTION entity of the prepared FUNSD windows is a key; its linked ANSWER entities are the
answers (several allowed: the likelihood of any of them), a key with no linked answer is unanswerable. The key's words
are the gold entity's here; the service locates them by matching the question to the page's words. Several datasets
may be given: the same forms read from their annotated words and from our OCR (`prepare --words ocr`, the annotation
carried onto the OCR words), so the head also learns from the words serving reads when a user sends only an image. Epochs are chosen
on validation forms carved from the training split (span exact match), then the head is refitted on all of them for
that many epochs. `--write` copies the graph into the bundle and declares it in `tasks.ask.keyLookup.reader`.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from .classify_head import as_tasks_manifest
from .bundle_outputs import window_outputs
from .data import KEY_LABEL, VALUE_LABEL, PreparedDataset, carve_validation, read_metadata
from .modeling import box_geometry

DEFAULT_FEATURES = ("logits", "pair_keys", "pair_values")
READER_FILE = "ask-reader.onnx"
OCR_READER_FILE = "ask-reader-ocr.onnx"
INPUTS = ("word_features", "word_boxes", "segment_boxes", "key_mask", "word_mask")
# Per word, and "no answer" as (start, end) apart: dynamic batching pads and un-pads the words axis.
OUTPUTS = ("start_logits", "end_logits", "none_logits")
# Geometry of each word against the key (box_geometry's 9), then: same segment box as the word before / after, is a
# key word, after the key in reading order, reading distance from the key's last word / 20.
EXTRA_FEATURES = 5


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.ask_reader", description=__doc__)
    parser.add_argument("--bundle", required=True, help="served bundle whose graph outputs the word features")
    parser.add_argument("--data", required=True, help="prepared FUNSD extract datasets with pairs, comma-separated (npm run "
                        "prepare -- --format funsd [--words ocr]): the same forms read from gold words and from our OCR")
    parser.add_argument("--out", required=True, help="run directory: features, reader.onnx, metrics.json")
    parser.add_argument("--features", default=",".join(DEFAULT_FEATURES), help="per-token graph outputs read per word")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=60, help="most epochs tried on validation")
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--max-answer-words", type=int, default=40)
    parser.add_argument("--min-key-similarity", type=float, default=0.6, help="written to the manifest with the reader")
    parser.add_argument("--validation-docs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--write", action="store_true", help="copy the reader into the bundle and declare it")
    parser.add_argument("--for-words", choices=("all", "ocr"), default="all",
                        help="with --write: the bundle's reader (all), or its reader for pages our OCR read (ocr)")
    return parser.parse_args(argv)


def window_words(word_ids: list[int]) -> list[tuple[int, int]]:
    """(page word, its first token) of each word of a window, in window order. The service reads the same rows
    (heads/span-reader.ts windowWords)."""
    seen: dict[int, int] = {}
    for token, word in enumerate(word_ids):
        if word >= 0 and word not in seen:
            seen[word] = token
    return list(seen.items())


def reader_features(word_features: Tensor, word_boxes: Tensor, segment_boxes: Tensor, key_mask: Tensor) -> Tensor:
    """(B, W, EXTRA + 9) features of each word against the key: boxes 0–1000, key_mask 1 on the key's words."""
    mask = key_mask.unsqueeze(-1)
    boxes = word_boxes / 1000
    big = torch.full_like(boxes[..., :2], 2.0)
    key_box = torch.cat([torch.where(mask > 0, boxes[..., :2], big).amin(1), torch.where(mask > 0, boxes[..., 2:], -big).amax(1)], -1)
    geometry = box_geometry(boxes, key_box[:, None, :])
    same = (segment_boxes[:, 1:] == segment_boxes[:, :-1]).all(-1).float()
    edge = torch.zeros_like(same[:, :1])
    same_before, same_after = torch.cat([edge, same], 1), torch.cat([same, edge], 1)
    positions = torch.cumsum(torch.ones_like(key_mask), 1)
    key_last = (positions * key_mask).amax(1, keepdim=True)
    after = (positions > key_last).float()
    distance = ((positions - key_last) / 20).clamp(-5, 5)
    return torch.cat([geometry, torch.stack([same_before, same_after, key_mask, after, distance], -1)], -1)


class AskReader(nn.Module):
    """Start/end logits of a key's answer over "no answer" and the words of one window: each word's graph features
    and its geometry against the key, mixed with the key's mean features, then two width-3 convolutions along
    reading order (an answer's edges are where segment, label and line change)."""

    def __init__(self, feature_dim: int, hidden: int = 128, dropout: float = 0.1):
        super().__init__()
        self.norm = nn.LayerNorm(feature_dim)
        self.word = nn.Linear(feature_dim, hidden)
        self.key = nn.Linear(feature_dim, hidden)
        self.match = nn.Linear(feature_dim, hidden)
        self.extra = nn.Linear(9 + EXTRA_FEATURES, hidden)
        self.dropout = nn.Dropout(dropout)
        self.mix = nn.ModuleList([nn.Conv1d(hidden, hidden, 3, padding=1) for _ in range(2)])
        self.span = nn.Linear(hidden, 2)
        self.none = nn.Sequential(nn.Linear(2 * hidden, hidden), nn.GELU(), nn.Linear(hidden, 2))

    def forward(self, word_features: Tensor, word_boxes: Tensor, segment_boxes: Tensor, key_mask: Tensor,
                word_mask: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """word_mask (B, W): 1 on words, 0 on a padded batch's padding, which then reads as nothing (as the edge of
        an unpadded window does). Returns start and end logits (B, W) and the no-answer (start, end) logits (B, 2)."""
        features = self.norm(word_features)
        mask = key_mask.unsqueeze(-1)
        key = (features * mask).sum(1) / mask.sum(1).clamp(min=1)
        hidden = self.word(features) + self.key(key)[:, None] + self.match(features) * self.key(key)[:, None]
        hidden = hidden + self.extra(reader_features(word_features, word_boxes, segment_boxes, key_mask))
        hidden = torch.nn.functional.gelu(self.dropout(hidden))
        real = word_mask
        real = real.unsqueeze(-1)
        hidden = mixed = hidden * real
        for conv in self.mix:  # padding is zeroed after each layer, so it reads as the zeros past a window's edge
            mixed = torch.nn.functional.gelu(conv(mixed.transpose(1, 2)).transpose(1, 2)) * real
        hidden = hidden + mixed
        logits = self.span(hidden)
        # The key's own words never answer it.
        logits = logits.masked_fill(mask > 0, -1e4)
        none = self.none(torch.cat([self.key(key), hidden.masked_fill(real == 0, -1e4).amax(1)], -1))
        return logits[..., 0], logits[..., 1], none


def with_none(start: Tensor, end: Tensor, none: Tensor) -> tuple[Tensor, Tensor]:
    """(B, W + 1) start and end logits, position 0 "no answer" (as the service's span decoder reads them)."""
    return torch.cat([none[:, :1], start], 1), torch.cat([none[:, 1:], end], 1)


def window_rows(bundle: Path, dataset: PreparedDataset, features: list[str], threads: int) -> list[np.ndarray]:
    """Each window's (W, D) word features: the graph outputs at each word's first token, from the bundle's own int8
    session (what serving computes), one window at a time."""
    rows = []
    for outputs, window in zip(window_outputs(bundle, dataset, features, threads), dataset.windows):
        tokens = [token for _, token in window_words(window["wordIds"])]
        rows.append(np.concatenate([output[tokens] for output in outputs], -1).astype(np.float32))
    return rows


def window_examples(window: dict, features: np.ndarray) -> list[dict]:
    """One example per key (QUESTION entity) wholly in the window whose answers are all wholly in it (or that has
    none): the window's word inputs, the key mask and the answers' (first, last) positions among the window's words."""
    words = window_words(window["wordIds"])
    position = {word: index for index, (word, _) in enumerate(words)}
    word_boxes = np.array([window["wordBbox"][token] for _, token in words], dtype=np.float32)
    segment_boxes = np.array([window["bbox"][token] for _, token in words], dtype=np.float32)
    entities = window.get("pairEntities", [])

    def span(entity: dict) -> tuple[int, int] | None:
        inside = all(word in position for word in range(entity["firstWord"], entity["lastWord"] + 1))
        return (position[entity["firstWord"]], position[entity["lastWord"]]) if inside else None

    answers: dict[int, list[int]] = {}
    for key, value in window.get("pairLinks", []):
        answers.setdefault(key, []).append(value)
    examples = []
    for index, entity in enumerate(entities):
        key = span(entity)
        if entity["label"] != KEY_LABEL or key is None:
            continue
        spans = [span(entities[value]) for value in answers.get(index, []) if entities[value]["label"] == VALUE_LABEL]
        if any(found is None for found in spans):
            continue
        mask = np.zeros(len(words), dtype=np.float32)
        mask[key[0]:key[1] + 1] = 1
        examples.append({"docId": window["docId"], "word_features": features, "word_boxes": word_boxes,
                         "segment_boxes": segment_boxes, "key_mask": mask, "answers": spans})
    return examples


def batch_of(examples: list[dict]) -> dict[str, Tensor]:
    """Examples padded to the longest window (padding words are far off the page, never key words, never answers)."""
    width = max(len(example["key_mask"]) for example in examples)
    dim = examples[0]["word_features"].shape[1]
    batch = {"word_features": torch.zeros(len(examples), width, dim), "word_boxes": torch.full((len(examples), width, 4), 5000.0),
             "segment_boxes": torch.full((len(examples), width, 4), 5000.0), "key_mask": torch.zeros(len(examples), width),
             "word_mask": torch.zeros(len(examples), width),
             "valid": torch.zeros(len(examples), width + 1, dtype=torch.bool), "starts": torch.zeros(len(examples), width + 1, dtype=torch.bool),
             "ends": torch.zeros(len(examples), width + 1, dtype=torch.bool)}
    for row, example in enumerate(examples):
        count = len(example["key_mask"])
        for name in INPUTS[:-1]:
            batch[name][row, :count] = torch.from_numpy(example[name])
        batch["word_mask"][row, :count] = 1
        batch["valid"][row, :count + 1] = True
        for first, last in example["answers"] or [(-1, -1)]:
            batch["starts"][row, first + 1] = True
            batch["ends"][row, last + 1] = True
    return batch


def span_loss(logits: Tensor, gold: Tensor, valid: Tensor) -> Tensor:
    """−log of the probability of any gold position (several answers: their total)."""
    logits = logits.masked_fill(~valid, -1e4)
    return (torch.logsumexp(logits, 1) - torch.logsumexp(logits.masked_fill(~gold, -1e4), 1)).mean()


def best_span(start: np.ndarray, end: np.ndarray, max_words: int) -> tuple[int, int] | None:
    """The best (first, last) word of one window by start + end logit against no answer (position 0), as the
    service's span decoder picks; None when no answer scores higher."""
    scores = start[1:, None] + end[None, 1:]
    first, last = np.indices(scores.shape)
    scores = np.where((last >= first) & (last < first + max_words), scores, -np.inf)
    if scores.size == 0 or scores.max() <= start[0] + end[0]:
        return None
    best = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(best[0]), int(best[1])


def span_accuracy(model: AskReader, examples: list[dict], max_words: int) -> float:
    """Share of keys whose best span is one of their answers (or no answer for a key without one)."""
    model.eval()
    right = 0
    with torch.no_grad():
        for first in range(0, len(examples), 64):
            chunk = examples[first:first + 64]
            batch = batch_of(chunk)
            start, end = with_none(*model(*(batch[name] for name in INPUTS)))
            for row, example in enumerate(chunk):
                count = len(example["key_mask"]) + 1
                found = best_span(start[row, :count].numpy(), end[row, :count].numpy(), max_words)
                right += found in example["answers"] if example["answers"] else found is None
    return right / max(len(examples), 1)


def train(examples: list[dict], epochs: int, args: argparse.Namespace, validation: list[dict] | None = None) -> tuple[AskReader, list[float]]:
    """`epochs` of AdamW; with `validation`, the span accuracy after each epoch and the model of the best one."""
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    model = AskReader(examples[0]["word_features"].shape[1], args.hidden, args.dropout)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    curve = []
    order = list(range(len(examples)))
    for epoch in range(epochs):
        model.train()
        rng.shuffle(order)
        for first in range(0, len(order), 32):
            batch = batch_of([examples[index] for index in order[first:first + 32]])
            start, end = with_none(*model(*(batch[name] for name in INPUTS)))
            loss = span_loss(start, batch["starts"], batch["valid"]) + span_loss(end, batch["ends"], batch["valid"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if validation is not None:
            curve.append(span_accuracy(model, validation, args.max_answer_words))
            print(f"epoch {epoch + 1}: validation span accuracy {100 * curve[-1]:.2f}", file=sys.stderr)
            if curve[-1] > max(curve[:-1], default=-1):
                best = copy.deepcopy(model.state_dict())
    if validation is not None:
        model.load_state_dict(best)
    return model, curve


def export(model: AskReader, path: Path, sample: dict[str, Tensor]) -> float:
    """The reader as ONNX (batch and words dynamic); returns the largest |ORT − torch| on `sample`."""
    import onnxruntime as ort

    model.eval()
    feed = tuple(sample[name] for name in INPUTS)
    axes = {name: {0: "batch", 1: "words"} for name in INPUTS + OUTPUTS[:2]} | {"none_logits": {0: "batch"}}
    torch.onnx.export(model, feed, str(path), input_names=list(INPUTS), output_names=list(OUTPUTS),
                      dynamic_axes=axes, opset_version=17, dynamo=False)
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    got = session.run(list(OUTPUTS), {name: value.numpy() for name, value in zip(INPUTS, feed)})
    with torch.no_grad():
        want = model(*feed)
    return max(float(np.abs(a - b.numpy()).max()) for a, b in zip(got, want))


def write_reader(bundle: Path, graph: Path, features: list[str], args: argparse.Namespace, metrics: dict) -> None:
    """Copies the graph into the bundle; tasks.ask.keyLookup gets the reader (a single-task manifest becomes `tasks`).
    `--for-words ocr` adds it as the reader of OCR-read pages (`ocrFile`) beside the bundle's reader, same inputs."""
    path = bundle / "manifest.json"
    manifest = as_tasks_manifest(json.loads(path.read_text()))
    if args.for_words == "ocr":
        reader = manifest["tasks"].get("ask", {}).get("keyLookup", {}).get("reader")
        if reader is None or reader["from"] != features:
            raise ValueError(f"{bundle} has no span reader over {', '.join(features)} to add an OCR reader to")
        shutil.copyfile(graph, bundle / OCR_READER_FILE)
        reader["ocrFile"] = OCR_READER_FILE
        manifest.setdefault("metrics", {})["askReaderOcr"] = metrics
        path.write_text(json.dumps(manifest, indent=2) + "\n")
        return
    shutil.copyfile(graph, bundle / READER_FILE)
    manifest["tasks"]["ask"] = {"labels": [], "keyLookup": {
        "minKeySimilarity": args.min_key_similarity,
        "reader": {"file": READER_FILE, "from": features, "maxAnswerWords": args.max_answer_words}}}
    manifest.setdefault("metrics", {})["askReader"] = metrics
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    threads = args.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    bundle, out = Path(args.bundle), Path(args.out)
    roots = [Path(path) for path in args.data.split(",") if path]
    features = [name for name in args.features.split(",") if name]
    try:
        manifest = json.loads((bundle / "manifest.json").read_text())
        if "extract" not in manifest.get("tasks", {"extract": 1}) or "pairs" not in manifest:
            raise ValueError(f"{bundle} has no extraction head with a key-value head")
        datasets = []
        for root in roots:
            meta = read_metadata(root)
            if meta["task"] != "extract" or not meta.get("pairs"):
                raise ValueError(f"{root} is not an extract dataset with pairs (prepare --format funsd)")
            datasets.append(PreparedDataset(root, "train", manifest["image"]["size"], False))
        if not datasets:
            raise ValueError("--data names no dataset")
        # The forms held out are drawn from the first dataset's; the others hold the same forms read another way.
        _, validation = carve_validation(datasets[0], args.validation_docs, args.seed)
    except (OSError, KeyError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    examples, windows = [], 0
    for index, (root, dataset) in enumerate(zip(roots, datasets)):
        cache = out / f"features-{index}-{root.name}.npz"
        if cache.is_file():
            stored = np.load(cache)
            rows = [stored[str(window)] for window in range(len(dataset))]
        else:
            try:
                rows = window_rows(bundle, dataset, features, threads)
            except ValueError as error:
                print(f"configuration error: {error}", file=sys.stderr)
                return 2
            np.savez(cache, **{str(window): row for window, row in enumerate(rows)})
        examples += [example for window, row in zip(dataset.windows, rows) for example in window_examples(window, row)]
        windows += len(rows)
    held_out = {window["docId"] for window in validation.windows}
    train_examples = [example for example in examples if example["docId"] not in held_out]
    validation_examples = [example for example in examples if example["docId"] in held_out]
    print(f"features of {windows} windows in {time.time() - started:.0f} s; {len(train_examples)} training and "
          f"{len(validation_examples)} validation keys", file=sys.stderr)
    held_out_model, curve = train(train_examples, args.epochs, args, validation_examples)
    chosen = max(range(len(curve)), key=lambda epoch: (curve[epoch], -epoch)) + 1
    # The model of the chosen epoch, trained without the validation forms: what `eval --dataset funsd-qa` on those
    # forms measures (on a staged bundle), before the refit on every form that ships.
    export(held_out_model, out / f"validation-{READER_FILE}", batch_of(validation_examples[:8]))
    model, _ = train(examples, chosen, args)
    graph = out / READER_FILE
    parity = export(model, graph, batch_of(validation_examples[:8]))
    metrics = {"split": "validation", "spanAccuracy": round(curve[chosen - 1], 4), "keys": len(validation_examples),
               "epochs": chosen, "refitOn": "train + validation", "trainingKeys": len(examples), "features": features,
               "hidden": args.hidden, "lr": args.lr, "data": [str(root) for root in roots], "parityMaxAbsDiff": parity}
    (out / "metrics.json").write_text(json.dumps({**metrics, "curve": [round(value, 4) for value in curve]}, indent=2))
    print(f"chosen {chosen} epochs (validation span accuracy {100 * curve[chosen - 1]:.2f}); refitted on "
          f"{len(examples)} keys; ONNX parity {parity:.2e}", file=sys.stderr)
    if args.write:
        try:
            write_reader(bundle, graph, features, args, metrics)
        except ValueError as error:
            print(f"configuration error: {error}", file=sys.stderr)
            return 2
        print(f"wrote the reader ({args.for_words} words) into {bundle}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
