# A playbook for the pure job machines, after mitmproxy's: a test reads as a script of
# `>> event` and `<< effect` lines, and the playbook checks that feeding the events to
# `step(state, event) -> (state, effects)` yields exactly the expected effects, in order.
#
#     assert (
#         Playbook(step, state)
#         >> RequestInherentData(...)
#         << nothing
#         >> TimerFired()
#         << ReplyInherentData(...)
#     )
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class _Nothing:
    def __repr__(self) -> str:
        return "nothing"


nothing = _Nothing()  # `<< nothing`: the previous event produced no effect


class Playbook:
    def __init__(self, step: Callable[[Any, Any], tuple[Any, Sequence[Any]]], state: Any) -> None:
        self.step = step
        self.state = state
        self.script: list[tuple[str, Any]] = []
        self.log: list[str] = []

    def __rshift__(self, event: Any) -> Playbook:
        self.script.append((">>", event))
        return self

    def __lshift__(self, effect: Any) -> Playbook:
        self.script.append(("<<", effect))
        return self

    def __bool__(self) -> bool:
        pending: list[Any] = []
        for direction, item in self.script:
            if direction == ">>":
                if pending:
                    self._fail(f"unexpected effects before {item!r}: {pending!r}")
                self.log.append(f">> {item!r}")
                self.state, effects = self.step(self.state, item)
                pending = list(effects)
            elif item is nothing:
                if pending:
                    self._fail(f"expected no effect, got {pending!r}")
                self.log.append("<< nothing")
            else:
                if not pending:
                    self._fail(f"expected {item!r}, got no more effects")
                got = pending.pop(0)
                if got != item:
                    self._fail(f"expected {item!r}\n   got {got!r}")
                self.log.append(f"<< {got!r}")
        if pending:
            self._fail(f"unexpected trailing effects: {pending!r}")
        return True

    def _fail(self, message: str) -> None:
        raise AssertionError("\n".join([*self.log, "!! " + message]))
