# Builders and Hypothesis strategies for today's inclusion step (core/today/chain_state.py,
# sanitize.py, inclusion.py): a small world of validators with real sr25519 keys, the chain
# state around it, candidates that chain onto a para's head with real backing signatures, signed
# bitfields, and a composite strategy drawing a state and an inherent, mostly well-formed with
# some broken items. The example tests and the properties share the builders.
from __future__ import annotations

from dataclasses import replace
from typing import Any

import sr25519
from hypothesis import strategies as st

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    ChainState,
    ClaimQueue,
    CommittedCandidateReceipt,
    Explicit,
    Header,
    HostConfiguration,
    Implicit,
    NodeFeature,
    ParachainsInherentData,
    PendingCandidate,
    PersistedValidationData,
    RelayParentInfo,
    SchedulingParentInfo,
    SelectCore,
    SignedAvailabilityBitfield,
    SigningContext,
    bitfield_signing_payload,
    blake2_256,
    candidate_descriptor_v2,
    commitments_with_signals,
    inject_core_index,
    node_features,
    transpose_claim_queue,
)
from backable.core.records.candidate import CandidateDescriptor
from backable.core.records.signing import compact_statement_payload

SESSION = 7
NOW = 20
MAX_POV = 5 << 20
KEYS = [sr25519.pair_from_seed(bytes([i + 1]) * 32) for i in range(9)]
PUBLIC = tuple(k[0] for k in KEYS)
CODE = {1000: b"\xc1" * 32, 2000: b"\xc2" * 32}
HEADS = {1000: b"head-1000", 2000: b"head-2000"}
FEATURES_V2 = node_features(NodeFeature.ELASTIC_SCALING_MVP, NodeFeature.CANDIDATE_RECEIPT_V2)


def h(n: int) -> bytes:
    """The hash of relay block `n` in the fixtures."""
    return blake2_256(b"relay block" + n.to_bytes(4, "little"))


def root(n: int) -> bytes:
    """The state root of relay block `n` in the fixtures."""
    return blake2_256(b"state root" + n.to_bytes(4, "little"))


def config(**overrides: Any) -> HostConfiguration:
    fields: dict[str, Any] = {
        "minimum_backing_votes": 2,
        "node_features": FEATURES_V2,
        "paras_availability_period": 5,
        "group_rotation_frequency": 10,
        "max_pov_size": MAX_POV,
        "max_head_data_size": 64,
    }
    fields.update(overrides)
    return HostConfiguration(**fields)


# Core 0 and 1 serve para 1000 (elastic scaling), core 2 para 2000, at every depth.
CLAIM_QUEUE = ClaimQueue.from_mapping({0: (1000,) * 3, 1: (1000,) * 3, 2: (2000,) * 3})


def state(
    *,
    n_validators: int = 6,
    groups: tuple[tuple[int, ...], ...] = ((0, 1), (2, 3), (4, 5)),
    pending: dict[int, tuple[PendingCandidate, ...]] | None = None,
    claim_queue: ClaimQueue = CLAIM_QUEUE,
    n_cores: int = 3,
    parents: tuple[int, ...] = (NOW - 1, NOW - 2, NOW - 3),
    disabled: frozenset[int] = frozenset(),
    now: int = NOW,
    session_start_block: int = 0,
    **config_overrides: Any,
) -> ChainState:
    """A chain state at block `now` in session SESSION: `n_validators` keys, `groups`, the
    relay blocks `parents` allowed as relay and scheduling parents (each keeping the same
    claim queue), paras 1000 and 2000 with heads HEADS (context 10) and code CODE."""
    transposed = transpose_claim_queue(claim_queue)
    return ChainState(
        validators=PUBLIC[:n_validators],
        validator_groups=groups,
        session_start_block=session_start_block,
        n_cores=n_cores,
        claim_queue=claim_queue,
        pending=pending or {},
        allowed_relay_parents={SESSION: {h(n): RelayParentInfo(n, root(n)) for n in parents}},
        allowed_scheduling_parents={h(n): SchedulingParentInfo(n, transposed) for n in parents},
        para_heads=dict(HEADS),
        most_recent_context={1000: 10, 2000: 10},
        code_hashes=dict(CODE),
        config=config(**config_overrides),
        disabled_validators=disabled,
        session_index=SESSION,
        now=now,
        parent_hash=h(now - 1),
    )


