"""The issue's "careful plain script", measured on the test split over several seeds.

Issue 9 compares emoai's defaults with a plain single-process fine-tune of the packaged
all-MiniLM-L6-v2 (AdamW lr 1e-4, weight decay 0.01, 6 % linear warmup then linear decay,
batch 32, max length 64, length-grouped batches, 4 epochs) quoted for one seed: 93.35 % /
0.894. One seed of a 2,000-text test split carries about ±0.6 points of noise, so this runs
that recipe (bench/quality_explore.py's loop with its plain defaults) for each seed and scores
the FINAL weights on test — no checkpoint choice, nothing selected on test.

    python bench/plain_baseline.py --seeds 0 1 2

Writes bench/results/plain_baseline.json after every seed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import quality_explore as qe  # noqa: E402  (sibling scripts, not a package)
from quality import spread  # noqa: E402

RESULTS = HERE / "results" / "plain_baseline.json"
RECIPE = {
    "epochs": 4,
    "lr": 1e-4,
    "weight_decay": 0.01,
    "warmup_ratio": 0.06,
    "batch_size": 32,
    "max_length": 64,
    "label_smoothing": 0.0,
    "llrd": 1.0,
}


def recipe_args(seed: int, limit: int | None) -> argparse.Namespace:
    args = qe.parser().parse_args(["--tag", f"plain-test-seed{seed}", "--seed", str(seed)])
    vars(args).update(RECIPE, limit=limit)
    return args


def test_scores(trained: dict, limit: int | None) -> dict:
    labels = trained["labels"]
    rows = qe.load("test")[:limit]
    test = qe.encode(rows, trained["tokenizer"], RECIPE["max_length"], labels.label2id)
    scores = qe.evaluate(trained["model"], test, len(labels))
    return {k.replace("val_", "test_", 1): v for k, v in scores.items()}


def one_seed(seed: int, limit: int | None) -> dict:
    trained: dict = {}
    start = time.perf_counter()
    record = qe.run(recipe_args(seed, limit), trained)
    test = test_scores(trained, limit)
    final = record["epochs"][-1]
    row = {
        "seed": seed,
        "test_accuracy": test["test_accuracy"],
        "test_macro_f1": test["test_macro_f1"],
        "test_per_class_f1": {n: test[f"test_f1_{n}"] for n in qe.LABELS},
        "val_accuracy_final": final["val_accuracy"],
        "val_macro_f1_final": final["val_macro_f1"],
        "wall_minutes": round((time.perf_counter() - start) / 60, 2),
    }
    print(json.dumps(qe._rounded({k: v for k, v in row.items() if k != "test_per_class_f1"})), flush=True)
    return row


def write(rows: list[dict]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out = {
        "benchmark": "plain_baseline",
        "recipe": RECIPE,
        "selection": "final epoch (no checkpoint choice)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "seeds": rows,
        "spread": {k: spread(rows, k) for k in ("test_accuracy", "test_macro_f1")},
    }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")


def table(rows: list[dict]) -> None:
    print(f"{'seed':>4}  {'test acc':>8}  {'macro-F1':>8}  {'surprise':>8}  {'love':>6}  {'minutes':>7}")
    for r in rows:
        f1 = r["test_per_class_f1"]
        print(
            f"{r['seed']:>4}  {r['test_accuracy']:>8.2%}  {r['test_macro_f1']:>8.4f}  "
            f"{f1['surprise']:>8.3f}  {f1['love']:>6.3f}  {r['wall_minutes']:>7.1f}"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--limit", type=qe._positive, default=None, help="first N rows (smoke run: not written)")
    args = p.parse_args()
    rows: list[dict] = []
    for seed in args.seeds:
        rows.append(one_seed(seed, args.limit))
        if not args.limit:
            write(rows)
    table(rows)
    print("--limit run: nothing written" if args.limit else f"wrote {RESULTS.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
