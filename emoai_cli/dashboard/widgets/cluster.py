"""The cluster pane: nodes with CPU/GPU/memory bars, autoscaler demands, jobs."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from emoai_cli.dashboard.sources import ClusterView, NodeUsage

EMPTY = (
    "No cluster is up.\n\nStart one:  [b]emoai cluster up --config cluster_compute.yaml[/b]\n"
    "(or point at one: [b]emoai dashboard --dashboard-url http://HOST:8265[/b]).\n"
    "A plain `emoai train` uses an in-process Ray that has no dashboard to read."
)
GIB = 1024**3
JOB_STYLE = {
    "RUNNING": "yellow",
    "SUCCEEDED": "green",
    "FAILED": "red",
    "STOPPED": "magenta",
    "PENDING": "cyan",
}


def usage_bar(used: float, total: float, unit: str = "", scale: float = 1.0) -> RenderableType:
    if total <= 0:
        return Text("-", style="dim")
    label = Text(
        f" {used / scale:g}/{total / scale:g}{unit}"
        if scale == 1
        else f" {used / scale:.1f}/{total / scale:.1f}{unit}"
    )
    grid = Table.grid()
    grid.add_row(ProgressBar(total=total, completed=min(used, total), width=16), label)
    return grid


def nodes_table(nodes: list[NodeUsage]) -> Table:
    table = Table(title="Nodes", title_justify="left", expand=True)
    for col in ("node", "address", "state", "CPU", "GPU", "memory"):
        table.add_column(col)
    for n in nodes:
        table.add_row(
            n.name,
            n.address,
            Text("alive", style="green") if n.alive else Text("dead", style="red"),
            usage_bar(n.cpu_used, n.cpu_total),
            usage_bar(n.gpu_used, n.gpu_total),
            usage_bar(n.memory_used, n.memory_total, " GiB", GIB),
        )
    return table


def jobs_table(jobs: list[dict]) -> RenderableType:
    running = [j for j in jobs if j.get("status") in ("RUNNING", "PENDING")]
    if not running:
        return Text("No running jobs.", style="dim")
    table = Table(title="Running jobs", title_justify="left", expand=True)
    for col in ("job", "status", "entrypoint"):
        table.add_column(col)
    for job in running:
        status = str(job.get("status"))
        table.add_row(
            str(job.get("id")), Text(status, style=JOB_STYLE.get(status, "")), str(job.get("entrypoint"))
        )
    return table


def render_cluster(view: ClusterView) -> RenderableType:
    cpu_used = sum(n.cpu_used for n in view.nodes if n.alive)
    cpu_total = sum(n.cpu_total for n in view.nodes if n.alive)
    head = Text.assemble(
        ("Ray dashboard ", "bold"),
        view.dashboard_url,
        f"   ·   {len(view.nodes)} node(s), CPUs in use {cpu_used:g}/{cpu_total:g}",
    )
    demands = (
        Text("Pending demands: " + "; ".join(view.pending_demands), style="yellow")
        if view.pending_demands
        else Text("No pending autoscaler demands.", style="dim")
    )
    return Group(head, Text(""), nodes_table(view.nodes), demands, Text(""), jobs_table(view.jobs))


class ClusterPane(VerticalScroll):
    def compose(self):  # type: ignore[override]
        yield Static(EMPTY, id="cluster-body")

    def show(self, view: ClusterView | None, error: str | None = None) -> None:
        body = self.query_one("#cluster-body", Static)
        if error:
            body.update(Text.assemble(("Cannot read the cluster: ", "red"), error))
        elif view is None:
            body.update(EMPTY)
        else:
            body.update(render_cluster(view))
