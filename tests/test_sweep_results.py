# The results file: its fixed header, rows appended and read back, resuming (which keys are
# done, failed rows and --retry-failed), a last line cut short by a kill, and files that are not
# a sweep's results (refused, and left as they were).
from __future__ import annotations

import os
from pathlib import Path

import pytest

from backable.shell.sweep.grid import KEY_COLUMNS, Grid
from backable.shell.sweep.results import (
    HEADER,
    ResultsFile,
    ResultsFileError,
    ResultsWriteError,
    completed_keys,
    is_failed,
    latest_rows,
    read_rows,
    row_key,
)
from backable.shell.sweep.runner import OUTCOME_COLUMNS, failed_outcome

KEYS = Grid.of({"group_size": (3, 5)}).expand(range(2))


def _row(index: int, **outcome: str) -> dict[str, str]:
    cells = dict.fromkeys(OUTCOME_COLUMNS, "1") | {"stopped_early": "", "error": ""} | outcome
    return dict(zip(KEY_COLUMNS, KEYS[index].cells(), strict=True)) | cells


def test_the_header_is_every_key_column_then_every_outcome() -> None:
    assert (*KEY_COLUMNS, *OUTCOME_COLUMNS) == HEADER
    assert HEADER[-1] == "error" and "seed" in HEADER and "wall_seconds" in HEADER


def test_a_new_file_gets_the_header_and_rows_come_back_as_written(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsFile(path) as results:
        assert results.open() == []
        assert path.read_text() == ",".join(HEADER) + "\n"
        results.append(_row(0))
        results.append(_row(1, **failed_outcome('ValueError: a "quoted", comma, text')))
    rows = read_rows(path)
    assert rows == [_row(0), _row(1, **failed_outcome('ValueError: a "quoted", comma, text'))]
    assert path.read_text().count("\n") == 3  # one line per row, quoting and all


def test_reopening_returns_the_rows_there_and_appends_after_them(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsFile(path) as results:
        results.open()
        results.append(_row(0))
    with ResultsFile(path) as results:
        assert results.open() == [_row(0)]
        results.append(_row(2))
    assert read_rows(path) == [_row(0), _row(2)]


def test_a_last_line_cut_short_is_dropped_and_its_run_is_not_done(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    with ResultsFile(path) as results:
        results.open()
        results.append(_row(0))
    whole = path.read_text()
    path.write_text(whole + "3,60,5,30,10,4,0.0")  # a kill in the middle of a write
    assert read_rows(path) == [_row(0)]
    with ResultsFile(path) as results:
        assert results.open() == [_row(0)]
        assert path.read_text() == whole
        results.append(_row(1))
    assert read_rows(path) == [_row(0), _row(1)]


def test_a_header_cut_short_is_written_again(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("validators,cores,gro")
    with ResultsFile(path) as results:
        assert results.open() == []
    assert path.read_text() == ",".join(HEADER) + "\n"


def test_a_file_of_another_shape_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    text = "name,value\nx,1\ny,2"
    path.write_text(text)
    with pytest.raises(ResultsFileError) as e:
        ResultsFile(path).open()
    assert str(e.value).startswith(f"{path}: its header is not a sweep's results header (missing ")
    assert "not ours: name, value" in str(e.value)
    assert path.read_text() == text


def test_a_header_with_the_columns_in_another_order_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(reversed(HEADER)) + "\n")
    with pytest.raises(ResultsFileError, match="the columns are in another order"):
        read_rows(path)


def test_a_first_line_that_is_no_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("hello")
    with pytest.raises(ResultsFileError, match="its first line is not a sweep's results header"):
        ResultsFile(path).open()
    assert path.read_text() == "hello"


def test_a_row_with_the_wrong_number_of_cells_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(",".join(HEADER) + "\n1,2,3\n")
    with pytest.raises(ResultsFileError) as e:
        read_rows(path)
    assert str(e.value) == f"{path}: line 2 has 3 cells, the header {len(HEADER)}"


def test_files_that_cannot_be_read_or_written_are_named(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="cannot read"):
        read_rows(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ResultsFileError, match="the file is empty"):
        read_rows(tmp_path / "empty.csv")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\n")
    with pytest.raises(ResultsFileError, match="not UTF-8"):
        ResultsFile(tmp_path / "binary.csv").open()
    with pytest.raises(ResultsFileError, match="cannot write"):
        ResultsFile(tmp_path / "no" / "such" / "dir.csv").open()
    with pytest.raises(RuntimeError):
        ResultsFile(tmp_path / "r.csv").append(_row(0))


def test_every_row_is_done_but_failed_ones_are_retried_when_asked() -> None:
    rows = [_row(0), _row(1, **failed_outcome("SimulationError: no"))]
    assert completed_keys(rows) == {KEYS[0].cells(), KEYS[1].cells()}
    assert completed_keys(rows, retry_failed=True) == {KEYS[0].cells()}
    assert is_failed(rows[1]) and not is_failed(rows[0])
    assert row_key(rows[0]) == KEYS[0].cells()


def test_a_keys_last_success_is_its_result_and_a_later_failure_does_not_hide_it() -> None:
    failed = _row(0, **failed_outcome("boom"))
    first, second = _row(0, seconded="4"), _row(0, seconded="5")
    assert latest_rows([failed, first]) == [first]
    assert latest_rows([first, failed]) == [first]
    assert latest_rows([first, second]) == [second]
    assert latest_rows([failed, _row(1), failed]) == [failed, _row(1)]


def test_a_row_the_disk_refuses_is_a_write_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.csv"
    with ResultsFile(path) as results:
        results.open()

        def full(fd: int) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "fsync", full)
        with pytest.raises(ResultsWriteError) as e:
            results.append(_row(0))
    assert str(e.value) == f"{path}: cannot write: No space left on device"
