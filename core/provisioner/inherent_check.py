# Checking an inherent as the runtime would: every way the chain would refuse or trim the
# bitfields, backed candidates and disputes of a `ParaInherent.enter`, reported as data (one
# `InherentProblem` per finding, in the order bitfields, candidates, disputes). What belongs
# here: the catalogue of checks (docs/provisioner.md lists it) and nothing that decides what to
# include. Checks that need keys, cores or groups run only when those are given.
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..records.backed import BackedCandidate
from ..records.cores import AnyCoreState, GroupRotationInfo, OccupiedCore
from ..records.disputes import DisputeStatementSet
from ..records.inherent import ParachainsInherentData, ProvisionerInherentData
from ..records.signing import bitfield_signing_payload, compact_statement_payload, verify_signature
from ..records.statements import Implicit, SignedAvailabilityBitfield, SigningContext
from ..thresholds import backing_threshold
from .candidate_selection import validation_data_keys

__all__ = [
    "BACKING_SIGNATURE",
    "BACKING_THRESHOLD",
    "BITFIELDS_UNSORTED",
    "BITFIELD_DUPLICATE",
    "BITFIELD_LENGTH",
    "BITFIELD_SIGNATURE",
    "BITFIELD_UNOCCUPIED_CORE",
    "BITFIELD_UNKNOWN_VALIDATOR",
    "CANDIDATES_CORE_ORDER",
    "CANDIDATE_NO_CORE",
    "CANDIDATE_PARA_DUPLICATE",
    "CODE_UPGRADE_EXTRA",
    "DISPUTES_UNSORTED",
    "DISPUTE_DUPLICATE",
    "InherentProblem",
    "VALIDATOR_INDICES_GROUP",
    "check_inherent",
]

BITFIELDS_UNSORTED = "bitfields-unsorted"
BITFIELD_DUPLICATE = "bitfield-duplicate"
BITFIELD_LENGTH = "bitfield-length"
BITFIELD_UNOCCUPIED_CORE = "bitfield-unoccupied-core"
BITFIELD_UNKNOWN_VALIDATOR = "bitfield-unknown-validator"
BITFIELD_SIGNATURE = "bitfield-signature"
CANDIDATE_NO_CORE = "candidate-no-core"
CANDIDATES_CORE_ORDER = "candidates-core-order"
CANDIDATE_PARA_DUPLICATE = "candidate-para-duplicate"
CODE_UPGRADE_EXTRA = "code-upgrade-extra"
VALIDATOR_INDICES_GROUP = "validator-indices-group"
BACKING_SIGNATURE = "backing-signature"
BACKING_THRESHOLD = "backing-threshold"
DISPUTES_UNSORTED = "disputes-unsorted"
DISPUTE_DUPLICATE = "dispute-duplicate"

# `verify_signature`'s shape: (message, signature, public key) -> whether it verifies.
SignatureCheck = Callable[[bytes, bytes, bytes], bool]


@dataclass(frozen=True, slots=True)
class InherentProblem:
    """One reason the runtime would refuse or trim an inherent: the rule broken, the position of
    the offending item in its list (bitfields, backed candidates or disputes), and a detail."""

    rule: str
    index: int
    detail: str


def check_inherent(
    data: ProvisionerInherentData | ParachainsInherentData,
    *,
    cores: Sequence[AnyCoreState] | None = None,
    validators: Sequence[bytes] | None = None,
    signing_context: SigningContext | None = None,
    groups: Sequence[Sequence[int]] | None = None,
    group_rotation: GroupRotationInfo | None = None,
    minimum_backing_votes: int | None = None,
    verify: SignatureCheck = verify_signature,
) -> tuple[InherentProblem, ...]:
    """Every way the runtime would refuse or trim `data`, as data (polkadot@c4ee9d46:
    primitives/src/v1/mod.rs `check_candidate_backing`, v1/signed.rs bitfields; the
    provisioner's `select_availability_bitfields`, `select_candidates`, `select_disputes`).
    Without arguments only the checks that need nothing else run: bitfields sorted and
    unique by validator, all of one length; one candidate per para, at most one code upgrade;
    disputes sorted and unique by `(session, candidate_hash)`. `cores` adds the length, the
    bits-on-unoccupied-cores and the candidate core-order checks; `validators` (public keys by
    validator index) with `signing_context` adds bitfield signatures; with `groups` (validator
    indices per backing group, mapped to cores by `group_rotation`, identity if None) also the
    backing checks: `validator_indices` matching the group, signatures, and the threshold
    (`backing_threshold` with `minimum_backing_votes`). Every signature is checked with
    `verify` (`verify_signature` unless a caller passes one that also counts the checks).
    """
    problems: list[InherentProblem] = []
    _check_bitfields(data.bitfields, cores, validators, signing_context, verify, problems)
    _check_candidates(
        data.backed_candidates,
        cores,
        validators,
        signing_context,
        groups,
        group_rotation,
        minimum_backing_votes,
        verify,
        problems,
    )
    _check_disputes(data.disputes, problems)
    return tuple(problems)


