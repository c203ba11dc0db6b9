# Messages between subsystems (polkadot@c4ee9d46 node/subsystem-types/src/messages.rs): what the
# Provisioner and Candidate Backing accept,
# each bound to a relay parent and routed to that relay parent's job. Replies travel on asyncio
# futures (the node's oneshot channels); a request that cannot be served gets an exception on its
# future, never silence.
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Union

from backable.core import (
    BackedCandidate,
    CandidateReceipt,
    PoV,
    ProvisionerInherentData,
    SignedAvailabilityBitfield,
    SignedStatement,
)
from backable.core.errors import BackableError
from backable.core.records.misbehavior import Misbehavior

__all__ = [
    "BackedCandidateDatum",
    "BitfieldDatum",
    "DisputeDatum",
    "GetBackedCandidates",
    "MisbehaviorDatum",
    "ProvisionableData",
    "ProvisionerError",
    "RequestBlockAuthorshipData",
    "RequestInherentData",
    "Second",
    "Statement",
]

PROVISIONER = "provisioner"
CANDIDATE_BACKING = "candidate-backing"


class ProvisionerError(BackableError, RuntimeError):
    """A request for inherent data that cannot be answered (no job, timed out, concluded)."""


# -- provisionable data -----------------------------------------------------------------------


@dataclass(frozen=True)
class BitfieldDatum:
    bitfield: SignedAvailabilityBitfield


@dataclass(frozen=True)
class BackedCandidateDatum:
    candidate: BackedCandidate


@dataclass(frozen=True)
class MisbehaviorDatum:
    validator_index: int
    misbehavior: Misbehavior


@dataclass(frozen=True)
class DisputeDatum:
    relay_parent: bytes
    signature: bytes


Datum = Union[BitfieldDatum, BackedCandidateDatum, MisbehaviorDatum, DisputeDatum]  # noqa: UP007

# -- provisioner messages ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProvisionableData:
    relay_parent: bytes
    datum: Datum


@dataclass(frozen=True)
class RequestInherentData:
    relay_parent: bytes
    reply: asyncio.Future[ProvisionerInherentData]


@dataclass(frozen=True)
class RequestBlockAuthorshipData:
    """The early "Provisioner" guide page: a block author's channel that receives a copy of every
    later datum."""

    relay_parent: bytes
    channel: asyncio.Queue[Datum]


# -- candidate backing messages ---------------------------------------------------------------


@dataclass(frozen=True)
class Second:
    relay_parent: bytes
    candidate: CandidateReceipt
    pov: PoV


@dataclass(frozen=True)
class Statement:
    relay_parent: bytes
    statement: SignedStatement


@dataclass(frozen=True)
class GetBackedCandidates:
    relay_parent: bytes
    hashes: tuple[bytes, ...]
    reply: asyncio.Future[tuple[BackedCandidate, ...]]
