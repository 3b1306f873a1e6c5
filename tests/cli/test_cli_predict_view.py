"""How `emoai predict` draws its answers in the terminal (emoai_cli.predict)."""

from __future__ import annotations

from emoai_cli.predict import _render
from emoai_core.inference.predict import Prediction


def test_bars_stay_in_one_column_when_a_label_is_longer_than_twelve_characters(capsys):
    probabilities = {"joy": 0.9, "disappointment": 0.5, "embarrassment": 0.25, "love": 0.1}
    pred = Prediction("joy", 0.9, probabilities, labels=("joy", "disappointment"))
    _render(["thanks so much, this made my day"], [pred], None)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("joy, disappointment")
    bars = [line for line in lines[1:] if "█" in line]
    assert len(bars) == 4
    assert len({line.index("█") for line in bars}) == 1, bars  # every bar starts in the same column
    assert len({line.rstrip().rindex(" ") for line in bars}) == 1, bars  # and every score too
