"""emoai_core.model.losses and optim.build_loss: the multi-label loss is BCE per label."""

from __future__ import annotations

import pytest
import torch

from emoai_core.model.losses import SmoothedBCE
from emoai_core.model.optim import build_loss


def test_multi_label_loss_is_bce_with_logits_and_smoothing_moves_targets_to_one_half():
    logits = torch.tensor([[2.0, -1.0, 0.5]])
    targets = torch.tensor([[1.0, 0.0, 1.0]])
    plain = build_loss(None, 0.0, multi_label=True)(logits, targets)
    assert isinstance(build_loss(None, 0.0, multi_label=True), SmoothedBCE)
    assert plain == pytest.approx(float(torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)))
    smoothed = build_loss(None, 0.2, multi_label=True)(logits, targets)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets * 0.8 + 0.1)
    assert smoothed == pytest.approx(float(expected))


def test_pos_weight_counts_a_labels_positives_more():
    logits = torch.zeros((1, 2))
    targets = torch.tensor([[1.0, 1.0]])
    weighted = build_loss([3.0, 1.0], 0.0, multi_label=True)(logits, targets)
    plain = build_loss(None, 0.0, multi_label=True)(logits, targets)
    assert float(weighted) == pytest.approx(float(plain) * 2)  # mean of 3x and 1x


def test_single_label_loss_is_cross_entropy():
    assert isinstance(build_loss(None, 0.1), torch.nn.CrossEntropyLoss)


def test_multi_label_class_weights_are_capped_square_roots_of_negatives_over_positives():
    from emoai_core.model.optim import POS_WEIGHT_CAP, class_weights

    # 1,000 rows: a label in half of them, one in 1 %, one in 0.1 %
    weights = class_weights([500, 10, 1], "sqrt_inverse", rows=1000, multi_label=True)
    assert weights[0] == pytest.approx(1.0)
    assert weights[1] == pytest.approx((990 / 10) ** 0.5)
    assert weights[2] == POS_WEIGHT_CAP  # sqrt(999) ≈ 31.6, capped
    assert class_weights([500, 10, 1], "none", rows=1000, multi_label=True) is None
