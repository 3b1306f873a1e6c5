"""The serving pane: the server `emoai serve` runs, its model, and Serve's replica states."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from emoai_cli.dashboard.sources import ServingView
from emoai_cli.formatting import duration

EMPTY = (
    "No model is being served.\n\nStart the server:  [b]emoai serve --detach[/b]  "
    "(serves the @production model; promote one first with [b]emoai runs promote RUN[/b])"
)
STATE_STYLE = {
    "RUNNING": "green",
    "HEALTHY": "green",
    "DEPLOYING": "yellow",
    "UPDATING": "yellow",
    "STARTING": "yellow",
}


def apps_table(apps: list[dict]) -> RenderableType:
    if not apps:
        return Text("Replica states unavailable (the server's Ray dashboard is not reachable).", style="dim")
    table = Table(title="Serve applications", title_justify="left", expand=True)
    for col in ("app", "status", "route", "deployment", "replicas"):
        table.add_column(col)
    for app in apps:
        for dep_name, dep in (app.get("deployments") or {}).items():
            replicas = ", ".join(
                f"{state} × {n}" for state, n in sorted(dep.get("replica_states", {}).items())
            )
            status = str(app.get("status"))
            table.add_row(
                str(app.get("name")),
                Text(status, style=STATE_STYLE.get(status, "red")),
                str(app.get("route_prefix") or "/"),
                dep_name,
                replicas or "-",
            )
    return table


def render_serving(view: ServingView) -> RenderableType:
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    facts.add_row("URL", view.url)
    facts.add_row(
        "health", Text("healthy", style="green") if view.healthy else Text("not answering", style="red")
    )
    facts.add_row("model", view.model)
    facts.add_row("version", f"v{view.version}" if view.version else "-")
    facts.add_row("run", view.run_id or "-")
    facts.add_row("uptime", duration(view.uptime_s))
    facts.add_row("routes", "POST /predict · GET /healthz · GET /model")
    return Group(facts, Text(""), apps_table(view.apps))


class ServingPane(VerticalScroll):
    def compose(self):  # type: ignore[override]
        yield Static(EMPTY, id="serving-body")

    def show(self, view: ServingView | None, error: str | None = None) -> None:
        body = self.query_one("#serving-body", Static)
        if error:
            body.update(Text.assemble(("Cannot read the server: ", "red"), error))
        elif view is None:
            body.update(EMPTY)
        else:
            body.update(render_serving(view))
