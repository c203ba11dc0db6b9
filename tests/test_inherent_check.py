# Checking an inherent as the runtime would (core/provisioner/inherent_check.py).
from __future__ import annotations

import pytest
import sr25519

from backable.core import (
    BackedCandidate,
    BitVec,
    DisputeStatementSet,
    Explicit,
    FreeCore,
    GroupRotationInfo,
    Implicit,
    InherentProblem,
    ProvisionerInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    SigningContext,
    bitfield_signing_payload,
    check_inherent,
    decode_paras_inherent_extrinsic,
)
from backable.core.provisioner.inherent_check import (
    BACKING_SIGNATURE,
    BACKING_THRESHOLD,
    BITFIELD_DUPLICATE,
    BITFIELD_LENGTH,
    BITFIELD_SIGNATURE,
    BITFIELD_UNKNOWN_VALIDATOR,
    BITFIELD_UNOCCUPIED_CORE,
    BITFIELDS_UNSORTED,
    CANDIDATE_NO_CORE,
    CANDIDATE_PARA_DUPLICATE,
    CANDIDATES_CORE_ORDER,
    CODE_UPGRADE_EXTRA,
    DISPUTE_DUPLICATE,
    DISPUTES_UNSORTED,
    VALIDATOR_INDICES_GROUP,
)
from backable.core.records.signing import compact_statement_payload
from properties.provisioner_strategies import backed, bitfield, h32, occupied
from tests.conftest import REAL_BLOCKS, inherent_bytes

KEYS = [sr25519.pair_from_seed(bytes([i]) * 32) for i in range(6)]
PUBLIC = tuple(k[0] for k in KEYS)
CTX = SigningContext(7, h32(42))
OCC = occupied(BitVec.zeros(6))


def data(bitfields=(), candidates=(), disputes=()) -> ProvisionerInherentData:  # type: ignore[no-untyped-def]
    return ProvisionerInherentData(tuple(bitfields), tuple(candidates), tuple(disputes))


def signed_bitfield(bits: str, v: int) -> SignedAvailabilityBitfield:
    payload = BitVec.from_str(bits)
    sig = sr25519.sign(KEYS[v], bitfield_signing_payload(payload, CTX))
    return SignedAvailabilityBitfield(payload, v, sig)


def signed_backed(para: int, group: tuple[int, ...], positions: str, *, core: int | None = None,
                  implicit_first: bool = True) -> BackedCandidate:
    template = backed(para)
    h = template.hash()
    ctx = SigningContext(CTX.session_index, template.candidate.descriptor.relay_parent)
    votes = []
    for n, pos in enumerate(BitVec.from_str(positions).iter_ones()):
        kind = 1 if implicit_first and n == 0 else 2
        s = sr25519.sign(KEYS[group[pos]], compact_statement_payload(kind, h, ctx))
        votes.append(Implicit(s) if kind == 1 else Explicit(s))
    bits = BitVec.from_str(positions)
    if core is not None:
        bits = bits.concat(BitVec(core, 8))
    return BackedCandidate(template.candidate, tuple(votes), bits)


def rules(problems: tuple[InherentProblem, ...]) -> list[tuple[str, int]]:
    return [(p.rule, p.index) for p in problems]


def test_a_clean_inherent_has_no_problems() -> None:
    assert check_inherent(data()) == ()
    cores = (OCC, ScheduledCore(1), ScheduledCore(2))
    inherent = data(
        [signed_bitfield("100", 0), signed_bitfield("000", 3)],
        [signed_backed(1, (0, 1, 2), "110"), signed_backed(2, (3, 4, 5), "011")],
    )
    assert check_inherent(
        inherent, cores=cores, validators=PUBLIC, signing_context=CTX,
        groups=((4, 5), (0, 1, 2), (3, 4, 5)),
    ) == ()


def test_unsorted_and_duplicate_bitfields_are_reported_at_their_position() -> None:
    problems = check_inherent(data([bitfield("1", 2), bitfield("1", 1), bitfield("0", 2),
                                    bitfield("0", 2)]))
    assert rules(problems) == [(BITFIELDS_UNSORTED, 1), (BITFIELD_DUPLICATE, 2),
                               (BITFIELD_DUPLICATE, 3)]


