# The Prospective Parachains subsystem of a node running the asynchronous protocol: a thin driver
# holding the pure `ProspectiveParachains` state (core/prospective/view.py). It activates each new
# leaf from the runtime's `LeafActivation`, drops deactivated leaves, and answers the backing and
# provisioner subsystems: introduce a seconded candidate, mark one backed, hypothetical
# membership, backable candidates for a para at a leaf. Every rule is the core's.
#
# It runs under the overseer: signals (a leaf activated is looked up in the runtime and
# activated; deactivated leaves go) and the backing and provisioner subsystems' messages
# (`AskProspective` around the core's requests, answered on its future at once from the state
# in memory; `CandidateBackedToProspective`). A request left in its inbox when it stops is
# refused with `ProspectiveError`, never left unanswered. What it keeps is bounded by the view:
# `deactivate` prunes every scheduling parent no active leaf reaches.
#
# Sources: polkadot-sdk@00c84144 polkadot/node/core/prospective-parachains/src/lib.rs
# (`handle_active_leaves_update`, `handle_introduce_seconded_candidate`,
# `handle_candidate_backed`, `answer_hypothetical_membership_request`,
# `handle_get_backable_candidates`).
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from backable.core import (
    ActiveLeavesUpdate,
    BackableCandidateRef,
    BackableRequest,
    CandidateBackedToProspective,
    CheckHypotheticalMembership,
    CommittedCandidateReceipt,
    Conclude,
    HypotheticalComplete,
    IntroduceSecondedCandidate,
    LeafActivation,
    PersistedValidationData,
    ProspectiveParachains,
)

from ..collaborators.runtime_api import RuntimeApiError
from ..collaborators.today_runtime import InMemoryTodayChain
from ..overseer.bus import SubsystemContext
from ..overseer.messages import PROSPECTIVE_PARACHAINS, AskProspective, ProspectiveError

__all__ = ["ProspectiveParachainsSubsystem"]

log = logging.getLogger("backable.prospective-parachains")


class ProspectiveParachainsSubsystem:
    """The node's prospective-parachains state and its answers (see the module header).
    `counters` counts what it did, by name, including leaves it could not activate."""

    name = PROSPECTIVE_PARACHAINS

    def __init__(self, today: InMemoryTodayChain | None = None) -> None:
        self.today = today
        self.state = ProspectiveParachains()
        self.counters: Counter[str] = Counter()

    async def run(self, ctx: SubsystemContext) -> None:
        """The overseer's loop: leaves activated from the runtime's `LeafActivation`, others
        deactivated; anything but a signal is counted and dropped (requests are calls)."""
        while True:
            item = await ctx.recv()
            if isinstance(item, Conclude):
                for left in ctx.inbox.drain():
                    if isinstance(left, AskProspective) and not left.reply.done():
                        left.reply.set_exception(ProspectiveError("prospective parachains stopped"))
                return
            if isinstance(item, AskProspective):
                self.answer(item)
                continue
            if isinstance(item, CandidateBackedToProspective):
                self.backed(item.para_id, item.candidate_hash)
                continue
            if not isinstance(item, ActiveLeavesUpdate):
                self.counters["dropped: unknown message type"] += 1
                continue
            self.deactivate(item.deactivated)
            for leaf in item.activated:
                if self.today is None:
                    self.counters["leaves without runtime data"] += 1
                    continue
                try:
                    at = await self.today.state(leaf.hash)
                except RuntimeApiError as e:
                    self.counters["leaves without runtime data"] += 1
                    log.warning("no runtime data for leaf: %s", e)
                    continue
                self.activate(at.leaf)

    def answer(self, ask: AskProspective) -> None:
        """Answer one request on its future (a reply nobody waits for any more is skipped)."""
        if ask.reply.done():
            self.counters["requests abandoned"] += 1
            return
        request = ask.request
        answer: object
        if isinstance(request, IntroduceSecondedCandidate):
            answer = self.introduce(request.candidate, request.persisted_validation_data)
        elif isinstance(request, CheckHypotheticalMembership):
            answer = self.membership(request.candidate)
        elif isinstance(request, BackableRequest) and ask.leaf is not None:
            answer = self.backable(ask.leaf, request)
        else:
            ask.reply.set_exception(ProspectiveError(f"cannot answer {request!r}"))
            return
        ask.reply.set_result(answer)

    def activate(self, leaf: LeafActivation, deactivated: Iterable[bytes] = ()) -> bool:
        """Activate `leaf` (and first deactivate `deactivated`); False, counted, if the core
        refused its ancestry (the leaf is then not active)."""
        state = self.state.deactivate_leaves(deactivated)
        activated, problem = state.activate_leaf(leaf)
        self.state = activated
        if problem is not None:
            self.counters["leaves refused: unexpected ancestor"] += 1
            log.warning("leaf 0x%s not activated: %s", leaf.hash.hex()[:16], problem)
            return False
        self.counters["leaves activated"] += 1
        return True

    def deactivate(self, leaves: Iterable[bytes]) -> None:
        self.state = self.state.deactivate_leaves(leaves)

    def introduce(self, candidate: CommittedCandidateReceipt, pvd: PersistedValidationData) -> bool:
        """`IntroduceSecondedCandidate`: whether some fragment chain took (or knew) it."""
        self.state, accepted = self.state.introduce_seconded(candidate, pvd)
        self.counters["candidates introduced" if accepted else "candidates not introduced"] += 1
        return accepted

    def backed(self, para_id: int, candidate_hash: bytes) -> None:
        """`CandidateBacked`."""
        self.state = self.state.candidate_backed(para_id, candidate_hash)
        self.counters["candidates backed"] += 1

    def membership(self, candidate: HypotheticalComplete) -> tuple[bytes, ...]:
        """`GetHypotheticalMembership` for one complete candidate: the active leaves whose
        chain could take it."""
        return self.state.get_hypothetical_membership((candidate,))[0]

    def backable(self, leaf: bytes, request: BackableRequest) -> tuple[BackableCandidateRef, ...]:
        """`GetBackableCandidates` at `leaf` for the provisioner's request."""
        return self.state.get_backable_candidates(
            leaf, request.para_id, request.count, request.ancestor_hashes()
        )

    @property
    def active_leaves(self) -> frozenset[bytes]:
        return self.state.active_leaves
