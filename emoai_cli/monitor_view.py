"""Rendering `emoai monitor` with rich: traffic, its course over time, the label mix, drift per model."""

from __future__ import annotations

import datetime as dt
from typing import Any

from emoai_cli import console

VERDICT = {True: "[red]drift[/red]", False: "[green]ok[/green]", None: "[dim]no verdict[/dim]"}


def _ms(value: float | None) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) else "-"


def _pct(value: float | None) -> str:
    return f"{100 * value:.1f} %" if isinstance(value, int | float) else "-"


def _clock(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).strftime("%H:%M:%S")


def _bar(share: float, width: int = 24) -> str:
    filled = round(width * share)
    return "█" * filled + "·" * (width - filled)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {100 * v:.0f}%" for k, v in list(value.items())[:4]) or "-"
    return f"{value:.3g}" if isinstance(value, int | float) else "-"


def render(report: dict[str, Any], since: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    s = report["summary"]
    out.print(
        f"[bold]last {escape(since)}[/bold] ({_clock(report['since'])} – {_clock(report['until'])}) · "
        f"log {escape(report['log'])}",
        highlight=False,
    )
    if not s["requests"]:
        out.print("No predictions were served in this window.", highlight=False)
        console.hint("serve a model (emoai serve --detach) and send it texts, or look further back with --since")
        return
    latency = s["latency_ms"]
    out.print(
        f"{s['requests']:,} requests ({s['texts']:,} texts) · {s['req_per_s']:.2f} req/s · errors "
        f"{s['errors']} ({_pct(s['error_rate'])}) · latency p50 {_ms(latency['p50'])} ms, p90 "
        f"{_ms(latency['p90'])} ms, p99 {_ms(latency['p99'])} ms · confidence mean "
        f"{_value(s['confidence']['mean'])}, below 0.5 {_pct(s['confidence']['below_0.5'])}",
        highlight=False,
    )
    if s["error_codes"]:
        out.print("errors by code: " + ", ".join(f"{k} {v}" for k, v in s["error_codes"].items()), highlight=False)

    course = Table(title="Over time", title_justify="left")
    for col in ("from", "requests", "req/s", "p50 ms", "p99 ms", "errors", "confidence", "top label"):
        course.add_column(col, justify="left" if col in ("from", "top label") else "right")
    for b in report["over_time"]:
        top = f"{escape(str(b['top_label']))} {_pct(b['top_label_share'])}" if b["top_label"] else "-"
        course.add_row(
            _clock(b["start"]), str(b["requests"]), f"{b['req_per_s']:.2f}", _ms(b["p50_ms"]),
            _ms(b["p99_ms"]), str(b["errors"]), _value(b["confidence"]), top,
        )  # fmt: skip
    out.print(course)

    mix = Table(title="Label mix", title_justify="left")
    for col in ("label", "texts", "share", ""):
        mix.add_column(col, justify="right" if col in ("texts", "share") else "left")
    for label, share in s["labels"].items():
        mix.add_row(escape(label), f"{s['label_counts'][label]:,}", _pct(share), _bar(share))
    out.print(mix)

    for model in report["models"]:
        render_drift(model)


def render_drift(model: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    name = f"model {escape(str(model['model'])[:12])}" + (f" v{escape(str(model['version']))}" if model.get("version") else "")
    if "error" in model:
        out.print(f"[bold]{name}[/bold]: {model['texts']:,} texts · drift {VERDICT[None]}: {escape(model['error'])}")
        if model.get("hint"):
            console.hint(model["hint"])
        return
    ref = model["reference"]
    table = Table(
        title=f"Drift — {name}: {model['texts']:,} served texts against {ref['texts']:,} texts of "
        f"{escape(ref['data'])} ({ref['split']}) · {VERDICT[model['drift']]}",
        title_justify="left",
    )
    for col in ("quantity", "statistic", "value", "p", "effect", "threshold", "served", "reference", "verdict"):
        table.add_column(col, justify="right" if col in ("value", "p", "effect") else "left")
    for c in model["checks"]:
        table.add_row(
            c["name"], c["test"].split(" (")[0], _value(c["statistic"]),
            f"{c['p_value']:.2g}" if c["p_value"] is not None else "-", _value(c["effect"]),
            c["threshold"], escape(_value(c["served"])), escape(_value(c["reference"])), VERDICT[c["drift"]],
        )  # fmt: skip
    out.print(table)
    tests = sorted({c["test"] for c in model["checks"]})
    out.print("[dim]" + " · ".join(escape(t) for t in tests) + "; effect: Cramér's V or KS D[/dim]", highlight=False)
