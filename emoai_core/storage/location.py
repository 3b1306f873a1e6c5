"""One storage URI, parsed: where every shared thing lives under it, and the pyarrow filesystem that reaches it.

`s3://bucket/prefix` takes endpoint, region and credentials the standard way (AWS_* variables,
profiles, instance roles; `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` for S3-compatible stores) and
also accepts pyarrow's own query options (`?endpoint_override=http://host:port&region=…`).
`gs://bucket/prefix` uses Google's default credentials; `file:///shared/path` is a folder every
machine mounts (NFS). The layout under the root is written here once:

    data/<name>/<version>/       a data version (manifest.json last: it marks the upload complete)
    base-models/<sha256>/        a base model folder a job was told to start from
    ray/                         Ray Train's storage_path (checkpoints, run results)
    mlflow/                      MLflow's artifacts (models), when a tracking server stores them here
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from emoai_core.base.errors import UsageError
from emoai_core.base.settings import load_settings

if TYPE_CHECKING:
    import pyarrow.fs

SCHEMES = ("s3", "gs", "file")
DATA = "data"
BASE_MODELS = "base-models"
RAY = "ray"
MLFLOW = "mlflow"
S3_OPTIONS = ("endpoint_override", "region", "scheme")
ENDPOINT_VARS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")
HINT = "use s3://bucket/prefix, gs://bucket/prefix or file:///absolute/path (--storage or EMOAI_STORAGE)"


@dataclass(frozen=True)
class Storage:
    """A parsed storage URI: `scheme`, the root as a filesystem path, and S3 options from the query."""

    uri: str  # as given, without its query
    scheme: str
    root: str  # bucket/prefix (s3, gs) or /absolute/path (file)
    options: dict[str, str] = field(default_factory=dict)

    @property
    def spec(self) -> str:
        """The URI with its options: what another process needs to reach the same storage."""
        from urllib.parse import urlencode

        return self.uri + (f"?{urlencode(self.options, safe=':/')}" if self.options else "")

    def path(self, *parts: str) -> str:
        """The filesystem path of `parts` under the root."""
        return "/".join([self.root.rstrip("/"), *(p.strip("/") for p in parts if p)])

    def uri_of(self, *parts: str) -> str:
        """The full URI of `parts` under the root (what Ray, MLflow and the user see)."""
        return "/".join([self.uri.rstrip("/"), *(p.strip("/") for p in parts if p)])

    @property
    def endpoint(self) -> str | None:
        """The S3 endpoint override, from the URI or the standard variables (None: AWS itself)."""
        if self.scheme != "s3":
            return None
        return self.options.get("endpoint_override") or next(
            (os.environ[v] for v in ENDPOINT_VARS if os.environ.get(v)), None
        )

    def filesystem(self) -> pyarrow.fs.FileSystem:
        """The pyarrow filesystem (picklable: Ray ships it to every node, which uses its own credentials)."""
        import pyarrow.fs as pafs

        if self.scheme == "file":
            return pafs.LocalFileSystem()
        if self.scheme == "gs":
            return pafs.GcsFileSystem()
        kwargs: dict[str, str] = {}
        endpoint = self.endpoint
        if endpoint:
            kwargs["endpoint_override"] = endpoint
            if endpoint.startswith("http://"):
                kwargs["scheme"] = "http"
        region = self.options.get("region") or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region:
            kwargs["region"] = region
        if self.options.get("scheme"):
            kwargs["scheme"] = self.options["scheme"]
        return pafs.S3FileSystem(**kwargs)


def parse(uri: str) -> Storage:
    """A `Storage` for `uri`, or a UsageError saying what a storage URI looks like."""
    text = (uri or "").strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UsageError(f"unsupported storage URI '{text}'", HINT)
    options = dict(parse_qsl(parts.query))
    unknown = sorted(set(options) - set(S3_OPTIONS)) if scheme == "s3" else sorted(options)
    if unknown:
        raise UsageError(f"storage URI '{text}': unknown option {unknown[0]!r}", f"s3 options: {', '.join(S3_OPTIONS)}")
    base = text.split("?", 1)[0].rstrip("/")
    if scheme == "file":
        if parts.netloc not in ("", "localhost") or not parts.path.startswith("/"):
            raise UsageError(f"storage URI '{text}' is not an absolute file path", "write file:///absolute/path")
        return Storage(f"file://{parts.path.rstrip('/') or '/'}", "file", parts.path.rstrip("/") or "/", {})
    if not parts.netloc:
        raise UsageError(f"storage URI '{text}' names no bucket", HINT)
    root = (parts.netloc + parts.path).rstrip("/")
    return Storage(base, scheme, root, options)


def storage_for(uri: str) -> Storage:
    """`uri` as a storage; under the configured storage's root it keeps that storage's options (endpoint)."""
    given = parse(uri)
    mine = configured()
    if mine is not None and not given.options and (given.uri + "/").startswith(mine.uri + "/"):
        return Storage(given.uri, given.scheme, given.root, dict(mine.options))
    return given


def configured(uri: str | None = None) -> Storage | None:
    """The storage this process uses: `uri`, else EMOAI_STORAGE, else the cluster's (None: no storage)."""
    uri = uri or load_settings().storage
    return parse(uri) if uri else None


def required(uri: str | None = None, why: str = "this needs a shared storage") -> Storage:
    found = configured(uri)
    if found is None:
        raise UsageError(
            f"{why}, and none is configured",
            "pass --storage s3://bucket/prefix (or gs://…, file:///shared/path), set EMOAI_STORAGE, "
            "or name 'storage:' in cluster_env.yaml",
        )
    return found
