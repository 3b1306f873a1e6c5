"""The commands of the root app and the modules that define them, each loaded when first asked for.

Every `emoai` start builds the root group, so importing and converting all command modules would
cost every command, most when Python cannot cache their bytecode (PYTHONDONTWRITEBYTECODE=1: ~40 ms
of `emoai predict`). The root group (`main.RootGroup`) asks `load` for the one command the command
line names; `--help` and "did you mean" ask for all of them. Nothing happens at import.
"""

from __future__ import annotations

import importlib

import typer
from typer.core import TyperGroup

# command name -> module of emoai_cli that defines it, in the order `emoai --help` lists them
COMMANDS = {
    "data": "data",
    "train": "train",
    "tune": "tune",
    "eval": "evaluate",
    "predict": "predict",
    "export": "predict",
    "runs": "runs",
    "serve": "serve",
    "monitor": "monitor",
    "cluster": "cluster",
    "dashboard": "dashboard",
}


def load(name: str) -> typer.core.TyperCommand | TyperGroup | None:
    """The click command `name`, built from its module's `register(app)` (None: no such command)."""
    module_name = COMMANDS.get(name)
    if module_name is None:
        return None
    holder = typer.Typer()
    importlib.import_module(f"emoai_cli.{module_name}").register(holder)
    return typer.main.get_group(holder).commands.get(name)
