"""The training options, defined once and shared by `emoai train` and `emoai tune`.

`with_train_options` appends them to a command's signature; they arrive as keyword arguments,
and `config_overrides` picks the ones that are TrainConfig fields.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import typer

from emoai_core.training.defaults import DEFAULTS as D

RECIPE = "Recipe"
RESOURCES = "Resources"
TRACKING = "Tracking"


def _default(name: str) -> str:
    return f"(default: {D[name]})"


def _option(name: str, kind: type, help_text: str, panel: str | None = None) -> inspect.Parameter:
    flag = "--" + name.replace("_", "-")
    return inspect.Parameter(
        name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=kind | None,
        default=typer.Option(None, flag, help=help_text, rich_help_panel=panel),
    )


TRAIN_OPTIONS: list[inspect.Parameter] = [
    _option(
        "data",
        list[str],
        "Data version NAME\\[@VERSION] (default: latest emotion); repeat to train on several with one label set.",
    ),
    _option("mix", str, "Weights of the --data sources, e.g. 1,1 (default: every row of each).", RECIPE),
    _option(
        "normalize", str, "Input normalisation saved with the model: social (users,urls,emoji,repeats) or steps.", RECIPE
    ),
    _option("model", str, "Base model: HF id or local dir (default: packaged all-MiniLM-L6-v2)."),
    _option("num_workers", int, f"Ray Train workers {_default('num_workers')}.", RESOURCES),
    _option("cpu_per_worker", float, "CPUs per worker (default: an equal share of the cluster).", RESOURCES),
    _option("gpu_per_worker", float, f"GPUs per worker {_default('gpu_per_worker')}.", RESOURCES),
    _option(
        "placement", str, f"pack | spread: workers on few nodes, or over many {_default('placement')}.", RESOURCES
    ),
    _option("epochs", int, f"Epochs {_default('epochs')}.", RECIPE),
    _option("batch_size", int, f"Per-worker batch size {_default('batch_size')}.", RECIPE),
    _option("lr", float, f"Peak learning rate {_default('lr')}.", RECIPE),
    _option("max_length", int, f"Max tokens per text {_default('max_length')}.", RECIPE),
    _option("weight_decay", float, f"AdamW weight decay {_default('weight_decay')}.", RECIPE),
    _option("warmup_ratio", float, f"Linear warm-up share of steps {_default('warmup_ratio')}.", RECIPE),
    _option("seed", int, f"Random seed {_default('seed')}.", RECIPE),
    _option("label_smoothing", float, f"Label smoothing {_default('label_smoothing')}.", RECIPE),
    _option("class_weighting", str, f"none | sqrt_inverse | inverse {_default('class_weighting')}.", RECIPE),
    _option("llrd", float, f"Layer-wise lr decay, 1 = off {_default('llrd')}.", RECIPE),
    _option("dropout", float, "Hidden/classifier dropout (default: the model's).", RECIPE),
    _option(
        "checkpoint_metric",
        str,
        f"val_macro_f1 | val_loss | val_accuracy picks the best checkpoint {_default('checkpoint_metric')}.",
        RECIPE,
    ),
    _option("limit", int, "Train on the first N rows (quick runs).", RECIPE),
    _option(
        "abstain_data",
        str,
        "Single-label: a data version with our labels plus neutral texts; fits a 'no emotion' threshold.",
        RECIPE,
    ),
    _option("abstain_label", str, "The label of the neutral texts in --abstain-data (default: neutral).", RECIPE),
    _option("experiment", str, f"MLflow experiment {_default('experiment')}.", TRACKING),
    _option("run_name", str, "MLflow run name (default: generated).", TRACKING),
]
CONFIG_FIELDS = tuple(p.name for p in TRAIN_OPTIONS)


def with_train_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Give a typer command the shared training options (collected by its **options)."""
    signature = inspect.signature(func)
    own = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    func.__signature__ = signature.replace(parameters=[*own, *TRAIN_OPTIONS])  # type: ignore[attr-defined]
    return func


def config_overrides(options: dict[str, Any]) -> dict[str, Any]:
    """TrainConfig fields from the options; repeated `--data` values become one comma-joined field."""
    out = {k: v for k, v in options.items() if k in CONFIG_FIELDS}
    if isinstance(out.get("data"), list | tuple):
        out["data"] = ",".join(out["data"]) or None
    return out


def as_args(options: dict[str, Any]) -> list[str]:
    """The given (non-None) options as command-line arguments again (for a submitted job)."""
    args: list[str] = []
    for key, value in options.items():
        if value is not None:
            args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def address_option() -> Any:
    return typer.Option(
        None,
        "--address",
        envvar="RAY_ADDRESS",
        rich_help_panel=RESOURCES,
        help="Ray cluster address (default: the 'emoai cluster up' cluster, else local).",
    )


def wait_option() -> Any:
    return typer.Option(
        False,
        "--wait",
        rich_help_panel=RESOURCES,
        help="Let an autoscaling cluster grow instead of failing when it is too small now.",
    )


def submit_option() -> Any:
    return typer.Option(
        False,
        "--submit",
        rich_help_panel=RESOURCES,
        help="Run as a Ray Job on the cluster (automatic when --address is another machine).",
    )


def _export_storage(value: str | None) -> str | None:
    import os

    from emoai_core.base.settings import ENV_STORAGE

    if value:
        os.environ[ENV_STORAGE] = value
    return value


def storage_option(panel: str | None = RESOURCES) -> Any:
    """`--storage URI` on a command (as the root's global option): exported for the core to read."""
    return typer.Option(
        None,
        "--storage",
        callback=_export_storage,
        rich_help_panel=panel,
        help="Shared storage for a cluster on other machines: s3://bucket/prefix, gs://…, file:///… "
        "(default: $EMOAI_STORAGE, cluster_env.yaml's storage).",
    )


def env_file_option() -> Any:
    return typer.Option(
        None,
        "--env",
        rich_help_panel=RESOURCES,
        help="cluster_env.yaml for a submitted job (default: ./cluster_env.yaml if present).",
    )