def test_without_cores_bitfields_must_share_the_first_ones_length() -> None:
    problems = check_inherent(data([bitfield("10", 0), bitfield("101", 1), bitfield("1", 2)]))
    assert problems == (
        InherentProblem(BITFIELD_LENGTH, 1, "3 bits, expected 2"),
        InherentProblem(BITFIELD_LENGTH, 2, "1 bits, expected 2"),
    )


def test_with_cores_bitfields_must_match_their_number_and_touch_only_occupied_cores() -> None:
    cores = (OCC, FreeCore(), ScheduledCore(4))
    problems = check_inherent(data([bitfield("1000", 0), bitfield("111", 1), bitfield("100", 2)]),
                              cores=cores)
    assert problems == (
        InherentProblem(BITFIELD_LENGTH, 0, "4 bits, expected 3"),
        InherentProblem(BITFIELD_UNOCCUPIED_CORE, 1, "bits on cores [1, 2]"),
    )


def test_bitfield_signatures_are_checked_against_the_signers_key() -> None:
    forged = SignedAvailabilityBitfield(BitVec.from_str("1"), 1, signed_bitfield("1", 0).signature)
    problems = check_inherent(data([signed_bitfield("1", 0), forged, bitfield("1", 9)]),
                              validators=PUBLIC, signing_context=CTX)
    assert rules(problems) == [(BITFIELD_SIGNATURE, 1), (BITFIELD_UNKNOWN_VALIDATOR, 2)]


def test_two_candidates_for_one_para_and_a_second_code_upgrade_are_reported() -> None:
    problems = check_inherent(data(candidates=[backed(1, code=b"a"), backed(2, code=b"b"),
                                               backed(1, salt=1)]))
    assert rules(problems) == [(CODE_UPGRADE_EXTRA, 1), (CANDIDATE_PARA_DUPLICATE, 2)]


def test_candidates_out_of_core_order_or_without_a_core_are_reported() -> None:
    cores = (ScheduledCore(2), ScheduledCore(1))
    problems = check_inherent(data(candidates=[backed(1), backed(2), backed(3)]), cores=cores)
    assert problems == (
        InherentProblem(CANDIDATES_CORE_ORDER, 1, "core 0 after 1"),
        InherentProblem(CANDIDATE_NO_CORE, 2, "no free core for para 3"),
    )


def test_backing_votes_must_match_the_group_verify_and_reach_the_threshold() -> None:
    cores = (ScheduledCore(1), ScheduledCore(2), ScheduledCore(3), ScheduledCore(4))
    groups = ((0, 1, 2), (3, 4, 5), (0, 1), (2, 3, 4))
    good = signed_backed(1, groups[0], "011")
    bad_sig = BackedCandidate(good.candidate, (good.validity_votes[1], good.validity_votes[0]),
                              good.validator_indices)
    problems = check_inherent(
        data(candidates=[
            bad_sig,
            signed_backed(2, groups[1], "100"),  # one vote of three: under 3 // 2 + 1
            signed_backed(3, (0, 1, 2), "111"),  # three bits for a group of two
            BackedCandidate(backed(4).candidate, (), BitVec.from_str("100")),  # bit without vote
        ]),
        cores=cores, validators=PUBLIC, signing_context=CTX, groups=groups,
    )
    assert rules(problems) == [
        (BACKING_SIGNATURE, 0), (BACKING_SIGNATURE, 0), (BACKING_THRESHOLD, 1),
        (VALIDATOR_INDICES_GROUP, 2), (VALIDATOR_INDICES_GROUP, 3),
    ]


def test_minimum_backing_votes_lowers_the_threshold() -> None:
    one_of_three = data(candidates=[signed_backed(1, (0, 1, 2), "100")])
    kw = {"cores": (ScheduledCore(1),), "groups": ((0, 1, 2),)}
    assert rules(check_inherent(one_of_three, **kw)) == [(BACKING_THRESHOLD, 0)]  # type: ignore[arg-type]
    assert check_inherent(one_of_three, minimum_backing_votes=1, **kw) == ()  # type: ignore[arg-type]


