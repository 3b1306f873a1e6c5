"""`emoai data push` / `emoai data pull-from`: data versions to and from the shared storage."""

from __future__ import annotations

import typer

from emoai_cli import console
from emoai_cli.train_options import storage_option


def _print(transfer, json_output: bool, done: str, already: str) -> None:
    dv = transfer.version
    if json_output:
        console.print_json(
            {
                "ref": dv.ref,
                "name": dv.name,
                "version": dv.version,
                "uri": transfer.storage_uri,
                "copied": transfer.copied,
                "path": str(dv.path),
            }
        )
        return
    verb = done if transfer.copied else already
    console.out().print(f"{verb} {dv.ref}: {transfer.storage_uri}", highlight=False, markup=False)


def push_cmd(
    ref: str = typer.Argument(None, help="NAME or NAME@VERSION (default: the latest emotion version)."),
    storage: str | None = storage_option(None),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Copy a data version to the shared storage (once: a version already there is not uploaded again)."""
    from emoai_core.data.remote import push

    with console.progress(json_output) as progress:
        transfer = push(ref, on_event=progress)
    _print(transfer, json_output, "Pushed", "Already on the storage:")
    if not json_output:
        console.hint(
            f"on another machine: emoai data pull-from {transfer.storage_uri.rsplit('/', 3)[0]}/{transfer.version.ref}"
        )


def pull_from_cmd(
    target: str = typer.Argument(
        ..., help="URI/NAME@VERSION (e.g. s3://bucket/emoai/emotion@3f2a9c1b), or NAME@VERSION on --storage."
    ),
    storage: str | None = storage_option(None),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
) -> None:
    """Download a data version from the shared storage, each split checked against its sha256."""
    from emoai_core.data.remote import pull_from

    with console.progress(json_output) as progress:
        transfer = pull_from(target, on_event=progress)
    _print(transfer, json_output, "Pulled", "Already have")


def register(app: typer.Typer) -> None:
    app.command("push")(push_cmd)
    app.command("pull-from")(pull_from_cmd)
