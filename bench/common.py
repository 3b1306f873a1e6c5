"""What the benchmarks share: how to run `emoai`, the real test sentences, a quick model, results."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS_DIR = HERE / "results"
DATA_DIRS = (REPO.parent / "shared" / "data" / "emotion", Path("/work/shared/data/emotion"))


def emoai_cmd() -> list[str]:
    """The installed console script (what a user runs), else the module."""
    script = Path(sys.executable).with_name("emoai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emoai_cli.main"]


def run_emoai(env: dict[str, str], *args: str) -> str:
    proc = subprocess.run([*emoai_cmd(), *args], env=env, capture_output=True, text=True)
    if proc.returncode:
        raise SystemExit(f"emoai {' '.join(args)} failed:\n{proc.stderr[-2000:]}")
    return proc.stdout


def data_dir() -> Path:
    for base in DATA_DIRS:
        if (base / "test.jsonl").exists():
            return base
    raise SystemExit("real emotion data not found (../shared/data/emotion)")


def test_texts() -> list[str]:
    lines = (data_dir() / "test.jsonl").read_text().splitlines()
    return [json.loads(line)["text"] for line in lines]


def quick_model(env: dict[str, str]) -> None:
    """Pull the real data and promote a 1-epoch model: the latency of MiniLM, in minutes."""
    run_emoai(env, "data", "pull", str(data_dir()), "--name", "emotion")
    run_emoai(env, "train", "--epochs", "1", "--limit", "2000", "--promote")


AS_GIVEN = f"as given (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')})"
DEFAULT = "python default (bytecode cached)"


def bytecode_settings() -> dict[str, dict[str, str | None]]:
    """Environment overrides for the two ways to start `emoai`, in the order to measure them.

    This sandbox exports PYTHONDONTWRITEBYTECODE=1, so an editable install recompiles emoai's
    modules on every start; on a laptop Python caches the bytecode after the first run. The
    project's caches are cleared first, so "as given" never reads bytecode a default run wrote.
    """
    for package in ("emoai_cli", "emoai_core"):
        for cache in (REPO / package).rglob("__pycache__"):
            shutil.rmtree(cache)
    return {AS_GIVEN: {}, DEFAULT: {"PYTHONDONTWRITEBYTECODE": None}}


def with_overrides(env: dict[str, str], overrides: dict[str, str | None]) -> dict[str, str]:
    merged = {**env, **overrides}
    return {k: v for k, v in merged.items() if v is not None}


def machine() -> dict[str, Any]:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def write_results(name: str, payload: dict[str, Any]) -> Path:
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    stamped = {
        "benchmark": name,
        **payload,
        "machine": machine(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    path.write_text(json.dumps(stamped, indent=2) + "\n")
    print(f"wrote {path}")
    return path
