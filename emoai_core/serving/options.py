"""How a server runs: replicas, resources, batching, address, limits and the token.

Safe by default: a server reachable from other machines (any host but loopback) needs a token,
unless the user says `--allow-unauthenticated`. The token can come from a file or the environment,
so it need not sit on a command line where `ps` shows it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from emoai_core.base.errors import UsageError

INGRESS_MODES = ("auto", "haproxy", "proxy")  # serving/ingress.py

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def is_loopback(host: str) -> bool:
    """Only this machine can reach `host` (127.0.0.0/8, ::1, localhost); 0.0.0.0 is every interface."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def read_token(token: str | None, token_file: Path | None) -> str | None:
    """The token from `--token` / EMOAI_SERVE_TOKEN, or from the first line of `--token-file`."""
    if token is not None and token_file is not None:
        raise UsageError("pass --token or --token-file, not both")
    if token_file is not None:
        try:
            lines = Path(token_file).read_text().splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read the token file {token_file}: {exc.__class__.__name__}") from None
        token = lines[0] if lines else ""
        if not token.strip():
            raise UsageError(f"the token file {token_file} is empty", "write the token on its first line")
    if token is not None and not token.strip():
        raise UsageError("the token is empty", "pass a non-empty --token, --token-file or EMOAI_SERVE_TOKEN")
    return token.strip() if token is not None else None


@dataclass
class ServeOptions:
    replicas: int = 1
    cpus_per_replica: float = 1.0
    gpus_per_replica: float = 0.0
    max_batch_size: int = 32  # texts one model call takes from the queue (it never waits to fill)
    batch_wait_ms: float = 0.0  # >0: wait this long for a batch to fill (bench/serve_load.py: 0 wins)
    host: str = "127.0.0.1"
    port: int = 8000
    token: str | None = None
    max_text_chars: int = 2000
    max_batch_texts: int = 256
    ingress: str = "auto"  # auto | haproxy | proxy (serving/ingress.py)
    log_texts: bool = False  # the prediction log keeps the texts themselves
    allow_unauthenticated: bool = False
    max_body_bytes: int | None = None  # None: what the largest allowed request needs (contract.max_body_bytes)

    @property
    def body_limit(self) -> int:
        from emoai_core.serving.contract import max_body_bytes

        return self.max_body_bytes or max_body_bytes(self.max_batch_texts, self.max_text_chars)

    def check(self) -> None:
        problems = []
        if self.replicas < 1:
            problems.append("--replicas must be at least 1")
        if self.cpus_per_replica <= 0:
            problems.append("--cpus-per-replica must be positive")
        if self.max_batch_size < 1 or self.max_batch_texts < 1 or self.max_text_chars < 1:
            problems.append("batch and text limits must be at least 1")
        if self.batch_wait_ms < 0:
            problems.append("--batch-wait-ms cannot be negative")
        if self.ingress not in INGRESS_MODES:
            problems.append(f"--ingress {self.ingress} is not one of {', '.join(INGRESS_MODES)}")
        if not 0 < self.port < 65536:
            problems.append(f"--port {self.port} is not a port number")
        if self.max_body_bytes is not None and self.max_body_bytes < 1:
            problems.append("--max-body-bytes must be at least 1")
        if problems:
            raise UsageError("; ".join(problems))
        if not self.token and not self.allow_unauthenticated and not is_loopback(self.host):
            raise UsageError(
                f"refusing to serve on {self.host} without a token: anyone who reaches it could use the model",
                "pass --token-file FILE (or set EMOAI_SERVE_TOKEN), or --allow-unauthenticated if you mean it",
            )
