# Dispute selection (implementers' guide, "Provisioner", "Dispute Statement Selection", filled
# in by the network's prioritised selection, `select_disputes` in polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs): which disputes and which of
# their votes go into the block. What belongs here: the partitioning, the vote filter and the vote
# cap, over the maps the shell fetched from the dispute coordinator and the runtime. `now` is an
# argument.
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyrsistent import pmap
from pyrsistent.typing import PMap

from ..errors import BackableError
from ..records.disputes import (
    AnyDisputeStatus,
    BackingSeconded,
    BackingValid,
    CandidateVotes,
    DisputeState,
    DisputeStatementSet,
)
from ..thresholds import supermajority_threshold

__all__ = [
    "ACTIVE_DURATION_SECS",
    "DisputeInputs",
    "DisputeSelectionError",
    "MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME",
    "dispute_is_inactive",
    "select_disputes",
]

ACTIVE_DURATION_SECS = 180
MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME = 200_000

DisputeKey = tuple[int, bytes]


class DisputeSelectionError(BackableError, ValueError):
    """`select_disputes` was called outside its contract."""


@dataclass(frozen=True, slots=True)
class DisputeInputs:
    """What the shell fetched for dispute selection: the coordinator's recent disputes and their
    votes, the chain's dispute states, and the time of the request (unix seconds)."""

    recent: PMap[DisputeKey, AnyDisputeStatus] = field(default_factory=pmap)
    onchain: PMap[DisputeKey, DisputeState] = field(default_factory=pmap)
    votes: PMap[DisputeKey, CandidateVotes] = field(default_factory=pmap)
    now: int = 0

    def __post_init__(self) -> None:
        for name in ("recent", "onchain", "votes"):
            value: Any = getattr(self, name)
            if not isinstance(value, Mapping):
                raise DisputeSelectionError(
                    f"DisputeInputs.{name} must be a mapping, got {value!r}"
                )
            object.__setattr__(self, name, pmap(value))


def dispute_is_inactive(status: AnyDisputeStatus, now: int) -> bool:
    """Concluded more than `ACTIVE_DURATION_SECS` (180 s) before `now` (polkadot@247e4a73
    node/primitives/src/disputes/status.rs)."""
    at = status.concluded_at()
    return at is not None and at + ACTIVE_DURATION_SECS < now


def _concluded_onchain(state: DisputeState) -> bool:
    # The node measures both sides against the length of `validators_for`
    # (`partition_recent_disputes` in prioritized_selection/mod.rs).
    need = supermajority_threshold(len(state.validators_for))
    return (
        state.validators_for.count_ones() >= need or state.validators_against.count_ones() >= need
    )


def _worth_keeping(index: int, kind: object, valid: bool, state: DisputeState) -> bool:
    # Reference B.8 `is_vote_worth_to_keep`: backing votes always stay (the runtime needs them to
    # slash backers); a vote on the side the chain already has for this validator is dropped; a
    # vote against the side the chain has is kept (it proves a double vote); a double vote the
    # chain already knows is dropped.
    if isinstance(kind, BackingSeconded | BackingValid):
        return True
    in_for = state.validators_for.get(index)
    in_against = state.validators_against.get(index)
    if in_for and in_against:
        return False
    if (valid and in_against) or (not valid and in_for):
        return True
    return not in_for and not in_against


def select_disputes(
    recent: Mapping[DisputeKey, AnyDisputeStatus],
    onchain: Mapping[DisputeKey, DisputeState],
    votes: Mapping[DisputeKey, CandidateVotes],
    now: int,
    max_votes: int = MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME,
) -> tuple[DisputeStatementSet, ...]:
    """The prioritised dispute selection (the "Provisioner" guide page asks the coordinator for
    recent disputes; `select_disputes` of prioritized_selection/mod.rs at polkadot@247e4a73 gives
    the rule the network settled on).

    Keep disputes that are confirmed or concluded, or known on chain. Take them in priority
    order: inactive and unknown on chain, inactive and unconcluded on chain, active and unknown,
    active and unconcluded on chain, active and concluded on chain (inactive and concluded on
    chain are dropped; "inactive" = concluded more than 180 s before `now`), each partition in
    ascending `(session, candidate_hash)`. For disputes known on chain drop the votes the chain
    already has, except backing votes. Stop before the dispute that would take the total past
    `max_votes`. A dispute without votes in `votes` is skipped. Output sorted by
    `(session, candidate_hash)`, each with its valid votes then its invalid votes by validator
    index.
    """
    if isinstance(max_votes, bool) or not isinstance(max_votes, int) or max_votes < 0:
        raise DisputeSelectionError(
            f"select_disputes: max_votes must be a non-negative int, got {max_votes!r}"
        )
    partitions: tuple[list[DisputeKey], ...] = ([], [], [], [], [])
    for key in sorted(recent):
        status = recent[key]
        state = onchain.get(key)
        if state is None and not status.is_confirmed_concluded():
            continue
        inactive = dispute_is_inactive(status, now)
        if state is None:
            partitions[0 if inactive else 2].append(key)
        elif not _concluded_onchain(state):
            partitions[1 if inactive else 3].append(key)
        elif not inactive:
            partitions[4].append(key)
    chosen: dict[DisputeKey, DisputeStatementSet] = {}
    total = 0
    for part in partitions:
        for key in part:
            cv = votes.get(key)
            if cv is None:
                continue
            statement_set = _statement_set(key, cv, onchain.get(key))
            n = len(statement_set.statements)
            if total + n > max_votes:
                return tuple(chosen[k] for k in sorted(chosen))
            chosen[key] = statement_set
            total += n
    return tuple(chosen[k] for k in sorted(chosen))


def _statement_set(
    key: DisputeKey, cv: CandidateVotes, state: DisputeState | None
) -> DisputeStatementSet:
    session, candidate_hash = key
    statements: list[Any] = []
    for index in sorted(cv.valid):
        kind, signature = cv.valid[index]
        if state is None or _worth_keeping(index, kind, True, state):
            statements.append((kind, index, signature))
    for index in sorted(cv.invalid):
        ikind, signature = cv.invalid[index]
        if state is None or _worth_keeping(index, ikind, False, state):
            statements.append((ikind, index, signature))
    return DisputeStatementSet(candidate_hash, session, tuple(statements))
