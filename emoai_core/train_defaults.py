"""Default training recipe, importable without pydantic so `emoai train --help` can show it cheaply.

These values are the recipe measured by `bench/quality.py` (see README, "Model quality").
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "num_workers": 1,
    "gpu_per_worker": 0.0,
    "epochs": 4,
    "batch_size": 32,
    "lr": 1e-4,
    "max_length": 64,
    "weight_decay": 0.01,
    "warmup_ratio": 0.06,
    "seed": 0,
    "label_smoothing": 0.0,
    "class_weighting": "none",
    "llrd": 1.0,
    "dropout": None,
    "checkpoint_metric": "val_macro_f1",
    "experiment": "emoai",
}
