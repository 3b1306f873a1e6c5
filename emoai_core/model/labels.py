"""The label set: an ordered list of names whose index is the model's class id.

Data versions, models, exports and the server all carry the same `labels.json`, so a class id
means the same emotion everywhere.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

LABELS_FILE = "labels.json"


@dataclass(frozen=True)
class LabelMap:
    names: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"duplicate label names in {list(self.names)}")

    @classmethod
    def from_names(cls, names: Iterable[str]) -> LabelMap:
        return cls(tuple(str(n) for n in names))

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

    def to_id(self, name: str) -> int:
        return self.label2id[name]

    def to_name(self, idx: int) -> str:
        return self.names[idx]

    def to_json(self) -> dict:
        return {"labels": list(self.names)}

    def save(self, directory: Path) -> Path:
        path = Path(directory) / LABELS_FILE
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return path

    @classmethod
    def load(cls, directory: Path) -> LabelMap:
        data = json.loads((Path(directory) / LABELS_FILE).read_text())
        return cls.from_names(data["labels"])
