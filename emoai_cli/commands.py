"""The command modules of the root app, and which of them a command line needs.

Every `emoai` start builds the typer app, so importing and converting all ten command modules
costs every command, most when Python cannot cache their bytecode (PYTHONDONTWRITEBYTECODE=1:
~40 ms of `emoai predict`). The console script registers only the module the command line
names; help, unknown names and programs importing the app get all of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import typer

MODULES = ("data", "train", "tune", "evaluate", "predict", "runs", "serve", "cluster", "dashboard")
COMMAND_MODULE = {name: name for name in MODULES} | {"eval": "evaluate", "export": "predict"}
ROOT_VALUE_OPTIONS = ("--home", "--tracking-uri")  # root options that take the next token


def invoked_module(argv: Sequence[str]) -> str | None:
    """The module of the command `argv` names, or None when every module is needed."""
    tokens = iter(argv)
    for token in tokens:
        if token in ROOT_VALUE_OPTIONS:
            next(tokens, None)
        elif not token.startswith("-"):
            return COMMAND_MODULE.get(token)
    return None


def register(app: typer.Typer, argv: Sequence[str] | None = None) -> None:
    wanted = None if argv is None else invoked_module(argv)
    for name in MODULES:
        if wanted in (None, name):
            importlib.import_module(f"emoai_cli.{name}").register(app)
