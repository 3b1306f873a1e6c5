"""emoai_core.monitoring.report and `emoai monitor`: traffic and drift from a constructed prediction log."""

from __future__ import annotations

import json
import random
import time

import pytest

from emoai_core.monitoring.features import UNK
from emoai_core.monitoring.reference import register_model
from emoai_core.monitoring.report import monitor_report

LABELS = ["sadness", "joy", "fear"]


def _records(n: int, seed: int, start: float, *, drifted: bool = False) -> list[dict]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        label = "fear" if drifted else rng.choice(LABELS)
        out.append(
            {
                "t": start + i * 0.5, "model": "run-a", "v": "4", "req": f"q{seed}-{i}", "n": 1,
                "ms": rng.uniform(5, 20), "chars": rng.randint(300, 600) if drifted else rng.randint(20, 120),
                "tokens": 10, "unk": rng.uniform(0.3, 0.8) if drifted else rng.uniform(0, 0.05),
                "label": label, "score": rng.uniform(0.3, 0.5) if drifted else rng.uniform(0.6, 1.0),
            }
        )  # fmt: skip
    return out


@pytest.fixture
def served(emoai_home):
    """A served model with a cached reference profile, and a log writer for its records."""
    rng = random.Random(0)
    register_model("run-a", emoai_home / "models" / "x", {"version": "4"}, "emotion@abc", UNK)
    profile = {
        "data": "emotion@abc", "split": "validation", "n": 600,
        "labels": [rng.choice(LABELS) for _ in range(600)], "score": [rng.uniform(0.6, 1.0) for _ in range(600)],
        "chars": [rng.randint(20, 120) for _ in range(600)], "tokens": [10] * 600,
        "unk": [rng.uniform(0, 0.05) for _ in range(600)],
    }  # fmt: skip
    cache = emoai_home / "monitor" / "reference" / "profile-run-a-unk-emotion@abc.json"
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps(profile))
    # the reference is looked up by data version: make 'emotion@abc' resolvable
    import emoai_core.monitoring.reference as reference

    class Version:
        name, version, ref = "emotion", "abc", "emotion@abc"

    original = reference._data_version
    reference._data_version = lambda ref: Version() if ref == "emotion@abc" else original(ref)
    folder = emoai_home / "monitor" / "predictions"
    folder.mkdir(parents=True)

    def write(records: list[dict], name: str = "predictions-20260101T000000.000000-a.jsonl") -> None:
        with (folder / name).open("a") as handle:
            handle.writelines(json.dumps(r) + "\n" for r in records)

    yield write
    reference._data_version = original


def test_traffic_like_the_training_data_does_not_drift(served):
    now = time.time()
    served(_records(300, seed=1, start=now - 600))
    report = monitor_report(3600, now=now)
    assert report["summary"]["requests"] == 300 and report["drift"] is False
    [model] = report["models"]
    assert model["model"] == "run-a" and model["version"] == "4" and model["reference"]["data"] == "emotion@abc"
    assert {c["name"]: c["drift"] for c in model["checks"]} == dict.fromkeys(
        ["label distribution", "confidence", "text length", "unknown-token share"], False
    )


def test_code_or_another_language_drifts(served):
    now = time.time()
    served(_records(200, seed=1, start=now - 900) + _records(200, seed=2, start=now - 300, drifted=True))
    report = monitor_report(3600, now=now, buckets=6)
    assert report["drift"] is True
    assert all(c["drift"] for c in report["models"][0]["checks"])
    shares = [b["top_label_share"] for b in report["over_time"] if b["requests"]]
    assert shares[-1] == 1.0  # the label mix over time shows when it changed
    recent = monitor_report(250, now=now)  # only the drifted traffic
    assert recent["summary"]["labels"] == {"fear": 1.0}


def test_cli_json_and_fail_on_drift(served, cli):
    now = time.time()
    served(_records(100, seed=1, start=now - 100))
    ok = cli("monitor", "--since", "1h", "--json", "--fail-on-drift")
    assert ok.exit_code == 0, ok.stderr
    assert json.loads(ok.stdout)["drift"] is False
    served(_records(300, seed=3, start=now - 60, drifted=True), name="predictions-20260102T000000.000000-b.jsonl")
    drifted = cli("monitor", "--since", "1h", "--fail-on-drift")
    assert drifted.exit_code == 1
    for text in ("Over time", "Label mix", "Drift", "chi-square", "Kolmogorov-Smirnov", "drift"):
        assert text in drifted.stdout
    assert cli("monitor", "--since", "1h").exit_code == 0  # without the flag drift is reported, not failed


def test_cli_says_when_nothing_was_served_and_refuses_bad_durations(cli):
    empty = cli("monitor", "--since", "30m")
    assert empty.exit_code == 0 and "No predictions were served" in empty.stdout
    bad = cli("monitor", "--since", "soon")
    assert bad.exit_code == 2 and "Error:" in bad.stderr and "Hint:" in bad.stderr


def test_a_model_without_reference_reports_traffic_and_no_verdict(emoai_home, cli):
    register_model("run-b", emoai_home / "m", {}, None, UNK)
    folder = emoai_home / "monitor" / "predictions"
    folder.mkdir(parents=True)
    now = time.time()
    rows = [dict(r, model="run-b") for r in _records(50, seed=4, start=now - 50)]
    (folder / "predictions-20260101T000000.000000-c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    report = monitor_report(600, now=now)
    assert report["drift"] is None and "does not name its training data" in report["models"][0]["error"]
    shown = cli("monitor", "--fail-on-drift")
    assert shown.exit_code == 0 and "--data" in shown.stderr
