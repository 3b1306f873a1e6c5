"""Does a model hold up on text it was not trained on? Training sources × evaluation sets, through the CLI.

    emoai data pull <emotion> --name emotion
    emoai data pull <goemotions> --name goemotions
    emoai data map goemotions examples/label_maps/goemotions_to_emotion.yaml --name goemotions6
    emoai train --data emotion                                    # recipe "emotion" (the README's main job)
    emoai train --data goemotions6                                # recipe "goemotions6"
    emoai train --data emotion --data goemotions6 <RECOMMENDED>   # recipe "both"
    emoai eval RUN --data emotion / --data goemotions6 --split test --json
    emoai eval RUN --suite behaviour --json

    python bench/robustness.py [--recipes emotion goemotions6 both] [--home DIR] [--limit N]

Writes bench/results/robustness.json after every step: per recipe the run, training minutes, and per
evaluation set accuracy and macro-F1 (test splits, touched only here), plus the behavioural suite's
failure rate per test. Targets (issue 25): the "both" model reaches emotion test accuracy >= 92.5 %
and GoEmotions-6 test macro-F1 >= 0.65 within 60 minutes; it fails fewer behavioural tests than the
emotion-only model in every category. `--home` keeps data and runs between invocations; `--limit N`
(first N training rows) is a smoke run and writes nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

from common import REPO, RESULTS_DIR, run_emoai

RESULTS = RESULTS_DIR / "robustness.json"
MAP = REPO / "examples" / "label_maps" / "goemotions_to_emotion.yaml"
RECOMMENDED = ["--mix", "1,1", "--normalize", "social"]
RECIPES = {
    "emotion": ["--data", "emotion"],
    "goemotions6": ["--data", "goemotions6"],
    "both": ["--data", "emotion", "--data", "goemotions6", *RECOMMENDED],
}
EVAL_SETS = ("emotion", "goemotions6")
TARGETS = {"both": {"emotion_accuracy": 0.925, "goemotions6_macro_f1": 0.65, "train_minutes": 60}}


def shared(name: str) -> Path:
    for base in (REPO.parent / "shared" / "data" / name, Path("/work/shared/data") / name):
        if (base / "train.jsonl").exists():
            return base
    raise SystemExit(f"{name} not found beside the checkout")


def prepare(env: dict[str, str]) -> dict[str, str]:
    """Pull both datasets and map GoEmotions onto emotion's six labels; returns their refs."""
    refs = {}
    for name in ("emotion", "goemotions"):
        refs[name] = json.loads(run_emoai(env, "data", "pull", str(shared(name)), "--name", name, "--json"))[
            "ref"
        ]
    mapped = json.loads(
        run_emoai(env, "data", "map", "goemotions", str(MAP), "--name", "goemotions6", "--json")
    )
    refs["goemotions6"] = mapped.get("ref") or mapped["version"]["ref"]
    return refs


def evaluate(env: dict[str, str], run_id: str) -> dict:
    cells = {}
    for data in EVAL_SETS:
        report = json.loads(run_emoai(env, "eval", run_id, "--data", data, "--split", "test", "--json"))
        cells[data] = {
            "accuracy": report["accuracy"],
            "macro_f1": report["averages"]["macro"]["f1"],
            "per_class_f1": {r["label"]: r["f1"] for r in report["per_class"]},
        }
    behaviour = json.loads(run_emoai(env, "eval", run_id, "--suite", "behaviour", "--json"))
    return {"eval": cells, "behaviour": behaviour}


def train(env: dict[str, str], recipe: str, limit: int | None) -> dict:
    extra = ["--limit", str(limit)] if limit else []
    start = time.perf_counter()
    result = json.loads(run_emoai(env, "train", *RECIPES[recipe], "--json", *extra))
    return {
        "command": "emoai train " + " ".join(RECIPES[recipe]),
        "run_id": result["run_id"],
        "data": result["data"],
        "best_epoch": result["best_epoch"],
        "val": {k: v for k, v in result["best_metrics"].items() if k.startswith("val_") and "_f1_" not in k},
        "train_minutes": round((time.perf_counter() - start) / 60, 2),
    }


def table(results: dict) -> None:
    print(
        f"{'trained on':<12} "
        + "  ".join(f"{d + ' acc':>16} {d + ' F1':>16}" for d in EVAL_SETS)
        + f"  {'minutes':>7}"
    )
    for recipe, row in results["recipes"].items():
        if "eval" not in row:
            continue
        cells = "  ".join(
            f"{row['eval'][d]['accuracy']:>16.4f} {row['eval'][d]['macro_f1']:>16.4f}" for d in EVAL_SETS
        )
        print(f"{recipe:<12} {cells}  {row['train_minutes']:>7.1f}")


def write(results: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=2) + "\n")
    tmp.replace(RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--recipes", nargs="+", choices=list(RECIPES), default=list(RECIPES))
    parser.add_argument(
        "--home", type=Path, default=None, help="EMOAI_HOME to keep (default: a temporary one)"
    )
    parser.add_argument(
        "--limit", type=int, default=None, help="first N training rows (smoke run: not written)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emoai-robust-") as tmp:
        env = {**os.environ, "EMOAI_HOME": str(args.home or tmp)}
        old = json.loads(RESULTS.read_text()) if RESULTS.exists() and not args.limit else {}
        results = {
            "benchmark": "robustness",
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "targets": TARGETS,
            "recommended": "emoai train --data emotion --data goemotions6 " + " ".join(RECOMMENDED),
            "data": prepare(env),
            "recipes": old.get("recipes", {}),
        }
        for recipe in args.recipes:
            row = train(env, recipe, args.limit)
            row.update(evaluate(env, row["run_id"]))
            results["recipes"][recipe] = row
            table(results)
            if not args.limit:
                write(results)


if __name__ == "__main__":
    main()
