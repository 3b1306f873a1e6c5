"""Data versions on the shared storage: push one, pull one back (verified), find one where it is.

A version is content-addressed, so it is uploaded once: `push` skips a version whose manifest is
already there. The manifest goes last and marks the upload complete; `pull_from` downloads every
split, checks it against the manifest's sha256, and only then makes the local version appear.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from emoai_core.base.errors import NotFoundError, UsageError
from emoai_core.base.events import ProgressEvent, emit
from emoai_core.data.versions import MANIFEST, DataVersion, is_stored, load_version, resolve_version
from emoai_core.storage.location import DATA, Storage, configured, required, storage_for


@dataclass(frozen=True)
class Transfer:
    version: DataVersion
    storage_uri: str  # where the version lives on the storage
    copied: bool  # False: it was already there


def _rel(name: str, version: str) -> str:
    return f"{DATA}/{name}/{version}"


def is_pushed(storage: Storage, name: str, version: str) -> bool:
    from emoai_core.storage.files import exists

    return exists(storage, f"{_rel(name, version)}/{MANIFEST}")


def push(ref: str | None, storage: Storage | None = None, on_event: Callable | None = None) -> Transfer:
    """Upload a local data version to the storage unless it is there already."""
    from emoai_core.storage.files import upload, write_bytes

    storage = storage or required(why="'data push' copies a data version to the shared storage")
    dv = resolve_version(ref)
    rel = _rel(dv.name, dv.version)
    if is_pushed(storage, dv.name, dv.version):
        return Transfer(dv, storage.uri_of(rel), False)
    splits = dv.manifest["splits"]
    for i, info in enumerate(splits.values()):
        upload(storage, dv.path / info["file"], f"{rel}/{info['file']}")
        emit(on_event, ProgressEvent("push", i + 1, len(splits) + 1, f"uploading {info['file']}"))
    write_bytes(storage, f"{rel}/{MANIFEST}", (dv.path / MANIFEST).read_bytes())
    emit(on_event, ProgressEvent("push", len(splits) + 1, len(splits) + 1, "uploading manifest"))
    return Transfer(dv, storage.uri_of(rel), True)


def split_target(target: str) -> tuple[Storage, str]:
    """`URI/NAME@VERSION` → (its storage, NAME@VERSION); a bare `NAME@VERSION` uses the configured storage."""
    if "://" not in target:
        return required(why=f"pulling {target} from the shared storage"), target
    uri, _, ref = target.rstrip("/").rpartition("/")
    if "@" not in ref or not uri or uri.endswith(":/"):
        raise UsageError(
            f"'{target}' names no data version", "write URI/NAME@VERSION, e.g. s3://bucket/emoai/emotion@3f2a9c1b"
        )
    if uri.split("?", 1)[0].rstrip("/").endswith(f"/{DATA}"):
        uri = uri.split("?", 1)[0].rstrip("/").rsplit("/", 1)[0]  # URI/data/NAME@VERSION names the same version
    storage = storage_for(uri)
    return storage, ref


def remote_versions(storage: Storage, name: str) -> list[str]:
    from emoai_core.storage.files import list_names

    return [v for v in list_names(storage, f"{DATA}/{name}") if is_pushed(storage, name, v)]


def _find(storage: Storage, ref: str) -> tuple[str, str]:
    name, _, version = ref.strip().partition("@")
    if not name or not version:
        raise UsageError(f"'{ref}' is not NAME@VERSION", "name the version to pull, e.g. emotion@3f2a9c1b")
    found = [v for v in remote_versions(storage, name) if v.startswith(version)]
    if len(found) == 1:
        return name, found[0]
    if not found:
        raise NotFoundError(
            f"{name}@{version} is not on {storage.uri}",
            f"push it from a machine that has it: emoai data push {name}@{version} --storage {storage.uri}",
        )
    raise UsageError(f"version prefix '{version}' of {name} is ambiguous on {storage.uri}", "use more characters")


def pull_from(target: str, on_event: Callable | None = None) -> Transfer:
    """Download `URI/NAME@VERSION` (or NAME@VERSION from the configured storage) into EMOAI_HOME."""
    storage, ref = split_target(target)
    name, version = _find(storage, ref)
    rel = _rel(name, version)
    if is_stored(name, version):
        return Transfer(load_version(name, version), storage.uri_of(rel), False)
    return Transfer(fetch(storage, name, version, on_event), storage.uri_of(rel), True)


def fetch(storage: Storage, name: str, version: str, on_event: Callable | None = None) -> DataVersion:
    """Download one version: every split verified against the manifest's sha256, then made visible."""
    from emoai_core.base.atomic import atomic_dir
    from emoai_core.base.settings import paths
    from emoai_core.storage.files import download, read_bytes

    rel = _rel(name, version)
    raw = read_bytes(storage, f"{rel}/{MANIFEST}")
    manifest = json.loads(raw)
    splits = manifest.get("splits", {})
    with atomic_dir(paths().data_version(name, version)) as tmp:
        for i, info in enumerate(splits.values()):
            download(storage, f"{rel}/{info['file']}", tmp / info["file"], info.get("sha256"))
            emit(on_event, ProgressEvent("pull", i + 1, len(splits), f"downloading {info['file']}"))
        (tmp / MANIFEST).write_bytes(raw)
    return load_version(name, version)


def resolve_anywhere(ref: str | None) -> DataVersion:
    """A local version, else (a full NAME@VERSION on a configured storage) one fetched into the cache.

    A job on a cluster starts with an empty EMOAI_HOME: the version the laptop pushed is found here.
    """
    try:
        return resolve_version(ref)
    except NotFoundError:
        storage = configured()
        if storage is None or not ref or "@" not in ref:
            raise
        return pull_from(ref).version
