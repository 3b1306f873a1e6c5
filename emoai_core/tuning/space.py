"""Search spaces for `emoai tune`: per TrainConfig field, a distribution with bounds.

A file looks like:

    lr: {loguniform: [1.0e-5, 3.0e-4]}
    batch_size: {choice: [16, 32, 64]}
    warmup_ratio: {uniform: [0.0, 0.15]}
    epochs: {randint: [2, 5]}        # high is exclusive, like Python's range

Everything is checked before a trial starts: the YAML, the field names, the distributions, the
bounds, and that sampled values are valid for the field.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emoai_core.base.errors import UsageError, close_matches

DISTRIBUTIONS = ("choice", "uniform", "loguniform", "randint")
NOT_TUNABLE = (
    "data",
    "model",
    "experiment",
    "run_name",
    "num_workers",
    "cpu_per_worker",
    "gpu_per_worker",
    "limit",
    "mix",
    "abstain_data",
    "abstain_label",
)

DEFAULT_SPACE: dict[str, dict[str, list]] = {
    "lr": {"loguniform": [3e-5, 3e-4]},
    "warmup_ratio": {"uniform": [0.0, 0.15]},
    "weight_decay": {"loguniform": [1e-3, 1e-1]},
    "batch_size": {"choice": [16, 32, 64]},
    "dropout": {"uniform": [0.0, 0.2]},
}


@dataclass(frozen=True)
class Distribution:
    kind: str
    args: tuple

    def to_tune(self) -> Any:
        from ray import tune

        if self.kind == "choice":
            return tune.choice(list(self.args))
        low, high = self.args
        return {"uniform": tune.uniform, "loguniform": tune.loguniform, "randint": tune.randint}[self.kind](
            low, high
        )

    def sample(self, rng: random.Random) -> Any:
        import math

        if self.kind == "choice":
            return rng.choice(self.args)
        low, high = self.args
        if self.kind == "uniform":
            return rng.uniform(low, high)
        if self.kind == "loguniform":
            return math.exp(rng.uniform(math.log(low), math.log(high)))
        return rng.randrange(low, high)

    def describe(self) -> str:
        return f"{self.kind}{list(self.args)}"


@dataclass(frozen=True)
class SearchSpace:
    params: dict[str, Distribution]

    def to_tune(self) -> dict[str, Any]:
        return {name: dist.to_tune() for name, dist in self.params.items()}

    def describe(self) -> dict[str, str]:
        return {name: dist.describe() for name, dist in self.params.items()}

    def to_json(self) -> str:
        return json.dumps(self.describe())


def _tunable_fields() -> list[str]:
    from emoai_core.training.config import TrainConfig

    return [f for f in TrainConfig.model_fields if f not in NOT_TUNABLE]


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _distribution(source: str, field: str, spec: Any) -> Distribution:
    where = f"{source}: {field}"
    if not isinstance(spec, dict) or len(spec) != 1:
        raise UsageError(
            f"{where}: expected one distribution, like {{loguniform: [1.0e-5, 3.0e-4]}}",
            f"distributions: {', '.join(DISTRIBUTIONS)}",
        )
    kind, args = next(iter(spec.items()))
    if kind not in DISTRIBUTIONS:
        near = close_matches(str(kind), list(DISTRIBUTIONS))
        raise UsageError(
            f"{where}: unknown distribution '{kind}'" + (f" (did you mean {near[0]}?)" if near else ""),
            f"distributions: {', '.join(DISTRIBUTIONS)}",
        )
    if not isinstance(args, list):
        raise UsageError(f"{where}: {kind} takes a list, e.g. {kind}: [low, high]")
    if kind == "choice":
        if not args:
            raise UsageError(f"{where}: choice needs at least one value")
        return Distribution(kind, tuple(args))
    if len(args) != 2 or not all(_number(a) for a in args):
        raise UsageError(f"{where}: {kind} takes two numbers [low, high], got {args}")
    low, high = args
    if low >= high:
        raise UsageError(f"{where}: {kind} needs low < high, got [{low}, {high}]")
    if kind == "loguniform" and low <= 0:
        raise UsageError(f"{where}: loguniform needs low > 0, got {low}")
    if kind == "randint" and not all(isinstance(a, int) for a in args):
        raise UsageError(f"{where}: randint takes integers, got {args}")
    return Distribution(kind, (low, high))


def _check_values(source: str, space: SearchSpace, fixed: dict[str, Any]) -> None:
    """Every value a distribution can produce must be a valid TrainConfig value for its field."""
    from pydantic import ValidationError

    from emoai_core.training.config import TrainConfig

    rng = random.Random(0)
    for name, dist in space.params.items():
        candidates = list(dist.args) if dist.kind == "choice" else [*dist.args, dist.sample(rng)]
        if dist.kind == "randint":
            candidates = [dist.args[0], dist.args[1] - 1]
        for value in candidates:
            try:
                TrainConfig(**{**fixed, name: value})
            except ValidationError as exc:
                error = exc.errors()[0]
                raise UsageError(
                    f"{source}: {name}: value {value!r} is not valid ({error['msg']})",
                    "check the field's type and range in 'emoai train --help'",
                ) from None
            field_type = TrainConfig.model_fields[name].annotation
            if field_type is int and dist.kind in ("uniform", "loguniform"):
                raise UsageError(f"{source}: {name} is an integer: use randint or choice, not {dist.kind}")


def parse_space(data: Any, source: str = "search space", fixed: dict[str, Any] | None = None) -> SearchSpace:
    if not isinstance(data, dict) or not data:
        raise UsageError(
            f"{source}: expected a mapping of field: distribution", "e.g. lr: {loguniform: [1.0e-5, 3.0e-4]}"
        )
    tunable = _tunable_fields()
    params = {}
    for field, spec in data.items():
        field = str(field).replace("-", "_")
        if field not in tunable:
            near = close_matches(field, tunable)
            why = "cannot be tuned" if field in NOT_TUNABLE else "unknown field"
            raise UsageError(
                f"{source}: {why} '{field}'" + (f" (did you mean {near[0]}?)" if near else ""),
                f"tunable fields: {', '.join(tunable)}",
            )
        params[field] = _distribution(source, field, spec)
    space = SearchSpace(params)
    _check_values(source, space, {k: v for k, v in (fixed or {}).items() if k not in params})
    return space


def load_space(path: Path | None, fixed: dict[str, Any] | None = None) -> SearchSpace:
    """The file's space, or the default one (lr, warmup, weight decay, batch size, dropout)."""
    if path is None:
        return parse_space(DEFAULT_SPACE, "default search space", fixed)
    import yaml

    path = Path(path)
    if not path.is_file():
        raise UsageError(f"search space file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise UsageError(f"{path}: {line}invalid YAML ({getattr(exc, 'problem', None) or exc})") from None
    return parse_space(data, str(path), fixed)
