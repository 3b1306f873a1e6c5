"""The runs pane: a live, filterable table of MLflow runs, newest first."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from emoai_cli.dashboard.sources import RunSummary
from emoai_cli.formatting import STATUS_STYLE, duration, num, when

COLUMNS = ("status", "name", "kind", "started", "duration", "epoch", "val acc", "macro-F1", "data", "run id")
EMPTY = (
    "No runs yet.\n\nStart one:  [b]emoai train --epochs 1 --limit 2000[/b]\n"
    "(it shows up here as soon as it starts, and its epochs as they finish)"
)


def matches(run: RunSummary, needle: str) -> bool:
    """Case-insensitive substring match over what the table shows."""
    if not needle:
        return True
    hay = " ".join(str(v) for v in (run.name, run.status, run.kind, run.data, run.run_id) if v)
    return needle.lower() in hay.lower()


def _epoch(run: RunSummary) -> str:
    if run.epoch is None:
        return "-"
    return f"{run.epoch}/{run.epochs}" if run.epochs else str(run.epoch)


def cells(run: RunSummary) -> tuple[object, ...]:
    return (
        Text(run.status, style=STATUS_STYLE.get(run.status, "")),
        run.name,
        f"{run.kind} · multi-label" if run.task == "multi_label" else run.kind,
        when(run.started),
        duration(run.duration),
        _epoch(run),
        num(run.val_accuracy),
        num(run.val_macro_f1),
        run.data or "-",
        run.run_id[:8],
    )


class RunsPane(Vertical):
    """Table plus a filter line; keeps the cursor on the same run across refreshes."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.all_runs: list[RunSummary] = []
        self.needle = ""
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Input(
            placeholder="filter runs (name, status, data, id) — enter to keep, esc to clear", id="filter"
        )
        yield Static("", id="runs-note")
        table: DataTable = DataTable(id="runs-table", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table

    @property
    def table(self) -> DataTable:
        return self.query_one("#runs-table", DataTable)

    @property
    def visible(self) -> list[RunSummary]:
        return [r for r in self.all_runs if matches(r, self.needle)]

    def selected(self) -> RunSummary | None:
        table = self.table
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.all_runs if r.run_id == key), None)

    def show(self, runs: list[RunSummary] | None, error: str | None = None) -> None:
        if runs is not None:
            self.all_runs = runs
        self.error = error
        self.render_table()

    def set_filter(self, needle: str) -> None:
        self.needle = needle
        self.render_table()

    def render_table(self) -> None:
        table, note = self.table, self.query_one("#runs-note", Static)
        current = self.selected()
        table.clear()
        rows = self.visible
        for run in rows:
            table.add_row(*cells(run), key=run.run_id)
        if current is not None and any(r.run_id == current.run_id for r in rows):
            table.move_cursor(row=table.get_row_index(current.run_id))
        note.update(self._note(len(rows)))
        note.display = bool(self._note(len(rows)))

    def _note(self, shown: int) -> str:
        if self.error:
            return f"[red]Cannot read runs:[/red] {self.error}"
        if not self.all_runs:
            return EMPTY
        if self.needle:
            return f"filter [b]{self.needle}[/b]: {shown} of {len(self.all_runs)} runs"
        return ""
