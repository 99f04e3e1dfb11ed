"""The architecture as contracts: ui and bench over assistant over index, and no import cycles inside a package."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold():
    """`lint-imports` (import-linter) checks the contracts in pyproject.toml's [tool.importlinter]."""
    lint = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    report = out.stdout + out.stderr
    assert out.returncode == 0, report
    assert "Contracts: 2 kept, 0 broken." in report, report


MAX_MODULE_LINES = 400  # one step per module: a newcomer reads a module whole


def test_every_module_holds_one_step():
    """No module of index/, assistant/ or ui/ outgrows MAX_MODULE_LINES, and each opens with a one-line docstring."""
    too_long, undocumented = [], []
    for package in ("index", "assistant", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > MAX_MODULE_LINES:
                too_long.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
            if not text.startswith('"""'):
                undocumented.append(str(path.relative_to(ROOT)))
    assert not too_long, too_long
    assert not undocumented, undocumented


def test_language_knowledge_is_data_in_one_place_per_language():
    """Cue words live in assistant/language/{zh,en}.py as plain data (no code), and every cue there says what it
    decides in a comment line above it."""
    import ast

    for name in ("zh", "en"):
        path = ROOT / "assistant" / "language" / f"{name}.py"
        lines = path.read_text(encoding="utf-8").split("\n")
        tree = ast.parse("\n".join(lines))
        for node in tree.body[1:]:  # after the docstring
            assert isinstance(node, ast.Assign), f"{path.name}:{node.lineno} holds code, not data"
            assert lines[node.lineno - 2].startswith("# "), f"{path.name}:{node.lineno} says not what it decides"
