# Dispute selection (core/provisioner/dispute_selection.py `select_disputes`; implementers'
# guide, "Provisioner", "Dispute Statement Selection", filled in by the network's prioritised
# selection: `select_disputes` in polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs): which disputes, and which of
# their votes, go into the block. The seed leaves this open, so every case is the network's rule.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from pyrsistent import pmap

from backable.core import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateDescriptor,
    CandidateReceipt,
    CandidateVotes,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DisputeState,
    DisputeStatus,
    InvalidExplicit,
    ValidExplicit,
    encode,
    select_disputes,
)
from backable.core.records.disputes import AnyDisputeStatus

from ..build import make_case, table
from ..drawing import distinct, drawn
from ..family import Case, Family, Json, VectorInputError
from ..fields import hex_field, hex_of, int_field, list_field, record_field, record_hex

__all__ = ["FAMILY"]

T = TypeVar("T")
_U32_MAX = 2**32 - 1
_U64_MAX = 2**64 - 1
DisputeKey = tuple[int, bytes]

_INPUT = table(
    ("`recent`", "list of objects",
     "the dispute coordinator's recent disputes, each key at most once, in any order"),
    ("`recent[i].session`", "integer", "u32"),
    ("`recent[i].candidate_hash`", "hex", "32 bytes"),
    ("`recent[i].status`", "hex",
     "a `polkadot_node_primitives::DisputeStatus` (0 = Active, 1 = ConcludedFor(u64"
     " seconds), 2 = ConcludedAgainst(u64 seconds), 3 = Confirmed)"),
    ("`onchain`", "list of objects", "the runtime's `disputes()`, each key at most once"),
    ("`onchain[i].session`, `onchain[i].candidate_hash`", "integer, hex", "the key, as above"),
    ("`onchain[i].state`", "hex", "a `polkadot_primitives::v9::DisputeState<u32>`"),
    ("`votes`", "list of objects", "what `QueryCandidateVotes` answers, each key at most once"),
    ("`votes[i].session`, `votes[i].candidate_hash`", "integer, hex", "the key, as above"),
    ("`votes[i].votes`", "hex",
     "`polkadot_node_primitives::CandidateVotes` in SCALE: the `CandidateReceipt`, then"
     " `valid` as a compact count of (u32 validator index, `ValidDisputeStatementKind`,"
     " 64-byte signature) by ascending index, then `invalid` likewise with"
     " `InvalidDisputeStatementKind` (a `BTreeMap`'s encoding)"),
    ("`now`", "integer", "the time of the request, unix seconds (u64)"),
    ("`max_votes`", "integer", "the cap on statements (u32; the network's is 200,000)"),
)
_OUTPUT = table(
    ("`selected`", "list of objects",
     "the chosen disputes, by ascending (`session`, `candidate_hash`)"),
    ("`selected[i].session`", "integer", "its session"),
    ("`selected[i].candidate_hash`", "hex", "its candidate hash"),
    ("`selected[i].validator_indices`", "list of integers",
     "the validator index of each statement, in statement order"),
    ("`selected[i].statement_set`", "hex",
     "the `polkadot_primitives::v9::DisputeStatementSet` that goes on chain"),
)

SCHEMA = f"""\
Which disputes, and which of their votes, the block author puts into the inherent: the network's
prioritised selection (`select_disputes` in polkadot@247e4a73
`node/core/provisioner/src/disputes/prioritized_selection/mod.rs`, the same in polkadot-sdk),
which fills in the seed's "recent disputes" (implementers' guide, "Provisioner", "Dispute
Statement Selection").

The rule. A dispute is keyed by (`session`, `candidate_hash`). Keep the recent disputes whose
status is `Confirmed`, `ConcludedFor` or `ConcludedAgainst`, and those known on chain whatever
their status. A dispute is inactive when its status is concluded at a time `t` with
`t + 180 < now`. It is concluded on chain when `validators_for` or `validators_against` has at
least `supermajority_threshold(len(validators_for))` set bits (both measured against the length
of `validators_for`, which a `DisputeState` keeps as long as `validators_against`; the threshold
is `n - (n - 1) / 3`, 0 for n = 0). Five partitions, in
priority order: inactive and unknown on chain; inactive and not concluded on chain; active and
unknown on chain; active and not concluded on chain; active and concluded on chain (inactive and
concluded on chain are dropped). Within a partition, ascending (`session`, `candidate_hash`),
the hash compared as bytes. Walk the partitions in that order; a dispute with no entry in
`votes` is skipped. Its statements are its valid votes by ascending validator index, then its
invalid votes by ascending validator index; for a dispute known on chain a vote is dropped
unless it is worth keeping: backing votes (`BackingSeconded`, `BackingValid`) always are;
otherwise, with `for` = the validator's bit in `validators_for` and `against` likewise (a
missing bit is unset): both set, drop; a valid vote with `against` set or an invalid vote with
`for` set, keep; else keep only when neither is set. If the dispute's statement count would take
the running total past `max_votes`, stop there (later disputes are not tried, smaller or not);
otherwise take it (even with zero statements left) and add its count. The output is sorted by
(`session`, `candidate_hash`).

Input:

{_INPUT}

Output:

{_OUTPUT}

Profile: `network` for every case (the seed names no selection rule). No chain cases: none of
the six real blocks carries a dispute.
"""


