# Vector family `inherent_check`: every rule a parachains inherent breaks, by name and position,
# as core/provisioner/inherent_check.py's `check_inherent` finds them against the chain context
# it is given (cores, validators' keys with the signing context, backing groups with their
# rotation, the minimum backing votes): bitfields sorted, unique, of the cores' length, on
# occupied cores and signed; one candidate per para, at most one code upgrade, each on a free
# core in core order, backed by its group with verifying votes above the threshold; disputes
# sorted and unique (polkadot@c4ee9d46 primitives/src/v1/mod.rs `check_candidate_backing`,
# node/core/provisioner/src/lib.rs). This module only translates JSON to records and back.
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import cast

import sr25519

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    CoreState,
    DisputeStatementSet,
    Explicit,
    FreeCore,
    GroupRotationInfo,
    Header,
    Implicit,
    OccupiedCore,
    ParachainsInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    SigningContext,
    bitfield_signing_payload,
    blake2_256,
    check_inherent,
    encode,
    split_injected_core_index,
)
from backable.core.records.cores import AnyCoreState
from backable.core.records.signing import compact_statement_payload
from backable.core.records.statements import AnyValidityAttestation

from ..build import cases_in_order, make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import hex_of, list_field, record_field, records_field
from ._json import int_list_field, opt_int_field

__all__ = [
    "CONTEXT",
    "FAMILY",
    "KEPT_SIGNATURES",
    "PUBLIC",
    "boundary_cases",
    "inherent_input",
    "kept_signature",
    "signature_key",
    "signatures_to_record",
]


def _nullable(data: Mapping[str, Json], name: str) -> bool:
    if name not in data:
        raise VectorInputError(f"input.{name}: missing")
    return data[name] is None


def _validators(data: Mapping[str, Json]) -> list[bytes] | None:
    if _nullable(data, "validators"):
        return None
    keys = []
    for i, item in enumerate(list_field(data, "validators")):
        if not isinstance(item, str) or not item.startswith("0x") or len(item) != 66:
            raise VectorInputError(f"input.validators[{i}]: expected 32 bytes of hex, got {item!r}")
        try:
            keys.append(bytes.fromhex(item[2:]))
        except ValueError:
            raise VectorInputError(f"input.validators[{i}]: not hex: {item!r}") from None
    return keys


def _groups(data: Mapping[str, Json]) -> list[list[int]] | None:
    if _nullable(data, "groups"):
        return None
    return [
        int_list_field({f"groups[{i}]": item}, f"groups[{i}]")
        for i, item in enumerate(list_field(data, "groups"))
    ]


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    inherent = record_field(data, "inherent", ParachainsInherentData)
    cores: list[AnyCoreState] | None = None
    if not _nullable(data, "cores"):
        cores = cast(list[AnyCoreState], records_field(data, "cores", CoreState))
    context = (
        None
        if _nullable(data, "signing_context")
        else record_field(data, "signing_context", SigningContext)
    )
    rotation = (
        None
        if _nullable(data, "group_rotation")
        else record_field(data, "group_rotation", GroupRotationInfo)
    )
    problems = check_inherent(
        inherent,
        cores=cores,
        validators=_validators(data),
        signing_context=context,
        groups=_groups(data),
        group_rotation=rotation,
        minimum_backing_votes=opt_int_field(data, "minimum_backing_votes", minimum=1),
    )
    found: list[Json] = [{"rule": p.rule, "index": p.index} for p in problems]
    return {"problems": found}


# -- cases -------------------------------------------------------------------------------------

_PARENT = Header(b"\x00" * 32, 41, b"\x0a" * 32, b"\x0b" * 32, ())


