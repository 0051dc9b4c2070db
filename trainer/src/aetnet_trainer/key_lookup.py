"""Declares document VQA by key lookup on a bundle with the key-value head:
python -m aetnet_trainer.key_lookup --bundle <bundle> --min-key-similarity 0.5 [--metrics <json>].

Nothing is trained: the service answers a question with the value its extraction and key-value heads pair with the
key the question names (src/heads/key-lookup.ts), so one extraction pass per page answers every question. This writes
`tasks.ask = {labels: [], keyLookup: {minKeySimilarity}}` into the bundle's manifest (a single-task manifest becomes
`tasks`); the similarity threshold is chosen on validation forms with `npm run eval -- --dataset funsd-qa`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .classify_head import as_tasks_manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aetnet_trainer.key_lookup", description=__doc__)
    parser.add_argument("--bundle", required=True)
    parser.add_argument("--min-key-similarity", type=float, required=True, help="0–1: least question–key match")
    parser.add_argument("--metrics", help="a JSON file of measured ask metrics, stored as the manifest's metrics.ask")
    args = parser.parse_args(argv)
    path = Path(args.bundle, "manifest.json")
    try:
        manifest = as_tasks_manifest(json.loads(path.read_text()))
        if not 0 <= args.min_key_similarity <= 1:
            raise ValueError("--min-key-similarity must be in [0, 1]")
        if "extract" not in manifest["tasks"] or "pairs" not in manifest:
            raise ValueError(f"{args.bundle} has no extraction head with a key-value head (tasks.extract and pairs)")
        metrics = json.loads(Path(args.metrics).read_text()) if args.metrics else None
    except (OSError, KeyError, ValueError) as error:
        print(f"configuration error: {error}", file=sys.stderr)
        return 2
    # A span reader (ask_reader) already declared stays: only the threshold changes.
    reader = manifest["tasks"].get("ask", {}).get("keyLookup", {}).get("reader")
    manifest["tasks"]["ask"] = {"labels": [], "keyLookup": {"minKeySimilarity": args.min_key_similarity,
                                                            **({"reader": reader} if reader else {})}}
    if metrics is not None:
        manifest.setdefault("metrics", {})["ask"] = metrics
    path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote tasks.ask (key lookup, min key similarity {args.min_key_similarity:g}) into {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
