"""`emoai data map` (and `data pull --label-map`): a stored version through a label map, stored as a
new, ordinary data version.

The new version is content-hashed like any pull; its manifest records the parent version, the map
file (its text, with the reasoning in its comments, and its sha256), the rules and, per split, how
many rows were kept and dropped and why. A split the map empties is carved again from train (so
there is always a validation split); the result is validated.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, ProgressEvent, emit
from emoai_core.data.label_map import LabelMapping, load_mapping
from emoai_core.data.versions import (
    SPLITS,
    DataVersion,
    Splits,
    check_name,
    content_version,
    is_stored,
    load_version,
    store,
)

if TYPE_CHECKING:
    from emoai_core.data.report import ValidationReport

SOURCE_KIND = "label_map"


@dataclass
class MapStats:
    """What mapping did to one split: rows in, rows kept, rows dropped by reason, and per target the
    source labels its kept rows came from."""

    rows: int = 0
    kept: int = 0
    dropped: Counter = field(default_factory=Counter)
    sources: dict[str, Counter] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "kept": self.kept,
            "dropped": dict(sorted(self.dropped.items(), key=lambda kv: -kv[1])),
            "sources": {t: dict(c.most_common()) for t, c in self.sources.items()},
        }


def apply_mapping(
    mapping: LabelMapping, texts: list[str], labels: list[Any], source_task: str
) -> tuple[list[str], list[Any], MapStats]:
    """The rows the map keeps, their new labels, and the counts (a pure function of its inputs)."""
    stats = MapStats(rows=len(texts))
    out_texts, out_labels = [], []
    for text, label in zip(texts, labels, strict=True):
        new, reason = mapping.map_row(label, source_task)
        if reason is not None:
            stats.dropped[reason] += 1
            continue
        out_texts.append(text)
        out_labels.append(new)
        stats.kept += 1
        for target in new if isinstance(new, list) else [new] if new is not None else []:
            origin = label if isinstance(label, list) else [label]
            counter = stats.sources.setdefault(target, Counter())
            counter.update(x for x in dict.fromkeys(origin) if mapping.target_of(x) == target)
    return out_texts, out_labels, stats


@dataclass
class MapResult:
    version: DataVersion
    parent: DataVersion
    created: bool  # False: the same content was already stored
    stats: dict[str, MapStats]
    validation: ValidationReport

    def to_json(self) -> dict[str, Any]:
        dv = self.version
        return {
            "name": dv.name,
            "version": dv.version,
            "ref": dv.ref,
            "parent": self.parent.ref,
            "created": self.created,
            "task": dv.task,
            "labels": dv.manifest["label_names"],
            "rows": dv.rows,
            "mapping": {s: st.to_json() for s, st in self.stats.items()},
            "label_counts": {s: v["label_counts"] for s, v in dv.manifest["splits"].items()},
            "split_strategy": dv.manifest.get("split_strategy"),
            "validation": self.validation.to_json(),
            "path": str(dv.path),
        }


def default_map_name(mapping: LabelMapping, parent: str) -> str:
    """The map's own `name:`, else `<parent>-mapped`."""
    return mapping.name or f"{parent}-mapped"


def map_version(
    parent: DataVersion,
    map_file: Path | str | LabelMapping,
    name: str | None = None,
    seed: int = 0,
    on_event: Callable | None = None,
) -> MapResult:
    """Apply a label map to every split of `parent` and store the result as version of `name`."""
    from emoai_core.data.carve import complete
    from emoai_core.data.checks import validate

    mapping = map_file if isinstance(map_file, LabelMapping) else load_mapping(map_file)
    name = check_name(name or default_map_name(mapping, parent.name))
    if name == parent.name:
        raise UsageError(
            f"the mapped version needs a name of its own, not '{parent.name}'",
            "name it with --name (or 'name:' in the map file), e.g. --name " + f"{parent.name}-mapped",
        )
    source_names = list(parent.manifest["label_names"])
    mapping.check_against(source_names)
    names, task = mapping.target_names(source_names), mapping.output_task(parent.task)
    splits: Splits = {}
    stats: dict[str, MapStats] = {}
    present = [s for s in SPLITS if s in parent.manifest["splits"]]
    for i, split in enumerate(present):
        texts, labels = parent.read_split(split)
        texts, labels, stats[split] = apply_mapping(mapping, texts, labels, parent.task)
        if texts:
            splits[split] = (texts, labels)
        emit(on_event, ProgressEvent("map", i + 1, len(present), f"mapping {split}"))
    if "train" not in splits:
        raise UsageError(
            f"{mapping.path} keeps no training row of {parent.ref}",
            "check map and drop: " + _why(stats.get("train")),
        )
    for split in present:
        if split != "train" and split not in splits:
            emit(on_event, LogEvent(f"the map keeps no {split} row: " + _why(stats[split]), "warning"))
    splits, strategy, carved = complete(splits, seed, task, on_event)
    version = content_version(splits, names, task)
    created = not is_stored(name, version)
    if created:
        meta = _meta(parent, mapping, stats, strategy, carved)
        dv = store(name, version, splits, names, meta, on_event, task=task)
    else:
        dv = load_version(name, version)
    return MapResult(dv, parent, created, stats, validate(dv))


def _why(stats: MapStats | None) -> str:
    if stats is None or not stats.dropped:
        return "no rows"
    return ", ".join(f"{n:,} {reason}" for reason, n in stats.dropped.most_common())


def _meta(
    parent: DataVersion, mapping: LabelMapping, stats: dict[str, MapStats], strategy: str, carved: dict
) -> dict[str, Any]:
    if strategy == "source":  # every split kept: they were made (or carved) as the parent's were
        strategy, carved = (
            parent.manifest.get("split_strategy") or strategy,
            parent.manifest.get("carved") or {},
        )
    return {
        "source": parent.ref,
        "source_kind": SOURCE_KIND,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "parent": {
            "name": parent.name,
            "version": parent.version,
            "ref": parent.ref,
            "source": parent.manifest.get("source"),
            "task": parent.task,
        },
        "label_map": {
            "file": mapping.path,
            "sha256": mapping.sha256,
            "rules": mapping.rules(),
            "text": mapping.text,
            "rows": {s: st.to_json() for s, st in stats.items()},
        },
        "split_strategy": strategy,
        **({"carved": carved} if carved else {}),
    }
