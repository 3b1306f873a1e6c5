"""CLI start-up: median wall time of `emoai --help` and `emoai data list` in fresh processes.

Beside `python -c pass` (the interpreter's own floor). Each command runs `--runs` times after one
warm-up run (so the OS file cache is warm, as it is for a user typing commands).

Two settings (see common.bytecode_settings): the environment as given, and Python's default,
where the warm-up run caches the project's bytecode as it does on any laptop. Both are
reported; both are held to the target.

    python bench/cli_startup.py [--runs 15]

Writes bench/results/cli_startup.json. Target: `emoai --help` <= 0.30 s median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from common import bytecode_settings, emoai_cmd, with_overrides, write_results

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
    settings = bytecode_settings()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="emoai-startup-") as home:
        for setting, overrides in settings.items():
            env = with_overrides({**os.environ, "EMOAI_HOME": home}, overrides)
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
    write_results(
        "cli_startup",
        {
            "runs": args.runs,
            "results": results,
            "target": {"emoai --help median_s": TARGET_S},
            "meets_target": all(r["emoai --help"]["median_s"] <= TARGET_S for r in results.values()),
        },
    )


if __name__ == "__main__":
    main()
