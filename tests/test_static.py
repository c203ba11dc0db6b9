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


def test_mypy_strict_passes_on_core_and_shell(tmp_path: Path) -> None:
    # mypy reads files, not import hooks: it cannot follow pyproject's package-dir mapping of
    # core/ and shell/ to backable.core and backable.shell. So it checks them in a tree of
    # symlinks laid out as the wheel installs them.
    tree = tmp_path / "backable"
    tree.mkdir()
    for name in ("__init__.py", "__main__.py", "py.typed"):
        (tree / name).symlink_to(ROOT / "src" / "backable" / name)
    (tree / "core").symlink_to(ROOT / "core", target_is_directory=True)
    (tree / "shell").symlink_to(ROOT / "shell", target_is_directory=True)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(tmp_path / ".mypy_cache"), "-p", "backable"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout


def test_ruff_check_passes() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    result = _run(ruff, "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_class_name_is_defined_twice_in_the_project() -> None:
    # One vocabulary (house style 13): a concept has one class, and the shell carries the core's
    # events instead of mirroring them, so no name needs renaming on import.
    import ast
    from collections import defaultdict

    where: defaultdict[str, list[str]] = defaultdict(list)
    for folder in ("core", "shell", "tests", "properties", "bench", "src"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ClassDef):
                    where[node.name].append(f"{path.relative_to(ROOT)}:{node.lineno}")
    twice = {name: places for name, places in where.items() if len(places) > 1}
    assert not twice, twice
