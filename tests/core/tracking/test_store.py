"""Concurrent writes to the local MLflow store: the trials of a study start at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest

from emoai_core.tracking import store as tracking
from emoai_core.training.mlflow_run import log_data_input


def _data_version(tmp_path: Path) -> SimpleNamespace:
    """Just what `log_data_input` reads of a data version."""
    data = SimpleNamespace(
        name="emotion",
        version="abc123",
        ref="emotion@abc123",
        path=tmp_path / "data",
        manifest={"source": "local", "splits": {"train": {"rows": 10}}},
        task="single_label",
        label_map=SimpleNamespace(names=["joy", "sadness"]),
    )
    return data


def _at_once(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Runs `work` in `count` threads released together; the errors they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        barrier.wait()
        try:
            work(index)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.parametrize("round_", range(3))
def test_concurrent_runs_log_one_dataset_without_losing_any(tmp_path: Path, round_: int) -> None:
    clients = [tracking.client() for _ in range(6)]
    experiment_id = tracking.ensure_experiment(clients[0], f"race-{round_}")
    run_ids = [c.create_run(experiment_id).info.run_id for c in clients]
    dv = _data_version(tmp_path)

    errors = _at_once(len(clients), lambda i: log_data_input(clients[i], run_ids[i], dv))

    assert errors == []
    for run_id in run_ids:
        inputs = clients[0].get_run(run_id).inputs.dataset_inputs
        assert [(d.dataset.name, d.dataset.digest) for d in inputs] == [("emotion", "abc123")]


def test_concurrent_first_use_of_an_experiment_creates_it_once() -> None:
    clients = [tracking.client() for _ in range(6)]
    ids: list[str] = []

    errors = _at_once(len(clients), lambda i: ids.append(tracking.ensure_experiment(clients[i], "fresh")))

    assert errors == []
    assert len(ids) == len(clients) and len(set(ids)) == 1


def test_a_write_that_lost_an_insert_race_is_run_again() -> None:
    from mlflow.exceptions import MlflowException

    calls: list[int] = []

    def write() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise MlflowException("(sqlite3.IntegrityError) UNIQUE constraint failed: datasets.name")
        return "done"

    assert tracking.retry_on_conflict(write) == "done"
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("message", "tries"),
    [
        ("Run 'x' not found", 1),  # not a lost race: running it again cannot help
        ("duplicate key value violates unique constraint", 3),  # a race lost every time surfaces
    ],
)
def test_a_failing_write_surfaces_after_as_many_tries_as_make_sense(message: str, tries: int) -> None:
    from mlflow.exceptions import MlflowException

    calls: list[int] = []

    def write() -> None:
        calls.append(1)
        raise MlflowException(message)

    with pytest.raises(MlflowException, match=message[:12]):
        tracking.retry_on_conflict(write, attempts=3)
    assert len(calls) == tries
