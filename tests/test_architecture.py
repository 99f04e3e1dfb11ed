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
