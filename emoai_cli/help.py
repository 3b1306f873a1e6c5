"""`--help` of command groups (`emoai`, `emoai data`, …), drawn without rich.

Typer renders help through `typer.rich_utils`, whose imports (rich's console, markdown,
markdown-it, traceback, syntax) cost more than everything else `emoai --help` does. Groups only
list options and commands, so they are drawn here with plain strings in typer's panel layout;
commands with many options (`emoai train --help`) keep typer's renderer.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
from typing import Any

from typer.core import TyperGroup

BOLD_CYAN, BOLD_GREEN, YELLOW, DIM, BOLD = "1;36", "1;32", "33", "2", "1"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _color_enabled(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)()) and os.environ.get("TERM") != "dumb"


class Painter:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"\x1b[{style}m{text}\x1b[0m" if self.color and text else text


def _width() -> int:
    return max(40, min(shutil.get_terminal_size((80, 24)).columns, 120))


Row = tuple[list[str], list[str]]  # left columns (already padded), help paragraphs


def _panel(title: str, rows: list[Row], width: int, paint: Painter) -> list[str]:
    """A rounded box like typer's: left columns, then help paragraphs wrapped beside them."""
    inner = width - 4
    lines = [paint("╭─ ", DIM) + title + " " + paint("─" * max(0, width - len(title) - 5) + "╮", DIM)]
    for cells, paragraphs in rows:
        left = "  ".join(cells)
        plain_left = len(_strip(left))
        room = max(10, inner - plain_left - 2)
        wrapped = [line for p in paragraphs for line in textwrap.wrap(p, room)] or [""]
        for i, chunk in enumerate(wrapped):
            prefix = left if i == 0 else " " * plain_left
            body = f"{prefix}  {chunk}"
            pad = inner - len(_strip(body))
            lines.append(paint("│", DIM) + " " + body + " " * max(0, pad) + " " + paint("│", DIM))
    lines.append(paint("╰" + "─" * (width - 2) + "╯", DIM))
    return lines


def _strip(text: str) -> str:
    return ANSI.sub("", text)


def _option_rows(ctx: Any, params: list[Any], paint: Painter) -> list[Row]:
    infos = []
    for param in params:
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        longs = [o for o in param.opts + param.secondary_opts if o.startswith("--")]
        shorts = [o for o in param.opts + param.secondary_opts if not o.startswith("--")]
        shown = getattr(param, "display_type_rich", None)  # typer's `<int>`, `<str>`, choices
        metavar = "" if param.is_flag or shown is None else (shown(ctx) or "")
        infos.append((",".join(longs), ",".join(shorts), metavar, _option_help(param)))
    w_long = max((len(i[0]) for i in infos), default=0)
    w_short = max((len(i[1]) for i in infos), default=0)
    w_meta = max((len(i[2]) for i in infos), default=0)
    rows = []
    for long, short, metavar, help_text in infos:
        cells = [
            paint(long, BOLD_CYAN) + " " * (w_long - len(long)),
            paint(short, BOLD_GREEN) + " " * (w_short - len(short)),
            paint(metavar, YELLOW) + " " * (w_meta - len(metavar)),
        ]
        rows.append(([c for c, w in zip(cells, (w_long, w_short, w_meta), strict=True) if w], help_text))
    return rows


def _option_help(param: Any) -> list[str]:
    paragraphs = [" ".join((param.help or "").split())]
    envvar = param.envvar
    if envvar and getattr(param, "show_envvar", False):
        names = envvar if isinstance(envvar, str) else ", ".join(envvar)
        paragraphs.append(f"[env var: {names}]")
    return paragraphs


def _command_rows(ctx: Any, group: Any, paint: Painter) -> list[Row]:
    commands = [(n, group.get_command(ctx, n)) for n in group.list_commands(ctx)]
    shown = [(n, c) for n, c in commands if not c.hidden]
    width = max((len(n) for n, _ in shown), default=0)
    return [
        ([paint(n, BOLD_CYAN) + " " * (width - len(n))], [c.get_short_help_str(limit=300)]) for n, c in shown
    ]


def render_group_help(ctx: Any, group: Any) -> str:
    """The whole help screen of a group, as typer lays it out."""
    paint = Painter(_color_enabled(sys.stdout))
    width = _width()
    usage = " ".join(group.collect_usage_pieces(ctx))
    lines = ["", " " + paint("Usage:", YELLOW) + " " + paint(ctx.command_path, BOLD) + " " + usage, ""]
    for paragraph in (group.help or "").strip().split("\n\n"):
        lines += [" " + line for line in textwrap.wrap(" ".join(paragraph.split()), width - 2)]
        lines.append("")
    options = _option_rows(ctx, group.get_params(ctx), paint)
    if options:
        lines += _panel("Options", options, width, paint)
    commands = _command_rows(ctx, group, paint)
    if commands:
        lines += _panel("Commands", commands, width, paint)
    return "\n".join(lines) + "\n"


class LeanHelpGroup(TyperGroup):
    """A typer group whose `--help` is drawn by `render_group_help`."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if _color_enabled(sys.stdout):
            ctx.color = True  # click's echo would strip the colour again when stdout is not a TTY
        formatter.write(render_group_help(ctx, self))
