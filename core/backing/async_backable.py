# The provisioner's request to backing under today's rules (E.4.4): the backed candidates of
# the jobs of several scheduling parents (async_job.py), each built from its job's table with
# the core index of its group injected. What belongs here: reading the jobs, never stepping them.
#
# Sources: polkadot-sdk@320318ab polkadot/node/core/backing/src/lib.rs
# (`handle_get_backable_candidates_message`, `table_attested_to_backed`); `BackedCandidate::new`
# of polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs (the core index always injected).
from __future__ import annotations

from collections.abc import Mapping

from ..records.backed import BackedCandidate
from ..today.claim_queue import inject_core_index
from .async_events import GetBackableCandidates, ReplyBackableCandidates
from .async_job import AsyncBackingJobState
from .table import attested_candidate, attested_to_backed

__all__ = ["backable_candidate", "get_backable_candidates"]


def backable_candidate(
    state: AsyncBackingJobState, candidate_hash: bytes
) -> BackedCandidate | None:
    """The candidate as a `BackedCandidate` if it reached its quorum in this job, else None:
    its Seconded/Valid votes ordered by the voter's position in the group of its core, one bit
    per group member, then the core index in 8 bits (`attested_to_backed` and
    `inject_core_index`, E.1.5, E.4.3 step 6)."""
    context = state.setup.context
    attested = attested_candidate(state.table, candidate_hash, context)
    if attested is None:
        return None
    backed = attested_to_backed(attested, context.groups[attested.group_id])
    assert backed is not None, "the table admits only votes from the candidate's group"
    return BackedCandidate(
        backed.candidate,
        backed.validity_votes,
        inject_core_index(backed.validator_indices, attested.group_id),
    )


def get_backable_candidates(
    jobs: Mapping[bytes, AsyncBackingJobState], request: GetBackableCandidates
) -> ReplyBackableCandidates:
    """`GetBackableCandidates` (E.4.4) over the jobs by scheduling parent: per requested para,
    in the given order, each candidate looked up in the job of its scheduling parent; the first
    whose job is unknown or which is not backable there ends that para's list. A para with no
    candidate is left out of the reply; the others keep the request's order."""
    out: list[tuple[int, tuple[BackedCandidate, ...]]] = []
    for para, refs in request.requested:
        found: list[BackedCandidate] = []
        for ref in refs:
            job = jobs.get(ref.scheduling_parent)
            backed = None if job is None else backable_candidate(job, ref.candidate_hash)
            if backed is None:
                break
            found.append(backed)
        if found:
            out.append((para, tuple(found)))
    return ReplyBackableCandidates(request.request_id, tuple(out))
