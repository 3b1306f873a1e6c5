"""http(s) sources: a URL to one data file, or a "folder" URL (ending in `/`) of split files.

Files are streamed with httpx into a temporary folder under EMOAI_HOME's cache, read like local
files, and removed afterwards — also when the download fails or is interrupted, so a failed pull
leaves nothing behind. A folder URL is probed for `train.*`, `validation.*` (or val/valid/dev) and
`test.*` with the known suffixes, and for a label-names file.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.base.events import ProgressEvent, emit
from emoai_core.base.settings import paths
from emoai_core.data.readers import FORMAT_HINT, FORMATS, LABEL_NAME_FILES, SPLIT_NAMES

CHUNK = 1 << 16
TIMEOUT = 30.0  # seconds without a byte before giving up
ABSENT = (403, 404, 410)  # probing a folder URL: these mean "no such file here"
# suffixes tried for each split of a folder URL, the common ones first
SUFFIXES = (".jsonl", ".csv", ".parquet", ".tsv", ".json", ".txt", ".ndjson")
NETWORK_HINT = "check the URL and the network, or download the files and pull the local copy"


def url_file_name(url: str) -> str:
    return unquote(urlsplit(url).path.rsplit("/", 1)[-1])


@contextlib.contextmanager
def downloaded(url: str, on_event: Callable | None = None) -> Iterator[Path]:
    """Download `url` into a temporary folder and yield the local file (or folder); always cleaned up."""
    folder_url = urlsplit(url).path.endswith("/")
    name = url_file_name(url)
    if not folder_url and Path(name).suffix.lower() not in FORMATS:
        raise UsageError(
            f"cannot tell the format of {url} from its name",
            f"a file URL ends in a data suffix ({FORMAT_HINT}); a folder URL ends with '/'",
        )
    root = paths().downloads
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="pull-", dir=root))
    try:
        import httpx

        with httpx.Client(follow_redirects=True, timeout=TIMEOUT) as client:
            if folder_url:
                _fetch_folder(client, url, tmp, on_event)
                yield tmp
            else:
                _fetch(client, url, tmp / name, on_event)
                yield tmp / name
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        with contextlib.suppress(OSError):
            root.rmdir()  # only when empty: another pull may be downloading beside us


def _candidates() -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for stem, split in SPLIT_NAMES.items():
        names.setdefault(split, []).extend(stem + suffix for suffix in SUFFIXES)
    return names


def _fetch_folder(client: object, url: str, folder: Path, on_event: Callable | None) -> None:
    for split, files in _candidates().items():
        for file in files:
            if _fetch(client, urljoin(url, file), folder / file, on_event, probing=True):
                break
        if split == "train" and not any((folder / f).exists() for f in files):
            raise UsageError(
                f"no train split at {url} (tried {', '.join(files)})",
                "a folder URL needs train.* (and validation.*/val/dev, test.*) beside it; "
                "or pass the URL of one file",
            )
    for file in LABEL_NAME_FILES:
        if _fetch(client, urljoin(url, file), folder / file, on_event, probing=True):
            break


def _fetch(client: object, url: str, target: Path, on_event: Callable | None, probing: bool = False) -> bool:
    """Stream `url` to `target`; False when probing and the server has no such file."""
    import httpx

    response = None
    try:
        with client.stream("GET", url) as response:  # type: ignore[attr-defined]
            if probing and response.status_code in ABSENT:
                return False
            _check_status(url, response)
            size = response.headers.get("content-length")
            total = (
                int(size) if size and size.isdigit() and "content-encoding" not in response.headers else None
            )
            task, label = f"download {target.name}", f"downloading {target.name}"
            emit(on_event, ProgressEvent(task, 0, total, label))
            with target.open("wb") as fh:
                for chunk in response.iter_bytes(CHUNK):
                    fh.write(chunk)
                    emit(on_event, ProgressEvent(task, response.num_bytes_downloaded, total, label))
            done = response.num_bytes_downloaded
            emit(on_event, ProgressEvent(task, done, total or done, label))
    except httpx.UnsupportedProtocol as exc:
        raise UsageError(f"cannot download {url}: {exc}", "use an http:// or https:// URL") from None
    except httpx.InvalidURL as exc:
        raise UsageError(f"invalid URL {url}: {exc}", "check the URL") from None
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ReadTimeout) as exc:
        done = response.num_bytes_downloaded if response is not None else 0
        after = f" after {done:,} bytes" if done else ""
        raise UnreachableError(f"download of {url} broke off{after} ({_reason(exc)})", NETWORK_HINT) from None
    except httpx.TransportError as exc:
        raise UnreachableError(f"cannot reach {url} ({_reason(exc)})", NETWORK_HINT) from None
    return True


def _check_status(url: str, response: object) -> None:
    code = response.status_code  # type: ignore[attr-defined]
    if code < 400:
        return
    what = f"{url}: HTTP {code} {response.reason_phrase}".rstrip()  # type: ignore[attr-defined]
    if code >= 500:
        raise UnreachableError(what, "the server failed; try again later, or pull a local copy")
    if code in (401, 403):
        raise UsageError(what, "the server refused: download the file yourself and pull the local copy")
    raise UsageError(what, "check the URL (a folder of split files ends with '/')")


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:160] if str(exc) else ""
    return text or type(exc).__name__
