"""emoai_core.training.loop: what each Ray Train worker does per epoch (train, validate, track the best).

`train_loop_per_worker` needs a Ray Train context (the slow tests train end to end); here its epoch
pieces run on a tiny model with the worker context built by hand.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from fixtures import LABELS, make_rows

from emoai_core.model.labels import LabelMap
from emoai_core.training import loop
from emoai_core.training.config import TrainConfig
from emoai_core.training.datasets import tokenize_fn
from emoai_core.training.protocol import FaultPlan
from emoai_core.training.worker import LoopState


@pytest.fixture
def ctx(tiny_model_dir):
    import torch
    from transformers import AutoModelForSequenceClassification

    labels = LabelMap.from_names(LABELS)
    rows = make_rows(12, seed=5)
    chunk = tokenize_fn(str(tiny_model_dir), 32, labels.label2id)(
        {"text": [r["text"] for r in rows], "label": [r["label"] for r in rows]}
    )
    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    steps: list[tuple] = []
    return SimpleNamespace(
        cfg=TrainConfig(batch_size=4, seed=3),
        labels=labels,
        rank=0,
        device="cpu",
        model=model,
        optimizer=optimizer,
        scheduler=torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0),
        loss_fn=torch.nn.CrossEntropyLoss(),
        train_chunks=[chunk],
        val_chunks=[chunk],
        progress=SimpleNamespace(step=lambda *args: steps.append(args), steps=steps),
        sources=(),
    )


def test_an_epoch_steps_through_every_batch_and_returns_the_mean_loss(ctx):
    state = LoopState(epoch=1, global_step=7)

    mean_loss = loop._train_epoch(ctx, 2, state)

    assert state.global_step == 10  # 12 rows in batches of 4, counted on from the restored step
    assert [(epoch, step, global_step) for epoch, step, global_step, _, _ in ctx.progress.steps] == [
        (2, 1, 8),
        (2, 2, 9),
        (2, 3, 10),
    ]
    assert mean_loss == pytest.approx(np.mean([loss for _, _, _, loss, _ in ctx.progress.steps]))
    assert ctx.model.training


def test_validation_scores_every_row_and_each_label(ctx):
    import torch

    metrics = loop._validate(ctx)

    chunk = ctx.val_chunks[0]
    with torch.no_grad():
        predicted = [
            int(ctx.model(input_ids=torch.as_tensor(ids[None, :], dtype=torch.long)).logits.argmax())
            for ids in chunk["input_ids"]
        ]
    assert not ctx.model.training
    assert metrics["val_accuracy"] == pytest.approx(np.mean(np.asarray(predicted) == chunk["label"]))
    assert {f"val_f1_{name}" for name in LABELS} | {"val_loss", "val_accuracy", "val_macro_f1"} == set(
        metrics
    )
    assert metrics["val_loss"] > 0


def test_the_best_so_far_keeps_the_highest_scores_and_the_lowest_loss():
    best = loop._update_best({}, {"val_accuracy": 0.6, "val_macro_f1": 0.5, "val_loss": 1.2})
    best = loop._update_best(best, {"val_accuracy": 0.55, "val_macro_f1": 0.58, "val_loss": 1.4})

    assert best == {"best_val_accuracy": 0.6, "best_val_macro_f1": 0.58, "best_val_loss": 1.2}


def test_an_injected_fault_fails_once_at_its_epoch(tmp_path):
    fault = FaultPlan(epoch=2, marker=str(tmp_path / "failed-once"))

    loop._maybe_inject_fault(fault, 1)
    with pytest.raises(RuntimeError, match="injected worker failure at the start of epoch 2"):
        loop._maybe_inject_fault(fault, 2)
    loop._maybe_inject_fault(fault, 2)  # the retry resumes and goes on
    loop._maybe_inject_fault(None, 2)