def _key(item: Mapping[str, Json]) -> DisputeKey:
    session = int_field(item, "session")
    if session > _U32_MAX:
        raise VectorInputError(f"input.session: expected at most {_U32_MAX}, got {session}")
    candidate_hash = hex_field(item, "candidate_hash")
    if len(candidate_hash) != 32:
        raise VectorInputError(
            f"input.candidate_hash: expected 32 bytes, got {len(candidate_hash)}"
        )
    return session, candidate_hash


def _keyed(
    data: Mapping[str, Json], name: str, value: str, record_type: Any
) -> dict[DisputeKey, Any]:
    """The list `data[name]` of {session, candidate_hash, <value>} objects, as a map."""
    out: dict[DisputeKey, Any] = {}
    for i, item in enumerate(list_field(data, name)):
        where = f"{name}[{i}]"
        if not isinstance(item, dict):
            raise VectorInputError(f"input.{where}: expected an object, got {item!r}")
        try:
            key = _key(item)
            record = record_field(item, value, record_type)
        except VectorInputError as e:
            # The readers name the entry's own field; say which entry it is.
            raise VectorInputError(str(e).replace("input.", f"input.{where}.", 1)) from None
        if key in out:
            raise VectorInputError(f"input.{where}: a second entry for session {key[0]},"
                                   f" candidate 0x{key[1].hex()}")
        out[key] = record
    return out


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    recent = cast(dict[DisputeKey, AnyDisputeStatus], _keyed(data, "recent", "status",
                                                             DisputeStatus))
    onchain = _keyed(data, "onchain", "state", DisputeState)
    votes = _keyed(data, "votes", "votes", CandidateVotes)
    now = int_field(data, "now")
    if now > _U64_MAX:
        raise VectorInputError(f"input.now: expected at most {_U64_MAX}, got {now}")
    max_votes = int_field(data, "max_votes")
    if max_votes > _U32_MAX:
        raise VectorInputError(f"input.max_votes: expected at most {_U32_MAX}, got {max_votes}")
    selected: list[Json] = []
    for statement_set in select_disputes(recent, onchain, votes, now, max_votes):
        selected.append({
            "session": statement_set.session,
            "candidate_hash": hex_of(statement_set.candidate_hash),
            "validator_indices": [index for _, index, _ in statement_set.statements],
            "statement_set": hex_of(encode(statement_set)),
        })
    return {"selected": selected}


# -- building inputs -----------------------------------------------------------------------------

_NOW = 10_000
_RP = (99).to_bytes(32, "big")
_RECEIPT = CandidateReceipt(
    CandidateDescriptor(1, bytes(32), bytes(32), bytes(32), bytes(32), bytes(32), bytes(64),
                        bytes(32), bytes(32)),
    bytes(32),
)


def _h(n: int) -> bytes:
    return n.to_bytes(32, "big")


def _sig(v: int) -> bytes:
    return bytes([v % 256]) * 64


def _votes(valid: Mapping[int, Any], invalid: tuple[int, ...] = ()) -> CandidateVotes:
    return CandidateVotes(
        _RECEIPT,
        pmap({v: (kind, _sig(v)) for v, kind in valid.items()}),
        pmap({v: (InvalidExplicit(), _sig(v + 100)) for v in invalid}),
    )


def _state(for_: str, against: str, concluded_at: int | None = None) -> DisputeState:
    return DisputeState(BitVec.from_str(for_), BitVec.from_str(against), 0, concluded_at)


