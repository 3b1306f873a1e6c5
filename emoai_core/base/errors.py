"""Errors that carry their own exit code and a next step for the user.

Core code raises these; the CLI turns them into one `Error:` line, one `Hint:` line and the
exit code, so every front end (CLI, TUI, tests) reports failures the same way.
"""

from __future__ import annotations

OK = 0
FAILED = 1
USAGE = 2
UNREACHABLE = 3
INTERRUPTED = 130


class EmoaiError(Exception):
    """A failure the user can act on; `hint` says how."""

    exit_code = FAILED

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(EmoaiError):
    """Bad input or configuration: nothing was started, fix the command or the file."""

    exit_code = USAGE


class UnreachableError(EmoaiError):
    """A service (Ray cluster, MLflow server, Hugging Face hub, model server) did not answer."""

    exit_code = UNREACHABLE


class NotFoundError(UsageError):
    """A named thing (run, alias, data version) does not exist; `matches` lists close names."""

    def __init__(self, message: str, hint: str | None = None, matches: list[str] | None = None) -> None:
        self.matches = matches or []
        if self.matches and hint is None:
            hint = "did you mean: " + ", ".join(self.matches) + "?"
        super().__init__(message, hint)


def close_matches(word: str, candidates: list[str], n: int = 3) -> list[str]:
    """Close spellings and prefix matches, so 'not found' errors can point somewhere."""
    import difflib

    prefix = [c for c in candidates if c.startswith(word) or word.startswith(c)]
    fuzzy = difflib.get_close_matches(word, candidates, n=n, cutoff=0.6)
    seen: list[str] = []
    for c in prefix + fuzzy:
        if c not in seen:
            seen.append(c)
    return seen[:n]
