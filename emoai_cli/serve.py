"""`emoai serve [RUN]`, `emoai serve status`, `emoai serve stop`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli import console
from emoai_cli.help import LeanHelpGroup


class DefaultStartGroup(LeanHelpGroup):
    """`emoai serve [RUN] [OPTIONS]` means `emoai serve start …`; `status` and `stop` stay subcommands."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ("-h", "--help")):
            args = ["start", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(cls=DefaultStartGroup, help="Serve the model over HTTP with Ray Serve (default: start).")
SERVER = "Server"
LIMITS = "Limits"


@app.command("start")
def start(
    run: str | None = typer.Argument(
        None, help="Run to serve (id, prefix, name, @alias).", show_default=False
    ),
    alias: str | None = typer.Option(
        None, "--alias", help="Registered-model alias to serve (default: production)."
    ),
    replicas: int = typer.Option(1, "--replicas", help="Model replicas.", rich_help_panel=SERVER),
    cpus_per_replica: float = typer.Option(
        1.0, "--cpus-per-replica", help="CPUs per replica.", rich_help_panel=SERVER
    ),
    gpus_per_replica: float = typer.Option(
        0.0, "--gpus-per-replica", help="GPUs per replica.", rich_help_panel=SERVER
    ),
    max_batch_size: int = typer.Option(
        32, "--max-batch-size", help="Most waiting texts one model call takes.", rich_help_panel=SERVER
    ),
    batch_wait_ms: float = typer.Option(
        0.0, "--batch-wait-ms", help="How long a model call waits for more texts (0: never).", rich_help_panel=SERVER
    ),
    ingress: str = typer.Option(
        "auto",
        "--ingress",
        help="auto (HAProxy where it runs), haproxy, or proxy (Serve's Python proxy).",
        rich_help_panel=SERVER,
    ),
    log_texts: bool = typer.Option(
        False, "--log-texts", help="Keep the texts themselves in the prediction log.", rich_help_panel=SERVER
    ),
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on.", rich_help_panel=SERVER),
    port: int = typer.Option(8000, "--port", help="HTTP port.", rich_help_panel=SERVER),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="EMOAI_SERVE_TOKEN",
        help="Require 'Authorization: Bearer <token>' (all routes but /healthz); prefer --token-file or the env var.",
        rich_help_panel=SERVER,
    ),
    token_file: Path | None = typer.Option(
        None, "--token-file", help="Read the token from this file's first line.", rich_help_panel=SERVER
    ),
    allow_unauthenticated: bool = typer.Option(
        False,
        "--allow-unauthenticated",
        help="Serve on a non-loopback --host without a token.",
        rich_help_panel=SERVER,
    ),
    max_text_chars: int = typer.Option(
        2000, "--max-text-chars", help="Longest text accepted.", rich_help_panel=LIMITS
    ),
    max_batch_texts: int = typer.Option(
        256, "--max-batch-texts", help="Most texts per request.", rich_help_panel=LIMITS
    ),
    max_body_bytes: int | None = typer.Option(
        None,
        "--max-body-bytes",
        help="Largest request body; larger ones get 413 unread (default: what the limits above need).",
        rich_help_panel=LIMITS,
    ),
    address: str | None = typer.Option(
        None,
        "--address",
        envvar="RAY_ADDRESS",
        help="Ray cluster (default: the 'emoai cluster up' one, else local).",
    ),
    detach: bool = typer.Option(
        False, "--detach", "-d", help="Return once healthy; 'emoai serve stop' ends it."
    ),
) -> None:
    """Deploy the model (a new version rolls out without dropping requests)."""
    from emoai_core.serving.deploy import deploy, serve_foreground
    from emoai_core.serving.options import ServeOptions, read_token

    opts = ServeOptions(
        replicas=replicas,
        cpus_per_replica=cpus_per_replica,
        gpus_per_replica=gpus_per_replica,
        max_batch_size=max_batch_size,
        batch_wait_ms=batch_wait_ms,
        host=host,
        port=port,
        token=read_token(token, token_file),
        max_text_chars=max_text_chars,
        max_batch_texts=max_batch_texts,
        allow_unauthenticated=allow_unauthenticated,
        max_body_bytes=max_body_bytes,
        ingress=ingress,
        log_texts=log_texts,
    )
    opts.check()  # refused before a model is looked up
    folder, name = _model_folder(run, alias)
    console.info(f"[dim]… deploying {name}[/dim]")
    if detach:
        state = deploy(folder, opts, address=address, detach=True, model_name=name)
        _ready(state, ingress)
        console.hint("emoai serve status · emoai serve stop")
        return
    try:
        serve_foreground(
            folder,
            opts,
            address=address,
            model_name=name,
            on_ready=lambda s: (_ready(s, ingress), console.info("Ctrl-C stops the server.")),
        )
    except KeyboardInterrupt:
        console.info("server stopped")
        raise typer.Exit(0) from None