@dataclass(frozen=True, slots=True)
class _Disputes:
    name: str
    what: str
    recent: Mapping[DisputeKey, AnyDisputeStatus]
    votes: Mapping[DisputeKey, CandidateVotes]
    onchain: Mapping[DisputeKey, DisputeState] = field(default_factory=dict)
    now: int = _NOW
    max_votes: int = 200_000


def _input(
    recent: Mapping[DisputeKey, AnyDisputeStatus],
    onchain: Mapping[DisputeKey, DisputeState],
    votes: Mapping[DisputeKey, CandidateVotes],
    now: int,
    max_votes: int,
) -> dict[str, Json]:
    def listed(mapping: Mapping[DisputeKey, Any], value: str) -> list[Json]:
        return [{"session": s, "candidate_hash": hex_of(h), value: record_hex(record)}
                for (s, h), record in mapping.items()]

    return {
        "recent": listed(recent, "status"),
        "onchain": listed(onchain, "state"),
        "votes": listed(votes, "votes"),
        "now": now,
        "max_votes": max_votes,
    }


_K1, _K2, _K3, _K4, _K5 = ((1, _h(n)) for n in range(1, 6))
_ALL_VALID_KINDS = {0: ValidExplicit(), 1: BackingSeconded(_RP), 2: BackingValid(_RP),
                    3: ApprovalChecking(), 4: ApprovalCheckingMultipleCandidates((_h(7), _h(8)))}

# The cap scenario: a inactive unknown on chain (2 votes), b active unknown (2 votes), c active
# unconcluded on chain (1 vote); priorities a, b, c, keys sorted c, b, a.
_CAP_RECENT: dict[DisputeKey, AnyDisputeStatus] = {
    _K3: ConcludedAgainst(_NOW - 500), _K2: Confirmed(), _K1: Active()}
_CAP_ONCHAIN = {_K1: _state("0000", "0000")}
_CAP_VOTES = {_K3: _votes({0: ValidExplicit(), 1: ValidExplicit()}),
              _K2: _votes({0: ValidExplicit()}, (1,)), _K1: _votes({2: ValidExplicit()})}

# One dispute per partition, the higher the priority the larger the key, one vote each.
_PART_RECENT: dict[DisputeKey, AnyDisputeStatus] = {
    _K5: ConcludedFor(_NOW - 500), _K4: ConcludedFor(_NOW - 500), _K3: Confirmed(), _K2: Active(),
    _K1: ConcludedFor(_NOW - 10)}
_PART_ONCHAIN = {_K4: _state("0000", "0000"), _K2: _state("0000", "0000"),
                 _K1: _state("1110", "0000")}
_PART_VOTES = {k: _votes({3: ValidExplicit()}) for k in _PART_RECENT}

