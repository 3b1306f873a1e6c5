"""emoai_core.cluster.lifecycle: `cluster up/status/down` share cluster.json; down stops exactly what up started."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import paths
from emoai_core.cluster import lifecycle
from emoai_core.cluster.state import read_state, write_state

COMPUTE = """
name: dev
head_node_type: {name: head, resources: {CPU: 1}}
worker_node_types:
  - {name: cpu-worker, resources: {CPU: 2}, min_workers: 1, max_workers: 3}
"""


def test_down_without_a_cluster_returns_none():
    assert lifecycle.down() is None


def test_down_stops_the_recorded_local_cluster_and_forgets_it(tmp_path):
    root = tmp_path / "no-process-names-this-folder"
    root.mkdir()
    write_state({"provider": "local", "name": "dev", "address": "127.0.0.1:1", "temp_dir": str(root)})

    result = lifecycle.down()

    assert result == {"name": "dev", "provider": "local", "stopped_processes": 0, "left": []}
    assert not root.exists()
    assert read_state() is None and not paths().cluster_state.exists()


def test_up_refuses_a_second_cluster_before_starting_anything(tmp_path):
    config = tmp_path / "cluster_compute.yaml"
    config.write_text(COMPUTE)
    write_state({"provider": "local", "name": "old", "address": "127.0.0.1:6390"})

    with pytest.raises(UsageError, match="cluster 'old' is already up at 127.0.0.1:6390") as info:
        lifecycle.up(config)

    assert "emoai cluster down" in info.value.hint
    assert read_state()["name"] == "old"


def test_status_without_a_cluster_says_how_to_start_one():
    with pytest.raises(UsageError, match="no cluster is up"):
        lifecycle.status()


def test_dry_run_of_a_local_cluster_is_its_node_plan(tmp_path):
    config = tmp_path / "cluster_compute.yaml"
    config.write_text(COMPUTE)

    plan = lifecycle.render_dry_run(config, None)

    assert plan["provider"] == "local"
    assert plan["head"]["name"] == "head"
    assert [(w["name"], w["min_workers"], w["max_workers"]) for w in plan["workers"]] == [
        ("cpu-worker", 1, 3)
    ]
    assert read_state() is None  # a dry run records nothing
