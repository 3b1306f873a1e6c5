"""Every `Hint:` that names an emoai command is tried in the situation that prints it: run when that is
cheap and safe here, otherwise at least parsed by the real CLI (no usage error). The fault suite
runs the training hints (`--resume`, start again) for real."""

from __future__ import annotations

import re
import shlex

import pytest

COMMAND = re.compile(r"""emoai(?:[ ]+(?:"[^"]*"|'[^']*'|[^\s·()'",]+))*""")


def hinted(stderr: str) -> list[list[str]]:
    """The emoai commands named by the Hint lines of `stderr`, as argument lists."""
    commands = []
    for line in stderr.splitlines():
        if line.startswith("Hint:"):
            for found in COMMAND.findall(line):
                commands.append(shlex.split(found.strip().rstrip(".:"))[1:])
    return commands


def parses(args: list[str]) -> None:
    """`emoai ARGS --help` exits 0: the command exists and every option before --help is one it takes.

    (--help is eager: it stops before running anything, and before missing arguments are asked for.)
    """
    from typer.testing import CliRunner

    from emoai_cli.main import app

    result = CliRunner().invoke(app, [*args, "--help"])
    assert result.exit_code == 0, f"emoai {shlex.join(args)}: {result.stderr or result.stdout}"


def test_the_hint_parser_finds_every_command():
    assert hinted("Hint: emoai data show gen · emoai data validate gen\n") == [
        ["data", "show", "gen"],
        ["data", "validate", "gen"],
    ]
    assert hinted('Hint: try: emoai predict "i feel great"') == [["predict", "i feel great"]]
    with pytest.raises(AssertionError):
        parses(["train", "--no-such-option"])


def test_empty_lists_hint_at_commands_that_parse(cli):
    for args in (("runs", "list"), ("data", "list")):
        result = cli(*args)
        commands = hinted(result.stderr)
        assert commands, result.stderr
        for command in commands:
            parses(command)


def test_after_a_pull_the_hinted_show_and_validate_run(cli, split_folder):
    pulled = cli("data", "pull", split_folder, "--name", "gen")
    assert pulled.exit_code == 0, pulled.stderr
    commands = hinted(pulled.stderr)
    assert commands == [["data", "show", "gen"], ["data", "validate", "gen"]]
    for command in commands:
        assert cli(*command).exit_code == 0


@pytest.mark.parametrize(
    ("situation", "args"),
    [
        ("no server", ("serve", "status")),
        ("no cluster", ("cluster", "status")),
        ("no alias yet", ("predict", "hello")),
        ("no promoted model", ("serve", "--detach", "--port", "8999")),
        ("run not found", ("runs", "show", "nope")),
        ("unknown option", ("train", "--epoch", "1")),
    ],
)
def test_error_hints_name_commands_that_parse(cli, situation, args):
    result = cli(*args)
    assert result.exit_code != 0
    for command in hinted(result.stderr):
        parses([part.replace("<run>", "abc123") for part in command])


def test_a_resume_without_checkpoint_and_a_run_still_driven_hint_real_commands(cli):
    from emoai_core.tracking.store import client, create_run

    c = client()
    running, _ = create_run(c, "emoai", "busy", {"emoai.kind": "train"}, {})
    busy = cli("train", "--resume", running)
    assert busy.exit_code == 2 and hinted(busy.stderr) == [["runs", "stop", running]]
    parses(["runs", "stop", running])  # not run: it would Ctrl-C this test process, the run's driver
    c.set_terminated(running, status="KILLED")
    empty = cli("train", "--resume", running)
    assert empty.exit_code == 2 and "no checkpoint" in empty.stderr
    for command in hinted(empty.stderr):
        parses(command)
