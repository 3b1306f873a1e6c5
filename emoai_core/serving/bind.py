"""The application bound for `serve.run`: replicas, resources, concurrency and logging of the deployment."""

from __future__ import annotations

from typing import Any


def build(
    bundle: dict[str, bytes],
    meta: dict[str, Any],
    settings: dict[str, Any],
    replicas: int,
    cpus: float,
    gpus: float,
) -> Any:
    """`EmotionClassifier` bound to its model, with room for a full batch of waiting requests."""
    from emoai_core.serving.app import EmotionClassifier

    max_batch = int(settings["max_batch_size"])
    options = {
        "num_replicas": replicas,
        "max_ongoing_requests": max(2 * max_batch, 8),
        # one log line per request costs CPU and says nothing the prediction log does not
        "logging_config": {"enable_access_log": False},
        "ray_actor_options": {"num_cpus": cpus, **({"num_gpus": gpus} if gpus else {})},
    }
    return EmotionClassifier.options(**options).bind(bundle, meta, settings)
