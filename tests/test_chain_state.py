# The chain state the inclusion step reads (core/today/chain_state.py): validation on
# construction and the lookups the rules make.
from __future__ import annotations

from dataclasses import replace

import pytest
from pyrsistent import PMap, pmap

from backable.core import (
    BitVec,
    PendingCandidate,
    RelayParentInfo,
    SchedulingParentInfo,
    transpose_claim_queue,
)
from properties.today_strategies import (
    CLAIM_QUEUE,
    CODE,
    HEADS,
    NOW,
    PUBLIC,
    SESSION,
    config,
    h,
    pending,
    receipt,
    root,
    state,
)
from tests.builders import refusal

A = receipt(1000, HEADS[1000], b"a", core=0)
B = receipt(1000, b"a", b"b", core=1)


def test_the_fixture_state_is_valid_and_keeps_persistent_maps() -> None:
    chain = state()
    assert isinstance(chain.pending, PMap) and isinstance(chain.para_heads, PMap)
    assert chain.relay_parent_info(7, h(NOW - 1)).number == NOW - 1  # type: ignore[union-attr]
    assert chain.relay_parent_info(6, h(NOW - 1)) is None
    assert (
        repr(chain) == "ChainState(now=20, session=7, validators=6, groups=3, cores=3, pending=0)"
    )
    busy = state(pending={1000: (pending(A, 0), pending(B, 1))})
    assert repr(busy).endswith(", pending=2)")


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


U32 = "must be an int in 0..2**32-1"
C = receipt(2000, HEADS[2000], b"c", core=2)
TRANSPOSED = transpose_claim_queue(CLAIM_QUEUE)


def _pending_with(**change: object) -> PendingCandidate:
    return replace(pending(A, 0), **change)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"core": -1}, ("core", -1, U32)),
        ({"hash": b"short"}, ("hash", b"short", "must be 32 bytes")),
        ({"descriptor": "d"}, ("descriptor", "d", "must be a CandidateDescriptor")),
        ({"commitments": "c"}, ("commitments", "c", "must be a CandidateCommitments")),
        ({"availability_votes": "101"}, ("availability_votes", "101", "must be a BitVec")),
        ({"relay_parent_number": 2**32}, ("relay_parent_number", 2**32, U32)),
        ({"backers": (1, 0)}, ("backers", (1, 0), "must be a BitVec")),
        ({"backed_in_number": -1}, ("backed_in_number", -1, U32)),
        ({"backing_group": 2**32}, ("backing_group", 2**32, U32)),
        ({"hash": B.hash()}, ("hash", B.hash(), "is not the hash of descriptor and commitments")),
    ],
)
def test_a_pending_candidate_refuses_a_bad_field_naming_it(
    change: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: _pending_with(**change)) == ("PendingCandidate", *expected)


def test_a_pending_candidate_is_its_receipt_occupying_a_core() -> None:
    p = pending(A, 2, relay_parent_number=NOW - 3)
    assert (p.para_id, p.core, p.relay_parent_number) == (1000, 2, NOW - 3)
    assert p.committed() == A and p.receipt() == A.to_plain()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"minimum_backing_votes": -1}, ("minimum_backing_votes", -1, U32)),
        ({"node_features": "11"}, ("node_features", "11", "must be a BitVec")),
        ({"paras_availability_period": 2**32}, ("paras_availability_period", 2**32, U32)),
        ({"group_rotation_frequency": -1}, ("group_rotation_frequency", -1, U32)),
        (
            {"group_rotation_frequency": 0},
            ("group_rotation_frequency", 0, "must be at least 1 (the runtime divides by it)"),
        ),
        ({"max_pov_size": 2**32}, ("max_pov_size", 2**32, U32)),
        ({"max_head_data_size": -1}, ("max_head_data_size", -1, U32)),
    ],
)
def test_a_configuration_refuses_a_bad_field_naming_it(
    change: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: config(**change)) == ("HostConfiguration", *expected)


