"""Classification head on a served bundle's backbone, the graph left byte for byte as it is:
python -m aetnet_trainer.classify_head --bundle <bundle> --data <prepared classify dir> --out <run dir> [--write].

The head is linear over the mean of per-token graph outputs the bundle already has (by default the key-value head's
`pair_keys` and `pair_values`, 2 × 128 projections of the fused tokens), pooled over a window's word tokens. It runs
in the service from the manifest (`tasks.classify.linear`), so adding it changes manifest.json only, not the ONNX
file every clone downloads. Features come from the bundle's own int8 session (what serving computes), once per
window; the head is a multinomial logistic regression on standardised features (L-BFGS, the standardisation folded
into the weights), its L2 strength chosen on a validation split carved from the training documents, then refitted
on all training documents. `--write` adds the head to the bundle's manifest (a single-task manifest becomes `tasks`).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

from .classify_metrics import classification_scores, document_predictions
from .bundle_outputs import window_outputs
from .data import PreparedDataset, carve_validation, read_metadata

DEFAULT_FEATURES = ("pair_keys", "pair_values")
POOLING = "mean-word-tokens"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.classify_head", description=__doc__)
    parser.add_argument("--bundle", required=True, help="served bundle whose graph outputs the pooled features")
    parser.add_argument("--data", required=True, help="prepared classify dataset (npm run prepare -- --task classify)")
    parser.add_argument("--out", required=True, help="run directory: features, head.json, metrics.json")
    parser.add_argument("--features", default=",".join(DEFAULT_FEATURES), help="per-token graph outputs to pool")
    parser.add_argument("--l2", default="1e-4,1e-3,1e-2,1e-1", help="L2 strengths tried on validation")
    parser.add_argument("--validation-docs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int)
    parser.add_argument("--write", action="store_true", help="add the head to the bundle's manifest.json")
    return parser.parse_args(argv)


def pool_window(outputs: list[np.ndarray], word_ids: list[int]) -> np.ndarray:
    """The mean of each (T, D) output over the window's word tokens (all its tokens when it has none), concatenated.
    The service pools the same way (heads/sequence-classification.ts pooledFeatures)."""
    rows = [index for index, word in enumerate(word_ids) if word >= 0] or list(range(len(word_ids)))
    return np.concatenate([output[rows].mean(axis=0) for output in outputs]).astype(np.float64)


def window_features(bundle: Path, dataset: PreparedDataset, features: list[str], threads: int) -> np.ndarray:
    """One pooled feature row per window, from the bundle's own ONNX session, one window at a time (no padding)."""
    return np.stack([pool_window(outputs, window["wordIds"])
                     for outputs, window in zip(window_outputs(bundle, dataset, features, threads), dataset.windows)])


