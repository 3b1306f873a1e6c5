"""Content-addressed folders on the shared storage (a base model a job starts from): pushed once, fetched verified.

A folder is named by the sha256 of its file list and contents and carries an `index.json` of
every file's sha256, written last, so a fetch knows the upload completed and checks every file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from emoai_core.base.errors import UsageError
from emoai_core.storage.location import BASE_MODELS, SCHEMES, Storage, storage_for

INDEX = "index.json"
DIGEST_CHARS = 16


def is_storage_uri(text: str | None) -> bool:
    return bool(text) and text.split("://", 1)[0].lower() in SCHEMES and "://" in text


def folder_index(folder: Path) -> dict[str, str]:
    from emoai_core.storage.files import sha256_of

    files = sorted(p for p in Path(folder).rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): sha256_of(p) for p in files}


def digest_of(index: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(index, sort_keys=True).encode()).hexdigest()[:DIGEST_CHARS]


def push_folder(storage: Storage, folder: Path, prefix: str = BASE_MODELS) -> str:
    """Upload `folder` unless the same content is there; returns its URI on the storage."""
    from emoai_core.storage.files import exists, upload, write_bytes

    index = folder_index(folder)
    if not index:
        raise UsageError(f"{folder} holds no files to upload")
    rel = f"{prefix}/{digest_of(index)}"
    if not exists(storage, f"{rel}/{INDEX}"):
        for name in index:
            upload(storage, Path(folder) / name, f"{rel}/{name}")
        write_bytes(storage, f"{rel}/{INDEX}", json.dumps(index, indent=1).encode())
    return storage.uri_of(rel)


def fetch_folder(uri: str, cache_root: Path) -> Path:
    """The folder at `uri` in `cache_root/<its name>`, downloaded (and verified) once."""
    from emoai_core.base.atomic import atomic_dir
    from emoai_core.storage.files import download, read_bytes

    base, _, name = uri.rstrip("/").rpartition("/")
    storage = storage_for(base)
    target = Path(cache_root) / name
    if (target / INDEX).is_file():
        return target
    raw = read_bytes(storage, f"{name}/{INDEX}")
    with atomic_dir(target) as tmp:
        for rel, sha in json.loads(raw).items():
            download(storage, f"{name}/{rel}", tmp / rel, sha)
        (tmp / INDEX).write_bytes(raw)
    return target
