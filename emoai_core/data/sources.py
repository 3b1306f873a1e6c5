"""Reading a data source — a Hugging Face dataset id, a local file or folder, or an http(s) URL — into rows.

Every source gives the same shape (split → texts and raw labels, plus label names when the source
has them), so normalising, versioning and validation never care where data came from. URLs are
downloaded into a temporary folder (`data.download`) and read like local files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emoai_core.base.errors import UnreachableError, UsageError
from emoai_core.data.readers import (
    FORMAT_HINT,
    FORMATS,
    LABEL_NAME_FILES,
    SPLIT_NAMES,
    Columns,
    ProgressFn,
    RawSplit,
    read_file,
    read_names_file,
)

__all__ = ["Columns", "RawData", "RawSplit", "parse_label_names", "read_source"]


@dataclass
class RawData:
    """What a source holds, before normalisation."""

    splits: dict[str, RawSplit]
    label_names: list[str] | None
    source: str
    kind: str  # "hub" | "file" | "folder" | "url"
    label_column: str | None = None  # the column the labels came from (None: text;label files)


def is_url(source: str) -> bool:
    return source.strip().lower().startswith(("http://", "https://"))


def is_local(source: str) -> bool:
    """An existing path, or something spelled like one, is local; URLs and anything else are not."""
    if is_url(source):
        return False
    path = Path(source).expanduser()
    if path.exists():
        return True
    return source.startswith((".", "/", "~")) or path.suffix.lower() in FORMATS or source.count("/") > 1


def parse_label_names(value: str) -> list[str]:
    """`--label-names`: a file with one name per line, or a comma-separated list of names."""
    path = Path(value).expanduser()
    if path.is_file():
        names = read_names_file(path)
        where = str(path)
    elif "," not in value and ("/" in value or path.suffix.lower() == ".txt"):
        raise UsageError(
            f"--label-names: no such file: {value}", "name a file with one label per line, or list a,b,c"
        )
    else:
        names = [n.strip() for n in value.split(",") if n.strip()]
        where = "--label-names"
    if not names:
        raise UsageError(f"{where}: no label names", "one name per line in a file, or a,b,c")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise UsageError(f"{where}: label names repeat: {', '.join(dupes)}", "each label name once")
    return names


def read_source(
    source: str,
    columns: Columns,
    label_names: list[str] | None,
    progress: ProgressFn | None = None,
    *,
    config: str | None = None,
    revision: str | None = None,
    on_event: Callable | None = None,
) -> RawData:
    scheme = source.split("://", 1)[0] if "://" in source else None
    if scheme and not is_url(source) and not Path(source).exists():
        raise UsageError(f"cannot read '{scheme}://' URLs: {source}", "use an http(s) URL or a local path")
    if (config or revision) and (is_url(source) or is_local(source)):
        raise UsageError(
            "--config and --revision apply to Hugging Face hub datasets only",
            f"drop them for '{source}'",
        )
    if is_url(source):
        from emoai_core.data.download import downloaded

        with downloaded(source.strip(), on_event) as local:
            raw = _read_local(local, columns, label_names, progress)
        raw.source, raw.kind = source.strip(), "url"
        return raw
    if is_local(source):
        path = Path(source).expanduser()
        if not path.exists():
            raise UsageError(
                f"no such file or directory: {source}",
                "pass a jsonl/csv/parquet/txt file, a folder of split files, a URL or a hub id",
            )
        return _read_local(path, columns, label_names, progress)
    return _read_hub(source, columns, label_names, progress, config, revision)


def _read_local(
    path: Path, columns: Columns, label_names: list[str] | None, progress: ProgressFn | None
) -> RawData:
    if path.is_dir():
        return _read_folder(path, columns, label_names, progress)
    split = read_file(path, columns, progress)
    names = label_names or _label_file(path.parent)
    return RawData({"train": split}, names, str(path.resolve()), "file", split.label_column)


def _label_file(folder: Path) -> list[str] | None:
    for name in LABEL_NAME_FILES:
        candidate = folder / name
        if candidate.is_file():
            return read_names_file(candidate) or None
    return None


def _read_folder(
    folder: Path, columns: Columns, label_names: list[str] | None, progress: ProgressFn | None
) -> RawData:
    found: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        split = SPLIT_NAMES.get(path.stem.lower())
        if split is None or path.suffix.lower() not in FORMATS or not path.is_file():
            continue
        if split in found:
            raise UsageError(
                f"two files for the {split} split in {folder}: {found[split].name} and {path.name}",
                "keep one file per split",
            )
        found[split] = path
    if "train" not in found:
        listed = ", ".join(p.name for p in sorted(folder.iterdir())[:10]) or "nothing"
        raise UsageError(
            f"no train split in {folder} (found: {listed})",
            f"name the files train.*, validation.* (or val/dev), test.*; {FORMAT_HINT}",
        )
    splits = {split: read_file(path, columns, progress) for split, path in found.items()}
    used = next((s.label_column for s in splits.values() if s.label_column), None)
    return RawData(splits, label_names or _label_file(folder), str(folder.resolve()), "folder", used)


def _hub_names(feature: object) -> tuple[list[str] | None, bool]:
    """Label names of a `ClassLabel` (or a list of them), and whether the column holds lists."""
    inner = getattr(feature, "feature", None)
    if inner is not None:  # datasets.Sequence / datasets.List
        return (list(inner.names) if hasattr(inner, "names") else None), True
    return (list(feature.names) if hasattr(feature, "names") else None), False


def _read_hub(
    source: str,
    columns: Columns,
    label_names: list[str] | None,
    progress: ProgressFn | None,
    config: str | None,
    revision: str | None,
) -> RawData:
    from emoai_core.base.quiet import quiet_libraries
    from emoai_core.data.readers import missing_column, pick_label_column

    quiet_libraries()
    import datasets

    what = (
        source + (f" (config {config})" if config else "") + (f" at revision {revision}" if revision else "")
    )
    try:
        loaded = datasets.load_dataset(source, config, **({"revision": revision} if revision else {}))
    except ConnectionError as exc:
        raise UnreachableError(
            f"cannot reach the Hugging Face hub for '{what}' ({str(exc).splitlines()[0][:160]})",
            "pass a local copy instead: emoai data pull ./path/to/data (or set EMOAI_DATA_SOURCE)",
        ) from None
    except (FileNotFoundError, ValueError) as exc:
        raise UsageError(
            f"cannot load '{what}' from the hub: {str(exc).splitlines()[0][:200]}",
            "check the dataset id, --config and --revision",
        ) from None
    splits: dict[str, RawSplit] = {}
    names = label_names
    for split_name, ds in loaded.items():
        split = SPLIT_NAMES.get(split_name.lower())
        if split is None:
            continue
        where = f"{source} [{split_name}]"
        if columns.text not in ds.column_names:
            raise missing_column(where, columns.text, list(ds.column_names), "--text-col")
        label_col = pick_label_column(columns, list(ds.column_names), where)
        found_names, _ = _hub_names(ds.features[label_col])
        names = names or found_names
        splits[split] = RawSplit(list(ds[columns.text]), list(ds[label_col]), label_col)
        if progress:
            progress(split_name, len(ds))
    if "train" not in splits:
        raise UsageError(
            f"{source} has no train split (splits: {', '.join(loaded)})",
            "pick a configuration with a train split (--config)",
        )
    used = splits["train"].label_column
    return RawData(splits, names, source, "hub", used)
