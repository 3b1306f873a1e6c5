"""Recipe search for the default model, on the VALIDATION split only (the evidence behind the defaults).

A plain single-process loop built from the same pieces as emoai's Ray Train worker
(`emoai_core.model.optim`, `emoai_core.model.batching`, `emoai_core.model.metrics`, `emoai_core.model.classifier`), so a
recipe found here transfers unchanged to `emoai train`. The test split is never read.

    python bench/quality_explore.py --tag ls01 --label-smoothing 0.1 --epochs 5

Appends one JSON record per run to bench/results/quality_explore.jsonl.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "quality_explore.jsonl"
LABELS = ["sadness", "joy", "love", "anger", "fear", "surprise"]


def data_dir() -> Path:
    for base in (HERE.parent.parent / "shared" / "data" / "emotion", Path("/work/shared/data/emotion")):
        if (base / "train.jsonl").exists():
            return base
    raise SystemExit("real emotion data not found")


def load(split: str) -> list[dict]:
    return [json.loads(line) for line in (data_dir() / f"{split}.jsonl").read_text().splitlines()]


def encode(rows: list[dict], tokenizer, max_length: int, label2id: dict) -> dict:
    import numpy as np

    ids = tokenizer([r["text"] for r in rows], truncation=True, max_length=max_length)["input_ids"]
    column = np.empty(len(ids), dtype=object)
    column[:] = [np.asarray(x) for x in ids]
    return {
        "input_ids": column,
        "length": np.asarray([len(x) for x in ids]),
        "label": np.asarray([label2id[r["label"]] for r in rows]),
    }


def chunks(data: dict, size: int, order=None):
    import numpy as np

    n = len(data["label"])
    order = np.arange(n) if order is None else order
    for i in range(0, n, size):
        idx = order[i : i + size]
        yield {k: v[idx] for k, v in data.items()}


def evaluate(model, data: dict, num: int, keep: dict | None = None) -> dict:
    import numpy as np
    import torch

    from emoai_core.model.batching import grouped_batches
    from emoai_core.model.metrics import confusion_counts, metrics_from_confusion

    model.eval()
    cm = np.zeros((num, num))
    loss_sum = 0.0
    with torch.no_grad():
        for batch in grouped_batches(chunks(data, 4096), 64, None):
            y = torch.as_tensor(batch.pop("labels"))
            logits = model(**{k: torch.as_tensor(v) for k, v in batch.items()}).logits
            loss_sum += float(torch.nn.functional.cross_entropy(logits, y, reduction="sum"))
            cm += confusion_counts(y.numpy(), logits.argmax(-1).numpy(), num)
            if keep is not None:
                keep.setdefault("logits", []).append(logits.numpy())
                keep.setdefault("labels", []).append(y.numpy())
    m = metrics_from_confusion(cm)
    return {
        "val_loss": loss_sum / cm.sum(),
        "val_accuracy": m["accuracy"],
        "val_macro_f1": m["macro_f1"],
        **{f"val_f1_{n}": f for n, f in zip(LABELS, m["per_class_f1"], strict=True)},
    }


def mean_pooled(model):
    """`model` classifying from the mask-weighted mean of its last hidden states, not the [CLS] pooler.

    all-MiniLM-L6-v2 learned sentence embeddings by mean pooling; the [CLS] pooler that
    `AutoModelForSequenceClassification` uses was never trained for that objective. Same encoder,
    dropout and classifier weights; only what the classifier reads changes.
    """
    from types import SimpleNamespace

    import torch

    class MeanPooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = model
            self.config = model.config  # read by the layer-wise learning-rate groups

        def forward(self, input_ids, attention_mask):
            body = getattr(self.hf, self.hf.base_model_prefix)
            hidden = body(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return SimpleNamespace(logits=self.hf.classifier(self.hf.dropout(pooled)))

    return MeanPooled()


def linear_probe(model, train: dict, args, loss_fn) -> dict:
    """LP-FT's first stage: train only the new classifier on the frozen encoder.

    A random head's first gradients otherwise flow into (and distort) the pretrained features;
    a probed head starts fine-tuning already pointing the right way. Backward stops at the head,
    so an epoch costs about a forward pass.
    """
    import numpy as np
    import torch

    from emoai_core.model.batching import chunk_rows, grouped_batches

    body = [p for n, p in model.named_parameters() if not n.startswith("classifier")]
    trainable = [p.requires_grad for p in body]
    for p in body:
        p.requires_grad_(False)
    head = [p for n, p in model.named_parameters() if n.startswith("classifier")]
    opt = torch.optim.AdamW(head, lr=args.lp_lr, weight_decay=0.0)
    order = np.random.default_rng(args.seed + 7).permutation(len(train["label"]))
    model.train()
    start, total, seen = time.time(), 0.0, 0
    for _ in range(args.lp_epochs):
        for batch in grouped_batches(chunks(train, chunk_rows(args.batch_size), order), args.batch_size, 1):
            y = torch.as_tensor(batch.pop("labels"))
            loss = loss_fn(model(**{k: torch.as_tensor(v) for k, v in batch.items()}).logits, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss) * len(y)
            seen += len(y)
    for p, flag in zip(body, trainable, strict=True):
        p.requires_grad_(flag)
    return {"lp_train_loss": total / max(seen, 1), "lp_seconds": time.time() - start}


def _rounded(value):
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return round(value, 4)


def _scores(logits, y, bias, num: int) -> tuple[float, float]:
    from emoai_core.model.metrics import confusion_counts, metrics_from_confusion

    m = metrics_from_confusion(confusion_counts(y, (logits + bias).argmax(-1), num))
    return m["accuracy"], m["macro_f1"]


def fit_bias(logits, y, num: int):
    """Per-class logit offsets that maximise macro-F1 on (logits, y): coordinate ascent on a grid."""
    import numpy as np

    bias = np.zeros(num)
    grid = np.round(np.arange(-2.0, 2.01, 0.1), 2)
    for _ in range(3):
        for c in range(num):
            best_v, best_f1 = bias[c], _scores(logits, y, bias, num)[1]
            for v in sorted(grid, key=abs):
                trial = bias.copy()
                trial[c] = v
                f1 = _scores(logits, y, trial, num)[1]
                if f1 > best_f1 + 1e-9:
                    best_v, best_f1 = v, f1
            bias[c] = best_v
    return bias


def cross_fitted_calibration(logits, y, num: int, splits: int = 10) -> dict:
    """Would per-class logit offsets fitted on validation help on unseen data? Measured honestly:
    fit on a random half of validation, score on the other half (both ways, `splits` times), and
    report the mean change against the uncalibrated model on the same held-out halves."""
    import numpy as np

    rng = np.random.default_rng(0)
    d_acc, d_f1 = [], []
    for _ in range(splits):
        order = rng.permutation(len(y))
        halves = (order[: len(y) // 2], order[len(y) // 2 :])
        for fit, held in (halves, halves[::-1]):
            bias = fit_bias(logits[fit], y[fit], num)
            acc0, f10 = _scores(logits[held], y[held], np.zeros(num), num)
            acc1, f11 = _scores(logits[held], y[held], bias, num)
            d_acc.append(acc1 - acc0)
            d_f1.append(f11 - f10)
    return {
        "heldout_delta_accuracy": float(np.mean(d_acc)),
        "heldout_delta_macro_f1": float(np.mean(d_f1)),
        "heldout_delta_macro_f1_min": float(np.min(d_f1)),
        "heldout_delta_macro_f1_max": float(np.max(d_f1)),
        "bias_fitted_on_all_val": [float(b) for b in fit_bias(logits, y, num)],
    }


def weight_averages(model, snapshots: dict[str, dict], val: dict, num: int) -> dict:
    """Validation metrics of uniform weight averages of the last k epoch-end checkpoints.

    Averaging fine-tuned checkpoints of one run (a "soup" / SWA over epochs) often generalises
    better than any single one; this measures whether it does here, on validation only.
    """
    names = list(snapshots)
    out = {}
    for k in range(2, len(names) + 1):
        chosen = names[-k:]
        avg = {
            key: (sum(snapshots[n][key].float() for n in chosen) / k).to(snapshots[chosen[0]][key].dtype)
            for key in snapshots[chosen[0]]
        }
        model.load_state_dict(avg)
        name = "+".join(chosen)
        out[name] = evaluate(model, val, num)
        print(json.dumps({"average": name, **_rounded(out[name])}), flush=True)
    return out


def run(args: argparse.Namespace, trained: dict | None = None) -> dict:
    """One recipe on train, scored on validation every epoch; `trained` (if given) receives the
    final model, tokenizer and label map, for a caller that reports it elsewhere (bench/plain_baseline.py)."""
    import numpy as np
    import torch

    from emoai_core.model.batching import chunk_rows, grouped_batches
    from emoai_core.model.classifier import build_classifier, load_tokenizer, resolve_base_model
    from emoai_core.model.labels import LabelMap
    from emoai_core.model.optim import build_loss, build_optimizer, build_scheduler, class_weights
    from emoai_core.model.step import epoch_seed, seed_everything, to_device, train_step

    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    labels = LabelMap.from_names(LABELS)
    source = resolve_base_model(None)
    tokenizer = load_tokenizer(source)
    train_rows, val_rows = load("train")[: args.limit], load("validation")[: args.limit]
    train = encode(train_rows, tokenizer, args.max_length, labels.label2id)
    val = encode(val_rows, tokenizer, args.max_length, labels.label2id)
    counts = np.bincount(train["label"], minlength=len(labels)).tolist()
    model = build_classifier(source, labels, args.dropout)
    if args.freeze_embeddings:
        model.get_input_embeddings().weight.requires_grad_(False)
    if args.pooling == "mean":
        model = mean_pooled(model)
    steps = -(-len(train_rows) // args.batch_size)
    loss_fn = build_loss(class_weights(counts, args.class_weighting), args.label_smoothing)
    probe = linear_probe(model, train, args, loss_fn) if args.lp_epochs else {}
    if probe:
        print(json.dumps({"tag": args.tag, **_rounded(probe), **_rounded(evaluate(model, val, len(labels)))}))
    opt = build_optimizer(model, args.lr, args.weight_decay, args.llrd)
    sched = build_scheduler(opt, steps * args.epochs, args.warmup_ratio)
    shuffle = np.random.default_rng(args.seed).permutation(len(train_rows))  # like Ray Data's one shuffle
    ema = None
    if args.ema:  # an exponential moving average of the weights, evaluated beside the raw weights
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(args.ema))
    epochs = []
    snapshots: dict[str, dict] = {}  # name -> CPU copy of the weights, for --averages
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.time()
        total, seen = 0.0, 0
        seed = epoch_seed(args.seed, epoch)
        for batch in grouped_batches(
            chunks(train, chunk_rows(args.batch_size), shuffle), args.batch_size, seed
        ):
            loss, size = train_step(model, to_device(batch, None), loss_fn, opt, sched)
            if ema is not None:
                ema.update_parameters(model)
            total += loss * size
            seen += size
        train_s = time.time() - start
        kept: dict = {}
        record = {
            "epoch": epoch,
            "train_loss": total / seen,
            **evaluate(model, val, len(labels), kept if args.calibrate else None),
            "train_seconds": train_s,
            "epoch_seconds": time.time() - start,
        }
        if ema is not None:
            record.update({f"ema_{k}": v for k, v in evaluate(ema.module, val, len(labels)).items()})
        if args.calibrate:
            logits, y = np.concatenate(kept["logits"]), np.concatenate(kept["labels"])
            record["calibration"] = cross_fitted_calibration(logits, y, len(labels))
        if args.averages:
            snapshots[f"e{epoch}"] = {k: v.detach().clone() for k, v in model.state_dict().items()}
        epochs.append(record)
        print(json.dumps({"tag": args.tag, **{k: _rounded(v) for k, v in record.items()}}), flush=True)
    best = max(epochs, key=lambda e: e["val_macro_f1"])
    if trained is not None:
        trained.update(model=model, labels=labels, tokenizer=tokenizer)
    averages = weight_averages(model, snapshots, val, len(labels)) if args.averages else {}
    return {
        "probe": probe,
        "averages": averages,
        "tag": args.tag,
        "config": {k: v for k, v in vars(args).items() if k != "tag"},
        "epochs": epochs,
        "best_epoch": best["epoch"],
        "best": best,
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "train_minutes": sum(e["epoch_seconds"] for e in epochs) / 60,
        "cpus": os.cpu_count(),
    }


def _positive(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive number of rows, got {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tag", required=True)
    p.add_argument("--epochs", type=int, default=4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--max-length", type=int, default=64)
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup-ratio", type=float, default=0.06)
    p.add_argument("--label-smoothing", type=float, default=0.0)
    p.add_argument("--class-weighting", default="none", choices=["none", "sqrt_inverse", "inverse"])
    p.add_argument("--llrd", type=float, default=1.0)
    p.add_argument("--dropout", type=float, default=None)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pooling", default="cls", choices=["cls", "mean"], help="what the classifier reads")
    p.add_argument(
        "--freeze-embeddings", action="store_true", help="keep the pretrained word embeddings fixed"
    )
    p.add_argument("--lp-epochs", type=int, default=0, help="LP-FT: epochs training only the head first")
    p.add_argument("--lp-lr", type=float, default=1e-3, help="LP-FT: the head's learning rate while probing")
    p.add_argument("--ema", type=float, default=0.0, help="also evaluate an EMA of the weights (decay)")
    p.add_argument(
        "--limit", type=_positive, default=None, help="first N rows of each split (smoke run: not recorded)"
    )
    p.add_argument(
        "--calibrate",
        action="store_true",
        help="also measure per-class logit offsets fitted on validation (cross-fitted halves)",
    )
    p.add_argument("--averages", action="store_true", help="also evaluate weight averages of the last epochs")
    return p


def main() -> None:
    args = parser().parse_args()
    record = run(args)
    if args.limit:
        print(f"--limit run: not appended to {OUT.name}")
        return
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("a") as fh:
        fh.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