def inherent_input(
    bitfields: Sequence[SignedAvailabilityBitfield] = (),
    candidates: Sequence[BackedCandidate] = (),
    disputes: Sequence[DisputeStatementSet] = (),
    *,
    parent: Header = _PARENT,
    cores: Sequence[AnyCoreState] | None = None,
    validators: Sequence[bytes] | None = None,
    signing_context: SigningContext | None = None,
    groups: Sequence[tuple[int, ...]] | None = None,
    group_rotation: GroupRotationInfo | None = None,
    minimum_backing_votes: int | None = None,
) -> dict[str, Json]:
    inherent = ParachainsInherentData(tuple(bitfields), tuple(candidates), tuple(disputes), parent)
    return {
        "inherent": hex_of(encode(inherent)),
        "cores": None if cores is None else [hex_of(encode(c, CoreState)) for c in cores],
        "validators": None if validators is None else [hex_of(k) for k in validators],
        "signing_context": None if signing_context is None else hex_of(encode(signing_context)),
        "groups": None if groups is None else [list(g) for g in groups],
        "group_rotation": None if group_rotation is None else hex_of(encode(group_rotation)),
        "minimum_backing_votes": minimum_backing_votes,
    }


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


_ZERO = bytes(32)
_SIG = b"\x5a" * 64
# Six validators with keys from fixed seeds; the signing context of the block under production.
_PAIRS = [sr25519.pair_from_seed(bytes([i]) * 32) for i in range(6)]
PUBLIC = [public for public, _ in _PAIRS]
CONTEXT = SigningContext(7, (42).to_bytes(32, "big"))

