"""Raw label values into label names: one name per row, or a sorted list of names (multi-label).

A reader hands over labels as the source holds them — names, integer ids (also as strings, the
way csv/tsv/txt deliver them), lists, comma-separated text. The task follows from the data (a label
column holding lists is multi-label) or from `--multi-label` (comma-separated ids or names in text).
Label names are free text and pass through untouched, apart from surrounding whitespace.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, emit
from emoai_core.data.sources import RawData
from emoai_core.data.versions import Label, Splits
from emoai_core.model.labels import MULTI_LABEL, SINGLE_LABEL

_ID = re.compile(r"\d+")
_NAMES_HINT = (
    "pass --label-names FILE|a,b,c (a file holds one name per line) or put labels.txt beside the data"
)


class Labeler:
    """Turns one raw value into a name; integer ids (ints, or digit strings that are not names) map
    through `names`. An id outside the names is kept as its digits, for validation to report."""

    def __init__(self, names: list[str] | None) -> None:
        self.names = names
        self.known = set(names or ())

    def name(self, value: Any, where: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, list | tuple | dict):
            raise UsageError(
                f"{where}: label {value!r} is not a name or an id",
                "a multi-label column holds flat lists of names or ids",
            )
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return self._by_id(value, where)
        text = str(value).strip()
        if self.names is not None and text not in self.known and _ID.fullmatch(text):
            return self._by_id(int(text), where)
        return text or None

    def _by_id(self, value: int, where: str) -> str:
        if self.names is None:
            raise UsageError(f"{where}: integer label {value} but no label names", _NAMES_HINT)
        return self.names[value] if 0 <= value < len(self.names) else str(value)

    def names_of(self, value: Any, split_text: bool, where: str) -> list[str]:
        """A row's label set: de-duplicated, sorted names ([] for none)."""
        if value is None:
            items: list[Any] = []
        elif isinstance(value, list | tuple):
            items = list(value)
        elif isinstance(value, str) and split_text:
            items = value.split(",")
        else:
            items = [value]
        return sorted({n for n in (self.name(v, where) for v in items) if n is not None})


def detect_task(raw: RawData, multi_label: bool) -> str:
    if multi_label:
        return MULTI_LABEL
    lists = any(isinstance(v, list | tuple) for s in raw.splits.values() for v in s.labels)
    return MULTI_LABEL if lists else SINGLE_LABEL


def normalise(
    raw: RawData, multi_label: bool = False, on_event: Callable | None = None
) -> tuple[Splits, list[str], str]:
    """Texts and label names per split, the label set (ordered: index = class id) and the task."""
    task = detect_task(raw, multi_label)
    labeler = Labeler(raw.label_names)
    splits: Splits = {}
    for split, data in raw.splits.items():
        texts = ["" if t is None else str(t) for t in data.texts]
        labels: list[Label]
        if task == MULTI_LABEL:
            labels = [
                labeler.names_of(v, multi_label, f"{split} row {i + 1}") for i, v in enumerate(data.labels)
            ]
        else:
            labels = [labeler.name(v, f"{split} row {i + 1}") for i, v in enumerate(data.labels)]
        splits[split] = (texts, labels)
    if not any(texts for texts, _ in splits.values()):
        raise UsageError(
            f"{raw.source}: the dataset is empty (no rows)", "check the file or the column names"
        )
    seen = sorted({n for _, labels in splits.values() for n in _flat(labels)})
    _warn_about(seen, raw.label_names, task, on_event)
    return splits, raw.label_names or seen, task


def _flat(labels: list[Label]) -> list[str]:
    out: list[str] = []
    for label in labels:
        if isinstance(label, list):
            out += label
        elif label is not None:
            out.append(label)
    return out


def _warn_about(seen: list[str], names: list[str] | None, task: str, on_event: Callable | None) -> None:
    """Labels that are probably read the wrong way: ids without names, comma lists as one label."""
    if names is None and seen and all(_ID.fullmatch(n) for n in seen):
        emit(
            on_event,
            LogEvent(
                f"every label looks like an integer id ({', '.join(seen[:5])}"
                f"{', …' if len(seen) > 5 else ''}) but no label names were given: they are kept as "
                "names; to map them, pass --label-names FILE|a,b,c",
                "warning",
            ),
        )
    if task == SINGLE_LABEL:
        known = set(names or ())
        lists = [
            n
            for n in seen
            if n not in known
            and "," in n
            and all(p.strip() in known or _ID.fullmatch(p.strip()) for p in n.split(","))
        ]
        if lists:
            emit(
                on_event,
                LogEvent(
                    f"labels such as '{lists[0]}' look like comma-separated label lists: "
                    "for multi-label data pass --multi-label",
                    "warning",
                ),
            )
