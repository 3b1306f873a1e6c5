"""The label set: an ordered list of names whose index is the model's class id, and the task.

Data versions, models, exports and the server all carry the same `labels.json`, so a class id
means the same emotion everywhere. A multi-label model's file also holds its per-label decision
thresholds, so every place that predicts decides the same way.

Label names are free text (`Joy (mild)`, `love?`, `+`); `metric_keys` turns them into the names
MLflow and file systems accept, in this one place, unique and stable for a label set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LABELS_FILE = "labels.json"
SINGLE_LABEL = "single_label"
MULTI_LABEL = "multi_label"
TASKS = (SINGLE_LABEL, MULTI_LABEL)
DEFAULT_THRESHOLD = 0.5
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def metric_key(name: str) -> str:
    """`name` as MLflow accepts it in a metric name (letters, digits, `_ . -`); never empty."""
    return _UNSAFE.sub("_", name.strip()).strip("_") or "label"


def unique_keys(names: Iterable[str]) -> list[str]:
    """Metric-safe keys for `names`, in order; a key already taken gets `-2`, `-3`, …"""
    keys: list[str] = []
    for name in names:
        key, n = metric_key(name), 1
        while key in keys:
            n += 1
            key = f"{metric_key(name)}-{n}"
        keys.append(key)
    return keys


@dataclass(frozen=True)
class LabelMap:
    names: tuple[str, ...]
    task: str = SINGLE_LABEL
    thresholds: tuple[float, ...] | None = None  # multi-label: one decision threshold per label
    # single-label: below this top probability the model says "no emotion here" (fitted on neutral texts)
    abstain: float | None = None

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"duplicate label names in {list(self.names)}")
        if self.task not in TASKS:
            raise ValueError(f"unknown task '{self.task}' (expected one of {', '.join(TASKS)})")
        if self.thresholds is not None and len(self.thresholds) != len(self.names):
            raise ValueError(f"{len(self.thresholds)} thresholds for {len(self.names)} labels")

    @classmethod
    def from_names(cls, names: Iterable[str], task: str = SINGLE_LABEL) -> LabelMap:
        return cls(tuple(str(n) for n in names), task)

    def with_thresholds(self, thresholds: Iterable[float]) -> LabelMap:
        return LabelMap(self.names, self.task, tuple(float(t) for t in thresholds), self.abstain)

    def with_abstain(self, abstain: float | None) -> LabelMap:
        return LabelMap(self.names, self.task, self.thresholds, abstain)

    @property
    def multi_label(self) -> bool:
        return self.task == MULTI_LABEL

    def decision_thresholds(self) -> tuple[float, ...]:
        """Per-label thresholds (0.5 for each when none were fitted)."""
        return self.thresholds or (DEFAULT_THRESHOLD,) * len(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, name: object) -> bool:
        return name in self.names

    @property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.names))

    @property
    def label2id(self) -> dict[str, int]:
        return {n: i for i, n in enumerate(self.names)}

    @property
    def metric_keys(self) -> dict[str, str]:
        """label name -> its metric-safe key; names that would collide get `-2`, `-3`, … in label order."""
        return dict(zip(self.names, unique_keys(self.names), strict=True))

    def to_id(self, name: str) -> int:
        return self.label2id[name]

    def to_name(self, idx: int) -> str:
        return self.names[idx]

    def to_json(self) -> dict:
        data: dict = {"labels": list(self.names)}
        if self.multi_label:
            data["task"] = self.task
        if self.thresholds is not None:
            data["thresholds"] = list(self.thresholds)
        if self.abstain is not None:
            data["abstain"] = self.abstain
        return data

    @classmethod
    def from_json(cls, data: dict) -> LabelMap:
        thresholds = data.get("thresholds")
        return cls(
            tuple(str(n) for n in data["labels"]),
            data.get("task") or SINGLE_LABEL,
            tuple(float(t) for t in thresholds) if thresholds is not None else None,
            float(data["abstain"]) if data.get("abstain") is not None else None,
        )

    def save(self, directory: Path) -> Path:
        path = Path(directory) / LABELS_FILE
        path.write_text(json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> LabelMap:
        return cls.from_json(json.loads((Path(directory) / LABELS_FILE).read_text()))
