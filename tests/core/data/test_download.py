"""emoai_core.data.download: http(s) sources against a real local HTTP server — files, folder URLs,
progress, and failures (404, a server dropping mid-body, nobody listening, Ctrl-C) that leave nothing."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fixtures import LABELS, make_rows, write_jsonl

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.base.events import ProgressEvent
from emoai_core.data.download import downloaded, url_file_name
from emoai_core.data.pull import pull


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["text", "label"])
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(json.dumps(r) + "\n" for r in rows).encode()


class Server:
    """Serves `files` (path -> bytes); `/drop/*` promises more bytes than it sends, `/boom/*` is a 500."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        files, requests = self.files, self.requests

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                requests.append(self.path)
                if self.path.startswith("/boom/"):
                    self.send_error(500, "Internal Server Error")
                    return
                body = files.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404, "Not Found")
                    return
                self.send_response(200)
                dropping = self.path.startswith("/drop/")
                self.send_header("Content-Length", str(len(body) * 4 if dropping else len(body)))
                self.end_headers()
                self.wfile.write(body)
                if dropping:
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server() -> Iterator[Server]:
    with Server() as srv:
        yield srv


def _leftovers(home: Path) -> list[Path]:
    """Anything a failed pull could leave: versions, half-written folders, downloads."""
    found = []
    for root in (home / "data", home / "cache" / "downloads"):
        if root.exists():
            found += list(root.rglob("*"))
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_csv_url_is_downloaded_with_progress_and_hashed_like_a_local_file(server, tmp_path, emoai_home):
    rows = make_rows(60)
    server.files["/data/emotions.csv"] = _csv(rows)
    events: list[object] = []

    dv = pull(f"{server.url}/data/emotions.csv?download=1", on_event=events.append).version

    assert dv.name == "emotions" and dv.rows == {"train": 48, "validation": 6, "test": 6}
    assert dv.manifest["source"] == f"{server.url}/data/emotions.csv?download=1"
    assert dv.manifest["source_kind"] == "url"
    local = tmp_path / "emotions.csv"
    local.write_bytes(server.files["/data/emotions.csv"])
    assert pull(str(local)).version.version == dv.version  # content-addressed, wherever it came from
    progress = [e for e in events if isinstance(e, ProgressEvent) and e.task == "download emotions.csv"]
    size = len(server.files["/data/emotions.csv"])
    assert progress[0].completed == 0 and progress[-1].completed == progress[-1].total == size
    assert not (emoai_home / "cache" / "downloads").exists()  # read, then removed


def test_a_folder_url_finds_its_split_files_and_label_names(server, cli, emoai_home):
    ids = [{"text": r["text"], "label": LABELS.index(r["label"])} for r in make_rows(120)]
    server.files["/go/train.jsonl"] = _jsonl(ids)
    server.files["/go/dev.csv"] = _csv(
        [{"text": r["text"], "label": r["label"]} for r in make_rows(30, seed=1)]
    )
    server.files["/go/test.parquet"] = _parquet(make_rows(30, seed=2))
    server.files["/go/labels.txt"] = "\n".join(LABELS).encode()

    result = cli("data", "pull", f"{server.url}/go/", "--json")

    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    assert info["name"] == "go" and info["labels"] == LABELS  # ids mapped through the served labels.txt
    assert info["rows"] == {"train": 120, "validation": 30, "test": 30}
    assert "/go/validation.jsonl" in server.requests and "/go/dev.csv" in server.requests
    assert not (emoai_home / "cache" / "downloads").exists()  # the temporary folder is gone


def test_a_folder_url_with_train_and_test_only_gets_a_carved_validation_split(server):
    server.files["/tt/train.csv"] = _csv(make_rows(200))
    server.files["/tt/test.csv"] = _csv(make_rows(40, seed=1))

    dv = pull(f"{server.url}/tt/").version

    assert dv.rows == {"train": 180, "validation": 20, "test": 40}
    assert dv.manifest["split_strategy"].startswith("validation carved from train: 10%")


