from __future__ import annotations

import asyncio

from backable.core import Active, BackingSeconded, BackingValid, Invalid, Seconded, Valid
from backable.shell.collaborators.dispute_coordinator import InMemoryDisputeCoordinator
from tests.shell_fixtures import RP, SESSION, collator, sign, validation_data


def test_backing_votes_become_dispute_votes_and_both_sides_make_a_dispute() -> None:
    c = collator(100).collate(RP, validation_data(100), 6)
    h = c.candidate_hash
    seconded, valid, invalid = (
        sign(0, Seconded(c.committed)),
        sign(1, Valid(h)),
        sign(2, Invalid(h)),
    )

    async def scenario() -> InMemoryDisputeCoordinator:
        dc = InMemoryDisputeCoordinator()
        for s in (seconded, valid):
            await dc.import_statement(c.receipt, SESSION, RP, s)
        assert await dc.recent_disputes() == {}
        await dc.import_statement(c.receipt, SESSION, RP, invalid)
        assert await dc.recent_disputes() == {(SESSION, h): Active()}
        votes = (await dc.candidate_votes(((SESSION, h),)))[(SESSION, h)]
        assert dict(votes.valid) == {
            0: (BackingSeconded(RP), seconded.signature),
            1: (BackingValid(RP), valid.signature),
        }
        assert dict(votes.invalid) == {}
        return dc

    assert asyncio.run(scenario()).imported == 3
