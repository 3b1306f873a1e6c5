"""emoai_core.tracking.registry: the registered model's versions and aliases, named in one place."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.base.settings import REGISTERED_MODEL
from emoai_core.tracking import registry
from emoai_core.tracking.store import client as tracking_client
from emoai_core.tracking.store import ensure_experiment


@pytest.fixture
def store():
    c = tracking_client()
    experiment = ensure_experiment(c, "emoai")
    runs = [c.create_run(experiment, run_name=name).info for name in ("a", "b")]
    return c, runs


def _register(c, run) -> str:
    if not c.search_registered_models(f"name='{REGISTERED_MODEL}'"):
        c.create_registered_model(REGISTERED_MODEL)
    return str(
        c.create_model_version(
            REGISTERED_MODEL, source=run.artifact_uri + "/model", run_id=run.run_id
        ).version
    )


def test_with_nothing_registered_there_is_nothing_to_find(store):
    c, (run, _) = store

    assert registry.aliases(c) == {}
    assert registry.versions_by_run(c) == {}
    with pytest.raises(NotFoundError, match=f"run {run.run_id} has no registered model"):
        registry.model_version_for_run(c, run.run_id)
    with pytest.raises(NotFoundError, match="no model has the alias 'production' yet") as info:
        registry.version_for_alias(c, "production")
    assert "emoai runs promote" in info.value.hint
    assert registry.has_logged_model(c, run.run_id) is False
    with pytest.raises(UsageError, match="has no logged model to register"):
        registry.register_run_model(c, run.run_id)


def test_versions_group_by_run_and_aliases_point_at_them(store):
    c, (a, b) = store
    v1, v2, v3 = _register(c, a), _register(c, b), _register(c, a)

    registry.set_alias(c, "production", v3)
    registry.set_alias(c, "staging", v2)

    by_run = {run: sorted(str(v.version) for v in vs) for run, vs in registry.versions_by_run(c).items()}
    assert by_run == {a.run_id: [v1, v3], b.run_id: [v2]}
    assert {k: str(v) for k, v in registry.aliases(c).items()} == {"production": v3, "staging": v2}
    assert str(registry.model_version_for_run(c, a.run_id).version) == v3  # the newest of the run
    assert registry.version_for_alias(c, "staging").run_id == b.run_id
    with pytest.raises(NotFoundError) as info:
        registry.version_for_alias(c, "prodution")
    assert info.value.matches == ["production"]

    registry.delete_version(c, v3)
    assert [str(v.version) for v in registry.versions_by_run(c)[a.run_id]] == [v1]


def test_latest_version_compares_numbers_not_strings():
    versions = [SimpleNamespace(version=v) for v in ("2", "10", "9")]
    assert registry.latest_version(versions) == "10"
    assert registry.latest_version([]) is None
