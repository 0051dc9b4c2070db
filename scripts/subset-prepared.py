"""A smaller training split of a prepared `ask` dataset, for machines where the full one takes too long.

  python3 scripts/subset-prepared.py SRC DST [--answered 770] [--unanswerable 30] [--seed 42]

Keeps `answered` windows that hold their answer and up to `unanswerable` that do not, drawn with `seed`; the test
split, images and tokenizer are links to SRC, so evaluation is unchanged. (models/ask-small was trained on
`data/funsd-qa-prepared` → `data/funsd-qa-train800` with the defaults.)
"""

import argparse
import json
import os
import random


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("src")
    parser.add_argument("dst")
    parser.add_argument("--answered", type=int, default=770)
    parser.add_argument("--unanswerable", type=int, default=30)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    with open(os.path.join(args.src, "train.jsonl")) as lines:
        windows = [json.loads(line) for line in lines]
    answered = [w for w in windows if w["startPosition"] > 0]
    unanswerable = [w for w in windows if w["startPosition"] == 0]
    rng = random.Random(args.seed)
    kept_answered = rng.sample(answered, min(args.answered, len(answered)))
    kept_unanswerable = rng.sample(unanswerable, min(args.unanswerable, len(unanswerable)))
    picked = kept_answered + kept_unanswerable
    rng.shuffle(picked)

    os.makedirs(args.dst, exist_ok=True)
    with open(os.path.join(args.dst, "train.jsonl"), "w") as out:
        for window in picked:
            out.write(json.dumps(window, separators=(",", ":")) + "\n")
    with open(os.path.join(args.src, "dataset.json")) as meta_file:
        meta = json.load(meta_file)
    meta["splits"]["train"] = {
        "documents": len({w["docId"] for w in picked}),
        "windows": len(picked),
        "questions": len({w["questionId"] for w in picked}),
    }
    meta["subsetOf"] = (f"{os.path.basename(os.path.normpath(args.src))}: {len(kept_answered)} answer windows + "
                        f"{len(kept_unanswerable)} no-answer windows, seed {args.seed}")
    with open(os.path.join(args.dst, "dataset.json"), "w") as meta_file:
        json.dump(meta, meta_file, indent=2)
    for name in ("images", "originals", "test.jsonl", "tokenizer.json"):
        link = os.path.join(args.dst, name)
        if not os.path.lexists(link):
            os.symlink(os.path.abspath(os.path.join(args.src, name)), link)
    print(json.dumps(meta["splits"]["train"]))


if __name__ == "__main__":
    main()