def _check_bitfields(
    bitfields: Sequence[SignedAvailabilityBitfield],
    cores: Sequence[AnyCoreState] | None,
    validators: Sequence[bytes] | None,
    ctx: SigningContext | None,
    verify: SignatureCheck,
    out: list[InherentProblem],
) -> None:
    expected_len = len(cores) if cores is not None else None
    unoccupied = 0
    if cores is not None:
        for i, core in enumerate(cores):
            if not isinstance(core, OccupiedCore):
                unoccupied |= 1 << i
    last = -1
    for i, bf in enumerate(bitfields):
        v = bf.validator_index
        if v < last:
            out.append(InherentProblem(BITFIELDS_UNSORTED, i, f"validator {v} after {last}"))
        elif v == last:
            out.append(InherentProblem(BITFIELD_DUPLICATE, i, f"second bitfield of validator {v}"))
        last = max(last, v)
        n = len(bf.payload)
        if expected_len is None:
            expected_len = n  # without cores, the first bitfield sets the length all must share
        if n != expected_len:
            out.append(InherentProblem(BITFIELD_LENGTH, i, f"{n} bits, expected {expected_len}"))
        elif bf.payload.as_int() & unoccupied:
            cores_hit = [c for c in bf.payload.iter_ones() if unoccupied >> c & 1]
            out.append(InherentProblem(BITFIELD_UNOCCUPIED_CORE, i, f"bits on cores {cores_hit}"))
        if validators is not None and ctx is not None:
            if v >= len(validators):
                detail = f"validator {v} of {len(validators)}"
                out.append(InherentProblem(BITFIELD_UNKNOWN_VALIDATOR, i, detail))
            elif not verify(
                bitfield_signing_payload(bf.payload, ctx), bf.signature, validators[v]
            ):
                out.append(InherentProblem(BITFIELD_SIGNATURE, i, f"validator {v}"))


def _para_cores(cores: Sequence[AnyCoreState]) -> dict[int, list[int]]:
    # The cores a para may be backed on: scheduled for it, or occupied with it next up (either
    # way the runtime frees the core during this block before backing new candidates).
    out: dict[int, list[int]] = {}
    for i, core in enumerate(cores):
        for p in sorted({para for para, _ in validation_data_keys((core,))}):
            out.setdefault(p, []).append(i)
    return out