def test_an_injected_core_index_chooses_the_core_and_groups_rotate() -> None:
    # para 1 scheduled on cores 0 and 1; the candidates name core 1 then core 0: out of order
    cores = (ScheduledCore(1), ScheduledCore(1))
    groups = ((0, 1), (2, 3))
    rotation = GroupRotationInfo(0, 10, 10)  # one rotation: core 0 -> group 1, core 1 -> group 0
    first = signed_backed(1, groups[0], "11", core=1)
    second = signed_backed(2, groups[1], "11", core=0)
    second = BackedCandidate(backed(1, salt=5).candidate, second.validity_votes,
                             second.validator_indices)
    problems = check_inherent(data(candidates=[first, second]), cores=cores, groups=groups,
                              group_rotation=rotation)
    assert rules(problems) == [(CANDIDATE_PARA_DUPLICATE, 1), (CANDIDATES_CORE_ORDER, 1)]


def test_unsorted_and_duplicate_disputes_are_reported() -> None:
    d = [DisputeStatementSet(h32(2), 1, ()), DisputeStatementSet(h32(1), 1, ()),
         DisputeStatementSet(h32(2), 1, ()), DisputeStatementSet(h32(1), 2, ())]
    assert rules(check_inherent(data(disputes=d))) == [(DISPUTES_UNSORTED, 1),
                                                       (DISPUTE_DUPLICATE, 2)]


@pytest.mark.parametrize("number", REAL_BLOCKS)
def test_real_blocks_pass_every_check_that_needs_no_keys(number: str) -> None:
    inherent = decode_paras_inherent_extrinsic(inherent_bytes(number))
    n_cores = len(inherent.bitfields[0].payload)
    # Bitfield order, uniqueness and lengths (against the number of cores, all occupied), one
    # candidate per para, at most one code upgrade, dispute order.
    cores = tuple(occupied(BitVec.zeros(1)) for _ in range(n_cores))
    assert check_inherent(inherent) == ()
    assert [p for p in check_inherent(inherent, cores=cores)
            if p.rule != CANDIDATE_NO_CORE] == []


# -- gaps mutation testing found: rotation, the injected core, ranges, what follows "no core" --


def test_rotation_decides_which_group_a_candidate_is_checked_against() -> None:
    # Groups of different sizes, so that checking against the wrong group is a problem: with
    # one rotation core 0 is backed by group 1 (two members), without it by group 0 (three).
    cores = (ScheduledCore(1), ScheduledCore(2))
    groups = ((0, 1, 2), (3, 4))
    cand = signed_backed(1, groups[1], "11")
    kw = {"cores": cores, "validators": PUBLIC, "signing_context": CTX, "groups": groups}
    rotated = GroupRotationInfo(0, 10, 10)
    assert check_inherent(data(candidates=[cand]), group_rotation=rotated, **kw) == ()  # type: ignore[arg-type]
    unrotated = GroupRotationInfo(0, 10, 9)
    assert rules(check_inherent(data(candidates=[cand]), group_rotation=unrotated, **kw)) == [  # type: ignore[arg-type]
        (VALIDATOR_INDICES_GROUP, 0)
    ]


def test_the_injected_core_index_picks_the_core_and_so_the_group() -> None:
    # Para 1 may go on core 0 (group of three) or core 1 (group of two); the candidate names
    # core 1 and is backed by that core's group: clean. Taken as core 0 it would be refused.
    cores = (ScheduledCore(1), ScheduledCore(1))
    groups = ((0, 1, 2), (3, 4))
    cand = signed_backed(1, groups[1], "11", core=1)
    kw = {"cores": cores, "validators": PUBLIC, "signing_context": CTX, "groups": groups}
    assert check_inherent(data(candidates=[cand]), **kw) == ()  # type: ignore[arg-type]
    # The same votes naming core 0: core 0's group has three members, so 2 bits + 8 do not fit.
    wrong = signed_backed(1, groups[1], "11", core=0)
    assert rules(check_inherent(data(candidates=[wrong]), **kw)) == [  # type: ignore[arg-type]
        (VALIDATOR_INDICES_GROUP, 0)
    ]


def test_a_group_member_past_the_validator_set_is_a_signature_problem_not_a_crash() -> None:
    # Six validators (0..5); the group names validator 6, one past the end.
    cores = (ScheduledCore(1),)
    groups = ((0, 6),)
    cand = signed_backed(1, (0, 5), "11")  # signed by 0 and 5; position 1 names validator 6
    problems = check_inherent(
        data(candidates=[cand]), cores=cores, validators=PUBLIC, signing_context=CTX,
        groups=groups,
    )
    assert rules(problems) == [(BACKING_SIGNATURE, 0)]
    assert problems[0].detail == "vote of validator 6 (position 1)"


