"""Running `emoai` as a user would for the fault suite: its own process session, Ctrl-C and SIGKILL
from outside, and a check that nothing it started outlives it.

Every command runs in a new session (`start_new_session`): every process it starts — Ray's
raylet, workers and the agents re-parented to PID 1 — keeps that session id, so what is left
behind is found by the session, never by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

LAUNCH = Path(__file__).with_name("launch.py")
LEFTOVER_GRACE_S = 5.0  # the promise: nothing of a command's own within 5 s of it returning
RECORD_ENV = "EMOAI_FAULT_RECORD"  # bench/faults.py: where scenarios append what they measured


def session_pids(sid: int) -> list[int]:
    """Live processes of the session `sid` (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[3]) == sid:
            found.append(int(entry.name))
    return found


def leftovers(sid: int, grace: float = LEFTOVER_GRACE_S) -> list[str]:
    """What of session `sid` still runs `grace` seconds from now (as 'pid cmdline'); empty is the promise."""
    deadline = time.monotonic() + grace
    while True:
        alive = session_pids(sid)
        if not alive or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    out = []
    for pid in alive:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        out.append(f"{pid} {cmdline[:120]}")
    return out


def kill_session(sid: int) -> None:
    for pid in session_pids(sid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _sigint_default() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Emoai:
    """One `emoai` command in its own session."""

    env: dict[str, str]
    args: tuple[str, ...]
    ctrl_c_at: str | None = None
    proc: subprocess.Popen | None = None
    stdout: str = ""
    stderr: str = ""
    left: list[str] = field(default_factory=list)

    def start(self) -> Emoai:
        env = dict(self.env)
        if self.ctrl_c_at:
            env["EMOAI_TEST_CTRL_C_AT"] = self.ctrl_c_at
        # files, not pipes: a command watched (not waited on) for minutes must never block on a full pipe
        self._out, self._err = tempfile.TemporaryFile("w+"), tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            [sys.executable, str(LAUNCH), *self.args],
            env=env,
            stdout=self._out,
            stderr=self._err,
            text=True,
            start_new_session=True,
            preexec_fn=_sigint_default,
        )
        return self

    def wait(self, timeout: float = 900, keep_session: bool = False) -> Emoai:
        assert self.proc is not None
        try:
            self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                kill_session(self.proc.pid)
                self.proc.wait()
            for name, fh in (("stdout", self._out), ("stderr", self._err)):
                fh.seek(0)
                setattr(self, name, fh.read())
                fh.close()
        if keep_session:  # what it started is meant to outlive it (`serve --detach`): the caller checks
            return self
        self.left = leftovers(self.proc.pid)
        kill_session(self.proc.pid)  # never leave anything for the next test, whatever was asserted
        return self

    @property
    def code(self) -> int:
        assert self.proc is not None
        return self.proc.returncode

    def json(self):
        return json.loads(self.stdout)


def emoai(
    env: dict[str, str],
    *args: str,
    ctrl_c_at: str | None = None,
    timeout: float = 900,
    keep_session: bool = False,
) -> Emoai:
    return Emoai(env, tuple(str(a) for a in args), ctrl_c_at).start().wait(timeout, keep_session)


def one_line_error(stderr: str) -> bool:
    """The promise for bad input: an `Error:` line and a `Hint:`, no traceback."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("Error:")]
    return len(errors) == 1 and any(line.startswith("Hint:") for line in lines) and "Traceback" not in stderr


def record(scenario: str, **measured) -> None:
    """Append what a scenario measured (recovery seconds, data lost) for bench/faults.py."""
    path = os.environ.get(RECORD_ENV)
    if path:
        with open(path, "a") as fh:
            fh.write(json.dumps({"scenario": scenario, **measured}) + "\n")


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its sha256: 'earlier versions intact' means this is unchanged."""
    import hashlib

    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
