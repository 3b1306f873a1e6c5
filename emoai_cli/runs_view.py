"""Rendering `emoai runs list`, `show` and `compare` as rich tables on stdout."""

from __future__ import annotations

from typing import Any

from emoai_cli import console
from emoai_cli.formatting import STATUS_STYLE
from emoai_cli.formatting import duration as _dur
from emoai_cli.formatting import num as _num
from emoai_cli.formatting import when as _when
from emoai_core.base.settings import REGISTERED_MODEL


def render_list(rows: list[Any]) -> None:
    from rich.table import Table

    table = Table(show_lines=False)
    for col in (
        "id",
        "name",
        "status",
        "started",
        "duration",
        "data",
        "base model",
        "epochs",
        "val acc",
        "val macro-F1",
        "model",
    ):
        table.add_column(col, justify="right" if col in ("epochs", "val acc", "val macro-F1") else "left")
    ids = {r.run_id for r in rows}
    for r in rows:
        indent = "  └ " if r.parent and r.parent in ids else ""
        style = STATUS_STYLE.get(r.status, "")
        epochs = f"{r.epoch or 0}/{r.epochs}" if r.epochs else (str(r.epoch) if r.epoch else "-")
        model = f"v{r.version}" + (" @" + ",@".join(r.aliases) if r.aliases else "") if r.version else "-"
        kind = " [dim](study)[/dim]" if r.kind == "tune" else ""
        kind += " [dim](multi-label)[/dim]" if r.task == "multi_label" else ""
        table.add_row(
            r.run_id[:8],
            f"{indent}{r.name}{kind}",
            f"[{style}]{r.status}[/{style}]",
            _when(r.started),
            _dur(r.duration),
            r.data or "-",
            (r.base_model or "-").split("/")[-1],
            epochs,
            _num(r.best_val_accuracy),
            _num(r.best_val_macro_f1),
            model,
        )
    console.out().print(table)


def render_show(info: dict[str, Any]) -> None:
    from rich.table import Table

    out = console.out()
    style = STATUS_STYLE.get(info["status"], "")
    out.print(
        f"[bold]{info['name']}[/bold]  {info['run_id']}  [{style}]{info['status']}[/{style}]", highlight=False
    )
    model = f"{REGISTERED_MODEL} v{info['version']}" if info["version"] else "not registered"
    aliases = (" (@" + ", @".join(info["aliases"]) + ")") if info["aliases"] else ""
    out.print(
        f"started {_when(info['started'])} · {_dur(info['duration'])} · data {info['data'] or '-'} · "
        + (f"task {info['task'].replace('_', '-')} · " if info.get("task") else "")
        + f"base {info['base_model'] or '-'} · model {model}{aliases}",
        highlight=False,
    )
    history = info["history"]
    if history:
        table = Table(title="Per-epoch history", title_justify="left")
        table.add_column("epoch", justify="right")
        keys = list(history)
        for key in keys:
            table.add_column(key, justify="right")
        epochs = sorted({e for series in history.values() for e, _ in series})
        lookup = {k: dict(v) for k, v in history.items()}
        for epoch in epochs:
            table.add_row(str(epoch), *[_num(lookup[k].get(epoch)) for k in keys])
        out.print(table)
    for title, mapping in (("Params", info["params"]), ("Metrics", info["metrics"]), ("Tags", info["tags"])):
        table = Table(title=title, title_justify="left", show_header=False)
        table.add_column("key", style="dim")
        table.add_column("value")
        for key in sorted(mapping):
            value = mapping[key]
            table.add_row(key, _num(value) if isinstance(value, float) else str(value))
        out.print(table)
    out.print(f"artifacts: {', '.join(info['artifacts']) or '-'}  ({info['artifact_uri']})", highlight=False)
    out.print(f"checkpoints: {info['checkpoints']}", highlight=False)


def render_compare(data: dict[str, Any], all_keys: bool) -> None:
    """One column per run; differing keys highlighted, equal ones only with `all_keys`. Metrics of an
    evaluation a run never had show '-'."""
    from rich.markup import escape
    from rich.table import Table

    table = Table()
    table.add_column("")
    for r in data["runs"]:
        table.add_column(f"{escape(r['name'])}\n{r['run_id'][:8]}", justify="right")
    different = set(data["different"])
    shown = 0
    for section in ("params", "metrics"):
        for key, values in data[section].items():
            if key not in different and not all_keys:
                continue
            style = "bold yellow" if key in different else "dim"
            cells = [
                _num(v) if isinstance(v, float) else ("-" if v is None else escape(str(v))) for v in values
            ]
            table.add_row(f"[{style}]{escape(key)}[/{style}]", *cells)
            shown += 1
    if shown:
        console.out().print(table)
    if data.get("metric_patterns") is not None and not data["metrics"]:
        console.info(f"No metric matches {', '.join(data['metric_patterns'])}.")
    elif not different:
        console.info(
            "The runs have identical params and metrics" + (" (--all shows them)." if not all_keys else ".")
        )
