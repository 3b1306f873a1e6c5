"""`emoai runs promote`: point an alias at a run's registered version and write its local copy.

The local copy is built aside first, so a failed export never leaves an alias pointing at a model
that `emoai predict` cannot load; then the alias and the copy move together, with Ctrl-C held for
that moment, so an interrupted promote leaves the previous alias and copy as they were.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from emoai_core.base.atomic import replace_dir
from emoai_core.base.errors import UsageError
from emoai_core.base.interrupts import deferred_sigint
from emoai_core.base.settings import DEFAULT_ALIAS, paths
from emoai_core.tracking.local_models import download_model, write_local_copy
from emoai_core.tracking.registry import model_version_for_run, set_alias
from emoai_core.tracking.runs import resolve_run
from emoai_core.tracking.store import client as store_client

if TYPE_CHECKING:
    from mlflow import MlflowClient


@dataclass
class PromoteResult:
    run_id: str
    version: str
    alias: str
    local_copy: Path


def check_alias(alias: str) -> None:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,62}", alias) or re.fullmatch(r"[vV]\d+", alias):
        raise UsageError(f"invalid alias '{alias}'", "use letters, digits, '-' and '_' (not v<number>)")


def promote_run(ref: str, alias: str = DEFAULT_ALIAS, client: MlflowClient | None = None) -> PromoteResult:
    """Point `alias` at the run's registered version and write the fast local copy of that model."""
    check_alias(alias)
    client = client or store_client(write=True)
    run = resolve_run(ref, client)
    run_id = run.info.run_id
    version = model_version_for_run(client, run_id)
    hf_dir = download_model(client, run_id)
    local = paths().local_copy(alias)
    staging = local.with_name(f".{alias}.promoting-{os.getpid()}")
    try:
        write_local_copy(hf_dir, alias, run, str(version.version), target=staging)
        with deferred_sigint():  # the alias and the local copy move together, or neither does
            set_alias(client, alias, version.version)
            replace_dir(staging, local)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return PromoteResult(run_id, str(version.version), alias, local)
