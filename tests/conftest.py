"""Shared test setup: an isolated EMOAI_HOME per test, offline hubs, quiet services."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

# One consistent environment for every test and every process a test starts.
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"
os.environ["RAY_AUTH_MODE"] = "token"
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.pop("RAY_ADDRESS", None)
# Every Ray the suite starts (in-process, `cluster up`, `serve --detach`, in test subprocesses too)
# keeps its temp folder under this session's own root, so the end of the session can prove that none
# of them is still running (see `no_ray_left_behind`). Short: Ray puts unix sockets under it.
RAY_TEMP_ROOT = os.environ.setdefault("EMOAI_RAY_TEMP_ROOT", f"/tmp/emoai-t{os.getpid()}")

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir(name: str) -> Path:
    """The read-only real datasets beside the checkout (or where EMOAI_SHARED_DATA says)."""
    root = os.environ.get("EMOAI_SHARED_DATA")
    candidates = [Path(root)] if root else []
    candidates += [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    for base in candidates:
        if (base / name).is_dir():
            return base / name
    return candidates[0] / name


@pytest.fixture(autouse=True)
def emoai_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own EMOAI_HOME and the local tracking store inside it."""
    home = tmp_path / "emoai-home"
    monkeypatch.setenv("EMOAI_HOME", str(home))
    for var in (
        "EMOAI_TRACKING_URI",
        "MLFLOW_TRACKING_URI",
        "RAY_ADDRESS",
        "EMOAI_DEBUG",
        "EMOAI_DATA_SOURCE",
        "EMOAI_STORAGE",
    ):
        monkeypatch.setenv(var, "")  # recorded, so whatever a command exports is undone after the test
        monkeypatch.delenv(var)
    return home


@pytest.fixture(scope="session", autouse=True)
def no_ray_left_behind():
    """After the whole session: no process tied to a Ray the tests started, and no temp folder of theirs."""
    import shutil
    import time

    yield
    from emoai_core.cluster.processes import tied_to

    deadline = time.monotonic() + 10
    while tied_to(RAY_TEMP_ROOT) and time.monotonic() < deadline:
        time.sleep(0.5)
    alive = tied_to(RAY_TEMP_ROOT)
    folders = sorted(os.listdir(RAY_TEMP_ROOT)) if os.path.isdir(RAY_TEMP_ROOT) else []
    shutil.rmtree(RAY_TEMP_ROOT, ignore_errors=True)
    assert not alive, f"Ray processes the tests started are still running: {alive}"
    assert not folders, f"Ray temp folders the tests made were left behind: {folders}"


@pytest.fixture(autouse=True)
def no_placement_group_outlives_its_test():
    """The in-process Ray outlives each test: a trainer a test left behind must not hold its CPUs.

    `emoai train` ends its process, and Ray removes the job's placement groups with it; the test
    process lives on, so a failed or interrupted fit's group is removed here, or the next test's
    trainer waits for CPUs that never free (Ray Train retries its worker group start for ever).
    """
    yield
    import sys

    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():
        return
    from ray._raylet import PlacementGroupID
    from ray.util.placement_group import PlacementGroup, placement_group_table, remove_placement_group

    for pg_id, info in placement_group_table().items():
        if info.get("state") != "REMOVED":
            remove_placement_group(PlacementGroup(PlacementGroupID(bytes.fromhex(pg_id))))


@pytest.fixture(autouse=True)
def default_sigint():
    """Ctrl-C raises KeyboardInterrupt in every test, however the suite was started.

    A shell starts background jobs (`cmd &`, nohup) with SIGINT ignored, and Python then installs
    no handler: tests of Ctrl-C behaviour would see nothing. Each test sets the state it needs.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def sigint_default_in_child() -> None:
    """`preexec_fn` for subprocesses a test interrupts: SIGINT at its default even if ours is ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.fixture
def emotion_dir() -> Path:
    """The real dair-ai/emotion split, skipping when this machine does not have it."""
    path = shared_data_dir("emotion")
    if not (path / "train.jsonl").exists():
        pytest.skip(f"real dair-ai/emotion data not found at {path}")
    return path


@pytest.fixture
def cli():
    """Invoke `emoai` in-process; returns the click Result (stdout and stderr kept apart)."""
    from typer.testing import CliRunner

    from emoai_cli.main import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny untrained BERT classifier in Hugging Face format (plus labels.json), built once."""
    from fixtures import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model") / "model")


@pytest.fixture
def split_folder(tmp_path: Path) -> Path:
    """A generated train/validation/test jsonl folder with a learnable signal."""
    from fixtures import write_split_folder

    return write_split_folder(tmp_path / "gen-data")


@pytest.fixture(scope="session")
def ray_session():
    """One local Ray for the whole session (tests that train or serve share it); stopped at the end."""
    import ray

    from emoai_core.base.settings import ensure_service_env
    from emoai_core.cluster import in_process

    ensure_service_env()
    if not ray.is_initialized():
        ray.init(
            num_cpus=2,
            include_dashboard=False,
            log_to_driver=False,
            logging_level="ERROR",
            _temp_dir=in_process.claim(),
        )
    from emoai_core.cluster.ray_env import _quiet_ray_data

    _quiet_ray_data()
    yield ray
    in_process.release()  # ray.shutdown(), then its agents and its temp folder


@pytest.fixture
def gen_data(cli, tmp_path) -> str:
    """A generated 600/60/60 dataset pulled as data version 'gen'; returns its NAME@VERSION."""
    import json

    from fixtures import write_split_folder

    folder = write_split_folder(tmp_path / "gen-train-data", sizes=(600, 60, 60))
    result = cli("data", "pull", str(folder), "--name", "gen", "--json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    return f"{info['name']}@{info['version']}"


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory):
    """moto_server's S3 API on 127.0.0.1 for the session (stopped at its end); yields its endpoint."""
    from servers import moto_s3

    with moto_s3(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture
def s3_storage(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket on moto_server as the storage (endpoint in the URI, test credentials); returns the URI."""
    from servers import S3_ENV, make_bucket

    for key, value in S3_ENV.items():
        monkeypatch.setenv(key, value)
    bucket = make_bucket(s3_endpoint)
    return f"s3://{bucket}/emoai?endpoint_override={s3_endpoint}"
