"""The server: a schemathesis run of its OpenAPI contract with 0 failures, a replica SIGKILLed under load
(replaced; only in-flight requests fail; healthy again within a measured bound), the body limit, the
token kept out of every file, and nothing left running after `serve stop` or a foreground Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from harness import Emoai, emoai, kill_session, leftovers, record, session_pids

from emoai_core.cluster.local_ray import free_port

pytestmark = pytest.mark.slow
TOKEN = "fault-suite-token-7f3a"
RECOVERY_BOUND_S = 90.0  # measured 10-25 s on this 2-core machine; the bound leaves room for a loaded CI


def _auth():
    return {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def model(tiny_model_dir, emoai_home):
    from emoai_core.model.export import build_local_copy

    build_local_copy(
        tiny_model_dir,
        emoai_home / "models" / "production",
        {"run_id": "b" * 32, "version": "3", "max_length": 32},
    )


@pytest.fixture
def server(env, model, emoai_home, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    port = free_port()
    args = [
        "serve",
        "--detach",
        "--port",
        str(port),
        "--token-file",
        str(token_file),
        "--replicas",
        "2",
        "--cpus-per-replica",
        "0.5",
        "--max-batch-texts",
        "4",
        "--max-text-chars",
        "50",
    ]
    started = emoai(env, *args, timeout=600, keep_session=True)
    assert started.code == 0, started.stderr
    state = json.loads((emoai_home / "serve.json").read_text())
    yield {"url": f"http://127.0.0.1:{port}", "sid": started.proc.pid, "state": state, "env": env}
    stopped = emoai(env, "serve", "stop")
    assert stopped.code == 0, stopped.stderr
    left = leftovers(started.proc.pid)  # the detached server's whole session, within 5 s of 'serve stop'
    kill_session(started.proc.pid)
    assert left == [], left
    assert not Path(state["temp_dir"]).exists()


def test_the_token_is_in_no_file_and_the_contract_holds_under_schemathesis(server, emoai_home, tmp_path):
    for root in (Path(server["state"]["temp_dir"]), emoai_home):
        for path in root.rglob("*"):
            # logs, state and configs; not the object store's sparse fallback files (gigabytes)
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 20_000_000:
                try:
                    assert TOKEN.encode() not in path.read_bytes(), path
                except OSError:
                    continue
    st = Path(sys.executable).with_name("st")
    started = time.monotonic()
    import subprocess

    run = subprocess.run(
        [
            str(st),
            "run",
            server["url"] + "/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "25",
            "--seed",
            "1",
            "-H",
            f"Authorization: Bearer {TOKEN}",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout[-6000:]
    record("schemathesis (all checks)", survived=True, data_lost=0, recovery_s=time.monotonic() - started)


def test_a_body_over_the_limit_is_413_before_it_is_read(server):
    url = server["url"]
    started = time.monotonic()
    huge = httpx.post(url + "/predict", content=b"x" * (50 * 1024 * 1024), headers=_auth(), timeout=60)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    assert time.monotonic() - started < 30
    assert (
        httpx.post(url + "/predict", json={"text": "still fine"}, headers=_auth(), timeout=60).status_code
        == 200
    )


def _replicas(sid):
    found = []
    for pid in session_pids(sid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if b"ServeReplica" in fh.read():
                    found.append(pid)
        except OSError:
            continue
    return found


def test_a_replica_sigkilled_under_load_is_replaced_and_only_in_flight_requests_fail(server):
    url, sid = server["url"], server["sid"]
    replicas = _replicas(sid)
    assert len(replicas) == 2, replicas
    stop = threading.Event()
    results: list[tuple[float, int]] = []

    def load():
        with httpx.Client(headers=_auth(), timeout=60) as client:
            while not stop.is_set():
                try:
                    code = client.post(url + "/predict", json={"text": "under load"}).status_code
                except httpx.HTTPError:
                    code = -1
                results.append((time.monotonic(), code))

    workers = [threading.Thread(target=load) for _ in range(4)]
    for w in workers:
        w.start()
    try:
        time.sleep(3)
        os.kill(replicas[0], signal.SIGKILL)
        killed = time.monotonic()
        deadline = killed + RECOVERY_BOUND_S
        while time.monotonic() < deadline:
            fresh = [p for p in _replicas(sid) if p not in replicas]
            status = emoai(server["env"], "serve", "status", "--json", "--token", TOKEN)
            info = status.json() if status.code == 0 else {}
            states = (
                info.get("application", {})
                .get("deployments", {})
                .get("EmotionClassifier", {})
                .get("replica_states", {})
            )
            if fresh and states == {"RUNNING": 2} and info.get("healthy"):
                break
            time.sleep(1)
        recovered = time.monotonic() - killed
        time.sleep(2)
    finally:
        stop.set()
        for w in workers:
            w.join(120)
    assert recovered < RECOVERY_BOUND_S, f"not replaced within {RECOVERY_BOUND_S} s"
    failed = [code for _, code in results if code != 200]
    assert len(failed) <= len(workers), failed  # at most the requests in flight on the killed replica
    assert all(code == 200 for t, code in results if t > killed + recovered)
    record(
        "serve replica SIGKILLed under load",
        survived=True,
        data_lost=0,
        recovery_s=recovered,
        failed_requests=len(failed),
        requests=len(results),
    )


def test_a_foreground_server_stopped_with_ctrl_c_leaves_nothing(env, model):
    port = free_port()
    command = Emoai(env, ("serve", "--port", str(port))).start()
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(1)
        os.killpg(command.proc.pid, signal.SIGINT)
    except BaseException:
        kill_session(command.proc.pid)
        raise
    command.wait(120)
    assert command.code == 0, command.stderr
    assert "server stopped" in command.stderr and not command.left, command.left
