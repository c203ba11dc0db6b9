# The design card's rule: core/ is pure. It imports nothing from shell/ and no I/O, clock,
# randomness, logging or concurrency module; and pyrsistent's C extension must be present
# (its pure-Python fallback is silent and several times slower).
from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "core"
FORBIDDEN = {
    "asyncio",
    "threading",
    "time",
    "random",
    "logging",
    "os",
    "socket",
    "subprocess",
    "shell",
    "multiprocessing",
    "concurrent",
    "secrets",
    "datetime",
    "signal",
    "selectors",
}


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            found.append((node.lineno, "__import__"))
    return found


CORE_FILES = sorted(CORE.rglob("*.py"))


def test_every_core_file_is_checked() -> None:
    # Subpackages are walked too: a rule in core/provisioner/ is as bound as one at the top.
    folders = {p.parent.relative_to(CORE).as_posix() for p in CORE_FILES}
    assert {".", "records", "backing", "provisioner"} <= folders


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.relative_to(CORE).as_posix())
def test_core_module_imports_nothing_forbidden(path: Path) -> None:
    bad = [
        f"{path.relative_to(CORE)}:{line} imports {name}"
        for line, name in _imported_modules(path)
        if name.split(".")[0] in FORBIDDEN
        or name == "__import__"
        or name.startswith("backable.shell")
    ]
    assert not bad, bad


def test_the_check_sees_a_forbidden_import() -> None:
    # Guard against a checker that passes everything.
    fake = CORE.parent / "tests" / "_purity_probe.py"
    fake.write_text("import time\nfrom shell import cli\nfrom os.path import join\n")
    try:
        names = [n for _, n in _imported_modules(fake)]
    finally:
        fake.unlink()
    assert names == ["time", "shell", "os.path"]


def test_pyrsistents_c_extension_is_present() -> None:
    import pvectorc  # noqa: F401
    from pyrsistent import pvector

    assert type(pvector()).__module__ == "pvectorc"
