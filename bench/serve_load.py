"""Serving under load: one plain uvicorn process vs `emoai serve`, side by side in one run.

Every server serves the same promoted ONNX model. The plain baseline is one uvicorn process with a
FastAPI route that runs the model once per request (2 ONNX threads, as before). Rows: the plain
process, `emoai serve` (its default ingress: HAProxy straight to the replica), `emoai serve
--replicas 2`, and `emoai serve --ingress proxy` (Serve's Python proxy, to show that hop). Each
gets `--requests` POST /predict requests of one real test sentence at concurrency 1, 8 and 32
from a minimal asyncio HTTP client (`http_load.py`), after a warm-up. `--rounds` repeats the rows,
every other round in reverse order, so the machine's drift does not favour one row.

    python bench/serve_load.py --home ~/.emoai       # a home with a promoted model
    python bench/serve_load.py --quick-model         # train+promote a 1-epoch model first

Targets (issue 23): 0 errors; at concurrency 32 `emoai serve` >= 1.2x the plain process's req/s
with p99 <= 400 ms; at 1 and 8 >= 0.8x. CPU per request, by process role (replica, HAProxy, Serve's
proxy, Ray's core processes, the plain process, the load generator) and the CPU of everything
else on this shared machine ("other (not ours)"), is reported for every level.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, emoai_cmd, quick_model, test_texts, write_results
from http_load import cpu_per_request, processes_naming, run_level, snapshot

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
LEVELS = (1, 8, 32)
ROWS = {  # row name -> extra `emoai serve` options (None: the plain process)
    "plain_uvicorn": None,
    "emoai_serve": [],
    "emoai_serve_replicas2": ["--replicas", "2"],
    "emoai_serve_python_proxy": ["--ingress", "proxy"],
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if run_level(url, ["warm up"], 1, 1)["errors"] == 0:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} never answered")


def sweep(url: str, roots: list[int], texts: list[str], requests: int) -> dict:
    run_level(url, texts[-400:], 100, 1)  # warm every code path and connection
    run_level(url, texts[-400:], 100, 32)
    out = {}
    for concurrency in LEVELS:
        before = snapshot(roots)
        result = run_level(url, texts, requests, concurrency)
        result["cpu_ms_per_request"] = cpu_per_request(before, snapshot(roots), requests)
        ours = {k: v for k, v in result["cpu_ms_per_request"].items() if k != "other (not ours)"}
        result["cpu_ms_per_request_ours"] = round(sum(ours.values()), 2)
        out[str(concurrency)] = result
    return out


def plain(env: dict, model_dir: Path, work: Path, texts: list[str], requests: int) -> dict:
    (work / "baseline_app.py").write_text(BASELINE_APP)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "baseline_app:app", "--port", str(port), "--log-level", "warning"],
        cwd=work,
        env={**env, "MODEL_DIR": str(model_dir), "PYTHONPATH": str(REPO)},
    )
    try:
        url = f"http://127.0.0.1:{port}/predict"
        wait_up(url)
        return sweep(url, [proc.pid], texts, requests)
    finally:
        proc.terminate()
        proc.wait(30)


def emoai_serve(env: dict, options: list[str], texts: list[str], requests: int) -> dict:
    port = free_port()
    subprocess.run([*emoai_cmd(), "serve", "--detach", "--port", str(port), *options], env=env, check=True)
    try:
        state = json.loads((Path(env["EMOAI_HOME"]) / "serve.json").read_text())
        roots = processes_naming(state["temp_dir"])  # the private Ray head; its workers are its children
        url = f"http://127.0.0.1:{port}/predict"
        wait_up(url)
        out = sweep(url, roots, texts, requests)
        out["ingress"] = state.get("ingress")
        return out
    finally:
        subprocess.run([*emoai_cmd(), "serve", "stop"], env=env, check=False)


def model_ms_per_text(model_dir: Path, texts: list[str]) -> float:
    """The model alone, as a replica runs it: one ONNX thread, one text per call."""
    from emoai_core.inference.predict import OnnxPredictor

    predictor = OnnxPredictor(model_dir, threads=1)
    for text in texts[:20]:
        predictor.predict_proba([text])
    start = time.process_time()
    for text in texts[:300]:
        predictor.predict_proba([text])
    return 1e3 * (time.process_time() - start) / 300


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def summarize(rounds: list[dict]) -> dict:
    """Per row and level: the median over rounds of req/s, p50, p99, errors summed, and the ratio to plain."""
    summary: dict = {}
    for row in rounds[0]["rows"]:
        summary[row] = {}
        for level in map(str, LEVELS):
            runs = [r["rows"][row][level] for r in rounds]
            ratios = [r["rows"][row][level]["req_per_s"] / r["rows"]["plain_uvicorn"][level]["req_per_s"] for r in rounds]
            summary[row][level] = {
                "req_per_s": round(statistics.median(x["req_per_s"] for x in runs), 1),
                "p50_ms": round(statistics.median(x["p50_ms"] for x in runs), 1),
                "p99_ms": round(statistics.median(x["p99_ms"] for x in runs), 1),
                "errors": sum(x["errors"] for x in runs),
                "x_plain": round(statistics.median(ratios), 2),
                "x_plain_each_round": [round(x, 2) for x in ratios],
            }
    return summary


def meets(summary: dict, row: str) -> dict:
    s = summary[row]
    return {
        "c32_req_per_s_ge_1.2x_plain": s["32"]["x_plain"] >= 1.2,
        "c32_p99_le_400ms": s["32"]["p99_ms"] <= 400,
        "c1_ge_0.8x_plain": s["1"]["x_plain"] >= 0.8,
        "c8_ge_0.8x_plain": s["8"]["x_plain"] >= 0.8,
        "zero_errors": all(s[c]["errors"] == 0 for c in s),
    }


def print_table(summary: dict, rounds: list[dict]) -> None:
    print(f"{'row':<26}{'conc':>5}{'req/s':>8}{'x plain':>9}{'p50 ms':>8}{'p99 ms':>9}{'errors':>7}  CPU ms/request (round 1)")
    for row, levels in summary.items():
        for level, r in levels.items():
            cpu = rounds[0]["rows"][row][level]["cpu_ms_per_request"]
            hops = " ".join(f"{k}={v}" for k, v in cpu.items())
            print(f"{row:<26}{level:>5}{r['req_per_s']:>8.1f}{r['x_plain']:>9.2f}{r['p50_ms']:>8.1f}{r['p99_ms']:>9.1f}{r['errors']:>7}  {hops}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--quick-model", action="store_true")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    args = parser.parse_args()
    if "plain_uvicorn" not in args.rows:
        args.rows.insert(0, "plain_uvicorn")
    tmp = tempfile.TemporaryDirectory(prefix="emoai-serve-load-")
    home = args.home or Path(tmp.name) / "home"
    env = {**os.environ, "EMOAI_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    if args.quick_model:
        quick_model(env)
    os.environ["EMOAI_HOME"] = str(home)
    from emoai_core.base.settings import paths

    model_dir = paths().local_copy("production")
    texts = test_texts()
    rounds = []
    for i in range(args.rounds):
        order = args.rows if i % 2 == 0 else list(reversed(args.rows))
        this = {"order": order, "load_average_before": load_average(), "rows": {}}
        for row in order:
            print(f"round {i + 1}: {row}", flush=True)
            if ROWS[row] is None:
                this["rows"][row] = plain(env, model_dir, Path(tmp.name), texts, args.requests)
            else:
                this["rows"][row] = emoai_serve(env, ROWS[row], texts, args.requests)
        this["load_average_after"] = load_average()
        rounds.append(this)
    summary = summarize(rounds)
    print_table(summary, rounds)
    model_ms = model_ms_per_text(model_dir, texts)
    print(f"model alone (1 ONNX thread, one text per call): {model_ms:.1f} ms CPU/text")
    write_results(
        "serve_load",
        {
            "requests_per_level": args.requests,
            "rounds": len(rounds),
            "summary_median_over_rounds": summary,
            "targets": "0 errors; c32: >= 1.2x plain req/s and p99 <= 400 ms; c1, c8: >= 0.8x plain req/s",
            "meets_targets": {row: meets(summary, row) for row in summary if row != "plain_uvicorn"},
            "model_alone_cpu_ms_per_text": round(model_ms, 2),
            "rounds_detail": rounds,
        },
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
