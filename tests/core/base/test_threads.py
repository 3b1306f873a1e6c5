"""emoai_core.base.threads: a long call runs in its own thread; its result or error comes back to the caller."""

from __future__ import annotations

import threading

import pytest

from emoai_core.base.threads import Outcome, start


def test_start_hands_back_the_result_and_runs_after():
    after_ran_in: list[str] = []

    thread, outcome = start(
        lambda: 42, "emoai-test", after=lambda: after_ran_in.append(threading.current_thread().name)
    )
    thread.join(10)

    assert not thread.is_alive()
    assert thread.name == "emoai-test" and thread.daemon
    assert outcome.get() == 42
    assert after_ran_in == ["emoai-test"]


def test_the_calls_exception_is_raised_again_in_the_caller_and_after_still_runs():
    error = ValueError("fit failed")
    after_calls: list[int] = []

    def fail() -> int:
        raise error

    thread, outcome = start(fail, "emoai-fail", after=lambda: after_calls.append(1))
    thread.join(10)

    assert outcome.error is error
    with pytest.raises(ValueError, match="fit failed") as info:
        outcome.get()
    assert info.value is error
    assert after_calls == [1]


def test_a_keyboard_interrupt_in_the_thread_reaches_the_caller():
    def interrupted() -> None:
        raise KeyboardInterrupt

    thread, outcome = start(interrupted, "emoai-ctrl-c")
    thread.join(10)

    with pytest.raises(KeyboardInterrupt):
        outcome.get()


def test_the_caller_stays_free_while_the_call_runs():
    release = threading.Event()
    thread, outcome = start(lambda: release.wait(10) and "done", "emoai-slow")

    assert thread.is_alive()  # start() returned while the call still blocks
    release.set()
    thread.join(10)
    assert outcome.get() == "done"


def test_an_empty_outcome_reads_as_none():
    assert Outcome().get() is None
