# A small relay chain for the shell's tests: 6 validators in two groups of 3 backing paras 100
# and 200 on two scheduled cores, one relay parent, and helpers to run nodes and wait for events.
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    GroupRotationInfo,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ScheduledCore,
    SignedStatement,
    SigningContext,
    blake2_256,
)
from backable.core.records.statements import AnyStatement
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.network import InProcessNetwork
from backable.shell.collaborators.runtime_api import InMemoryChain, RelayBlockState
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.node import Node
from backable.shell.sim.collator import TOY_VALIDATION_CODE, Collator, toy_validation_function

RP = blake2_256(b"relay block 1")
RP2 = blake2_256(b"relay block 1 (fork)")
SESSION = 3
N = 6
GROUPS = ((0, 1, 2), (3, 4, 5))
PARAS = (100, 200)
URIS = tuple(f"//Validator{i}" for i in range(N))
KEYS = Keystore.from_uris(URIS)
VALIDATORS = KEYS.public_keys()


def validation_data(para: int, number: int = 1) -> PersistedValidationData:
    return PersistedValidationData(f"head of {para}".encode(), number, blake2_256(b"root"), 5 << 20)


def block_state(number: int = 1) -> RelayBlockState:
    pvds = {
        (para, assumption): validation_data(para, number)
        for para in PARAS
        for assumption in OccupiedCoreAssumption
    }
    return RelayBlockState(
        number=number,
        validators=VALIDATORS,
        groups=GROUPS,
        rotation=GroupRotationInfo(0, 0, number),
        cores=tuple(ScheduledCore(p) for p in PARAS),
        session_index=SESSION,
        validation_data=pvds,
        validation_code=dict.fromkeys(PARAS, TOY_VALIDATION_CODE),
    )


def chain(*relay_parents: bytes) -> InMemoryChain:
    c = InMemoryChain()
    for rp in relay_parents or (RP,):
        c.add_block(rp, block_state())
    return c


def sign(validator: int, statement: AnyStatement, relay_parent: bytes = RP) -> SignedStatement:
    return KEYS.sign_statement(
        VALIDATORS[validator], statement, SigningContext(SESSION, relay_parent), validator
    )


def collator(para: int = 100) -> Collator:
    return Collator(para)


@dataclass
class Cluster:
    """Nodes for some validators over one in-process network."""

    chain: InMemoryChain
    indices: tuple[int, ...] = tuple(range(N))
    pre_propose_ms: int = 50
    net: InProcessNetwork = field(default_factory=InProcessNetwork)
    nodes: dict[int, Node] = field(default_factory=dict)

    def __post_init__(self) -> None:
        validation = InMemoryValidation(
            self.chain, dict.fromkeys(PARAS, toy_validation_function), in_process=True
        )
        for i in self.indices:
            self.nodes[i] = Node(
                i,
                Keystore.from_uris([URIS[i]]),
                self.chain,
                validation,
                self.net,
                pre_propose_ms=self.pre_propose_ms,
            )

    async def start(self, *leaves: bytes) -> None:
        for node in self.nodes.values():
            await node.overseer.start()
        await self.activate(*(leaves or (RP,)))

    async def activate(self, *leaves: bytes) -> None:
        update = ActiveLeavesUpdate(activated=tuple(ActivatedLeaf(h, 1) for h in leaves))
        for node in self.nodes.values():
            await node.overseer.signal(update)

    async def stop(self) -> None:
        for node in self.nodes.values():
            await node.overseer.stop(timeout=2.0)


async def eventually(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    """Wait until `condition()` holds, polling the event loop (no fixed sleeps). The limit only
    bounds how long a broken run hangs; it is generous so a loaded machine never trips it."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.002)