def _model_folder(run: str | None, alias: str | None) -> tuple[Any, str]:
    from emoai_core.base.errors import UsageError
    from emoai_core.inference import select as model_select

    if run and alias:
        raise UsageError("pass a RUN or --alias, not both")
    if run and not run.startswith("@"):
        from emoai_core.serving.bundle import onnx_bundle_for_run

        return onnx_bundle_for_run(run), f"run {run}"
    choice = model_select.from_alias((run or "@")[1:] or alias or "production")
    return choice.path, choice.description


def _ready(state: Any, asked: str = "auto") -> None:
    version = f"v{state.version}" if state.version else "model"
    console.out().print(
        f"serving {version} (run {str(state.run_id)[:8]}) at [bold]{state.url}[/bold]", highlight=False
    )
    console.info(
        f'  POST {state.url}/predict  {{"text": "i feel great"}}\n  GET  {state.url}/ (try it) · '
        f"{state.url}/model · {state.url}/healthz · {state.url}/docs\n"
        f"  ingress: {INGRESS_NAMES.get(state.ingress, state.ingress)}"
        + (f" · metrics: {', '.join(state.metrics)}" if state.metrics else "")
    )
    if asked == "haproxy" and state.ingress != "haproxy":
        console.info(f"[yellow]asked for --ingress haproxy, but this cluster runs {state.ingress}[/yellow]")
        console.hint("start the cluster with RAY_SERVE_ENABLE_HA_PROXY=1 in its environment (README: Serving)")


INGRESS_NAMES = {
    "haproxy": "HAProxy → replicas (direct ingress)",
    "proxy": "Serve's Python proxy",
}


@app.command("status")
def status_cmd(
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
    token: str | None = typer.Option(None, "--token", envvar="EMOAI_SERVE_TOKEN", help="Token for /model."),
) -> None:
    """Application and replica states, route, URL, model and uptime."""
    from emoai_core.serving.status import status

    info = status(token)
    if json_output:
        console.print_json(info)
        return
    out = console.out()
    health = "[green]healthy[/green]" if info["healthy"] else "[red]not answering[/red]"
    out.print(
        f"{info['url']}  {health}  up {info['uptime_s'] / 60:.1f} min  route {info['route']}", highlight=False
    )
    out.print(f"model: {info['model']}", highlight=False)
    out.print(f"run:   {info['run_id']} · registered version {info['version']}", highlight=False)
    ingress = info.get("ingress") or {}
    kind = str(ingress.get("kind"))
    out.print(f"ingress: {INGRESS_NAMES.get(kind, kind)} ({ingress.get('detected', 'detected')})", highlight=False)
    for url in info.get("metrics") or []:
        out.print(f"metrics: {url}  (Prometheus text; README: Serving → metrics)", highlight=False)
    app_info = info.get("application") or {}
    if app_info:
        out.print(f"application '{'emoai'}': {app_info.get('status')}", highlight=False)
        for name, dep in app_info.get("deployments", {}).items():
            states = ", ".join(f"{k} {v}" for k, v in dep["replica_states"].items()) or "no replicas"
            out.print(f"  {name}: {dep['status']} ({states})", highlight=False)


@app.command("stop")
def stop_cmd() -> None:
    """Stop the server and free its port."""
    from emoai_core.serving.deploy import stop

    result = stop()
    if not result["stopped"]:
        console.info("No server is running.")
        return
    console.out().print(f"stopped the server at {result['url']}", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="serve")
