"""The serving pane: the server `emoai serve` runs, its model, Serve's replica states, and from the
prediction log its live traffic (req/s, latency, errors), label mix and drift state."""

from __future__ import annotations

from typing import Any

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


INGRESS = {"haproxy": "HAProxy → replicas", "proxy": "Serve's Python proxy"}
DRIFT = {True: ("drift", "bold red"), False: ("no drift", "green"), None: ("no verdict", "dim")}


def _ms(value: Any) -> str:
    return f"{value:.0f} ms" if isinstance(value, int | float) else "-"


def traffic_table(view: ServingView) -> RenderableType:
    live = view.live
    if not live or not live["requests"]:
        return Text(f"No predictions in the last {view.live_s:.0f} s.", style="dim")
    table = Table(title=f"Traffic — last {view.live_s:.0f} s", title_justify="left", expand=True)
    for col in ("req/s", "p50", "p99", "errors", "confidence"):
        table.add_column(col, justify="right")
    errors = Text(f"{live['errors']} ({100 * live['error_rate']:.1f} %)", style="red" if live["errors"] else "")
    mean = live["confidence"]["mean"]
    table.add_row(
        f"{live['req_per_s']:.1f}", _ms(live["latency_ms"]["p50"]), _ms(live["latency_ms"]["p99"]), errors,
        f"{mean:.2f}" if mean is not None else "-",
    )  # fmt: skip
    return table


def label_mix(view: ServingView, width: int = 30) -> RenderableType:
    shares = (view.live or {}).get("labels") or {}
    if not shares:
        return Text("")
    table = Table(title="Label mix", title_justify="left", show_header=False, box=None)
    table.add_column("label")
    table.add_column("bar")
    table.add_column("share", justify="right")
    for label, share in shares.items():
        filled = round(width * share)
        table.add_row(label, Text("█" * filled + "·" * (width - filled), style="cyan"), f"{100 * share:.0f} %")
    return table


def drift_view(view: ServingView) -> RenderableType:
    drift = view.drift
    window = f"last {view.drift_s / 60:.0f} min"
    if drift is None:
        return Text(f"Drift ({window}): no predictions yet.", style="dim")
    word, style = DRIFT[drift.get("drift")]
    head = Text.assemble(f"Drift ({window}, {drift['texts']:,} texts): ", (word, style))
    if "error" in drift:
        return Group(head, Text(drift["error"], style="dim"))
    parts = []
    for check in drift.get("checks", []):
        mark, style = DRIFT[check["drift"]]
        effect = f" (effect {check['effect']:.2f})" if check["effect"] is not None else ""
        parts.append(Text.assemble(f"  {check['name']}: ", (mark, style), (f"{effect}", "dim")))
    return Group(head, *parts)


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
    facts.add_row("routes", "GET / (try it) · POST /predict · GET /healthz · GET /model")
    if view.ingress:
        facts.add_row("ingress", INGRESS.get(view.ingress, view.ingress))
    if view.metrics:
        facts.add_row("metrics", " · ".join(view.metrics))
    blank = Text("")
    return Group(
        facts, blank, traffic_table(view), label_mix(view), blank, drift_view(view), blank, apps_table(view.apps)
    )


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
