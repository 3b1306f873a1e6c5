"""A cheap HTTP load generator and per-process CPU accounting, for the serving benchmarks.

The client is a minimal HTTP/1.1 keep-alive client on asyncio streams, one connection per
concurrent caller: ~0.15 ms of CPU a request, where httpx spent 3-5 ms (measured on this 2-core
machine), CPU the servers under test would otherwise lose. CPU per process comes from
/proc/<pid>/stat (utime + stime) before and after a level; the processes of a server are the
trees under its root processes, named by role; everything else on the machine is "other (not
ours)", which shows how loaded the shared machine was.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from pathlib import Path
from urllib.parse import urlsplit

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
NOT_OURS = "other (not ours)"
LOADGEN = "load generator"
ROLES = (  # first match on the process title / command line wins
    ("ray::ServeReplica", "replica"),
    ("ray::ProxyActor", "serve python proxy"),
    ("ray::HAProxyManager", "haproxy manager"),
    ("ray::ServeController", "serve controller"),
    ("uvicorn", "plain uvicorn"),
    ("gcs_server", "ray core (gcs, raylet, agents)"),
    ("raylet", "ray core (gcs, raylet, agents)"),
    ("ray", "ray core (gcs, raylet, agents)"),
)


class Connection:
    """One keep-alive HTTP/1.1 connection that POSTs JSON and reads the status and body."""

    def __init__(self, host: str, port: int, path: str, headers: dict[str, str]) -> None:
        self.host, self.port, self.path = host, port, path
        self.extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (
            f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            f"Content-Type: application/json\r\n{self.extra}Content-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode() + body)
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in fields:
            data = await self.reader.readexactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                data += chunk[:-2]
        else:
            data = await self.reader.read()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def _level(url: str, texts: list[str], requests: int, concurrency: int, headers: dict[str, str]) -> dict:
    parts = urlsplit(url)
    bodies = [json.dumps({"text": t}).encode() for t in texts]
    latencies: list[float] = []
    errors: list[str] = []
    counter = iter(range(requests))

    async def caller() -> None:
        conn = Connection(parts.hostname or "127.0.0.1", parts.port or 80, parts.path or "/", headers)
        for i in counter:
            start = time.perf_counter()
            try:
                status, data = await conn.post(bodies[i % len(bodies)])
                if status != 200:
                    errors.append(f"{status} {data[:120]!r}")
            except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(repr(exc)[:120])
                conn.close()
            latencies.append(time.perf_counter() - start)
        conn.close()

    start = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    wall = time.perf_counter() - start
    cuts = statistics.quantiles(latencies * 2 if len(latencies) < 2 else latencies, n=100)
    return {
        "req_per_s": round(requests / wall, 1),
        "p50_ms": round(cuts[49] * 1e3, 1),
        "p99_ms": round(cuts[98] * 1e3, 1),
        "errors": len(errors),
        "error_samples": errors[:3],
        "wall_s": round(wall, 2),
    }


def run_level(url: str, texts: list[str], requests: int, concurrency: int, headers: dict[str, str] | None = None) -> dict:
    return asyncio.run(_level(url, texts, requests, concurrency, headers or {}))


def _processes() -> dict[int, tuple[int, float, str]]:
    """pid -> (parent pid, CPU seconds so far, title or command line)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        except (OSError, ValueError):
            continue
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmd or comm)
    return found


def _role(pid: int, cmd: str) -> str:
    if pid == os.getpid():
        return LOADGEN
    if cmd.split(" ")[0].endswith("haproxy"):
        return "haproxy"
    return next((role for fragment, role in ROLES if fragment in cmd), "ours: " + cmd[:40])


def snapshot(roots: list[int]) -> dict[tuple[int, str], float]:
    """CPU seconds of every process, keyed by (pid, role); processes outside the roots' trees are not ours."""
    procs = _processes()
    ours = set(roots) | {os.getpid()}
    grew = True
    while grew:
        grew = False
        for pid, (ppid, _, _) in procs.items():
            if pid not in ours and ppid in ours:
                ours.add(pid)
                grew = True
    return {(pid, _role(pid, cmd) if pid in ours else NOT_OURS): cpu for pid, (_, cpu, cmd) in procs.items()}


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """CPU milliseconds per request by role, largest first."""
    by_role: dict[str, float] = {}
    for key, cpu in after.items():
        by_role[key[1]] = by_role.get(key[1], 0.0) + cpu - before.get(key, 0.0)
    return {k: round(1e3 * v / requests, 2) for k, v in sorted(by_role.items(), key=lambda kv: -kv[1]) if v > 0.004}


def processes_naming(fragment: str) -> list[int]:
    """Processes whose command line names `fragment` (e.g. a Ray head's temp folder)."""
    return [pid for pid, (_, _, cmd) in _processes().items() if fragment in cmd and pid != os.getpid()]
