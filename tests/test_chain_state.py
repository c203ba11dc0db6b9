# The chain state the inclusion step reads (core/today/chain_state.py): validation on
# construction and the lookups the rules make.
from __future__ import annotations

from dataclasses import replace

import pytest
from pyrsistent import PMap

from backable.core import BitVec, HostConfiguration, InvalidRecord, PendingCandidate
from properties.today_strategies import HEADS, NOW, config, h, pending, receipt, state

A = receipt(1000, HEADS[1000], b"a", core=0)
B = receipt(1000, b"a", b"b", core=1)


def test_the_fixture_state_is_valid_and_keeps_persistent_maps() -> None:
    chain = state()
    assert isinstance(chain.pending, PMap) and isinstance(chain.para_heads, PMap)
    assert chain.relay_parent_info(7, h(NOW - 1)).number == NOW - 1  # type: ignore[union-attr]
    assert chain.relay_parent_info(6, h(NOW - 1)) is None
    assert "now=20" in repr(chain)


def test_group_assignment_rotates_every_frequency_blocks_from_the_session_start() -> None:
    chain = state(session_start_block=5)
    assert chain.group_assigned_to_core(0, 5) == 0
    assert chain.group_assigned_to_core(0, 14) == 0
    assert chain.group_assigned_to_core(0, 15) == 1
    assert chain.group_assigned_to_core(2, 25) == 1
    assert chain.group_assigned_to_core(0, 4) is None
    assert chain.group_assigned_to_core(3, 10) is None


def test_latest_head_and_context_come_from_the_last_pending_candidate_else_the_para() -> None:
    chain = state(pending={1000: (pending(A, 0), pending(B, 1))})
    assert chain.latest_head(1000) == b"b" and chain.latest_context(1000) == NOW - 1
    assert chain.latest_head(2000) == HEADS[2000] and chain.latest_context(2000) == 10
    assert chain.latest_head(3000) is None and chain.latest_context(3000) is None
    assert chain.occupied_cores() == frozenset({0, 1})


def test_a_pending_candidates_hash_must_be_its_own() -> None:
    p = pending(A, 0)
    with pytest.raises(InvalidRecord, match="hash"):
        replace(p, hash=B.hash())


def test_a_configuration_needs_a_rotation_frequency() -> None:
    with pytest.raises(InvalidRecord, match="group_rotation_frequency"):
        config(group_rotation_frequency=0)
    assert isinstance(config(), HostConfiguration)


@pytest.mark.parametrize(
    "change",
    [
        {"pending": {2000: (pending(A, 0),)}},  # under another para
        {"pending": {1000: (pending(A, 0), pending(B, 0))}},  # one core twice
        {"pending": {1000: (pending(A, 5),)}},  # a core beyond n_cores
        {"pending": {1000: (pending(A, 0, n_validators=5),)}},  # bits for 5 of 6 validators
        {"pending": {1000: (pending(A, 0, backed_in=NOW + 1),)}},  # backed in the future
        {"pending": {1000: ("not a candidate",)}},
        {"pending": {1000: pending(A, 0)}},  # not a tuple
        {"pending": [1]},  # not a mapping
        {"pending": {-1: ()}},
        {"validators": (b"short",)},
        {"validator_groups": ((0, 6),)},  # member past the validators
        {"disabled_validators": frozenset({6})},
        {"n_cores": 2},  # the claim queue names core 2
        {"now": 2**32 - 1},
        {"para_heads": {1000: "text"}},
        {"most_recent_context": {1000: -1}},
        {"code_hashes": {1000: b"short"}},
        {"allowed_relay_parents": {7: {b"short": None}}},
        {"allowed_relay_parents": {7: {h(1): "info"}}},
        {"allowed_scheduling_parents": {h(1): "info"}},
    ],
)
def test_an_inconsistent_state_is_refused(change: dict[str, object]) -> None:
    with pytest.raises(InvalidRecord):
        replace(state(), **change)  # type: ignore[arg-type]


def test_parents_at_or_after_the_block_being_built_are_refused() -> None:
    with pytest.raises(InvalidRecord, match="before block"):
        state(parents=(NOW,))


def test_pending_lists_given_as_lists_are_frozen_into_tuples() -> None:
    chain = replace(state(), pending={1000: [pending(A, 0)]})
    assert type(chain.pending[1000]) is tuple
    assert chain.pending[1000][0].availability_votes == BitVec.zeros(6)
    assert isinstance(chain.pending[1000][0], PendingCandidate)
    assert chain.pending[1000][0].receipt().hash() == A.hash()
