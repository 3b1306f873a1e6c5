"""`emoai data`: pull, list, show and validate data versions (`map` lives in `data_map`)."""

from __future__ import annotations

from pathlib import Path

import typer

from emoai_cli import console
from emoai_cli.data_view import TASK_NAMES
from emoai_cli.help import LeanHelpGroup

app = typer.Typer(
    cls=LeanHelpGroup,
    help="Data versions, single-label or multi-label: pull a dataset (hub, file, folder or URL), "
    "inspect it, validate it.",
    no_args_is_help=True,
)

REF_HELP = "NAME or NAME@VERSION (a unique version prefix is enough)."


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
    label_map: Path | None = typer.Option(
        None,
        "--label-map",
        help="Also map the pulled version's labels with this YAML file (see 'emoai data map'); --name "
        "then names the mapped version, the pulled one keeps the source's name.",
        show_default=False,
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
            None if label_map else name,
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
            label_map=label_map,
            mapped_name=name,
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
            | ({"mapped": result.mapped.to_json()} if result.mapped else {})
        )
        if result.mapped and not result.mapped.validation.ok:
            raise typer.Exit(1)
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
    if result.mapped:
        from emoai_cli.data_map import show_mapped

        show_mapped(result.mapped, json_output=False)
        return
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
    from emoai_cli.data_view import render_show
    from emoai_core.data.stats import describe
    from emoai_core.data.versions import resolve_version

    info = describe(resolve_version(ref))
    if json_output:
        console.print_json(info)
        return
    render_show(info)


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
    from emoai_cli.data_view import render_validation
    from emoai_core.data.checks import validate
    from emoai_core.data.versions import resolve_version

    report = validate(resolve_version(ref))
    if json_output:
        console.print_json(report.to_json())
    else:
        render_validation(report)
    if not report.ok:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    from emoai_cli import data_map, data_remote

    data_remote.register(app)
    data_map.register(app)
    root.add_typer(app, name="data")
