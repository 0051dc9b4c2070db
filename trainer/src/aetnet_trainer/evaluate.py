"""Evaluation per task. extract: entity-level P/R/F1 with seqeval semantics (IOB2, default mode) after merging a
page's windows; classify: per-document accuracy (classify_metrics.py); ask: ANLS and exact match (qa_metrics.py).

CLI: python -m aetnet_trainer.evaluate --checkpoint <run>/best.pt --data <prepared> --split test
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import DataLoader

from .classify_metrics import classification_scores, document_predictions
from .data import PreparedDataset, collate, to_device
from .modeling import task_logits
from .qa_metrics import MAX_ANSWER_TOKENS, decode_question, qa_scores

# The metric that picks best.pt, per task.
SELECTION_METRIC = {"extract": "f1", "classify": "accuracy", "ask": "anls", "joint": "score"}

Entity = tuple[str, int, int]  # (type, first index, last index)


def split_tag(tag: str) -> tuple[str, str]:
    if tag in ("O", ""):
        return "O", "_"
    prefix, _, entity_type = tag.partition("-")
    return prefix, entity_type or "_"


def _ends_chunk(prev_prefix: str, prefix: str, prev_type: str, entity_type: str) -> bool:
    if prev_prefix in ("E", "S"):
        return True
    if prev_prefix in ("B", "I") and prefix in ("B", "S", "O"):
        return True
    return prev_prefix != "O" and prev_type != entity_type


def _starts_chunk(prev_prefix: str, prefix: str, prev_type: str, entity_type: str) -> bool:
    if prefix in ("B", "S"):
        return True
    if prev_prefix in ("E", "S", "O") and prefix in ("E", "I"):
        return True
    return prefix != "O" and prev_type != entity_type


def entities(tags: list[str]) -> list[Entity]:
    """seqeval's lenient chunking: an I- after O or after another type opens a new entity."""
    found, prev_prefix, prev_type, begin = [], "O", "_", 0
    for index, tag in enumerate([*tags, "O"]):
        prefix, entity_type = split_tag(tag)
        if _ends_chunk(prev_prefix, prefix, prev_type, entity_type):
            found.append((prev_type, begin, index - 1))
        if _starts_chunk(prev_prefix, prefix, prev_type, entity_type):
            begin = index
        prev_prefix, prev_type = prefix, entity_type
    return found


def _scores(correct: int, predicted: int, true: int) -> dict:
    precision = correct / predicted if predicted else 0.0
    recall = correct / true if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "support": true}


def pair_link_scores(scores: Tensor, targets: Tensor, roles: Tensor) -> tuple[int, int, int]:
    """(correct, predicted, true) links of a batch of windows: each value entity links to its best-scoring key, or to
    none when the last column (modeling.pair_scores) wins; a value whose key lies outside its window (−100) is not
    counted. Sum over windows, then _scores()."""
    none = scores.shape[-1] - 1
    predicted_key = scores.argmax(-1)
    counted = (roles == 2) & (targets != -100)
    linked, gold = counted & (predicted_key != none), counted & (targets != none)
    return int((linked & (predicted_key == targets)).sum()), int(linked.sum()), int(gold.sum())


def entity_scores(true_sequences: list[list[str]], predicted_sequences: list[list[str]]) -> dict:
    """Micro precision/recall/F1 over all entities, plus the same per entity type."""
    true_set, predicted_set = set(), set()
    for index, (true_tags, predicted_tags) in enumerate(zip(true_sequences, predicted_sequences, strict=True)):
        true_set.update((index, *entity) for entity in entities(true_tags))
        predicted_set.update((index, *entity) for entity in entities(predicted_tags))
    correct = true_set & predicted_set
    per_label = {}
    for entity_type in sorted({entity[1] for entity in true_set | predicted_set}):
        count = lambda items: sum(1 for entity in items if entity[1] == entity_type)
        per_label[entity_type] = _scores(count(correct), count(predicted_set), count(true_set))
    return {**_scores(len(correct), len(predicted_set), len(true_set)), "perLabel": per_label}


def merge_windows(windows: list[dict]) -> dict[tuple[str, int], tuple[list[int], list[int]]]:
    """Per page, the (gold, predicted) label ids of first sub-tokens in page order. A token seen in several
    windows takes its prediction from the window where it is most central (farthest from both edges).

    Each window: docId, page, tokenStart, labels (with [CLS] … [SEP]), predictions (same length)."""
    best: dict[tuple[str, int], dict[int, tuple[int, int, int]]] = defaultdict(dict)
    for window in windows:
        page = best[(window["docId"], window["page"])]
        content = len(window["labels"]) - 2
        for offset in range(content):
            label = window["labels"][offset + 1]
            if label == -100:
                continue
            centrality = min(offset, content - 1 - offset)
            position = window["tokenStart"] + offset
            if position not in page or centrality > page[position][0]:
                page[position] = (centrality, label, window["predictions"][offset + 1])
    return {
        key: ([tokens[p][1] for p in sorted(tokens)], [tokens[p][2] for p in sorted(tokens)])
        for key, tokens in best.items()
    }


