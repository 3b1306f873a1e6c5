"""emoai_core.model.classifier: base models resolved offline, classifiers built and saved with their labels."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.model.classifier import (
    build_classifier,
    labels_of_model_dir,
    load_error,
    load_tokenizer,
    resolve_base_model,
    save_model_dir,
)
from emoai_core.model.labels import LabelMap


@pytest.mark.parametrize("name", [None, "", "sentence-transformers/all-MiniLM-L6-v2", "minilm"])
def test_the_default_base_model_is_the_packaged_minilm(name):
    path = Path(resolve_base_model(name))
    assert (path / "config.json").is_file()


def test_local_folders_and_hub_ids(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert resolve_base_model(str(tmp_path)) == str(tmp_path.resolve())
    assert resolve_base_model("someone/some-model") == "someone/some-model"
    with pytest.raises(UsageError, match="has no config.json"):
        resolve_base_model(str(tmp_path.parent))
    with pytest.raises(UsageError, match="model directory not found"):
        resolve_base_model("./no/such/model")


def test_load_errors_tell_offline_from_bad_names():
    offline = load_error("x/y", OSError("We couldn't connect to 'https://huggingface.co' (HF_HUB_OFFLINE)"))
    bad = load_error("x/y", ValueError("Unrecognized model in x/y"))

    assert isinstance(offline, UnreachableError) and "unreachable" in offline.message
    assert type(bad) is UsageError and bad.message == "cannot load model 'x/y': Unrecognized model in x/y"


def test_labels_fall_back_to_the_configs_id2label_in_numeric_order(tmp_path):
    names = [f"l{i}" for i in range(12)]
    (tmp_path / "config.json").write_text(json.dumps({"id2label": {str(i): n for i, n in enumerate(names)}}))

    assert labels_of_model_dir(tmp_path).names == tuple(names)  # "10" after "9", not after "1"
    LabelMap.from_names(["a", "b"]).save(tmp_path)
    assert labels_of_model_dir(tmp_path).names == ("a", "b")  # labels.json wins


def test_a_classifier_is_built_for_the_labels_and_saved_with_them(tiny_model_dir, tmp_path):
    labels = LabelMap.from_names(["calm", "upset", "neutral", "bored", "proud", "shy"])

    model = build_classifier(str(tiny_model_dir), labels, dropout=0.25)
    saved = save_model_dir(model, load_tokenizer(str(tiny_model_dir)), labels, tmp_path / "out")

    assert model.config.id2label == dict(enumerate(labels.names))
    assert model.config.hidden_dropout_prob == 0.25
    assert labels_of_model_dir(saved) == labels
    assert json.loads((saved / "config.json").read_text())["label2id"] == labels.label2id
    assert (saved / "tokenizer.json").is_file()


def test_a_classifier_with_another_label_count_gets_a_fresh_head(tiny_model_dir):
    labels = LabelMap.from_names(["calm", "upset", "neutral"])  # the tiny model was saved with 6 labels

    model = build_classifier(str(tiny_model_dir), labels)

    assert model.config.num_labels == 3
    assert model.classifier.out_features == 3
