"""`emoai data pull`: read a source, normalise its rows, and store them as a content-addressed version.

Normalising (`data.normalise`) turns whatever a reader found (names, integer ids, lists, comma-separated
text) into label names and decides the task; splits the source lacks are carved from train
(`data.carve`), so every version has a validation split to train against.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, ProgressEvent, emit
from emoai_core.base.settings import load_settings
from emoai_core.data.readers import Columns
from emoai_core.data.versions import (
    DataVersion,
    check_name,
    content_version,
    is_stored,
    load_version,
    store,
)
from emoai_core.model.labels import MULTI_LABEL

if TYPE_CHECKING:
    from emoai_core.data.label_map import LabelMapping
    from emoai_core.data.relabel import MapResult


@dataclass
class PullResult:
    version: DataVersion
    created: bool  # False: the same content was already stored
    mapped: MapResult | None = None  # with a label map: the mapped version made from `version`


def default_name(source: str) -> str:
    """`dair-ai/emotion` and `../data/emotion/` both become `emotion`; files lose their suffix."""
    import re
    from urllib.parse import urlsplit

    if source.lower().startswith(("http://", "https://")):
        source = urlsplit(source).path or "data"
    stem = Path(source.rstrip("/")).stem if Path(source).suffix else Path(source.rstrip("/")).name
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or "data"
    return name.lower()


def _columns(text_col: str, label_col: str | None, header: bool, columns: list[str] | None) -> Columns:
    if columns is not None and header:
        raise UsageError(
            "--columns names the columns of a file without a header row",
            "add --no-header (or drop --columns)",
        )
    names = tuple(c.strip() for c in columns) if columns is not None else None
    if not header and not names:  # two columns, named by the text and label options
        names = (text_col, label_col or "label")
    if names is not None and (len(set(names)) != len(names) or not all(names)):
        raise UsageError(
            f"--columns: names must be distinct and non-empty: {','.join(names)}",
            "one name per column, e.g. --columns text,labels,id",
        )
    return Columns(text_col, label_col, names)


def pull(
    source: str | None = None,
    name: str | None = None,
    text_col: str = "text",
    label_col: str | None = None,
    label_names: list[str] | None = None,
    seed: int = 0,
    on_event: Callable | None = None,
    *,
    multi_label: bool = False,
    header: bool = True,
    columns: list[str] | None = None,
    config: str | None = None,
    revision: str | None = None,
    label_map: Path | str | None = None,
    mapped_name: str | None = None,
) -> PullResult:
    """Read `source`, normalise it and store it as a content-addressed version of `name`.

    `label_col` None: the column `label`, else `labels`. `multi_label` reads text labels as
    comma-separated ids or names; a label column holding lists is multi-label without it.
    `header=False` with `columns` reads csv/tsv files without a header row.
    `label_map`: the pulled version is also mapped (`data.relabel.map_version`) into `mapped_name`;
    the map file is read and checked before anything is downloaded.
    """
    from emoai_core.data.carve import complete
    from emoai_core.data.normalise import normalise
    from emoai_core.data.sources import read_source

    mapping = None
    if label_map is not None:
        from emoai_core.data.label_map import load_mapping

        mapping = load_mapping(label_map)
    source = source or load_settings().data_source
    name = check_name(name or default_name(source))
    cols = _columns(text_col, label_col, header, columns)

    def progress(file: str, rows: int) -> None:
        emit(on_event, ProgressEvent("read", 0, None, f"read {rows:,} rows from {file}"))

    emit(on_event, ProgressEvent("read", 0, None, f"reading {source}"))
    raw = read_source(
        source, cols, label_names, progress, config=config, revision=revision, on_event=on_event
    )
    emit(on_event, ProgressEvent("read", 1, 1, f"reading {source}"))
    splits, names, task = normalise(raw, multi_label, on_event)
    if label_col is None and raw.label_column not in (None, "label"):
        emit(on_event, LogEvent(f"no 'label' column: using '{raw.label_column}' as the label column"))
    if task == MULTI_LABEL and not multi_label:
        emit(
            on_event,
            LogEvent(f"column '{raw.label_column or 'label'}' holds lists of labels: multi-label data"),
        )
    splits, strategy, carved = complete(splits, seed, task, on_event)
    version = content_version(splits, names, task)
    if is_stored(name, version):
        return _mapped(
            PullResult(load_version(name, version), created=False), mapping, mapped_name, seed, on_event
        )
    meta = {
        "source": raw.source,
        "source_kind": raw.kind,
        **({"source_config": config} if config else {}),
        **({"source_revision": revision} if revision else {}),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "columns": {"text": text_col, "label": raw.label_column or label_col or "label"}
        | ({"header": False, "names": list(cols.names or ())} if not cols.header else {}),
        "split_strategy": strategy,
        **({"carved": carved} if carved else {}),
    }
    result = PullResult(store(name, version, splits, names, meta, on_event, task=task), created=True)
    return _mapped(result, mapping, mapped_name, seed, on_event)


def _mapped(
    result: PullResult, mapping: LabelMapping | None, name: str | None, seed: int, on_event: Callable | None
) -> PullResult:
    if mapping is None:
        return result
    from emoai_core.data.relabel import map_version

    result.mapped = map_version(result.version, mapping, name, seed, on_event)
    return result