def test_a_configuration_may_rotate_groups_every_block() -> None:
    assert config(group_rotation_frequency=1).group_rotation_frequency == 1


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda: RelayParentInfo(-1, root(1)), ("RelayParentInfo", "number", -1, U32)),
        (
            lambda: RelayParentInfo(1, b"short"),
            ("RelayParentInfo", "state_root", b"short", "must be 32 bytes"),
        ),
        (
            lambda: SchedulingParentInfo(2**32, TRANSPOSED),
            ("SchedulingParentInfo", "number", 2**32, U32),
        ),
        (
            lambda: SchedulingParentInfo(1, CLAIM_QUEUE),
            ("SchedulingParentInfo", "claim_queue", CLAIM_QUEUE, "must be a TransposedClaimQueue"),
        ),
    ],
)
def test_a_parents_info_refuses_a_bad_field_naming_it(
    build: object, expected: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"validators": "keys"}, ("validators", "keys", "must be a tuple")),
        ({"validators": (PUBLIC[0], 1)}, ("validators[1]", 1, "must be a bytes")),
        ({"validators": (PUBLIC[0], b"short")}, ("validators[1]", b"short", "must be 32 bytes")),
        ({"validator_groups": "groups"}, ("validator_groups", "groups", "must be a tuple")),
        ({"validator_groups": ((0,), [1])}, ("validator_groups[1]", [1], "must be a tuple")),
        (
            {"validator_groups": ((0, 1), (2, 6))},  # a member past the six validators
            ("validator_groups[1]", (2, 6), "members must be 0..5"),
        ),
        (
            {"validator_groups": ((0, -1),)},
            ("validator_groups[0]", (0, -1), "members must be 0..5"),
        ),
        (
            {"validator_groups": ((True,),)},
            ("validator_groups[0]", (True,), "members must be 0..5"),
        ),
        ({"session_start_block": -1}, ("session_start_block", -1, U32)),
        ({"n_cores": 2**32}, ("n_cores", 2**32, U32)),
        ({"claim_queue": "queue"}, ("claim_queue", "queue", "must be a ClaimQueue")),
        ({"n_cores": 2}, ("claim_queue", 2, "core beyond n_cores (2)")),  # the queue names core 2
        ({"config": "config"}, ("config", "config", "must be a HostConfiguration")),
        ({"session_index": -1}, ("session_index", -1, U32)),
        ({"now": 2**32}, ("now", 2**32, U32)),
        ({"now": 2**32 - 1}, ("now", 2**32 - 1, "must be below 2**32-1")),
        ({"parent_hash": b"short"}, ("parent_hash", b"short", "must be 32 bytes")),
        ({"disabled_validators": (1,)}, ("disabled_validators", (1,), "must be a set of 0..5")),
        (
            {"disabled_validators": frozenset({6})},
            ("disabled_validators", frozenset({6}), "must be a set of 0..5"),
        ),
        ({"disabled_validators": {-1}}, ("disabled_validators", {-1}, "must be a set of 0..5")),
        ({"disabled_validators": {True}}, ("disabled_validators", {True}, "must be a set of 0..5")),
    ],
)
def test_a_state_field_of_the_wrong_type_or_range_is_refused_naming_it(
    change: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: replace(state(), **change)) == ("ChainState", *expected)


