"""The training configuration: one typed object shared by `emoai train`, `--config` files and tune.

The defaults are the recipe that `bench/quality.py` measured (see the README's quality table), so
`emoai train` with no options reproduces the published result.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from emoai_core.base.errors import UsageError
from emoai_core.training.defaults import DEFAULTS as D

CHECKPOINT_METRICS = {"val_loss": "min", "val_macro_f1": "max", "val_accuracy": "max"}


class TrainConfig(BaseModel):
    """Everything that decides what a training run computes (and is logged as MLflow params)."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data: str | None = Field(None, description="data version NAME[@VERSION]; default: latest 'emotion'")
    model: str | None = Field(None, description="base model: HF id or local dir; default: packaged MiniLM")
    num_workers: int = Field(D["num_workers"], ge=1, description="Ray Train workers (DDP processes)")
    cpu_per_worker: float | None = Field(None, gt=0, description="CPUs per worker; default: fill a node")
    gpu_per_worker: float = Field(D["gpu_per_worker"], ge=0, description="GPUs per worker")
    placement: Literal["pack", "spread"] = Field(
        D["placement"], description="pack workers onto few nodes, or spread them over many"
    )
    epochs: int = Field(D["epochs"], ge=1, le=100)
    batch_size: int = Field(D["batch_size"], ge=1, le=4096, description="per-worker batch size")
    lr: float = Field(D["lr"], gt=0, lt=1)
    max_length: int = Field(D["max_length"], ge=8, le=512)
    weight_decay: float = Field(D["weight_decay"], ge=0, lt=1)
    warmup_ratio: float = Field(D["warmup_ratio"], ge=0, lt=1)
    seed: int = Field(D["seed"], ge=0)
    label_smoothing: float = Field(D["label_smoothing"], ge=0, lt=1)
    class_weighting: Literal["none", "sqrt_inverse", "inverse"] = D["class_weighting"]
    llrd: float = Field(D["llrd"], gt=0, le=1, description="layer-wise lr decay (1.0: off)")
    dropout: float | None = Field(
        D["dropout"], ge=0, lt=1, description="classifier/hidden dropout; None: model's"
    )
    checkpoint_metric: Literal["val_loss", "val_macro_f1", "val_accuracy"] = D["checkpoint_metric"]
    limit: int | None = Field(None, ge=1, description="train on the first N rows only")
    abstain_data: str | None = Field(
        None, description="a data version with our labels plus --abstain-label; fits the 'no emotion' threshold"
    )
    abstain_label: str = Field("neutral", description="the label of texts without emotion in --abstain-data")
    mix: str | None = Field(None, description="weights of the data sources, e.g. 1,1 (default: every row of each)")
    normalize: str | None = Field(
        None, description="input normalisation saved with the model: social | none | steps (users,urls,emoji,repeats,lowercase)"
    )
    experiment: str = D["experiment"]
    run_name: str | None = None

    @field_validator("normalize")
    @classmethod
    def _known_steps(cls, value: str | None) -> str | None:
        from emoai_core.model.normalize import Normalizer

        try:
            return Normalizer.parse(value).spec() or None
        except Exception as exc:  # noqa: BLE001 - a UsageError's message becomes pydantic's
            raise ValueError(getattr(exc, "message", str(exc))) from None

    @field_validator("data", "model", "run_name")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            raise ValueError("must not be empty")
        return value

    @property
    def checkpoint_mode(self) -> str:
        return CHECKPOINT_METRICS[self.checkpoint_metric]

    def for_task(self, task: str) -> TrainConfig:
        """This config with the task's own defaults (`defaults.TASK_DEFAULTS`) where the user set nothing."""
        from emoai_core.training.defaults import TASK_DEFAULTS

        unset = {k: v for k, v in TASK_DEFAULTS.get(task, {}).items() if k not in self.model_fields_set}
        return self.model_copy(update=unset) if unset else self

    def as_params(self) -> dict[str, Any]:
        """Flat, string-friendly view for MLflow params."""
        return {k: ("" if v is None else v) for k, v in self.model_dump().items()}


FIELDS = tuple(TrainConfig.model_fields)


def _format_validation_error(source: str, exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        from emoai_core.base.errors import close_matches

        near = close_matches(str(first["loc"][-1]), list(FIELDS))
        suffix = f" (did you mean {near[0]}?)" if near else ""
        return f"{source}: unknown field '{where}'{suffix}"
    if source == "options":
        return f"--{where.replace('_', '-')}: {first['msg']}"
    return f"{source}: {where}: {first['msg']}"


def build_config(
    base: dict[str, Any] | None = None, overrides: dict[str, Any] | None = None, source: str = "options"
) -> TrainConfig:
    """Merge a config file's fields with command-line overrides (which win) and validate."""
    merged = {**(base or {}), **{k: v for k, v in (overrides or {}).items() if v is not None}}
    try:
        return TrainConfig(**merged)
    except ValidationError as exc:
        raise UsageError(_format_validation_error(source, exc), "see 'emoai train --help'") from None


def load_config_file(path: Path) -> dict[str, Any]:
    """Read a yaml/json file of TrainConfig fields (validation happens in `build_config`)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"config file not found: {path}", "pass a yaml or json file of training options")
    text = path.read_text()
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parser error is the user's file
        raise UsageError(f"{path}: cannot parse: {str(exc).splitlines()[0]}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}: expected a mapping of training options, got {type(data).__name__}")
    return {str(k).replace("-", "_"): v for k, v in data.items()}
