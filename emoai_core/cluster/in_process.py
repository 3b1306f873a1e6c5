"""The in-process Ray's own temp folder: made for it, ended with the command, swept when its owner died.

`ray.init()` without an address puts its processes' files under Ray's shared /tmp/ray, and after
`ray.shutdown()` its agents (`ray::DashboardAgent`, `ray::RuntimeEnvAgent`) live on for minutes.
emoai gives the Ray it starts in-process a folder of its own, so exactly that Ray's processes can
be found (`processes.tied_to`) and ended when the command returns — normally, on an error, or on
Ctrl-C (`abandon`) — and the folder removed. A folder whose owner was killed before it could
clean up (SIGKILL, OOM) is swept by the next command that starts an in-process Ray.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

from emoai_core.base.settings import ray_temp_root
from emoai_core.cluster import processes

PREFIX = "emoai-local-"
OWNER_FILE = "emoai-owner"  # "<pid> <start time>" of the process that owns the folder
_state: dict[str, str] = {}


def current() -> str | None:
    """This process's in-process Ray folder, while it has one."""
    return _state.get("temp_dir")


def claim() -> str:
    """A new folder for this process's in-process Ray (`ray.init(_temp_dir=...)`), released at exit."""
    if current():
        return current()  # type: ignore[return-value]
    sweep()
    root = ray_temp_root()
    os.makedirs(root, exist_ok=True)
    folder = tempfile.mkdtemp(prefix=PREFIX, dir=root)
    pid = os.getpid()
    Path(folder, OWNER_FILE).write_text(f"{pid} {processes.start_time(pid)}\n")
    _state["temp_dir"] = folder
    atexit.register(release)  # runs before Ray's own exit hook (registered when ray was imported)
    return folder


def _owner_alive(folder: Path) -> bool:
    try:
        pid_text, started = (folder / OWNER_FILE).read_text().split()
        pid = int(pid_text)
    except (OSError, ValueError):
        return True  # not one of ours yet (being made), or not ours at all: leave it
    return processes.alive(pid) and processes.start_time(pid) == started


def sweep() -> list[str]:
    """End and remove the in-process Ray folders whose owning emoai process is gone."""
    root = Path(ray_temp_root())
    swept = []
    for folder in root.glob(f"{PREFIX}*") if root.is_dir() else []:
        if folder.is_dir() and not _owner_alive(folder):
            processes.end_tied(str(folder), graceful=False)
            shutil.rmtree(folder, ignore_errors=True)
            swept.append(str(folder))
    return swept


def release() -> None:
    """Shut the in-process Ray down, end what outlives it (its agents) and remove its folder."""
    folder = _state.pop("temp_dir", None)
    if folder is None:
        return
    if _runs_in(folder):
        import ray

        with contextlib.suppress(Exception):
            ray.shutdown()
    processes.end_tied(folder, timeout=3.0)
    shutil.rmtree(folder, ignore_errors=True)


def _runs_in(folder: str) -> bool:
    """Whether this process's Ray is the one rooted at `folder` (only that one is shut down)."""
    import sys

    if "ray" not in sys.modules:
        return False
    try:
        from ray._private import worker

        node = worker._global_node
        return node is not None and os.path.realpath(node.get_temp_dir_path()) == os.path.realpath(folder)
    except Exception:  # noqa: BLE001 - a Ray without these internals: shut down only what we can name
        return False


def abandon() -> None:
    """On Ctrl-C, just before the process leaves without its exit hooks: kill the in-process Ray outright.

    `ray.shutdown()` after a terminal's Ctrl-C can crash in Ray's native threads, so nothing is asked
    of Ray: its folder is removed and every process tied to it is killed.
    """
    folder = _state.pop("temp_dir", None)
    if folder is None:
        return
    import time

    targets = processes.tied_to(folder)
    shutil.rmtree(folder, ignore_errors=True)  # the processes' open files stay readable until they end
    for pid in targets:
        processes.send(pid, signal.SIGKILL)
    deadline = time.monotonic() + 1.0  # a dying Ray process may still recreate a log folder
    while time.monotonic() < deadline and any(processes.alive(p) for p in targets):
        time.sleep(0.02)
    shutil.rmtree(folder, ignore_errors=True)