# sr25519 signatures are randomised, so the signatures the boundary cases need were made once
# (`signatures_to_record`, run as a script) and are kept here, keyed by the signer and the first
# 8 bytes of the payload's BLAKE2b-256 hash.
KEPT_SIGNATURES: dict[tuple[int, str], str] = {
    (0, "49910972755d7b74"): (
        "c8ef6a35da2c0ecdce16630625b733eaf6cfc9185888d348141c664defea2b23"
        "29031395e997b15af046a092b2652910d5cef9fbdd8abb57d1d0f82419aa378a"
    ),
    (0, "57f0cb1f865cf44b"): (
        "0ee00d8c2f5ebbe11795e9ba56aba3972e2a4a214c12e9f4a961a18b18209e48"
        "948a368296b3624c3e90a7163b73b1c0120b363ec977696c86ee1e86b5333a80"
    ),
    (0, "7b02dde4a06bf41a"): (
        "8a05961a8cc6557153038b6aab1107011a686d87bca62ba5500a346067799861"
        "c4b0b1e964869ac11b1a87547626a540485483450bed83849affbedef24ba583"
    ),
    (0, "8270034512fa973a"): (
        "3cd9a0ebe4c7711ee85bc6c8e4c196e01f3bb9e6d1d8ecd5375a1c11b78a923a"
        "1aac36346092beda2257231520fa31cfd3c1a6072a38753acfef4148e9dc4783"
    ),
    (0, "a82062d4323b4035"): (
        "82d4e243a8aa0efdf756f8c1d5c7259274c43cba160376b0fb32a7f10f8fda27"
        "0f7c2bea90061f0a7b07c12c557b34827ebf3ae423f916dee120d857f29a8582"
    ),
    (1, "8270034512fa973a"): (
        "38ca37ee735ee12828a933b6835ce46101238e4aacfd134a20ae23fa66273445"
        "ea2d60b71e8187e1ca4b22f6b2efb349829a169180528d8f2d23c730c0367d8e"
    ),
    (1, "98574c7cde6d983f"): (
        "3e0127ba7e022d558a03c34ace28007181794eb197fc1ebac7af8c798949e568"
        "fe52818f0f34f5bed4880ffcfb0c4324c416eace113dc854d78f11c1b96e1f8f"
    ),
    (1, "a03feb03cccd102e"): (
        "18f6dbde79a11107c3f78236772f1cf8d73ab6615c728268651df5d0b1dd9e3b"
        "01c30e89a6cc5264c1f4f2fa845bc23eda468f9f6c751ecb7375277eba660c85"
    ),
    (2, "98574c7cde6d983f"): (
        "84f52b3c84bcd2e7d9784311300af9e0cbb2fc53721f0b89b78cb30ab2d4463f"
        "88b2c94a42fe7271dae6c1239c03d08f0c4243d1a21dee6046963dd5935cff80"
    ),
    (2, "a03feb03cccd102e"): (
        "ea9848e464dc5469e1c78a31cb85364327a2cc0cb681adce3f5f084d777e3371"
        "567cf865b28a564c7ec5e379b1b44e78ad550d64015939eaf45fa3ee4a4c9584"
    ),
    (3, "7b02dde4a06bf41a"): (
        "64172c752bf7838241202ebc63ee120204d4cc4615a61ae7c83087b9e922c41f"
        "0d52cbc48625afdeb99690ee9f1fd1807ea21e4130a54de006e8b12ab32b9488"
    ),
    (3, "7bad575b354d2402"): (
        "b80517ba52d1149e3dfedfc7108f8a008da26e740e066f29313e2fb61a5f8002"
        "3bf895651c042d14c05f166c654ee1c255e9fd96be04f5858a7e8290dffec78a"
    ),
    (3, "8270034512fa973a"): (
        "32d09cc4278e4e20590e926749ae0c6dfb9a1aa16bcf4be0cfc93b8451ae2063"
        "4c0846358c65cc5e70102eaebb73df046465d0ed25eaa39ccf9861e9ab85b080"
    ),
    (4, "7b02dde4a06bf41a"): (
        "005eab05baf830fe6a1ca0b9fbc3c5c3502f06a213037e65545c7f1c8dfebc28"
        "46beeca6bb524d7449a0327d0b82bf024962d4ad1adef6515fd9a046c9c19f8a"
    ),
    (4, "a03feb03cccd102e"): (
        "609c763d9c708f2896fcf6969232eb7788a086dc5701a43b82656f64a6e3ab2e"
        "30917816774b9b07263842e79b97f911fc00ed7a64f3cb51b39221a3232c588a"
    ),
    (5, "429c2811b9232103"): (
        "8874778a629be35ec5ba592f713cd16b970cd425b8cb96df0c865d1f6a247410"
        "b96b34f5b569cb99fa461182da60491c0886d9c87c80e562b9d2026c057df083"
    ),
    (5, "57f0cb1f865cf44b"): (
        "e441cb9bcc39e21b28b91ec4058e3366682c11b8ffd983a0e5dd775c4b6ba72f"
        "0c49e2f096394c4f3634b48888f21c435ef5c3e5ec2ed980ca4f60e5d0fce788"
    ),
    (5, "a03feb03cccd102e"): (
        "befa5868279c119f0d32f2c08c0e07ea759427004d1c0959a403a7e361da8f77"
        "ab0fb0fddc0b51335105bb77bb9614296ab7ef10cd16cd86d808081f7871578c"
    ),
}


Signer = Callable[[int, bytes], bytes]


def signature_key(validator: int, payload: bytes) -> tuple[int, str]:
    return (validator, blake2_256(payload)[:8].hex())


def kept_signature(validator: int, payload: bytes) -> bytes:
    found = KEPT_SIGNATURES.get(signature_key(validator, payload))
    if found is None:
        raise KeyError(
            f"no kept signature of validator {validator} over 0x{payload.hex()}: run"
            " `python -m backable.shell.vectors.families.inherent_check` and keep its output"
        )
    return bytes.fromhex(found)


def _descriptor(para: int, salt: int) -> CandidateDescriptor:
    return CandidateDescriptor(para, _ZERO, _ZERO, _ZERO, salt.to_bytes(32, "big"), _ZERO,
                               _SIG, _ZERO, _ZERO)


