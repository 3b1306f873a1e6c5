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


DISK_FULL_MARKERS = ("no space left on device", "file too large", "disk quota exceeded")


def is_disk_full(exc_or_text: BaseException | str) -> bool:
    """A write that failed for want of space (ENOSPC), a file size limit (EFBIG) or a quota (EDQUOT)."""
    import errno

    if isinstance(exc_or_text, OSError) and exc_or_text.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return True
    return any(marker in str(exc_or_text).lower() for marker in DISK_FULL_MARKERS)


def disk_full(exc: BaseException) -> EmoaiError | None:
    """The one-line error for a write that ran out of space, or None when `exc` is something else."""
    if not is_disk_full(exc):
        return None
    where = getattr(exc, "filename", None)
    detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
    return EmoaiError(
        f"out of disk space{f' writing {where}' if where else ''}: {detail}",
        "free some space (or raise the file size limit) and run the command again; the unfinished write was not kept",
    )
