# The typing and lint gates, run as part of the suite so that the README's one test command is
# the whole of CI: `mypy --strict` on core/ and shell/, and `ruff check` on the project.
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_mypy_strict_passes_on_core_and_shell() -> None:
    result = _run(sys.executable, "-m", "mypy", "--strict", "core", "shell")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_check_passes() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = _run(ruff, "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr
