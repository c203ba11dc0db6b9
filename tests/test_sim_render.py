from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from backable.shell.sim.render import (
    PlotUnavailable,
    Progress,
    render_summary,
    report_json,
    write_json,
    write_plot,
)
from backable.shell.sim.report import ADVERSARY_KINDS, TIMING_FIELDS, BlockRow, SimParams, SimReport


def _report(**overrides: object) -> SimReport:
    params = SimParams(validators=20, cores=4, group_size=5, blocks=3, seed=7)
    params.adversaries["double_vote"] = 0.1
    blocks = [
        BlockRow(1, author=3, seconded=4, backed=4, included=0, timed_out=0, code_upgrades=1,
                 bitfields=20, occupied_cores=0, available_cores=0, assembly_ms=1.5),
        BlockRow(2, author=11, seconded=4, backed=3, included=4, timed_out=0, code_upgrades=0,
                 bitfields=19, occupied_cores=4, available_cores=4, assembly_ms=2.5),
        BlockRow(3, author=0, seconded=3, backed=3, included=2, timed_out=1, code_upgrades=0,
                 bitfields=18, occupied_cores=3, available_cores=2, assembly_ms=9.0),
    ]
    report = SimReport(
        params=params,
        blocks=blocks,
        seconded=11,
        backed=10,
        included=6,
        timed_out=1,
        code_upgrades=1,
        mean_blocks_backing_to_inclusion=1.25,
        availability_per_core=[2, 1, 2, 1],
        misbehaviour_detected={"ValidityDoubleVote": 2},
        misbehaviour_injected={"ValidityDoubleVote": 2, "Withheld": 3},
        evidence_verified=2,
        evidence_unverified=0,
        dropped={"statement_loss": 5, "bad_signature": 1},
        invalid_seconded=1,
        invalid_backed=1,
        invalid_included=0,
        groups_with_adversaries_at_or_over_a_third=1,
        assembly_ms_median=2.5,
        assembly_ms_max=9.0,
        wall_seconds=0.42,
        signatures={"signed": 120, "verified": 345},
    )
    for name, value in overrides.items():
        setattr(report, name, value)
    return report


# --- the summary ------------------------------------------------------------------------------


def test_the_summary_opens_with_the_parameters_and_active_adversaries() -> None:
    lines = render_summary(_report()).splitlines()
    assert lines[0] == "backable simulate: 20 validators, 4 cores, groups of 5, 3 blocks, seed 7"
    assert lines[1] == (
        "  rotation every 10 blocks, availability timeout 4 blocks, backing threshold: the"
        " seed's majority, group size // 2 + 1"
    )
    assert lines[2] == "  code upgrade rate 0.05; loss: bitfields 0, statements 0, chunks 0"
    assert lines[3] == "  adversaries: double_vote 0.1"


def test_no_adversaries_reads_none() -> None:
    report = _report()
    report.params.adversaries = dict.fromkeys(ADVERSARY_KINDS, 0.0)
    assert "  adversaries: none" in render_summary(report).splitlines()


def test_the_block_table_has_a_row_per_block_and_the_totals() -> None:
    lines = render_summary(_report()).splitlines()
    header = (
        "block  author  seconded  backed  included  timed out  upgrades  bitfields  occupied"
        "  available"
    )
    start = lines.index(header)
    assert lines[start + 1 : start + 6] == [
        "    1       3         4       4         0          0         1         20         0"
        "          0",
        "    2      11         4       3         4          0         0         19         4"
        "          4",
        "    3       0         3       3         2          1         0         18         3"
        "          2",
        "-" * len(header),
        "total                11      10         6          1         1         57",
    ]


def test_the_mean_delay_and_its_absence() -> None:
    assert "mean blocks from backing to inclusion: 1.25" in render_summary(_report())
    nothing = _report(mean_blocks_backing_to_inclusion=None)
    assert "mean blocks from backing to inclusion: n/a (nothing included)" in render_summary(
        nothing
    )


def test_availability_per_core_is_rows_of_ten_with_min_mean_max() -> None:
    lines = render_summary(_report(availability_per_core=list(range(12)))).splitlines()
    start = lines.index(
        "availability per core (blocks in which the core's candidate became available):"
    )
    assert lines[start + 1 : start + 4] == [
        "  cores   0-9:  0  1  2  3  4  5  6  7  8  9",
        "  cores 10-11: 10 11",
        "  min 0, mean 5.5, max 11",
    ]


def test_misbehaviour_lists_every_detectable_kind_then_the_others_with_both_columns() -> None:
    lines = render_summary(_report()).splitlines()
    start = lines.index("misbehaviour           detected  injected")
    assert lines[start + 1 : start + 8] == [
        "ValidityDoubleVote            2         2",
        "MultipleCandidates            0         0",
        "UnauthorizedStatement         0         0",
        "DoubleSign                    0         0",
        "ForgedSignature               0         0",
        "Withheld                      0         3",
        "evidence: 2 verified, 0 unverified",
    ]


def test_invalid_candidates_and_the_third_line() -> None:
    lines = render_summary(_report()).splitlines()
    assert "invalid candidates: 1 seconded, 1 backed, 0 included" in lines
    assert (
        "groups with adversaries at or over a third: 1; invalid included there 0, elsewhere 0"
        in lines
    )


def test_dropped_messages_are_sorted_by_reason_with_a_total() -> None:
    lines = render_summary(_report()).splitlines()
    start = lines.index("dropped messages:")
    assert lines[start + 1 : start + 5] == [
        "  reason          count",
        "  bad_signature       1",
        "  statement_loss      5",
        "  total               6",
    ]
    assert "dropped messages: none" in render_summary(_report(dropped={}))


def test_signature_work_line() -> None:
    assert "signatures: 120 signed, 345 verified (sr25519)" in render_summary(_report())


def test_assembly_time_median_and_max() -> None:
    text = render_summary(_report())
    assert "provisioner assembly time: median 2.50 ms, max 9.00 ms" in text
    assert "provisioner assembly time: median n/a, max n/a" in render_summary(
        _report(assembly_ms_median=None, assembly_ms_max=None)
    )


def test_stopped_early_and_inherent_problems_show_only_when_present() -> None:
    text = render_summary(_report())
    assert "stopped early" not in text and "inherent problems" not in text
    troubled = render_summary(
        _report(stopped_early="block 3: no author", inherent_problems=["block 2: bad bitfield"])
    )
    assert troubled.endswith(
        "stopped early: block 3: no author\n\ninherent problems: 1\n  block 2: bad bitfield\n"
    )


# --- progress ---------------------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_off_a_terminal_writes_one_plain_line_per_block() -> None:
    stream = io.StringIO()
    progress = Progress(3, stream)
    for row in _report().blocks:
        progress(row)
    progress.close()
    assert stream.getvalue().splitlines() == [
        "block 1/3 (#1): seconded 4, backed 4, included 0, timed out 0",
        "block 2/3 (#2): seconded 4, backed 3, included 4, timed out 0",
        "block 3/3 (#3): seconded 3, backed 3, included 2, timed out 1",
    ]
    assert "\r" not in stream.getvalue()


def test_progress_on_a_terminal_redraws_one_line_and_ends_with_a_newline() -> None:
    stream = _Tty()
    progress = Progress(3, stream, width=6)
    for row in _report().blocks:
        progress(row)
    progress.close()
    assert stream.getvalue() == (
        "\r[##----] block 1/3  included 0"
        "\r[####--] block 2/3  included 4"
        "\r[######] block 3/3  included 6"
        "\n"
    )


# --- JSON -------------------------------------------------------------------------------------


def test_the_json_holds_the_params_seed_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    write_json(_report(), path)
    data = json.loads(path.read_text())
    assert data["params"]["seed"] == 7
    assert data["params"]["adversaries"]["double_vote"] == 0.1
    assert [b["author"] for b in data["blocks"]] == [3, 11, 0]
    assert data["included"] == 6


def test_two_writes_of_one_report_are_byte_identical_with_sorted_keys(tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    write_json(_report(), first)
    write_json(_report(), second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert text.endswith("}\n")
    assert list(json.loads(text)) == sorted(json.loads(text))


def test_reports_that_differ_only_in_timing_agree_without_timing() -> None:
    fast = _report()
    slow = _report(wall_seconds=9.9, assembly_ms_median=7.0, assembly_ms_max=70.0)
    slow.blocks[0].assembly_ms = 99.0
    assert report_json(fast) != report_json(slow)
    assert fast.without_timing() == slow.without_timing()
    stripped = json.dumps(fast.without_timing())
    assert not any(f'"{name}"' in stripped for name in TIMING_FIELDS)


def test_without_timing_keeps_every_other_difference() -> None:
    assert _report().without_timing() != _report(included=7).without_timing()


# --- the plot ---------------------------------------------------------------------------------


def test_write_plot_without_matplotlib_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match=r"pip install 'backable\[plot\]'"):
        write_plot(_report(), tmp_path / "plot.png")


def test_write_plot_draws_a_png(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib", reason="the optional 'plot' extra is not installed")
    path = tmp_path / "plot.png"
    write_plot(_report(), path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
