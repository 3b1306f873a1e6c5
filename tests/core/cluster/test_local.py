"""emoai_core.cluster.local: the autoscaler config of a local fake_multinode cluster, and down()."""

from __future__ import annotations

from emoai_core.cluster import local
from emoai_core.cluster.config import ClusterCompute
from emoai_core.cluster.dashboard import NODE_TYPE_LABEL


def _compute() -> ClusterCompute:
    return ClusterCompute.model_validate(
        {
            "name": "dev",
            "autoscale": True,
            "idle_timeout_minutes": 2,
            "head_node_type": {"name": "head", "resources": {"CPU": 1}},
            "worker_node_types": [
                {"name": "cpu-small", "resources": {"CPU": 2}, "min_workers": 0, "max_workers": 2},
                {
                    "name": "cpu-big",
                    "resources": {"CPU": 4, "memory": 1e9},
                    "min_workers": 1,
                    "max_workers": 3,
                },
            ],
        }
    )


def test_autoscaling_config_lays_out_the_head_and_the_workers():
    config = local.autoscaling_config(_compute(), gcs_port=6123)

    types = config["available_node_types"]
    assert config["head_node_type"] == local.FAKE_HEAD_TYPE
    assert types[local.FAKE_HEAD_TYPE] == {"resources": {"CPU": 1}, "node_config": {}, "max_workers": 0}
    assert types["cpu-big"] == {
        "resources": {"CPU": 4, "memory": 1e9},
        "node_config": {},
        "min_workers": 1,
        "max_workers": 3,
        "labels": {NODE_TYPE_LABEL: "cpu-big"},
    }
    assert types["cpu-small"]["labels"] == {NODE_TYPE_LABEL: "cpu-small"}
    assert config["max_workers"] == 5
    assert config["cluster_name"] == "dev"
    assert config["idle_timeout_minutes"] == 2
    assert config["provider"]["type"] == "fake_multinode"
    assert config["provider"]["gcs_address"] == "127.0.0.1:6123"


def test_down_of_a_state_without_nodes_stops_nothing():
    assert local.down({"provider": "local", "name": "dev"}) == {"stopped_processes": 0, "left": []}


def test_describe_keeps_only_where_to_reach_the_cluster():
    state = {"address": "127.0.0.1:6123", "dashboard_url": "http://127.0.0.1:8265", "temp_dir": "/tmp/x"}
    assert local.describe(state) == '{"address": "127.0.0.1:6123", "dashboard_url": "http://127.0.0.1:8265"}'
