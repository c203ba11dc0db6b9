"""backable: Polkadot's rules for getting parachain blocks into relay blocks.

Two import packages live under this one name:

- ``backable.core``: the pure rules and records (SCALE forms, hashes, signature payloads, the
  statement table, candidate/bitfield/dispute selection, the job machines).
- ``backable.shell``: the imperative shell around them (overseer, subsystem drivers,
  collaborators, simulation, command line).

In the repository they sit at the top level as ``core/`` and ``shell/``; ``pyproject.toml`` maps
them into this namespace (setuptools' ``package-dir``), so the wheel installs one top-level name.
"""

from __future__ import annotations

from importlib import metadata as _metadata

try:
    __version__: str = _metadata.version("backable")
except _metadata.PackageNotFoundError:  # imported from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