def test_a_core_beyond_the_groups_has_an_empty_group() -> None:
    # Three cores, two groups: a candidate on core 2 is checked against no group at all.
    cores = (ScheduledCore(7), ScheduledCore(8), ScheduledCore(1))
    cand = signed_backed(1, (0, 1), "11")
    problems = check_inherent(data(candidates=[cand]), cores=cores, groups=((2, 3), (4, 5)))
    assert rules(problems) == [(VALIDATOR_INDICES_GROUP, 0)]
    assert problems[0].detail == "2 bits with 2 set for a group of 0 and 2 votes"


def test_a_candidate_without_a_core_does_not_stop_the_check_of_the_next() -> None:
    # The first candidate's para has no core; the second is checked all the same (and is short
    # of votes).
    cores = (ScheduledCore(2),)
    no_core = signed_backed(9, (0, 1, 2), "111")
    short = signed_backed(2, (0, 1, 2), "100")
    problems = check_inherent(data(candidates=[no_core, short]), cores=cores, groups=((0, 1, 2),))
    assert rules(problems) == [(CANDIDATE_NO_CORE, 0), (BACKING_THRESHOLD, 1)]


def test_a_core_taken_by_one_candidate_is_not_free_for_the_next() -> None:
    # Two candidates of para 1, which has one core: the second finds no free core.
    cores = (ScheduledCore(1),)
    first = signed_backed(1, (0, 1, 2), "110")
    second = BackedCandidate(backed(1, salt=5).candidate, first.validity_votes,
                             first.validator_indices)
    problems = check_inherent(data(candidates=[first, second]), cores=cores)
    assert rules(problems) == [(CANDIDATE_PARA_DUPLICATE, 1), (CANDIDATE_NO_CORE, 1)]


# -- issue 13: what each problem says, the key boundaries, rotation in the choice of core --------


def test_each_bitfield_problem_names_the_validator_in_its_detail() -> None:
    # Six validators; the details are what a user reads to find the offending bitfield.
    forged = SignedAvailabilityBitfield(BitVec.from_str("1"), 3, signed_bitfield("1", 0).signature)
    bitfields = [
        signed_bitfield("1", 2),
        signed_bitfield("1", 1),
        signed_bitfield("1", 2),
        forged,
        bitfield("1", 9),
    ]
    problems = check_inherent(data(bitfields), validators=PUBLIC, signing_context=CTX)
    assert problems == (
        InherentProblem(BITFIELDS_UNSORTED, 1, "validator 1 after 2"),
        InherentProblem(BITFIELD_DUPLICATE, 2, "second bitfield of validator 2"),
        InherentProblem(BITFIELD_SIGNATURE, 3, "validator 3"),
        InherentProblem(BITFIELD_UNKNOWN_VALIDATOR, 4, "validator 9 of 6"),
    )


def test_a_bitfield_whose_validator_index_equals_the_number_of_validators_is_unknown() -> None:
    # Indices run 0..5 for six validators: 5 is the last known signer, 6 the first unknown one.
    problems = check_inherent(
        data([signed_bitfield("1", 5), bitfield("1", 6)]), validators=PUBLIC, signing_context=CTX
    )
    assert problems == (InherentProblem(BITFIELD_UNKNOWN_VALIDATOR, 1, "validator 6 of 6"),)


def test_keys_without_a_signing_context_or_a_context_without_keys_check_no_signature() -> None:
    # Signatures need both the keys and the context they were made in; with either alone the
    # signature checks are skipped, bitfields and backing votes alike.
    forged = SignedAvailabilityBitfield(
        BitVec.from_str("10"), 1, signed_bitfield("10", 0).signature
    )
    good = signed_backed(1, (0, 1, 2), "110")
    swapped = BackedCandidate(good.candidate, good.validity_votes[::-1], good.validator_indices)
    inherent = data([forged, bitfield("10", 9)], [swapped])
    kw = {"cores": (OCC, ScheduledCore(1)), "groups": ((3, 4, 5), (0, 1, 2))}
    assert rules(check_inherent(inherent, validators=PUBLIC, signing_context=CTX, **kw)) == [  # type: ignore[arg-type]
        (BITFIELD_SIGNATURE, 0),
        (BITFIELD_UNKNOWN_VALIDATOR, 1),
        (BACKING_SIGNATURE, 0),
        (BACKING_SIGNATURE, 0),
    ]
    assert check_inherent(inherent, validators=PUBLIC, **kw) == ()  # type: ignore[arg-type]
    assert check_inherent(inherent, signing_context=CTX, **kw) == ()  # type: ignore[arg-type]


