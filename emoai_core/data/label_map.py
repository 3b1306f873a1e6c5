"""Label maps: a YAML file that renames, merges and drops the labels of a data version, and says how
multi-label rows become single-label rows.

    name: goemotions6                 # optional: the default name of the mapped version
    labels: [sadness, joy, love]      # optional: the target labels, in this order (else as they appear)
    map:                              # source label -> target label (several sources may merge)
      sadness: sadness
      grief: sadness
      admiration: joy
    drop: [neutral, desire]           # labels taken off every row
    unmapped: error                   # labels in neither map nor drop: error | drop | keep
    dropped_labels: ignore            # a row with a dropped label: ignore the label | drop_row
    multi_label: keep_if_agree        # keep_if_agree | keep_if_single | majority | keep

Multi-label rules (what a multi-label row becomes, from the targets of its labels that are not dropped):
- `keep_if_agree`: one single-label row when they all map to one target, else the row is dropped;
- `keep_if_single`: only rows with exactly one such label are kept;
- `majority`: the target most of the row's labels map to; a tie drops the row;
- `keep`: the data stays multi-label, each row's labels mapped (and de-duplicated).
A multi-label row with no label, or whose labels were all dropped, is dropped (single-label output);
`keep` keeps a row that had no label as it was. Single-label rows are simply mapped.
Every decision that drops a row is counted by reason (`DROP_REASONS`).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError, close_matches
from emoai_core.model.labels import MULTI_LABEL, SINGLE_LABEL

KEYS = ("name", "description", "labels", "map", "drop", "unmapped", "dropped_labels", "multi_label")
MULTI_RULES = ("keep_if_agree", "keep_if_single", "majority", "keep")
UNMAPPED_RULES = ("error", "drop", "keep")
DROPPED_RULES = ("ignore", "drop_row")
DROP_REASONS = {
    "labels_disagree": "its labels map to different targets",
    "several_labels": "more than one label (keep_if_single)",
    "tie": "no single target has most of its labels",
    "only_dropped_labels": "every label it had is dropped",
    "dropped_label": "it has a dropped label (dropped_labels: drop_row)",
    "unmapped_label": "its label is not in the map (unmapped: drop)",
    "no_label": "no label to map (an empty label set)",
}


@dataclass(frozen=True)
class LabelMapping:
    """A parsed, checked label-map file."""

    path: str
    text: str
    mapping: dict[str, str]
    drop: tuple[str, ...] = ()
    labels: tuple[str, ...] | None = None
    unmapped: str = "error"
    dropped_labels: str = "ignore"
    multi_label: str = "keep_if_agree"
    name: str | None = None
    description: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()

    def rules(self) -> dict[str, Any]:
        return {
            "map": dict(self.mapping),
            "drop": list(self.drop),
            **({"labels": list(self.labels)} if self.labels else {}),
            "unmapped": self.unmapped,
            "dropped_labels": self.dropped_labels,
            "multi_label": self.multi_label,
        }

    def target_names(self, source_names: list[str]) -> list[str]:
        """The mapped version's label names: `labels`, else targets as they first appear in `map`;
        with `unmapped: keep`, the source labels kept as they are follow, in the source's order."""
        names = list(self.labels) if self.labels else list(dict.fromkeys(self.mapping.values()))
        if self.unmapped == "keep":
            names += [n for n in source_names if self.is_unmapped(n) and n not in names]
        return names

    def is_unmapped(self, label: str) -> bool:
        return label not in self.mapping and label not in self.drop

    def output_task(self, source_task: str) -> str:
        return MULTI_LABEL if source_task == MULTI_LABEL and self.multi_label == "keep" else SINGLE_LABEL

    def check_against(self, source_names: list[str]) -> None:
        """Every label the file names exists in the data; with `unmapped: error`, every label is placed."""
        known = set(source_names)
        for key, labels in (("map", list(self.mapping)), ("drop", list(self.drop))):
            for label in labels:
                if label not in known:
                    near = close_matches(label, source_names)
                    raise UsageError(
                        f"{self.path}: {key}: unknown source label '{label}'"
                        + (f" (did you mean {near[0]}?)" if near else ""),
                        f"the data's labels: {', '.join(source_names)}",
                    )
        left = [n for n in source_names if self.is_unmapped(n)]
        if left and self.unmapped == "error":
            raise UsageError(
                f"{self.path}: unmapped: labels in neither map nor drop: {', '.join(left)}",
                "map or drop each of them, or set 'unmapped: drop' or 'unmapped: keep'",
            )

    def map_row(self, label: Any, source_task: str) -> tuple[Any, str | None]:
        """(the row's new label, None) or (None, the reason the row is dropped)."""
        if source_task != MULTI_LABEL:
            return self._map_single(label)
        return self._map_multi(list(label or []))

    def target_of(self, label: str) -> str | None:
        if label in self.mapping:
            return self.mapping[label]
        if label in self.drop or self.unmapped != "keep":
            return None
        return label

    def _map_single(self, label: str | None) -> tuple[Any, str | None]:
        if label is None:
            return None, None  # an unlabelled row stays unlabelled
        target = self.target_of(label)
        if target is not None:
            return target, None
        return None, "dropped_label" if label in self.drop else "unmapped_label"

    def _map_multi(self, labels: list[str]) -> tuple[Any, str | None]:
        if not labels:
            return ([], None) if self.multi_label == "keep" else (None, "no_label")
        targets = [t for t in (self.target_of(x) for x in labels) if t is not None]
        if self.dropped_labels == "drop_row" and len(targets) < len(labels):
            return None, "dropped_label"
        if not targets:
            return None, "only_dropped_labels"
        distinct = list(dict.fromkeys(targets))
        if self.multi_label == "keep":
            return sorted(distinct), None
        if self.multi_label == "keep_if_single":
            return (targets[0], None) if len(targets) == 1 else (None, "several_labels")
        if self.multi_label == "keep_if_agree":
            return (distinct[0], None) if len(distinct) == 1 else (None, "labels_disagree")
        ranked = Counter(targets).most_common()
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return None, "tie"
        return ranked[0][0], None


