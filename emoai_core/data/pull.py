"""`emoai data pull`: read a source, normalise its rows, and store them as a content-addressed version.

Normalising turns whatever a reader found (strings, integers with label names, missing values)
into text and label-name columns; a train-only source gets a seeded, stratified split.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, ProgressEvent, emit
from emoai_core.base.settings import load_settings
from emoai_core.data.sources import Columns, RawData, read_source
from emoai_core.data.versions import DataVersion, Splits, content_version, is_stored, load_version, store

HOLDOUT = 0.1  # validation and test share of a train-only source


@dataclass
class PullResult:
    version: DataVersion
    created: bool  # False: the same content was already stored


def _label_value(value: Any, names: list[str] | None, where: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | tuple | dict):
        raise UsageError(
            f"{where}: label {value!r} is a list; multi-label data is not supported",
            "emoai trains single-label classifiers: one label per text",
        )
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if names is None:
            raise UsageError(
                f"{where}: integer label {value} but no label names",
                "pass --label-names a,b,c or put a labels.txt next to the data",
            )
        if not 0 <= value < len(names):
            return str(value)  # kept as is: validation reports it outside the label set
        return names[value]
    text = str(value).strip()
    return text or None


def _text_value(value: Any) -> str:
    return "" if value is None else str(value)


def _normalise(raw: RawData) -> tuple[Splits, list[str]]:
    splits = {}
    for split, data in raw.splits.items():
        texts = [_text_value(t) for t in data.texts]
        labels = [_label_value(v, raw.label_names, f"{split} row {i + 1}") for i, v in enumerate(data.labels)]
        splits[split] = (texts, labels)
    if not any(splits[s][0] for s in splits):
        raise UsageError(
            f"{raw.source}: the dataset is empty (no rows)", "check the file or the column names"
        )
    names = raw.label_names or sorted(
        {lab for _, labels in splits.values() for lab in labels if lab is not None}
    )
    return splits, names


def _split_train(
    texts: list[str], labels: list[str | None], seed: int, on_event: Callable | None
) -> Splits:
    """A seeded stratified 80/10/10 split for sources that only have training data."""
    from sklearn.model_selection import train_test_split

    if len(texts) < 10:
        raise UsageError(
            f"only {len(texts)} rows: too few to split into train/validation/test",
            "provide at least 10 rows, or separate split files",
        )
    index = list(range(len(texts)))
    strata = [lab if lab is not None else "\0missing" for lab in labels]
    counts = Counter(strata)
    holdout = max(1, round(len(texts) * HOLDOUT))  # whole rows: 600 rows split exactly 480/60/60
    stratify = strata if min(counts.values()) >= 3 and holdout >= len(counts) else None
    if stratify is None:
        emit(on_event, LogEvent("too few rows per label to stratify: splitting at random", "warning"))
    rest, test = train_test_split(index, test_size=holdout, random_state=seed, stratify=stratify)
    rest_strata = [strata[i] for i in rest] if stratify else None
    train, val = train_test_split(rest, test_size=holdout, random_state=seed, stratify=rest_strata)

    def pick(ids: list[int]) -> tuple[list[str], list[str | None]]:
        ids = sorted(ids)
        return [texts[i] for i in ids], [labels[i] for i in ids]

    return {"train": pick(train), "validation": pick(val), "test": pick(test)}


def default_name(source: str) -> str:
    """`dair-ai/emotion` and `../data/emotion/` both become `emotion`; files lose their suffix."""
    import re

    stem = Path(source.rstrip("/")).stem if Path(source).suffix else Path(source.rstrip("/")).name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "data"
    return name.lower()


def check_name(name: str) -> str:
    import re

    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
        raise UsageError(f"invalid data name '{name}'", "use letters, digits, '.', '_' and '-'")
    return name


def pull(
    source: str | None = None,
    name: str | None = None,
    text_col: str = "text",
    label_col: str = "label",
    label_names: list[str] | None = None,
    seed: int = 0,
    on_event: Callable | None = None,
) -> PullResult:
    """Read `source`, normalise it and store it as a content-addressed version of `name`."""
    source = source or load_settings().data_source
    name = check_name(name or default_name(source))

    def progress(file: str, rows: int) -> None:
        emit(on_event, ProgressEvent("read", 0, None, f"read {rows:,} rows from {file}"))

    emit(on_event, ProgressEvent("read", 0, None, f"reading {source}"))
    raw = read_source(source, Columns(text_col, label_col), label_names, progress)
    emit(on_event, ProgressEvent("read", 1, 1, f"reading {source}"))
    splits, names = _normalise(raw)
    strategy = "source"
    if set(splits) == {"train"}:
        splits = _split_train(*splits["train"], seed=seed, on_event=on_event)
        strategy = f"stratified 80/10/10, seed {seed}"
    version = content_version(splits, names)
    if is_stored(name, version):
        return PullResult(load_version(name, version), created=False)
    meta = {
        "source": raw.source,
        "source_kind": raw.kind,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "columns": {"text": text_col, "label": label_col},
        "split_strategy": strategy,
    }
    return PullResult(store(name, version, splits, names, meta, on_event), created=True)
