"""emoai_core.model.bundle: the bundle's file names and its meta, with the defaults spelled once."""

from __future__ import annotations

import json

from emoai_core.model import bundle


def test_a_folder_without_meta_has_empty_meta_and_the_default_max_length(tmp_path):
    assert bundle.read_meta(tmp_path) == {}
    assert bundle.max_length(tmp_path) == bundle.DEFAULT_MAX_LENGTH == 128


def test_max_length_comes_from_the_meta(tmp_path):
    (tmp_path / bundle.META_FILE).write_text(json.dumps({"run_id": "r", "max_length": 64}))

    assert bundle.read_meta(tmp_path)["run_id"] == "r"
    assert bundle.max_length(tmp_path) == 64


def test_a_meta_without_a_max_length_falls_back_to_the_default(tmp_path):
    (tmp_path / bundle.META_FILE).write_text(json.dumps({"max_length": None}))
    assert bundle.max_length(tmp_path) == 128


def test_the_required_files_are_part_of_the_bundle():
    assert set(bundle.REQUIRED_FILES) == {"model.onnx", "tokenizer.json", "labels.json"}
    assert set(bundle.REQUIRED_FILES) < set(bundle.BUNDLE_FILES)
    assert {bundle.META_FILE, bundle.ONNX_DATA_FILE} <= set(bundle.BUNDLE_FILES)
