"""Default training recipe, importable without pydantic so `emoai train --help` can show it cheaply.

These values are the recipe measured by `bench/quality.py` (see README, "Model quality").
They were chosen on the validation split only (bench/results/quality_explore.jsonl): a higher peak
learning rate with layer-wise decay keeps the lower, general-purpose layers of the small MiniLM
close to pre-training while the top layers adapt fast, and label smoothing stops the frequent
classes from crowding out surprise and love. Five epochs with selection by validation macro-F1.
"""

from __future__ import annotations

DEFAULTS: dict[str, object] = {
    "num_workers": 1,
    "gpu_per_worker": 0.0,
    "placement": "pack",
    "epochs": 5,
    "batch_size": 32,
    "lr": 2e-4,
    "max_length": 64,
    "weight_decay": 0.01,
    "warmup_ratio": 0.06,
    "seed": 0,
    "label_smoothing": 0.1,
    "class_weighting": "none",
    "llrd": 0.85,
    "dropout": None,
    "checkpoint_metric": "val_macro_f1",
    "experiment": "emoai",
}

# What a multi-label data version trains with where the user set nothing: the recipe measured by
# bench/goemotions.py, chosen on GoEmotions' validation split (see README, "Multi-label data").
MULTI_LABEL_DEFAULTS: dict[str, object] = {
    "epochs": 4,  # GoEmotions' 43k rows: four epochs fit the 60-minute budget of bench/goemotions.py
    "label_smoothing": 0.0,  # smoothing a sigmoid's targets blurs the per-label thresholds fitted later
    "class_weighting": "sqrt_inverse",  # BCE pos_weight sqrt(neg/pos), capped: rare labels learn at all
}
TASK_DEFAULTS: dict[str, dict[str, object]] = {"multi_label": MULTI_LABEL_DEFAULTS}
