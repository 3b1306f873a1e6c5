"""A cheap probe of the choices in examples/label_maps/goemotions_to_emotion.yaml.

For the shipped map and for variants that change one choice each (a dropped label mapped, a mapped
label dropped, another rule), the GoEmotions train split is mapped with emoai's own label-map code
(`emoai_core.data.label_map`), a bag-of-words linear model (tf-idf uni+bigrams, LinearSVC, balanced
classes) is trained on it, and scored on dair-ai/emotion's *validation* split: a map whose labels
mean what dair-ai/emotion's mean should transfer better. No test split is read.

    python bench/label_map_probe.py [--goemotions DIR] [--emotion DIR]

Writes bench/results/label_map_probe.json (rows kept per target, accuracy, macro-F1 and per-label
F1 of each variant) and prints a table. Takes about a minute on 2 cores. The model is crude
(macro-F1 ~0.3 across domains): differences of 0.01 are within its noise.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from collections import Counter
from pathlib import Path

from common import REPO, RESULTS_DIR

from emoai_core.data.label_map import LabelMapping, load_mapping

MAP_FILE = REPO / "examples" / "label_maps" / "goemotions_to_emotion.yaml"
RESULTS = RESULTS_DIR / "label_map_probe.json"
SHARED = (REPO.parent / "shared" / "data", Path("/work/shared/data"))


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def moved(base: LabelMapping, label: str, target: str | None) -> LabelMapping:
    """The map with one label mapped to `target` (None: dropped)."""
    mapping = {k: v for k, v in base.mapping.items() if k != label}
    drop = tuple(x for x in base.drop if x != label)
    if target is None:
        drop += (label,)
    else:
        mapping[label] = target
    return dataclasses.replace(base, mapping=mapping, drop=drop)


def variants(base: LabelMapping) -> dict[str, LabelMapping]:
    out = {"shipped map": base}
    for label in base.drop:
        if label == "neutral":
            continue
        target = {"desire": "love", "disapproval": "anger"}.get(label, "surprise")
        out[f"{label} -> {target}"] = moved(base, label, target)
    for label in ("approval", "caring", "disgust"):
        out[f"{label} dropped"] = moved(base, label, None)
    out["desire -> joy"] = moved(base, "desire", "joy")
    out["dropped_labels: ignore"] = dataclasses.replace(base, dropped_labels="ignore")
    ekman = {"disapproval": "anger", "desire": "joy", "caring": "joy", "love": "joy"}
    ekman |= {"realization": "surprise", "confusion": "surprise", "curiosity": "surprise"}
    paper = base
    for label, target in ekman.items():
        paper = moved(paper, label, target)
    out["Ekman grouping as in the paper (love -> joy)"] = dataclasses.replace(paper, dropped_labels="ignore")
    grouping = base
    for label, target in ekman.items():
        grouping = moved(grouping, label, "love" if label in ("love", "caring", "desire") else target)
    out["Ekman grouping, love <- love, caring, desire"] = dataclasses.replace(
        grouping, dropped_labels="ignore"
    )
    return out


def score(mapping: LabelMapping, go_train: list[dict], dair_val: list[dict]) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import accuracy_score, f1_score
    from sklearn.svm import LinearSVC

    texts, labels = [], []
    for row in go_train:
        label, reason = mapping.map_row(row["labels"], "multi_label")
        if reason is None:
            texts.append(row["text"].lower())  # dair-ai/emotion is lower-cased
            labels.append(label)
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    model = LinearSVC(C=0.3, class_weight="balanced").fit(vectorizer.fit_transform(texts), labels)
    truth = [r["label"] for r in dair_val]
    predicted = model.predict(vectorizer.transform([r["text"] for r in dair_val]))
    names = ["sadness", "joy", "love", "anger", "fear", "surprise"]
    per_label = f1_score(truth, predicted, labels=names, average=None, zero_division=0)
    return {
        "rows": len(texts),
        "rows_per_label": dict(Counter(labels)),
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(float(f1_score(truth, predicted, labels=names, average="macro")), 4),
        "f1": {n: round(float(f), 4) for n, f in zip(names, per_label, strict=True)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    found = next((b for b in SHARED if (b / "goemotions").is_dir()), SHARED[0])
    parser.add_argument("--goemotions", type=Path, default=found / "goemotions")
    parser.add_argument("--emotion", type=Path, default=found / "emotion")
    args = parser.parse_args()
    go_train = read_jsonl(args.goemotions / "train.jsonl")
    dair_val = read_jsonl(args.emotion / "validation.jsonl")
    base = load_mapping(MAP_FILE)
    started, results = time.time(), {}
    print(
        f"{'variant':48s} {'rows':>6s} {'acc':>6s} {'macro':>6s}  "
        + " ".join(f"{n[:5]:>5s}" for n in base.labels)
    )
    for name, mapping in variants(base).items():
        results[name] = result = score(mapping, go_train, dair_val)
        f1 = " ".join(f"{result['f1'][n]:5.2f}" for n in base.labels)
        print(
            f"{name:48s} {result['rows']:6d} {result['accuracy']:6.3f} {result['macro_f1']:6.3f}  {f1}",
            flush=True,
        )
    RESULTS.write_text(
        json.dumps(
            {
                "what": "bag-of-words LinearSVC trained on mapped GoEmotions train, scored on dair-ai/emotion validation",
                "map_sha256": base.sha256,
                "seconds": round(time.time() - started, 1),
                "variants": results,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
