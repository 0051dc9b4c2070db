"""Run checkpoints: what `--resume`, the export and the evaluation read back (weights, optimizer, schedule, RNG,
the run's config and dataset metadata, the tokenizer the bundle must ship)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import numpy as np
import torch

from .config import RunConfig
from .modeling import AETNetForTask, build_task_model


def rng_state() -> dict:
    return {"torch": torch.get_rng_state(), "python": random.getstate(), "numpy": np.random.get_state()}


def restore_rng(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])


def save_checkpoint(path: Path, model, optimizer, scheduler, config: RunConfig, meta: dict, step: int, epoch: int,
                    best_score: float, metrics: dict) -> None:
    """Everything `--resume` and the export need, including the tokenizer the bundle must ship."""
    state = {
        "model": model.state_dict(), "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
        "config": config.to_dict(), "dataset": meta, "step": step, "epoch": epoch, "best_score": best_score,
        "metrics": metrics, "rng": rng_state(), "fusionConfig": model.fusion.config.to_dict(),
        "tokenizerJson": meta["tokenizerJson"],
    }
    temporary = path.with_suffix(".tmp")
    torch.save(state, temporary)
    os.replace(temporary, path)


def load_checkpoint_model(path: str | Path) -> tuple[AETNetForTask, dict]:
    state = torch.load(path, map_location="cpu", weights_only=False)
    config = RunConfig.from_dict(state["config"])
    model = build_task_model(config, config.train.loss_weights, fusion_config=state["fusionConfig"])
    model.load_state_dict(state["model"])
    return model.eval(), state
