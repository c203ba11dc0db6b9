# The records today's backing job adds (core/backing/async_events.py): the one with rules of its
# own is the provisioner's request, frozen and checked on construction; the drop reasons name
# the Rust errors where the node has one.
from __future__ import annotations

import pytest

from backable.core import (
    BackableCandidateRef,
    GetBackableCandidates,
    StatementDropReason,
)
from tests.builders import refusal

REF = BackableCandidateRef(b"\x01" * 32, b"\x05" * 32)


def test_a_request_is_frozen_into_tuples() -> None:
    request = GetBackableCandidates("id", [[1, [REF]], (2, ())])  # type: ignore[list-item]
    assert request.requested == ((1, (REF,)), (2, ()))
    assert request == GetBackableCandidates("id", ((1, (REF,)), (2, ())))


def test_a_request_names_what_is_wrong_with_it() -> None:
    assert refusal(lambda: GetBackableCandidates(1, {1: (REF,)})) == (  # type: ignore[arg-type]
        "GetBackableCandidates",
        "requested",
        {1: (REF,)},
        "must be (para, refs) pairs",
    )
    assert refusal(lambda: GetBackableCandidates(1, ((1,),))) == (  # type: ignore[arg-type]
        "GetBackableCandidates",
        "requested[0]",
        (1,),
        "must be a (para, refs) pair",
    )
    assert refusal(lambda: GetBackableCandidates(1, ((-1, ()),))) == (
        "GetBackableCandidates",
        "requested[0].para",
        -1,
        "must be an int in 0..2**32-1",
    )
    assert refusal(lambda: GetBackableCandidates(1, ((1, (b"\x01" * 32,)),))) == (  # type: ignore[arg-type]
        "GetBackableCandidates",
        "requested[0].refs",
        (b"\x01" * 32,),
        "must be a sequence of BackableCandidateRef",
    )


@pytest.mark.parametrize(
    ("reason", "text"),
    [
        (StatementDropReason.CORE_INDEX_UNAVAILABLE, "CoreIndexUnavailable"),
        (StatementDropReason.REJECTED_BY_PROSPECTIVE_PARACHAINS, "RejectedByProspectiveParachains"),
    ],
)
def test_drop_reasons_name_the_rust_errors(reason: StatementDropReason, text: str) -> None:
    assert reason.value == text
