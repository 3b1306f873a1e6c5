"""emoai_core.base.quiet: library chatter stays off the terminal unless --debug / EMOAI_DEBUG."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import pytest

from emoai_core.base.quiet import CHATTY_LOGGERS, quiet_libraries, silenced_stderr


@pytest.fixture
def loud_loggers():
    """The chatty loggers at DEBUG for the test, restored afterwards."""
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    yield loggers
    for logger, level in zip(loggers, before, strict=True):
        logger.setLevel(level)


def _unset(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "placeholder")  # recorded, so the variable is removed again afterwards
    monkeypatch.delenv(name)


def test_quiet_libraries_silences_chatty_loggers_and_progress_bars(loud_loggers, monkeypatch):
    import transformers  # noqa: F401 - imported first: its import would reset a logger (see the last test)

    _unset(monkeypatch, "HF_HUB_DISABLE_PROGRESS_BARS")
    _unset(monkeypatch, "TRANSFORMERS_VERBOSITY")

    quiet_libraries()

    assert {logger.name: logger.level for logger in loud_loggers} == dict.fromkeys(
        CHATTY_LOGGERS, logging.ERROR
    )
    assert os.environ.get("HF_HUB_DISABLE_PROGRESS_BARS") == "1"
    assert os.environ.get("TRANSFORMERS_VERBOSITY") == "error"


def test_quiet_libraries_keeps_the_users_own_choices(loud_loggers, monkeypatch):
    monkeypatch.setenv("TRANSFORMERS_VERBOSITY", "info")
    _unset(monkeypatch, "HF_HUB_DISABLE_PROGRESS_BARS")
    quiet_libraries()
    assert os.environ.get("TRANSFORMERS_VERBOSITY") == "info"


def test_debug_lets_the_libraries_speak(loud_loggers, monkeypatch):
    monkeypatch.setenv("EMOAI_DEBUG", "1")
    quiet_libraries()
    assert all(logger.level == logging.DEBUG for logger in loud_loggers)


def test_silenced_stderr_swallows_what_a_library_prints(capsys):
    with silenced_stderr():
        print("registry notice", file=sys.stderr)
    print("after", file=sys.stderr)
    assert capsys.readouterr().err == "after\n"


def test_silenced_stderr_lets_it_through_in_debug(capsys, monkeypatch):
    monkeypatch.setenv("EMOAI_DEBUG", "true")
    with silenced_stderr():
        print("registry notice", file=sys.stderr)
    assert capsys.readouterr().err == "registry notice\n"


def test_hub_warnings_are_silenced_by_the_first_call_in_a_fresh_process():
    """Importing transformers (and huggingface_hub with it) resets their loggers: quiet must come after."""
    code = (
        "import logging\n"
        "from emoai_core.base.quiet import quiet_libraries\n"
        "quiet_libraries()\n"
        "print(logging.getLogger('huggingface_hub').getEffectiveLevel())\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("EMOAI_DEBUG", "HF_HUB_VERBOSITY")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == logging.ERROR
