# How `backable vectors run` shows its report: a table of passed / failed / unsupported / not
# run per family, then each failing family's first failures with their first differences, the
# adapter's problem if one stopped the run, and a verdict line; or the whole report as JSON
# (`--json`), every failure and every difference.
from __future__ import annotations

from .family import Json
from .runner import RunReport

__all__ = ["report_json", "report_text"]

_CASES_SHOWN = 3  # failing cases shown per family in the text report
_LINES_SHOWN = 5  # differences shown per failing case


def report_json(report: RunReport) -> dict[str, Json]:
    """The whole report: per family the counts and every failure with all its problems."""
    return {
        "adapter": report.adapter,
        "ok": report.ok,
        "adapter_problem": report.adapter_problem,
        "adapter_exit_code": report.adapter_exit_code,
        "totals": {k: report.total(k) for k in ("passed", "failed", "unsupported", "not_run")},
        "families": [
            {
                "name": f.name,
                "passed": f.passed,
                "failed": f.failed,
                "unsupported": f.unsupported,
                "not_run": f.not_run,
                "failures": [
                    {"request_id": x.request_id, "case": x.case, "problems": list(x.problems)}
                    for x in f.failures
                ],
            }
            for f in report.families
        ],
    }


def report_text(report: RunReport) -> str:
    """The readable report, ending with a newline."""
    width = max([len("family"), len("total"), *(len(f.name) for f in report.families)])
    head = f"{'family':<{width}}  {'passed':>6}  {'failed':>6}  {'unsupported':>11}  {'not run':>7}"
    lines = [f"adapter: {report.adapter}", "", head, "-" * len(head)]
    for f in report.families:
        lines.append(f"{f.name:<{width}}  {f.passed:>6}  {f.failed:>6}  {f.unsupported:>11}"
                     f"  {f.not_run:>7}")
    lines.append("-" * len(head))
    lines.append(f"{'total':<{width}}  {report.total('passed'):>6}  {report.total('failed'):>6}"
                 f"  {report.total('unsupported'):>11}  {report.total('not_run'):>7}")
    for f in report.families:
        if not f.failures:
            continue
        lines += ["", f"{f.name}: {f.failed} failed"
                  + (f", first {_CASES_SHOWN}:" if f.failed > _CASES_SHOWN else ":")]
        for failure in f.failures[:_CASES_SHOWN]:
            lines.append(f"  case {failure.case} (request {failure.request_id}):")
            lines += [f"    {p}" for p in failure.problems[:_LINES_SHOWN]]
            if len(failure.problems) > _LINES_SHOWN:
                lines.append(f"    ... {len(failure.problems) - _LINES_SHOWN} more differences"
                             " (--json shows all)")
    if report.adapter_problem is not None:
        lines += ["", f"adapter problem: {report.adapter_problem}"]
    failed, not_run = report.total("failed"), report.total("not_run")
    if report.ok:
        verdict = "ok: nothing failed"
        if report.total("unsupported"):
            verdict += f" ({report.total('unsupported')} cases of unsupported families)"
    else:
        verdict = f"FAILED: {failed} failed, {not_run} not run"
    lines += ["", verdict]
    return "\n".join(lines) + "\n"
