"""The `emoai` root command: global options, command groups, errors and exit codes.

Only typer is imported at module level; each command imports what it needs when it runs,
so `emoai --help` stays fast.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import typer

try:  # typer >= 0.20 vendors click; older releases use the click package
    from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
except ImportError:  # pragma: no cover - depends on the installed typer
    from click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from emoai_cli.help import LeanHelpGroup
from emoai_core import __version__
from emoai_core.base import errors as codes
from emoai_core.base.settings import ENV_DEBUG, ENV_HOME, ENV_STORAGE, ENV_TRACKING_URI


class EmoaiGroup(LeanHelpGroup):
    """Root group that turns every failure into `Error:` + `Hint:` and a documented exit code."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        code = _run_guarded(
            lambda: super(EmoaiGroup, self).main(
                args, prog_name or "emoai", complete_var, standalone_mode=False, **extra
            )
        )
        if standalone_mode:
            sys.exit(code)
        return code


def _debug_enabled() -> bool:
    return os.environ.get(ENV_DEBUG, "").strip().lower() in {"1", "true", "yes", "on"}


def _report(message: str, hint: str | None, exc: BaseException | None = None) -> None:
    from emoai_cli import console

    if exc is not None and _debug_enabled():
        traceback.print_exception(exc, file=sys.stderr)
    from rich.markup import escape

    console.err().print(f"[bold red]Error:[/bold red] {escape(message)}", highlight=False)
    if hint:
        console.hint(hint)


def _run_guarded(call: Any) -> int:
    from emoai_core.base.errors import EmoaiError

    try:
        rv = call()
    except EmoaiError as exc:
        _report(exc.message, exc.hint, exc)
        return exc.exit_code
    except NoArgsIsHelpError as exc:
        help_text = exc.format_message()  # empty when typer's renderer already printed it
        if help_text.strip():
            typer.echo(help_text)
        return codes.USAGE
    except UsageError as exc:
        where = exc.ctx.command_path if exc.ctx else "emoai"
        _report(exc.format_message(), f"see '{where} --help'", exc)
        return codes.USAGE
    except ClickException as exc:
        _report(exc.format_message(), None, exc)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt) as exc:
        _report("interrupted", None, exc)
        return codes.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - last line of defence: one line, not a traceback
        known = _known_failure(exc)
        if known is not None:
            _report(known.message, known.hint, exc)
            return known.exit_code
        _report(
            f"{type(exc).__name__}: {exc}", "rerun with --debug (or EMOAI_DEBUG=1) for the traceback", exc
        )
        return codes.FAILED
    if rv == codes.INTERRUPTED:
        _report("interrupted", None)
    return rv if isinstance(rv, int) else codes.OK


def _known_failure(exc: BaseException) -> Any:
    """Failures with a known cause met anywhere: a full disk, a locked or read-only MLflow store."""
    from emoai_core.base.errors import disk_full

    found = disk_full(exc)
    if found is None and ("mlflow" in sys.modules or "sqlite3" in sys.modules):
        from emoai_core.base.settings import load_settings
        from emoai_core.tracking.health import explain

        found = explain(exc, load_settings().tracking_uri)
    return found


class RootGroup(EmoaiGroup):
    """The `emoai` group: its commands are loaded from their modules when first asked for."""

    def list_commands(self, ctx: Any) -> list[str]:
        from emoai_cli.commands import COMMANDS

        return [*super().list_commands(ctx), *(n for n in COMMANDS if n not in self.commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        found = super().get_command(ctx, cmd_name)
        if found is None:
            from emoai_cli.commands import load

            found = load(cmd_name)
            if found is not None:
                self.add_command(found, cmd_name)
        return found

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        """Typer suggests close names among loaded commands only; suggest among all of them."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            if args and "Did you mean" not in exc.message:
                import difflib

                matches = difflib.get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    exc.message = f"{exc.message.rstrip('.')}. Did you mean {', '.join(map(repr, matches))}?"
            raise


app = typer.Typer(
    name="emoai",
    cls=RootGroup,
    help="Train, tune, evaluate, serve and track text-emotion classifiers, on a laptop or a Ray cluster.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"emoai {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    home: str | None = typer.Option(
        None, "--home", envvar=ENV_HOME, help="Where emoai keeps data, runs and models (default: ~/.emoai)."
    ),
    tracking_uri: str | None = typer.Option(
        None,
        "--tracking-uri",
        envvar=[ENV_TRACKING_URI, "MLFLOW_TRACKING_URI"],
        help="MLflow tracking URI (default: sqlite under --home).",
    ),
    storage: str | None = typer.Option(
        None,
        "--storage",
        envvar=ENV_STORAGE,
        help="Shared storage a cluster reaches (s3://bucket/prefix, gs://…, file:///…): data, checkpoints, models.",
    ),
    debug: bool = typer.Option(False, "--debug", envvar=ENV_DEBUG, help="Show tracebacks on errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Global options, exported to the environment so core code, Ray workers and subprocesses see them."""
    if home:
        os.environ[ENV_HOME] = os.path.abspath(os.path.expanduser(home))
    if tracking_uri:
        os.environ[ENV_TRACKING_URI] = tracking_uri
    if storage:
        os.environ[ENV_STORAGE] = storage
    if debug:
        os.environ[ENV_DEBUG] = "1"


def run() -> None:
    """Run the CLI (the console script goes through `emoai_cli.launch.run`)."""
    app()


if __name__ == "__main__":  # `python -m emoai_cli.main` is the emoai process too
    from emoai_cli import process

    process.mark_standalone()
    run()
