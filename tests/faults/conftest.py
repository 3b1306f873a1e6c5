"""The fault suite: every test injects one fault into a real `emoai` command and checks the promise."""

from __future__ import annotations

import os

import pytest


@pytest.fixture
def env(emoai_home):
    return {**os.environ, "EMOAI_HOME": str(emoai_home)}
