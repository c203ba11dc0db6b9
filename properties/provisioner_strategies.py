# Builders and Hypothesis strategies for the Provisioner's rules: tiny record builders that the
# example tests (tests/test_*selection*.py ...) and the properties share, and composite strategies
# that pass every field. Kept apart from properties/strategies.py, which another module owns.
from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backable.core import (
    Active,
    ApprovalChecking,
    ApprovalCheckingMultipleCandidates,
    BackedCandidate,
    BackingSeconded,
    BackingValid,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceipt,
    CandidateVotes,
    CommittedCandidateReceipt,
    ConcludedAgainst,
    ConcludedFor,
    Confirmed,
    DisputeState,
    Explicit,
    FreeCore,
    InvalidExplicit,
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    ValidExplicit,
)
from backable.core.records.cores import AnyCoreState

ZERO32 = bytes(32)
SIG = bytes(64)


def h32(n: int) -> bytes:
    """A distinct 32-byte value per small int."""
    return n.to_bytes(32, "big")


def pvd(n: int = 0) -> PersistedValidationData:
    """Validation data number `n` (distinct hashes for distinct n)."""
    return PersistedValidationData(n.to_bytes(4, "little"), n, ZERO32, 5 << 20)


def descriptor(para_id: int, pvd_hash: bytes = ZERO32, salt: int = 0) -> CandidateDescriptor:
    return CandidateDescriptor(
        para_id, ZERO32, ZERO32, pvd_hash, h32(salt), ZERO32, SIG, ZERO32, ZERO32
    )


def backed(
    para_id: int,
    data: PersistedValidationData | None = None,
    *,
    code: bytes | None = None,
    salt: int = 0,
    votes: int = 1,
) -> BackedCandidate:
    """A backed candidate for `para_id` built on `data` (default `pvd(0)`)."""
    vd = data if data is not None else pvd(0)
    receipt = CommittedCandidateReceipt(
        descriptor(para_id, vd.hash(), salt),
        CandidateCommitments(new_validation_code=code, head_data=salt.to_bytes(4, "little")),
    )
    return BackedCandidate(receipt, (Explicit(SIG),) * votes, BitVec.ones(votes))


def occupied(
    availability: BitVec,
    *,
    next_up_on_available: int | None = None,
    next_up_on_time_out: int | None = None,
    time_out_at: int = 0,
    para_id: int = 0,
) -> OccupiedCore:
    return OccupiedCore(
        None if next_up_on_available is None else ScheduledCore(next_up_on_available),
        0,
        time_out_at,
        None if next_up_on_time_out is None else ScheduledCore(next_up_on_time_out),
        availability,
        0,
        ZERO32,
        descriptor(para_id),
    )


def bitfield(bits: str, validator_index: int, salt: int = 0) -> SignedAvailabilityBitfield:
    """A bitfield from a bit string, bit 0 first; `salt` varies the signature."""
    return SignedAvailabilityBitfield(BitVec.from_str(bits), validator_index, bytes([salt]) * 64)


# -- strategies ------------------------------------------------------------------------------

FREE = OccupiedCoreAssumption.FREE
INCLUDED = OccupiedCoreAssumption.INCLUDED
TIMED_OUT = OccupiedCoreAssumption.TIMED_OUT


@st.composite
def core_states(draw: Any, n_validators: int, paras: int = 4) -> AnyCoreState:
    kind = draw(st.sampled_from(("occupied", "scheduled", "free")))
    if kind == "free":
        return FreeCore()
    if kind == "scheduled":
        return ScheduledCore(draw(st.integers(0, paras - 1)))
    maybe_para = st.none() | st.integers(0, paras - 1)
    bits = draw(st.integers(0, (1 << n_validators) - 1))
    return occupied(
        BitVec(bits, n_validators),
        next_up_on_available=draw(maybe_para),
        next_up_on_time_out=draw(maybe_para),
        time_out_at=draw(st.integers(8, 12)),
        para_id=draw(st.integers(0, paras - 1)),
    )


