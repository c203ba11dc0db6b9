# `backable vectors run`: every case of a vectors folder through an adapter, compared with its
# expected output field by field. The adapter is started once and asked one request at a time,
# each under the time limit; a hung adapter is killed, and an adapter that exits is reported with
# its exit code and last stderr lines; in both cases the cases not yet asked count as not run.
# A reply that is not the protocol's, or answers another id, fails its case by name. The report
# counts, per family, passed / failed / unsupported / not run, with each failure's differences.
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .adapter import Adapter, AdapterExited, AdapterHung
from .family import Case, Json
from .files import FamilyFile, FolderError, read_folder
from .protocol import ProtocolError, Request, decode_response, encode_request, is_unsupported

__all__ = [
    "DEFAULT_TIMEOUT",
    "CaseFailure",
    "FamilyReport",
    "RunReport",
    "compare",
    "run_vectors",
]

DEFAULT_TIMEOUT = 10.0


def _show(value: Json) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    if isinstance(value, bool) or value is None:
        text = {True: "true", False: "false", None: "null"}[value]
    return text if len(text) <= 80 else text[:60] + f"... ({len(text)} chars)"


def _kind(value: Json) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, str):
        return "string"
    return "list" if isinstance(value, list) else "object"


def compare(expected: Json, got: Json, path: str = "") -> list[str]:
    """Every difference between `expected` and `got`, as `path: expected X, got Y` lines: object
    keys missing or extra, list lengths, then element by element (`selected[3].validator_index`).
    JSON types count: `true` is not `1`."""
    where = path or "output"
    if _kind(expected) != _kind(got):
        return [f"{where}: expected {_show(expected)} ({_kind(expected)}), got {_show(got)}"
                f" ({_kind(got)})"]
    if isinstance(expected, dict):
        assert isinstance(got, dict)  # same kind
        out = [f"{path}.{k}".lstrip(".") + ": missing" for k in sorted(expected) if k not in got]
        out += [f"{path}.{k}".lstrip(".") + f": not expected, got {_show(got[k])}"
                for k in sorted(got) if k not in expected]
        for k in sorted(expected):
            if k in got:
                out += compare(expected[k], got[k], f"{path}.{k}".lstrip("."))
        return out
    if isinstance(expected, list):
        assert isinstance(got, list)  # same kind
        out = []
        if len(expected) != len(got):
            out.append(f"{where}: expected {len(expected)} items, got {len(got)}")
        for i, (e, g) in enumerate(zip(expected, got, strict=False)):
            out += compare(e, g, f"{path}[{i}]")
        return out
    if expected != got:
        return [f"{where}: expected {_show(expected)}, got {_show(got)}"]
    return []


@dataclass(frozen=True, slots=True)
class CaseFailure:
    """A failed case: its request id and name, and what went wrong (differences, or one line
    saying why there was nothing to compare)."""

    request_id: int
    case: str
    problems: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class FamilyReport:
    name: str
    passed: int
    failed: int
    unsupported: int
    not_run: int
    failures: tuple[CaseFailure, ...]


@dataclass(frozen=True, slots=True)
class RunReport:
    adapter: str
    families: tuple[FamilyReport, ...]
    adapter_problem: str | None  # the hang or exit that stopped the run, if one did
    adapter_exit_code: int | None

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing was left unrun (unsupported families are allowed)."""
        return self.adapter_problem is None and all(
            f.failed == 0 and f.not_run == 0 for f in self.families
        )

    def total(self, field: str) -> int:
        return sum(int(getattr(f, field)) for f in self.families)


class _Tally:
    def __init__(self, name: str) -> None:
        self.name = name
        self.passed = self.unsupported = self.not_run = 0
        self.failures: list[CaseFailure] = []

    def report(self) -> FamilyReport:
        return FamilyReport(self.name, self.passed, len(self.failures), self.unsupported,
                            self.not_run, tuple(self.failures))


def _judge(case: Case, request_id: int, reply: bytes, tally: _Tally) -> None:
    def fail(*problems: str) -> None:
        tally.failures.append(CaseFailure(request_id, case.name, problems))

    try:
        response = decode_response(reply)
    except ProtocolError as e:
        fail(f"reply to request {request_id}: {e}")
        return
    if response.id != request_id:
        fail(f"reply to request {request_id} carries id {response.id}")
    elif response.error is not None:
        if is_unsupported(response.error):
            tally.unsupported += 1
        else:
            fail(f"the adapter answered an error: {response.error}")
    else:
        assert response.output is not None  # exactly one of the two
        differences = compare(dict(case.expected), dict(response.output))
        if differences:
            fail(*differences)
        else:
            tally.passed += 1


def run_vectors(
    folder: Path,
    command: str,
    timeout: float = DEFAULT_TIMEOUT,
    only: Sequence[str] = (),
) -> RunReport:
    """Run every case in `folder` (of the families named in `only`, or all) through the adapter
    `command`. FolderError for a folder that is not a vectors folder or an unknown family in
    `only`; AdapterStartFailed when the command cannot be started."""
    files = read_folder(folder)
    if only:
        unknown = sorted(set(only) - {f.name for f in files})
        if unknown:
            raise FolderError(f"{folder}: no family {', '.join(unknown)} (it has"
                              f" {', '.join(f.name for f in files)})")
        files = tuple(f for f in files if f.name in set(only))
    return _run(files, command, timeout)


def _run(files: Sequence[FamilyFile], command: str, timeout: float) -> RunReport:
    tallies = [_Tally(f.name) for f in files]
    problem: str | None = None
    request_id = 0
    with Adapter(command) as adapter:
        for family, tally in zip(files, tallies, strict=True):
            for case in family.cases:
                if problem is not None:
                    tally.not_run += 1
                    continue
                request_id += 1
                line = encode_request(Request(request_id, family.name, case.input))
                where = f"request {request_id} (family {family.name}, case {case.name})"
                try:
                    reply = adapter.ask(line, timeout)
                except AdapterHung:
                    adapter.kill()
                    problem = f"the adapter answered nothing within {timeout:g} s to {where}"
                    tally.failures.append(CaseFailure(request_id, case.name, (problem,)))
                    continue
                except AdapterExited as e:
                    code = "closed its output" if e.code is None else f"exited with code {e.code}"
                    tail = "; its last stderr lines:\n" + "\n".join(
                        f"    {s}" for s in e.stderr) if e.stderr else " (no stderr)"
                    problem = f"the adapter {code} before answering {where}{tail}"
                    tally.failures.append(CaseFailure(request_id, case.name, (problem,)))
                    continue
                _judge(case, request_id, reply, tally)
        exit_code = adapter.close()
    return RunReport(command, tuple(t.report() for t in tallies), problem, exit_code)