_SCENARIOS: tuple[_Disputes, ...] = (
    _Disputes("valid-then-invalid-each-by-validator-index", "statement order within a dispute",
              {_K1: Confirmed()}, {_K1: _votes({3: ValidExplicit(), 1: ApprovalChecking()},
                                              (2, 0))}),
    _Disputes("unconfirmed-unknown-on-chain-left-out", "Active and not on chain",
              {_K1: Active()}, {_K1: _votes({0: ValidExplicit()})}),
    _Disputes("unconfirmed-known-on-chain-kept", "Active but on chain",
              {_K1: Active()}, {_K1: _votes({0: ValidExplicit()})},
              onchain={_K1: _state("0000", "0000")}),
    _Disputes("status-active", "every status: Active (with chain state)",
              {_K1: Active()}, {_K1: _votes({1: ValidExplicit()})},
              onchain={_K1: _state("00", "00")}),
    _Disputes("status-confirmed", "every status: Confirmed",
              {_K1: Confirmed()}, {_K1: _votes({1: ValidExplicit()})}),
    _Disputes("status-concluded-for", "every status: ConcludedFor, lately",
              {_K1: ConcludedFor(_NOW - 1)}, {_K1: _votes({1: ValidExplicit()})}),
    _Disputes("status-concluded-against", "every status: ConcludedAgainst, lately",
              {_K1: ConcludedAgainst(_NOW - 1)}, {_K1: _votes({}, (1,))}),
    _Disputes("no-votes-skipped", "a dispute with no votes entry", {_K1: Confirmed()}, {}),
    _Disputes("no-votes-does-not-stop-later-ones", "the next dispute is still taken",
              {_K1: Confirmed(), _K2: Confirmed()}, {_K2: _votes({0: ValidExplicit()})}),
    _Disputes("unconfirmed-does-not-stop-later-ones", "an Active one, then a Confirmed one",
              {_K1: Active(), _K2: Confirmed()},
              {_K1: _votes({0: ValidExplicit()}), _K2: _votes({0: ValidExplicit()})}),
    _Disputes("inactive-181-seconds-concluded-on-chain-dropped",
              "concluded 181 s before now and concluded on chain: dropped",
              {_K1: ConcludedFor(_NOW - 181)}, {_K1: _votes({3: ValidExplicit()})},
              onchain={_K1: _state("1110", "0000")}),
    _Disputes("active-at-exactly-180-seconds-kept",
              "concluded exactly 180 s before now: still active, kept",
              {_K1: ConcludedFor(_NOW - 180)}, {_K1: _votes({3: ValidExplicit()})},
              onchain={_K1: _state("1110", "0000")}),
    _Disputes("votes-on-chain-dropped-except-backing",
              "for 0-1 and against 2-3 on chain: which votes stay",
              {_K1: Active()},
              {_K1: _votes({0: ValidExplicit(), 1: BackingSeconded(_RP), 2: ValidExplicit(),
                            3: BackingValid(_RP)}, (0, 2, 3))},
              onchain={_K1: _state("1100", "0011")}),
    _Disputes("double-vote-known-on-chain-dropped-set-kept-empty",
              "both sides on chain for the validator: its votes go, the dispute stays empty",
              {_K1: Active()}, {_K1: _votes({0: ValidExplicit()}, (0,))},
              onchain={_K1: _state("1", "1")}),
    _Disputes("every-valid-kind-no-chain-state", "all five valid kinds and the invalid one",
              {_K1: Confirmed()}, {_K1: _votes(_ALL_VALID_KINDS, (5,))}),
    _Disputes("every-valid-kind-all-voted-for-on-chain",
              "every validator for on chain: only the backing kinds and the invalid vote stay",
              {_K1: Confirmed()}, {_K1: _votes(_ALL_VALID_KINDS, (5,))},
              onchain={_K1: _state("111111", "000000")}),
    _Disputes("every-valid-kind-all-voted-against-on-chain",
              "every validator against on chain: every valid vote stays, the invalid one goes",
              {_K1: Confirmed()}, {_K1: _votes(_ALL_VALID_KINDS, (5,))},
              onchain={_K1: _state("000000", "111111")}),
    _Disputes("chain-state-shorter-than-validator-index", "a missing bit counts as unset",
              {_K1: Active()}, {_K1: _votes({5: ValidExplicit()}, (6,))},
              onchain={_K1: _state("11", "00")}),
    _Disputes("cap-uncapped-sorted", "three disputes of three priorities, no cap reached",
              _CAP_RECENT, _CAP_VOTES, onchain=_CAP_ONCHAIN),
    _Disputes("cap-hit-exactly", "2 + 2 votes reach the cap of 4: the third is not taken",
              _CAP_RECENT, _CAP_VOTES, onchain=_CAP_ONCHAIN, max_votes=4),
    _Disputes("cap-one-over-stops", "a cap of 3: the second would pass it, selection stops",
              _CAP_RECENT, _CAP_VOTES, onchain=_CAP_ONCHAIN, max_votes=3),
    _Disputes("cap-below-the-first", "a cap of 1: the first dispute does not fit",
              _CAP_RECENT, _CAP_VOTES, onchain=_CAP_ONCHAIN, max_votes=1),
    _Disputes("cap-exactly-the-total", "a cap of 5 = every vote",
              _CAP_RECENT, _CAP_VOTES, onchain=_CAP_ONCHAIN, max_votes=5),
    *(
        _Disputes(f"priority-partitions-cap-{cap}",
                  f"one dispute per partition, cap {cap}: the first {cap} partitions",
                  _PART_RECENT, _PART_VOTES, onchain=_PART_ONCHAIN, max_votes=cap)
        for cap in range(6)
    ),
    _Disputes("cap-zero-takes-a-dispute-with-no-votes-left",
              "every vote already on chain: zero statements fit under a cap of zero",
              {_K1: Active()}, {_K1: _votes({0: ValidExplicit()})},
              onchain={_K1: _state("1", "0")}, max_votes=0),
    _Disputes("sorted-by-session-then-hash", "keys across sessions",
              {(2, _h(5)): Confirmed(), (1, _h(9)): Confirmed(), (2, _h(1)): Confirmed()},
              {k: _votes({0: ValidExplicit()}) for k in ((2, _h(5)), (1, _h(9)), (2, _h(1)))}),
    _Disputes("one-candidate-in-two-sessions", "the same hash under two sessions",
              {(3, _h(1)): Confirmed(), (2, _h(1)): Confirmed()},
              {k: _votes({0: ValidExplicit()}) for k in ((3, _h(1)), (2, _h(1)))}),
    _Disputes("against-exactly-a-supermajority-concludes", "against 3 of 4: concluded, inactive",
              {_K1: ConcludedAgainst(_NOW - 500)}, {_K1: _votes({3: ValidExplicit()})},
              onchain={_K1: _state("0000", "1110")}),
    _Disputes("one-short-of-supermajority-not-concluded", "for 2 of 4: not concluded on chain",
              {_K1: ConcludedFor(_NOW - 500)}, {_K1: _votes({3: ValidExplicit()})},
              onchain={_K1: _state("1100", "0000")}),
    _Disputes("empty-chain-state-is-concluded", "zero validators: threshold 0, concluded",
              {_K1: ConcludedFor(_NOW - 500), _K2: ConcludedFor(_NOW - 5)},
              {k: _votes({0: ValidExplicit()}) for k in (_K1, _K2)},
              onchain={k: _state("", "") for k in (_K1, _K2)}),
    _Disputes("concluded-at-now-zero", "now 0, concluded at 0: active",
              {_K1: ConcludedFor(0)}, {_K1: _votes({0: ValidExplicit()})}, now=0),
    _Disputes("votes-for-a-dispute-not-recent-ignored", "votes without a recent entry",
              {_K1: Confirmed()}, {_K1: _votes({0: ValidExplicit()}),
                                   _K2: _votes({1: ValidExplicit()})}),
    _Disputes("nothing", "no disputes at all", {}, {}),
)


