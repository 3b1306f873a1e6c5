"""`emoai train`: options in, one core call, progress and a summary out."""

from __future__ import annotations

from pathlib import Path

import typer

from emoai_core.train_defaults import DEFAULTS as D

PANEL_RECIPE = "Recipe"
PANEL_RESOURCES = "Resources"
PANEL_TRACKING = "Tracking"


def _d(name: str) -> str:
    return f"(default: {D[name]})"


def train(
    data: str | None = typer.Option(
        None, "--data", help="Data version NAME\\[@VERSION] (default: latest emotion)."
    ),
    model: str | None = typer.Option(
        None, "--model", help="Base model: HF id or local dir (default: packaged all-MiniLM-L6-v2)."
    ),
    num_workers: int | None = typer.Option(
        None, "--num-workers", help=f"Ray Train workers {_d('num_workers')}.", rich_help_panel=PANEL_RESOURCES
    ),
    cpu_per_worker: float | None = typer.Option(
        None,
        "--cpu-per-worker",
        help="CPUs per worker (default: fill a node).",
        rich_help_panel=PANEL_RESOURCES,
    ),
    gpu_per_worker: float | None = typer.Option(
        None,
        "--gpu-per-worker",
        help=f"GPUs per worker {_d('gpu_per_worker')}.",
        rich_help_panel=PANEL_RESOURCES,
    ),
    address: str | None = typer.Option(
        None,
        "--address",
        envvar="RAY_ADDRESS",
        help="Ray cluster address (default: the 'emoai cluster up' cluster, else local).",
        rich_help_panel=PANEL_RESOURCES,
    ),
    wait: bool = typer.Option(
        False,
        "--wait",
        help="Let an autoscaling cluster grow instead of failing when it is too small now.",
        rich_help_panel=PANEL_RESOURCES,
    ),
    epochs: int | None = typer.Option(
        None, "--epochs", help=f"Epochs {_d('epochs')}.", rich_help_panel=PANEL_RECIPE
    ),
    batch_size: int | None = typer.Option(
        None, "--batch-size", help=f"Per-worker batch size {_d('batch_size')}.", rich_help_panel=PANEL_RECIPE
    ),
    lr: float | None = typer.Option(
        None, "--lr", help=f"Peak learning rate {_d('lr')}.", rich_help_panel=PANEL_RECIPE
    ),
    max_length: int | None = typer.Option(
        None, "--max-length", help=f"Max tokens per text {_d('max_length')}.", rich_help_panel=PANEL_RECIPE
    ),
    weight_decay: float | None = typer.Option(
        None, "--weight-decay", help=f"AdamW weight decay {_d('weight_decay')}.", rich_help_panel=PANEL_RECIPE
    ),
    warmup_ratio: float | None = typer.Option(
        None,
        "--warmup-ratio",
        help=f"Linear warm-up share of steps {_d('warmup_ratio')}.",
        rich_help_panel=PANEL_RECIPE,
    ),
    seed: int | None = typer.Option(
        None, "--seed", help=f"Random seed {_d('seed')}.", rich_help_panel=PANEL_RECIPE
    ),
    label_smoothing: float | None = typer.Option(
        None,
        "--label-smoothing",
        help=f"Label smoothing {_d('label_smoothing')}.",
        rich_help_panel=PANEL_RECIPE,
    ),
    class_weighting: str | None = typer.Option(
        None,
        "--class-weighting",
        help=f"none | sqrt_inverse | inverse {_d('class_weighting')}.",
        rich_help_panel=PANEL_RECIPE,
    ),
    llrd: float | None = typer.Option(
        None, "--llrd", help=f"Layer-wise lr decay, 1 = off {_d('llrd')}.", rich_help_panel=PANEL_RECIPE
    ),
    dropout: float | None = typer.Option(
        None,
        "--dropout",
        help="Hidden/classifier dropout (default: the model's).",
        rich_help_panel=PANEL_RECIPE,
    ),
    checkpoint_metric: str | None = typer.Option(
        None,
        "--checkpoint-metric",
        help=f"val_macro_f1 | val_loss | val_accuracy picks the best checkpoint {_d('checkpoint_metric')}.",
        rich_help_panel=PANEL_RECIPE,
    ),
    limit: int | None = typer.Option(
        None, "--limit", help="Train on the first N rows (quick runs).", rich_help_panel=PANEL_RECIPE
    ),
    experiment: str | None = typer.Option(
        None, "--experiment", help=f"MLflow experiment {_d('experiment')}.", rich_help_panel=PANEL_TRACKING
    ),
    run_name: str | None = typer.Option(
        None, "--run-name", help="MLflow run name (default: generated).", rich_help_panel=PANEL_TRACKING
    ),
    config: Path | None = typer.Option(
        None, "--config", help="YAML/JSON file of these options; command-line options win."
    ),
    resume: str | None = typer.Option(
        None, "--resume", help="Continue an interrupted run (id, prefix, name) from its last checkpoint."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    submit: bool = typer.Option(
        False,
        "--submit",
        help="Run as a Ray Job on the cluster (automatic when --address is another machine).",
        rich_help_panel=PANEL_RESOURCES,
    ),
    env_file: Path | None = typer.Option(
        None,
        "--env",
        help="cluster_env.yaml for a submitted job (default: ./cluster_env.yaml if present).",
        rich_help_panel=PANEL_RESOURCES,
    ),
) -> None:
    """Fine-tune the emotion classifier with Ray Train and track the run in MLflow."""
    overrides = {
        k: v
        for k, v in locals().items()
        if k in D or k in ("data", "model", "cpu_per_worker", "limit", "run_name")
    }
    from emoai_core.jobs import is_remote

    if submit or is_remote(address):
        args = ["train", *_as_args(overrides)]
        if resume:
            args += ["--resume", resume]
        if wait:
            args.append("--wait")
        run_submitted(args, address, env_file)
        return
    _run(overrides, config, resume, address, wait, json_output)


def _as_args(options: dict) -> list[str]:
    args = []
    for key, value in options.items():
        if value is not None:
            args += [f"--{key.replace('_', '-')}", str(value)]
    return args


def run_submitted(args: list[str], address: str | None, env_file: Path | None) -> None:
    """Submit `emoai <args>` as a Ray Job, stream its logs, exit with its outcome; Ctrl-C offers to stop it."""
    import sys

    from emoai_cli import console
    from emoai_core import jobs
    from emoai_core.cluster_config import load_env

    default_env = Path("cluster_env.yaml")
    env = load_env(env_file or (default_env if default_env.is_file() else None))
    workdir = Path(jobs.__file__).resolve().parents[1]
    state = {"job": None, "url": jobs.dashboard_url(address)}

    def line(text: str) -> None:
        if text.startswith("submitted job "):
            state["job"] = text.split()[2]
        console.err().print(text, highlight=False, markup=False)

    try:
        job_id, status = jobs.run_as_job(args, address, env, workdir, line)
    except KeyboardInterrupt:
        job = state["job"]
        if job and (
            not sys.stdin.isatty() or typer.confirm(f"Stop job {job} on the cluster?", default=True, err=True)
        ):
            jobs.stop_job(job, state["url"])
            console.info(f"asked the cluster to stop job {job}")
        elif job:
            console.hint(f"the job keeps running; stop it with: RAY_AUTH_MODE=token ray job stop {job}")
        raise
    console.info(f"job {job_id}: {status}")
    if status != "SUCCEEDED":
        from emoai_core.errors import EmoaiError

        raise EmoaiError(
            f"job {job_id} ended {status}", f"see its logs: RAY_AUTH_MODE=token ray job logs {job_id}"
        )


def _run(
    overrides: dict,
    config_file: Path | None,
    resume: str | None,
    address: str | None,
    wait: bool,
    json_output: bool,
) -> None:
    from emoai_cli import console
    from emoai_cli.train_view import TrainView, print_result
    from emoai_core import train as core
    from emoai_core.train_config import build_config, load_config_file

    if resume:
        given = [f"--{k.replace('_', '-')}" for k, v in overrides.items() if v is not None]
        if config_file:
            given.append("--config")
        if given:
            from emoai_core.errors import UsageError

            raise UsageError(f"--resume continues a run with its own options; drop {', '.join(given)}")
    else:
        base = load_config_file(config_file) if config_file else {}
        if config_file:
            build_config(base, {}, source=str(config_file))  # file errors name the file
        cfg = build_config(base, overrides)
    view = TrainView(live=console.progress_enabled(json_output))
    try:
        with view:
            if resume:
                result = core.resume(resume, address=address, wait=wait, on_event=view)
            else:
                result = core.train(cfg, address=address, wait=wait, on_event=view)
    except KeyboardInterrupt:
        if view.run_id:
            console.err().print(
                f"[yellow]Stopped.[/yellow] Run {view.run_id} is marked KILLED; its last checkpoint is kept."
            )
            console.hint(f"continue it with: emoai train --resume {view.run_id}")
        raise
    if json_output:
        console.print_json(
            {
                "run_id": result.run_id,
                "run_name": result.run_name,
                "experiment": result.experiment,
                "data": result.data,
                "metrics": result.metrics,
                "best_epoch": result.best_epoch,
                "best_metrics": result.best_metrics,
                "model_version": result.model_version,
                "seconds": result.seconds,
            }
        )
    print_result(result)


def register(app: typer.Typer) -> None:
    app.command("train", help="Fine-tune the emotion classifier with Ray Train, tracked in MLflow.")(train)
