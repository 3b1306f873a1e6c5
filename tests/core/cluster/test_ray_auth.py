"""Ray's auth token on a fresh machine: `ray start` needs one under token auth and never makes it."""

from __future__ import annotations

import os

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.cluster import local_ray


def _fresh_env(home, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH")}
    return {**env, "HOME": str(home), "RAY_AUTH_MODE": "token", **extra}


def test_a_missing_token_is_created_once_and_then_kept(tmp_path):
    env = _fresh_env(tmp_path)
    local_ray.ensure_auth_token(env)
    token_file = tmp_path / ".ray" / "auth_token"
    first = token_file.read_text().strip()
    assert len(first) >= 32
    local_ray.ensure_auth_token(env)
    assert token_file.read_text().strip() == first


def test_no_token_is_made_when_auth_is_off_or_given(tmp_path):
    local_ray.ensure_auth_token(_fresh_env(tmp_path, RAY_AUTH_MODE="disabled"))
    local_ray.ensure_auth_token(_fresh_env(tmp_path, RAY_AUTH_TOKEN="a" * 32))
    assert not (tmp_path / ".ray").exists()


def test_a_token_path_naming_nothing_is_a_usage_error(tmp_path):
    missing = tmp_path / "nowhere" / "token"
    with pytest.raises(UsageError, match="RAY_AUTH_TOKEN_PATH names .*nowhere/token"):
        local_ray.ensure_auth_token(_fresh_env(tmp_path, RAY_AUTH_TOKEN_PATH=str(missing)))
    assert not missing.exists() and not (tmp_path / ".ray").exists()


def test_a_head_refused_for_want_of_a_token_leaves_no_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("RAY_AUTH_TOKEN", raising=False)
    root = tmp_path / "ray-root"
    root.mkdir()
    env = {"HOME": str(tmp_path), "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(tmp_path / "none")}
    with pytest.raises(UsageError):
        local_ray.start_head(cpus=1, temp_dir=str(root), env=env)
    assert not root.exists()


@pytest.mark.slow
def test_a_head_starts_on_a_machine_without_a_token(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    head = local_ray.start_head(cpus=1, env={"HOME": str(home)})
    try:
        assert (home / ".ray" / "auth_token").read_text().strip()
        assert local_ray.pids(head.temp_dir)
    finally:
        local_ray.stop(head.temp_dir)
    assert local_ray.pids(head.temp_dir) == []
