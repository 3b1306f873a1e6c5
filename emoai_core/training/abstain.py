"""After a single-label run with `--abstain-data`: the "no emotion" threshold, fitted with the best model
on that version's validation split (its neutral texts against its emotional ones), stored in labels.json."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from emoai_core.model.abstain import fit_abstain
from emoai_core.model.labels import LabelMap
from emoai_core.training.plan import Plan


def fit_on_abstain_data(model_dir: Path, plan: Plan) -> tuple[LabelMap, dict[str, float]]:
    from emoai_core.inference.predict import TorchPredictor

    assert plan.abstain_data is not None
    texts, labels = plan.abstain_data.read_split("validation")
    neutral = plan.config.abstain_label
    keep = [i for i, lab in enumerate(labels) if lab == neutral or lab in plan.labels]
    top = (
        TorchPredictor(model_dir, max_length=plan.config.max_length)
        .predict_proba([texts[i] for i in keep])
        .max(axis=1)
    )
    is_neutral = np.array([labels[i] == neutral for i in keep])
    threshold, metrics = fit_abstain(top[is_neutral], top[~is_neutral])
    return plan.labels.with_abstain(threshold), metrics