def _candidate(
    para: int, *, code: bytes | None = None, salt: int = 0
) -> CommittedCandidateReceipt:
    head = salt.to_bytes(4, "little")
    commitments = CandidateCommitments(new_validation_code=code, head_data=head)
    return CommittedCandidateReceipt(_descriptor(para, salt), commitments)


def _unsigned(
    para: int, votes: int = 1, *, code: bytes | None = None, salt: int = 0,
    core: int | None = None,
) -> BackedCandidate:
    # Votes with a made-up signature, for cases that check no signature; `core` appends the
    # 8 core-index bits.
    bits = BitVec.ones(votes)
    if core is not None:
        bits = bits.concat(BitVec(core, 8))
    return BackedCandidate(_candidate(para, code=code, salt=salt), (Explicit(_SIG),) * votes, bits)


def _bitfield(bits: str, validator: int, salt: int = 0) -> SignedAvailabilityBitfield:
    return SignedAvailabilityBitfield(BitVec.from_str(bits), validator, bytes([salt]) * 64)


def _occupied(next_up: int | None = None) -> OccupiedCore:
    return OccupiedCore(
        None if next_up is None else ScheduledCore(next_up), 0, 0, None, BitVec.zeros(6), 0,
        _ZERO, _descriptor(0, 0),
    )


def _signed_bitfield(sign: Signer, bits: str, validator: int) -> SignedAvailabilityBitfield:
    payload = BitVec.from_str(bits)
    return SignedAvailabilityBitfield(
        payload, validator, sign(validator, bitfield_signing_payload(payload, CONTEXT))
    )


def _signed_backed(
    sign: Signer, para: int, group: tuple[int, ...], positions: str, *, core: int | None = None,
    salt: int = 0,
) -> BackedCandidate:
    # Votes by the group members at the set positions, the first an Implicit (the seconder's),
    # signed in the candidate's relay-parent context as backing statements are.
    receipt = _candidate(para, salt=salt)
    h = receipt.hash()
    ctx = SigningContext(CONTEXT.session_index, receipt.descriptor.relay_parent)
    bits = BitVec.from_str(positions)
    votes: list[AnyValidityAttestation] = []
    for n, pos in enumerate(bits.iter_ones()):
        kind = 1 if n == 0 else 2
        signature = sign(group[pos], compact_statement_payload(kind, h, ctx))
        votes.append(Implicit(signature) if kind == 1 else Explicit(signature))
    if core is not None:
        bits = bits.concat(BitVec(core, 8))
    return BackedCandidate(receipt, tuple(votes), bits)


def _disputes(*keys: tuple[int, int]) -> list[DisputeStatementSet]:
    return [DisputeStatementSet(h.to_bytes(32, "big"), session, ()) for h, session in keys]


