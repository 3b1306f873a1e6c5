"""emoai_core.serving.bundle: the ONNX bundle a server loads, read as bytes so it travels with the deployment."""

from __future__ import annotations

import json

import pytest

from emoai_core.base.errors import UsageError
from emoai_core.serving.bundle import model_bundle


def _bundle(folder, meta=None, skip=()):
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "model.onnx": b"graph",
        "model.onnx.data": b"weights",
        "tokenizer.json": b"{}",
        "labels.json": b"{}",
    }
    for name, data in files.items():
        if name not in skip:
            (folder / name).write_bytes(data)
    if meta is not None:
        (folder / "meta.json").write_text(json.dumps(meta))
    (folder / "notes.txt").write_text("not part of a bundle")
    return folder


def test_the_bundle_is_its_files_as_bytes_with_the_meta(tmp_path):
    folder = _bundle(tmp_path / "b", meta={"run_id": "r1", "version": "4"})

    files, meta = model_bundle(folder)

    assert set(files) == {"model.onnx", "model.onnx.data", "tokenizer.json", "labels.json", "meta.json"}
    assert files["model.onnx"] == b"graph" and files["model.onnx.data"] == b"weights"
    assert meta == {"run_id": "r1", "version": "4"}


def test_a_bundle_without_meta_or_external_weights_is_still_served(tmp_path):
    files, meta = model_bundle(_bundle(tmp_path / "b", skip=("model.onnx.data",)))
    assert set(files) == {"model.onnx", "tokenizer.json", "labels.json"}
    assert meta == {}


def test_a_folder_missing_required_files_is_refused_with_their_names(tmp_path):
    folder = _bundle(tmp_path / "hf", skip=("model.onnx", "labels.json"))
    with pytest.raises(
        UsageError, match="not an ONNX model bundle \\(missing model.onnx, labels.json\\)"
    ) as info:
        model_bundle(folder)
    assert "emoai runs promote" in info.value.hint
