"""Training CLI: python -m aetnet_trainer.train --data <prepared dir> --config tiny|small|base --out <run dir>.

Writes <out>/config.json, log.jsonl (one JSON line per step/eval, plus a final "done"), last.pt, best.pt and
metrics.json. Runs under torchrun (DDP) when WORLD_SIZE > 1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import ConcatDataset, DataLoader
from tqdm import tqdm

from .alignment import distillation_alpha
from .bundle_weights import load_bundle_weights
from .checkpoint import restore_rng, save_checkpoint
from .config import (INITS, PITA_VARIANTS, PRESETS, SCHEDULES, ConfigError, RunConfig, apply_schedule, parse_loss_weights,
                     preset, resolve_loss_weights, validate)
from .data import (PreparedDataset, carve_validation, collate, joint_metadata, parse_data_spec, read_metadata,
                   to_device, tokenizer_vocab_size)
from .evaluate import SELECTION_METRIC, evaluate_model
from .modeling import LOSS_TERMS, AETNetForTask, build_task_model
from .pretrained import PretrainedMissing, load_minilm, load_mpnet, load_run_checkpoint, pretrained_tokenizer

NO_DECAY_NAMES = ("pos_embed", "cls_token", "position_embeddings", "temperature")
PAIR_DIM = 128  # key-value head projection width (modeling.KeyValueHead)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.train", description=__doc__)
    parser.add_argument("--data", required=True, action="append",
                        help="prepared dataset directory; several as TASK=DIR[@WEIGHT] train one joint model "
                        "(one head per task, task-sampled batches)")
    parser.add_argument("--config", default="small", choices=PRESETS)
    parser.add_argument("--out", required=True, help="run directory")
    parser.add_argument("--plain", action="store_true", help="task loss only, no alignment encoders")
    parser.add_argument("--loss-preset", default="code-funsd")
    parser.add_argument("--loss-weights", help="overrides, e.g. task=1,ditc=0.5")
    parser.add_argument("--alpha", type=float, default=0.0, help="DITC momentum-distillation weight")
    parser.add_argument("--pita", default="infonce", choices=PITA_VARIANTS)
    parser.add_argument("--pita-rule", default="inside", choices=("inside", "center"))
    parser.add_argument("--schedule", default="full", choices=tuple(SCHEDULES),
                        help="quick: few epochs with the word embeddings and lower half of the fusion frozen")
    parser.add_argument("--epochs", type=int, help="default: the schedule's, else the preset's")
    parser.add_argument("--max-steps", type=int, help="stop after this many steps in total; the LR schedule still "
                        "spans --epochs, so a stopped run resumes exactly")
    parser.add_argument("--batch-size", type=int, help="per process")
    parser.add_argument("--lr", type=float)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--init", choices=INITS, help="pretrained text side (default: the preset's)")
    parser.add_argument("--init-checkpoint", help="start from the weights of an earlier run's checkpoint (matching "
                        "names and shapes; a single-task head becomes the joint model's head of its task)")
    parser.add_argument("--init-bundle", help="warm start from a served bundle: its fusion and alignment encoders, "
                        "and its head when its labels are the dataset's (weights read back from its ONNX)")
    parser.add_argument("--validation-docs", type=int, default=0,
                        help="carve this many documents (fixed by --seed) out of train as the validation split; "
                        "best.pt is then chosen on it and the test split is never read")
    parser.add_argument("--group-by-length", type=int, default=16, metavar="BATCHES",
                        help="sort windows by length within pools of this many batches (1 = plain shuffle)")
    parser.add_argument("--layoutlmv3-dir", help="local microsoft/layoutlmv3-base directory for the fusion")
    parser.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    parser.add_argument("--eval-every-epoch", action="store_true")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: the cores this process may use)")
    parser.add_argument("--workers", type=int, default=0, help="data-loader worker processes")
    return parser.parse_args(argv)


def build_run_config(args: argparse.Namespace, meta: dict, vocab_size: int) -> RunConfig:
    config = preset(args.config)
    model, train = config.model, config.train
    model.vocab_size, model.pad_id = vocab_size, meta["specialTokens"]["padId"]
    model.task = meta["task"]
    if meta["task"] == "joint":
        model.num_labels, model.head_labels = 0, {task: len(labels) for task, labels in meta["labels"].items()}
    else:
        model.num_labels = len(meta["labels"])
    model.pair_dim = PAIR_DIM if meta["task"] == "extract" and meta.get("pairs") else 0
    model.max_length = min(model.max_length, meta["maxLength"])
    model.image_size = meta["imageSize"] if args.config == "tiny" else model.image_size
    config.plain = args.plain
    if args.init is not None:
        config.init = args.init
    config.layoutlmv3_dir = args.layoutlmv3_dir
    if args.layoutlmv3_dir:
        model.text_encoder = "roberta" if meta["specialTokens"]["padId"] == 1 else model.text_encoder
    apply_schedule(config, args.schedule, args.epochs)
    for name, value in (("batch_size", args.batch_size), ("lr", args.lr)):
        if value is not None:
            setattr(train, name, value)
    train.max_steps, train.seed, train.alpha = args.max_steps, args.seed, args.alpha
    train.validation_docs, train.init_checkpoint = args.validation_docs, args.init_checkpoint
    train.init_bundle = args.init_bundle
    train.loss_preset, train.pita_variant, train.pita_rule = args.loss_preset, args.pita, args.pita_rule
    train.loss_weights = resolve_loss_weights(args.loss_preset, parse_loss_weights(args.loss_weights))
    if meta["maxLength"] > model.max_length:
        raise ConfigError(
            f"the dataset's windows are up to {meta['maxLength']} tokens but config {args.config} allows {model.max_length}"
        )
    return config


def check_pretrained_tokenizer(data_dir: Path, meta: dict, init: str) -> None:
    """The dataset must be tokenized with the vocabulary the pretrained weights were trained on."""
    expected = pretrained_tokenizer(init)
    if expected is None:
        return
    ours = json.loads((data_dir / meta["tokenizer"]).read_text())["model"].get("vocab") or {}
    theirs = json.loads(expected.read_text())["model"]["vocab"]
    if ours != theirs:
        raise ConfigError(
            f"--init {init} needs the dataset prepared with {expected} (vocabulary of {len(theirs)} tokens); "
            f"{data_dir / meta['tokenizer']} has a different vocabulary of {len(ours)} tokens"
        )


def build_model(config: RunConfig, vocabulary: dict | None = None, labels=None) -> tuple[AETNetForTask, list[str]]:
    model = build_task_model(config, config.train.loss_weights)
    pretrained = ["fusion."] if config.layoutlmv3_dir else []
    if config.init == "minilm":
        pretrained += load_minilm(model)
    if config.init == "mpnet":
        pretrained += load_mpnet(model)
    if config.train.init_checkpoint:
        pretrained += load_run_checkpoint(model, config.train.init_checkpoint, vocabulary or {})
    if config.train.init_bundle:
        loaded, kept_heads = load_bundle_weights(model, config.train.init_bundle, vocabulary or {}, labels)
        pretrained += loaded
        print(f"warm start from {config.train.init_bundle}: {len(loaded)} tensors, head kept for "
              f"{', '.join(kept_heads) or 'no task (other labels: a new head)'}", file=sys.stderr)
    model.sync_momentum()
    freeze_lower_layers(model, config.train.frozen_layers)
    return model, pretrained


def freeze_lower_layers(model: AETNetForTask, layers: int) -> None:
    """The word embeddings (tied with the alignment text encoder's) and the fusion's lowest `layers` blocks stop
    training. The 2-D position and visual embeddings below them still train: a cold start's layout begins at zero."""
    if layers <= 0:
        return
    for module in (model.fusion.embeddings.word_embeddings, *model.fusion.encoder.layer[:layers]):
        module.requires_grad_(False)


def parameter_groups(model: torch.nn.Module, pretrained_prefixes: list[str], lr: float, pretrained_lr: float,
                     weight_decay: float) -> list[dict]:
    """docs/method.md §5.1: no decay on τ, biases, norms, pos/cls and 1-D/2-D position tables; lower LR on
    pretrained parts."""
    groups: dict[tuple[bool, bool], list] = {}
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        no_decay = param.ndim <= 1 or any(key in name for key in NO_DECAY_NAMES) or "_position_embeddings" in name
        pretrained = any(name.startswith(prefix) for prefix in pretrained_prefixes)
        groups.setdefault((pretrained, no_decay), []).append(param)
    return [
        {"params": params, "lr": pretrained_lr if pretrained else lr, "weight_decay": 0.0 if no_decay else weight_decay}
        for (pretrained, no_decay), params in sorted(groups.items())
    ]


def lr_factor(step: int, total_steps: int, warmup_steps: int, base_lr: float, min_lr: float) -> float:
    """Linear warmup, then cosine from base_lr down to min_lr, as a multiplier of base_lr."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    progress = min(1.0, (step - warmup_steps) / max(1, total_steps - warmup_steps))
    return (min_lr + (base_lr - min_lr) * 0.5 * (1 + math.cos(math.pi * progress))) / base_lr


def epoch_batches(lengths: list[int], batch_size: int, seed: int, epoch: int, rank: int, world: int,
                  pool_batches: int = 1) -> list[list[int]]:
    """Shuffled, sharded, full batches only (the queue needs K % global batch == 0). With pool_batches > 1 the
    shuffled windows are sorted by length within pools of that many global batches, and the batches shuffled
    again: a batch then holds windows of similar length, so padding to its longest costs little."""
    generator = torch.Generator().manual_seed(seed + epoch)
    order = torch.randperm(len(lengths), generator=generator).tolist()
    global_batch = batch_size * world
    order = order[:(len(order) // global_batch) * global_batch]
    pool = global_batch * max(1, pool_batches)
    if pool_batches > 1:
        order = [index for start in range(0, len(order), pool)
                 for index in sorted(order[start:start + pool], key=lambda i: lengths[i])]
    global_batches = [order[i:i + global_batch] for i in range(0, len(order), global_batch)]
    if pool_batches > 1:
        global_batches = [global_batches[i] for i in torch.randperm(len(global_batches), generator=generator).tolist()]
    return [batch[rank::world] for batch in global_batches]


def joint_score(per_part: dict[str, dict], selection_sets: list) -> dict:
    """A joint run's selection score: the mean over parts of each part's own selection metric."""
    scores = {name: per_part[name][SELECTION_METRIC[part_meta["task"]]] for name, _, part_meta in selection_sets}
    return {"score": sum(scores.values()) / len(scores), "scores": scores, "parts": per_part}


def joint_batches(parts: list[tuple[list[int], float]], batch_size: int, seed: int, epoch: int, rank: int, world: int,
                  pool_batches: int = 1) -> list[list[int]]:
    """The batches of one epoch over concatenated parts, given as (window lengths, weight): each part gives
    weight × its own batches (whole passes, then the start of one more), offset into the concatenation; with
    several parts they are shuffled together, so a step trains one task and the tasks interleave. One part of
    weight 1 gives exactly epoch_batches()."""
    batches, offset = [], 0
    for index, (lengths, weight) in enumerate(parts):
        passes = math.ceil(weight)
        own = []
        for repeat in range(passes):
            # Each pass of each epoch draws its own order, so a fractional share sees other windows each epoch.
            own += epoch_batches(lengths, batch_size, seed + 1000 * index + 100 * repeat, epoch * passes + repeat,
                                 rank, world, pool_batches)
        own = own[:round(weight * len(own) / passes)]
        batches += [[offset + i for i in batch] for batch in own]
        offset += len(lengths)
    if len(parts) > 1:
        order = torch.randperm(len(batches), generator=torch.Generator().manual_seed(seed + epoch)).tolist()
        batches = [batches[i] for i in order]
    return batches


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


class RunLog:
    """Appends one JSON object per line to <out>/log.jsonl; the service tails this file."""

    def __init__(self, path: Path, enabled: bool):
        self.file = path.open("a") if enabled else None

    def write(self, event: str, **fields) -> None:
        if self.file:
            self.file.write(json.dumps({"event": event, **fields}) + "\n")
            self.file.flush()


def autocast_context(device: torch.device):
    if device.type != "cuda":
        return contextlib.nullcontext()
    dtype = torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.autocast("cuda", dtype=dtype)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    world, rank = int(os.environ.get("WORLD_SIZE", "1")), int(os.environ.get("RANK", "0"))
    torch.set_num_threads(args.threads or len(os.sched_getaffinity(0)))
    out = Path(args.out)
    try:
        specs = [parse_data_spec(value) for value in args.data]
        if len(specs) > 1 and any(spec.task is None for spec in specs):
            raise ValueError("several --data need TASK=DIR each")
        metas = [read_metadata(spec.path) for spec in specs]
        tokenizers = [(spec.path / meta["tokenizer"]).read_text() for spec, meta in zip(specs, metas)]
        meta = metas[0] if len(specs) == 1 and specs[0].task is None else joint_metadata(specs, metas, tokenizers)
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    data_dir, tokenizer_json = specs[0].path, tokenizers[0]
    try:
        config = build_run_config(args, meta, tokenizer_vocab_size(data_dir, meta))
        validate(config, world)
        check_pretrained_tokenizer(data_dir, meta, config.init)
    except (ConfigError, PretrainedMissing) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2

    if meta["imageSize"] != config.model.image_size:
        # The service resizes the page once, straight to the model's size; a dataset prepared at another size is
        # resized twice here, and the served score drifts from the trainer's (0.2 F1 measured on FUNSD, mpnet6).
        print(f"warning: the dataset's images are {meta['imageSize']} px and config {args.config} trains at "
              f"{config.model.image_size} px; prepare with --image-size {config.model.image_size} so training sees "
              "the pixels serving computes", file=sys.stderr)
    if world > 1:
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local_rank}" if torch.cuda.is_available() else "cpu")
    if device.type == "cuda":
        torch.cuda.set_device(device)
    seed_everything(config.train.seed + rank)
    out.mkdir(parents=True, exist_ok=True)
    train_cfg = config.train

    try:
        vocabulary = json.loads(tokenizer_json)["model"].get("vocab") or {}
        model, pretrained = build_model(config, vocabulary, meta["labels"])
    except ValueError as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    model.to(device)
    parts = list(zip(specs, metas)) if meta["task"] == "joint" else [(specs[0], meta)]
    train_parts, selection_sets, selection_split = [], [], None
    for spec, part_meta in parts:
        part = PreparedDataset(spec.path, "train", config.model.image_size, not config.plain, train_cfg.seed)
        if train_cfg.validation_docs:
            try:
                part, selection = carve_validation(part, train_cfg.validation_docs, train_cfg.seed)
            except ValueError as error:
                print(f"configuration error: {spec.path}: {error}", file=sys.stderr)
                return 2
            selection_sets.append((spec.name, selection, part_meta))
            selection_split = "validation"
        elif (spec.path / "test.jsonl").exists():
            selection_sets.append((spec.name, PreparedDataset(spec.path, "test", config.model.image_size, False), part_meta))
            selection_split = "test"
        train_parts.append((part, spec.weight))
    train_set = train_parts[0][0] if len(train_parts) == 1 else ConcatDataset([part for part, _ in train_parts])
    train_windows = sum(len(part.windows) for part, _ in train_parts)

    part_lengths = [([len(window["inputIds"]) for window in part.windows], weight) for part, weight in train_parts]
    batches_of = lambda epoch: joint_batches(part_lengths, train_cfg.batch_size, train_cfg.seed, epoch, rank, world,
                                            args.group_by_length)

    steps_per_epoch = len(batches_of(0))
    if steps_per_epoch == 0:
        print(f"configuration error: {train_windows} training windows do not fill one global batch of "
              f"{train_cfg.batch_size * world}", file=sys.stderr)
        return 2
    total_steps = steps_per_epoch * train_cfg.epochs
    stop_step = total_steps if train_cfg.max_steps is None else min(total_steps, train_cfg.max_steps)
    warmup_steps = max(1, round(train_cfg.warmup_fraction * total_steps))

    groups = parameter_groups(model, pretrained, train_cfg.lr, train_cfg.pretrained_lr, train_cfg.weight_decay)
    optimizer = torch.optim.AdamW(groups, lr=train_cfg.lr)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, [
        (lambda step, base=group["lr"]: lr_factor(step, total_steps, warmup_steps, base, train_cfg.min_lr))
        for group in groups
    ])
    step, start_epoch, best_score, metrics = 0, 0, -1.0, {}
    if args.resume and (out / "last.pt").exists():
        state = torch.load(out / "last.pt", map_location=device, weights_only=False)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        step, start_epoch, metrics = state["step"], state["epoch"], state["metrics"]
        best_score = state["best_score"] if "best_score" in state else state["best_f1"]  # runs started before classify/ask
        restore_rng(state["rng"])
    is_main = rank == 0
    if is_main:
        (out / "config.json").write_text(json.dumps({**config.to_dict(), "dataset": meta}, indent=2))
    log = RunLog(out / "log.jsonl", is_main)
    trainable = model
    if world > 1:
        unused = config.plain is False and min(train_cfg.loss_weights.values()) <= 0
        trainable = DistributedDataParallel(model, device_ids=[local_rank] if device.type == "cuda" else None,
                                            find_unused_parameters=unused)
    use_scaler = device.type == "cuda" and not torch.cuda.is_bf16_supported()
    scaler = torch.amp.GradScaler("cuda", enabled=use_scaler)

    checkpoint_meta = {**meta, "tokenizerJson": tokenizer_json, "dataPath": str(data_dir.resolve())}
    selection_metric = SELECTION_METRIC[meta["task"]]

    def evaluate_and_checkpoint(epoch_done: int, evaluate: bool) -> None:
        nonlocal best_score, metrics
        if is_main and evaluate and selection_sets:
            per_part = {name: evaluate_model(model, selection, part_meta, train_cfg.batch_size, device)
                        for name, selection, part_meta in selection_sets}
            metrics = per_part[selection_sets[0][0]] if meta["task"] != "joint" else joint_score(per_part, selection_sets)
            log.write("eval", epoch=epoch_done, step=step, split=selection_split, **metrics)
        if is_main:
            save_checkpoint(out / "last.pt", model, optimizer, scheduler, config, checkpoint_meta, step, epoch_done,
                            best_score, metrics)
            score = metrics.get(selection_metric, 0.0) if evaluate else -1.0
            if score > best_score or not (out / "best.pt").exists():
                best_score = max(best_score, score)
                save_checkpoint(out / "best.pt", model, optimizer, scheduler, config, checkpoint_meta, step, epoch_done,
                                best_score, metrics)
        if world > 1:
            dist.barrier()

    started, start_step = time.time(), step
    train_seconds, samples_seen = 0.0, 0
    progress = tqdm(total=stop_step, initial=step, disable=not is_main, dynamic_ncols=True)
    epoch = start_epoch
    if stop_step == 0:
        evaluate_and_checkpoint(0, True)  # --max-steps 0: the starting weights as a checkpoint (a warm start's check)
    while step < stop_step:
        batches = batches_of(epoch)[step - epoch * steps_per_epoch:]  # resuming mid-epoch skips the batches already seen
        for part, _ in train_parts:
            part.set_epoch(epoch)
        # Its own generator: creating a loader must not draw from the global RNG that --resume restores.
        loader = DataLoader(train_set, batch_sampler=batches, num_workers=args.workers,
                            generator=torch.Generator().manual_seed(train_cfg.seed + epoch),
                            collate_fn=lambda items: collate(items, config.model.pad_id))
        model.train()
        for batch in loader:
            step_started = time.time()
            model.alpha = distillation_alpha(train_cfg.alpha, epoch, step - epoch * steps_per_epoch, steps_per_epoch)
            with autocast_context(device):
                output = trainable(to_device(batch, device))
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(output.loss).backward()
            scaler.unscale_(optimizer)
            torch.nn.utils.clip_grad_norm_(model.parameters(), train_cfg.grad_clip)
            scaler.step(optimizer)
            scaler.update()
            step_lr = optimizer.param_groups[0]["lr"]
            scheduler.step()
            step += 1
            train_seconds += time.time() - step_started
            samples_seen += len(batch["input_ids"]) * world
            terms = {name: float(output.terms[name].detach()) for name in LOSS_TERMS}
            terms["total"] = float(output.loss.detach())
            elapsed = time.time() - started
            eta = elapsed / (step - start_step) * (stop_step - step)
            log.write("step", epoch=epoch, step=step, totalSteps=stop_step, lr=step_lr, task=batch["task"],
                      samplesPerSec=len(batch["input_ids"]) * world / (time.time() - step_started),
                      terms=terms, etaSeconds=round(eta, 1))
            progress.set_description(f"epoch {epoch}")
            progress.set_postfix({name: f"{value:.3f}" for name, value in terms.items()})
            progress.update(1)
            if step >= stop_step:
                break
        epoch_complete = step == (epoch + 1) * steps_per_epoch
        last = step >= stop_step
        evaluate_and_checkpoint(epoch + 1 if epoch_complete else epoch,
                                last or args.eval_every_epoch or selection_split == "validation")
        if epoch_complete:
            epoch += 1
    progress.close()
    speed = {"samplesPerSec": round(samples_seen / train_seconds, 3) if train_seconds else None,
             "minutesPerEpoch": round(train_seconds / (step - start_step) * steps_per_epoch / 60, 2)
             if step > start_step else None, "trainWindows": train_windows}
    if is_main:
        print(f"training speed: {speed['samplesPerSec']} samples/s, {speed['minutesPerEpoch']} min per epoch of "
              f"{steps_per_epoch} steps ({train_windows} windows, batch {train_cfg.batch_size} x {world})",
              file=sys.stderr)
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        log.write("done", step=step, epochs=epoch, bestScore=best_score, selectionMetric=selection_metric, metrics=metrics,
                  selectionSplit=selection_split, speed=speed,
                  seconds=round(time.time() - started, 1))
    if world > 1:
        dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
