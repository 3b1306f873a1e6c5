"""emoai_core.serving.ingress: which ingress a Ray emoai starts gets, its free ports, its own folder, cleaning up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.serving import ingress


@pytest.fixture
def haproxy_here(monkeypatch):
    monkeypatch.setattr(ingress, "haproxy_problem", lambda: None)


def test_proxy_asked_for_turns_haproxy_off():
    plan = ingress.plan("proxy", env={})
    assert plan.kind == "proxy" and plan.env == {"RAY_SERVE_ENABLE_HA_PROXY": "0"} and plan.files is None


def test_auto_respects_a_user_who_turned_haproxy_off(haproxy_here):
    plan = ingress.plan("auto", env={"RAY_SERVE_ENABLE_HA_PROXY": "0"})
    assert plan.kind == "proxy" and "RAY_SERVE_ENABLE_HA_PROXY=0" in plan.reason


def test_haproxy_gets_the_winning_settings_free_ports_and_its_own_folder(haproxy_here):
    plans = [ingress.plan("auto", env={}) for _ in range(2)]
    try:
        for plan in plans:
            assert plan.kind == "haproxy" and Path(plan.files).is_dir()
            assert {k: plan.env[k] for k in ingress.FAST_INGRESS_ENV} == ingress.FAST_INGRESS_ENV
            ports = [int(plan.env[v]) for v in ingress.PORT_VARS]
            assert len(set(ports)) == 3 and not set(ports) & ingress.RESERVED_PORTS
            for var, name in ingress.FILE_VARS.items():
                assert plan.env[var] == os.path.join(plan.files, name)
            assert plan.env[ingress.STATE_BASE_VAR] == plan.files
            assert len(plan.env["RAY_SERVE_HAPROXY_SOCKET_PATH"]) + 57 < 107  # + "/<node id>": a unix socket path
        assert plans[0].files != plans[1].files  # two servers on one machine never share HAProxy's files
    finally:
        for plan in plans:
            ingress.clean(plan.files)
    assert not any(Path(p.files).exists() for p in plans)


def test_a_setting_the_user_exported_wins_except_the_folder(haproxy_here):
    plan = ingress.plan(
        "auto",
        env={"RAY_SERVE_HAPROXY_METRICS_ENABLED": "1", "RAY_SERVE_HAPROXY_STATS_PORT": "18404",
             "RAY_SERVE_HAPROXY_SOCKET_PATH": "/elsewhere/admin.sock"},
    )  # fmt: skip
    try:
        assert plan.env["RAY_SERVE_HAPROXY_METRICS_ENABLED"] == "1"
        assert plan.env["RAY_SERVE_HAPROXY_STATS_PORT"] == "18404"
        assert plan.env["RAY_SERVE_HAPROXY_SOCKET_PATH"].startswith(plan.files)
    finally:
        ingress.clean(plan.files)


def test_without_haproxy_auto_falls_back_and_haproxy_is_refused(monkeypatch):
    monkeypatch.setattr(ingress, "haproxy_problem", lambda: "no HAProxy binary (test)")
    plan = ingress.plan("auto", env={})
    assert plan.kind == "proxy" and plan.reason == "no HAProxy binary (test)"
    with pytest.raises(UsageError, match="HAProxy cannot run here") as info:
        ingress.plan("haproxy", env={})
    assert "--ingress proxy" in info.value.hint
    with pytest.raises(UsageError, match="--ingress 'fast'"):
        ingress.plan("fast")


def test_the_bundled_haproxy_runs_here():
    if not sys.platform.startswith("linux"):
        pytest.skip("Ray ships HAProxy for Linux only")
    assert ingress.haproxy_problem() is None


def test_clean_ends_what_still_runs_from_the_folder_and_removes_it(haproxy_here):
    plan = ingress.plan("auto", env={})
    config = Path(plan.env["RAY_SERVE_HAPROXY_CONFIG_FILE_LOC"])
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", str(config)])
    try:
        time.sleep(0.2)
        ingress.clean(plan.files)
        assert proc.wait(10) is not None
        assert not Path(plan.files).exists()
    finally:
        proc.kill()
    ingress.clean(None)  # nothing to clean: no error
    ingress.clean("/etc")  # never outside the temp folder
    assert Path("/etc").is_dir()