@st.composite
def cores_and_bitfields(
    draw: Any, max_validators: int = 9, max_cores: int = 6
) -> tuple[tuple[AnyCoreState, ...], tuple[SignedAvailabilityBitfield, ...], int]:
    """Cores, bitfields (some of the wrong length, some on unoccupied cores, several per
    validator, some signers beyond the validator set) and the number of validators."""
    n_validators = draw(st.integers(1, max_validators))
    n_cores = draw(st.integers(0, max_cores))
    cores = tuple(draw(st.lists(core_states(n_validators), min_size=n_cores, max_size=n_cores)))
    fields = []
    for salt in range(draw(st.integers(0, 3 * n_validators))):
        lengths = (n_cores, n_cores, n_cores, n_cores + 1, max(0, n_cores - 1))
        length = draw(st.sampled_from(lengths))
        bits = draw(st.integers(0, (1 << length) - 1))
        v = draw(st.integers(0, n_validators))  # n_validators itself is out of range
        fields.append(SignedAvailabilityBitfield(BitVec(bits, length), v, bytes([salt % 256]) * 64))
    return cores, tuple(fields), n_validators


@st.composite
def candidate_inputs(draw: Any) -> tuple[Any, ...]:
    """(cores, bitfields, candidates, block_number, validation_data) for select_candidates."""
    cores, fields, _ = draw(cores_and_bitfields())
    candidates = []
    for salt in range(draw(st.integers(0, 8))):
        candidates.append(
            backed(
                draw(st.integers(0, 3)),
                pvd(draw(st.integers(0, 2))),
                code=draw(st.none() | st.just(b"code")),
                salt=salt,
            )
        )
    vd = draw(validation_data_maps())
    return cores, fields, tuple(candidates), draw(st.integers(8, 12)), vd


@st.composite
def validation_data_maps(draw: Any) -> dict[tuple[int, OccupiedCoreAssumption], Any]:
    """What the runtime answers per (para, assumption), for paras 0..3: one of three validation
    data, or nothing."""
    vd = {}
    for para in range(4):
        for assumption in (FREE, INCLUDED, TIMED_OUT):
            n = draw(st.none() | st.integers(0, 2))
            if n is not None:
                vd[(para, assumption)] = pvd(n)
    return vd


# -- disputes ----------------------------------------------------------------------------------

N = 6
STATUS = (
    st.sampled_from((Active(), Confirmed()))
    | st.builds(ConcludedFor, st.integers(0, 1000))
    | st.builds(ConcludedAgainst, st.integers(0, 1000))
)


# Every valid kind a vote can have (an explicit vote, the two backing kinds, approval checking of
# one candidate and of several); the only invalid kind is the explicit one.
VALID_KIND = st.sampled_from(
    (
        ValidExplicit(),
        BackingSeconded(ZERO32),
        BackingValid(ZERO32),
        ApprovalChecking(),
        ApprovalCheckingMultipleCandidates((h32(1), h32(2))),
    )
)


@st.composite
def dispute_inputs(draw: Any) -> tuple[Any, ...]:
    """(recent, onchain, votes, now, cap) for select_disputes: every status, every vote kind,
    disputes with and without on-chain state and votes, concluded long ago or lately."""
    keys = draw(
        st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5).map(h32)), unique=True, max_size=8)
    )
    recent, onchain, votes = {}, {}, {}
    for k in keys:
        recent[k] = draw(STATUS)
        if draw(st.booleans()):
            onchain[k] = DisputeState(
                BitVec(draw(st.integers(0, 2**N - 1)), N),
                BitVec(draw(st.integers(0, 2**N - 1)), N),
                0,
            )
        if draw(st.integers(0, 4)):
            valid = {
                v: (draw(VALID_KIND), bytes([v]) * 64) for v in draw(st.sets(st.integers(0, N - 1)))
            }
            invalid = {
                v: (InvalidExplicit(), bytes([v + 100]) * 64)
                for v in draw(st.sets(st.integers(0, N)))
            }
            votes[k] = CandidateVotes(CandidateReceipt(descriptor(1), ZERO32), valid, invalid)
    return recent, onchain, votes, draw(st.integers(0, 1400)), draw(st.integers(0, 40))
