"""`emoai data map`, and how a mapped version is shown (also after `emoai data pull --label-map`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from emoai_cli import console

MAP_HELP = (
    "A label-map YAML file: map (source: target), drop, unmapped (error|drop|keep), dropped_labels "
    "(ignore|drop_row), multi_label (keep_if_agree|keep_if_single|majority|keep), labels (order)."
)


def map_cmd(
    ref: str = typer.Argument(..., help="The version to map: NAME or NAME@VERSION."),
    map_file: Path = typer.Argument(..., help=MAP_HELP, show_default=False),
    name: str | None = typer.Option(
        None, "--name", help="Name of the mapped version (default: the map's 'name:', else NAME-mapped)."
    ),
    seed: int = typer.Option(
        0, "--seed", help="Seed of a validation split carved again, if the map empties it."
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Rename, merge and drop labels, and turn multi-label rows into single-label rows (as the map says),
    into a new data version that records its parent and the map.

    Prints the rows kept and dropped per split (and why), the rows per label, and the new version's checks;
    exits 1 when a check fails.
    """
    from emoai_core.data.relabel import map_version
    from emoai_core.data.versions import resolve_version

    with console.progress(json_output) as progress:
        result = map_version(resolve_version(ref), map_file, name, seed, on_event=progress)
    show_mapped(result, json_output)


def show_mapped(result: Any, json_output: bool) -> None:
    """The mapped version: one line, the kept/dropped table and the label counts; exit 1 on a failed check."""
    if json_output:
        console.print_json(result.to_json())
    else:
        _render(result)
    if not result.validation.ok:
        failed = ", ".join(c.name for c in result.validation.checks if c.status == "fail")
        console.info(f"[red]the mapped version fails validation[/red]: {failed}")
        console.hint(f"emoai data validate {result.version.ref}")
        raise typer.Exit(1)


def _render(result: Any) -> None:
    from rich.markup import escape
    from rich.table import Table

    from emoai_cli.data_view import TASK_NAMES
    from emoai_core.data.label_map import DROP_REASONS

    dv, out = result.version, console.out()
    verb = "Mapped" if result.created else "Already have"
    task = TASK_NAMES.get(dv.task, dv.task)
    out.print(
        f"{verb} [bold]{escape(result.parent.ref)}[/bold] → [bold]{escape(dv.ref)}[/bold]: "
        f"{len(dv.manifest['label_names'])} labels, {task}",
        highlight=False,
    )
    reasons = [r for r in DROP_REASONS if any(st.dropped.get(r) for st in result.stats.values())]
    rows = Table(title="Rows kept and dropped", title_justify="left")
    for col in ("split", "rows", "kept", "dropped", *reasons):
        rows.add_column(col.replace("_", " "), justify="left" if col == "split" else "right")
    for split, st in result.stats.items():
        dropped = sum(st.dropped.values())
        cells = [f"{st.dropped.get(r, 0):,}" for r in reasons]
        rows.add_row(split, f"{st.rows:,}", f"{st.kept:,}", f"{dropped:,}", *cells)
    out.print(rows)
    splits = dv.manifest["splits"]
    labels = Table(title="Rows per label, and the source labels of train's", title_justify="left")
    labels.add_column("label")
    for split, info in splits.items():
        labels.add_column(f"{split} ({info['rows']:,})", justify="right")
    labels.add_column("from (train rows)")
    sources = result.stats["train"].sources if "train" in result.stats else {}
    for label in dv.manifest["label_names"]:
        ranked = sorted(sources.get(label, {}).items(), key=lambda kv: -kv[1])
        origin = ", ".join(f"{escape(s)} {n:,}" for s, n in ranked)
        labels.add_row(
            escape(label), *(f"{info['label_counts'].get(label, 0):,}" for info in splits.values()), origin
        )
    out.print(labels)
    if dv.manifest.get("carved"):
        console.info(f"carved: {dv.manifest.get('split_strategy')}")
    for reason in reasons:
        console.info(f"[dim]{reason.replace('_', ' ')}: {DROP_REASONS[reason]}[/dim]")
    checks = result.validation.checks
    summary = ", ".join(f"{sum(c.status == s for c in checks)} {s}" for s in ("pass", "warn", "fail"))
    console.info(f"validation: {summary}")
    console.hint(f"emoai data show {dv.name} · emoai data validate {dv.name}")


def register(app: typer.Typer) -> None:
    """Adds `map` to the `emoai data` group."""
    app.command("map")(map_cmd)
