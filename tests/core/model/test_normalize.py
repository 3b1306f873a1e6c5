"""emoai_core.model.normalize: one normalisation, named by the recipe, saved with the model."""

from __future__ import annotations

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.model.normalize import NORMALIZE_FILE, Normalizer


def test_the_social_preset_handles_mentions_urls_emoji_and_stretched_words():
    n = Normalizer.parse("social")
    assert (
        n("@bob this is sooooo good 😍 https://x.co/a?b=@c")
        == "@user this is soo good smiling face with heart-eyes http"
    )
    assert n("email me at a@b.com") == "email me at a@b.com"  # not a mention


def test_steps_run_in_one_fixed_order_whatever_order_they_are_named_in():
    assert (
        Normalizer.parse("lowercase,urls").steps
        == Normalizer.parse("urls,lowercase").steps
        == ("urls", "lowercase")
    )


def test_no_steps_leaves_text_untouched():
    assert Normalizer.parse(None)("  Keep  THIS  ") == "  Keep  THIS  "
    assert not Normalizer.parse("none")


def test_an_unknown_step_is_a_usage_error_listing_the_known_ones():
    with pytest.raises(UsageError, match="unknown normalisation step"):
        Normalizer.parse("users,stemming")


def test_saved_beside_the_model_and_loaded_back(tmp_path):
    Normalizer.parse("social").save(tmp_path)
    assert Normalizer.load(tmp_path) == Normalizer.parse("social")
    empty = tmp_path / "plain"
    empty.mkdir()
    Normalizer().save(empty)
    assert not (empty / NORMALIZE_FILE).exists() and Normalizer.load(empty) == Normalizer()


def test_predictors_apply_the_saved_normalisation(tiny_model_dir, tmp_path):
    import shutil

    from emoai_core.inference.predict import TorchPredictor

    folder = tmp_path / "model"
    shutil.copytree(tiny_model_dir, folder)
    plain = TorchPredictor(folder).predict_proba(["🎉🎉"])
    Normalizer.parse("emoji").save(folder)
    normalised = TorchPredictor(folder)
    assert normalised.normalizer.steps == ("emoji",)
    assert normalised.predict_proba(["🎉🎉"]) == pytest.approx(
        normalised.predict_proba(["party popper party popper"])
    )
    assert normalised.predict_proba(["🎉🎉"]) != pytest.approx(plain)


def test_the_config_refuses_an_unknown_step():
    from emoai_core.training.config import build_config

    with pytest.raises(UsageError, match="--normalize"):
        build_config({}, {"normalize": "stemming"})
    assert build_config({}, {"normalize": "emoji,users"}).normalize == "users,emoji"
