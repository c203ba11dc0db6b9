# Shared by the conformance-vector tests: the `backable` command run as a subprocess, the
# command line of this project's adapter, and one export of every family (with the real blocks'
# chain cases when the chain data sits beside the checkout) made once per test session.
from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAIN_DATA = ROOT.parent / "shared" / "data"
SERVE = f"{shlex.quote(sys.executable)} -m backable vectors serve"

_folders: list[tempfile.TemporaryDirectory[str]] = []  # removed when the session ends


def cli(
    *args: str, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """`backable ARGS` in a subprocess, from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "backable", *args], input=stdin, capture_output=True, text=True,
        cwd=ROOT, timeout=timeout,
    )


def chain_args() -> tuple[str, ...]:
    return ("--chain-data", str(CHAIN_DATA)) if CHAIN_DATA.is_dir() else ()


@lru_cache(maxsize=1)
def exported() -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A folder `backable vectors export` wrote, with the chain cases when the data is there;
    made once per session."""
    holder = tempfile.TemporaryDirectory(prefix="vectors-")
    _folders.append(holder)
    folder = Path(holder.name) / "vectors"
    done = cli("vectors", "export", str(folder), *chain_args())
    assert done.returncode == 0, done.stderr
    return folder, done


def script(tmp_path: Path, name: str, text: str) -> str:
    """An adapter command running the Python `text` saved as `name` in `tmp_path`."""
    path = tmp_path / name
    path.write_text(text)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(path))}"
