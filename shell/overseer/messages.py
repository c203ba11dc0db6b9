# Messages between subsystems (polkadot@c4ee9d46 node/subsystem-types/src/messages.rs): one
# envelope, `ToJob`, that carries one of the core's own job events to the job of a relay parent.
# The core's events are the messages: the shell has no twins of them and translates nothing.
# What each subsystem accepts:
# - Candidate Backing: `Second`, `ReceiveStatement` (its signature is checked before the table
#   sees it), `GetBackedCandidates`.
# - Provisioner: `ReceiveBitfield`, `ReceiveBackedCandidate`, `ReceiveMisbehaviourReport`,
#   `ReceiveDispute` (provisionable data), `RequestInherentData`, `Subscribe`.
# - Prospective Parachains (the async protocol): `AskProspective` around the core's own requests
#   (`IntroduceSecondedCandidate`, `CheckHypotheticalMembership`, `BackableRequest` at a leaf)
#   and `CandidateBackedToProspective` alone (no answer).
# Replies travel on asyncio futures (the node's oneshot channels): a request's `request_id` is the
# future itself, and a subscriber's id is the `asyncio.Queue` that receives the data, so a reply
# effect goes straight to its future. A request that cannot be served gets an exception (or an
# empty answer) on its future, never silence.
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, Union

from backable.core import (
    BackableError,
    BackableRequest,
    CheckHypotheticalMembership,
    GetBackedCandidates,
    IntroduceSecondedCandidate,
    ReceiveBackedCandidate,
    ReceiveBitfield,
    ReceiveDispute,
    ReceiveMisbehaviourReport,
    ReceiveStatement,
    RequestInherentData,
    Second,
    Subscribe,
)

__all__ = [
    "AskProspective",
    "CANDIDATE_BACKING",
    "PROSPECTIVE_PARACHAINS",
    "PROVISIONER",
    "ProspectiveError",
    "ProspectiveRequest",
    "BackingError",
    "BackingInput",
    "ProvisionerError",
    "ProvisionerInput",
    "ToJob",
]

PROVISIONER = "provisioner"
CANDIDATE_BACKING = "candidate-backing"
PROSPECTIVE_PARACHAINS = "prospective-parachains"

BackingInput = Union[Second, ReceiveStatement, GetBackedCandidates]  # noqa: UP007
ProvisionerInput = Union[  # noqa: UP007
    ReceiveBitfield,
    ReceiveBackedCandidate,
    ReceiveMisbehaviourReport,
    ReceiveDispute,
    RequestInherentData,
    Subscribe,
]


ProspectiveRequest = Union[  # noqa: UP007
    IntroduceSecondedCandidate, CheckHypotheticalMembership, BackableRequest
]


class ProspectiveError(BackableError, RuntimeError):
    """A request to prospective parachains that was not answered (the subsystem stopped)."""


@dataclass(frozen=True, slots=True)
class AskProspective:
    """`request` for prospective parachains, answered on `reply`: `IntroduceSecondedCandidate`
    with whether it was taken, `CheckHypotheticalMembership` with the active leaves that could
    take it, a `BackableRequest` (the provisioner's, at `leaf`) with the chain's candidates."""

    request: ProspectiveRequest
    reply: asyncio.Future[Any]
    leaf: bytes | None = None


class ProvisionerError(BackableError, RuntimeError):
    """A request for inherent data that cannot be answered (no job, timed out, concluded)."""


class BackingError(BackableError, RuntimeError):
    """A GetBackedCandidates that no backing job could serve (its inbox full, its leaf
    deactivated, the job crashed); the message names the reason."""


@dataclass(frozen=True, slots=True)
class ToJob:
    """`event`, one of the core's job events, for the job of `relay_parent`."""

    relay_parent: bytes
    event: BackingInput | ProvisionerInput
