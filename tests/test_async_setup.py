# Cores and groups of a scheduling parent under today's rules (core/backing/async_setup.py),
# after `construct_per_relay_parent_state` and `core_index_from_statement` of polkadot-sdk@320318ab
# polkadot/node/core/backing/src/lib.rs: as many cores as groups, a core in the table only if
# the claim queue names it, a validator's core the one its group serves after rotation.
from __future__ import annotations

import pytest

from backable.core import (
    AsyncSetupError,
    ClaimQueue,
    GroupRotationInfo,
    TableContext,
    async_backing_setup,
)
from tests.async_builders import CLAIMS, GROUPS, ROTATION, setup


def test_the_table_context_is_keyed_by_core_with_the_quorum_and_multiple_seconded() -> None:
    world = setup()
    assert world.context == TableContext(
        {0: (2, 0, 3, 5), 1: (1,)},
        minimum_backing_votes=2,
        allow_multiple_seconded=True,
        seconder_groups={2: 0, 0: 0, 3: 0, 5: 0, 1: 1},
    )
    assert world.context.requisite_votes(0) == 2  # min(4, 2)
    assert world.context.requisite_votes(1) == 1  # min(1, 2)
    assert world.claim_queue == CLAIMS


def test_a_validators_core_follows_its_groups_rotation() -> None:
    # At block 101 with a rotation every 100 blocks the groups have moved on by one core.
    world = setup(rotation=GroupRotationInfo(0, 100, 101))
    assert world.context.groups == {0: (1,), 1: (2, 0, 3, 5)}
    assert dict(world.validator_cores) == {2: 1, 0: 1, 3: 1, 5: 1, 1: 0}
    assert world.core_of(0) == 1 and world.core_of(4) is None
    assert world.assigned_core(1) == 0 and world.assigned_core(None) is None


def test_a_core_the_claim_queue_does_not_name_has_no_group_in_the_table() -> None:
    world = setup(claims=ClaimQueue({1: (2,)}))
    assert world.context.groups == {1: (1,)}
    assert world.core_of(0) == 0  # its statements still name core 0 ...
    assert world.assigned_core(0) is None  # ... but nobody backs there
    assert world.claims(1, 2) and not world.claims(0, 1)


def test_a_claim_at_any_depth_of_the_queue_counts() -> None:
    world = setup(claims=ClaimQueue({0: (7, 1), 1: (2,)}))
    assert world.claims(0, 1) and world.claims(0, 7) and not world.claims(0, 2)


def test_cores_beyond_the_number_of_groups_get_no_group() -> None:
    world = setup(claims=ClaimQueue({0: (1,), 1: (2,), 5: (3,)}))
    assert sorted(world.context.groups) == [0, 1]


def test_equal_arguments_give_the_same_setup() -> None:
    assert setup() is setup()
    assert async_backing_setup(list(map(list, GROUPS)), ROTATION, CLAIMS, 2, 8) is setup()


def test_more_groups_than_an_injected_core_index_can_name_are_refused() -> None:
    # The message names the count and the highest core index 8 bits can carry.
    with pytest.raises(AsyncSetupError, match="257 groups, but core indices beyond 255 cannot"):
        async_backing_setup([(i,) for i in range(257)], ROTATION, CLAIMS, 2)
    assert (
        len(async_backing_setup([(i,) for i in range(256)], ROTATION, CLAIMS, 2).validator_cores)
        == 256
    )


@pytest.mark.parametrize("votes", [0, -1, None, 1.5])
def test_a_minimum_backing_votes_below_one_is_refused(votes: object) -> None:
    with pytest.raises(AsyncSetupError, match="minimum_backing_votes must be an int of at least 1"):
        async_backing_setup(GROUPS, ROTATION, CLAIMS, votes)  # type: ignore[arg-type]


def test_a_minimum_backing_votes_of_one_is_accepted_and_makes_one_vote_a_quorum() -> None:
    world = async_backing_setup(GROUPS, ROTATION, CLAIMS, 1)
    assert world.context.minimum_backing_votes == 1
    assert world.context.requisite_votes(0) == 1  # min(4, 1)
