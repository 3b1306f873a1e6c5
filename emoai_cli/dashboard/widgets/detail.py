"""A run's detail screen: curves per epoch as terminal plots, params, tags, version; follows live."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static
from textual_plotext import PlotextPlot

from emoai_cli.dashboard.sources import RunDetail
from emoai_cli.formatting import STATUS_STYLE, duration, num, when

LOSS = ("train_loss", "val_loss")
SCORES = ("val_accuracy", "val_macro_f1")


def headline(detail: RunDetail) -> Text:
    s = detail.summary
    epoch = f"epoch {s.epoch}/{s.epochs}" if s.epoch is not None else "no epoch yet"
    registered = f"v{detail.version}" if detail.version else "not registered"
    if detail.aliases:
        registered += " " + " ".join(f"@{a}" for a in detail.aliases)
    return Text.assemble(
        (s.name, "bold"),
        "  ",
        (s.status, STATUS_STYLE.get(s.status, "")),
        f"  {epoch}  ·  ",
        f"started {when(s.started)} · {duration(s.duration)}  ·  data {s.data or '-'}"
        + (f"  ·  task {s.task.replace('_', '-')}" if s.task else "")
        + f"  ·  model {registered}\n",
        (f"run {s.run_id}", "dim"),
    )


def progress_line(detail: RunDetail, width: int = 30) -> Text:
    """The running epoch between epoch points: step, a bar, samples/s, time left."""
    p = detail.progress
    if p is None:
        return Text("")
    filled = round(width * p.step / p.steps) if p.steps else 0
    epochs = f"/{p.epochs}" if p.epochs else ""
    rate = f"{p.samples_per_s:.1f} samples/s" if p.samples_per_s else "timing…"
    eta = f"epoch ends in {duration(p.eta_s)}" if p.eta_s is not None else ""
    return Text.assemble(
        f"epoch {p.epoch}{epochs}  step {p.step}/{p.steps}  ",
        ("█" * filled, "yellow"), ("·" * (width - filled), "dim"),
        f"  {100 * p.step / max(p.steps, 1):.0f} %  ·  {rate}  ·  loss {p.loss:.3f}" + (f"  ·  {eta}" if eta else ""),
    )  # fmt: skip


def facts_table(detail: RunDetail) -> Table:
    table = Table(title="Params and tags", title_justify="left", expand=True, show_header=False)
    table.add_column("key", style="bold")
    table.add_column("value")
    latest = {k: pts[-1][1] for k, pts in detail.history.items() if pts}
    for key in (*LOSS, *SCORES):
        if key in latest:
            table.add_row(f"latest {key}", num(latest[key]))
    for key, value in sorted(detail.params.items()):
        table.add_row(key, str(value))
    for key, value in sorted(detail.tags.items()):
        table.add_row(key, str(value))
    return table


def draw(plot: PlotextPlot, detail: RunDetail, keys: tuple[str, ...], title: str) -> None:
    plt = plot.plt
    plt.clear_data()
    plt.clear_figure()
    plt.title(title)
    plt.xlabel("epoch")
    drawn = False
    epochs = sorted({e for key in keys for e, _ in detail.history.get(key) or []})
    if epochs:
        plt.xticks(epochs)
    for key in keys:
        points = detail.history.get(key) or []
        if points:
            plt.plot([e for e, _ in points], [v for _, v in points], label=key, marker="braille")
            drawn = True
    if not drawn:
        plt.title(f"{title} — no epoch finished yet")
    plot.refresh()


class RunDetailScreen(Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("m", "app.promote", "Promote"),
        Binding("x", "app.stop_run", "Stop run"),
        Binding("r", "app.refresh_now", "Refresh"),
        Binding("p", "app.toggle_pause", "Pause"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, run_id: str) -> None:
        super().__init__()
        self.run_id = run_id
        self.detail: RunDetail | None = None
        self.pending: tuple[RunDetail | None, str | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text(f"run {self.run_id} — loading…"), id="detail-head")
        yield Static("", id="detail-progress")
        with Horizontal(id="plots"):
            yield PlotextPlot(id="plot-loss")
            yield PlotextPlot(id="plot-scores")
        with VerticalScroll(id="facts"):
            yield Static("", id="detail-facts")
        yield Footer()

    def on_mount(self) -> None:
        if self.pending is not None:
            self.show(*self.pending)

    def show(self, detail: RunDetail | None, error: str | None = None) -> None:
        if not self.query("#detail-head"):  # a poll can land before the pushed screen is composed
            self.pending = (detail, error)
            return
        head = self.query_one("#detail-head", Static)
        if error:
            head.update(Text.assemble(("Cannot read the run: ", "red"), error))
            return
        if detail is None:
            return
        self.detail = detail
        head.update(headline(detail))
        bar = self.query_one("#detail-progress", Static)
        bar.update(progress_line(detail))
        bar.display = detail.progress is not None
        draw(self.query_one("#plot-loss", PlotextPlot), detail, LOSS, "loss")
        draw(self.query_one("#plot-scores", PlotextPlot), detail, SCORES, "validation accuracy / macro-F1")
        self.query_one("#detail-facts", Static).update(facts_table(detail))
