"""What `emoai data validate` reports: named checks, each pass / warn / fail, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS, WARN, FAIL = "pass", "warn", "fail"
EXAMPLES = 5


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    examples: list[Any] = field(default_factory=list)
    hint: str | None = None  # what to do about a failure

    def to_json(self) -> dict[str, Any]:
        data = {"name": self.name, "status": self.status, "detail": self.detail, "examples": self.examples}
        return data | ({"hint": self.hint} if self.hint else {})


@dataclass
class ValidationReport:
    ref: str
    checks: list[Check]

    @property
    def ok(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    @property
    def status(self) -> str:
        statuses = {c.status for c in self.checks}
        return FAIL if FAIL in statuses else WARN if WARN in statuses else PASS

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "ok": self.ok,
            "status": self.status,
            "checks": [c.to_json() for c in self.checks],
        }


def rows_where(splits: dict, predicate: Any) -> tuple[int, list[str]]:
    """Rows (over all splits) where `predicate(text, label)` holds, and the first few of them."""
    count, examples = 0, []
    for split, (texts, labels) in splits.items():
        for i, (text, label) in enumerate(zip(texts, labels, strict=True)):
            if predicate(text, label):
                count += 1
                if len(examples) < EXAMPLES:
                    examples.append(f"{split} row {i + 1}")
    return count, examples
