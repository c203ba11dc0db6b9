from __future__ import annotations

import asyncio

import pytest

from backable.core import OccupiedCoreAssumption
from backable.shell.collaborators.runtime_api import RuntimeApiError
from tests.shell_fixtures import RP, RP2, VALIDATORS, chain, validation_data


def test_the_in_memory_chain_answers_from_its_snapshot() -> None:
    c = chain()

    async def scenario() -> None:
        assert await c.validators(RP) == VALIDATORS
        assert await c.session_index_for_child(RP) == 3
        pvd = await c.persisted_validation_data(RP, 100, OccupiedCoreAssumption.FREE)
        assert pvd == validation_data(100)
        assert await c.persisted_validation_data(RP, 999, OccupiedCoreAssumption.FREE) is None
        assert await c.block_number(RP) == 1
        assert await c.block_number(RP2) is None

    asyncio.run(scenario())
    assert c.calls[0] == ("validators", RP)


def test_an_unknown_relay_parent_or_an_injected_failure_raises_runtime_api_error() -> None:
    c = chain()
    with pytest.raises(RuntimeApiError, match="unknown relay parent"):
        asyncio.run(c.validators(RP2))
    c.fail_on.add("availability_cores")
    with pytest.raises(RuntimeApiError, match="availability_cores failed"):
        asyncio.run(c.availability_cores(RP))