def boundary_cases(sign: Signer = kept_signature) -> list[Case]:
    s = sign
    occ = _occupied()
    signed_groups = [(4, 5), (0, 1, 2), (3, 4, 5)]
    forged = SignedAvailabilityBitfield(BitVec.from_str("1"), 1,
                                        _signed_bitfield(s, "1", 0).signature)
    good = _signed_backed(s, 1, (0, 1, 2), "011")
    swapped = BackedCandidate(good.candidate, good.validity_votes[::-1], good.validator_indices)
    four_cores = [ScheduledCore(1), ScheduledCore(2), ScheduledCore(3), ScheduledCore(4)]
    four_groups = [(0, 1, 2), (3, 4, 5), (0, 1), (2, 3, 4)]
    items: list[tuple[str, str, Profile, dict[str, Json]]] = [
        ("empty-inherent", "nothing in the inherent, no context: nothing broken", "seeds",
         inherent_input()),
        ("clean-with-every-check", "signed bitfields and candidates, cores, keys and groups: "
         "nothing broken", "seeds",
         inherent_input([_signed_bitfield(s, "100", 0), _signed_bitfield(s, "000", 3)],
                        [_signed_backed(s, 1, (0, 1, 2), "110"),
                         _signed_backed(s, 2, (3, 4, 5), "011")],
                        cores=[occ, ScheduledCore(1), ScheduledCore(2)], groups=signed_groups,
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("bitfields-unsorted-and-duplicate",
         "validators 2, 1, 2, 2: one out of order, two repeats", "seeds",
         inherent_input([_bitfield("1", 2), _bitfield("1", 1), _bitfield("0", 2),
                         _bitfield("0", 2)])),
        ("bitfield-length-without-cores", "without cores the first bitfield's length rules",
         "seeds", inherent_input([_bitfield("10", 0), _bitfield("101", 1), _bitfield("1", 2)])),
        ("bitfield-length-and-unoccupied-core",
         "with cores: one bit per core, and bits only on occupied cores", "seeds",
         inherent_input([_bitfield("1000", 0), _bitfield("111", 1), _bitfield("100", 2)],
                        cores=[occ, FreeCore(), ScheduledCore(4)])),
        ("bitfield-signature-and-unknown-validator",
         "a signature by another key, and a signer past the validator set", "seeds",
         inherent_input([_signed_bitfield(s, "1", 0), forged, _bitfield("1", 9)],
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("bitfield-signer-equal-to-the-validator-count",
         "validator 6 of 6 is unknown (indices run 0..5)", "seeds",
         inherent_input([_signed_bitfield(s, "1", 5), _bitfield("1", 6)],
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("keys-without-context-check-no-signature",
         "validators' keys but no signing context: signatures are not checked", "seeds",
         inherent_input([forged, _bitfield("1", 9)], validators=PUBLIC)),
        ("para-twice-and-second-code-upgrade",
         "two candidates of para 1, and two code upgrades", "seeds",
         inherent_input(candidates=[_unsigned(1, code=b"a"), _unsigned(2, code=b"b"),
                                    _unsigned(1, salt=1)])),
        ("candidates-out-of-core-order-and-without-core",
         "para 2 on core 0 after para 1 on core 1; para 3 has no core", "seeds",
         inherent_input(candidates=[_unsigned(1), _unsigned(2), _unsigned(3)],
                        cores=[ScheduledCore(2), ScheduledCore(1)])),
        ("occupied-core-with-next-up-is-a-core",
         "a core occupied now with the para next up counts as the para's", "seeds",
         inherent_input(candidates=[_unsigned(5)], cores=[_occupied(5)])),
        ("backing-votes-checked-against-the-group",
         "swapped votes, one vote of three, three bits for two, a bit without a vote", "seeds",
         inherent_input(candidates=[
             BackedCandidate(swapped.candidate, swapped.validity_votes,
                             swapped.validator_indices),
             _signed_backed(s, 2, four_groups[1], "100"),
             _signed_backed(s, 3, (0, 1, 2), "111"),
             BackedCandidate(_candidate(4), (), BitVec.from_str("100")),
         ], cores=four_cores, groups=four_groups, validators=PUBLIC, signing_context=CONTEXT)),
        ("threshold-seeds-majority",
         "one vote of a group of three is below the seeds' majority (2)", "seeds",
         inherent_input(candidates=[_signed_backed(s, 1, (0, 1, 2), "100")],
                        cores=[ScheduledCore(1)], groups=[(0, 1, 2)])),
        ("threshold-minimum-backing-votes",
         "minimum_backing_votes 1: one vote of three suffices", "network",
         inherent_input(candidates=[_signed_backed(s, 1, (0, 1, 2), "100")],
                        cores=[ScheduledCore(1)], groups=[(0, 1, 2)], minimum_backing_votes=1)),
        ("injected-core-chooses-the-core",
         "para 1 on cores 0 and 1; the 8 extra bits name core 1, then a second para-1 candidate "
         "names core 0: out of order", "network",
         inherent_input(candidates=[_unsigned(1, 2, core=1), _unsigned(1, 2, salt=5, core=0)],
                        cores=[ScheduledCore(1), ScheduledCore(1)], groups=[(0, 1), (2, 3)],
                        group_rotation=GroupRotationInfo(0, 10, 10))),
        ("injected-core-not-the-groups-size",
         "the 8 extra bits name core 0, whose group has three members: not taken as a core "
         "index, so the bits do not fit the group", "network",
         inherent_input(candidates=[_unsigned(1, 2, core=0)],
                        cores=[ScheduledCore(1), ScheduledCore(1)], groups=[(0, 1, 2), (3, 4)])),
        ("rotation-picks-the-group", "one rotation: core 0 is backed by group 1", "seeds",
         inherent_input(candidates=[_signed_backed(s, 1, (3, 4), "11")],
                        cores=[ScheduledCore(1), ScheduledCore(2)], groups=[(0, 1, 2), (3, 4)],
                        group_rotation=GroupRotationInfo(0, 10, 10),
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("rotation-not-yet", "now 9 of a 10-block rotation: core 0 is still group 0's", "seeds",
         inherent_input(candidates=[_signed_backed(s, 1, (3, 4), "11")],
                        cores=[ScheduledCore(1), ScheduledCore(2)], groups=[(0, 1, 2), (3, 4)],
                        group_rotation=GroupRotationInfo(0, 10, 9),
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("group-member-past-the-validator-set",
         "a group naming validator 6 of 6: its vote cannot verify", "seeds",
         inherent_input(candidates=[_signed_backed(s, 1, (0, 5), "11")],
                        cores=[ScheduledCore(1)], groups=[(0, 6)],
                        validators=PUBLIC, signing_context=CONTEXT)),
        ("core-beyond-the-groups-has-an-empty-group",
         "three cores, two groups: the candidate on core 2 has no group", "seeds",
         inherent_input(candidates=[_unsigned(1, 2)],
                        cores=[ScheduledCore(7), ScheduledCore(8), ScheduledCore(1)],
                        groups=[(2, 3), (4, 5)])),
        ("no-core-does-not-stop-the-next-check",
         "the first candidate has no core, the second is still checked (short of votes)",
         "seeds",
         inherent_input(candidates=[_unsigned(9, 3), _signed_backed(s, 2, (0, 1, 2), "100")],
                        cores=[ScheduledCore(2)], groups=[(0, 1, 2)])),
        ("disputes-unsorted-and-duplicate", "disputes must ascend by (session, candidate hash)",
         "seeds", inherent_input(disputes=_disputes((2, 1), (1, 1), (2, 1), (1, 2)))),
    ]
    return [
        _case(name, description, "boundary", profile, data)
        for name, description, profile, data in items
    ]


def signatures_to_record() -> dict[tuple[int, str], str]:
    """Every signature the boundary cases need, made now with the validators' keys: what
    `KEPT_SIGNATURES` keeps. Run once when the boundary cases change."""
    made: dict[tuple[int, str], str] = {}

    def sign(validator: int, payload: bytes) -> bytes:
        key = signature_key(validator, payload)
        if key not in made:
            made[key] = bytes(sr25519.sign(_PAIRS[validator], payload)).hex()
        return bytes.fromhex(made[key])

    boundary_cases(sign)
    return made


def _generated_cases() -> list[Case]:
    from .. import record_strategies as rs
    from ..record_strategies import st

    @st.composite
    def world(draw: st.DrawFn) -> dict[str, Json]:
        # Up to 4 cores, 6 validators, 4 paras; lengths, orders and votes often off by one.
        n_cores = draw(st.integers(1, 4))
        bitfields = []
        for _ in range(draw(st.integers(0, 4))):
            n = draw(st.sampled_from((n_cores, n_cores, n_cores + 1)))
            text = "".join(draw(st.sampled_from("01")) for _ in range(n))
            bitfields.append(_bitfield(text, draw(st.integers(0, 6)), draw(st.integers(0, 1))))
        candidates = []
        for _ in range(draw(st.integers(0, 3))):
            receipt = _candidate(draw(st.integers(1, 4)), code=draw(st.none() | st.just(b"\x01")),
                                 salt=draw(st.integers(0, 3)))
            votes = (Explicit(_SIG),) * draw(st.integers(0, 3))
            n = draw(st.integers(0, 3))
            bits = BitVec(draw(st.integers(0, (1 << n) - 1)), n)
            candidates.append(BackedCandidate(receipt, votes, bits))
        sets = draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=3))
        cores: list[AnyCoreState] | None = None
        groups: list[tuple[int, ...]] | None = None
        if draw(st.booleans()):
            cores = []
            for _ in range(n_cores):
                kind = draw(st.sampled_from(("free", "scheduled", "occupied", "next-up")))
                para = draw(st.integers(1, 4))
                cores.append(
                    FreeCore() if kind == "free"
                    else ScheduledCore(para) if kind == "scheduled"
                    else _occupied(para if kind == "next-up" else None)
                )
            if draw(st.booleans()):
                members = st.lists(st.integers(0, 5), min_size=1, max_size=3, unique=True)
                groups = [tuple(draw(members)) for _ in range(n_cores)]
        return inherent_input(
            bitfields, candidates, _disputes(*sets), cores=cores, groups=groups,
            group_rotation=draw(st.none() | rs.rotation_infos()) if groups else None,
            minimum_backing_votes=draw(st.none() | st.integers(1, 3)),
        )

    return [
        _case(f"generated-{i:03d}", "a seeded small inherent with or without cores and groups",
              "generated", "seeds", data)
        for i, data in enumerate(drawn(lambda _: world(), 60, 16_601))
    ]


def _chain_cases(chain_data: Path) -> list[Case]:
    from ..chain import real_blocks

    cases: list[Case] = []
    for block in real_blocks(chain_data):
        inherent = block.inherent
        raw = hex_of(encode(inherent))
        where = f"block {block.number} ({block.chain})"
        none: dict[str, Json] = {
            "inherent": raw, "cores": None, "validators": None, "signing_context": None,
            "groups": None, "group_rotation": None, "minimum_backing_votes": None,
        }
        cases.append(_case(f"chain-{block.number}-alone",
                           f"{where}: the chain's own inherent, no context", "chain", "seeds",
                           none))
        backed = inherent.backed_candidates
        injected = [split_injected_core_index(b.validator_indices) for b in backed]
        if not all(core is not None for _, core in injected):
            continue
        # The context the block itself implies: every core occupied (the bitfields' length),
        # each candidate's para next up on the core its 8 extra bits name, that core's group as
        # large as its group bits (members made up: no keys, so no signature checks), and the
        # networks' minimum of 2 backing votes.
        by_core = {
            core: b.candidate.descriptor.para_id
            for (_, core), b in zip(injected, backed, strict=True)
        }
        sizes = {core: len(bits) for bits, core in injected if core is not None}
        n_cores = block.n_cores
        cores: list[Json] = [
            hex_of(encode(_occupied(by_core.get(k)), CoreState)) for k in range(n_cores)
        ]
        groups: list[Json] = [
            list(range(8 * k, 8 * k + sizes.get(k, 5))) for k in range(n_cores)
        ]
        data = {**none, "cores": cores, "groups": groups, "minimum_backing_votes": 2}
        cases.append(_case(f"chain-{block.number}-with-its-cores",
                           f"{where}: every core occupied, each candidate's para next up on its "
                           "injected core, groups as large as its bits", "chain", "seeds", data))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(boundary_cases, _generated_cases, _chain_cases, chain_data)


SCHEMA = """\
Which rules a parachains inherent breaks, as the runtime would refuse or trim it, checked
against the chain context given: the seeds' provisioner rules (implementers' guide,
"Provisioner"; polkadot `check_candidate_backing` in primitives, signed bitfields) with the
network's minimum backing votes and injected core index where the context asks for them.

**Input**

- `inherent` (hex): SCALE `polkadot_primitives::InherentData<Header>` (the `ParaInherent.enter`
  argument: bitfields, backed candidates, disputes, parent header).
- `cores` (list of hex, or null): each a tagged SCALE `polkadot_primitives::CoreState` (0
  Occupied, 1 Scheduled, 2 Free), core 0 first.
- `validators` (list of hex, or null): the validators' sr25519 public keys (32 bytes), by
  validator index.
- `signing_context` (hex or null): SCALE `polkadot_primitives::SigningContext` of the block
  under production.
- `groups` (list of lists of int, or null): the validator indices of each backing group.
- `group_rotation` (hex or null): SCALE `polkadot_primitives::GroupRotationInfo`; null means
  group `k` backs core `k`.
- `minimum_backing_votes` (int >= 1, or null): null is the seeds' majority `n // 2 + 1`, an int
  `k` the network's `min(n, k)`.

**Rule** (each finding in this order: bitfields, then candidates, then disputes)

- Bitfields, in input order: `bitfields-unsorted` (a validator index below the largest before
  it), else `bitfield-duplicate` (equal to it); `bitfield-length` (not one bit per core; without
  cores, not the first bitfield's length), else `bitfield-unoccupied-core` (a bit set on a core
  that is not Occupied; needs cores); with both `validators` and `signing_context`:
  `bitfield-unknown-validator` (index >= number of keys), else `bitfield-signature` (the
  signature does not verify over the bitfield's SCALE bytes followed by the signing context's).
- Candidates, in input order: `candidate-para-duplicate` (a para already seen);
  `code-upgrade-extra` (new validation code after another candidate's). With cores: a para's
  cores are those Scheduled for it and those Occupied with it as `next_up_on_available`; with
  groups given, a candidate whose `validator_indices` are 8 bits longer than the group of one of
  its para's free cores, and whose last 8 bits name that core, takes it; otherwise it takes its
  para's first core not taken by an earlier candidate; none: `candidate-no-core` (and no further
  check of it). `candidates-core-order`: a core not above every core taken before. With groups
  (core `c`'s group is `(c + r) % len(cores)` with `r = max(0, now - session_start_block) //
  group_rotation_frequency`, or `c` when the frequency is 0 or there is no rotation; a group
  index past the list is an empty group): `validator-indices-group` (the
  bits, without the 8 core bits, are not one per group member, or their ones are not as many as
  the votes; no further check), `backing-threshold` (fewer votes than the threshold), and with
  keys and context `backing-signature` for each vote that does not verify (a member without
  a key never verifies): the vote of the member at each set position, in order, an Implicit
  signing the Seconded payload and an
  Explicit the Valid payload (the `signing_payloads` family's), in the context
  `{session of signing_context, the candidate's relay parent}`.
- Disputes: `disputes-unsorted` (a `(session, candidate_hash)` below the largest before it),
  else `dispute-duplicate` (equal to it).

**Output**

- `problems` (list, in the order above): `{"rule": string, "index": int}`, the index the
  position of the offending item in its own list (bitfields, candidates or disputes).

**Profiles**

`seeds` (the provisioner's rules); `network` for cases that check the network's minimum backing
votes or injected core index. Chain: each real block's own inherent without context (it breaks
nothing); for the two blocks whose candidates carry an injected core index, also with the cores
and group sizes the block implies, where the seeds' core-order rule flags the 2024 Polkadot
block's candidates, which the chain took in para order, not core order.
"""

FAMILY = Family(
    name="inherent_check",
    summary="the named rules a parachains inherent breaks against its chain context",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)


if __name__ == "__main__":  # pragma: no cover - run by hand when the boundary cases change
    for (validator, digest), value in sorted(signatures_to_record().items()):
        print(f'    ({validator}, "{digest}"): (')
        print(f'        "{value[:64]}"\n        "{value[64:]}"\n    ),')
