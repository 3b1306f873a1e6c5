"""Named text perturbations for the behavioural suite's invariance and directional tests.

Each takes a text and returns its variants (none when it does not apply: `names` on a text without a
known first name). All are deterministic — `typos` seeds its generator from the text — so a suite
gives the same variants on every run and every machine.
"""

from __future__ import annotations

import random
import re
import string
from collections.abc import Callable

NAMES = [
    "John",
    "Maria",
    "Ahmed",
    "Mei",
    "Olivia",
    "Carlos",
    "Priya",
    "Kwame",
    "Sarah",
    "Dmitri",
    "Aiko",
    "Fatima",
]
PLACES = [
    "London",
    "Lagos",
    "Mumbai",
    "Paris",
    "Tokyo",
    "Chicago",
    "Berlin",
    "Mexico City",
    "Sydney",
    "Cairo",
    "Toronto",
    "Seoul",
    "Texas",
    "Brazil",
    "Germany",
    "India",
    "Kenya",
    "Canada",
]
MENTIONS = ["@jess_92", "@TheRealMike"]
URLS = ["https://t.co/x7Gk2PqL0a", "http://bit.ly/3abcXYZ"]
SWAPS = 2  # variants per name or place found


def _swap(text: str, pool: list[str]) -> list[str]:
    """The text with the first name (or place) from `pool` it holds replaced by the next ones in the pool."""
    for word in sorted(pool, key=len, reverse=True):
        match = re.search(rf"\b{re.escape(word)}\b", text)
        if match:
            i = pool.index(word)
            others = [pool[(i + k) % len(pool)] for k in range(1, len(pool))][:SWAPS]
            return [text[: match.start()] + other + text[match.end() :] for other in others]
    return []


def names(text: str) -> list[str]:
    return _swap(text, NAMES)


def places(text: str) -> list[str]:
    return _swap(text, PLACES)


def lowercase(text: str) -> list[str]:
    return [text.lower()] if text.lower() != text else []


def uppercase(text: str) -> list[str]:
    return [text.upper()] if text.upper() != text else []


def no_punctuation(text: str) -> list[str]:
    stripped = re.sub(rf"[{re.escape(string.punctuation)}]", "", text).strip()
    return [stripped] if stripped != text else []


def exclamations(text: str) -> list[str]:
    return [re.sub(r"[.!?]*$", "", text) + "!!!"]


def typos(text: str) -> list[str]:
    """Two variants, each with one pair of neighbouring letters swapped in a word of 4+ letters."""
    rng = random.Random(text)
    words = [m for m in re.finditer(r"[A-Za-z]{4,}", text)]
    out: list[str] = []
    for match in rng.sample(words, min(2, len(words))):
        word = match.group()
        i = rng.randrange(len(word) - 1)
        swapped = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if swapped != word:
            out.append(text[: match.start()] + swapped + text[match.end() :])
    return out


def mention(text: str) -> list[str]:
    return [f"{MENTIONS[0]} {text}", f"{text} {MENTIONS[1]}"]


def url(text: str) -> list[str]:
    return [f"{text} {URLS[0]}", f"{URLS[1]} {text}"]


PERTURBATIONS: dict[str, Callable[[str], list[str]]] = {
    "lowercase": lowercase,
    "uppercase": uppercase,
    "no_punctuation": no_punctuation,
    "exclamations": exclamations,
    "typos": typos,
    "mention": mention,
    "url": url,
    "names": names,
    "places": places,
}


def variants(
    text: str, perturbations: list[str], append: str | None = None, prepend: str | None = None
) -> list[str]:
    """Every variant the named perturbations (and an appended or prepended string) make of `text`."""
    out: list[str] = []
    for name in perturbations:
        out += PERTURBATIONS[name](text)
    if append:
        out.append(text + append)
    if prepend:
        out.append(prepend + text)
    return [v for v in dict.fromkeys(out) if v != text]