def _check_candidates(
    candidates: Sequence[BackedCandidate],
    cores: Sequence[AnyCoreState] | None,
    validators: Sequence[bytes] | None,
    ctx: SigningContext | None,
    groups: Sequence[Sequence[int]] | None,
    rotation: GroupRotationInfo | None,
    minimum_backing_votes: int | None,
    verify: SignatureCheck,
    out: list[InherentProblem],
) -> None:
    seen_paras: set[int] = set()
    code_seen = False
    para_cores = _para_cores(cores) if cores is not None else {}
    used_cores: set[int] = set()
    last_core = -1
    for i, cand in enumerate(candidates):
        para = cand.candidate.descriptor.para_id
        if para in seen_paras:
            detail = f"second candidate of para {para}"
            out.append(InherentProblem(CANDIDATE_PARA_DUPLICATE, i, detail))
        seen_paras.add(para)
        if cand.candidate.commitments.new_validation_code is not None:
            if code_seen:
                detail = f"para {para} also upgrades code"
                out.append(InherentProblem(CODE_UPGRADE_EXTRA, i, detail))
            code_seen = True
        if cores is None:
            continue
        core = _core_of(cand, para_cores.get(para, []), used_cores, len(cores), groups, rotation)
        if core is None:
            out.append(InherentProblem(CANDIDATE_NO_CORE, i, f"no free core for para {para}"))
            continue
        used_cores.add(core)
        if core <= last_core:
            out.append(InherentProblem(CANDIDATES_CORE_ORDER, i, f"core {core} after {last_core}"))
        last_core = max(last_core, core)
        if groups is not None:
            gi = rotation.group_for_core(core, len(cores)) if rotation is not None else core
            group = tuple(groups[gi]) if gi < len(groups) else ()
            _check_backing(i, cand, group, validators, ctx, minimum_backing_votes, verify, out)


def _core_of(
    cand: BackedCandidate,
    options: list[int],
    used: set[int],
    n_cores: int,
    groups: Sequence[Sequence[int]] | None,
    rotation: GroupRotationInfo | None,
) -> int | None:
    # With groups known, a `validator_indices` 8 bits longer than the group carries the core
    # index (elastic scaling; `validator_indices_and_core_index` of polkadot-sdk@008dd419
    # polkadot/primitives/src/v9/mod.rs): the runtime takes that core. Otherwise the para's
    # first core not yet taken by an earlier candidate.
    if groups is not None:
        for c in options:
            gi = rotation.group_for_core(c, n_cores) if rotation is not None else c
            size = len(groups[gi]) if gi < len(groups) else 0
            _, injected = cand.validator_indices_and_core_index(size)
            if injected is not None and injected == c and c not in used:
                return c
    for c in options:
        if c not in used:
            return c
    return None


def _check_backing(
    i: int,
    cand: BackedCandidate,
    group: tuple[int, ...],
    validators: Sequence[bytes] | None,
    ctx: SigningContext | None,
    minimum_backing_votes: int | None,
    verify: SignatureCheck,
    out: list[InherentProblem],
) -> None:
    bits, _ = cand.validator_indices_and_core_index(len(group))
    votes = cand.validity_votes
    if len(bits) != len(group) or bits.count_ones() != len(votes):
        out.append(
            InherentProblem(
                VALIDATOR_INDICES_GROUP,
                i,
                f"{len(bits)} bits with {bits.count_ones()} set for a group of {len(group)}"
                f" and {len(votes)} votes",
            )
        )
        return
    need = backing_threshold(len(group), minimum_backing_votes)
    if len(votes) < need:
        out.append(InherentProblem(BACKING_THRESHOLD, i, f"{len(votes)} votes, {need} needed"))
    if validators is None or ctx is None:
        return
    h = cand.hash()
    # Backing statements are signed in the candidate's own relay-parent context
    # (the backing job's `SigningContext`, polkadot@c4ee9d46 primitives/src/v0.rs).
    backing_ctx = SigningContext(ctx.session_index, cand.candidate.descriptor.relay_parent)
    for pos, vote in zip(bits.iter_ones(), votes, strict=True):
        v = group[pos]
        kind = 1 if isinstance(vote, Implicit) else 2
        key = validators[v] if v < len(validators) else b""
        payload = compact_statement_payload(kind, h, backing_ctx)
        if not verify(payload, vote.signature, key):
            detail = f"vote of validator {v} (position {pos})"
            out.append(InherentProblem(BACKING_SIGNATURE, i, detail))


def _check_disputes(disputes: Sequence[DisputeStatementSet], out: list[InherentProblem]) -> None:
    last: tuple[int, bytes] | None = None
    for i, d in enumerate(disputes):
        key = (d.session, d.candidate_hash)
        if last is not None and key < last:
            out.append(InherentProblem(DISPUTES_UNSORTED, i, f"session {d.session} out of order"))
        elif key == last:
            out.append(InherentProblem(DISPUTE_DUPLICATE, i, f"session {d.session} repeated"))
        if last is None or key > last:
            last = key
