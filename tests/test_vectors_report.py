# The run's report (shell/vectors/report.py): a table per family, the first failures with their
# first differences, the adapter's problem and a verdict; or all of it as JSON.
from __future__ import annotations

from backable.shell.vectors.report import report_json, report_text
from backable.shell.vectors.runner import CaseFailure, FamilyReport, RunReport

PASSING = FamilyReport("availability", 10, 0, 0, 0, ())
FAILING = FamilyReport(
    "bitfield_selection", 1, 4, 0, 0,
    tuple(CaseFailure(i, f"case-{i}", tuple(f"d{j}" for j in range(7))) for i in range(2, 6)),
)
UNSUPPORTED = FamilyReport("dispute_selection", 0, 0, 5, 0, ())


def test_a_clean_run_says_ok_and_counts_unsupported_cases_apart() -> None:
    text = report_text(RunReport("./adapter", (PASSING, UNSUPPORTED), None, 0))
    assert text == (
        "adapter: ./adapter\n"
        "\n"
        "family             passed  failed  unsupported  not run\n"
        "-------------------------------------------------------\n"
        "availability           10       0            0        0\n"
        "dispute_selection       0       0            5        0\n"
        "-------------------------------------------------------\n"
        "total                  10       0            5        0\n"
        "\n"
        "ok: nothing failed (5 cases of unsupported families)\n"
    )


def test_a_failing_run_shows_three_cases_and_five_differences_each() -> None:
    report = RunReport("./adapter", (PASSING, FAILING), "the adapter answered nothing", None)
    text = report_text(report)
    assert "bitfield_selection: 4 failed, first 3:\n  case case-2 (request 2):\n    d0\n" in text
    assert "    d4\n    ... 2 more differences (--json shows all)\n  case case-3" in text
    assert "case-5" not in text
    assert text.endswith("\nadapter problem: the adapter answered nothing\n\n"
                         "FAILED: 4 failed, 0 not run\n")


def test_the_json_report_has_every_failure_and_every_difference() -> None:
    report = RunReport("a", (PASSING, FAILING), None, 1)
    as_json = report_json(report)
    assert as_json["ok"] is False and as_json["adapter_exit_code"] == 1
    assert as_json["totals"] == {"passed": 11, "failed": 4, "unsupported": 0, "not_run": 0}
    families = as_json["families"]
    assert isinstance(families, list)
    failing = families[1]
    assert isinstance(failing, dict) and failing["name"] == "bitfield_selection"
    assert failing["failures"] == [
        {"request_id": i, "case": f"case-{i}", "problems": [f"d{j}" for j in range(7)]}
        for i in range(2, 6)
    ]
