"""emoai_core.base.events: core code reports progress as typed events through an optional callback."""

from __future__ import annotations

import dataclasses

import pytest

from emoai_core.base.events import LogEvent, ProgressEvent, emit


def test_emit_hands_the_event_itself_to_the_callback():
    seen: list[object] = []
    event = ProgressEvent("read", 3, 10, "reading")

    emit(seen.append, event)
    emit(seen.append, LogEvent("done"))

    assert seen[0] is event
    assert seen[1] == LogEvent("done", "info")


def test_emit_without_a_callback_does_nothing():
    emit(None, LogEvent("nobody listens"))  # must not raise


def test_events_are_frozen_and_default_to_an_unknown_total():
    event = ProgressEvent("write", 1)
    assert event.total is None and event.description is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.completed = 2  # type: ignore[misc]
