"""Training throughput: emoai's Ray Train loop beside a plain single-process PyTorch loop.

Same model (the packaged all-MiniLM-L6-v2), same 2,000 real training sentences, same batch size,
max length, length-grouped batches, recipe (emoai's defaults), optimizer and threads. Each
measurement runs in a fresh process. Samples/s count the training part of an epoch only; Ray
start-up (init, tokenising with Ray Data, starting the worker group, each worker reading its shard)
is reported separately, as the plain loop also reads its rows before its clock starts.
`plain-in-ray` runs the plain loop as one Ray task on emoai's local Ray: the cost of Ray's
runtime alone, apart from Ray Train and Ray Data.

    python bench/train_throughput.py [--rows 2000] [--epochs 3] [--repeat 3] [--data ../shared/data/emotion]

Writes bench/results/train_throughput.json. Target: emoai ≥ 0.9× the plain loop's samples/s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, data_dir, write_results

BATCH, MAX_LENGTH, LR = 32, 64, 1e-4


def plain(rows: int, epochs: int, threads: int, data: Path) -> dict:
    """The baseline: one process, no Ray, the same recipe as emoai's worker loop."""
    import numpy as np
    import torch

    from emoai_core.model.batching import chunk_rows, grouped_batches
    from emoai_core.model.classifier import build_classifier, load_tokenizer, resolve_base_model
    from emoai_core.model.labels import LabelMap
    from emoai_core.model.optim import build_loss, build_optimizer, build_scheduler
    from emoai_core.model.step import epoch_seed, to_device, train_step
    from emoai_core.training.defaults import DEFAULTS

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    records = [json.loads(line) for line in (data / "train.jsonl").read_text().splitlines()[:rows]]
    labels = LabelMap.from_names(sorted({r["label"] for r in records}))
    source = resolve_base_model(None)
    tokenizer = load_tokenizer(source)
    ids = tokenizer([r["text"] for r in records], truncation=True, max_length=MAX_LENGTH)["input_ids"]
    column = np.empty(len(ids), dtype=object)
    column[:] = [np.asarray(x) for x in ids]
    y = np.asarray([labels.to_id(r["label"]) for r in records])
    lengths = np.asarray([len(x) for x in ids])
    model = build_classifier(source, labels)
    steps = -(-rows // BATCH)
    # emoai's default recipe (layer-wise lr decay, label smoothing), so only the loop differs
    opt = build_optimizer(model, LR, float(DEFAULTS["weight_decay"]), float(DEFAULTS["llrd"]))
    sched = build_scheduler(opt, steps * epochs, float(DEFAULTS["warmup_ratio"]))
    loss_fn = build_loss(None, float(DEFAULTS["label_smoothing"]))
    seconds = []
    for epoch in range(1, epochs + 1):
        size = chunk_rows(BATCH)
        chunks = [
            {"input_ids": column[i : i + size], "length": lengths[i : i + size], "label": y[i : i + size]}
            for i in range(0, rows, size)
        ]
        model.train()
        start = time.perf_counter()
        for batch in grouped_batches(chunks, BATCH, seed=epoch_seed(0, epoch)):
            train_step(model, to_device(batch, None), loss_fn, opt, sched)
        seconds.append(time.perf_counter() - start)
    return {"train_seconds": seconds, "samples_per_s": rows * epochs / sum(seconds)}


def plain_in_ray(rows: int, epochs: int, data: Path) -> dict:
    """The plain loop as a Ray task on emoai's local Ray: what Ray's runtime alone costs."""
    import ray

    from emoai_core.cluster.ray_env import connect

    connect(num_cpus=2)
    return ray.get(ray.remote(num_cpus=2)(plain).remote(rows, epochs, 2, data))


def emoai(rows: int, epochs: int, workers: int, cpus: float, data: Path) -> dict:
    """emoai's real path: data version, Ray Data tokenising, Ray Train workers, MLflow tracking."""
    home = Path(tempfile.mkdtemp(prefix="emoai-bench-"))
    os.environ["EMOAI_HOME"] = str(home)
    from emoai_core.data.pull import pull
    from emoai_core.training.config import TrainConfig
    from emoai_core.training.events import RunStarted, StepProgress
    from emoai_core.training.run import train

    version = pull(str(data), name="emotion").version
    marks: dict[str, float] = {}

    def on_event(event: object) -> None:
        if isinstance(event, RunStarted):
            marks.setdefault("run_started", time.perf_counter())
        elif isinstance(event, StepProgress):
            marks.setdefault("first_step", time.perf_counter())

    start = time.perf_counter()
    cfg = TrainConfig(
        data=version.ref,
        limit=rows,
        epochs=epochs,
        num_workers=workers,
        cpu_per_worker=cpus,
        batch_size=BATCH,
        max_length=MAX_LENGTH,
        lr=LR,
        seed=0,
    )
    result = train(cfg, on_event=on_event)
    total = time.perf_counter() - start
    train_seconds = [h["train_seconds"] for h in result.history]
    trained_rows = rows // workers * workers  # Ray Data's equal split drops the remainder
    return {
        "train_seconds": train_seconds,
        "samples_per_s": trained_rows * epochs / sum(train_seconds),
        "ray_init_and_tokenise_s": marks.get("run_started", start) - start,
        "worker_group_start_s": marks.get("first_step", start) - marks.get("run_started", start),
        "total_wall_s": total,
    }


def run_one(kind: str, args: argparse.Namespace) -> dict:
    cmd = [
        sys.executable,
        __file__,
        "--one",
        kind,
        "--rows",
        str(args.rows),
        "--epochs",
        str(args.epochs),
        "--data",
        str(args.data),
    ]
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "RAY_USAGE_STATS_ENABLED": "0",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    """The median run by samples/s (a shared 2-core machine varies by ±7 % run to run)."""
    ordered = sorted(runs, key=lambda r: r["samples_per_s"])
    return {**ordered[len(ordered) // 2], "all_samples_per_s": [r["samples_per_s"] for r in runs]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3, help="rounds; kinds alternate within a round")
    parser.add_argument("--data", type=Path, default=None)
    parser.add_argument("--kinds", nargs="+", default=["plain", "plain-in-ray", "emoai-1x2", "emoai-2x1"])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.data = args.data or data_dir()
    if args.one:
        print(json.dumps(measure(args.one, args)))
        return
    runs: dict[str, list[dict]] = {kind: [] for kind in args.kinds}
    for _ in range(args.repeat):
        for kind in args.kinds:
            runs[kind].append(run_one(kind, args))
    results = {kind: summarise(r) for kind, r in runs.items()}
    base = results["plain"]["samples_per_s"]
    print(f"{'loop':<14}{'samples/s':>11}{'× plain':>9}{'Ray start-up s':>16}")
    for kind, r in results.items():
        startup = r.get("ray_init_and_tokenise_s", 0) + r.get("worker_group_start_s", 0)
        print(f"{kind:<14}{r['samples_per_s']:>11.1f}{r['samples_per_s'] / base:>9.2f}{startup:>16.1f}")
    write_results(
        "train_throughput",
        {
            "rows": args.rows,
            "epochs": args.epochs,
            "repeat": args.repeat,
            "batch_size": BATCH,
            "max_length": MAX_LENGTH,
            "results": results,
            "ratio_vs_plain": {k: r["samples_per_s"] / base for k, r in results.items()},
            "target": "emoai-1x2 samples/s >= 0.9 x plain (medians over the rounds)",
        },
    )


def measure(kind: str, args: argparse.Namespace) -> dict:
    if kind == "plain":
        return plain(args.rows, args.epochs, 2, args.data)
    if kind == "plain-in-ray":
        return plain_in_ray(args.rows, args.epochs, args.data)
    workers, cpus = {"emoai-1x2": (1, 2.0), "emoai-2x1": (2, 1.0)}[kind]
    return emoai(args.rows, args.epochs, workers, cpus, args.data)


if __name__ == "__main__":
    main()
