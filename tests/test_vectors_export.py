# The export (shell/vectors/export.py): the same command gives the same bytes; the index names
# every family with its counts; a folder that is a file, chain data without the blocks and a file
# that cannot be written are refused by name.
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from backable.shell.vectors.chain import ChainDataError
from backable.shell.vectors.export import WriteFailed, export, family_cases
from backable.shell.vectors.families import all_families
from backable.shell.vectors.families.availability_threshold import FAMILY as THRESHOLD
from backable.shell.vectors.family import Case, Family, Json
from backable.shell.vectors.files import FolderError, read_folder
from tests.vectors_helpers import CHAIN_DATA, exported


def test_exporting_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    # The session's export ran `backable vectors export` in a child process; this one runs in
    # this process, after other modules were loaded: the same files, byte for byte.
    first, _ = exported()
    second = tmp_path / "again"
    export(second, CHAIN_DATA if CHAIN_DATA.is_dir() else None)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir())
    assert names == sorted(["index.json", *(f"{f.name}.json" for f in all_families())])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_the_index_counts_each_familys_cases_by_source_and_profile() -> None:
    folder, _ = exported()
    index = json.loads((folder / "index.json").read_text())
    assert index["format_version"] == 1 and index["chain_cases"] is CHAIN_DATA.is_dir()
    files = {f.name: f.cases for f in read_folder(folder)}
    for entry in index["families"]:
        cases = files[entry["name"]]
        assert entry["cases"] == len(cases) == sum(entry["by_source"].values())
        assert entry["by_source"] == {s: sum(c.source == s for c in cases)
                                      for s in ("boundary", "generated", "chain")}
        assert entry["by_profile"] == {p: sum(c.profile == p for c in cases)
                                       for p in ("seeds", "network")}


def test_every_family_has_at_least_fifty_cases_or_says_why_not() -> None:
    folder, _ = exported()
    for family in read_folder(folder):
        schema = {f.name: f.schema for f in all_families()}[family.name]
        assert len(family.cases) >= 50 or "fewer than 50" in schema, family.name


def test_without_chain_data_there_are_no_chain_cases(tmp_path: Path) -> None:
    summary = export(tmp_path / "v", None, [THRESHOLD])
    (only,) = summary.families
    assert summary.chain_cases is False and only.by_source["chain"] == 0
    assert only.cases == summary.total == only.by_source["boundary"] + only.by_source["generated"]
    index = json.loads((tmp_path / "v" / "index.json").read_text())
    assert index["chain_cases"] is False and [f["name"] for f in index["families"]] == [
        "availability_threshold"]


def test_a_folder_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    with pytest.raises(FolderError, match="exists and is not a directory"):
        export(tmp_path / "f", None, [THRESHOLD])
    with pytest.raises(FolderError, match="cannot make the folder"):
        export(tmp_path / "f" / "below", None, [THRESHOLD])


def test_chain_data_without_the_blocks_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ChainDataError, match="not a directory"):
        export(tmp_path / "v", tmp_path / "missing", [THRESHOLD])
    with pytest.raises(ChainDataError, match=r"no polkadot/raw/block18468942.json"):
        export(tmp_path / "v", tmp_path, [THRESHOLD])
    assert not (tmp_path / "v").exists()


def test_a_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    (tmp_path / "v" / "availability_threshold.json").mkdir(parents=True)
    with pytest.raises(WriteFailed, match=r"availability_threshold\.json: cannot write: "):
        export(tmp_path / "v", None, [THRESHOLD])


def _family(cases: tuple[Case, ...]) -> Family:
    def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
        return {}

    return Family("f", "", "", evaluate, lambda chain_data: cases)


def test_a_family_with_two_cases_of_one_name_or_an_unknown_source_is_a_bug() -> None:
    case = Case("a", "", "boundary", "seeds", {}, {})
    with pytest.raises(ValueError, match="family f: case names used twice: a"):
        family_cases(_family((case, case)), None)
    odd = Case("b", "", "guessed", "seeds", {}, {})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="case b: source 'guessed'"):
        family_cases(_family((odd,)), None)
