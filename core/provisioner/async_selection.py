# Candidate selection under today's rules (E.5), beside the seeds' (candidate_selection.py): per
# para, how many cores it may fill in the block under production and which of its candidates
# are already on chain (its ancestors), then prospective parachains' chains for it, then
# backing's votes for those, merged in core order with at most one code upgrade. What belongs
# here: those rules, over answers the shell fetched or a callable standing for each subsystem.
#
# Sources: polkadot-sdk@0b38109e polkadot/node/core/provisioner/src/lib.rs
# (`request_backable_candidates`: cores and ancestors per para, `AncestorState` with its count
# and timed-out mark, one request per para in ascending para order with `count` = its cores;
# `select_candidates`: the backing request and the code-upgrade rule); the per-para backing
# request and the merge that stops a para at a second code upgrade follow the later provisioner
# (E.5 step 3; polkadot-sdk PR #3233 for several cores per para).
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Union

from ..errors import LengthMismatch
from ..prospective.fragment_chain import BackableCandidateRef
from ..records import _checks as c
from ..records.backed import BackedCandidate
from ..records.cores import AnyCoreState, OccupiedCore, ScheduledCore
from ..records.inherent import ProvisionerInherentData
from ..records.statements import SignedAvailabilityBitfield
from ..thresholds import AvailabilityThreshold, availability_threshold_met
from .assemble import assemble_with
from .dispute_selection import MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME, DisputeInputs

__all__ = [
    "AncestorState",
    "BackableRequest",
    "BackingAnswers",
    "BackingSelection",
    "ProspectiveAnswers",
    "assemble_async_inherent_data",
    "backable_requests",
    "select_backable_candidates",
]


@dataclass(frozen=True, slots=True)
class AncestorState:
    """A candidate of a para pending availability in the block's parent (`AncestorState`): on
    how many occupied cores it was seen, and whether one of them timed out."""

    count: int
    timed_out: bool = False

    def __post_init__(self) -> None:
        c.u32(self, "count", self.count)
        c.instance(self, "timed_out", self.timed_out, bool)


@dataclass(frozen=True, slots=True)
class BackableRequest:
    """What the provisioner asks prospective parachains for one para (E.5 step 2,
    `GetBackableCandidates(leaf, para, count, ancestors)`): the cores the para may fill, in
    ascending order (`count` is their number), and its candidates still occupying cores, by
    hash, ascending."""

    para_id: int
    cores: tuple[int, ...]
    ancestors: tuple[tuple[bytes, AncestorState], ...] = ()

    def __post_init__(self) -> None:
        c.u32(self, "para_id", self.para_id)
        c.tuple_of(self, "cores", self.cores, int)
        c.tuple_of(self, "ancestors", self.ancestors, tuple)

    @property
    def count(self) -> int:
        return len(self.cores)

    def ancestor_hashes(self) -> frozenset[bytes]:
        """The ancestors as `ProspectiveParachains.get_backable_candidates` takes them: every
        one not timed out. A timed-out candidate is off chain after this block, so it cannot
        stand for the chain's start; the newer provisioner leaves it out of the ancestors
        altogether [read in a third-party port, unconfirmed in Parity's source]."""
        return frozenset(h for h, state in self.ancestors if not state.timed_out)


BackingSelection = tuple[tuple[int, tuple[BackableCandidateRef, ...]], ...]
"""Per para with any, ascending: the candidates prospective parachains offered, in chain order,
each with its scheduling parent: the request backing answers (E.4.4)."""

ProspectiveAnswers = Union[  # noqa: UP007
    Mapping[int, Sequence[BackableCandidateRef]],
    Callable[[BackableRequest], Sequence[BackableCandidateRef]],
]
"""Prospective parachains' answers: fetched already, by para, or a callable asked per request."""

BackingAnswers = Union[  # noqa: UP007
    Mapping[int, Sequence[BackedCandidate]],
    Callable[[BackingSelection], Mapping[int, Sequence[BackedCandidate]]],
]
"""Backing's answers: fetched already, by para, or a callable given the whole selection."""


