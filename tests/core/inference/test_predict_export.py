"""Export (ONNX, HF), predictors, and `emoai predict` / `emoai export` with their bad inputs."""

from __future__ import annotations

import json
import random
import subprocess
import sys

import numpy as np
import pytest
from fixtures import LABELS


@pytest.fixture(scope="module")
def onnx_dir(tiny_model_dir, tmp_path_factory):
    from emoai_core.model.export import export_onnx

    return export_onnx(tiny_model_dir, tmp_path_factory.mktemp("onnx") / "bundle", max_length=64)


def _random_texts(n: int, seed: int) -> list[str]:
    from fixtures import CUES, FILLER

    rng = random.Random(seed)
    words = FILLER + [w for ws in CUES.values() for w in ws] + ["xylophone", "quantum", "!!", "123"]
    return [" ".join(rng.choice(words) for _ in range(rng.randint(1, 40))) for _ in range(n)]


def test_onnx_logits_match_torch(onnx_dir, tiny_model_dir):
    import onnxruntime as ort
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    texts = _random_texts(24, seed=random.randrange(10_000))
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    enc = tokenizer(texts, truncation=True, max_length=64, padding=True, return_tensors="pt")
    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir).eval()
    with torch.no_grad():
        expected = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits.numpy()
    session = ort.InferenceSession(str(onnx_dir / "model.onnx"))
    (got,) = session.run(
        ["logits"], {"input_ids": enc["input_ids"].numpy(), "attention_mask": enc["attention_mask"].numpy()}
    )
    assert np.abs(got - expected).max() < 1e-4


def test_onnx_bundle_is_self_contained(onnx_dir):
    names = sorted(p.name for p in onnx_dir.iterdir())
    assert names == ["labels.json", "meta.json", "model.onnx", "model.onnx.data", "tokenizer.json"]
    assert json.loads((onnx_dir / "labels.json").read_text())["labels"] == LABELS


def test_onnx_and_torch_predictors_agree(onnx_dir, tiny_model_dir):
    from emoai_core.inference.predict import OnnxPredictor, TorchPredictor

    texts = _random_texts(10, seed=3)
    a = OnnxPredictor(onnx_dir).predict_proba(texts)
    b = TorchPredictor(tiny_model_dir).predict_proba(texts)
    assert a.shape == (10, 6) and np.allclose(a.sum(axis=1), 1.0)
    assert np.abs(a - b).max() < 1e-5


def test_length_buckets_cover_every_text_once_and_bound_padding():
    from emoai_core.inference.predict import length_buckets

    rng = random.Random(7)
    lengths = [rng.randint(2, 80) for _ in range(300)]
    groups = length_buckets(lengths, max_batch=16, waste=1.3)
    assert sorted(i for g in groups for i in g) == list(range(300))
    for group in groups:
        assert len(group) <= 16
        sizes = [lengths[i] for i in group]
        assert len(group) == 1 or len(group) * max(sizes) <= 1.3 * sum(sizes)
    assert length_buckets([]) == []
    assert length_buckets([5, 5, 5], max_batch=2) == [[0, 1], [2]]


def test_bucketed_onnx_predictions_equal_one_text_at_a_time(onnx_dir):
    from emoai_core.inference.predict import OnnxPredictor

    predictor = OnnxPredictor(onnx_dir)
    texts = _random_texts(40, seed=11) + ["", "   "]
    together = predictor.predict_proba(texts)
    alone = np.concatenate([predictor.predict_proba([t]) for t in texts])
    assert together.shape == (42, 6) and np.abs(together - alone).max() < 1e-5
    assert predictor.predict_proba([]).shape == (0, 6)


def test_hf_export_loads_in_a_plain_pipeline_with_label_names(tiny_model_dir, tmp_path, cli):
    from transformers import pipeline

    out = tmp_path / "hf"
    result = cli("export", "--model-dir", tiny_model_dir, "--format", "hf", "--output", out)
    assert result.exit_code == 0, result.stderr
    pipe = pipeline("text-classification", model=str(out))
    texts = _random_texts(5, seed=9)
    labels = [r["label"] for r in pipe(texts)]
    assert set(labels) <= set(LABELS)
    ours = json.loads(cli("predict", "--model-dir", out, "--json", *texts).stdout)
    assert [p["label"] for p in ours] == labels


def test_predict_json_and_top_k(cli, onnx_dir):
    result = cli("predict", "--model-dir", onnx_dir, "--json", "--top-k", "2", "i feel great", "so scared")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [r["text"] for r in rows] == ["i feel great", "so scared"]
    assert all(len(r["probabilities"]) == 2 and r["label"] in LABELS for r in rows)
    assert rows[0]["score"] == max(rows[0]["probabilities"].values())


def test_predict_renders_bars(cli, onnx_dir):
    result = cli("predict", "--model-dir", onnx_dir, "i feel great")
    assert result.exit_code == 0
    assert "i feel great" in result.stdout and "█" in result.stdout
    assert sum(label in result.stdout for label in LABELS) == 6


