# The package as users install it: one top-level import name (`backable`), which survives a
# second distribution that ships its own top-level `core` and `shell`, and a working directory
# that has folders of those names. Builds the real wheel (pip, with build isolation, as a user
# would) and installs it into a target folder beside such a neighbour.
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

NEIGHBOUR_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "neighbour-with-core"
version = "1.0"

[tool.setuptools]
packages = ["core", "shell"]
"""
BROKEN = "raise ImportError('this is the neighbour package, not backable')\n"


def _pip(*args: str, cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        cwd=cwd, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    _pip("wheel", "--no-deps", "-w", str(out), str(ROOT), cwd=out)
    (built,) = out.glob("backable-*.whl")
    return built


def test_the_wheel_installs_one_top_level_name(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    tops = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"backable"}
    assert "backable/shell/data/bip39_english.txt" in names
    assert "backable/core/py.typed" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_backable_works_beside_a_package_with_its_own_core_and_shell(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    neighbour = tmp_path / "neighbour"
    for name in ("core", "shell"):
        (neighbour / name).mkdir(parents=True)
        (neighbour / name / "__init__.py").write_text(BROKEN)
    (neighbour / "pyproject.toml").write_text(NEIGHBOUR_PYPROJECT)
    _pip("install", "--no-deps", "--target", str(site), str(wheel), cwd=tmp_path)
    # The neighbour goes in second, into the same folder, as a later `pip install` would.
    _pip("install", "--no-deps", "--target", str(site), str(neighbour), cwd=tmp_path)
    assert (site / "core" / "__init__.py").read_text() == BROKEN

    # A working directory of the common application layout, with its own core/ and shell/.
    app = tmp_path / "app"
    for name in ("core", "shell"):
        (app / name).mkdir(parents=True)
        (app / name / "__init__.py").write_text(BROKEN)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = list(args) if args[0].startswith("/") else [sys.executable, *args]
        return subprocess.run(
            command, cwd=app, capture_output=True, text=True, timeout=300,
            env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        )

    imported = run("-c", "import backable, backable.core, backable.shell; print(backable.__file__)")
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == str(site / "backable" / "__init__.py")

    # The console script pip installed (its shebang is this interpreter), then `python -m`.
    script = site / "bin" / "backable"
    assert script.exists()
    for command in ((str(script),), (sys.executable, "-m", "backable")):
        decoded = run(*command, "decode")
        assert decoded.returncode == 0, decoded.stderr
        assert "bitfields: 10 over 4 cores" in decoded.stdout
        version = run(*command, "--version")
        assert version.stdout.strip().startswith("backable ")

    simulated = run(str(script), "simulate", "--blocks", "2", "--quiet")
    assert simulated.returncode == 0, simulated.stderr
    assert simulated.stdout.startswith("backable simulate: 300 validators, 60 cores")
    assert ", 2 blocks, seed 0" in simulated.stdout.splitlines()[0]
