"""Serving under load: `emoai serve` (Ray Serve, batching) vs a naive single uvicorn process.

Both serve the same promoted model (the ONNX bundle). The naive baseline is one uvicorn process
with a FastAPI route that runs the model once per request. Each is sent `--requests` POST
/predict requests of one real test sentence at concurrency 1, 8 and 32 (httpx, async).

    python bench/serve_load.py --home ~/.emoai       # a home with a promoted model
    python bench/serve_load.py --quick-model         # train+promote a 1-epoch model first

Writes bench/results/serve_load.json. Targets: 0 errors; at concurrency 32 emoai's throughput
>= the baseline's with p99 <= 500 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "serve_load.json"
sys.path.insert(0, str(HERE))

BASELINE_APP = """
import os
from pathlib import Path
from fastapi import FastAPI
from emoai_core.predict import OnnxPredictor, predict
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


def sweep(url: str, texts: list[str], requests: int) -> dict:
    for _ in range(20):  # warm every replica and connection path
        asyncio.run(load(url, texts, 8, 1))
    return {str(c): asyncio.run(load(url, texts, requests, c)) for c in (1, 8, 32)}


def emoai_cmd() -> list[str]:
    script = Path(sys.executable).with_name("emoai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "emoai_cli.main"]


def main() -> None:
    from predict_latency import quick_model, test_texts

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
    from emoai_core.runs import local_copy_dir

    model_dir = local_copy_dir("production")
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
        env={**env, "MODEL_DIR": str(model_dir), "PYTHONPATH": str(HERE.parent)},
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
    e32, b32 = results["emoai_serve"]["32"], results["naive_uvicorn"]["32"]
    payload = {
        "benchmark": "serve_load",
        "requests_per_level": args.requests,
        "replicas": args.replicas,
        "results": results,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "targets": "0 errors; at concurrency 32 emoai req/s >= baseline and p99 <= 500 ms",
        "meets_targets": all(r["errors"] == 0 for s in results.values() for r in s.values())
        and e32["req_per_s"] >= b32["req_per_s"]
        and e32["p99_ms"] <= 500,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    tmp.cleanup()


if __name__ == "__main__":
    main()