def test_predict_from_stdin_and_files(cli, onnx_dir, tmp_path):
    piped = cli("predict", "--model-dir", onnx_dir, "--json", "-", input="one\n\ntwo\n")
    assert [r["text"] for r in json.loads(piped.stdout)] == ["one", "two"]
    (tmp_path / "t.txt").write_text("a line\nanother line\n")
    (tmp_path / "t.csv").write_text("id,sentence\n1,hello there\n2,bye now\n")
    (tmp_path / "t.jsonl").write_text('{"body": "x y"}\n{"body": "z"}\n')
    for path, col, expected in (
        (tmp_path / "t.txt", "text", ["a line", "another line"]),
        (tmp_path / "t.csv", "sentence", ["hello there", "bye now"]),
        (tmp_path / "t.jsonl", "body", ["x y", "z"]),
    ):
        result = cli("predict", "--model-dir", onnx_dir, "--json", "--file", path, "--text-col", col)
        assert result.exit_code == 0, result.stderr
        assert [r["text"] for r in json.loads(result.stdout)] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "no text given"),
        (("fine", "   "), "text 2 is empty"),
        (("--file", "/nonexistent/texts.txt"), "file not found"),
    ],
)
def test_predict_bad_input(cli, onnx_dir, args, message):
    result = cli("predict", "--model-dir", onnx_dir, *args)
    assert result.exit_code == 2 and message in result.stderr, result.stderr


def test_predict_missing_column(cli, onnx_dir, tmp_path):
    (tmp_path / "t.csv").write_text("id,sentence\n1,hello\n")
    result = cli("predict", "--model-dir", onnx_dir, "--file", tmp_path / "t.csv")
    assert result.exit_code == 2
    assert "no column 'text' (columns found: id, sentence)" in result.stderr and "--text-col" in result.stderr


def test_predict_unknown_model_dir(cli, tmp_path):
    result = cli("predict", "--model-dir", tmp_path / "nope", "hi")
    assert result.exit_code == 2 and "model folder not found" in result.stderr


def test_predict_without_promoted_model_says_how_to_promote(cli):
    result = cli("predict", "i feel great")
    assert result.exit_code == 2
    assert "no promoted model yet" in result.stderr and "emoai runs promote" in result.stderr


def test_predict_unknown_run_and_alias(cli):
    run = cli("predict", "--run", "nosuchrun", "hi")
    assert run.exit_code == 2 and "no run matches 'nosuchrun'" in run.stderr
    alias = cli("predict", "--alias", "staging", "hi")
    assert alias.exit_code == 2 and "no model has the alias 'staging'" in alias.stderr


def test_export_bad_format(cli, tiny_model_dir, tmp_path):
    result = cli("export", "--model-dir", tiny_model_dir, "--format", "tflite", "--output", tmp_path / "x")
    assert result.exit_code == 2 and "unknown format 'tflite'" in result.stderr


def test_default_predict_path_loads_no_heavy_library(tiny_model_dir, emoai_home):
    """`emoai predict` on the promoted local copy: tokenizers + onnxruntime only."""
    from emoai_core.model.export import build_local_copy

    build_local_copy(
        tiny_model_dir,
        emoai_home / "models" / "production",
        {"run_id": "r" * 32, "version": "1", "max_length": 64},
    )
    code = (
        "import json, sys\n"
        "from emoai_cli.main import app\n"
        "try:\n    app(['predict', '--json', 'i feel great'])\n"
        "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "heavy = [m for m in ('torch', 'transformers', 'ray', 'mlflow', 'datasets', 'sklearn', 'pandas') if m in sys.modules]\n"
        "print('HEAVY=' + json.dumps(heavy), file=sys.stderr)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "EMOAI_HOME": str(emoai_home)},
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)[0]["label"] in LABELS
    heavy = [line for line in proc.stderr.splitlines() if line.startswith("HEAVY=")][0]
    assert json.loads(heavy[6:]) == []


@pytest.mark.slow
def test_predict_output_file_through_ray(cli, ray_session, onnx_dir, tmp_path):
    texts = _random_texts(300, seed=5)
    (tmp_path / "in.txt").write_text("\n".join(texts) + "\n")
    out = tmp_path / "out.jsonl"
    result = cli("predict", "--model-dir", onnx_dir, "--file", tmp_path / "in.txt", "--output", out)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["text"] for r in rows] == texts  # order kept
    from emoai_core.inference.predict import OnnxPredictor

    direct = OnnxPredictor(onnx_dir).predict_proba(texts[:20]).argmax(axis=1)
    assert [r["label"] for r in rows[:20]] == [LABELS[i] for i in direct]


def test_standalone_predict_exits_fast_with_its_output_flushed(onnx_dir, emoai_home):
    """`emoai predict` leaves with os._exit after writing: a pipe must still get every byte."""
    texts = [f"text number {i}" for i in range(12)]  # more than FEW_TEXTS: the thread-pool path too
    proc = subprocess.run(
        [sys.executable, "-m", "emoai_cli.main", "predict", "--model-dir", str(onnx_dir), "--json", *texts],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert [row["text"] for row in json.loads(proc.stdout)] == texts


def test_one_shot_session_gives_the_same_answers(onnx_dir):
    from emoai_core.inference.predict import OnnxPredictor

    texts = _random_texts(6, seed=5)
    full = OnnxPredictor(onnx_dir).predict_proba(texts)
    quick = OnnxPredictor(onnx_dir, one_shot=True)
    assert quick.session.get_session_options().intra_op_num_threads == 1
    assert np.abs(quick.predict_proba(texts) - full).max() < 1e-5
