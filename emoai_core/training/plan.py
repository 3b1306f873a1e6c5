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
from emoai_core.model.normalize import Normalizer
from emoai_core.storage.folders import is_storage_uri
from emoai_core.training.config import TrainConfig
from emoai_core.training.events import Phase


@dataclass(frozen=True)
class Plan:
    config: TrainConfig  # with `data` resolved to NAME@VERSION (several joined by commas)
    data: DataVersion  # the first source: its test split is `emoai eval`'s default
    labels: LabelMap
    model_source: str  # what `from_pretrained` loads here
    train_counts: tuple[int, ...]  # training rows per label, in label order
    normalizer: Normalizer = Normalizer()  # input normalisation, saved with the model
    sources: tuple[DataVersion, ...] = ()  # every data version trained on (data is the first)
    mix: tuple[float, ...] | None = None  # per-source weights (training.sources)
    abstain_data: DataVersion | None = None  # neutral + emotional texts that fit the abstain threshold
    model_uri: str | None = None  # the base model's shared-storage URI: every worker fetches it itself

    @property
    def multi_source(self) -> bool:
        return len(self.sources) > 1


def _validated(ref: str | None) -> DataVersion:
    from emoai_core.data.checks import validate
    from emoai_core.data.remote import resolve_anywhere

    dv = resolve_anywhere(ref)  # a job on a cluster fetches it from the shared storage
    report = validate(dv)
    if not report.ok:
        failed = ", ".join(c.name for c in report.checks if c.status == "fail")
        raise UsageError(
            f"data version {dv.ref} fails validation ({failed}); refusing to train on it",
            f"see 'emoai data validate {dv.ref}'",
        )
    return dv


def plan_run(config: TrainConfig, on_event: Callable | None = None) -> Plan:
    from emoai_core.training import sources as src

    emit(on_event, Phase("validating data"))
    versions = [_validated(ref or None) for ref in src.refs(config.data)]
    labels = src.common_labels(versions)
    mix = src.parse_mix(config.mix, len(versions))
    dv = versions[0]
    config = config.for_task(dv.task).model_copy(update={"data": ",".join(v.ref for v in versions)})
    source = local_model_source(config.model)
    check_model_loads(source, config.model or DEFAULT_BASE_MODEL)
    uri = config.model if is_storage_uri(config.model) else None
    normalizer = Normalizer.parse(config.normalize)
    if len(versions) == 1:
        counts = label_counts(dv, config.limit)
    else:
        counts = mixed_label_counts(src.train_table(versions, mix, config.seed, config.limit), labels)
    abstain = _abstain_data(config, labels)
    return Plan(config, dv, labels, source, counts, normalizer, tuple(versions), mix, abstain, uri)


def _abstain_data(config: TrainConfig, labels: LabelMap) -> DataVersion | None:
    """--abstain-data must hold our labels plus the neutral one, and only for single-label models."""
    if not config.abstain_data:
        return None
    from emoai_core.data.remote import resolve_anywhere

    dv = resolve_anywhere(config.abstain_data)
    expected = {*labels.names, config.abstain_label}
    if labels.multi_label or dv.task != labels.task or set(dv.label_map.names) != expected:
        raise UsageError(
            f"--abstain-data {dv.ref} must be single-label data with the labels {', '.join(sorted(expected))} "
            f"(it has {', '.join(dv.label_map.names)})",
            f"map it so: its emotions onto ours and its neutral texts onto '{config.abstain_label}'",
        )
    return dv


def mixed_label_counts(table: object, labels: LabelMap) -> tuple[int, ...]:
    from emoai_core.data.versions import label_column
    from emoai_core.data.versions import label_counts as count

    column = label_column(labels.task)
    values = table.column(column).to_pylist()  # type: ignore[attr-defined]
    counted = count([list(v or []) for v in values] if labels.multi_label else values, list(labels.names))
    return tuple(counted[name] for name in labels.names)


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