STORED = RelayParentInfo(NOW - 1, root(NOW - 1))
SCHEDULED = SchedulingParentInfo(NOW - 1, TRANSPOSED)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"para_heads": [1]}, ("para_heads", [1], "must be a mapping")),
        ({"para_heads": {-1: b""}}, ("para_heads", -1, "keys must be u32 ints")),
        ({"para_heads": {1000: "text"}}, ("para_heads[1000]", "text", "must be bytes")),
        ({"most_recent_context": [1]}, ("most_recent_context", [1], "must be a mapping")),
        (
            {"most_recent_context": {2**32: 1}},
            ("most_recent_context", 2**32, "keys must be u32 ints"),
        ),
        ({"most_recent_context": {1000: -1}}, ("most_recent_context[1000]", -1, U32)),
        ({"code_hashes": [1]}, ("code_hashes", [1], "must be a mapping")),
        ({"code_hashes": {"1000": CODE[1000]}}, ("code_hashes", "1000", "keys must be u32 ints")),
        ({"code_hashes": {1000: b"short"}}, ("code_hashes[1000]", b"short", "must be 32 bytes")),
        ({"allowed_relay_parents": [1]}, ("allowed_relay_parents", [1], "must be a mapping")),
        (
            {"allowed_relay_parents": {-1: {}}},
            ("allowed_relay_parents", -1, "keys must be u32 ints"),
        ),
        (
            {"allowed_relay_parents": {7: [1]}},
            ("allowed_relay_parents[7]", [1], "must be a mapping"),
        ),
        (
            {"allowed_relay_parents": {7: {b"short": STORED}}},
            ("allowed_relay_parents[7]", b"short", "keys must be 32-byte hashes"),
        ),
        (
            {"allowed_relay_parents": {7: {h(1): SCHEDULED}}},
            ("allowed_relay_parents[7]", SCHEDULED, "values must be RelayParentInfo"),
        ),
        (
            {"allowed_relay_parents": {7: {h(NOW): RelayParentInfo(NOW, root(NOW))}}},
            (
                "allowed_relay_parents[7]",
                RelayParentInfo(NOW, root(NOW)),
                "must lie before block 20",
            ),
        ),
        (
            {"allowed_scheduling_parents": (h(1),)},
            ("allowed_scheduling_parents", (h(1),), "must be a mapping"),
        ),
        (
            {"allowed_scheduling_parents": {"x" * 32: SCHEDULED}},
            ("allowed_scheduling_parents", "x" * 32, "keys must be 32-byte hashes"),
        ),
        (
            {"allowed_scheduling_parents": {h(1)[:31]: SCHEDULED}},
            ("allowed_scheduling_parents", h(1)[:31], "keys must be 32-byte hashes"),
        ),
        (
            {"allowed_scheduling_parents": {h(1): STORED}},
            ("allowed_scheduling_parents", STORED, "values must be SchedulingParentInfo"),
        ),
        (
            {"allowed_scheduling_parents": {h(NOW): SchedulingParentInfo(NOW, TRANSPOSED)}},
            (
                "allowed_scheduling_parents",
                SchedulingParentInfo(NOW, TRANSPOSED),
                "must lie before block 20",
            ),
        ),
    ],
)
def test_a_state_map_with_a_bad_key_or_value_is_refused_naming_it(
    change: dict[str, object], expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: replace(state(), **change)) == ("ChainState", *expected)


def _short(votes: int = 6, backers: int = 6) -> PendingCandidate:
    return replace(
        pending(A, 0), availability_votes=BitVec.zeros(votes), backers=BitVec.zeros(backers)
    )


