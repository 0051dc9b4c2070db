"""Key-value head on a served extraction model: python -m aetnet_trainer.train_pairs --data <prepared dir with
pairs> --init-bundle <bundle> --out <run dir>.

The bundle's fusion, alignment encoders and token head stay as they are (its gated entity F1 is kept); only the
key-value head trains, on the fused features of each training window, computed once: an epoch takes seconds where
the backbone's forward takes a minute. Epochs are chosen on the validation split (link F1, evaluate.pair_link_scores);
best.pt and last.pt are ordinary run checkpoints, so `python -m aetnet_trainer.export --int8` writes the bundle.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import torch

from . import train
from .checkpoint import save_checkpoint
from .config import ConfigError
from .data import PreparedDataset, carve_validation, collate, read_metadata, to_device
from .evaluate import _scores, evaluate_model, pair_link_scores
from .modeling import TokenPairHead, pair_loss, pair_scores
from .pretrained import PretrainedMissing


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.train_pairs", description=__doc__)
    parser.add_argument("--data", required=True, help="prepared extract dataset whose dataset.json has pairs: true")
    parser.add_argument("--init-bundle", required=True, help="served extraction bundle with the dataset's labels")
    parser.add_argument("--config", default="mpnet6", choices=train.PRESETS, help="the bundle's preset")
    parser.add_argument("--out", required=True, help="run directory")
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--lr", type=float, default=1e-3, help="the geometry MLP's learning rate")
    parser.add_argument("--semantic-lr", type=float, default=1e-3,
                        help="the key and value projections' (0: they stay at their start, the geometry alone scores; "
                        "on FUNSD validation 1e-3 gave link F1 95.74, 3e-5 94.68, 0 94.68)")
    parser.add_argument("--validation-docs", type=int, default=20)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int)
    return parser.parse_args(argv)


def cached_windows(model, dataset: PreparedDataset, pad_id: int) -> list[dict]:
    """Per window with a key or value entity: the key-value targets, and the fused tokens the entities pool (1, T, H)
    with the pooling weights cut to them (the head is per token, so pooling after it is unchanged)."""
    rows = []
    with torch.no_grad():
        for index in range(len(dataset)):
            batch = to_device(collate([dataset[index]], pad_id), torch.device("cpu"))
            if batch["pair_roles"].sum() == 0:
                continue
            pooled = batch["pair_pool"][0].sum(0) > 0
            rows.append({"fused": model.encode(batch)[0][:, :pooled.shape[0]][:, pooled],
                         "pair_pool": batch["pair_pool"][:, :, pooled],
                         **{name: batch[name] for name in ("pair_roles", "pair_targets", "pair_boxes")}})
    return rows


def window_scores(head, row: dict) -> torch.Tensor:
    keys, values = head(row["fused"])
    return pair_scores(keys, values, row["pair_pool"], row["pair_roles"], head.geometry_scores(row["pair_boxes"]))


def link_f1(head, rows: list[dict]) -> dict:
    head.eval()
    with torch.no_grad():
        counts = [pair_link_scores(window_scores(head, row), row["pair_targets"], row["pair_roles"]) for row in rows]
    head.train()
    return _scores(*(sum(values) for values in zip(*counts)))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    data, out = Path(args.data), Path(args.out)
    try:
        meta = read_metadata(data)
        if meta["task"] != "extract" or not meta.get("pairs"):
            raise ConfigError(f"{data} has no key-value links (dataset.json: task extract with pairs: true)")
        run_args = train.parse_args(["--data", str(data), "--config", args.config, "--out", str(out), "--init-bundle",
                                     args.init_bundle, "--validation-docs", str(args.validation_docs),
                                     "--seed", str(args.seed), "--epochs", str(args.epochs), "--lr", str(args.lr)])
        tokenizer_json = (data / meta["tokenizer"]).read_text()
        vocabulary = json.loads(tokenizer_json)["model"]["vocab"]
        config = train.build_run_config(run_args, meta, len(vocabulary))
        train.seed_everything(args.seed)
        model, loaded = train.build_model(config, vocabulary, meta["labels"])
        if not any(name.startswith("head.") and not name.startswith("head.pairs.") for name in loaded):
            raise ConfigError(f"{args.init_bundle}'s entity labels are not the dataset's: its token head would be new")
        train_set, validation = carve_validation(PreparedDataset(data, "train", config.model.image_size, False),
                                                 args.validation_docs, args.seed)
    except (ConfigError, PretrainedMissing, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    assert isinstance(model.head, TokenPairHead)
    model.eval()
    started = time.time()
    pad_id = config.model.pad_id
    train_rows, validation_rows = cached_windows(model, train_set, pad_id), cached_windows(model, validation, pad_id)
    entity_metrics = evaluate_model(model, validation, meta, config.train.batch_size, torch.device("cpu"))
    print(f"features of {len(train_rows)} training and {len(validation_rows)} validation windows in "
          f"{time.time() - started:.0f} s; validation entity F1 {100 * entity_metrics['f1']:.2f}", file=sys.stderr)

    head = model.head.pairs
    head.train()
    semantic = [*head.keys.parameters(), *head.values.parameters()]
    if args.semantic_lr <= 0:
        for param in semantic:
            param.requires_grad_(False)
    groups = [{"params": list(head.geometry.parameters()), "lr": args.lr}]
    groups += [{"params": semantic, "lr": args.semantic_lr}] if args.semantic_lr > 0 else []
    optimizer = torch.optim.AdamW(groups, lr=args.lr, weight_decay=config.train.weight_decay)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    out.mkdir(parents=True, exist_ok=True)
    (out / "config.json").write_text(json.dumps({**config.to_dict(), "dataset": meta, "pairs": vars(args)}, indent=2))
    log = train.RunLog(out / "log.jsonl", True)
    checkpoint_meta = {**meta, "tokenizerJson": tokenizer_json, "dataPath": str(data.resolve())}
    best, step, metrics = -1.0, 0, {}
    for epoch in range(args.epochs):
        random.Random(args.seed + epoch).shuffle(train_rows)
        for row in train_rows:
            keys, values = head(row["fused"])
            loss = pair_loss({"pair_keys": keys, "pair_values": values}, row, head.geometry_scores(row["pair_boxes"]))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            step += 1
        scores = link_f1(head, validation_rows)
        metrics = {**entity_metrics, "pairs": scores}
        log.write("eval", epoch=epoch + 1, step=step, split="validation", **metrics)
        print(f"epoch {epoch + 1}: validation link F1 {100 * scores['f1']:.2f}", file=sys.stderr)
        save = lambda name: save_checkpoint(out / name, model, optimizer, scheduler, config, checkpoint_meta, step,
                                            epoch + 1, best, metrics)
        if scores["f1"] > best:
            best = scores["f1"]
            save("best.pt")
        save("last.pt")
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
    log.write("done", step=step, epochs=args.epochs, bestScore=best, selectionMetric="pairs.f1",
              seconds=round(time.time() - started, 1))
    print(f"best validation link F1 {100 * best:.2f} in {time.time() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
