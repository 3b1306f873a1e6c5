"""Group help (`emoai`, `emoai data`, …) is drawn without rich: complete, wrapped, colour only on a TTY."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")
GROUPS = [[], ["data"], ["runs"], ["serve"], ["cluster"]]


def _run(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "NO_COLOR")} | env
    return subprocess.run(
        [sys.executable, "-m", "emoai_cli.main", *args], capture_output=True, text=True, env=full_env
    )


def test_root_help_lists_every_command_and_global_option(cli):
    from emoai_cli.commands import COMMANDS

    result = cli("--help")
    assert result.exit_code == 0
    names = list(COMMANDS)
    assert len(names) >= 10
    for name in names:
        assert re.search(rf"│ {name}\s+\S", result.stdout), name
    for option in ("--home", "--tracking-uri", "--debug", "--version", "--help"):
        assert option in result.stdout
    assert "[env var: EMOAI_HOME]" in result.stdout
    assert "Usage: emoai [OPTIONS] COMMAND [ARGS]..." in result.stdout


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: " ".join(g) or "root")
def test_group_help_imports_no_rich(group):
    code = (
        "import json, sys\n"
        "from emoai_cli.main import app\n"
        f"try:\n    app({group + ['--help']!r})\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print(json.dumps([m for m in ('rich', 'typer.rich_utils', 'markdown_it') if m in sys.modules]),"
        " file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Commands" in proc.stdout
    assert json.loads(proc.stderr.strip().splitlines()[-1]) == []


def test_help_fits_the_terminal_width_and_has_no_colour_in_a_pipe():
    proc = _run("--help", COLUMNS="60")
    assert proc.returncode == 0
    lines = proc.stdout.splitlines()
    assert not ANSI.search(proc.stdout)
    assert max(len(line) for line in lines) <= 60
    box = [line for line in lines if line.startswith(("│", "╭", "╰"))]
    assert box and all(len(line) == 60 for line in box)  # every panel line reaches the right border


def test_force_color_paints_and_no_color_wins():
    painted = _run("data", "--help", FORCE_COLOR="1")
    assert "\x1b[1;36mpull\x1b[0m" in painted.stdout
    plain = _run("data", "--help", FORCE_COLOR="1", NO_COLOR="1")
    assert not ANSI.search(plain.stdout)


def test_bare_group_prints_its_help_and_exits_2():
    proc = _run("data")
    assert proc.returncode == 2
    assert "Usage: emoai data [OPTIONS] COMMAND [ARGS]..." in proc.stdout
    assert "validate" in proc.stdout


def test_command_help_keeps_typers_panels(cli):
    result = cli("train", "--help")
    assert result.exit_code == 0
    assert "Resources" in result.stdout and "--num-workers" in result.stdout


def _command_modules_loaded(argv: list[str]) -> tuple[list[str], str]:
    """The command modules a fresh process imports to run `emoai ARGV`, and what it printed on stderr."""
    from emoai_cli.commands import COMMANDS

    modules = sorted({f"emoai_cli.{m}" for m in COMMANDS.values()})
    code = (
        "import json, sys\n"
        "from emoai_cli.main import app\n"
        f"try:\n    app({argv!r})\nexcept SystemExit:\n    pass\n"
        f"print(json.dumps([m for m in {modules!r} if m in sys.modules]), file=sys.stderr)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return json.loads(proc.stderr.strip().splitlines()[-1]), proc.stderr


@pytest.mark.parametrize(
    ("argv", "module"),
    [
        (["predict", "--help"], "predict"),
        (["--home", "/tmp/h", "export", "--help"], "predict"),
        (["--home=/tmp/h", "--debug", "eval", "--help"], "evaluate"),
        (["--tracking-uri", "train", "runs", "--help"], "runs"),  # 'train' is the option's value
    ],
)
def test_the_command_line_loads_only_the_module_of_its_command(argv, module):
    assert _command_modules_loaded(argv)[0] == [f"emoai_cli.{module}"]


@pytest.mark.parametrize("argv", [["--help"], []], ids=["help", "bare"])
def test_root_help_loads_every_command_module(argv):
    from emoai_cli.commands import COMMANDS

    assert _command_modules_loaded(argv)[0] == sorted({f"emoai_cli.{m}" for m in COMMANDS.values()})


def test_an_unknown_name_is_matched_against_every_command_without_loading_them():
    loaded, stderr = _command_modules_loaded(["trian"])
    assert loaded == [] and "Did you mean 'train'?" in stderr


def test_importing_the_app_registers_nothing():
    code = "import json\nimport emoai_cli.main as m\nprint(json.dumps([len(m.app.registered_commands), len(m.app.registered_groups)]))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [0, 0]


def test_console_script_entry_runs_the_cli():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv = ['emoai', '--version']; from emoai_cli.launch import run; run()",
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("emoai ")
