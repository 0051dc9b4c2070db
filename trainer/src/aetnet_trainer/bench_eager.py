"""Times a checkpoint's inference forward in PyTorch eager, for `npm run bench`'s ONNX Runtime vs PyTorch ratio.

CLI: python -m aetnet_trainer.bench_eager --checkpoint <run>/best.pt [--windows 16] [--length L] [--threads T]

Runs the same graphs the bundle exports (docs/method.md §2.7, `AETNetInference`) at batch 1 on a window of `length` tokens
(default: the model's max length): the image side alone, the text side given image embeddings (what a split bundle
runs per window) and the whole model (what a single-graph bundle runs per window). Each is timed `windows` times
after one warm-up; the medians are printed as one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import torch

from .checkpoint import load_checkpoint_model
from .export import sample_inputs


def median_ms(run, repeats: int) -> float:
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def bench(checkpoint: str, windows: int, length: int | None, threads: int | None) -> dict:
    if threads:
        torch.set_num_threads(threads)
    model, state = load_checkpoint_model(checkpoint)
    inference = model.inference_model().eval()
    cfg = model.cfg
    length = min(length or cfg.max_length, cfg.max_length)
    inputs = sample_inputs(model, 1, length, seed=0)
    ids, bbox, pixels = inputs["input_ids"], inputs["bbox"], inputs["pixel_values"]
    mask = torch.ones_like(ids)  # a real window: every token counts
    with torch.inference_mode():
        embeddings = inference.image_embeddings(pixels)
        image_ms = median_ms(lambda: inference.image_embeddings(pixels), windows)
        text_ms = median_ms(lambda: inference.text_side(ids, mask, bbox, embeddings), windows)
        full_ms = median_ms(lambda: inference(ids, mask, bbox, pixels), windows)
    return {
        "checkpoint": str(checkpoint), "task": cfg.task, "preset": state["config"]["preset"],
        "model": state["config"]["model"], "plain": state["config"]["plain"],
        "torch": torch.__version__, "threads": torch.get_num_threads(), "length": length, "windows": windows,
        "imageMs": image_ms, "textMs": text_ms, "fullMs": full_ms,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.bench_eager", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--checkpoint", required=True)
    parser.add_argument("--windows", type=int, default=16, help="timed runs of each graph")
    parser.add_argument("--length", type=int, help="tokens per window (default: the model's max length)")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (match ONNX Runtime's intra-op threads)")
    args = parser.parse_args(argv)
    if args.windows < 1:
        parser.error("--windows must be at least 1")
    print(json.dumps(bench(args.checkpoint, args.windows, args.length, args.threads)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
