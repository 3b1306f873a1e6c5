"""Run the fault suite's scenarios N times; write bench/results/faults.json.

Every scenario is a test in tests/faults/ that injects one fault into a real `emoai` command and
asserts what the user is promised (see the README's "Fault and fuzz suites"). Each trial is one
pytest session over the chosen tests; a passing test is a scenario that survived, and the tests
record what they measured (recovery seconds, data lost) through EMOAI_FAULT_RECORD.

    python bench/faults.py --trials 3                  # every scenario, 3 times
    python bench/faults.py --trials 2 -k "pull or store"  # a subset (pytest -k)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULT = HERE / "results" / "faults.json"


def _trial(keyword: str | None, record: Path, junit: Path) -> dict[str, str]:
    """One pytest session over tests/faults; returns test id -> outcome."""
    import xml.etree.ElementTree as ET

    args = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "tests/faults",
        f"--junitxml={junit}",
    ]
    if keyword:
        args += ["-k", keyword]
    env = {**os.environ, "EMOAI_FAULT_RECORD": str(record)}
    subprocess.run(args, cwd=REPO, env=env, check=False)
    outcomes = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = (
            "skipped" if skipped else ("failed" if failed else "passed")
        )
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument(
        "-k", dest="keyword", default=None, help="pytest -k expression: a subset of scenarios"
    )
    opts = parser.parse_args()
    started = time.time()
    measured: dict[str, list[dict]] = defaultdict(list)
    tests: dict[str, list[str]] = defaultdict(list)
    with tempfile.TemporaryDirectory(prefix="emoai-faults-") as tmp:
        for trial in range(opts.trials):
            record = Path(tmp) / f"record-{trial}.jsonl"
            record.touch()
            for test, outcome in _trial(opts.keyword, record, Path(tmp) / f"junit-{trial}.xml").items():
                tests[test].append(outcome)
            for line in record.read_text().splitlines():
                row = json.loads(line)
                measured[row.pop("scenario")].append(row)
    scenarios = []
    for name, rows in sorted(measured.items()):
        recovery = [r["recovery_s"] for r in rows if r.get("recovery_s") is not None]
        scenarios.append(
            {
                "scenario": name,
                "trials": opts.trials,
                "survived": sum(bool(r.get("survived")) for r in rows),
                "data_lost": sum(int(r.get("data_lost", 0)) for r in rows),
                "recovery_s": {
                    "median": round(statistics.median(recovery), 2) if recovery else None,
                    "max": round(max(recovery), 2) if recovery else None,
                },
                **(
                    {
                        "extra": [
                            {k: v for k, v in r.items() if k not in ("survived", "data_lost", "recovery_s")}
                            for r in rows
                        ]
                    }
                    if any(set(r) - {"survived", "data_lost", "recovery_s"} for r in rows)
                    else {}
                ),
            }
        )
    failed = {test: outcomes for test, outcomes in tests.items() if "failed" in outcomes}
    result = {
        "trials": opts.trials,
        "keyword": opts.keyword,
        "seconds": round(time.time() - started, 1),
        "scenarios": scenarios,
        "tests": {test: outcomes for test, outcomes in sorted(tests.items())},
        "failed_tests": failed,
        "note": "a scenario that failed a trial records nothing for it: survived < trials",
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'scenario':<52} {'trials':>6} {'survived':>8} {'lost':>5} {'recovery s (median/max)':>24}")
    for row in scenarios:
        rec = row["recovery_s"]
        print(
            f"{row['scenario']:<52} {row['trials']:>6} {row['survived']:>8} {row['data_lost']:>5} {rec['median']!s:>11} / {rec['max']!s:<10}"
        )
    print(f"failed tests: {len(failed)} · wrote {RESULT}")


if __name__ == "__main__":
    main()
