"""Confirmation and help dialogs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

HELP = """[b]emoai dashboard[/b] — keys

  [b]1 2 3[/b]     runs / cluster / serving
  [b]↑ ↓[/b]       move in the runs table
  [b]enter[/b]     open the run: curves, params, tags, model version
  [b]esc[/b]       back to the runs table (or clear the filter)
  [b]/[/b]         filter runs by name, status, data or id
  [b]m[/b]         promote the selected run to @production (asks first)
  [b]x[/b]         stop the selected running training run (asks first)
  [b]p[/b]         pause / resume live updates
  [b]r[/b]         refresh now
  [b]ctrl+p[/b]    command palette (every action)
  [b]q[/b]         quit

Data comes from MLflow (runs) and the Ray dashboard's REST API (cluster, Serve);
it is polled every few seconds in the background (--refresh)."""


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [Binding("y", "answer(True)", "Yes"), Binding("n,escape", "answer(False)", "No")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(id="buttons"):
                yield Button("Yes (y)", variant="primary", id="yes")
                yield Button("No (n)", id="no")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(HELP, id="help-text")
