"""Ray Train's storage_path: the shared storage's `ray/` when one is configured, else EMOAI_HOME/ray_results.

A multi-node run needs a storage path every node reaches; resume, backfill, `runs show` and
`runs delete` read a run's folder through here, wherever it is.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from emoai_core.base.settings import paths, ray_run_name
from emoai_core.storage.location import RAY, configured

if TYPE_CHECKING:
    import pyarrow.fs


def ray_storage() -> tuple[str, pyarrow.fs.FileSystem | None]:
    """(storage_path, storage_filesystem) for Ray Train and Tune's RunConfig."""
    storage = configured()
    if storage is None:
        return str(paths().ray_storage), None
    return storage.path(RAY), storage.filesystem()


def run_location(run_id: str) -> str:
    """Where the Ray Train run of MLflow run `run_id` keeps its checkpoints (a URI or a local folder)."""
    storage = configured()
    if storage is None:
        return str(paths().ray_run(run_id))
    return storage.uri_of(RAY, ray_run_name(run_id))


def read_run_file(run_id: str, name: str) -> bytes | None:
    """A file of the run's folder (e.g. Ray Train's checkpoint manager snapshot); None when absent."""
    storage = configured()
    if storage is None:
        try:
            return (paths().ray_run(run_id) / name).read_bytes()
        except OSError:
            return None
    from emoai_core.base.errors import EmoaiError
    from emoai_core.storage.files import read_bytes

    try:
        return read_bytes(storage, f"{RAY}/{ray_run_name(run_id)}/{name}")
    except EmoaiError:
        return None


def delete_run(run_id: str) -> None:
    """Remove the run's checkpoints and results (the local folder, and the shared one when configured)."""
    shutil.rmtree(paths().ray_run(run_id), ignore_errors=True)
    storage = configured()
    if storage is not None:
        from emoai_core.storage.files import delete_tree

        delete_tree(storage, f"{RAY}/{ray_run_name(run_id)}")
