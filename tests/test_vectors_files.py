# The vectors folder on disk (shell/vectors/files.py): one byte form for every file, and a folder
# read back into cases, refused with the file (and the case) named when something is off.
from __future__ import annotations

import json
from pathlib import Path

import pytest

from backable.shell.vectors.family import Case
from backable.shell.vectors.files import (
    FORMAT_VERSION,
    FamilyFile,
    FolderError,
    case_json,
    dump_json,
    read_folder,
)

CASE = Case("n3-at-threshold", "3 validators, 2 votes", "boundary", "seeds",
            {"n": 3, "ones": 2}, {"available": True})


def _folder(tmp_path: Path, cases: list[object], index: object | None = None) -> Path:
    (tmp_path / "fam.json").write_text(json.dumps(cases))
    listed = {"format_version": FORMAT_VERSION,
              "families": [{"name": "fam", "file": "fam.json", "summary": "s"}]}
    (tmp_path / "index.json").write_text(json.dumps(listed if index is None else index))
    return tmp_path


def test_every_file_has_one_byte_form_sorted_indented_ascii_with_a_final_newline() -> None:
    assert dump_json({"b": [1, "é"], "a": None}) == (
        b'{\n "a": null,\n "b": [\n  1,\n  "\\u00e9"\n ]\n}\n'
    )
    assert dump_json({"a": 1, "b": 2}) == dump_json({"b": 2, "a": 1})


def test_a_folder_reads_back_into_its_cases(tmp_path: Path) -> None:
    folder = _folder(tmp_path, [case_json(CASE)])
    assert read_folder(folder) == (FamilyFile("fam", "s", (CASE,)),)


@pytest.mark.parametrize(
    ("cases", "index", "message"),
    [
        ([], {"format_version": 99, "families": []}, "index.json: not a vectors index of format"
                                                     " version 1"),
        ([], {"format_version": 1}, "index.json: no list of families"),
        ([], {"format_version": 1, "families": [{"name": "x", "file": "../x.json"}]},
         "index.json: a family entry without a name and a plain file name"),
        ({"a": 1}, None, "fam.json: expected a JSON list of cases"),
        ([{"name": "x"}], None, "fam.json: case 0: expected an object with exactly name,"
                                " description, source, profile, input, expected"),
        ([{**case_json(CASE), "source": "dream"}], None,
         "fam.json: case 0: source 'dream' is none of boundary, generated, chain"),
        ([{**case_json(CASE), "profile": "kusama"}], None,
         "fam.json: case 0: profile 'kusama' is none of seeds, network"),
        ([{**case_json(CASE), "name": 5}], None,
         "fam.json: case 0: name and description must be strings"),
        ([{**case_json(CASE), "input": []}], None,
         "fam.json: case 0 (n3-at-threshold): input and expected must be objects"),
        ([case_json(CASE), case_json(CASE)], None, "fam.json: case names used twice:"
                                                   " n3-at-threshold"),
    ],
)
def test_a_folder_off_the_format_is_refused_naming_the_file(
    tmp_path: Path, cases: list[object], index: object, message: str
) -> None:
    folder = _folder(tmp_path, cases, index)
    with pytest.raises(FolderError) as refused:
        read_folder(folder)
    assert message in str(refused.value)
    assert str(refused.value).startswith(str(folder))


def test_missing_files_bad_json_and_a_file_for_a_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(FolderError, match=r"index\.json: no such file"):
        read_folder(tmp_path)
    (tmp_path / "index.json").write_text("{")
    with pytest.raises(FolderError, match=r"index\.json: bad JSON: "):
        read_folder(tmp_path)
    (tmp_path / "index.json").write_bytes(b"\xff")
    with pytest.raises(FolderError, match=r"index\.json: cannot read: "):
        read_folder(tmp_path)
    (tmp_path / "index.json").write_text("[" * 100_000)
    with pytest.raises(FolderError, match=r"index\.json: JSON nested too deeply"):
        read_folder(tmp_path)
    with pytest.raises(FolderError, match="not a directory"):
        read_folder(tmp_path / "index.json")
