"""Everything decided before Ray starts: which data version, which base model, which label counts.

A run (or each trial of a study) starts only from a plan whose data passed validation and whose
base model loads, so a mistake fails in seconds with a hint instead of after Ray has started.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from emoai_core.base.errors import UsageError
from emoai_core.base.events import emit
from emoai_core.base.settings import DEFAULT_BASE_MODEL
from emoai_core.data.versions import DataVersion
from emoai_core.model.labels import LabelMap
from emoai_core.storage.folders import is_storage_uri
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import Phase


@dataclass(frozen=True)
class Plan:
    config: TrainConfig  # with `data` resolved to NAME@VERSION
    data: DataVersion
    labels: LabelMap
    model_source: str  # what `from_pretrained` loads here
    train_counts: tuple[int, ...]  # training rows per label, in label order
    model_uri: str | None = None  # the base model's shared-storage URI: every worker fetches it itself


def plan_run(config: TrainConfig, on_event: Callable | None = None) -> Plan:
    from emoai_core.data.checks import validate
    from emoai_core.data.remote import resolve_anywhere
    emit(on_event, Phase("validating data"))
    dv = resolve_anywhere(config.data)  # a job on a cluster fetches it from the shared storage
    report = validate(dv)
    if not report.ok:
        failed = ", ".join(c.name for c in report.checks if c.status == "fail")
        raise UsageError(
            f"data version {dv.ref} fails validation ({failed}); refusing to train on it",
            f"see 'emoai data validate {dv.ref}'",
        )
    config = config.for_task(dv.task).model_copy(update={"data": dv.ref})
    source = local_model_source(config.model)
    check_model_loads(source, config.model or DEFAULT_BASE_MODEL)
    uri = config.model if is_storage_uri(config.model) else None
    return Plan(config, dv, dv.label_map, source, label_counts(dv, config.limit), uri)


def local_model_source(name: str | None) -> str:
    """What `from_pretrained` loads on this machine: a base model on the shared storage is fetched once."""
    from emoai_core.base.settings import paths
    from emoai_core.model.classifier import resolve_base_model

    if is_storage_uri(name):
        from emoai_core.storage.folders import fetch_folder

        return str(fetch_folder(str(name), paths().base_model_cache))
    return resolve_base_model(name)


def check_model_loads(source: str, name: str) -> None:
    """Fail before Ray starts if the base model cannot be found."""
    from transformers import AutoConfig

    from emoai_core.model.classifier import load_error

    try:
        AutoConfig.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise load_error(name, exc) from None


def label_counts(dv: DataVersion, limit: int | None) -> tuple[int, ...]:
    """Training rows per label, in label order (a multi-label row counts for each of its labels)."""
    import pyarrow.parquet as pq

    from emoai_core.data.versions import label_column
    from emoai_core.data.versions import label_counts as count

    column = label_column(dv.task)
    labels = pq.read_table(dv.split_path("train"), columns=[column]).column(column).to_pylist()
    labels = labels[:limit] if limit else labels
    counts = count([list(v or []) for v in labels] if dv.label_map.multi_label else labels, list(dv.label_map.names))
    return tuple(counts[name] for name in dv.label_map.names)