def receipt(
    para: int,
    parent_head: bytes,
    head: bytes,
    *,
    core: int,
    relay_parent: int = NOW - 1,
    selector: int | None = None,
    offset: int | None = None,
    session: int = SESSION,
    pov: int = 0,
) -> CommittedCandidateReceipt:
    """A V2 candidate of `para` building `head` on `parent_head` at relay block `relay_parent`,
    its descriptor naming `core`, its commitments a SelectCore (selector defaulting to the
    core's rank among the para's cores, offset to `NOW - relay_parent - 1`)."""
    pvd = PersistedValidationData(parent_head, relay_parent, root(relay_parent), MAX_POV)
    descriptor = candidate_descriptor_v2(
        para,
        h(relay_parent),
        core,
        session,
        pvd.hash(),
        blake2_256(b"pov" + bytes([pov])),
        bytes(32),
        blake2_256(head),
        CODE.get(para, bytes(32)),
    )
    if selector is None:
        selector = _rank(para, core)
    if offset is None:
        offset = NOW - relay_parent - 1
    commitments = commitments_with_signals(
        CandidateCommitments(head_data=head), (SelectCore(selector, offset),)
    )
    return CommittedCandidateReceipt(descriptor, commitments)


def v1_receipt(
    para: int, parent_head: bytes, head: bytes, *, relay_parent: int = NOW - 1
) -> CommittedCandidateReceipt:
    """A V1 candidate (collator key and signature bytes non-zero), without signals."""
    pvd = PersistedValidationData(parent_head, relay_parent, root(relay_parent), MAX_POV)
    descriptor = CandidateDescriptor(
        para,
        h(relay_parent),
        b"\x02" * 32,
        pvd.hash(),
        b"\x04" * 32,
        bytes(32),
        b"\x06" * 64,
        blake2_256(head),
        CODE.get(para, bytes(32)),
    )
    return CommittedCandidateReceipt(descriptor, CandidateCommitments(head_data=head))


def back(
    chain: ChainState,
    committed: CommittedCandidateReceipt,
    core: int,
    positions: tuple[int, ...] | None = None,
    *,
    inject: int | None = -1,
    signers: tuple[int, ...] | None = None,
) -> BackedCandidate:
    """`committed` backed by the group `chain` assigns `core` at the relay parent's number + 1:
    votes (Implicit first, then Explicit) from the group members at `positions` (all by
    default), signed by `signers` (the members themselves by default) in the candidate's
    signing context; `validator_indices` with `inject` appended (the core by default, None for
    no core bits)."""
    number = chain.allowed_scheduling_parents[committed.descriptor.relay_parent].number
    group_index = chain.group_assigned_to_core(core, number + 1)
    group = chain.validator_groups[group_index if group_index is not None else 0]
    if positions is None:
        positions = tuple(range(len(group)))
    if signers is None:
        signers = tuple(group[p] for p in positions)
    ctx = SigningContext(SESSION, committed.descriptor.relay_parent)
    votes: list[Implicit | Explicit] = []
    for rank, signer in enumerate(signers):
        kind = 1 if rank == 0 else 2
        signature = sr25519.sign(
            KEYS[signer], compact_statement_payload(kind, committed.hash(), ctx)
        )
        votes.append(Implicit(signature) if kind == 1 else Explicit(signature))
    bits = BitVec.from_indices(len(group), positions)
    if inject == -1:
        inject = core
    if inject is not None:
        bits = inject_core_index(bits, inject)
    return BackedCandidate(committed, tuple(votes), bits)


def bitfield(
    chain: ChainState, bits: str, validator: int, *, signer: int | None = None
) -> SignedAvailabilityBitfield:
    """`bits` (bit 0 first) signed by `signer` (default: `validator`) in `chain`'s context."""
    payload = BitVec.from_str(bits)
    ctx = SigningContext(chain.session_index, chain.parent_hash)
    key = KEYS[validator if signer is None else signer]
    return SignedAvailabilityBitfield(
        payload, validator, sr25519.sign(key, bitfield_signing_payload(payload, ctx))
    )


def pending(
    committed: CommittedCandidateReceipt,
    core: int,
    *,
    n_validators: int = 6,
    votes: tuple[int, ...] = (),
    relay_parent_number: int = NOW - 1,
    backed_in: int = NOW - 1,
    group: int = 0,
) -> PendingCandidate:
    """`committed` pending availability on `core`, with availability votes from `votes`."""
    return PendingCandidate(
        core,
        committed.hash(),
        committed.descriptor,
        committed.commitments,
        BitVec.from_indices(n_validators, votes),
        relay_parent_number,
        BitVec.zeros(n_validators),
        backed_in,
        group,
    )


PARENT_HEADER = Header(bytes(32), NOW - 1, root(NOW - 1), bytes(32), ())


def inherent(
    bitfields: tuple[SignedAvailabilityBitfield, ...] = (),
    candidates: tuple[BackedCandidate, ...] = (),
) -> ParachainsInherentData:
    return ParachainsInherentData(tuple(bitfields), tuple(candidates), (), PARENT_HEADER)


# -- strategies --------------------------------------------------------------------------------

_SEEDS = st.integers(0, 2**32 - 1)