def backable_requests(
    cores: Sequence[AnyCoreState], available: Sequence[bool], block_number: int
) -> tuple[BackableRequest, ...]:
    """E.5 step 1 (the node's `request_backable_candidates`), with each core's availability
    under the selected bitfields given (`cores_availability`): a scheduled core is a core for
    its para; an occupied core whose candidate is available records that candidate as an
    ancestor of its para and is a core for `next_up_on_available`'s para, if any; one not
    available and not timed out (`time_out_at > block_number`) records its candidate only; one
    timed out records its candidate marked timed out and is a core for `next_up_on_time_out`'s
    para, if any; a free core is nothing. One request per para with at least one core, in
    ascending para order; ancestors of paras without cores are not asked about."""
    if len(available) != len(cores):
        raise LengthMismatch(
            f"backable_requests: {len(available)} availability flags for {len(cores)} cores"
        )
    by_para: dict[int, list[int]] = {}
    ancestors: dict[int, dict[bytes, AncestorState]] = {}

    def record(core: OccupiedCore, timed_out: bool) -> None:
        seen = ancestors.setdefault(core.para_id, {})
        old = seen.get(core.candidate_hash, AncestorState(0))
        seen[core.candidate_hash] = AncestorState(old.count + 1, old.timed_out or timed_out)

    for index, core in enumerate(cores):
        nxt: ScheduledCore | None = None
        if isinstance(core, ScheduledCore):
            nxt = core
        elif isinstance(core, OccupiedCore):
            if available[index]:
                record(core, False)
                nxt = core.next_up_on_available
            elif core.time_out_at > block_number:
                record(core, False)
            else:
                record(core, True)
                nxt = core.next_up_on_time_out
        if nxt is not None:
            by_para.setdefault(nxt.para_id, []).append(index)
    return tuple(
        BackableRequest(para, tuple(by_para[para]), tuple(sorted(ancestors.get(para, {}).items())))
        for para in sorted(by_para)
    )


def select_backable_candidates(
    cores: Sequence[AnyCoreState],
    available: Sequence[bool],
    block_number: int,
    prospective: ProspectiveAnswers,
    backing: BackingAnswers,
) -> tuple[BackedCandidate, ...]:
    """Today's candidate selection (E.5 steps 1-4): the requests of `backable_requests`; per
    para, prospective parachains' chain for it, cut to its core count, and its candidates
    paired in chain order with its cores in ascending order; backing's backed candidates for
    that selection, of which a para keeps the longest run matching its chain from the start (a
    candidate missing or out of order ends it). The result is in core order, which keeps each
    para's chain order, with at most one candidate carrying new validation code: a later one
    is dropped with every candidate after it in its para, which would build on it."""
    requests = backable_requests(cores, available, block_number)
    selection: list[tuple[int, tuple[BackableCandidateRef, ...]]] = []
    cores_of: dict[int, tuple[int, ...]] = {}
    for request in requests:
        if callable(prospective):
            offered = prospective(request)
        else:
            offered = prospective.get(request.para_id, ())
        refs = tuple(offered)[: request.count]
        if refs:
            selection.append((request.para_id, refs))
            cores_of[request.para_id] = request.cores
    answers = backing(tuple(selection)) if callable(backing) else backing
    placed: list[tuple[int, int, BackedCandidate]] = []
    for para, refs in selection:
        answer = tuple(answers.get(para, ()))
        for position, (ref, core) in enumerate(zip(refs, cores_of[para], strict=False)):
            if position >= len(answer) or answer[position].hash() != ref.candidate_hash:
                break
            placed.append((core, para, answer[position]))
    placed.sort(key=lambda p: p[0])
    out: list[BackedCandidate] = []
    cut: set[int] = set()
    with_code = False
    for _, para, candidate in placed:
        if para in cut:
            continue
        if candidate.candidate.commitments.new_validation_code is not None:
            if with_code:
                cut.add(para)
                continue
            with_code = True
        out.append(candidate)
    return tuple(out)


def assemble_async_inherent_data(
    cores: Sequence[AnyCoreState],
    bitfields: Sequence[SignedAvailabilityBitfield],
    block_number: int,
    prospective: ProspectiveAnswers,
    backing: BackingAnswers,
    disputes: DisputeInputs | None = None,
    *,
    max_dispute_votes: int = MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME,
    threshold: AvailabilityThreshold = availability_threshold_met,
) -> ProvisionerInherentData:
    """The provisioning pass of assemble.py with today's candidate selection: the bitfields
    selected as in the seeds, each core's availability from the selected ones, the candidates
    by `select_backable_candidates`, the disputes as before. `with_parent_header` on the result
    gives the `ParachainsInherentData`."""
    return assemble_with(
        cores,
        bitfields,
        lambda available: select_backable_candidates(
            cores, available, block_number, prospective, backing
        ),
        disputes,
        max_dispute_votes=max_dispute_votes,
        threshold=threshold,
    )
