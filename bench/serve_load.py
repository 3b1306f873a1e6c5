"""Serving under load: `emoai serve` (Ray Serve, batching) vs a naive single uvicorn process.

Both serve the same promoted model (the ONNX bundle). The naive baseline is one uvicorn process
with a FastAPI route that runs the model once per request. Each is sent `--requests` POST
/predict requests of one real test sentence at concurrency 1, 8 and 32 (httpx, async).

    python bench/serve_load.py --home ~/.emoai       # a home with a promoted model
    python bench/serve_load.py --quick-model         # train+promote a 1-epoch model first

Writes bench/results/serve_load.json. Targets: 0 errors; at concurrency 32 emoai's throughput
>= the baseline's with p99 <= 500 ms.

Where the time goes: during the concurrency-32 run, the CPU seconds of every process on the
machine are read from /proc and reported per request by component (Serve replica, Serve proxy,
the rest of Ray, the baseline's uvicorn, the load generator), beside the model's own cost per
text measured in-process (one ONNX thread, length-bucketed batches of 32).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, emoai_cmd, quick_model, test_texts, write_results

BASELINE_APP = """
import os
from pathlib import Path
from fastapi import FastAPI
from emoai_core.inference.predict import OnnxPredictor, predict
model = OnnxPredictor(Path(os.environ["MODEL_DIR"]), threads=2)
app = FastAPI()
@app.post("/predict")
def run(body: dict):
    p = predict(model, [body["text"]])[0]
    return {"label": p.label, "score": p.score}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def load(url: str, texts: list[str], requests: int, concurrency: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    counter = iter(range(requests))

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        for i in counter:
            start = time.perf_counter()
            try:
                r = await client.post(url, json={"text": texts[i % len(texts)]})
                ok = r.status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        wall = time.perf_counter() - start
    qs = statistics.quantiles(latencies, n=100)
    return {
        "req_per_s": requests / wall,
        "p50_ms": qs[49] * 1e3,
        "p95_ms": qs[94] * 1e3,
        "p99_ms": qs[98] * 1e3,
        "errors": errors,
    }


def wait_up(url: str, timeout: float = 120) -> None:
    import httpx

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.post(url, json={"text": "warm up"}, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} never answered")


COMPONENTS = (  # first match wins: cmdline fragment -> component
    ("ServeReplica", "serve replica"),
    ("ProxyActor", "serve proxy"),
    ("uvicorn", "baseline uvicorn"),
    ("ray", "ray (gcs, raylet, controller, dashboard, agents)"),
)


def cpu_seconds() -> dict[str, float]:
    """CPU seconds so far of every process, by component (empty where /proc is missing)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    totals: dict[str, float] = {}
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not pid.isdigit():
            continue
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        used = (int(fields[11]) + int(fields[12])) / tick
        if int(pid) == os.getpid():
            name = "load generator"
        else:
            name = next((c for frag, c in COMPONENTS if frag in cmdline), "other")
        totals[name] = totals.get(name, 0.0) + used
    return totals


def sweep(url: str, texts: list[str], requests: int) -> dict:
    for _ in range(20):  # warm every replica and connection path
        asyncio.run(load(url, texts, 8, 1))
    out = {str(c): asyncio.run(load(url, texts, requests, c)) for c in (1, 8)}
    before = cpu_seconds()
    out["32"] = asyncio.run(load(url, texts, requests, 32))
    after = cpu_seconds()
    used = {k: after[k] - before.get(k, 0.0) for k in after}
    out["32"]["cpu_ms_per_request"] = {
        k: round(1e3 * v / requests, 1) for k, v in sorted(used.items(), key=lambda kv: -kv[1]) if v > 0.05
    }
    return out


def model_ms_per_text(model_dir: Path, texts: list[str]) -> float:
    """The model alone, as a replica runs it: one ONNX thread, batches of 32."""
    from emoai_core.inference.predict import OnnxPredictor

    predictor = OnnxPredictor(model_dir, threads=1)
    predictor.predict_proba(texts[:32])
    start = time.perf_counter()
    for i in range(0, 640, 32):
        predictor.predict_proba(texts[i : i + 32])
    return 1e3 * (time.perf_counter() - start) / 640


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--quick-model", action="store_true")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--replicas", type=int, default=1)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="emoai-serve-load-")
    home = args.home or Path(tmp.name)
    env = {**os.environ, "EMOAI_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    if args.quick_model:
        quick_model(env)
    os.environ["EMOAI_HOME"] = str(home)
    from emoai_core.base.settings import paths

    model_dir = paths().local_copy("production")
    texts = test_texts()
    results: dict[str, dict] = {}

    port = free_port()
    subprocess.run(
        [*emoai_cmd(), "serve", "--detach", "--port", str(port), "--replicas", str(args.replicas)],
        env=env,
        check=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/predict"
        wait_up(url)
        results["emoai_serve"] = sweep(url, texts, args.requests)
    finally:
        subprocess.run([*emoai_cmd(), "serve", "stop"], env=env, check=False)

    app_file = Path(tmp.name) / "baseline_app.py"
    app_file.write_text(BASELINE_APP)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "baseline_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=tmp.name,
        env={**env, "MODEL_DIR": str(model_dir), "PYTHONPATH": str(REPO)},
    )
    try:
        url = f"http://127.0.0.1:{port}/predict"
        wait_up(url)
        results["naive_uvicorn"] = sweep(url, texts, args.requests)
    finally:
        proc.terminate()
        proc.wait(30)

    print(f"{'server':<15}{'conc':>5}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
    for server, by_conc in results.items():
        for conc, r in by_conc.items():
            print(
                f"{server:<15}{conc:>5}{r['req_per_s']:>8.1f}{r['p50_ms']:>9.1f}{r['p95_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['errors']:>8}"
            )
    model_ms = model_ms_per_text(model_dir, texts)
    print(f"model alone (1 ONNX thread, batches of 32): {model_ms:.1f} ms/text")
    for server, by_conc in results.items():
        print(f"{server} CPU ms per request at c=32: {by_conc['32'].get('cpu_ms_per_request')}")
    e32, b32 = results["emoai_serve"]["32"], results["naive_uvicorn"]["32"]
    write_results(
        "serve_load",
        {
            "requests_per_level": args.requests,
            "replicas": args.replicas,
            "results": results,
            "model_alone_ms_per_text": model_ms,
            "targets": "0 errors; at concurrency 32 emoai req/s >= baseline and p99 <= 500 ms",
            "meets_targets": all(r["errors"] == 0 for s in results.values() for r in s.values())
            and e32["req_per_s"] >= b32["req_per_s"]
            and e32["p99_ms"] <= 500,
        },
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
