"""Input normalisation that travels with the model: the same function in training, eval, predict,
serve and the exported bundle.

Real text (tweets, chat, tickets) carries @mentions, URLs, emoji and stretched words that a
model trained on clean sentences never saw; the WordPiece vocabulary of MiniLM maps every emoji
to [UNK]. A recipe names its steps (`--normalize social` or `users,urls,emoji,repeats`); they are
saved beside the weights as `normalize.json`, and every predictor that loads the folder applies
exactly them, so a served model never sees text prepared differently from its training data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from emoai_core.base.errors import UsageError
from emoai_core.model.bundle import NORMALIZE_FILE

_USER = re.compile(r"(?<![\w@])@\w{1,30}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_REPEAT = re.compile(r"(\w)\1{2,}")  # "sooooo" -> "soo": keeps the emphasis, not the unseen token
_SPACES = re.compile(r"\s+")


def _emoji_to_words(text: str) -> str:
    import emoji

    return emoji.demojize(text, delimiters=(" ", " ")).replace("_", " ")


STEPS: dict[str, Callable[[str], str]] = {
    "users": lambda t: _USER.sub("@user", t),
    "urls": lambda t: _URL.sub("http", t),
    "emoji": _emoji_to_words,
    "repeats": lambda t: _REPEAT.sub(r"\1\1", t),
    "lowercase": str.lower,
}
ORDER = ("urls", "users", "emoji", "repeats", "lowercase")  # URLs first: they contain @ and repeats
PRESETS = {"social": ("users", "urls", "emoji", "repeats"), "none": ()}


@dataclass(frozen=True)
class Normalizer:
    steps: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str | None) -> Normalizer:
        """`social`, `none`, or a comma list of steps; unknown names are a usage error."""
        if not spec:
            return cls()
        names: Iterable[str] = PRESETS.get(spec, [s.strip() for s in spec.split(",") if s.strip()])
        unknown = sorted(set(names) - set(STEPS))
        if unknown:
            raise UsageError(
                f"unknown normalisation step(s): {', '.join(unknown)}",
                f"use a preset ({', '.join(PRESETS)}) or steps from: {', '.join(ORDER)}",
            )
        return cls(tuple(s for s in ORDER if s in set(names)))

    def __bool__(self) -> bool:
        return bool(self.steps)

    def __call__(self, text: str) -> str:
        for step in self.steps:
            text = STEPS[step](text)
        return _SPACES.sub(" ", text).strip() if self.steps else text

    def apply(self, texts: Iterable[str]) -> list[str]:
        return [self(t) for t in texts] if self.steps else list(texts)

    def spec(self) -> str:
        return ",".join(self.steps)

    def save(self, directory: Path) -> None:
        """Written only when there is something to apply: a folder without the file is unnormalised."""
        if self.steps:
            (Path(directory) / NORMALIZE_FILE).write_text(json.dumps({"steps": list(self.steps)}) + "\n")

    @classmethod
    def load(cls, directory: Path) -> Normalizer:
        path = Path(directory) / NORMALIZE_FILE
        if not path.is_file():
            return cls()
        return cls(tuple(json.loads(path.read_text()).get("steps") or ()))
