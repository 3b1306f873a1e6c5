"""emoai_core.model.step: the one optimisation step and batch-order seed shared by training and bench/."""

from __future__ import annotations

import pytest

from emoai_core.model.step import epoch_seed, seed_everything, to_device, train_step


def test_epoch_seed_differs_per_epoch_and_rank_but_is_fixed_by_the_seed():
    seeds = {epoch_seed(0, epoch, rank) for epoch in range(1, 6) for rank in range(4)}
    assert len(seeds) == 20
    assert epoch_seed(7, 2, 1) == epoch_seed(7, 2, 1)
    assert epoch_seed(7, 2, 1) != epoch_seed(8, 2, 1)
    assert epoch_seed(3, 1) == epoch_seed(3, 1, rank=0)


def test_seed_everything_makes_random_draws_repeat():
    import random

    import numpy as np
    import torch

    seed_everything(5)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    seed_everything(5)
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == first


def test_train_step_updates_the_weights_and_returns_the_batch_loss_and_size(tiny_model_dir):
    import numpy as np
    import torch
    from transformers import AutoModelForSequenceClassification

    torch.manual_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        tiny_model_dir
    ).eval()  # no dropout: loss repeatable
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    loss_fn = torch.nn.CrossEntropyLoss()
    batch = to_device(
        {
            "input_ids": np.array([[101, 2000, 2001, 102], [101, 2002, 102, 0], [101, 2003, 2004, 102]]),
            "attention_mask": np.array([[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 1, 1]]),
            "labels": np.array([0, 3, 5]),
        },
        "cpu",
    )
    with torch.no_grad():
        expected = loss_fn(
            model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).logits,
            batch["labels"],
        )
    before = model.classifier.weight.detach().clone()

    loss, size = train_step(model, batch, loss_fn, optimizer, scheduler)

    assert size == 3
    assert loss == pytest.approx(float(expected), rel=1e-5)
    assert "labels" not in batch  # popped off: the model gets only its inputs
    assert not torch.equal(model.classifier.weight, before)
    assert scheduler.get_last_lr() == [0.25]  # the schedule advanced one step
    with torch.no_grad():
        after = loss_fn(model(**batch).logits, torch.tensor([0, 3, 5]))
    assert float(after) < float(expected)
