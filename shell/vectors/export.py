# `backable vectors export`: every family's cases written to a folder, one `<family>.json` each
# and an `index.json` naming them with their case counts by source and profile. The files'
# bytes depend only on the families and the chain data (files.py's one byte form), so the same
# command gives the same bytes. A folder path that is a file and a chain-data folder without the
# six blocks are refused before anything is written.
from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import backable

from .chain import check_chain_data
from .families import all_families
from .family import Case, Family
from .files import FORMAT_VERSION, INDEX_FILE, FolderError, case_json, dump_json

__all__ = ["ExportSummary", "FamilySummary", "WriteFailed", "export", "family_cases"]

_SOURCES = ("boundary", "generated", "chain")
_PROFILES = ("seeds", "network")


class WriteFailed(FolderError):
    """A vectors file could not be written once the folder was there (a full disk, say)."""


@dataclass(frozen=True, slots=True)
class FamilySummary:
    """One family as exported: its file, its case counts and the time its cases took."""

    name: str
    file: str
    cases: int
    by_source: Mapping[str, int]
    by_profile: Mapping[str, int]
    seconds: float


@dataclass(frozen=True, slots=True)
class ExportSummary:
    folder: Path
    families: tuple[FamilySummary, ...]
    chain_cases: bool  # whether chain data was given, so the chain cases are in

    @property
    def total(self) -> int:
        return sum(f.cases for f in self.families)


def family_cases(family: Family, chain_data: Path | None) -> tuple[Case, ...]:
    """The family's cases, checked: names unique, sources and profiles known."""
    cases = family.cases(chain_data)
    names = Counter(c.name for c in cases)
    twice = sorted(name for name, k in names.items() if k > 1)
    if twice:
        raise ValueError(f"family {family.name}: case names used twice: {', '.join(twice[:3])}")
    for case in cases:
        if case.source not in _SOURCES or case.profile not in _PROFILES:
            raise ValueError(f"family {family.name}, case {case.name}: source {case.source!r},"
                             f" profile {case.profile!r}")
    return cases


def _counts(values: Sequence[str], keys: Sequence[str]) -> dict[str, int]:
    found = Counter(values)
    return {key: found[key] for key in keys}


def export(
    folder: Path, chain_data: Path | None, families: Sequence[Family] | None = None
) -> ExportSummary:
    """Write every family's cases (`families`, default all) into `folder`, made if missing.

    With `chain_data` (the folder holding `polkadot/raw/blockN.json`) the chain cases are in;
    without, they are left out. FolderError for a `folder` that exists and is not a directory
    or cannot be made, WriteFailed for a file that cannot be written; ChainDataError for a
    `chain_data` without the six blocks; the drawing module's GeneratorMissing when hypothesis
    is not installed.
    """
    if folder.exists() and not folder.is_dir():
        raise FolderError(f"{folder}: exists and is not a directory")
    if chain_data is not None:
        check_chain_data(chain_data)
    chosen = tuple(families) if families is not None else all_families()
    files: list[tuple[str, bytes]] = []
    summaries: list[FamilySummary] = []
    for family in chosen:
        started = time.perf_counter()
        cases = family_cases(family, chain_data)
        file = f"{family.name}.json"
        files.append((file, dump_json([case_json(c) for c in cases])))
        summaries.append(FamilySummary(
            family.name, file, len(cases),
            _counts([c.source for c in cases], _SOURCES),
            _counts([c.profile for c in cases], _PROFILES),
            time.perf_counter() - started,
        ))
    index = {
        "format_version": FORMAT_VERSION,
        "generator": f"backable {backable.__version__}",
        "chain_cases": chain_data is not None,
        "families": [
            {"name": s.name, "summary": f.summary, "file": s.file, "cases": s.cases,
             "by_source": dict(s.by_source), "by_profile": dict(s.by_profile)}
            for s, f in zip(summaries, chosen, strict=True)
        ],
    }
    files.append((INDEX_FILE, dump_json(index)))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise FolderError(f"{folder}: cannot make the folder: {e.strerror or e}") from None
    for name, raw in files:
        try:
            (folder / name).write_bytes(raw)
        except OSError as e:
            raise WriteFailed(f"{folder / name}: cannot write: {e.strerror or e}") from None
    return ExportSummary(folder, tuple(summaries), chain_data is not None)
