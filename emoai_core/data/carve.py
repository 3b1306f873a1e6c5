"""Splits a source lacks, carved from its training rows: seeded and stratified.

- train only: a stratified 80/10/10 train/validation/test split;
- train and test but no validation (the imdb / ag_news layout): 10 % of train becomes validation.

Single-label rows are stratified on their label; multi-label rows on their label *set*, with sets
too rare to expect one row in a 10 % share (fewer than 10 rows) grouped into one stratum. With too
few rows per stratum the split is random, and a warning says so. What was carved, its share and
seed go into the manifest (`split_strategy`, `carved`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from emoai_core.base.errors import UsageError
from emoai_core.base.events import LogEvent, emit
from emoai_core.data.versions import Label, Splits
from emoai_core.model.labels import MULTI_LABEL

HOLDOUT = 0.1  # the share of the rows each carved split gets
MIN_ROWS = 10
MIN_PER_STRATUM = 3
RARE = "\0rare"
MISSING = "\0missing"


def strata(labels: list[Label], task: str) -> list[str]:
    """One stratum per row: its label, or for multi-label rows its label set (rare sets pooled)."""
    if task != MULTI_LABEL:
        return [lab if isinstance(lab, str) else MISSING for lab in labels]
    keys = ["\x1f".join(lab) if isinstance(lab, list) and lab else MISSING for lab in labels]
    counts = Counter(keys)
    rare_below = round(1 / HOLDOUT)
    keys = [k if counts[k] >= rare_below else RARE for k in keys]
    pooled = Counter(keys)
    if 0 < pooled[RARE] < MIN_PER_STRATUM:  # too few to be a stratum of its own: join the largest
        largest = max((k for k in pooled if k != RARE), key=lambda k: pooled[k], default=RARE)
        keys = [largest if k == RARE else k for k in keys]
    return keys


def _stratify(keys: list[str], holdout: int, task: str) -> list[str] | None:
    counts = Counter(keys)
    if task == MULTI_LABEL and len(counts) < 2:  # every label set rare: one pool is no stratification
        return None
    return keys if min(counts.values()) >= MIN_PER_STRATUM and holdout >= len(counts) else None


def _random_warning(on_event: Callable | None, task: str) -> None:
    what = "label set" if task == MULTI_LABEL else "label"
    emit(on_event, LogEvent(f"too few rows per {what} to stratify: splitting at random", "warning"))


def _pick(texts: list[str], labels: list[Label], ids: list[int]) -> tuple[list[str], list[Label]]:
    ids = sorted(ids)  # keep the source's row order
    return [texts[i] for i in ids], [labels[i] for i in ids]


def split_train(
    texts: list[str], labels: list[Label], seed: int, task: str, on_event: Callable | None
) -> tuple[Splits, str, dict[str, Any]]:
    """A seeded stratified 80/10/10 split for sources that only have training data."""
    from sklearn.model_selection import train_test_split

    if len(texts) < MIN_ROWS:
        raise UsageError(
            f"only {len(texts)} rows: too few to split into train/validation/test",
            f"provide at least {MIN_ROWS} rows, or separate split files",
        )
    index = list(range(len(texts)))
    keys = strata(labels, task)
    holdout = max(1, round(len(texts) * HOLDOUT))  # whole rows: 600 rows split exactly 480/60/60
    stratify = _stratify(keys, holdout, task)
    if stratify is None:
        _random_warning(on_event, task)
    rest, test = train_test_split(index, test_size=holdout, random_state=seed, stratify=stratify)
    rest_strata = [keys[i] for i in rest] if stratify else None
    train, val = train_test_split(rest, test_size=holdout, random_state=seed, stratify=rest_strata)
    how = _how(stratify is not None, task)
    splits = {"train": _pick(texts, labels, train), "validation": _pick(texts, labels, val)}
    splits["test"] = _pick(texts, labels, test)
    carved = {
        s: {"from": "train", "share": HOLDOUT, "seed": seed, "how": how} for s in ("validation", "test")
    }
    return splits, f"{how} 80/10/10, seed {seed}", carved


def carve_validation(
    texts: list[str], labels: list[Label], seed: int, task: str, on_event: Callable | None
) -> tuple[tuple[list[str], list[Label]], tuple[list[str], list[Label]], str, dict[str, Any]]:
    """10 % of the training rows as a validation split: (train, validation, strategy, carved)."""
    from sklearn.model_selection import train_test_split

    if len(texts) < MIN_ROWS:
        raise UsageError(
            f"only {len(texts)} training rows: too few to carve a validation split from",
            f"provide at least {MIN_ROWS} training rows, or a validation file (validation.*, val.*, dev.*)",
        )
    keys = strata(labels, task)
    holdout = max(1, round(len(texts) * HOLDOUT))
    stratify = _stratify(keys, holdout, task)
    if stratify is None:
        _random_warning(on_event, task)
    train, val = train_test_split(
        list(range(len(texts))), test_size=holdout, random_state=seed, stratify=stratify
    )
    how = _how(stratify is not None, task)
    strategy = f"validation carved from train: {HOLDOUT:.0%}, {how}, seed {seed}"
    carved = {"validation": {"from": "train", "share": HOLDOUT, "seed": seed, "how": how}}
    return _pick(texts, labels, train), _pick(texts, labels, val), strategy, carved


def _how(stratified: bool, task: str) -> str:
    if not stratified:
        return "random"
    return "stratified on label sets" if task == MULTI_LABEL else "stratified"


def complete(splits: Splits, seed: int, task: str, on_event: Callable | None) -> tuple[Splits, str, dict]:
    """The splits with validation (and for train-only sources, test) carved from train when missing."""
    if set(splits) == {"train"}:
        return split_train(*splits["train"], seed=seed, task=task, on_event=on_event)
    if "validation" not in splits:
        train, validation, strategy, carved = carve_validation(*splits["train"], seed, task, on_event)
        emit(on_event, LogEvent(f"no validation split in the source: {strategy}"))
        return {**splits, "train": train, "validation": validation}, strategy, carved
    return splits, "source", {}
