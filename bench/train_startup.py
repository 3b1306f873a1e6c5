"""Train start-up: seconds from `emoai train --epochs 1 --limit 200` to its first training step.

Two settings: in-process Ray (what a laptop user gets), and a cluster `emoai cluster up` started
before (the default cluster_compute.yaml: a head and a worker node, already running). Each run is
a fresh `emoai` process on the real emotion data and the packaged MiniLM, with EMOAI_TIMELINE set
so the driver and the workers mark where the seconds go (emoai_core.base.timeline); the run is
stopped (Ctrl-C) once its first step is marked. The first run of each setting is a warm-up (it
creates the tracking store and the OS file cache) and is not counted.

    python bench/train_startup.py [--runs 3]

Writes bench/results/train_startup.json. Targets: <= 25 s in-process, <= 15 s on a running cluster.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from common import REPO, data_dir, emoai_cmd, run_emoai, write_results

TARGETS = {"in-process": 25.0, "running cluster": 15.0}
ARGS = ("train", "--epochs", "1", "--limit", "200")
PHASES = {  # timeline mark -> what the time up to it went to
    "command parsed": "import (python, emoai, typer)",
    "train called": "config and imports of the core",
    "planned (data validated, base model checked)": "plan/validation",
    "tracking store open": "tracking store (MLflow)",
    "ray connected": "ray.init",
    "tokenized": "tokenize",
    "run created, trainer starting": "MLflow run + trainer built",
    "worker setup started": "trainer start (controller, placement, worker processes)",
    "worker ready (model, optimiser, shard)": "worker setup (model, optimiser, DDP, shard)",
    "first step": "first step",
}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def one_run(env: dict[str, str], timeline: Path) -> dict[str, float]:
    """One `emoai train`, stopped at its first step; phase seconds from the timeline."""
    from emoai_core.base.timeline import read

    timeline.unlink(missing_ok=True)
    env = {**env, "EMOAI_TIMELINE": str(timeline)}
    start = time.time()
    proc = subprocess.Popen(
        [*emoai_cmd(), *ARGS], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    deadline = start + 600
    while time.time() < deadline and proc.poll() is None:
        if any(m["name"] == "first step" for m in read(str(timeline))):
            break
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    marks = {m["name"]: m["time"] for m in read(str(timeline))}
    if "first step" not in marks:
        raise SystemExit(f"no first step within 600 s: {proc.stderr.read()[-2000:] if proc.stderr else ''}")
    phases, last = {}, start
    for name, label in PHASES.items():
        if name in marks:
            phases[label] = round(marks[name] - last, 2)
            last = marks[name]
    return {"total_s": round(marks["first step"] - start, 2), **phases}


def summarise(runs: list[dict[str, float]]) -> dict:
    keys = runs[0].keys()
    return {
        "median": {k: round(statistics.median(r.get(k, 0.0) for r in runs), 2) for k in keys},
        "runs": runs,
    }


def measure(env: dict[str, str], runs: int, folder: Path, label: str) -> dict:
    timeline = folder / f"{''.join(c if c.isalnum() else '-' for c in label)}.jsonl"
    print(f"{label}: warm-up", flush=True)
    one_run(env, timeline)
    done = []
    for i in range(runs):
        before = load_average()
        result = one_run(env, timeline)
        done.append({**result, "load_before": before})
        print(f"{label} run {i + 1}: {result['total_s']:.1f} s  (load {before})", flush=True)
    summary = summarise([{k: v for k, v in r.items() if k != "load_before"} for r in done])
    summary["load_before"] = [r["load_before"] for r in done]
    summary["target_s"] = TARGETS[label]
    summary["meets_target"] = summary["median"]["total_s"] <= TARGETS[label]
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="emoai-startup-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "EMOAI_HOME": str(folder / "home"), "HF_HUB_OFFLINE": "1", "RAY_AUTH_MODE": "token"}
        env.pop("RAY_ADDRESS", None)
        run_emoai(env, "data", "pull", str(data_dir()), "--name", "emotion")
        results = {"in-process": measure(env, args.runs, folder, "in-process")}
        run_emoai(env, "cluster", "up", "--config", str(REPO / "cluster_compute.yaml"))
        try:
            results["running cluster"] = measure(env, args.runs, folder, "running cluster")
        finally:
            run_emoai(env, "cluster", "down", "-y")
    write_results(
        "train_startup",
        {
            "command": "emoai " + " ".join(ARGS),
            "measured": "wall seconds from starting the process to the first training step (rank 0)",
            "runs": args.runs,
            "results": results,
            "load_average_after": load_average(),
        },
    )


if __name__ == "__main__":
    main()