def _boundary_cases() -> list[Case]:
    return [
        make_case(evaluate, s.name, s.what, "boundary", "network",
                  _input(s.recent, s.onchain, s.votes, s.now, s.max_votes))
        for s in _SCENARIOS
    ]


def _strategy(st: Any) -> Any:
    n = 6
    statuses = (st.sampled_from((Active(), Confirmed()))
                | st.builds(ConcludedFor, st.integers(0, 1000))
                | st.builds(ConcludedAgainst, st.integers(0, 1000)))
    valid_kinds = st.sampled_from(tuple(_ALL_VALID_KINDS.values()))

    def inputs(draw: Any) -> dict[str, Json]:
        keys = draw(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5).map(_h)),
                             unique=True, max_size=8))
        recent: dict[DisputeKey, AnyDisputeStatus] = {}
        onchain: dict[DisputeKey, DisputeState] = {}
        votes: dict[DisputeKey, CandidateVotes] = {}
        for k in keys:
            recent[k] = draw(statuses)
            if draw(st.booleans()):
                onchain[k] = DisputeState(BitVec(draw(st.integers(0, 2**n - 1)), n),
                                          BitVec(draw(st.integers(0, 2**n - 1)), n), 0)
            if draw(st.integers(0, 4)):
                valid = {v: (draw(valid_kinds), _sig(v))
                         for v in draw(st.sets(st.integers(0, n - 1)))}
                invalid = {v: (InvalidExplicit(), _sig(v + 100))
                           for v in draw(st.sets(st.integers(0, n)))}
                votes[k] = CandidateVotes(_RECEIPT, pmap(valid), pmap(invalid))
        return _input(recent, onchain, votes, draw(st.integers(0, 1400)),
                      draw(st.integers(0, 40)))

    return st.composite(inputs)()


def _generated_cases() -> list[Case]:
    cases: list[Case] = []
    for data in distinct(drawn(_strategy, 80, seed=16_05)):
        n = len(cast(list[Json], data["recent"]))
        cases.append(make_case(evaluate, f"generated-{len(cases):03d}",
                               f"{n} recent disputes, drawn", "generated", "network", data))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    # No chain cases: the real blocks carry no disputes (see the schema).
    del chain_data
    return tuple(_boundary_cases() + _generated_cases())


FAMILY = Family(
    name="dispute_selection",
    summary="the prioritised dispute selection: which disputes and votes, under the vote cap",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
