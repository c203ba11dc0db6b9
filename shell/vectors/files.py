# The vectors folder on disk: `index.json` and one `<family>.json` per family, each a JSON list of
# cases. What belongs here: the JSON form of a case and of the index, the one byte form every file
# is written in (sorted keys, one-space indent, ASCII, a final newline: the same cases give the
# same bytes), and reading a folder back into `Case` records, refusing with `FolderError` naming
# the file and the case when something is off.
from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from .family import Case, Json

__all__ = [
    "FORMAT_VERSION",
    "INDEX_FILE",
    "FamilyFile",
    "FolderError",
    "case_json",
    "dump_json",
    "read_folder",
]

FORMAT_VERSION = 1
INDEX_FILE = "index.json"
_SOURCES = ("boundary", "generated", "chain")
_PROFILES = ("seeds", "network")
_CASE_KEYS = ("name", "description", "source", "profile", "input", "expected")


class FolderError(ValueError):
    """A vectors folder cannot be read or written as asked; the message names the file."""


@dataclass(frozen=True, slots=True)
class FamilyFile:
    """One family's cases as a folder holds them."""

    name: str
    summary: str
    cases: tuple[Case, ...]


def case_json(case: Case) -> dict[str, Json]:
    """A case as its family file lists it."""
    return {
        "name": case.name,
        "description": case.description,
        "source": case.source,
        "profile": case.profile,
        "input": dict(case.input),
        "expected": dict(case.expected),
    }


def dump_json(value: Any) -> bytes:
    """The one byte form of every vectors file: deterministic for equal values."""
    return (json.dumps(value, sort_keys=True, indent=1, ensure_ascii=True) + "\n").encode("ascii")


def _load(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise FolderError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise FolderError(f"{path}: cannot read: {e}") from None
    try:
        return json.loads(text)
    except RecursionError:
        raise FolderError(f"{path}: JSON nested too deeply") from None
    except ValueError as e:
        raise FolderError(f"{path}: bad JSON: {e}") from None


def _case(item: Any, path: Path, i: int) -> Case:
    where = f"{path}: case {i}"
    if not isinstance(item, dict) or sorted(item) != sorted(_CASE_KEYS):
        raise FolderError(f"{where}: expected an object with exactly {', '.join(_CASE_KEYS)}")
    if not isinstance(item["name"], str) or not isinstance(item["description"], str):
        raise FolderError(f"{where}: name and description must be strings")
    if item["source"] not in _SOURCES:
        raise FolderError(f"{where}: source {item['source']!r} is none of {', '.join(_SOURCES)}")
    if item["profile"] not in _PROFILES:
        raise FolderError(
            f"{where}: profile {item['profile']!r} is none of {', '.join(_PROFILES)}"
        )
    if not isinstance(item["input"], dict) or not isinstance(item["expected"], dict):
        raise FolderError(f"{where} ({item['name']}): input and expected must be objects")
    return Case(item["name"], item["description"], item["source"], item["profile"],
                cast(Mapping[str, Json], item["input"]),
                cast(Mapping[str, Json], item["expected"]))


def read_folder(folder: Path) -> tuple[FamilyFile, ...]:
    """The families of a vectors folder, in its index's order, each with its cases."""
    if not folder.is_dir():
        raise FolderError(f"{folder}: not a directory (expected a folder `backable vectors"
                          " export` wrote)")
    index_path = folder / INDEX_FILE
    index = _load(index_path)
    if not isinstance(index, dict) or index.get("format_version") != FORMAT_VERSION:
        raise FolderError(f"{index_path}: not a vectors index of format version"
                          f" {FORMAT_VERSION}")
    entries = index.get("families")
    if not isinstance(entries, list):
        raise FolderError(f"{index_path}: no list of families")
    families: list[FamilyFile] = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("file"), str) or "/" in entry["file"] \
                or "\\" in entry["file"]:
            raise FolderError(f"{index_path}: a family entry without a name and a plain file"
                              f" name: {entry!r}")
        path = folder / entry["file"]
        listed = _load(path)
        if not isinstance(listed, list):
            raise FolderError(f"{path}: expected a JSON list of cases")
        cases = tuple(_case(item, path, i) for i, item in enumerate(listed))
        twice = sorted(n for n, k in Counter(c.name for c in cases).items() if k > 1)
        if twice:
            raise FolderError(f"{path}: case names used twice: {', '.join(twice[:3])}")
        families.append(FamilyFile(entry["name"], str(entry.get("summary", "")), cases))
    return tuple(families)
