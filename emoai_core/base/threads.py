"""Long blocking calls (Ray Train's and Ray Tune's `fit()`) run in a thread of their own.

The main thread must stay free: it owns SIGINT (Ctrl-C marks the MLflow run KILLED) and it
turns what the work reports into MLflow metrics and UI events while the work runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What the thread's call returned or raised, read once the thread has ended."""

    result: T | None = None
    error: BaseException | None = None

    def get(self) -> T:
        """The result, or the call's exception raised again in the calling thread."""
        if self.error is not None:
            raise self.error
        return self.result  # type: ignore[return-value]


def start(call: Callable[[], T], name: str, after: Callable[[], None] | None = None) -> tuple[threading.Thread, Outcome[T]]:
    """Run `call` in a daemon thread; `after` runs in that thread when the call ends, however it ends."""
    outcome: Outcome[T] = Outcome()

    def body() -> None:
        try:
            outcome.result = call()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the outcome
            outcome.error = exc
        finally:
            if after is not None:
                after()

    thread = threading.Thread(target=body, name=name, daemon=True)
    thread.start()
    return thread, outcome
