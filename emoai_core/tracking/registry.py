"""The registered model (`emoai-emotion`): logging a trained model, its versions and their aliases.

Only this module names the registered model; `runs`, `promote` and the CLI ask it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from emoai_core.base.errors import NotFoundError, UsageError, close_matches
from emoai_core.base.settings import REGISTERED_MODEL
from emoai_core.model.bundle import NORMALIZE_FILE

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities.model_registry import ModelVersion

    from emoai_core.model.labels import LabelMap

MODEL_URI_TAG = "emoai.model_uri"


def aliases(client: MlflowClient) -> dict[str, str]:
    """alias -> version of the registered model (empty when nothing is registered)."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(REGISTERED_MODEL)
    except MlflowException:
        return {}
    return dict(getattr(model, "aliases", {}) or {})


def versions_by_run(client: MlflowClient) -> dict[str, list[ModelVersion]]:
    """run id -> registered model versions logged by that run."""
    from mlflow.exceptions import MlflowException

    try:
        versions = client.search_model_versions(f"name='{REGISTERED_MODEL}'")
    except MlflowException:
        return {}
    out: dict[str, list[ModelVersion]] = {}
    for v in versions:
        out.setdefault(v.run_id, []).append(v)
    return out


def latest_version(versions: list[ModelVersion]) -> str | None:
    return str(max(int(v.version) for v in versions)) if versions else None


def model_version_for_run(client: MlflowClient, run_id: str) -> ModelVersion:
    versions = versions_by_run(client).get(run_id, [])
    if not versions:
        raise NotFoundError(
            f"run {run_id} has no registered model",
            "only finished training runs register a model; see 'emoai runs list'",
        )
    return max(versions, key=lambda v: int(v.version))


def version_for_alias(client: MlflowClient, alias: str) -> ModelVersion:
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(REGISTERED_MODEL, alias)
    except MlflowException:
        known = aliases(client)
        if not known:
            raise NotFoundError(
                f"no model has the alias '{alias}' yet",
                f"promote a run first: emoai runs promote <run> --alias {alias}",
            ) from None
        raise NotFoundError(
            f"no model has the alias '{alias}'", matches=close_matches(alias, list(known))
        ) from None


def set_alias(client: MlflowClient, alias: str, version: str) -> None:
    client.set_registered_model_alias(REGISTERED_MODEL, alias, version)


def delete_version(client: MlflowClient, version: str) -> None:
    client.delete_model_version(REGISTERED_MODEL, version)


def log_model(
    run_id: str, model_dir: Path, labels: LabelMap, config: dict[str, Any], max_length: int, register: bool = True
) -> str | None:
    """Log a trained model folder once, in Hugging Face format with its labels; register it unless told not to.

    Returns the registered version (None when not registered). The model URI is kept in the run's
    `emoai.model_uri` tag so `register_run_model` can register it later (tune's best trial).
    """
    import mlflow
    from transformers import AutoModelForSequenceClassification

    from emoai_core.base.quiet import quiet_libraries, silenced_stderr
    from emoai_core.model.classifier import load_tokenizer

    quiet_libraries()
    with silenced_stderr():
        model = AutoModelForSequenceClassification.from_pretrained(model_dir)
        tokenizer = load_tokenizer(str(model_dir))
        with mlflow.start_run(run_id=run_id, log_system_metrics=False):
            info = mlflow.transformers.log_model(
                transformers_model={"model": model, "tokenizer": tokenizer},
                task="text-classification",
                name="model",
                pip_requirements=["torch", "transformers", "tokenizers"],
                registered_model_name=REGISTERED_MODEL if register else None,
                metadata={"labels": list(labels.names), "emoai_task": labels.task, "max_length": max_length},
            )
            mlflow.log_dict(labels.to_json(), "labels.json")
            if (Path(model_dir) / NORMALIZE_FILE).is_file():  # the input normalisation travels with the model
                mlflow.log_artifact(str(Path(model_dir) / NORMALIZE_FILE))
            mlflow.log_dict(config, "train_config.json")
            mlflow.set_tag(MODEL_URI_TAG, info.model_uri)
            # leaving the block would mark the run FINISHED; the caller decides the final status
            mlflow.end_run(status="RUNNING")
    version = getattr(info, "registered_model_version", None) if register else None
    return str(version) if version is not None else None


def register_run_model(client: MlflowClient, run_id: str) -> str:
    """Register the model a run already logged (tune's best trial); returns the version."""
    import mlflow

    from emoai_core.base.quiet import silenced_stderr

    uri = client.get_run(run_id).data.tags.get(MODEL_URI_TAG)
    if not uri:
        raise UsageError(f"run {run_id} has no logged model to register")
    with silenced_stderr():
        version = mlflow.register_model(uri, REGISTERED_MODEL)
    return str(version.version)


def has_logged_model(client: MlflowClient, run_id: str) -> bool:
    return bool(client.get_run(run_id).data.tags.get(MODEL_URI_TAG))
