"""Sequence classification: per-document aggregation of window predictions, accuracy, per-class P/R/F1, confusion."""

from __future__ import annotations

from collections import defaultdict

import numpy as np


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def document_predictions(windows: list[dict]) -> dict[str, tuple[int, int, np.ndarray]]:
    """windows: each with `docId`, `classLabel`, `logits` (C,). Per document: (gold class, predicted class,
    mean of its windows' probabilities over all pages)."""
    probabilities: dict[str, list[np.ndarray]] = defaultdict(list)
    gold: dict[str, int] = {}
    for window in windows:
        probabilities[window["docId"]].append(softmax(np.asarray(window["logits"], dtype=np.float64)))
        gold[window["docId"]] = window["classLabel"]
    result = {}
    for doc_id, rows in probabilities.items():
        mean = np.mean(rows, axis=0)
        result[doc_id] = (gold[doc_id], int(np.argmax(mean)), mean)
    return result


def classification_scores(pairs: list[tuple[int, int]], labels: list[str]) -> dict:
    """pairs: (gold, predicted) class per document. `confusion[g][p]` counts documents of class g predicted p."""
    confusion = [[0] * len(labels) for _ in labels]
    for gold, predicted in pairs:
        confusion[gold][predicted] += 1
    per_label = {}
    for index, name in enumerate(labels):
        correct = confusion[index][index]
        predicted = sum(row[index] for row in confusion)
        support = sum(confusion[index])
        precision = correct / predicted if predicted else 0.0
        recall = correct / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label[name] = {"precision": precision, "recall": recall, "f1": f1, "support": support}
    hits = sum(confusion[i][i] for i in range(len(labels)))
    return {
        "accuracy": hits / len(pairs) if pairs else 0.0,
        "macroF1": sum(scores["f1"] for scores in per_label.values()) / len(labels) if labels else 0.0,
        "perLabel": per_label, "confusion": confusion, "documents": len(pairs),
    }
