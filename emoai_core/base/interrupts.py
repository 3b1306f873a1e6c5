"""Ctrl-C that waits for a write to finish.

A KeyboardInterrupt raised in the middle of an MLflow write (inside SQLAlchemy, on a sqlite
connection) surfaces as an MlflowException ("database is locked") instead of an interrupt: the
run is then marked FAILED, the command exits 1 instead of 130, and the store may hold half a
write. Holding SIGINT for the few milliseconds of the write and re-delivering it afterwards keeps
both the store and the Ctrl-C intact. A second Ctrl-C is delivered at once, so a write that hangs
(an unreachable tracking server retrying) never traps the user.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any


@contextmanager
def deferred_sigint() -> Iterator[None]:
    """Run the body with SIGINT held; a Ctrl-C that lands inside is delivered once it ends.

    Only the main thread can own signal handlers; elsewhere the body runs unguarded.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[FrameType | None] = []

    def restore() -> None:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)

    def hold(_signum: int, frame: FrameType | None) -> None:
        if caught:  # pressed again: the user means it now
            caught.clear()
            restore()
            _redeliver(previous, frame)
        else:
            caught.append(frame)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        restore()
        if caught:
            _redeliver(previous, caught[0])


def _redeliver(handler: Any, frame: FrameType | None) -> None:
    """Do what the handler in place before the write would have done with the signal."""
    if callable(handler):
        handler(signal.SIGINT, frame)  # the default handler raises KeyboardInterrupt here
    elif handler in (signal.SIG_DFL, None):
        os.kill(os.getpid(), signal.SIGINT)