@pytest.mark.parametrize(
    ("chains", "expected"),
    [
        ([1], ("pending", [1], "must be a mapping")),
        ({-1: ()}, ("pending", -1, "keys must be u32 ints")),
        ({2**32: ()}, ("pending", 2**32, "keys must be u32 ints")),
        ({1000: pending(A, 0)}, ("pending[1000]", pending(A, 0), "must be a tuple")),
        (
            {1000: (pending(A, 0), "B")},
            ("pending[1000][1]", "B", "not a PendingCandidate"),
        ),
        (
            {2000: (pending(A, 0),)},  # under another para
            ("pending[2000][0]", pending(A, 0), "is a candidate of para 1000"),
        ),
        (
            {1000: (pending(A, 0), pending(B, 0))},  # one core twice
            ("pending[1000][1]", pending(B, 0), "core 0 is beyond n_cores or already occupied"),
        ),
        (
            {1000: (pending(A, 0),), 2000: (pending(C, 0),)},  # one core for two paras
            ("pending[2000][0]", pending(C, 0), "core 0 is beyond n_cores or already occupied"),
        ),
        (
            {1000: (pending(A, 3),)},  # the state has cores 0 to 2
            ("pending[1000][0]", pending(A, 3), "core 3 is beyond n_cores or already occupied"),
        ),
        (
            {1000: (_short(votes=5),)},
            (
                "pending[1000][0]",
                _short(votes=5),
                "availability_votes and backers must have 6 bits",
            ),
        ),
        (
            {1000: (_short(backers=7),)},
            (
                "pending[1000][0]",
                _short(backers=7),
                "availability_votes and backers must have 6 bits",
            ),
        ),
        (
            {1000: (pending(A, 0, backed_in=NOW + 1),)},  # backed in the future
            (
                "pending[1000][0]",
                pending(A, 0, backed_in=NOW + 1),
                "must be backed by block 20 on an earlier relay parent",
            ),
        ),
        (
            {1000: (pending(A, 0, relay_parent_number=NOW),)},  # on the block being built
            (
                "pending[1000][0]",
                pending(A, 0, relay_parent_number=NOW),
                "must be backed by block 20 on an earlier relay parent",
            ),
        ),
    ],
)
def test_an_inconsistent_pending_candidate_is_refused_naming_its_place(
    chains: object, expected: tuple[object, ...]
) -> None:
    assert refusal(lambda: replace(state(), pending=chains)) == ("ChainState", *expected)


def test_the_edges_of_every_range_are_accepted() -> None:
    chain = replace(
        state(pending={1000: (pending(A, 2, backed_in=NOW, relay_parent_number=NOW - 1),)}),
        validators=list(PUBLIC[:6]),
        validator_groups=[(0,), (5,)],
        para_heads={0: b"", 2**32 - 1: b"head"},
        most_recent_context={0: 0, 2**32 - 1: 2**32 - 1},
        disabled_validators={0, 5},
    )
    assert chain.validators == PUBLIC[:6] and chain.validator_groups == ((0,), (5,))
    assert chain.para_heads == pmap({0: b"", 2**32 - 1: b"head"})
    assert chain.most_recent_context[2**32 - 1] == 2**32 - 1
    assert chain.disabled_validators == frozenset({0, 5})
    assert type(chain.disabled_validators) is frozenset
    assert chain.occupied_cores() == frozenset({2})
    assert state(now=2**32 - 2).now == 2**32 - 2  # the last block whose successor is a u32


def test_every_map_of_the_state_is_kept_persistent() -> None:
    chain = state()
    for field in (
        "pending",
        "allowed_relay_parents",
        "allowed_scheduling_parents",
        "para_heads",
        "most_recent_context",
        "code_hashes",
    ):
        assert isinstance(getattr(chain, field), PMap), field
    assert isinstance(chain.allowed_relay_parents[SESSION], PMap)
    assert chain.allowed_relay_parents == pmap(
        {SESSION: pmap({h(n): RelayParentInfo(n, root(n)) for n in (NOW - 1, NOW - 2, NOW - 3)})}
    )
    assert chain.allowed_scheduling_parents[h(NOW - 3)] == SchedulingParentInfo(NOW - 3, TRANSPOSED)
    assert chain.code_hashes == pmap(CODE) and chain.para_heads == pmap(HEADS)


def test_parents_at_or_after_the_block_being_built_are_refused() -> None:
    assert refusal(lambda: state(parents=(NOW - 1, NOW))) == (
        "ChainState",
        "allowed_relay_parents[7]",
        RelayParentInfo(NOW, root(NOW)),
        "must lie before block 20",
    )


def test_pending_lists_given_as_lists_are_frozen_into_tuples() -> None:
    chain = replace(state(), pending={1000: [pending(A, 0)]})
    assert type(chain.pending[1000]) is tuple
    assert chain.pending[1000][0].availability_votes == BitVec.zeros(6)
    assert isinstance(chain.pending[1000][0], PendingCandidate)
    assert chain.pending[1000][0].receipt().hash() == A.hash()
