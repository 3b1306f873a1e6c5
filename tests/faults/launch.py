"""`emoai` as a subprocess, with a Ctrl-C that lands at a chosen point (fault suite only).

EMOAI_TEST_CTRL_C_AT="package.module:name[.attr]@N" wraps that function: on its N-th call (default
1) it sends SIGINT to the whole process group, as a terminal's Ctrl-C does, then carries on into
the real function, so the KeyboardInterrupt lands inside it. The command then runs as `emoai`.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys


def _arm(spec: str) -> None:
    target, _, nth = spec.partition("@")
    module_name, _, attr = target.partition(":")
    owner = importlib.import_module(module_name)
    *path, name = attr.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)
    want, calls = int(nth or 1), [0]

    def ctrl_c_then_call(*args, **kwargs):
        calls[0] += 1
        if calls[0] == want:
            os.killpg(os.getpgrp(), signal.SIGINT)
        return original(*args, **kwargs)

    setattr(owner, name, ctrl_c_then_call)


if __name__ == "__main__":
    if os.environ.get("EMOAI_TEST_CTRL_C_AT"):
        _arm(os.environ["EMOAI_TEST_CTRL_C_AT"])
    from emoai_cli import process
    from emoai_cli.main import run

    process.mark_standalone()
    sys.argv[0] = "emoai"
    run()
