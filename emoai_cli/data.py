"""`emoai data`: pull, list, show and validate data versions."""

from __future__ import annotations

from typing import Any

import typer

from emoai_cli import console
from emoai_cli.help import LeanHelpGroup

app = typer.Typer(
    cls=LeanHelpGroup,
    help="Data versions, single-label or multi-label: pull a dataset (hub, file, folder or URL), "
    "inspect it, validate it.",
    no_args_is_help=True,
)

REF_HELP = "NAME or NAME@VERSION (a unique version prefix is enough)."
TASK_NAMES = {"single_label": "single-label", "multi_label": "multi-label"}
STATUS = {"pass": "[green]pass[/green]", "warn": "[yellow]warn[/yellow]", "fail": "[red]fail[/red]"}


@app.command("pull")
def pull_cmd(
    source: str | None = typer.Argument(
        None,
        help="Hugging Face dataset id; a local jsonl/csv/tsv/parquet/txt file or folder of split files "
        "(train.*, validation.*|val|dev, test.*); or an http(s) URL to such a file, or to a folder "
        "when it ends with '/' (default: $EMOAI_DATA_SOURCE, else dair-ai/emotion).",
        show_default=False,
    ),
    name: str | None = typer.Option(
        None, "--name", help="Name of the data version (default: from the source)."
    ),
    text_col: str = typer.Option("text", "--text-col", help="Column holding the text."),
    label_col: str | None = typer.Option(
        None,
        "--label-col",
        help="Column holding the label(s) (default: 'label', else 'labels').",
        show_default=False,
    ),
    label_names: str | None = typer.Option(
        None,
        "--label-names",
        help="Names for integer labels (also '3' in csv/tsv/txt): a file with one name per line "
        "(line i = id i), or a,b,c. Default: labels.txt / emotions.txt beside the data.",
        show_default=False,
    ),
    multi_label: bool = typer.Option(
        False,
        "--multi-label",
        help="Text labels are comma-separated ids or names ('2,3'), several per row. A label column "
        "holding lists is multi-label without this.",
    ),
    no_header: bool = typer.Option(
        False, "--no-header", help="csv/tsv files have no header row (name the columns with --columns)."
    ),
    columns: str | None = typer.Option(
        None,
        "--columns",
        help="Column names of a file without a header, e.g. text,labels,id (with --no-header).",
        show_default=False,
    ),
    config: str | None = typer.Option(
        None, "--config", help="Hub dataset configuration (subset), e.g. 'simplified'.", show_default=False
    ),
    revision: str | None = typer.Option(
        None, "--revision", help="Hub dataset revision: a branch, tag or commit.", show_default=False
    ),
    seed: int = typer.Option(
        0,
        "--seed",
        help="Seed of the splits carved from train (validation, and test for train-only sources).",
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Normalise a dataset (single- or multi-label) to parquet and store it as a content-addressed version.

    A source without a validation split gets a seeded, stratified 10 % carved from train.
    """
    from emoai_core.data.pull import pull
    from emoai_core.data.sources import parse_label_names

    names = parse_label_names(label_names) if label_names else None
    cols = columns.split(",") if columns is not None else None
    with console.progress(json_output) as progress:
        result = pull(
            source,
            name,
            text_col,
            label_col,
            names,
            seed,
            on_event=progress,
            multi_label=multi_label,
            header=not no_header,
            columns=cols,
            config=config,
            revision=revision,
        )
    dv = result.version
    if json_output:
        console.print_json(
            {
                "name": dv.name,
                "version": dv.version,
                "ref": dv.ref,
                "created": result.created,
                "task": dv.task,
                "rows": dv.rows,
                "labels": dv.manifest["label_names"],
                "split_strategy": dv.manifest.get("split_strategy"),
                "path": str(dv.path),
            }
        )
        return
    from rich.markup import escape

    rows = ", ".join(f"{s} {n:,}" for s, n in dv.rows.items())
    verb = "Pulled" if result.created else "Already have"
    task = TASK_NAMES.get(dv.task, dv.task)
    console.out().print(
        f"{verb} [bold]{escape(dv.ref)}[/bold]: {rows} rows, {len(dv.manifest['label_names'])} labels, {task}",
        highlight=False,
    )
    if not result.created:
        console.info("same content as the stored version: nothing new was written")
    console.hint(f"emoai data show {dv.name} · emoai data validate {dv.name}")


@app.command("list")
def list_cmd(json_output: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Stored data versions, newest first."""
    from emoai_core.data.versions import list_versions

    versions = list_versions()
    if json_output:
        console.print_json(
            [
                {
                    "name": v.name,
                    "version": v.version,
                    "task": v.task,
                    "rows": v.rows,
                    "created": v.manifest.get("created"),
                    "source": v.manifest.get("source"),
                }
                for v in versions
            ]
        )
        return
    if not versions:
        console.info("No data versions yet.")
        console.hint("pull one: emoai data pull (or emoai data pull ./path/to/data)")
        return
    from rich.table import Table

    table = Table()
    for col in ("name", "version", "task", "train", "validation", "test", "labels", "created", "source"):
        table.add_column(col, justify="right" if col in ("train", "validation", "test", "labels") else "left")
    for v in versions:
        rows = v.rows
        table.add_row(
            v.name,
            v.version,
            TASK_NAMES.get(v.task, v.task),
            *(f"{rows[s]:,}" if s in rows else "-" for s in ("train", "validation", "test")),
            str(len(v.manifest["label_names"])),
            (v.manifest.get("created") or "-")[:16].replace("T", " "),
            str(v.manifest.get("source", "-")),
        )
    console.out().print(table)


@app.command("show")
def show_cmd(
    ref: str = typer.Argument(..., help=REF_HELP),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Rows, label counts, text lengths, duplicates and texts shared across splits.

    Multi-label data also shows labels per row (0, 1, 2, 3+), rows with no label and the label
    pairs that occur together most.
    """
    from emoai_core.data.stats import describe
    from emoai_core.data.versions import resolve_version

    info = describe(resolve_version(ref))
    if json_output:
        console.print_json(info)
        return
    _render_show(info)


def _bar(count: int, largest: int, width: int = 24) -> str:
    filled = round(width * count / largest) if largest else 0
    return "█" * filled + "·" * (width - filled)


def _render_show(info: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console.out()
    task = TASK_NAMES.get(info.get("task") or "single_label", info.get("task"))
    out.print(
        f"[bold]{escape(info['ref'])}[/bold]  {task}, {len(info['label_names'])} labels  from "
        f"{escape(str(info['source']))}  ({info['created']}, {escape(str(info['split_strategy']))})",
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
        _render_multi_label(info)
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


def _render_multi_label(info: dict[str, Any]) -> None:
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


@app.command("validate")
def validate_cmd(
    ref: str = typer.Argument(..., help=REF_HELP),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Named checks, each pass / warn / fail; exits 1 when any check fails.

    The label checks follow the task: single-label rows need one known label each; multi-label
    rows may have none (a warning), and every label must occur in train. A version without a
    validation split fails: pull it again to carve one.
    """
    from emoai_core.data.checks import validate
    from emoai_core.data.versions import resolve_version

    report = validate(resolve_version(ref))
    if json_output:
        console.print_json(report.to_json())
    else:
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
    if not report.ok:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="data")