@st.composite
def inclusion_inputs(
    draw: st.DrawFn,
) -> tuple[ChainState, ParachainsInherentData, frozenset[bytes]]:
    """A chain state with 3 to 6 validators in two or three groups, two paras with chains of up
    to two pending candidates (random availability votes, backed in random earlier blocks), a
    random `now` in the rotation, some disabled validators; and an inherent of bitfields (mostly
    signed, sorted, of the right length) and of candidates chained onto each para's latest
    head, mostly well backed, some broken (bad core, bad offset, foreign parent head, a missing
    vote, a forged signature, a duplicate); and a concluded-invalid set, usually empty."""
    n = draw(st.integers(3, 6))
    groups = ((0, 1), (2, 3), (4, 5)) if n == 6 else ((0,), (1,), tuple(range(2, n)))
    now = draw(st.integers(12, 30))
    parents = (now - 1, now - 2)
    disabled = draw(st.frozensets(st.integers(0, n - 1), max_size=1))
    period = draw(st.integers(1, 6))
    base = state(
        n_validators=n,
        groups=groups,
        parents=parents,
        now=now,
        disabled=disabled,
        paras_availability_period=period,
        minimum_backing_votes=draw(st.integers(1, 2)),
    )
    # Pending chains: para 1000 on cores 0 then 1, para 2000 on core 2.
    chains: dict[int, tuple[PendingCandidate, ...]] = {}
    tips = dict(HEADS)
    for para, cores in ((1000, (0, 1)), (2000, (2,))):
        length = draw(st.integers(0, len(cores)))
        chain = []
        for i in range(length):
            head = tips[para] + b"/p" + bytes([i])
            committed = receipt(
                para, tips[para], head, core=cores[i], relay_parent=now - 2, offset=1
            )
            votes = tuple(draw(st.sets(st.integers(0, n - 1))))
            backed_in = draw(st.integers(now - 8, now - 1))
            chain.append(
                pending(
                    committed,
                    cores[i],
                    n_validators=n,
                    votes=votes,
                    relay_parent_number=now - 2,
                    backed_in=backed_in,
                )
            )
            tips[para] = head
        chains[para] = tuple(chain)
    base = replace(base, pending=chains)
    # Bitfields: sorted validators, mostly right; the occasional wrong length or forged one.
    bitfields = []
    for v in sorted(draw(st.sets(st.integers(0, n - 1)))):
        bits = "".join(draw(st.sampled_from("01")) for _ in range(3))
        fault = draw(st.sampled_from(("none",) * 6 + ("length", "forged", "repeat")))
        if fault == "length":
            bits += "0"
        bf = bitfield(base, bits, v, signer=(v + 1) % n if fault == "forged" else None)
        bitfields.append(bf)
        if fault == "repeat":
            bitfields.append(bf)
    # Candidates: per para, up to two chained onto the latest head, then shuffled para order.
    candidates = []
    occupied = {p.core for chain in chains.values() for p in chain}
    for para, cores in ((1000, (0, 1)), (2000, (2,))):
        tip = tips[para]
        for i, core in enumerate(c for c in cores if c not in occupied):
            fault = draw(
                st.sampled_from(
                    ("none",) * 6 + ("core", "offset", "parent", "vote", "forged", "dup")
                )
            )
            head = tip + b"/n" + bytes([i])
            parent_head = b"elsewhere" if fault == "parent" else tip
            relay_parent = draw(st.sampled_from(parents))
            committed = receipt(
                para,
                parent_head,
                head,
                core=(core + 1) % 3 if fault == "core" else core,
                relay_parent=relay_parent,
                selector=_rank(para, core),
                offset=now - relay_parent - 1 + (1 if fault == "offset" else 0),
            )
            group_index = base.group_assigned_to_core(core, relay_parent + 1)
            group = groups[group_index or 0]
            positions = tuple(range(len(group) - 1 if fault == "vote" else len(group)))
            signers = None
            if fault == "forged":
                signers = tuple((group[p] + 1) % n for p in positions)
            bc = back(base, committed, core, positions, signers=signers)
            candidates.append(bc)
            if fault == "dup":
                candidates.append(bc)
            tip = head
    order = draw(st.permutations(range(len(candidates))))
    by_para: dict[int, list[BackedCandidate]] = {}
    for bc in candidates:
        by_para.setdefault(bc.candidate.descriptor.para_id, []).append(bc)
    paras = sorted(by_para)
    if order and order[0] % 2:
        paras.reverse()
    ordered = tuple(bc for para in paras for bc in by_para[para])
    concluded: frozenset[bytes] = frozenset()
    if draw(st.integers(0, 9)) == 0 and chains[1000]:
        concluded = frozenset({chains[1000][0].hash})
    return base, inherent(tuple(bitfields), ordered), concluded


def _rank(para: int, core: int) -> int:
    # The selector that picks `core` among the cores the claim queue gives `para`.
    return sorted(c for c, paras in CLAIM_QUEUE.entries if paras[0] == para).index(core)
