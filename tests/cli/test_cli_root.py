"""The root command: help, version, global options, error format and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

from emoai_core import __version__
from emoai_core.base.errors import EmoaiError, NotFoundError, UnreachableError, close_matches

HEAVY = ["torch", "transformers", "ray", "mlflow", "datasets", "sklearn", "pandas", "pyarrow", "onnxruntime"]


def test_help_lists_usage(cli):
    result = cli("--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout
    assert "--home" in result.stdout


def test_version(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"emoai {__version__}"


def test_unknown_option_is_usage_error(cli):
    result = cli("--bogus")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: No such option: --bogus")
    assert "Hint:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_usage_error(cli):
    result = cli("nope")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_cli_entry_module_imports_no_heavy_library():
    code = (
        "import json, sys; import emoai_cli.main; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(proc.stdout) == []


def test_help_in_fresh_process_imports_no_heavy_library():
    code = (
        "import json, sys\n"
        "from emoai_cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []


def _raise_in_command(exc: BaseException):
    """A throwaway app with the emoai error handling around a command that raises `exc`."""
    import typer

    from emoai_cli.main import EmoaiGroup

    app = typer.Typer(cls=EmoaiGroup, pretty_exceptions_enable=False)

    @app.command()
    def boom() -> None:
        raise exc

    @app.command()
    def other() -> None:
        pass

    return app


def _invoke(app, *args, env=None):
    from typer.testing import CliRunner

    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


def test_emoai_error_renders_error_and_hint_with_its_exit_code():
    app = _raise_in_command(
        UnreachableError("Ray cluster at 10.0.0.1:6379 did not answer", "check RAY_ADDRESS")
    )
    result = _invoke(app, "boom")
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert lines == ["Error: Ray cluster at 10.0.0.1:6379 did not answer", "Hint: check RAY_ADDRESS"]
    assert result.stdout == ""


def test_unexpected_error_is_one_line_without_traceback():
    result = _invoke(_raise_in_command(RuntimeError("kaput")), "boom")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: RuntimeError: kaput")
    assert "Traceback" not in result.stderr
    assert "--debug" in result.stderr


def test_debug_shows_traceback():
    result = _invoke(_raise_in_command(RuntimeError("kaput")), "boom", env={"EMOAI_DEBUG": "1"})
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert "Error: RuntimeError: kaput" in result.stderr


def test_keyboard_interrupt_exits_130():
    result = _invoke(_raise_in_command(KeyboardInterrupt()), "boom")
    assert result.exit_code == 130
    assert "interrupted" in result.stderr.lower()


def test_not_found_error_lists_close_matches():
    err = NotFoundError(
        "no run named 'bst-run'", matches=close_matches("bst-run", ["best-run", "other", "zzz"])
    )
    assert err.exit_code == 2
    assert err.hint == "did you mean: best-run?"
    assert isinstance(err, EmoaiError)


def test_settings_default_to_home(tmp_path):
    from emoai_core.base.settings import load_settings

    settings = load_settings({"EMOAI_HOME": str(tmp_path)})
    assert settings.home == tmp_path.resolve()
    assert settings.tracking_uri == f"sqlite:///{tmp_path.resolve()}/mlflow.db"
    assert settings.paths.data == tmp_path.resolve() / "data"
    assert settings.ray_address is None


def test_tracking_uri_precedence():
    from emoai_core.base.settings import load_settings

    env = {"EMOAI_HOME": "/tmp/h", "MLFLOW_TRACKING_URI": "http://mlflow:5000"}
    assert load_settings(env).tracking_uri == "http://mlflow:5000"
    env["EMOAI_TRACKING_URI"] = "http://emoai:5000"
    assert load_settings(env).tracking_uri == "http://emoai:5000"
