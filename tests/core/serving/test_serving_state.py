"""emoai_core.serving.state: what `emoai serve` started, kept in serve.json for `status` and `stop`."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.settings import paths
from emoai_core.serving.state import ServeState, clear_state, read_state, write_state


def _state(**changes) -> ServeState:
    fields = {
        "url": "http://127.0.0.1:8123",
        "address": "127.0.0.1:6380",
        "host": "127.0.0.1",
        "port": 8123,
        "run_id": "abc",
        "version": "2",
        "model": "@production",
        "started": 1700000000.5,
    }
    return ServeState(**{**fields, **changes})


def test_state_round_trips_through_serve_json():
    state = _state(temp_dir="/tmp/ray-x", token_required=True, history=[{"run_id": "abc", "version": "2"}])

    write_state(state)

    assert read_state() == state
    assert json.loads(paths().serve_state.read_text())["port"] == 8123


def test_no_file_means_no_server():
    assert read_state() is None


@pytest.mark.parametrize(
    "content",
    ["{not json", "[1, 2]", '{"url": "http://x"}', '{"url": "x", "unknown_field": 1}', ""],
    ids=["corrupt", "not-an-object", "missing-fields", "unknown-field", "empty"],
)
def test_an_unusable_file_reads_as_no_server(content):
    paths().serve_state.parent.mkdir(parents=True, exist_ok=True)
    paths().serve_state.write_text(content)
    assert read_state() is None


def test_clear_state_forgets_the_server_and_tolerates_nothing_to_clear():
    write_state(_state())
    clear_state()
    assert read_state() is None and not paths().serve_state.exists()
    clear_state()  # nothing left: still fine
