"""How a server runs: replicas, resources, batching, address, limits and the token."""

from __future__ import annotations

from dataclasses import dataclass

from emoai_core.base.errors import UsageError

INGRESS_MODES = ("auto", "haproxy", "proxy")  # serving/ingress.py


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
        if problems:
            raise UsageError("; ".join(problems))
