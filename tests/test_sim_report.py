"""The report's records: `Inclusions`, the column store for inclusion rows, reads back exactly
the rows appended and renders as the list of dicts it stands for."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from backable.shell.sim.report import InclusionRow, Inclusions, SimParams, SimReport


def _row(block: int, *, invalid: bool = False, core: int = 0) -> InclusionRow:
    return InclusionRow(
        block=block,
        core=core,
        para=2_000 + core,
        backed_at=block - 1,
        votes=3,
        group_size=5,
        threshold=3,
        availability=201,
        validators=300,
        scheduled_when_backed=not invalid,
        invalid=invalid,
    )


ROWS = [_row(1), _row(2, invalid=True, core=7), _row(3, core=2**32 - 1)]


def test_rows_read_back_as_appended() -> None:
    store = Inclusions()
    for row in ROWS:
        store.append(row)
    assert len(store) == 3
    assert list(store) == ROWS
    assert store[1] == ROWS[1] and store[-1] == ROWS[-1]
    assert store[1:] == ROWS[1:]
    assert store == ROWS and store == Inclusions(ROWS)
    assert store != Inclusions(ROWS[:2]) and store != ROWS[:2]


def test_flags_come_back_as_bools_and_big_u32s_intact() -> None:
    row = Inclusions(ROWS)[2]
    assert row.core == 2**32 - 1
    assert type(row.invalid) is bool and type(row.scheduled_when_backed) is bool


def test_out_of_range_index_is_an_index_error() -> None:
    with pytest.raises(IndexError):
        Inclusions(ROWS)[3]
    with pytest.raises(IndexError):
        Inclusions()[0]


def test_report_renders_the_rows_as_dicts() -> None:
    report = SimReport(params=SimParams(), inclusions=Inclusions(ROWS))
    data = report.to_dict()
    assert data["inclusions"] == [asdict(row) for row in ROWS]
    assert data["params"] == asdict(SimParams())
    json.dumps(data)  # plain data all the way down
    data["params"]["adversaries"]["forge"] = 1.0  # a copy: the report is untouched
    assert report.params.adversaries["forge"] == 0.0


def test_columns_are_narrow_and_widen_for_a_value_beyond_u32_without_losing_rows() -> None:
    assert {column.itemsize for column in Inclusions(ROWS[:2])._columns} == {1, 4}
    store = Inclusions(ROWS)  # the last row's para (2,000 + core) is past u32 already
    big = _row(4, core=2**40)
    negative = _row(5, core=-1)
    store.append(big)
    store.append(negative)
    assert list(store) == [*ROWS, big, negative]
    assert store == Inclusions([*ROWS, big, negative])


def test_a_value_beyond_64_bits_is_refused_and_leaves_the_rows_as_they_were() -> None:
    store = Inclusions(ROWS)
    with pytest.raises(OverflowError, match="does not fit in 64 bits"):
        store.append(_row(4, core=2**64))
    assert list(store) == ROWS
