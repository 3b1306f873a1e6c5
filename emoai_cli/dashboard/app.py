"""`emoai dashboard`: a live Textual TUI over MLflow runs, the Ray cluster and the Serve app.

The event loop never blocks: a timer asks the `Poller` to read every source, each part (runs,
cluster, server) on a daemon thread of its own (`polling.py`); each read posts a `Polled` message
and the handler renders that part. A part never starts while it is still being read (`r` during a
read queues exactly one more), and a slow part never holds back another or the `q` key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual import work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Header, Input, TabbedContent, TabPane

from emoai_cli.dashboard.polling import PARTS, Poller, Snapshot, describe_error, gather  # noqa: F401 - re-exported
from emoai_cli.dashboard.sources import RunSummary, Sources
from emoai_cli.dashboard.widgets.cluster import ClusterPane
from emoai_cli.dashboard.widgets.detail import RunDetailScreen
from emoai_cli.dashboard.widgets.modals import ConfirmScreen, HelpScreen
from emoai_cli.dashboard.widgets.runs import RunsPane
from emoai_cli.dashboard.widgets.serving import ServingPane

W = TypeVar("W", bound=Widget)


class Polled(Message):
    def __init__(self, snapshot: Snapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class DashboardApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "emoai dashboard"
    AUTO_FOCUS = "#runs-table"
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("1", "show_tab('runs')", "Runs"),
        Binding("2", "show_tab('cluster')", "Cluster"),
        Binding("3", "show_tab('serving')", "Serving"),
        Binding("/", "filter", "Filter"),
        Binding("m", "promote", "Promote"),
        Binding("x", "stop_run", "Stop run"),
        Binding("p", "toggle_pause", "Pause"),
        Binding("r", "refresh_now", "Refresh"),
        Binding("question_mark", "help", "Help"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    paused: reactive[bool] = reactive(False)

    def __init__(self, sources: Sources, refresh: float = 2.0) -> None:
        super().__init__()
        self.sources = sources
        self.refresh_seconds = refresh
        self.poller = Poller(sources, lambda snap: self.post_message(Polled(snap)))
        self.polls = 0  # rounds in which every part was rendered: tests wait on this instead of sleeping

    @property
    def polling(self) -> bool:
        return bool(self.poller.in_flight)

    # --- layout -----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="runs"):
            with TabPane("Runs", id="runs"):
                yield RunsPane(id="runs-pane")
            with TabPane("Cluster", id="cluster"):
                yield ClusterPane(id="cluster-pane")
            with TabPane("Serving", id="serving"):
                yield ServingPane(id="serving-pane")
        yield Footer()

    def on_mount(self) -> None:
        self.main("#filter", Input).display = False
        self._update_subtitle()
        self.set_interval(self.refresh_seconds, self._tick)
        self.poll()

    def main(self, selector: str, kind: type[W]) -> W:
        """A widget of the main screen, even while the detail screen or a dialog is on top."""
        return self.screen_stack[0].query_one(selector, kind)

    @property
    def runs_pane(self) -> RunsPane:
        return self.main("#runs-pane", RunsPane)

    # --- polling ------------------------------------------------------------------------------
    def _tick(self) -> None:
        if not self.paused:
            self.poll()

    def poll(self, parts: tuple[str, ...] | None = None) -> None:
        if not self.is_running or not self.screen_stack:  # a timer tick while the app shuts down
            return
        screen = self.screen
        detail_id = screen.run_id if isinstance(screen, RunDetailScreen) else None
        self.poller.start(detail_id, parts or PARTS)

    def on_polled(self, message: Polled) -> None:
        snap = message.snapshot
        again = self.poller.landed(snap)
        if not self.is_running or not self.screen_stack or not self.screen_stack[0].query("#runs-table"):
            return  # a poll that lands while the app shuts down (its widgets are being removed)
        if "runs" in snap.parts:
            self.runs_pane.show(snap.runs, snap.errors.get("runs"))
            if self.focused is None and len(self.screen_stack) == 1 and self._active_tab() == "runs":
                self.runs_pane.table.focus()  # focusing it on another tab would switch back to Runs
            for screen in self.screen_stack:
                if isinstance(screen, RunDetailScreen) and screen.run_id == snap.detail_id:
                    screen.show(snap.detail, snap.errors.get("detail"))
        if "cluster" in snap.parts:
            self.main("#cluster-pane", ClusterPane).show(snap.cluster, snap.errors.get("cluster"))
        if "serving" in snap.parts:
            self.main("#serving-pane", ServingPane).show(snap.serving, snap.errors.get("serving"))
        self.polls = self.poller.rounds
        if again:
            self.poll(again)

    def watch_paused(self) -> None:
        self._update_subtitle()

    def _update_subtitle(self) -> None:
        self.sub_title = "paused — p to resume" if self.paused else f"live · every {self.refresh_seconds:g} s"

    # --- navigation ---------------------------------------------------------------------------
    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "runs-table" and event.row_key.value:
            self.open_run(str(event.row_key.value))

    def open_run(self, run_id: str) -> None:
        self.push_screen(RunDetailScreen(run_id))
        self.poll(("runs",))

    def _active_tab(self) -> str:
        return self.main("TabbedContent", TabbedContent).active

    def action_show_tab(self, tab: str) -> None:
        if not isinstance(self.screen, RunDetailScreen):
            self.main("TabbedContent", TabbedContent).active = tab
            if tab == "runs":
                self.runs_pane.table.focus()

    def action_filter(self) -> None:
        if isinstance(self.screen, RunDetailScreen):
            return
        self.action_show_tab("runs")
        box = self.main("#filter", Input)
        box.display = True
        box.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.runs_pane.set_filter(event.value.strip())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            event.input.display = bool(event.value.strip())
            self.runs_pane.table.focus()

    def action_clear_filter(self) -> None:
        box = self.main("#filter", Input)
        box.value = ""
        box.display = False
        self.runs_pane.set_filter("")
        self.runs_pane.table.focus()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused

    def action_refresh_now(self) -> None:
        self.poll()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # --- actions on a run ---------------------------------------------------------------------
    def selected_run(self) -> RunSummary | None:
        screen = self.screen
        if isinstance(screen, RunDetailScreen):
            return screen.detail.summary if screen.detail else None
        return self.runs_pane.selected()

    def action_promote(self) -> None:
        run = self.selected_run()
        if run is None:
            self.notify("Select a run first.", severity="warning")
            return
        if run.status != "FINISHED":
            self.notify(
                f"Run {run.name} is {run.status}: only a finished run can be promoted.", severity="warning"
            )
            return
        question = f"Promote run [b]{run.name}[/b] ({run.run_id[:8]}) to [b]@production[/b]?"
        self.push_screen(ConfirmScreen(question), lambda yes: yes and self._act("promote", run.run_id))

    def action_stop_run(self) -> None:
        run = self.selected_run()
        if run is None:
            self.notify("Select a run first.", severity="warning")
            return
        if run.status != "RUNNING":
            self.notify(f"Run {run.name} is not running ({run.status}).", severity="warning")
            return
        question = (
            f"Stop training run [b]{run.name}[/b] ({run.run_id[:8]})?\n"
            "It is marked KILLED and keeps its last checkpoint (emoai train --resume)."
        )
        self.push_screen(ConfirmScreen(question), lambda yes: yes and self._act("stop", run.run_id))

    @work(thread=True, group="actions")
    def _act(self, what: str, run_id: str) -> None:
        action = self.sources.runs.promote if what == "promote" else self.sources.runs.stop
        try:
            message, severity = action(run_id), "information"
        except Exception as exc:
            message, severity = f"{what} failed: {describe_error(exc)}", "error"
        self.call_from_thread(self.notify, message, severity=severity, timeout=8)
        self.call_from_thread(self.poll)

    # --- command palette ----------------------------------------------------------------------
    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Promote selected run", "Point @production at the selected run's model", self.action_promote
        )
        yield SystemCommand(
            "Stop selected run", "Ask a running training run to stop (marked KILLED)", self.action_stop_run
        )
        yield SystemCommand(
            "Pause / resume updates", "Stop or restart polling MLflow and Ray", self.action_toggle_pause
        )
        yield SystemCommand("Refresh now", "Poll every source once, now", self.action_refresh_now)
        yield SystemCommand("Filter runs", "Show only runs matching a text", self.action_filter)
        yield SystemCommand("Show runs", "The runs table", lambda: self.action_show_tab("runs"))
        yield SystemCommand(
            "Show cluster",
            "Nodes, demands and jobs of the Ray cluster",
            lambda: self.action_show_tab("cluster"),
        )
        yield SystemCommand(
            "Show serving", "The Serve app and its replicas", lambda: self.action_show_tab("serving")
        )
