"""`emoai cluster up / status / down`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli import console
from emoai_cli.help import LeanHelpGroup

app = typer.Typer(
    cls=LeanHelpGroup, help="Ray clusters from cluster_compute.yaml: locally or on AWS.", no_args_is_help=True
)


@app.command("up")
def up_cmd(
    config: Path = typer.Option(Path("cluster_compute.yaml"), "--config", "-c", help="What the cluster is."),
    env: Path | None = typer.Option(None, "--env", "-e", help="What runs on it (cluster_env.yaml)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the rendered config and exit; start nothing."
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Start the cluster; it becomes the default for train, tune, serve and eval."""
    from emoai_core.cluster import lifecycle as cluster

    if dry_run:
        import yaml

        rendered = cluster.render_dry_run(config, env)
        if json_output:
            console.print_json(rendered)
        else:
            console.out().print(yaml.safe_dump(rendered, sort_keys=False), highlight=False, markup=False)
        for line in cluster.shared_services_plan(config, env):
            console.info(line)
        console.info("dry run: the config is valid; nothing was started")
        return
    with console.progress(json_output) as progress:
        state = cluster.up(config, env, on_event=progress)
    if json_output:
        console.print_json(state)
        return
    out = console.out()
    out.print(f"cluster [bold]{state['name']}[/bold] is up ({state['provider']})", highlight=False)
    out.print(f"  address:   {state['address']}", highlight=False)
    out.print(f"  dashboard: {state['dashboard_url']}", highlight=False)
    if state.get("tracking_uri"):
        where = " (started on the head)" if state.get("tracking_server") or state.get("port_forward") else ""
        out.print(f"  tracking:  {state['tracking_uri']}{where}", highlight=False)
    if state.get("storage"):
        out.print(f"  storage:   {state['storage']}", highlight=False, markup=False)
    for node in state.get("nodes", []):
        res = ", ".join(f"{k} {v:g}" for k, v in sorted(node["resources"].items()) if k in ("CPU", "GPU"))
        out.print(f"  node {node['node_id'][:12]}: {res}", highlight=False)
    console.hint(
        f"emoai train now runs here; the plain ray CLI needs: RAY_AUTH_MODE=token RAY_ADDRESS={state['address']} "
        "ray status"
    )


def _bar(used: float, total: float, width: int = 12) -> str:
    if total <= 0:
        return "·" * width
    filled = round(width * min(used / total, 1.0))
    return "█" * filled + "·" * (width - filled)


def _render_status(info: dict[str, Any]) -> None:
    from rich.table import Table

    out = console.out()
    out.print(
        f"cluster {info.get('name') or '?'} ({info.get('provider') or '?'}) · {info.get('address') or '-'} · "
        f"dashboard {info['dashboard_url']}",
        highlight=False,
    )
    table = Table()
    for col in ("node", "type", "alive", "CPU", "GPU", "memory"):
        table.add_column(col)
    for n in info["nodes"]:
        gib = 1024**3
        table.add_row(
            n["node_id"][:12] + (" (head)" if n["is_head"] else ""),
            n["node_type"],
            "[green]yes[/green]" if n["alive"] else "[red]no[/red]",
            f"{_bar(n['cpu_used'], n['cpu_total'])} {n['cpu_used']:g}/{n['cpu_total']:g}",
            f"{n['gpu_used']:g}/{n['gpu_total']:g}" if n["gpu_total"] else "-",
            f"{_bar(n['memory_used'], n['memory_total'])} {n['memory_used'] / gib:.1f}/"
            f"{n['memory_total'] / gib:.1f} GiB",
        )
    out.print(table)
    out.print("pending demands: " + (", ".join(info["pending_demands"]) or "none"), highlight=False)
    running = [j for j in info["jobs"] if j["status"] in ("RUNNING", "PENDING")]
    out.print(f"jobs: {len(running)} running of {len(info['jobs'])}", highlight=False)
    for job in running:
        out.print(f"  {job['id']}  {job['status']}  {job['entrypoint'][:80]}", highlight=False)
    apps = info["serve_apps"]
    out.print(
        "serve apps: " + (", ".join(f"{a['name']} {a['status']}" for a in apps) or "none"), highlight=False
    )


@app.command("status")
def status_cmd(
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
    dashboard_url: str | None = typer.Option(None, "--dashboard-url", help="Ask this Ray dashboard instead."),
) -> None:
    """Nodes with CPU/GPU/memory, pending autoscaler demands, jobs and serve apps."""
    from emoai_core.cluster import lifecycle as cluster

    info = cluster.status(dashboard_url)
    if json_output:
        console.print_json(info)
        return
    _render_status(info)


@app.command("down")
def down_cmd(yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation.")) -> None:
    """Stop what 'emoai cluster up' started."""
    import sys

    from emoai_core.base.errors import UsageError
    from emoai_core.cluster import lifecycle as cluster
    from emoai_core.cluster.state import read_state

    state = read_state()
    if state is None:
        console.info("No cluster is up.")
        return
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to ask for confirmation without a terminal", "pass -y/--yes")
        if not typer.confirm(
            f"Stop cluster '{state.get('name')}' ({state.get('provider')})?", default=False, err=True
        ):
            raise typer.Abort()
    result = cluster.down()
    console.out().print(f"cluster {result['name']} is down", highlight=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="cluster")
