"""CLI start-up: median wall time of `emoai --help` and `emoai data list` in fresh processes.

Beside `python -c pass` (the interpreter's own floor). Each command runs `--runs` times after one
warm-up run (so the OS file cache is warm, as it is for a user typing commands).

Two settings: Python's default, where the warm-up run caches the project's bytecode in
`__pycache__` as it does on any laptop, and the environment as given. This sandbox exports
PYTHONDONTWRITEBYTECODE=1, which makes every run recompile an editable install's modules;
both are reported, the target is judged on the default.

    python bench/cli_startup.py [--runs 15]

Writes bench/results/cli_startup.json. Target: `emoai --help` <= 0.30 s median.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from common import REPO, emoai_cmd, write_results

TARGET_S = 0.30


def timed(cmd: list[str], runs: int, env: dict[str, str]) -> list[float]:
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "emoai --help": [*emoai_cmd(), "--help"],
        "emoai data list": [*emoai_cmd(), "data", "list"],
    }
    settings = {  # as given first: the default run leaves __pycache__ behind
        f"as given (PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')})": {},
        "python default (bytecode cached)": {"PYTHONDONTWRITEBYTECODE": None},
    }
    for package in ("emoai_cli", "emoai_core"):
        for cache in (REPO / package).rglob("__pycache__"):
            shutil.rmtree(cache)
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="emoai-startup-") as home:
        for setting, overrides in settings.items():
            env = {**os.environ, "EMOAI_HOME": home, **overrides}
            env = {k: v for k, v in env.items() if v is not None}
            results[setting] = {}
            for name, cmd in commands.items():
                times = timed(cmd, args.runs, env)
                results[setting][name] = {
                    "median_s": statistics.median(times),
                    "min_s": min(times),
                    "max_s": max(times),
                }
    print(f"{'setting':<40}{'command':<18}{'median s':>10}{'min s':>8}{'max s':>8}")
    for setting, by_command in results.items():
        for name, r in by_command.items():
            print(f"{setting:<40}{name:<18}{r['median_s']:>10.3f}{r['min_s']:>8.3f}{r['max_s']:>8.3f}")
    default = results["python default (bytecode cached)"]
    write_results(
        "cli_startup",
        {
            "runs": args.runs,
            "results": results,
            "target": {"emoai --help median_s": TARGET_S, "judged on": "python default (bytecode cached)"},
            "meets_target": default["emoai --help"]["median_s"] <= TARGET_S,
        },
    )


if __name__ == "__main__":
    main()