@torch.no_grad()
def predict_logits(model, dataset: PreparedDataset, pad_id: int, batch_size: int, device) -> list[np.ndarray]:
    """The model's logits for each window of `dataset`, in order, cut to the window's real tokens."""
    was_training = model.training
    model.eval()
    results = []
    # A private generator keeps evaluation from drawing on the global RNG (a resumed run must replay exactly).
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False, generator=torch.Generator(),
                        collate_fn=lambda items: collate(items, pad_id))
    for batch in loader:
        inputs = {name: value for name, value in to_device(batch, device).items()
                  if name not in ("labels", "start_positions", "end_positions")}
        logits = task_logits(model(inputs).logits, batch["task"]).float().cpu().numpy()
        for row in range(len(logits)):
            length = int(batch["attention_mask"][row].sum())
            results.append(logits[row] if logits.ndim == 2 else logits[row, :length])
    model.train(was_training)
    return results


def bio_transitions(labels: list[str]) -> np.ndarray:
    """(K + 1, K) additive scores: row K is the sequence start. I-X may only follow B-X or I-X; all else is free."""
    def allowed(previous: str | None, tag: str) -> bool:
        return not tag.startswith("I-") or (previous is not None and previous[2:] == tag[2:] and previous[:2] in ("B-", "I-"))
    return np.array([[0.0 if allowed(previous, tag) else -np.inf for tag in labels] for previous in [*labels, None]])


def decode_bio_tags(log_probs: np.ndarray, labels: list[str]) -> list[int]:
    """The most probable tag sequence (Viterbi over per-word log-probabilities (N, K)) among those that are valid BIO:
    no I-X without a B-X or I-X before it. The service decodes the same way (heads/token-classification.ts); on the
    FUNSD validation split it gives F1 64.80 where per-word argmax gives 59.73 (README). Ties: the lowest index."""
    if len(log_probs) == 0:
        return []
    transitions = bio_transitions(labels)
    score = transitions[-1] + log_probs[0]
    back = []
    for row in log_probs[1:]:
        candidates = score[:, None] + transitions[:-1]  # (previous, tag)
        back.append(candidates.argmax(0))
        score = candidates.max(0) + row
    path = [int(score.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    return path[::-1]


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))


def extract_metrics(windows: list[dict], logits: list[np.ndarray], labels: list[str]) -> dict:
    """Entity scores of each page's tags as served: merged windows, then BIO-constrained decoding (decode_bio_tags)."""
    pages = merge_windows([
        {"docId": w["docId"], "page": w["page"], "tokenStart": w["tokenStart"], "labels": w["labels"],
         "predictions": list(log_softmax(window_logits.astype(np.float64)))}
        for w, window_logits in zip(windows, logits, strict=True)
    ])
    true = [[labels[i] for i in gold] for gold, _ in pages.values()]
    predicted = [[labels[i] for i in decode_bio_tags(np.array(rows).reshape(len(rows), len(labels)), labels)]
                 for _, rows in pages.values()]
    tokens = sum(len(sequence) for sequence in true)
    hits = sum(t == p for gold, pred in zip(true, predicted) for t, p in zip(gold, pred))
    return {**entity_scores(true, predicted), "tokenAccuracy": hits / tokens if tokens else 0.0, "pages": len(pages)}


def classify_metrics(windows: list[dict], logits: list[np.ndarray], labels: list[str]) -> dict:
    documents = document_predictions([
        {"docId": w["docId"], "classLabel": w["classLabel"], "logits": window_logits}
        for w, window_logits in zip(windows, logits, strict=True)
    ])
    return classification_scores([(gold, predicted) for gold, predicted, _ in documents.values()], labels)


def ask_metrics(windows: list[dict], logits: list[np.ndarray], max_answer_tokens: int = MAX_ANSWER_TOKENS) -> dict:
    questions: dict[str, list[dict]] = defaultdict(list)
    for window, window_logits in zip(windows, logits, strict=True):
        questions[window["questionId"]].append({**window, "startLogits": window_logits[:, 0],
                                                "endLogits": window_logits[:, 1]})
    predictions, answers = [], []
    for question_windows in questions.values():
        predictions.append(decode_question(question_windows, max_answer_tokens)["answer"])
        answers.append(question_windows[0]["answers"])
    return qa_scores(predictions, answers)


def evaluate_model(model, dataset: PreparedDataset, meta: dict, batch_size: int, device) -> dict:
    logits = predict_logits(model, dataset, meta["specialTokens"]["padId"], batch_size, device)
    task = meta.get("task", "extract")
    if task == "classify":
        return classify_metrics(dataset.windows, logits, meta["labels"])
    if task == "ask":
        return ask_metrics(dataset.windows, logits)
    return extract_metrics(dataset.windows, logits, meta["labels"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.evaluate", description=__doc__)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--split", default="test")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    from .checkpoint import load_checkpoint_model

    model, state = load_checkpoint_model(args.checkpoint)
    dataset = PreparedDataset(args.data, args.split, model.cfg.image_size, with_momentum_view=False)
    metrics = evaluate_model(model, dataset, state["dataset"], args.batch_size, torch.device("cpu"))
    print(json.dumps(metrics, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