def load_mapping(path: Path | str) -> LabelMapping:
    """Parse and check a label-map file; any problem is one UsageError naming the file and the key."""
    import yaml

    path = Path(path).expanduser()
    where = str(path)
    if not path.is_file():
        raise UsageError(
            f"label map not found: {where}",
            "pass a YAML file, e.g. examples/label_maps/goemotions_to_emotion.yaml",
        )
    text = path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or type(exc).__name__
        raise UsageError(
            f"{where}: not valid YAML{at}: {problem}", "check the indentation and quoting"
        ) from None
    if not isinstance(data, dict):
        raise UsageError(f"{where}: expected a mapping with a 'map' key", "see examples/label_maps/")
    for key in data:
        if key not in KEYS:
            near = close_matches(str(key), list(KEYS))
            raise UsageError(
                f"{where}: unknown key '{key}'" + (f" (did you mean {near[0]}?)" if near else ""),
                f"keys: {', '.join(KEYS)}",
            )
    mapping = _map_section(where, data.get("map"))
    drop = _names(where, "drop", data.get("drop") or [])
    labels = _names(where, "labels", data["labels"]) if data.get("labels") is not None else None
    rules = {
        key: _rule(where, key, data.get(key, default), choices)
        for key, default, choices in (
            ("unmapped", "error", UNMAPPED_RULES),
            ("dropped_labels", "ignore", DROPPED_RULES),
            ("multi_label", "keep_if_agree", MULTI_RULES),
        )
    }
    both = [x for x in drop if x in mapping]
    if both:
        raise UsageError(
            f"{where}: drop: '{both[0]}' is also in map", "a label is mapped or dropped, not both"
        )
    if labels is not None:
        missing = [(s, t) for s, t in mapping.items() if t not in labels]
        if missing:
            source, target = missing[0]
            raise UsageError(
                f"{where}: map.{source}: target '{target}' is not in labels",
                f"labels: {', '.join(labels)} (add it there, or fix the target)",
            )
    for key in ("name", "description"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise UsageError(f"{where}: {key}: expected a string")
    return LabelMapping(
        where,
        text,
        mapping,
        tuple(drop),
        tuple(labels) if labels is not None else None,
        name=data.get("name"),
        description=data.get("description"),
        **rules,
    )


def _map_section(where: str, section: Any) -> dict[str, str]:
    if not isinstance(section, dict) or not section:
        raise UsageError(f"{where}: map: expected source: target pairs", "e.g. map: {grief: sadness}")
    out = {}
    for source, target in section.items():
        if not isinstance(source, str):
            raise UsageError(
                f"{where}: map: source label {source!r} is not a string", f"quote it: '{source}': ..."
            )
        if target is None:
            raise UsageError(
                f"{where}: map.{source}: no target", "to drop a label, list it under 'drop:' instead"
            )
        if not isinstance(target, str) or not target.strip():
            raise UsageError(
                f"{where}: map.{source}: target {target!r} is not a label name (a string)",
                "quote names YAML reads as numbers or booleans, e.g. '1' or 'yes'",
            )
        out[source] = target
    return out


def _names(where: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise UsageError(
            f"{where}: {key}: expected a list of label names (strings)", f"e.g. {key}: [neutral]"
        )
    if len(set(value)) != len(value):
        twice = next(v for v in value if value.count(v) > 1)
        raise UsageError(f"{where}: {key}: '{twice}' is listed twice")
    return list(value)


def _rule(where: str, key: str, value: Any, choices: tuple[str, ...]) -> str:
    if value not in choices:
        near = close_matches(str(value), list(choices))
        raise UsageError(
            f"{where}: {key}: unknown rule '{value}'" + (f" (did you mean {near[0]}?)" if near else ""),
            f"{key}: one of {', '.join(choices)}",
        )
    return value
