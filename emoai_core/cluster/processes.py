"""The processes tied to a Ray temp folder, and ending exactly those.

Most of Ray's processes name their cluster's temp folder on their command line. The agents
(`ray::DashboardAgent`, `ray::RuntimeEnvAgent`) do not: once started, their command line is
only a title, and after their raylet ends they live on for minutes, re-parented to PID 1. They do
hold their log files open inside the folder. So a process is tied to a folder when its command
line names it, or when it is a Ray process whose working directory or one of whose open files
lies inside it. Nothing is ever looked up by name on the whole machine: a Ray started elsewhere
(another temp folder) is never touched.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

PROC = Path("/proc")


def _inside(link: str, roots: tuple[str, ...]) -> bool:
    return any(link == root or link.startswith(root + os.sep) for root in roots)


def _holds_files_in(entry: Path, roots: tuple[str, ...]) -> bool:
    try:
        if _inside(os.readlink(entry / "cwd"), roots):
            return True
        fds = list((entry / "fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            if _inside(os.readlink(fd), roots):
                return True
        except OSError:
            continue
    return False


def tied_to(folder: str) -> list[int]:
    """Processes (other than this one) whose command line names `folder`, or Ray processes holding files in it."""
    roots = tuple({os.path.abspath(folder).rstrip(os.sep), os.path.realpath(folder).rstrip(os.sep)})
    needles = tuple(root.encode() for root in roots)
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        named = any(needle in cmdline for needle in needles)
        if named or (b"ray" in cmdline and alive(int(entry.name)) and _holds_files_in(entry, roots)):
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie has ended: only its parent's wait is missing)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot): with the pid, it names one process for good."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def send(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def end_tied(folder: str, timeout: float = 3.0, *, graceful: bool = True) -> list[int]:
    """End every process tied to `folder`: TERM, then KILL after `timeout` (at once unless graceful)."""
    targets = tied_to(folder)
    if graceful:
        for pid in targets:
            send(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(alive(p) for p in targets):
            time.sleep(0.1)
    for pid in targets:
        if alive(pid):
            send(pid, signal.SIGKILL)
    for pid in tied_to(folder):  # started while the others were ending
        send(pid, signal.SIGKILL)
    return targets