def fit_logistic(features: np.ndarray, labels: np.ndarray, classes: int, l2: float) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression on standardised features; returns (weight (C, D), bias (C,)) that act on the
    raw features (standardisation folded in)."""
    mean, std = features.mean(axis=0), features.std(axis=0) + 1e-6
    x = torch.tensor((features - mean) / std, dtype=torch.float64)
    y = torch.tensor(labels, dtype=torch.long)
    weight = torch.zeros((classes, x.shape[1]), dtype=torch.float64, requires_grad=True)
    bias = torch.zeros(classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1, max_iter=500, history_size=20, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ weight.T + bias, y) + l2 * (weight ** 2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    folded = weight.detach().numpy() / std
    return folded, bias.detach().numpy() - folded @ mean


def document_scores(features: np.ndarray, dataset: PreparedDataset, head: tuple[np.ndarray, np.ndarray], labels: list[str]) -> dict:
    weight, bias = head
    windows = [{"docId": window["docId"], "classLabel": window["classLabel"], "logits": row}
               for window, row in zip(dataset.windows, features @ weight.T + bias)]
    return classification_scores([(gold, predicted) for gold, predicted, _ in document_predictions(windows).values()], labels)


def as_tasks_manifest(manifest: dict) -> dict:
    """A single-task manifest (task, labels, outputs named by role) → the `tasks` form that several heads share."""
    if "tasks" in manifest:
        return manifest
    task = manifest.pop("task")
    roles = ["start_logits", "end_logits"] if task == "ask" else ["logits"]
    head = {"labels": manifest.pop("labels"), "outputs": {role: role for role in roles}}
    for limit in ("maxQuestionTokens", "maxAnswerTokens"):
        if limit in manifest:
            head[limit] = manifest.pop(limit)
    return {**manifest, "tasks": {task: head}}


def write_head(bundle: Path, labels: list[str], features: list[str], head: tuple[np.ndarray, np.ndarray], metrics: dict) -> None:
    """tasks.classify = labels + the linear head (a single-task manifest becomes `tasks` first)."""
    path = bundle / "manifest.json"
    manifest = as_tasks_manifest(json.loads(path.read_text()))
    weight, bias = head
    manifest["tasks"]["classify"] = {"labels": labels, "linear": {
        "from": features, "pooling": POOLING,
        "weight": [[float(f"{value:.6g}") for value in row] for row in weight], "bias": [float(f"{value:.6g}") for value in bias]}}
    manifest.setdefault("metrics", {})["classify"] = metrics
    path.write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    threads = args.threads or len(os.sched_getaffinity(0))
    torch.set_num_threads(threads)
    bundle, data, out = Path(args.bundle), Path(args.data), Path(args.out)
    features = [name for name in args.features.split(",") if name]
    try:
        meta = read_metadata(data)
        if meta["task"] != "classify":
            raise ValueError(f"{data} is a {meta['task']} dataset, not classify")
        manifest = json.loads((bundle / "manifest.json").read_text())
        size = manifest["image"]["size"]
        train_set, validation = carve_validation(PreparedDataset(data, "train", size, False), args.validation_docs, args.seed)
        strengths = [float(value) for value in args.l2.split(",")]
    except (OSError, KeyError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    cache = out / "features.npz"
    if cache.is_file():
        stored = np.load(cache)
        train_x, validation_x = stored["train"], stored["validation"]
    else:
        try:
            train_x = window_features(bundle, train_set, features, threads)
            validation_x = window_features(bundle, validation, features, threads)
        except ValueError as error:
            print(f"configuration error: {error}", file=sys.stderr)
            return 2
        np.savez(cache, train=train_x, validation=validation_x)
    print(f"features of {len(train_x)} training and {len(validation_x)} validation windows in "
          f"{time.time() - started:.0f} s", file=sys.stderr)
    labels = meta["labels"]
    train_y = np.array([window["classLabel"] for window in train_set.windows])
    tried = {}
    for l2 in strengths:
        scores = document_scores(validation_x, validation, fit_logistic(train_x, train_y, len(labels), l2), labels)
        tried[l2] = scores["accuracy"]
        print(f"L2 {l2:g}: validation accuracy {100 * scores['accuracy']:.2f} ({scores['documents']} documents)", file=sys.stderr)
    chosen = max(strengths, key=lambda l2: (tried[l2], l2))
    all_x = np.concatenate([train_x, validation_x])
    all_y = np.concatenate([train_y, [window["classLabel"] for window in validation.windows]])
    head = fit_logistic(all_x, all_y, len(labels), chosen)
    metrics = {"split": "validation", "accuracy": tried[chosen], "documents": len({w["docId"] for w in validation.windows}),
               "l2": chosen, "features": features, "pooling": POOLING, "refitOn": "train + validation",
               "trainingWindows": int(len(all_x))}
    (out / "head.json").write_text(json.dumps({"weight": head[0].tolist(), "bias": head[1].tolist()}))
    (out / "metrics.json").write_text(json.dumps({**metrics, "tried": {str(k): v for k, v in tried.items()}}, indent=2))
    print(f"chosen L2 {chosen:g} (validation accuracy {100 * tried[chosen]:.2f}); refitted on {len(all_x)} windows",
          file=sys.stderr)
    if args.write:
        write_head(bundle, labels, features, head, metrics)
        print(f"wrote tasks.classify into {bundle / 'manifest.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
