"""One module per conformance vector family; each defines ``FAMILY``, a ``Family`` record.
``all_families()`` finds them, so adding a family is adding a module."""

from __future__ import annotations

import importlib
import pkgutil

from ..family import Family

__all__ = ["all_families"]


def all_families() -> tuple[Family, ...]:
    """Every family, sorted by name (the export's and the runner's order)."""
    found: list[Family] = []
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        family = getattr(module, "FAMILY", None)
        if isinstance(family, Family):
            found.append(family)
    return tuple(sorted(found, key=lambda f: f.name))
