"""`emoai runs promote RUN --gate RATE`: promote only a run whose behavioural pass rate reaches RATE.

The pass rate is the one logged to the run by `emoai eval --suite` when it came from the same suite
(the run's `emoai.behaviour.suite` tag names the suite and a digest of its files); otherwise — never
run, or run with other or since-changed test files — the suite is run now on the run's model and
logged, so the gate never trusts a result of different tests.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from emoai_core.base.errors import EmoaiError, UsageError
from emoai_core.base.events import LogEvent, emit
from emoai_core.inference.behaviour import load_suite
from emoai_core.inference.behaviour_run import PASS_RATE, SUITE_TAG, evaluate_behaviour, log_behaviour

if TYPE_CHECKING:
    from emoai_core.tracking.promote import PromoteResult


@dataclass
class GateResult:
    run_id: str
    pass_rate: float
    gate: float
    suite: str
    ran_now: bool  # False: the rate logged by an earlier `emoai eval --suite` was used

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "pass_rate": self.pass_rate,
            "gate": self.gate,
            "suite": self.suite,
            "ran_now": self.ran_now,
        }


def check_gate_value(gate: float) -> float:
    if not 0.0 < gate <= 1.0:
        raise UsageError(
            f"--gate {gate} must be a pass rate above 0 and at most 1", "e.g. --gate 0.8 for 80 %"
        )
    return gate


def behaviour_gate(
    run_ref: str, gate: float, suites: list[str] | None = None, on_event: Callable | None = None
) -> GateResult:
    """The run's pass rate on the suite (logged, else measured and logged now); raises EmoaiError below `gate`."""
    from emoai_core.tracking.local_models import resolve_model_dir
    from emoai_core.tracking.runs import resolve_run

    check_gate_value(gate)
    suite = load_suite(suites or ["behaviour"])
    run = resolve_run(run_ref)
    run_id = run.info.run_id
    logged = run.data.metrics.get(PASS_RATE)
    if logged is not None and run.data.tags.get(SUITE_TAG) == suite.id:
        result = GateResult(run_id, float(logged), gate, suite.id, ran_now=False)
    else:
        emit(on_event, LogEvent(f"running the behavioural suite {suite.id} on run {run_id[:8]}"))
        report = evaluate_behaviour(resolve_model_dir(run_id), suite, f"run {run_id[:8]}", run_id)
        log_behaviour(run_id, report)
        result = GateResult(run_id, report.pass_rate, gate, suite.id, ran_now=True)
    if result.pass_rate < gate:
        raise EmoaiError(
            f"run {run_id[:8]} passes {result.pass_rate:.1%} of the behavioural suite {suite.id}, "
            f"below the gate of {gate:.1%}: not promoted",
            f"see which tests fail: emoai eval {run_id[:8]} --suite {' --suite '.join(suite.names)}",
        )
    return result


def promote_gated(
    run_ref: str,
    alias: str,
    gate: float | None = None,
    suites: list[str] | None = None,
    on_event: Callable | None = None,
) -> tuple[PromoteResult, GateResult | None]:
    """`tracking.promote.promote_run`, after the behavioural gate when one is given."""
    from emoai_core.tracking.promote import check_alias, promote_run

    check_alias(alias)
    checked = behaviour_gate(run_ref, gate, suites, on_event) if gate is not None else None
    return promote_run(checked.run_id if checked else run_ref, alias), checked
