"""emoai_core.inference.gate: the behavioural gate trusts only a rate logged for the same suite."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.inference.behaviour import load_suite
from emoai_core.inference.gate import behaviour_gate, check_gate_value


@pytest.mark.parametrize("gate", [0.0, -0.1, 1.01, 80])
def test_a_gate_is_a_rate_above_0_and_at_most_1(gate):
    with pytest.raises(UsageError, match="must be a pass rate above 0 and at most 1"):
        check_gate_value(gate)
    assert check_gate_value(0.8) == 0.8 and check_gate_value(1) == 1


def _run(rate: float, suite_tag: str) -> str:
    from emoai_core.tracking.store import client, ensure_experiment

    c = client()
    run = c.create_run(
        ensure_experiment(c, "emoai"), run_name="gated", tags={"emoai.behaviour.suite": suite_tag}
    )
    c.log_metric(run.info.run_id, "behaviour_pass_rate", rate)
    return run.info.run_id


def test_the_logged_rate_of_the_same_suite_decides_without_a_model():
    suite = load_suite("behaviour")
    run_id = _run(0.75, suite.id)

    result = behaviour_gate("gated", 0.7)
    assert (result.run_id, result.pass_rate, result.ran_now, result.suite) == (run_id, 0.75, False, suite.id)

    with pytest.raises(
        EmoaiError, match=r"passes 75.0% of the behavioural suite behaviour@\w+, below the gate of 80.0%"
    ):
        behaviour_gate("gated", 0.8)


def test_a_rate_of_other_tests_is_not_trusted_the_suite_runs_again(monkeypatch, tmp_path):
    from emoai_core.inference import gate
    from emoai_core.inference.behaviour_run import BehaviourReport, TestResult
    from emoai_core.tracking import local_models
    from emoai_core.tracking.store import client

    run_id = _run(0.99, "behaviour@000000000000")  # logged before the suite's files changed
    asked = []

    def fake_suite_run(model_dir, suite, model, run):
        asked.append((model_dir, run))
        tests = [TestResult("t", "MFT", "c", "", cases=4, failed=1)]
        return BehaviourReport(model, suite.id, [], ["joy"], "single_label", tests, 0.1, run)

    monkeypatch.setattr(local_models, "resolve_model_dir", lambda ref: tmp_path)
    monkeypatch.setattr(gate, "evaluate_behaviour", fake_suite_run)

    result = behaviour_gate("gated", 0.5)

    assert asked == [(tmp_path, run_id)] and result.ran_now and result.pass_rate == 0.75
    run = client().get_run(run_id)
    assert (
        run.data.metrics["behaviour_pass_rate"] == 0.75
        and run.data.metrics["behaviour_t_failure_rate"] == 0.25
    )
    assert run.data.tags["emoai.behaviour.suite"] == load_suite("behaviour").id
