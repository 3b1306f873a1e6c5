"""`emoai train`: options in, one core call, progress and a summary out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli.train_options import (
    address_option,
    as_args,
    config_overrides,
    env_file_option,
    storage_option,
    submit_option,
    wait_option,
    with_train_options,
)


@with_train_options
def train(
    config: Path | None = typer.Option(
        None, "--config", help="YAML/JSON file of these options; options given here win."
    ),
    resume: str | None = typer.Option(
        None, "--resume", help="Continue an interrupted run (id, prefix, name) from its last checkpoint."
    ),
    json_output: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout."),
    promote: bool = typer.Option(
        False, "--promote", help="Promote the trained model to @production (what predict and serve use)."
    ),
    address: str | None = address_option(),
    wait: bool = wait_option(),
    submit: bool = submit_option(),
    env_file: Path | None = env_file_option(),
    storage: str | None = storage_option(),
    **options: Any,
) -> None:
    """Fine-tune the emotion classifier with Ray Train and track the run in MLflow."""
    from emoai_core.base.timeline import mark

    mark("command parsed")
    from emoai_core.cluster.jobs import should_submit

    overrides = config_overrides(options)
    if should_submit(submit, address):
        env, overrides, extra = job_setup(address, env_file, overrides, resume=bool(resume))
        args = ["train", *as_args(overrides)]
        if resume:
            args += ["--resume", resume]
        if wait:
            args.append("--wait")
        if promote:
            args.append("--promote")
        run_submitted(args, address, env, extra)
        return
    _run(overrides, config, resume, address, wait, json_output, promote)


def job_setup(
    address: str | None, env_file: Path | None, overrides: dict[str, Any], resume: bool = False
) -> tuple[Any, dict[str, Any], dict[str, str]]:
    """The job's cluster_env.yaml; for a cluster on other machines, data and model pushed to the storage first.

    Returns (cluster env, the options the job runs with, its extra environment).
    """
    from emoai_cli import console
    from emoai_core.cluster import jobs
    from emoai_core.cluster.config import load_env

    default_env = Path("cluster_env.yaml")
    env = load_env(env_file or (default_env if default_env.is_file() else None))
    if not jobs.is_remote(jobs.dashboard_url(address)):
        return env, overrides, {}
    from emoai_core.base.events import LogEvent
    from emoai_core.training.remote import prepare

    def show(event: object) -> None:
        if isinstance(event, LogEvent):
            console.info(event.message)

    prepared = prepare(overrides, env, resume=resume, on_event=show)
    return env, prepared.options, prepared.env


def run_submitted(args: list[str], address: str | None, env: Any, extra_env: dict[str, str] | None = None) -> None:
    """Submit `emoai <args>` as a Ray Job, stream its logs, exit with its outcome; Ctrl-C offers to stop it."""
    import sys

    from emoai_cli import console
    from emoai_core.cluster import jobs

    workdir = Path(jobs.__file__).resolve().parents[2]
    state = {"job": None, "url": jobs.dashboard_url(address)}

    def line(text: str) -> None:
        if text.startswith("submitted job "):
            state["job"] = text.split()[2]
        console.err().print(text, highlight=False, markup=False)

    try:
        job_id, status = jobs.run_as_job(args, address, env, workdir, line, extra_env)
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
        from emoai_core.base.errors import EmoaiError

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
    promote: bool = False,
) -> None:
    from emoai_cli import console
    from emoai_cli.train_view import TrainView, print_result
    from emoai_core.training import run as core
    from emoai_core.training.config import build_config, load_config_file
    from emoai_core.training.run import RunOptions

    if resume:
        given = [f"--{k.replace('_', '-')}" for k, v in overrides.items() if v is not None]
        if config_file:
            given.append("--config")
        if given:
            from emoai_core.base.errors import UsageError

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
                result = core.resume(resume, RunOptions(address=address, wait=wait), on_event=view)
            else:
                result = core.train(cfg, RunOptions(address=address, wait=wait), on_event=view)
    except KeyboardInterrupt:
        if view.run_id:
            _say_stopped(view.run_id)
            console.exit_interrupted()
        raise
    promoted = _promote(result.run_id) if promote else None
    if json_output:
        console.print_json(
            {
                "promoted": promoted,
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
    if promoted:
        console.info(
            f'promoted version {promoted["version"]} to @{promoted["alias"]}: emoai predict "i feel great"'
        )


def _say_stopped(run_id: str) -> None:
    """After Ctrl-C: offer `--resume` only when a checkpoint was saved, else say that nothing was."""
    import shlex
    import sys

    from emoai_cli import console, process
    from emoai_core.training.checkpoints import last_checkpoint_epoch

    epoch = last_checkpoint_epoch(run_id)
    if epoch:
        console.err().print(
            f"[yellow]Stopped.[/yellow] Run {run_id} is marked KILLED; its checkpoint of epoch {epoch} is kept."
        )
        console.hint(f"continue it with: emoai train --resume {run_id}")
        return
    console.err().print(
        f"[yellow]Stopped.[/yellow] Run {run_id} is marked KILLED before its first checkpoint: nothing was saved."
    )
    again = shlex.join(["emoai", *sys.argv[1:]]) if process.standalone else "emoai train"
    console.hint(f"start it again: {again}")


def _promote(run_id: str) -> dict:
    from emoai_core.tracking.promote import promote_run

    done = promote_run(run_id)
    return {"alias": done.alias, "version": done.version, "local_copy": str(done.local_copy)}


def register(app: typer.Typer) -> None:
    app.command("train", help="Fine-tune the emotion classifier with Ray Train, tracked in MLflow.")(train)
