"""Keep library chatter (progress bars, info logs, hub warnings) off the user's terminal.

emoai renders its own progress; with --debug / EMOAI_DEBUG the libraries speak again.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Iterator

from emoai_core.base.settings import load_settings

CHATTY_LOGGERS = ("mlflow", "alembic", "transformers", "datasets", "huggingface_hub", "filelock", "urllib3")


def quiet_libraries() -> None:
    if load_settings().debug:
        return
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # emoai shows its own progress
    try:
        # imported first: importing transformers (and the hub client with it) resets their loggers'
        # levels, which would undo the lines below on the first call in a fresh process
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


@contextlib.contextmanager
def silenced_stderr() -> Iterator[None]:
    """Swallow what a library prints straight to stderr (e.g. MLflow's registry notices)."""
    if load_settings().debug:
        yield
        return
    with contextlib.redirect_stderr(io.StringIO()):
        yield
