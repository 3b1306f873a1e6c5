"""Rendering `emoai data show` and `emoai data validate` as rich tables on stdout (hints on stderr)."""

from __future__ import annotations

from typing import Any

from emoai_cli import console

TASK_NAMES = {"single_label": "single-label", "multi_label": "multi-label"}
STATUS = {"pass": "[green]pass[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}


def _bar(count: int, largest: int, width: int = 24) -> str:
    filled = round(width * count / largest) if largest else 0
    return "█" * filled + "·" * (width - filled)


def render_show(info: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    task = TASK_NAMES.get(info.get("task") or "single_label", info.get("task"))
    out.print(
        f"[bold]{escape(info['ref'])}[/bold]  {task}, {len(info['label_names'])} labels  from "
        f"{escape(str(info['source']))}  ({info['created']}, {escape(str(info['split_strategy']))})",
        highlight=False,
    )
    if info.get("label_map"):
        mapped = info["label_map"]
        kept = ", ".join(f"{s} {v['kept']:,} of {v['rows']:,}" for s, v in mapped["rows"].items())
        out.print(
            f"mapped from {escape(str(info['parent']))} with {escape(mapped['file'])} "
            f"(sha256 {mapped['sha256'][:12]}): kept {kept}",
            highlight=False,
        )
    splits = info["splits"]
    table = Table(title="Label counts", title_justify="left")
    table.add_column("label")
    for split, data in splits.items():
        table.add_column(f"{split} ({data['rows']:,})", justify="right")
    table.add_column("train share")
    train = splits.get("train", {}).get("label_counts", {})
    largest = max(train.values(), default=0)
    for label in sorted(train, key=lambda k: -train[k]):
        cells = [f"{splits[s]['label_counts'].get(label, 0):,}" for s in splits]
        table.add_row(escape(label), *cells, _bar(train[label], largest))
    out.print(table)
    if info.get("task") == "multi_label":
        render_multi_label(info)
    lengths = Table(title="Text length (words)", title_justify="left")
    lengths.add_column("split")
    for key in ("p5", "p25", "p50", "p75", "p95", "max"):
        lengths.add_column(key, justify="right")
    lengths.add_column("duplicate rows", justify="right")
    for split, data in splits.items():
        words = data["words"]
        lengths.add_row(
            split,
            *(f"{words.get(k, 0):g}" for k in ("p5", "p25", "p50", "p75", "p95", "max")),
            f"{data['duplicates']['extra_copies']} ({data['duplicates']['distinct_texts']} texts)",
        )
    out.print(lengths)
    shared = ", ".join(f"{k} {v}" for k, v in info["shared_texts"].items())
    out.print(f"texts shared across splits: {shared or 'none'}", highlight=False)


def render_multi_label(info: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    splits = info["splits"]
    per_row = Table(title="Labels per row", title_justify="left")
    per_row.add_column("split")
    for key in ("0 (no label)", "1", "2", "3+"):
        per_row.add_column(key, justify="right")
    for split, data in splits.items():
        counts = data["labels_per_row"]
        per_row.add_row(split, *(f"{counts[k]:,}" for k in ("0", "1", "2", "3+")))
    out.print(per_row)
    split = "train" if "train" in splits else next(iter(splits))
    pairs = splits[split]["top_pairs"]
    if not pairs:
        out.print(f"no {split} row has two labels", highlight=False)
        return
    table = Table(title=f"Labels found together most ({split})", title_justify="left")
    table.add_column("label")
    table.add_column("label")
    table.add_column("rows", justify="right")
    for pair in pairs:
        table.add_row(escape(pair["labels"][0]), escape(pair["labels"][1]), f"{pair['rows']:,}")
    out.print(table)


def render_validation(report: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"Validation of {escape(report.ref)}", title_justify="left")
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail")
    for check in report.checks:
        detail = check.detail + (f" (e.g. {', '.join(check.examples)})" if check.examples else "")
        table.add_row(check.name, STATUS[check.status], escape(detail))
    console.out().print(table)
    console.info(f"result: {STATUS[report.status]}")
    for check in report.checks:
        if check.hint and check.status != "pass":
            console.hint(f"{check.name}: {check.hint}")
