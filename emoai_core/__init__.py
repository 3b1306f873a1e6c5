"""emoai core: the ML work behind the `emoai` command, free of any CLI or TUI import."""

__version__ = "0.1.0"
