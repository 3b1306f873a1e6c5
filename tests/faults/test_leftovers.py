"""Nothing left behind by commands that start an in-process Ray and end normally or with an error."""

from __future__ import annotations

import pytest
from harness import emoai

pytestmark = pytest.mark.slow


def test_predict_through_ray_data_leaves_nothing(env, tiny_model_dir, tmp_path):
    texts = tmp_path / "texts.txt"
    texts.write_text("".join(f"text number {i}\n" for i in range(50)))
    out = tmp_path / "out.jsonl"
    result = emoai(env, "predict", "--model-dir", tiny_model_dir, "--file", texts, "--output", out)
    assert result.code == 0, result.stderr
    assert len(out.read_text().splitlines()) == 50 and not result.left, result.left


def test_train_refused_after_ray_started_leaves_nothing(env, gen_data, tiny_model_dir):
    result = emoai(
        env,
        "train",
        "--data",
        gen_data,
        "--model",
        tiny_model_dir,
        "--num-workers",
        "3",
        "--cpu-per-worker",
        "1",
    )
    assert result.code == 2 and "can hold at most" in result.stderr
    assert not result.left, result.left
