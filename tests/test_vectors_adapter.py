# The adapter process (shell/vectors/adapter.py): started once, asked line by line under a time
# limit, its stderr kept, and always reaped, together with what it started.
from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path

import pytest

from backable.shell.vectors.adapter import (
    Adapter,
    AdapterExited,
    AdapterHung,
    AdapterStartFailed,
)

PY = shlex.quote(sys.executable)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_an_echoing_adapter_answers_line_by_line_and_exits_when_its_input_closes() -> None:
    with Adapter(f"{PY} -u -c 'import sys\nfor l in sys.stdin: print(l.strip()[::-1])'") as a:
        assert a.ask(b"abc\n", timeout=30) == b"cba\n"
        assert a.ask(b"hello\n", timeout=30) == b"olleh\n"
    assert a.close() == 0  # closing twice gives the same exit code
    assert _gone(a.pid)


def test_an_adapter_that_never_answers_is_hung_then_killed_and_reaped() -> None:
    adapter = Adapter("sleep 60")
    with pytest.raises(AdapterHung, match=r"no reply within 0.2 s"):
        adapter.ask(b"{}\n", timeout=0.2)
    adapter.kill()
    assert adapter.close() == -9
    assert _gone(adapter.pid)


def test_an_adapter_that_exits_is_reported_with_its_code_and_last_stderr_lines() -> None:
    code = "import sys\nfor i in range(30): print('line', i, file=sys.stderr)\nsys.exit(4)"
    adapter = Adapter(f"{PY} -c {shlex.quote(code)}")
    with pytest.raises(AdapterExited) as exited:
        adapter.ask(b"{}\n", timeout=30)
    assert exited.value.code == 4
    assert exited.value.stderr == tuple(f"line {i}" for i in range(10, 30))  # the last 20
    assert str(exited.value) == "the adapter exited with code 4"
    with pytest.raises(AdapterExited):  # asking again says the same, without waiting
        adapter.ask(b"{}\n", timeout=30)
    assert adapter.close() == 4


def test_closing_ends_what_the_adapter_started_that_still_holds_its_pipes() -> None:
    # The shell exits at end of input, but the `sleep` it started keeps stdout open.
    adapter = Adapter("sh -c 'sleep 60 & cat'")
    assert adapter.ask(b"ping\n", timeout=30) == b"ping\n"
    assert adapter.close() == 0
    # The sleep was killed with the group: it goes as soon as the system has ended it (a bound
    # on the wait, not on the time: a loaded machine may take a moment).
    deadline = time.monotonic() + 60
    while _running_in_group(adapter.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _running_in_group(adapter.pid) == []


def _running_in_group(pgid: int) -> list[int]:
    # Processes of the group that still run (a killed one may linger as a zombie until its new
    # parent reaps it; that is not ours to do). Linux's /proc says.
    if not Path("/proc/self/stat").exists():
        pytest.skip("needs Linux's /proc")
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            found.append(int(stat.parent.name))
    return found


def test_an_adapter_that_ignores_its_input_is_killed_at_close() -> None:
    adapter = Adapter(f"{PY} -c 'import time; time.sleep(60)'")
    assert adapter.close(grace=0.1) == -9
    assert _gone(adapter.pid)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("", "the adapter command is empty"),
        ("'unclosed", "cannot split the adapter command \"'unclosed\": No closing quotation"),
        ("/no/such/program", "cannot start the adapter '/no/such/program': No such file or"
                             " directory"),
    ],
)
def test_a_command_that_cannot_start_is_refused_by_name(command: str, message: str) -> None:
    with pytest.raises(AdapterStartFailed) as refused:
        Adapter(command)
    assert str(refused.value) == message
