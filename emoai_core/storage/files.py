"""Files and folders on the shared storage: exists, read, write, upload, download (verified), list, delete.

Every call names paths relative to the storage root. A download named with a sha256 is checked
before it is moved into place, so a damaged or half-written object never reaches a cache.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from emoai_core.base.errors import EmoaiError, UnreachableError
from emoai_core.storage.location import Storage

CHUNK = 1 << 20


def _reach(storage: Storage, action: str, exc: BaseException) -> EmoaiError:
    text = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, FileNotFoundError):
        return EmoaiError(f"{action}: not found on {storage.uri}: {text}")
    return UnreachableError(
        f"cannot reach the storage {storage.uri} ({action}): {text}",
        "check the URI, the credentials (AWS_PROFILE / AWS_ACCESS_KEY_ID, instance role) and "
        "AWS_ENDPOINT_URL for S3-compatible stores",
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def exists(storage: Storage, rel: str) -> bool:
    import pyarrow.fs as pafs

    try:
        return storage.filesystem().get_file_info(storage.path(rel)).type != pafs.FileType.NotFound
    except OSError as exc:
        raise _reach(storage, f"looking for {rel}", exc) from None


def read_bytes(storage: Storage, rel: str) -> bytes:
    try:
        with storage.filesystem().open_input_stream(storage.path(rel)) as fh:
            return fh.read()
    except OSError as exc:
        raise _reach(storage, f"reading {rel}", exc) from None


def write_bytes(storage: Storage, rel: str, data: bytes) -> None:
    """Write one object; on a local folder through a temporary name, so readers never see half of it."""
    fs = storage.filesystem()
    target = storage.path(rel)
    try:
        fs.create_dir(target.rsplit("/", 1)[0], recursive=True)
        tmp = target if storage.scheme != "file" else f"{target}.tmp-{os.getpid()}"
        with fs.open_output_stream(tmp) as fh:
            fh.write(data)
        if tmp != target:
            fs.move(tmp, target)
    except OSError as exc:
        raise _reach(storage, f"writing {rel}", exc) from None


def upload(storage: Storage, local: Path, rel: str) -> None:
    import pyarrow.fs as pafs

    fs = storage.filesystem()
    target = storage.path(rel)
    try:
        fs.create_dir(target.rsplit("/", 1)[0], recursive=True)
        pafs.copy_files(str(local), target, source_filesystem=pafs.LocalFileSystem(), destination_filesystem=fs)
    except OSError as exc:
        raise _reach(storage, f"uploading {rel}", exc) from None


def download(storage: Storage, rel: str, local: Path, sha256: str | None = None) -> Path:
    """Copy `rel` to `local`; with `sha256`, the copy must hash to it or nothing is kept."""
    local = Path(local)
    local.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{local.name}.", dir=local.parent)
    digest = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out, storage.filesystem().open_input_stream(storage.path(rel)) as src:
            while block := src.read(CHUNK):
                digest.update(block)
                out.write(block)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _reach(storage, f"downloading {rel}", exc) from None
    if sha256 and digest.hexdigest() != sha256:
        Path(tmp).unlink(missing_ok=True)
        raise EmoaiError(
            f"{storage.uri_of(rel)} does not match its recorded sha256 (got {digest.hexdigest()[:12]}…, "
            f"expected {sha256[:12]}…)",
            "the stored copy is damaged: push it again from a machine that has it (emoai data push)",
        )
    os.replace(tmp, local)
    return local


def list_names(storage: Storage, rel: str, recursive: bool = False) -> list[str]:
    """Names under `rel` (relative to it): its direct entries, or every file when `recursive`."""
    import pyarrow.fs as pafs

    base = storage.path(rel)
    try:
        infos = storage.filesystem().get_file_info(pafs.FileSelector(base, allow_not_found=True, recursive=recursive))
    except OSError as exc:
        raise _reach(storage, f"listing {rel}", exc) from None
    keep = (lambda i: i.type == pafs.FileType.File) if recursive else (lambda i: True)
    return sorted(i.path[len(base) :].lstrip("/") for i in infos if keep(i))


def delete_tree(storage: Storage, rel: str) -> bool:
    """Remove `rel` and everything under it; False when there was nothing."""
    if not exists(storage, rel):
        return False
    try:
        storage.filesystem().delete_dir(storage.path(rel))
    except OSError as exc:
        raise _reach(storage, f"deleting {rel}", exc) from None
    return True
