"""`emoai predict` and `emoai export`.

The default `emoai predict "text"` path loads the promoted model's ONNX copy with tokenizers and
onnxruntime only: nothing here may import torch, transformers, ray or mlflow at module level.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from emoai_cli import console

MODEL_PANEL = "Model"
FEW_TEXTS = 8  # up to this many, a one-shot session (see OnnxPredictor): start-up is what counts


def _texts(texts: list[str], file: Path | None, text_col: str) -> list[str]:
    from emoai_core.inference.text_input import check_texts, read_file, read_stdin

    if file is not None and texts:
        from emoai_core.base.errors import UsageError

        raise UsageError("pass texts or --file, not both")
    if file is not None:
        return check_texts(read_file(file, text_col))
    if texts == ["-"]:
        return check_texts(read_stdin(sys.stdin))
    return check_texts(texts)


def _render(texts: list[str], predictions: list[Any], top_k: int | None) -> None:
    from rich.text import Text

    out = console.out()
    for text, pred in zip(texts, predictions, strict=True):
        line = Text()
        if pred.abstained:
            line.append("no emotion", style="bold")
            line.append(f" (top: {pred.label} {pred.score:.2f}, below the model's abstain threshold)  ")
        elif pred.labels is None:
            line.append(f"{pred.label}", style="bold green")
            line.append(f" {pred.score:.2f}  ")
        else:  # multi-label: every label at or above its threshold
            line.append(", ".join(pred.labels), style="bold green")
            line.append(" (no label reached its threshold: top label shown)  " if pred.below_threshold else "  ")
        line.append(text if len(text) <= 100 else text[:97] + "…", style="dim")
        out.print(line)
        shown = pred.top(top_k)
        width = max([12, *(len(label) for label, _ in shown)])  # 'disappointment' must not push its bar out of line
        for label, prob in shown:
            bar = "█" * max(0, round(prob * 30))
            out.print(f"  {label:<{width}} {bar:<30} {prob:.3f}", highlight=False, markup=False)


def predict(
    texts: list[str] = typer.Argument(
        None, help="Texts to classify; '-' reads one text per line from stdin.", show_default=False
    ),
    file: Path | None = typer.Option(
        None, "--file", "-f", help="txt (one text a line), csv/tsv or jsonl file."
    ),
    text_col: str = typer.Option("text", "--text-col", help="Text column of a csv/jsonl --file."),
    top_k: int | None = typer.Option(None, "--top-k", min=1, help="Show only the K most likely labels."),
    threshold: float | None = typer.Option(
        None, "--threshold", help="Multi-label models: one decision threshold for every label (default: fitted)."
    ),
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write predictions as jsonl (batched with Ray Data)."
    ),
    model_dir: Path | None = typer.Option(
        None, "--model-dir", help="A model folder (ONNX bundle or HF format).", rich_help_panel=MODEL_PANEL
    ),
    run: str | None = typer.Option(
        None, "--run", help="A training run (id, prefix, name, @alias).", rich_help_panel=MODEL_PANEL
    ),
    alias: str | None = typer.Option(
        None, "--alias", help="A registered-model alias (default: production).", rich_help_panel=MODEL_PANEL
    ),
    endpoint: str | None = typer.Option(
        None,
        "--endpoint",
        envvar="EMOAI_ENDPOINT",
        help="Ask a running 'emoai serve' at this URL instead of loading a model.",
        rich_help_panel=MODEL_PANEL,
    ),
    token: str | None = typer.Option(
        None,
        "--token",
        envvar="EMOAI_SERVE_TOKEN",
        help="Bearer token for --endpoint.",
        rich_help_panel=MODEL_PANEL,
    ),
) -> None:
    """Classify texts with the promoted model (or --run / --alias / --model-dir / --endpoint)."""
    items = _texts(texts or [], file, text_col)
    if endpoint:
        from emoai_core.inference.client import predict_remote

        if threshold is not None:
            from emoai_core.base.errors import UsageError

            raise UsageError("--threshold applies to a local model", "the server decides with its model's thresholds")

        predictions = predict_remote(endpoint, items, token)
    else:
        from emoai_core.inference.select import choose

        choice = choose(model_dir, run, alias)
        if output is not None:
            _predict_to_file(items, choice.path, output, json_output, threshold)
            return
        from emoai_core.inference.predict import load_predictor
        from emoai_core.inference.predict import predict as run_predict

        predictor = load_predictor(choice.path, one_shot=len(items) <= FEW_TEXTS)
        predictions = run_predict(predictor, items, threshold)
    if output is not None:
        _write_jsonl(output, items, predictions)
        console.info(f"wrote {len(items)} predictions to {output}")
    elif json_output:
        console.print_json([{"text": t, **p.to_json(top_k)} for t, p in zip(items, predictions, strict=True)])
    else:
        _render(items, predictions, top_k)
    console.finish_now()


def _write_jsonl(path: Path, texts: list[str], predictions: list[Any]) -> None:
    import json

    from emoai_core.base.atomic import atomic_write_text

    lines = [json.dumps({"text": t, **p.to_json()}) for t, p in zip(texts, predictions, strict=True)]
    atomic_write_text(path, "\n".join(lines) + "\n")


def _predict_to_file(
    texts: list[str], model_dir: Path, output: Path, json_output: bool, threshold: float | None
) -> None:
    """Large inputs: Ray Data actors predict in batches; the file appears only when complete."""
    from emoai_core.base.events import ProgressEvent
    from emoai_core.cluster.ray_env import connect
    from emoai_core.inference.batch import predict_with_ray
    from emoai_core.inference.predict import read_label_map, thresholds_for, to_predictions

    labels = read_label_map(model_dir)
    thresholds_for(labels, threshold)  # a bad --threshold fails before Ray starts

    with console.progress(json_output) as progress:
        progress(ProgressEvent("predict", 0, len(texts), "starting Ray"))
        connect()
        probs = predict_with_ray(
            texts,
            model_dir,
            on_progress=lambda done, total: progress(ProgressEvent("predict", done, total, "predicting")),
        )
    _write_jsonl(output, texts, to_predictions(labels, probs, threshold))
    if json_output:
        console.print_json({"output": str(output), "rows": len(texts)})
    else:
        console.info(f"wrote {len(texts)} predictions to {output}")


def export(
    run: str | None = typer.Argument(
        None, help="Run to export (id, prefix, name or @alias).", show_default=False
    ),
    model_dir: Path | None = typer.Option(
        None, "--model-dir", help="Export this model folder instead of a run."
    ),
    fmt: str = typer.Option(
        "onnx", "--format", help="onnx (model.onnx + tokenizer + labels) or hf (Hugging Face folder)."
    ),
    output: Path = typer.Option(..., "--output", "-o", help="Folder to write."),
    max_length: int | None = typer.Option(
        None, "--max-length", help="Token limit baked into the ONNX bundle (default: the run's)."
    ),
) -> None:
    """Export a trained model as ONNX or as a plain Hugging Face folder."""
    from emoai_core.base.errors import UsageError
    from emoai_core.model.export import export_hf, export_onnx

    if fmt not in ("onnx", "hf"):
        raise UsageError(f"unknown format '{fmt}'", "use --format onnx or --format hf")
    if bool(run) == bool(model_dir):
        raise UsageError("pass a RUN or --model-dir (one of them)")
    source, meta = _export_source(run, model_dir)
    with console.progress(False) as progress:
        from emoai_core.base.events import LogEvent

        progress(LogEvent(f"exporting {source} as {fmt}"))
        if fmt == "hf":
            export_hf(source, output)
        else:
            export_onnx(source, output, max_length or int(meta.get("max_length") or 128), meta)
    console.out().print(f"exported {fmt} to {output}", highlight=False)


def _export_source(run: str | None, model_dir: Path | None) -> tuple[Path, dict]:
    if model_dir is not None:
        path = model_dir.expanduser()
        return (path / "hf" if (path / "hf" / "config.json").is_file() else path), {}
    from emoai_core.tracking.local_models import resolve_model_dir
    from emoai_core.tracking.runs import resolve_run

    target = resolve_run(run or "")
    meta = {"run_id": target.info.run_id, "max_length": target.data.params.get("max_length")}
    return resolve_model_dir(target.info.run_id), meta


def register(app: typer.Typer) -> None:
    app.command("predict", help="Classify texts with the promoted model, a run, a folder or a server.")(
        predict
    )
    app.command("export", help="Export a trained model as ONNX or a Hugging Face folder.")(export)
