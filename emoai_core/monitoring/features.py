"""What the monitor measures about a text: its length, its token count, its unknown-token share.

Unknown-token share, for a WordPiece tokenizer: of a text's tokens (without [CLS]/[SEP]/[PAD]),
the share whose id never occurs in the model's training split — the *training vocabulary* — with
[UNK] always counted as unknown. A WordPiece vocabulary of 30k pieces rarely answers [UNK] (German
or code splits into known fragments: 'großartig' → gr ##o ##ß ##art ##ig), so [UNK] alone would
hardly move; fragments the model never saw in training do. When the training split is not
available the training vocabulary is unknown and only [UNK] counts (`basis` says which).

Token counts are of the whole text (no truncation), so long inputs show as long.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tokenizers import Tokenizer

TRAIN = "train"  # basis: tokens never seen in the training split, plus [UNK]
UNK = "unk"  # basis: [UNK] tokens only


def plain_tokenizer(source: Tokenizer | str | Path) -> Tokenizer:
    """A copy of a `tokenizers.Tokenizer` (or one read from a tokenizer.json path) without truncation or padding."""
    from tokenizers import Tokenizer

    if isinstance(source, str | Path):
        tokenizer = Tokenizer.from_file(str(source))
    else:
        tokenizer = Tokenizer.from_str(source.to_str())
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def known_ids(tokenizer: Tokenizer, texts: Iterable[str], batch: int = 1024) -> np.ndarray:
    """The training vocabulary: a bool per token id, true where the id occurs in `texts`."""
    seen = np.zeros(tokenizer.get_vocab_size(), dtype=bool)
    chunk: list[str] = []
    for text in texts:
        chunk.append(text)
        if len(chunk) >= batch:
            _mark(tokenizer, chunk, seen)
            chunk = []
    if chunk:
        _mark(tokenizer, chunk, seen)
    unk = tokenizer.token_to_id("[UNK]")
    if unk is not None:
        seen[unk] = False
    return seen


def _mark(tokenizer: Tokenizer, texts: list[str], seen: np.ndarray) -> None:
    for encoding in tokenizer.encode_batch(texts):
        seen[[i for i, special in zip(encoding.ids, encoding.special_tokens_mask, strict=True) if not special]] = True


def pack(known: np.ndarray) -> bytes:
    """The vocabulary as bits (30,522 ids: 3.8 kB), to ship to the replicas."""
    return np.packbits(known).tobytes()


def unpack(data: bytes, size: int) -> np.ndarray:
    return np.unpackbits(np.frombuffer(data, dtype=np.uint8))[:size].astype(bool)


class TextFeatures:
    """(characters, tokens, unknown share) of texts, against a training vocabulary if given."""

    def __init__(self, tokenizer: Tokenizer, known: np.ndarray | None = None) -> None:
        self.tokenizer = plain_tokenizer(tokenizer)
        self.known = known
        self.unk_id = self.tokenizer.token_to_id("[UNK]")
        self.basis = TRAIN if known is not None else UNK

    def __call__(self, texts: Sequence[str]) -> list[tuple[int, int, float]]:
        out = []
        for text, encoding in zip(texts, self.tokenizer.encode_batch(list(texts)), strict=True):
            ids = [i for i, special in zip(encoding.ids, encoding.special_tokens_mask, strict=True) if not special]
            out.append((len(text), len(ids), self.unknown_share(ids)))
        return out

    def unknown_share(self, ids: list[int]) -> float:
        if not ids:
            return 0.0
        if self.known is None:
            unknown = sum(1 for i in ids if i == self.unk_id)
        else:
            unknown = sum(1 for i in ids if i >= len(self.known) or not self.known[i])
        return round(unknown / len(ids), 4)
