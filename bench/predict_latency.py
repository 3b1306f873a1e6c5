"""Prediction latency: `emoai predict` in a fresh process vs a fresh `transformers.pipeline`.

Both use the same promoted model: emoai's local ONNX copy (tokenizers + onnxruntime only) and its
Hugging Face export (`emoai export @production --format hf`) for the pipeline. Also the warm
throughput of batch prediction over the 2,000 test sentences (ONNX, in one process).

    python bench/predict_latency.py --home ~/.emoai     # a home with a promoted model
    python bench/predict_latency.py --quick-model       # train+promote a 1-epoch model first

`emoai predict` is timed in both bytecode settings of common.bytecode_settings (this sandbox
exports PYTHONDONTWRITEBYTECODE=1; a laptop caches bytecode).

Writes bench/results/predict_latency.json. Targets: `emoai predict` <= 0.6 s median and >= 5x
faster than the pipeline baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import (
    bytecode_settings,
    emoai_cmd,
    quick_model,
    run_emoai,
    test_texts,
    with_overrides,
    write_results,
)

TEXT = "i feel great"
PIPELINE = (
    "import sys; from transformers import pipeline; "
    "p = pipeline('text-classification', model=sys.argv[1]); print(p(sys.argv[2])[0]['label'])"
)


def fresh(cmd: list[str], env: dict[str, str], runs: int) -> tuple[list[float], str]:
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
        out = proc.stdout.strip()
    return times, out


def warm_throughput(model_dir: Path, texts: list[str]) -> float:
    from emoai_core.inference.predict import OnnxPredictor

    predictor = OnnxPredictor(model_dir)
    predictor.predict_proba(texts[:64])
    start = time.perf_counter()
    for i in range(0, len(texts), 256):
        predictor.predict_proba(texts[i : i + 256])
    return len(texts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, default=None)
    parser.add_argument("--quick-model", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory(prefix="emoai-latency-")
    home = args.home or Path(tmp.name)
    env = {**os.environ, "EMOAI_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    if args.quick_model:
        quick_model(env)
    os.environ["EMOAI_HOME"] = str(home)
    from emoai_core.base.settings import paths

    onnx_dir = paths().local_copy("production")
    if not (onnx_dir / "model.onnx").exists():
        raise SystemExit(f"no promoted model under {home}: use --quick-model or promote one")
    hf_dir = Path(tmp.name) / "hf"
    run_emoai(env, "export", "@production", "--format", "hf", "--output", str(hf_dir))
    cli = emoai_cmd()
    by_setting: dict[str, dict] = {}
    for setting, overrides in bytecode_settings().items():
        setting_env = with_overrides(env, overrides)
        fresh(cli + ["predict", TEXT], setting_env, 1)  # warm the file cache (and, by default, bytecode)
        times, emoai_out = fresh([*cli, "predict", TEXT, "--json"], setting_env, args.runs)
        by_setting[setting] = {"median": statistics.median(times), "all": times}
    pipe_times, pipe_out = fresh(
        [sys.executable, "-c", PIPELINE, str(hf_dir), TEXT], env, max(3, args.runs // 2)
    )
    emoai_label = (
        json.loads(emoai_out)[0]["label"] if emoai_out.startswith("[") else json.loads(emoai_out)["label"]
    )
    throughput = warm_throughput(onnx_dir, test_texts())
    emoai_med, pipe_med = max(r["median"] for r in by_setting.values()), statistics.median(pipe_times)
    print(f"{'measure':<58}{'value':>10}")
    for setting, r in by_setting.items():
        print(f"{'emoai predict, fresh process (s), ' + setting:<58}{r['median']:>10.3f}")
    print(f"{'transformers.pipeline, fresh (s)':<58}{pipe_med:>10.3f}")
    print(f"{'speed-up (slower emoai setting)':<58}{pipe_med / emoai_med:>10.1f}")
    print(f"{'warm batch throughput (sentences/s)':<58}{throughput:>10.0f}")
    write_results(
        "predict_latency",
        {
            "text": TEXT,
            "labels": {"emoai": emoai_label, "pipeline": pipe_out},
            "emoai_predict_s": by_setting,
            "pipeline_s": {"median": pipe_med, "all": pipe_times},
            "speedup": pipe_med / emoai_med,
            "warm_batch_sentences_per_s": throughput,
            "targets": {"emoai_predict_median_s": 0.6, "speedup": 5},
            "meets_targets": emoai_med <= 0.6 and pipe_med / emoai_med >= 5,
        },
    )
    tmp.cleanup()


if __name__ == "__main__":
    main()
