# One validator's node in process: an overseer running the Provisioner and Candidate Backing
# subsystems, wired to shared collaborators (the chain, validation, the network). The network
# delivers statements to the node's backing subsystem and fetches PoVs from what it holds.
# `protocol` chooses the design: "legacy" (the seeds' synchronous backing, the default) or
# "async" (today's: a Prospective Parachains subsystem beside backing jobs per scheduling
# parent over the implicit view and a provisioner asking both, reading `today`'s answers).
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backable.core import ReceiveStatement, Seconded, SignedStatement

from .collaborators.availability_store import InMemoryAvailabilityStore
from .collaborators.dispute_coordinator import InMemoryDisputeCoordinator
from .collaborators.keystore import Keystore
from .collaborators.network import InProcessNetwork, PeerStopped
from .collaborators.runtime_api import RuntimeApi
from .collaborators.today_runtime import InMemoryTodayChain
from .collaborators.validation import CandidateValidation
from .overseer.bus import Overseer, SubsystemNotRunning
from .overseer.jobs import JOB_INBOX_CAPACITY
from .overseer.messages import CANDIDATE_BACKING, ToJob
from .subsystems.async_backing import AsyncBackingSubsystem
from .subsystems.async_provisioner import AsyncProvisionerSubsystem
from .subsystems.backing import CandidateBackingSubsystem
from .subsystems.prospective import ProspectiveParachainsSubsystem
from .subsystems.provisioner import ProvisionerSubsystem

__all__ = ["PROTOCOLS", "Node"]

PROTOCOLS = ("legacy", "async")  # the seeds' synchronous backing; today's asynchronous backing


@dataclass
class Node:
    """A validator node: `backing` and `provisioner` under one `overseer`.

    `time_limits=False` builds the subsystems with no wall-clock limit at all (no elapsed-time
    limit on the inherent, no time limit on collaborator calls, validations or PoV fetches), so
    that a run's results do not depend on the machine's load: what the simulation wants. A
    node that meets real peers keeps them (the default)."""

    validator_index: int
    keystore: Keystore
    runtime: RuntimeApi
    validation: CandidateValidation
    network: InProcessNetwork
    pre_propose_ms: int = 2000
    minimum_backing_votes: int | None = None
    time_limits: bool = True
    protocol: str = "legacy"
    today: InMemoryTodayChain | None = None
    # The bound of each backing job's inbox: a block author hears every group's statements,
    # about two per validator per block (the simulation sizes it from the network).
    job_inbox_capacity: int = JOB_INBOX_CAPACITY
    overseer: Overseer = field(init=False)
    backing: CandidateBackingSubsystem = field(init=False)
    provisioner: ProvisionerSubsystem | AsyncProvisionerSubsystem = field(init=False)
    prospective: ProspectiveParachainsSubsystem | None = field(init=False, default=None)
    store: InMemoryAvailabilityStore = field(default_factory=InMemoryAvailabilityStore)
    disputes: InMemoryDisputeCoordinator = field(default_factory=InMemoryDisputeCoordinator)

    def __post_init__(self) -> None:
        self.overseer = Overseer()
        # Without time limits, each limit is None; with them, each subsystem's default.
        backing_limits: dict[str, Any] = {}
        provisioner_limits: dict[str, Any] = {}
        if not self.time_limits:
            backing_limits = dict.fromkeys(
                ("call_timeout", "validation_timeout", "pov_fetch_timeout")
            )
            provisioner_limits = dict.fromkeys(("call_timeout", "request_timeout"))
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"Node: protocol must be one of {PROTOCOLS}, not {self.protocol!r}")
        if self.protocol == "async":
            self._async_subsystems(backing_limits)
        else:
            self.backing = CandidateBackingSubsystem(
                self.runtime,
                self.keystore,
                self.validation,
                self.store,
                self.network,
                self.disputes,
                minimum_backing_votes=self.minimum_backing_votes,
                job_inbox_capacity=self.job_inbox_capacity,
                **backing_limits,
            )
            self.provisioner = ProvisionerSubsystem(
                self.runtime,
                self.disputes,
                pre_propose_ms=self.pre_propose_ms,
                **provisioner_limits,
            )
        self.overseer.register(self.backing)
        self.overseer.register(self.provisioner)
        pvds = (
            self.backing.validation_data_of
            if isinstance(self.backing, AsyncBackingSubsystem)
            else None
        )
        self.network.register(self.validator_index, self.deliver, self.backing.pov_source, pvds)

    def _async_subsystems(self, backing_limits: dict[str, Any]) -> None:
        # Today's protocol: prospective parachains beside backing and the provisioner, all
        # reading the runtime's answers under today's rules (`today`).
        if self.today is None:
            raise ValueError("Node: the async protocol needs the runtime's `today` answers")
        prospective = ProspectiveParachainsSubsystem(self.today)
        backing = AsyncBackingSubsystem(
            self.today,
            self.runtime,
            self.keystore,
            self.validation,
            self.store,
            self.network,
            self.disputes,
            minimum_backing_votes=self.minimum_backing_votes,
            job_inbox_capacity=self.job_inbox_capacity,
            **backing_limits,
        )
        self.prospective = prospective
        self.backing = backing
        self.provisioner = AsyncProvisionerSubsystem(
            self.today,
            backing,
            call_timeout=None if not self.time_limits else backing.call_timeout,
        )
        self.overseer.register(prospective)

    def idle(self) -> bool:
        """Nothing queued or under way in this node (the simulation waits for all to settle)."""
        return self.overseer.idle() and self.backing.jobs.idle() and self.provisioner.jobs.idle()

    async def deliver(self, relay_parent: bytes, statement: SignedStatement) -> None:
        event = ReceiveStatement(statement)
        if isinstance(self.backing, AsyncBackingSubsystem) and isinstance(
            statement.statement, Seconded
        ):
            # Today's statement distribution hands backing a Seconded with its candidate's
            # validation data, fetched from the sender (None if it has none: backing drops it).
            pvd = self.network.validation_data(statement.validator_index, statement.candidate_hash)
            event = ReceiveStatement(statement, pvd)
        try:
            await self.overseer.send(CANDIDATE_BACKING, ToJob(relay_parent, event))
        except SubsystemNotRunning:
            raise PeerStopped(f"validator {self.validator_index} has stopped") from None
