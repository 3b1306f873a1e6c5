"""The house keeps its shape: wings only at the top of emoai_core, small modules, a test naming
every core module, and the import contracts of pyproject.toml (which fail on a wrong arrow)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "emoai_core"
MAX_LINES = 300


def _core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if p.name != "__init__.py")


def test_the_top_of_emoai_core_holds_only_its_init_and_wings():
    top = sorted(p.name for p in CORE.iterdir() if p.name != "__pycache__")
    wings = [name for name in top if (CORE / name).is_dir()]
    assert [name for name in top if name not in wings] == ["__init__.py"]
    assert all((CORE / wing / "__init__.py").is_file() for wing in wings)
    assert not [p for p in CORE.glob("*/*/*.py")], "wings are one level deep"


@pytest.mark.parametrize("module", _core_modules(), ids=lambda p: str(p.relative_to(CORE)))
def test_no_core_module_is_a_god_module(module: Path):
    assert len(module.read_text().splitlines()) <= MAX_LINES


def test_every_core_module_is_named_by_a_test():
    tests = "\n".join(p.read_text() for p in (REPO / "tests").rglob("*.py"))
    unnamed = []
    for module in _core_modules():
        wing, name = module.parent.name, module.stem
        named = re.search(rf"\bemoai_core\.{wing}\.{name}\b", tests) or re.search(
            rf"from emoai_core\.{wing} import [^\n]*\b{name}\b", tests
        )
        if not named:
            unnamed.append(f"emoai_core.{wing}.{name}")
    assert unnamed == []


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
    )


def test_the_import_contracts_hold():
    result = _lint_imports(REPO)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        ("model/labels.py", "from emoai_core.training import run", "emoai_core.model is not allowed to import emoai_core.training"),
        ("data/versions.py", "from emoai_core.tracking import runs", "emoai_core.data is not allowed to import emoai_core.tracking"),
        ("base/errors.py", "import rich", "emoai_core is not allowed to import rich"),
        ("storage/files.py", "from emoai_core.cluster import state", "emoai_core.storage is not allowed to import emoai_core.cluster"),
        ("cluster/state.py", "import emoai_cli.console", "emoai_core is not allowed to import emoai_cli"),
    ],
)
def test_a_wrong_import_breaks_a_contract(tmp_path: Path, module: str, line: str, broken: str):
    for name in ("emoai_core", "emoai_cli"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "emoai_core" / module
    target.write_text(target.read_text() + f"\n{line}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode == 1
    assert broken in result.stdout
