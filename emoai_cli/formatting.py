"""Small text formats shared by the run tables of the CLI and the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

STATUS_STYLE = {"RUNNING": "yellow", "FINISHED": "green", "FAILED": "red", "KILLED": "magenta"}


def when(ts: float | None) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M") if ts else "-"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    minutes, sec = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{sec:02d}s"


def num(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, int | float) else "-"
