# The results file of a sweep: CSV, one header line (`HEADER`, fixed: every parameter, the seed,
# every outcome, the error) and one row per finished run, appended, flushed and synced to disk as
# the run finishes, so that a sweep stopped in any way (Ctrl-C, a kill, a crash, a power cut)
# loses at most the runs under way. Nothing is ever rewritten, except a last line cut short by
# such a stop, which is dropped before the next append (it is not a row: its run is run again).
#
# Resuming: the rows already in the file name the runs already done (a run is its key: the
# parameters and the seed), and a sweep runs only the others. A failed row (its `error` cell set)
# counts as done, so a run that fails for a reason of its own is not repeated at every resume;
# `retry_failed` runs the failed keys again, appending a new row, and a key's last successful row
# is its result (`latest_rows`).
#
# What belongs here: the header, reading and appending rows, which keys are done. Not here: the
# columns' meaning (grid.py, runner.py), what is run (driver.py).
from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TextIO

from .grid import KEY_COLUMNS
from .runner import OUTCOME_COLUMNS

__all__ = [
    "HEADER",
    "ResultsFile",
    "ResultsFileError",
    "ResultsWriteError",
    "completed_keys",
    "is_failed",
    "latest_rows",
    "read_rows",
    "row_key",
]

HEADER: tuple[str, ...] = (*KEY_COLUMNS, *OUTCOME_COLUMNS)

Row = dict[str, str]


class ResultsFileError(Exception):
    """The file is not a results file this sweep can use; the message says why in one line."""


class ResultsWriteError(Exception):
    """A row could not be appended (a full disk, an I/O error); names the file and the reason."""


def _header_line() -> str:
    return _csv_line(HEADER)


def _csv_line(cells: Sequence[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    return out.getvalue()


def row_key(row: Mapping[str, str]) -> tuple[str, ...]:
    """A row's run key as text, aligned with `KEY_COLUMNS` (`RunKey.cells()` of its run)."""
    return tuple(row[c] for c in KEY_COLUMNS)


def is_failed(row: Mapping[str, str]) -> bool:
    return row.get("error", "") != ""


def _parse(path: Path, text: str) -> list[Row]:
    # `text` ends with a newline or is empty; its first line must be the header.
    lines = list(csv.reader(io.StringIO(text)))
    if not lines:
        return []
    header = tuple(lines[0])
    if header != HEADER:
        missing = [c for c in HEADER if c not in header]
        extra = [c for c in header if c not in HEADER]
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"not ours: {', '.join(extra)}" if extra else "",
            )
            if part
        )
        raise ResultsFileError(
            f"{path}: its header is not a sweep's results header"
            f" ({detail or 'the columns are in another order'}); use another file"
        )
    rows: list[Row] = []
    for number, cells in enumerate(lines[1:], start=2):
        if len(cells) != len(HEADER):
            raise ResultsFileError(
                f"{path}: line {number} has {len(cells)} cells, the header {len(HEADER)}"
            )
        rows.append(dict(zip(HEADER, cells, strict=True)))
    return rows


def read_rows(path: str | Path) -> list[Row]:
    """Every complete row of the results file at `path`, in file order (a last line cut short
    is left out). `ResultsFileError` when the file cannot be read or is no results file."""
    target = Path(path)
    try:
        # Bytes decoded as they are: no newline translation, so a cell's `\r` stays in its cell.
        text = target.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise ResultsFileError(f"{path}: cannot read: {reason}") from None
    if not text:
        raise ResultsFileError(f"{path}: the file is empty, not a sweep's results")
    return _parse(target, text[: text.rfind("\n") + 1])


def latest_rows(rows: Iterable[Mapping[str, str]]) -> list[Row]:
    """One row per run key, in the order keys first appear: the key's last successful row, or
    its last row when every row of it failed."""
    chosen: dict[tuple[str, ...], Row] = {}
    for row in rows:
        key = row_key(row)
        kept = chosen.get(key)
        if kept is None or is_failed(kept) or not is_failed(row):
            chosen[key] = dict(row)
    return list(chosen.values())


def completed_keys(
    rows: Iterable[Mapping[str, str]], retry_failed: bool = False
) -> frozenset[tuple[str, ...]]:
    """The run keys (as text) that need no run: every key with a row, or with `retry_failed`
    every key with a successful row."""
    return frozenset(
        row_key(row) for row in rows if not (retry_failed and is_failed(row))
    )


class ResultsFile:
    """The results file of one sweep, opened for appending (`open`, then `append` per run)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: TextIO | None = None

    def open(self) -> list[Row]:
        """Create the file with its header, or check the header of the one there; drop a last
        line cut short; return the rows it already holds. `ResultsFileError` for a file that is
        no results file or cannot be opened."""
        try:
            with self.path.open("a+b") as raw:
                raw.seek(0)
                data = raw.read()
                # A last line cut short by a stop mid-write is no row: its run runs again.
                end = data.rfind(b"\n") + 1
                complete, partial = data[:end], data[end:]
                if not complete and not _header_line().encode().startswith(partial):
                    raise ResultsFileError(
                        f"{self.path}: its first line is not a sweep's results header;"
                        " use another file"
                    )
                try:
                    rows = _parse(self.path, complete.decode("utf-8"))
                except UnicodeDecodeError:
                    raise ResultsFileError(
                        f"{self.path}: not UTF-8 text, not a sweep's results"
                    ) from None
                # Only a file known to be ours is changed: the cut line goes, a header comes.
                if partial:
                    raw.truncate(end)
                if not complete:
                    raw.write(_header_line().encode())
                if partial or not complete:
                    raw.flush()
                    os.fsync(raw.fileno())
            self._file = self.path.open("a", encoding="utf-8", newline="")
        except OSError as e:
            raise ResultsFileError(f"{self.path}: cannot write: {e.strerror or e}") from None
        return rows

    def append(self, row: Mapping[str, str]) -> None:
        """Append one run's row and make it durable (flush and fsync) before returning.
        `ResultsWriteError` when the disk refuses."""
        if self._file is None:
            raise RuntimeError("ResultsFile.append before open")
        try:
            self._file.write(_csv_line([row[c] for c in HEADER]))
            self._file.flush()
            os.fsync(self._file.fileno())
        except OSError as e:
            raise ResultsWriteError(f"{self.path}: cannot write: {e.strerror or e}") from None

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def __enter__(self) -> ResultsFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