def test_each_candidate_list_problem_names_the_para_in_its_detail() -> None:
    problems = check_inherent(
        data(candidates=[backed(1, code=b"a"), backed(2, code=b"b"), backed(1, salt=1)])
    )
    assert problems == (
        InherentProblem(CODE_UPGRADE_EXTRA, 1, "para 2 also upgrades code"),
        InherentProblem(CANDIDATE_PARA_DUPLICATE, 2, "second candidate of para 1"),
    )


def test_a_candidate_short_of_votes_says_how_many_it_has_and_needs() -> None:
    # A group of three needs 3 // 2 + 1 = 2 votes; the candidate has one.
    problems = check_inherent(
        data(candidates=[signed_backed(1, (0, 1, 2), "100")]),
        cores=(ScheduledCore(1),),
        groups=((0, 1, 2),),
    )
    assert problems == (InherentProblem(BACKING_THRESHOLD, 0, "1 votes, 2 needed"),)


def test_each_dispute_problem_names_the_session_in_its_detail() -> None:
    d = [
        DisputeStatementSet(h32(2), 1, ()),
        DisputeStatementSet(h32(1), 1, ()),
        DisputeStatementSet(h32(2), 1, ()),
        DisputeStatementSet(h32(1), 2, ()),
    ]
    assert check_inherent(data(disputes=d)) == (
        InherentProblem(DISPUTES_UNSORTED, 1, "session 1 out of order"),
        InherentProblem(DISPUTE_DUPLICATE, 2, "session 1 repeated"),
    )


def test_rotation_decides_which_groups_size_reveals_an_injected_core_index() -> None:
    # Para 1 may go on core 0 or core 1. After one rotation core 0 is backed by group 1 (two
    # members) and core 1 by group 0 (three). The candidate, backed by group 0, carries three
    # bits and then core index 1: only core 1's group, under rotation, splits it there. Read
    # without rotation no core matches, the candidate falls to core 0 and to group 1, whose two
    # members do not fit its eleven bits.
    cores = (ScheduledCore(1), ScheduledCore(1))
    groups = ((0, 1, 2), (3, 4))
    cand = signed_backed(1, groups[0], "111", core=1)
    problems = check_inherent(
        data(candidates=[cand]),
        cores=cores,
        validators=PUBLIC,
        signing_context=CTX,
        groups=groups,
        group_rotation=GroupRotationInfo(0, 10, 10),
    )
    assert problems == ()


def test_a_core_without_a_group_reads_a_core_index_only_from_exactly_eight_bits() -> None:
    # Para 1 may go on core 0 (group 0, three members) or core 1, beyond the one group: its
    # group is empty, so only a vector of exactly 8 bits would name a core. The candidate's nine
    # bits (one vote bit, then core index 1) name none; it takes the para's first free core,
    # core 0, and is checked against core 0's group of three.
    cores = (ScheduledCore(1), ScheduledCore(1))
    template = backed(1)
    cand = BackedCandidate(
        template.candidate, template.validity_votes, BitVec.from_str("1").concat(BitVec(1, 8))
    )
    problems = check_inherent(data(candidates=[cand]), cores=cores, groups=((0, 1, 2),))
    assert problems == (
        InherentProblem(
            VALIDATOR_INDICES_GROUP, 0, "9 bits with 2 set for a group of 3 and 1 votes"
        ),
    )


def test_a_vote_of_a_validator_past_the_set_is_offered_to_the_verifier_without_a_key() -> None:
    # The group names validator 6 of six: there is no key to check its vote against, and the
    # verifier is asked with an empty one (which no signature verifies under), never a made-up key.
    keys: list[bytes] = []

    def verify(message: bytes, signature: bytes, key: bytes) -> bool:
        keys.append(key)
        return True

    cand = signed_backed(1, (0, 5), "11")
    problems = check_inherent(
        data(candidates=[cand]),
        cores=(ScheduledCore(1),),
        validators=PUBLIC,
        signing_context=CTX,
        groups=((0, 6),),
        verify=verify,
    )
    assert problems == ()
    assert keys == [PUBLIC[0], b""]