def _parquet(rows: list[dict]) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(pa.table({"text": [r["text"] for r in rows], "label": [r["label"] for r in rows]}), buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- failures leave nothing


def _failed_pull(cli, home: Path, url: str, code: int) -> str:
    result = cli("data", "pull", url)
    assert result.exit_code == code, (result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ") and result.stderr.count("Error:") == 1
    assert "Hint: " in result.stderr and "Traceback" not in result.stderr
    assert _leftovers(home) == []
    return result.stderr


def test_a_404_is_a_usage_error(server, cli, emoai_home):
    err = _failed_pull(cli, emoai_home, f"{server.url}/missing.csv", 2)
    assert f"Error: {server.url}/missing.csv: HTTP 404 Not Found" in err


def test_a_server_error_is_unreachable(server, cli, emoai_home):
    err = _failed_pull(cli, emoai_home, f"{server.url}/boom/data.csv", 3)
    assert "HTTP 500" in err


def test_a_server_dropping_mid_body_is_unreachable_and_leaves_nothing(server, cli, emoai_home):
    server.files["/drop/train.csv"] = _csv(make_rows(200))
    err = _failed_pull(cli, emoai_home, f"{server.url}/drop/train.csv", 3)
    assert f"download of {server.url}/drop/train.csv broke off after" in err


def test_nobody_listening_is_unreachable(cli, emoai_home):
    err = _failed_pull(cli, emoai_home, f"http://127.0.0.1:{_free_port()}/data.csv", 3)
    assert "cannot reach http://127.0.0.1:" in err


def test_a_folder_url_without_a_train_file(server, cli, emoai_home):
    server.files["/nothing/test.csv"] = _csv(make_rows(10))
    err = _failed_pull(cli, emoai_home, f"{server.url}/nothing/", 2)
    assert f"no train split at {server.url}/nothing/ (tried train.jsonl, train.csv" in err


def test_a_url_without_a_data_suffix_is_refused_before_any_request(server, cli, emoai_home):
    err = _failed_pull(cli, emoai_home, f"{server.url}/download?id=3", 2)
    assert "cannot tell the format of" in err and server.requests == []


def test_other_url_schemes_are_refused(cli, emoai_home):
    err = _failed_pull(cli, emoai_home, "ftp://example.org/data.csv", 2)
    assert "cannot read 'ftp://' URLs" in err


def test_ctrl_c_during_a_download_leaves_nothing(server, cli, emoai_home, monkeypatch):
    from emoai_core.data import download

    server.files["/big/train.jsonl"] = _jsonl(make_rows(3000))
    monkeypatch.setattr(download, "CHUNK", 1024)
    real_emit = download.emit

    def interrupt_mid_body(on_event, event):
        real_emit(on_event, event)
        if isinstance(event, ProgressEvent) and event.completed > 4096:
            raise KeyboardInterrupt

    monkeypatch.setattr(download, "emit", interrupt_mid_body)
    result = cli("data", "pull", f"{server.url}/big/train.jsonl")

    assert result.exit_code == 130 and "interrupted" in result.stderr
    assert _leftovers(emoai_home) == []


def test_the_temporary_folder_goes_whatever_happens_inside(server, emoai_home):
    server.files["/f/train.csv"] = b"text,label\na,joy\n"
    with pytest.raises(RuntimeError), downloaded(f"{server.url}/f/train.csv") as path:
        assert path.read_bytes() == b"text,label\na,joy\n"
        raise RuntimeError("reading failed")
    assert _leftovers(emoai_home) == []


def test_core_errors_carry_their_exit_codes(server):
    with pytest.raises(UsageError), downloaded(f"{server.url}/missing/train.csv"):
        pass
    with pytest.raises(UnreachableError), downloaded(f"http://127.0.0.1:{_free_port()}/x/"):
        pass


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("https://h/a/b%20c.csv?raw=1", "b c.csv"),
        ("https://h/a/", ""),
        ("http://h/data.parquet#x", "data.parquet"),
    ],
)
def test_url_file_name(url, name):
    assert url_file_name(url) == name


def test_a_local_path_named_like_a_url_segment_stays_local(tmp_path):
    path = write_jsonl(tmp_path / "http:" / "train.jsonl", make_rows(20))
    assert pull(str(path)).version.manifest["source_kind"] == "file"
