# The inclusion emulator (core/prospective/constraints.py): validation of the records, stacking
# and applying modifications with every ModificationError, and a candidate's checks against its
# operating constraints with every FragmentValidityError and their order. The scenarios of
# polkadot-sdk's inclusion_emulator/mod.rs tests (`stack_modifications`,
# `constraints_check_trunk_watermark`, `fragment_dmp_advancement_rule`, `ump_signals_ignored`,
# ...), re-expressed here.
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from pyrsistent import pmap

from backable.core import (
    UMP_SEPARATOR,
    CandidateCommitments,
    ConstraintModifications,
    Constraints,
    Fragment,
    FragmentValidityError,
    FragmentValidityErrorKind,
    HrmpWatermarkUpdate,
    ModificationError,
    ModificationErrorKind,
    OutboundHrmpMessage,
    PersistedValidationData,
    ProspectiveCandidate,
    RelayChainBlockInfo,
    SelectCore,
    UpgradeRestriction,
    apply_modifications,
    check_against_constraints,
    encode,
    fragment,
    validate_commitments,
)
from tests.builders import refusal

CODE = b"\x42" * 32
OTHER_CODE = b"\x99" * 32
PARA_A, PARA_B, PARA_C = 1, 2, 3
RP = RelayChainBlockInfo(b"\x0a" * 32, 6, b"\xff" * 32)
MK = ModificationErrorKind
FK = FragmentValidityErrorKind


def base(**overrides: object) -> Constraints:
    """The emulator tests' constraints: watermarks 6 and 8, three outbound channels."""
    fields: dict[str, object] = {
        "min_relay_parent_number": 5,
        "max_pov_size": 1000,
        "max_code_size": 1000,
        "max_head_data_size": 1024,
        "ump_remaining": 10,
        "ump_remaining_bytes": 1024,
        "max_ump_num_per_candidate": 5,
        "dmp_remaining_messages": (),
        "valid_watermarks": (6, 8),
        "hrmp_channels_out": {PARA_A: (512, 5), PARA_B: (1024, 10), PARA_C: (128, 1)},
        "max_hrmp_num_per_candidate": 5,
        "required_parent": b"\x01\x02\x03",
        "validation_code_hash": CODE,
    }
    fields.update(overrides)
    return Constraints(**fields)  # type: ignore[arg-type]


def candidate(
    c: Constraints, relay_parent: RelayChainBlockInfo = RP, **commit: object
) -> ProspectiveCandidate:
    """A candidate that fits `c` on `relay_parent`: head 1..5, watermark at the relay parent."""
    fields: dict[str, object] = {
        "head_data": b"\x01\x02\x03\x04\x05",
        "hrmp_watermark": relay_parent.number,
    }
    fields.update(commit)
    return ProspectiveCandidate(
        CandidateCommitments(**fields),  # type: ignore[arg-type]
        PersistedValidationData(
            c.required_parent, relay_parent.number, relay_parent.storage_root, c.max_pov_size
        ),
        b"\x01" * 32,
        c.validation_code_hash,
    )


def error_of(
    c: Constraints, p: ProspectiveCandidate, relay_parent: RelayChainBlockInfo = RP
) -> FragmentValidityError:
    made = fragment(relay_parent, c, p)
    assert isinstance(made, FragmentValidityError), made
    return made


def mods(**fields: object) -> ConstraintModifications:
    return ConstraintModifications(**fields)  # type: ignore[arg-type]


# -- the records -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "value", "reason"),
    [
        ((b"\x01", 1, bytes(32)), "hash", b"\x01", "must be 32 bytes"),
        ((bytes(32), -1, bytes(32)), "number", -1, "must be an int in 0..2**32-1"),
        ((bytes(32), 2**32, bytes(32)), "number", 2**32, "must be an int in 0..2**32-1"),
        ((bytes(32), 1, b"\x01"), "storage_root", b"\x01", "must be 32 bytes"),
    ],
)
def test_relay_block_info_refuses_a_malformed_field_naming_it(
    fields: tuple[object, object, object], field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: RelayChainBlockInfo(*fields)) == (  # type: ignore[arg-type]
        "RelayChainBlockInfo",
        field,
        value,
        reason,
    )


def test_constraints_keep_their_channels_as_a_persistent_map_and_lists_as_tuples() -> None:
    c = base(dmp_remaining_messages=[1, 2], valid_watermarks=[6, 8])
    assert c.dmp_remaining_messages == (1, 2)
    assert c.valid_watermarks == (6, 8)
    assert c.hrmp_channels_out == pmap({PARA_A: (512, 5), PARA_B: (1024, 10), PARA_C: (128, 1)})
    assert hash(c) == hash(base(dmp_remaining_messages=(1, 2)))


def test_constraints_refuse_watermarks_out_of_order_or_repeated() -> None:
    assert refusal(lambda: base(valid_watermarks=(8, 6))) == (
        "Constraints",
        "valid_watermarks",
        (8, 6),
        "must be ascending",
    )
    assert refusal(lambda: base(valid_watermarks=(6, 6)))[1] == "valid_watermarks"


U32 = "must be an int in 0..2**32-1"
COUNT = "must be a non-negative int"


@pytest.mark.parametrize(
    ("overrides", "field", "value", "reason"),
    [
        *(
            ({name: 2**32}, name, 2**32, U32)
            for name in (
                "min_relay_parent_number",
                "max_pov_size",
                "max_code_size",
                "max_head_data_size",
                "ump_remaining",
                "ump_remaining_bytes",
                "max_ump_num_per_candidate",
                "max_hrmp_num_per_candidate",
            )
        ),
        ({"dmp_remaining_messages": 3}, "dmp_remaining_messages", 3, "must be a tuple"),
        ({"dmp_remaining_messages": (1, "2")}, "dmp_remaining_messages[1]", "2", "must be a int"),
        ({"dmp_remaining_messages": [1, -1]}, "dmp_remaining_messages[1]", -1, U32),
        ({"valid_watermarks": (6, 2**32)}, "valid_watermarks[1]", 2**32, U32),
        ({"valid_watermarks": (6, 6)}, "valid_watermarks", (6, 6), "must be ascending"),
        ({"valid_watermarks": [6, 8, 7]}, "valid_watermarks", (6, 8, 7), "must be ascending"),
        ({"hrmp_channels_out": [(1, 2)]}, "hrmp_channels_out", [(1, 2)], "must be a mapping"),
        ({"hrmp_channels_out": {-1: (1, 1)}}, "hrmp_channels_out key", -1, U32),
        (
            {"hrmp_channels_out": {PARA_A: (1,)}},
            f"hrmp_channels_out[{PARA_A}]",
            (1,),
            "must be a pair",
        ),
        (
            {"hrmp_channels_out": {PARA_A: [1, 1]}},
            f"hrmp_channels_out[{PARA_A}]",
            [1, 1],
            "must be a pair",
        ),
        (
            {"hrmp_channels_out": {PARA_A: (1, 1, 1)}},
            f"hrmp_channels_out[{PARA_A}]",
            (1, 1, 1),
            "must be a pair",
        ),
        # Channel budgets are u32s in Rust.
        (
            {"hrmp_channels_out": {PARA_A: (2**32, 1)}},
            f"hrmp_channels_out[{PARA_A}].bytes",
            2**32,
            U32,
        ),
        (
            {"hrmp_channels_out": {PARA_A: (1, -1)}},
            f"hrmp_channels_out[{PARA_A}].messages",
            -1,
            U32,
        ),
        ({"required_parent": "0102"}, "required_parent", "0102", "must be bytes"),
        ({"validation_code_hash": b"\x42"}, "validation_code_hash", b"\x42", "must be 32 bytes"),
        (
            {"upgrade_restriction": "Present"},
            "upgrade_restriction",
            "Present",
            "must be a UpgradeRestriction",
        ),
        (
            {"future_validation_code": (1,)},
            "future_validation_code",
            (1,),
            "must be (number, hash)",
        ),
        (
            {"future_validation_code": [1, CODE]},
            "future_validation_code",
            [1, CODE],
            "must be (number, hash)",
        ),
        (
            {"future_validation_code": (-1, CODE)},
            "future_validation_code.number",
            -1,
            U32,
        ),
        (
            {"future_validation_code": (1, b"x")},
            "future_validation_code.hash",
            b"x",
            "must be 32 bytes",
        ),
    ],
)
def test_constraints_refuse_a_malformed_field_naming_it(
    overrides: dict[str, object], field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: base(**overrides)) == ("Constraints", field, value, reason)


def test_constraints_accept_the_optional_fields_and_boundary_values() -> None:
    c = base(
        upgrade_restriction=UpgradeRestriction.Present,
        future_validation_code=(2**32 - 1, OTHER_CODE),
        hrmp_channels_out={2**32 - 1: (2**32 - 1, 0)},
        max_pov_size=2**32 - 1,
        min_relay_parent_number=0,
        dmp_remaining_messages=(0, 0, 2**32 - 1),
        required_parent=b"",
    )
    assert c.upgrade_restriction is UpgradeRestriction.Present
    assert c.future_validation_code == (2**32 - 1, OTHER_CODE)
    assert c.hrmp_channels_out == pmap({2**32 - 1: (2**32 - 1, 0)})


@pytest.mark.parametrize(
    ("overrides", "field", "value", "reason"),
    [
        ({"outbound_hrmp": ((1, (1, 1)),)}, "outbound_hrmp", ((1, (1, 1)),), "must be a mapping"),
        ({"outbound_hrmp": {2**32: (1, 1)}}, "outbound_hrmp key", 2**32, U32),
        ({"outbound_hrmp": {PARA_B: 1}}, f"outbound_hrmp[{PARA_B}]", 1, "must be a pair"),
        ({"outbound_hrmp": {PARA_B: (-1, 1)}}, f"outbound_hrmp[{PARA_B}].bytes", -1, COUNT),
        ({"outbound_hrmp": {PARA_B: (1, "1")}}, f"outbound_hrmp[{PARA_B}].messages", "1", COUNT),
        ({"ump_messages_sent": -1}, "ump_messages_sent", -1, COUNT),
        ({"ump_bytes_sent": True}, "ump_bytes_sent", True, COUNT),
        ({"dmp_messages_processed": 1.0}, "dmp_messages_processed", 1.0, COUNT),
        ({"required_parent": "01"}, "required_parent", "01", "must be bytes"),
        ({"hrmp_watermark": 5}, "hrmp_watermark", 5, "must be a HrmpWatermarkUpdate"),
        ({"code_upgrade_applied": 1}, "code_upgrade_applied", 1, "must be a bool"),
    ],
)
def test_modifications_refuse_a_malformed_field_naming_it(
    overrides: dict[str, object], field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: mods(**overrides)) == ("ConstraintModifications", field, value, reason)


def test_modifications_accept_zero_and_counters_beyond_a_u32() -> None:
    # Stacked counters are sums over a chain: they may exceed a u32, and zero is no message.
    big = mods(outbound_hrmp={PARA_A: (2**40, 0)}, ump_bytes_sent=2**40, ump_messages_sent=0)
    assert big.outbound_hrmp == pmap({PARA_A: (2**40, 0)})
    assert (big.ump_bytes_sent, big.ump_messages_sent) == (2**40, 0)
    assert hash(big) == hash(mods(outbound_hrmp=pmap({PARA_A: (2**40, 0)}), ump_bytes_sent=2**40))


def test_relay_blocks_and_constraints_show_a_short_form() -> None:
    assert repr(RP) == "RelayChainBlockInfo(#6, hash=0x0a0a0a0a0a0a0a0a..)"
    c = base(required_parent=bytes(range(1, 11)), dmp_remaining_messages=(1, 2, 3))
    assert repr(c) == (
        "Constraints(min_relay_parent_number=5, required_parent=0x0102030405060708,"
        " ump_remaining=10, dmp=3, watermarks=[6, 8])"
    )


def test_a_watermark_update_shows_which_kind_it_is() -> None:
    assert repr(HrmpWatermarkUpdate(5, head=True)) == "Head(5)"
    assert repr(HrmpWatermarkUpdate(7, head=False)) == "Trunk(7)"
    assert refusal(lambda: HrmpWatermarkUpdate(7, head=1))[1] == "head"  # type: ignore[arg-type]


# -- stacking ----------------------------------------------------------------------------------


def test_stacking_adds_counters_per_field_and_per_channel() -> None:
    a = mods(
        outbound_hrmp={PARA_A: (100, 5), PARA_B: (100, 5)},
        ump_messages_sent=6,
        ump_bytes_sent=1000,
        dmp_messages_processed=5,
        code_upgrade_applied=True,
    )
    b = mods(
        outbound_hrmp={PARA_B: (100, 5), PARA_C: (100, 5)},
        ump_messages_sent=6,
        ump_bytes_sent=1000,
        dmp_messages_processed=5,
        code_upgrade_applied=False,
    )
    expected = mods(
        outbound_hrmp={PARA_A: (100, 5), PARA_B: (200, 10), PARA_C: (100, 5)},
        ump_messages_sent=12,
        ump_bytes_sent=2000,
        dmp_messages_processed=10,
        code_upgrade_applied=True,
    )
    assert a.stack(b) == expected
    assert ConstraintModifications.identity().stack(a).stack(b) == expected


def test_stacking_takes_the_later_parent_and_watermark_where_there_is_one() -> None:
    first = mods(required_parent=b"\x01", hrmp_watermark=HrmpWatermarkUpdate(3, head=True))
    second = mods(required_parent=b"\x02", hrmp_watermark=HrmpWatermarkUpdate(4, head=False))
    assert first.stack(second) == second
    assert first.stack(mods()) == first
    assert mods().stack(first) == first


def test_the_identity_changes_nothing() -> None:
    c = base()
    assert apply_modifications(c, ConstraintModifications.identity()) == c
    assert ConstraintModifications.identity() == ConstraintModifications()


# -- applying: every ModificationError ---------------------------------------------------------


def test_a_trunk_watermark_must_be_a_valid_one_and_drops_those_below() -> None:
    c = base()
    kept = apply_modifications(c, mods(hrmp_watermark=HrmpWatermarkUpdate(6, head=False)))
    assert isinstance(kept, Constraints) and kept.valid_watermarks == (6, 8)
    assert apply_modifications(
        c, mods(hrmp_watermark=HrmpWatermarkUpdate(7, head=False))
    ) == ModificationError(MK.DisallowedHrmpWatermark, watermark=7)
    moved = apply_modifications(c, mods(hrmp_watermark=HrmpWatermarkUpdate(8, head=False)))
    assert isinstance(moved, Constraints) and moved.valid_watermarks == (8,)


def test_a_head_watermark_is_always_allowed() -> None:
    c = base()
    low = apply_modifications(c, mods(hrmp_watermark=HrmpWatermarkUpdate(5, head=True)))
    assert isinstance(low, Constraints) and low.valid_watermarks == (6, 8)
    between = apply_modifications(c, mods(hrmp_watermark=HrmpWatermarkUpdate(7, head=True)))
    assert isinstance(between, Constraints) and between.valid_watermarks == (8,)
    beyond = apply_modifications(c, mods(hrmp_watermark=HrmpWatermarkUpdate(9, head=True)))
    assert isinstance(beyond, Constraints) and beyond.valid_watermarks == ()


def test_writing_to_a_channel_that_is_not_open_is_refused() -> None:
    assert apply_modifications(base(), mods(outbound_hrmp={100: (0, 0)})) == ModificationError(
        MK.NoSuchHrmpChannel, para_id=100
    )


def test_a_channel_cannot_take_more_messages_than_it_has_room_for() -> None:
    assert apply_modifications(base(), mods(outbound_hrmp={PARA_A: (0, 6)})) == ModificationError(
        MK.HrmpMessagesOverflow, para_id=PARA_A, remaining=5, submitted=6
    )


def test_a_channel_cannot_take_more_bytes_than_it_has_room_for_and_bytes_are_checked_first() -> (
    None
):
    assert apply_modifications(base(), mods(outbound_hrmp={PARA_A: (513, 6)})) == (
        ModificationError(MK.HrmpBytesOverflow, para_id=PARA_A, remaining=512, submitted=513)
    )


def test_channels_are_checked_in_ascending_para_order() -> None:
    both_bad = mods(outbound_hrmp={PARA_C: (0, 2), 100: (0, 0)})
    assert apply_modifications(base(), both_bad) == ModificationError(
        MK.HrmpMessagesOverflow, para_id=PARA_C, remaining=1, submitted=2
    )


def test_the_upward_queue_limits_messages_then_bytes() -> None:
    assert apply_modifications(base(), mods(ump_messages_sent=11, ump_bytes_sent=2000)) == (
        ModificationError(MK.UmpMessagesOverflow, remaining=10, submitted=11)
    )
    assert apply_modifications(base(), mods(ump_bytes_sent=1025)) == ModificationError(
        MK.UmpBytesOverflow, remaining=1024, submitted=1025
    )


def test_a_budget_may_be_spent_down_to_exactly_zero() -> None:
    # Rust refuses only what exceeds a budget (`checked_sub` failing), never what uses it up.
    applied = apply_modifications(
        base(),
        mods(outbound_hrmp={PARA_A: (512, 5)}, ump_messages_sent=10, ump_bytes_sent=1024),
    )
    assert applied == base(
        hrmp_channels_out={PARA_A: (0, 0), PARA_B: (1024, 10), PARA_C: (128, 1)},
        ump_remaining=0,
        ump_remaining_bytes=0,
    )


def test_no_more_downward_messages_can_be_processed_than_wait() -> None:
    assert apply_modifications(base(), mods(dmp_messages_processed=6)) == ModificationError(
        MK.DmpMessagesUnderflow, remaining=0, submitted=6
    )
    waiting = base(dmp_remaining_messages=(1, 4, 8, 10))
    after = apply_modifications(waiting, mods(dmp_messages_processed=2))
    assert isinstance(after, Constraints) and after.dmp_remaining_messages == (8, 10)


def test_an_applied_upgrade_needs_a_future_code_which_becomes_the_current_one() -> None:
    assert apply_modifications(base(), mods(code_upgrade_applied=True)) == ModificationError(
        MK.AppliedNonexistentCodeUpgrade
    )
    upgraded = apply_modifications(
        base(future_validation_code=(7, OTHER_CODE)), mods(code_upgrade_applied=True)
    )
    assert upgraded == base(validation_code_hash=OTHER_CODE)


def test_a_pending_upgrade_not_applied_stays_pending() -> None:
    pending = base(future_validation_code=(7, OTHER_CODE))
    assert apply_modifications(pending, mods(ump_messages_sent=1)) == replace(
        pending, ump_remaining=9
    )


def test_applying_spends_every_budget_and_replaces_the_parent() -> None:
    applied = apply_modifications(
        base(dmp_remaining_messages=(1, 2, 3)),
        mods(
            required_parent=b"\x09",
            hrmp_watermark=HrmpWatermarkUpdate(8, head=False),
            outbound_hrmp={PARA_A: (12, 2), PARA_B: (24, 10)},
            ump_messages_sent=3,
            ump_bytes_sent=100,
            dmp_messages_processed=1,
        ),
    )
    assert applied == base(
        required_parent=b"\x09",
        valid_watermarks=(8,),
        hrmp_channels_out={PARA_A: (500, 3), PARA_B: (1000, 0), PARA_C: (128, 1)},
        ump_remaining=7,
        ump_remaining_bytes=924,
        dmp_remaining_messages=(2, 3),
    )


# -- a candidate against its constraints: every FragmentValidityError -------------------------


def test_a_candidate_that_fits_becomes_a_fragment_with_its_modifications() -> None:
    c = base()
    p = candidate(
        c,
        upward_messages=(b"\x01", b"\x02\x03"),
        horizontal_messages=(
            OutboundHrmpMessage(PARA_A, b"abc"),
            OutboundHrmpMessage(PARA_B, b"d"),
        ),
    )
    made = fragment(RP, c, p)
    expected = mods(
        required_parent=b"\x01\x02\x03\x04\x05",
        hrmp_watermark=HrmpWatermarkUpdate(6, head=True),
        outbound_hrmp={PARA_A: (3, 1), PARA_B: (1, 1)},
        ump_messages_sent=2,
        ump_bytes_sent=3,
    )
    assert made == Fragment(RP, c, p, expected)


@pytest.mark.parametrize(
    ("field", "kind"),
    [
        ("relay_parent", "RelayChainBlockInfo"),
        ("operating_constraints", "Constraints"),
        ("candidate", "ProspectiveCandidate"),
        ("modifications", "ConstraintModifications"),
    ],
)
def test_a_fragment_built_by_hand_refuses_a_field_of_the_wrong_type(field: str, kind: str) -> None:
    c = base()
    fields: dict[str, object] = {
        "relay_parent": RelayChainBlockInfo(b"\x0a" * 32, 6, b"\xff" * 32),
        "operating_constraints": c,
        "candidate": candidate(c),
        "modifications": mods(),
    }
    fields[field] = "wrong"
    assert refusal(lambda: Fragment(**fields)) == (  # type: ignore[arg-type]
        "Fragment",
        field,
        "wrong",
        f"must be a {kind}",
    )


def test_a_watermark_below_the_relay_parent_is_a_trunk_update() -> None:
    c = base()
    made = check_against_constraints(
        RP,
        c,
        candidate(c, hrmp_watermark=6).commitments,
        CODE,
        candidate(c).persisted_validation_data,
    )
    later = RelayChainBlockInfo(b"\x0b" * 32, 8, b"\xff" * 32)
    trunk = check_against_constraints(
        later,
        c,
        candidate(c, later, hrmp_watermark=6).commitments,
        CODE,
        candidate(c, later).persisted_validation_data,
    )
    assert isinstance(made, ConstraintModifications) and isinstance(trunk, ConstraintModifications)
    assert made.hrmp_watermark == HrmpWatermarkUpdate(6, head=True)
    assert trunk.hrmp_watermark == HrmpWatermarkUpdate(6, head=False)


def test_the_code_must_be_the_constraints_code() -> None:
    c = base()
    p = replace(candidate(c), validation_code_hash=OTHER_CODE)
    assert error_of(c, p) == FragmentValidityError(
        FK.ValidationCodeMismatch, expected=CODE, got=OTHER_CODE
    )


def test_the_validation_data_must_be_what_constraints_and_relay_parent_give() -> None:
    c = base()
    other = RelayChainBlockInfo(b"\x0b" * 32, 6, b"\xee" * 32)
    p = candidate(c)
    assert error_of(c, p, other) == FragmentValidityError(
        FK.PersistedValidationDataMismatch,
        expected=PersistedValidationData(c.required_parent, 6, b"\xee" * 32, 1000),
        got=p.persisted_validation_data,
    )


def test_new_code_must_fit_the_code_size() -> None:
    c = base()
    assert error_of(c, candidate(c, new_validation_code=bytes(1001))) == FragmentValidityError(
        FK.CodeSizeTooLarge, limit=1000, value=1001
    )
    assert isinstance(fragment(RP, c, candidate(c, new_validation_code=bytes(1000))), Fragment)
    # No new code is nothing to measure, even against a zero limit.
    none_allowed = base(max_code_size=0)
    assert isinstance(fragment(RP, none_allowed, candidate(none_allowed)), Fragment)


def test_the_head_data_must_fit_the_head_size() -> None:
    c = base(max_head_data_size=4)
    assert error_of(c, candidate(c)) == FragmentValidityError(FK.HeadDataTooLarge, limit=4, value=5)
    exact = base(max_head_data_size=5)
    assert isinstance(fragment(RP, exact, candidate(exact)), Fragment)


def test_the_relay_parent_must_not_be_older_than_the_minimum() -> None:
    c = base()
    old = RelayChainBlockInfo(b"\x0a" * 32, 3, b"\xff" * 32)
    assert error_of(c, candidate(c, old), old) == FragmentValidityError(
        FK.RelayParentTooOld, limit=5, value=3
    )


def test_at_most_the_allowed_number_of_horizontal_messages() -> None:
    c = base()
    messages = tuple(OutboundHrmpMessage(i, b"\x01\x02\x03") for i in range(6))
    # Recipients 0, 4 and 5 have no channel: the count is checked before the channels.
    assert error_of(c, candidate(c, horizontal_messages=messages)) == FragmentValidityError(
        FK.HrmpMessagesPerCandidateOverflow, limit=5, value=6
    )


def test_a_waiting_downward_message_sent_by_the_relay_parent_must_be_processed() -> None:
    c = base()
    assert isinstance(fragment(RP, c, candidate(c)), Fragment)
    later = base(dmp_remaining_messages=(RP.number + 1,))
    assert isinstance(fragment(RP, later, candidate(later)), Fragment)
    for sent_at in range(RP.number + 1):
        waiting = base(dmp_remaining_messages=(sent_at,))
        assert error_of(waiting, candidate(waiting)) == FragmentValidityError(FK.DmpAdvancementRule)
        assert isinstance(
            fragment(RP, waiting, candidate(waiting, processed_downward_messages=1)), Fragment
        )


def test_at_most_the_allowed_number_of_upward_messages() -> None:
    c = base()
    p = candidate(c, upward_messages=tuple(bytes([i]) for i in range(6)))
    assert error_of(c, p) == FragmentValidityError(
        FK.UmpMessagesPerCandidateOverflow, limit=5, value=6
    )


def test_ump_signals_and_the_separator_do_not_count_as_upward_messages() -> None:
    c = base()
    signal = encode(SelectCore(0, 1))
    full = tuple(bytes([i]) for i in range(5))
    p = candidate(c, upward_messages=(*full, UMP_SEPARATOR, signal))
    made = fragment(RP, c, p)
    assert isinstance(made, Fragment)
    assert (made.modifications.ump_messages_sent, made.modifications.ump_bytes_sent) == (5, 5)


def test_the_upward_overflow_reports_every_message_signals_included_as_rust_does() -> None:
    c = base()
    p = candidate(
        c, upward_messages=(*(bytes([i]) for i in range(6)), UMP_SEPARATOR, b"\x00\x00\x00")
    )
    assert error_of(c, p) == FragmentValidityError(
        FK.UmpMessagesPerCandidateOverflow, limit=5, value=8
    )


def test_new_code_is_refused_while_an_upgrade_restriction_is_present() -> None:
    c = base(upgrade_restriction=UpgradeRestriction.Present)
    assert error_of(c, candidate(c, new_validation_code=b"\x01\x02\x03")) == (
        FragmentValidityError(FK.CodeUpgradeRestricted)
    )
    assert isinstance(fragment(RP, c, candidate(c)), Fragment)


def test_horizontal_recipients_must_be_strictly_ascending() -> None:
    c = base()
    messages = (
        OutboundHrmpMessage(0, b"\x01"),
        OutboundHrmpMessage(PARA_A, b"\x01"),
        OutboundHrmpMessage(PARA_A, b"\x01"),
    )
    assert error_of(c, candidate(c, horizontal_messages=messages)) == FragmentValidityError(
        FK.HrmpMessagesDescendingOrDuplicate, value=2
    )
    descending = (OutboundHrmpMessage(PARA_B, b"\x01"), OutboundHrmpMessage(PARA_A, b"\x01"))
    assert error_of(c, candidate(c, horizontal_messages=descending)).value == 1


def test_outputs_the_constraints_cannot_absorb_are_outputs_invalid() -> None:
    c = base()
    p = candidate(c, horizontal_messages=(OutboundHrmpMessage(100, b"\x01"),))
    assert error_of(c, p) == FragmentValidityError(
        FK.OutputsInvalid, modification=ModificationError(MK.NoSuchHrmpChannel, para_id=100)
    )
    late = RelayChainBlockInfo(b"\x0c" * 32, 9, b"\xff" * 32)
    trunk = candidate(c, late, hrmp_watermark=7)
    assert error_of(c, trunk, late).modification == ModificationError(
        MK.DisallowedHrmpWatermark, watermark=7
    )


def test_a_code_upgrade_is_applied_once_the_relay_parent_reaches_its_block() -> None:
    due = base(future_validation_code=(6, OTHER_CODE))
    made = fragment(RP, due, candidate(due))
    assert isinstance(made, Fragment) and made.modifications.code_upgrade_applied
    not_yet = base(future_validation_code=(7, OTHER_CODE))
    early = fragment(RP, not_yet, candidate(not_yet))
    assert isinstance(early, Fragment) and not early.modifications.code_upgrade_applied


# -- the order of the checks -------------------------------------------------------------------


def test_out_of_order_recipients_are_found_before_any_other_check() -> None:
    c = base()
    p = replace(
        candidate(
            c,
            horizontal_messages=(
                OutboundHrmpMessage(PARA_B, b""),
                OutboundHrmpMessage(PARA_A, b""),
            ),
        ),
        validation_code_hash=OTHER_CODE,
    )
    assert error_of(c, p).kind is FK.HrmpMessagesDescendingOrDuplicate


def test_the_commitment_checks_run_in_rusts_order() -> None:
    # A candidate failing all six; each fix in turn uncovers the next check.
    c = base(max_head_data_size=1, max_code_size=1, upgrade_restriction=UpgradeRestriction.Present)
    old = RelayChainBlockInfo(b"\x0a" * 32, 3, b"\xff" * 32)
    many = tuple(OutboundHrmpMessage(i, b"") for i in range(6))
    p = replace(
        candidate(c, old, new_validation_code=b"\x01\x02", horizontal_messages=many),
        validation_code_hash=OTHER_CODE,
    )
    fixes = [
        (None, {"validation_code_hash": CODE}),
        ({"max_head_data_size": 1024}, None),
        ({"min_relay_parent_number": 0}, None),
        ({"upgrade_restriction": None}, None),
        ({"max_code_size": 1000}, None),
    ]
    seen = [error_of(c, p, old).kind]
    for constraint_fix, candidate_fix in fixes:
        c = replace(c, **constraint_fix) if constraint_fix else c  # type: ignore[arg-type]
        p = replace(p, **candidate_fix) if candidate_fix else p  # type: ignore[arg-type]
        seen.append(error_of(c, p, old).kind)
    assert seen == [
        FK.ValidationCodeMismatch,
        FK.HeadDataTooLarge,
        FK.RelayParentTooOld,
        FK.CodeUpgradeRestricted,
        FK.CodeSizeTooLarge,
        FK.HrmpMessagesPerCandidateOverflow,
    ]


def test_the_validation_data_comes_after_the_commitments_then_the_queues() -> None:
    c = base(max_head_data_size=4, dmp_remaining_messages=(0,))
    six = tuple(bytes([i]) for i in range(6))
    wrong = PersistedValidationData(b"", 6, b"\xff" * 32, 1000)
    p = replace(
        candidate(c, upward_messages=six, processed_downward_messages=0),
        persisted_validation_data=wrong,
    )
    assert error_of(c, p).kind is FK.HeadDataTooLarge
    c = replace(c, max_head_data_size=1024)
    assert error_of(c, p).kind is FK.PersistedValidationDataMismatch
    p = replace(p, persisted_validation_data=candidate(c).persisted_validation_data)
    assert error_of(c, p).kind is FK.DmpAdvancementRule
    p = replace(p, commitments=replace(p.commitments, processed_downward_messages=1))
    assert error_of(c, p).kind is FK.UmpMessagesPerCandidateOverflow
    p = replace(p, commitments=replace(p.commitments, hrmp_watermark=7))
    c = replace(c, max_ump_num_per_candidate=6)
    assert error_of(c, p).kind is FK.OutputsInvalid


def test_validate_commitments_runs_only_the_commitment_checks() -> None:
    c = base()
    p = candidate(c, upward_messages=tuple(bytes([i]) for i in range(6)))
    assert validate_commitments(c, RP, p.commitments, CODE) is None
    wrong_parent = PersistedValidationData(b"\xee", 6, b"\xff" * 32, 1000)
    assert validate_commitments(c, RP, candidate(c).commitments, CODE) is None
    assert error_of(c, replace(p, persisted_validation_data=wrong_parent)).kind is (
        FK.PersistedValidationDataMismatch
    )
    assert validate_commitments(c, RP, p.commitments, OTHER_CODE) == FragmentValidityError(
        FK.ValidationCodeMismatch, expected=CODE, got=OTHER_CODE
    )


_P = PersistedValidationData(b"\x01", 6, b"\xff" * 32, 1000)
_COMMITS = CandidateCommitments(head_data=b"\x01", hrmp_watermark=6)


@pytest.mark.parametrize(
    ("build", "named"),
    [
        (
            lambda: HrmpWatermarkUpdate(7, head=1),
            ("HrmpWatermarkUpdate", "head", 1, "must be a bool"),
        ),
        (
            lambda: HrmpWatermarkUpdate(-1, head=True),
            ("HrmpWatermarkUpdate", "number", -1, "must be an int in 0..2**32-1"),
        ),
        (
            lambda: ModificationError("NoSuchHrmpChannel"),
            ("ModificationError", "kind", "NoSuchHrmpChannel", "must be a ModificationErrorKind"),
        ),
        (
            lambda: ModificationError(MK.NoSuchHrmpChannel, para_id=-1),
            ("ModificationError", "para_id", -1, "must be a non-negative int"),
        ),
        (
            lambda: ModificationError(MK.UmpBytesOverflow, remaining=1, submitted=-2),
            ("ModificationError", "submitted", -2, "must be a non-negative int"),
        ),
        (
            lambda: ProspectiveCandidate(None, _P, bytes(32), CODE),
            ("ProspectiveCandidate", "commitments", None, "must be a CandidateCommitments"),
        ),
        (
            lambda: ProspectiveCandidate(_COMMITS, b"pvd", bytes(32), CODE),
            (
                "ProspectiveCandidate",
                "persisted_validation_data",
                b"pvd",
                "must be a PersistedValidationData",
            ),
        ),
        (
            lambda: ProspectiveCandidate(_COMMITS, _P, b"\x01", CODE),
            ("ProspectiveCandidate", "pov_hash", b"\x01", "must be 32 bytes"),
        ),
        (
            lambda: ProspectiveCandidate(_COMMITS, _P, bytes(32), b"\x42"),
            ("ProspectiveCandidate", "validation_code_hash", b"\x42", "must be 32 bytes"),
        ),
        (
            lambda: FragmentValidityError("OutputsInvalid"),
            (
                "FragmentValidityError",
                "kind",
                "OutputsInvalid",
                "must be a FragmentValidityErrorKind",
            ),
        ),
        (
            lambda: FragmentValidityError(FK.HeadDataTooLarge, limit=-1, value=5),
            ("FragmentValidityError", "limit", -1, "must be a non-negative int"),
        ),
        (
            lambda: FragmentValidityError(FK.HeadDataTooLarge, limit=4, value=-5),
            ("FragmentValidityError", "value", -5, "must be a non-negative int"),
        ),
        (
            lambda: FragmentValidityError(FK.ValidationCodeMismatch, expected="code", got=CODE),
            (
                "FragmentValidityError",
                "expected",
                "code",
                "must be a bytes or PersistedValidationData",
            ),
        ),
        (
            lambda: FragmentValidityError(FK.ValidationCodeMismatch, expected=CODE, got=1),
            ("FragmentValidityError", "got", 1, "must be a bytes or PersistedValidationData"),
        ),
        (
            lambda: FragmentValidityError(FK.OutputsInvalid, modification="NoSuchHrmpChannel"),
            (
                "FragmentValidityError",
                "modification",
                "NoSuchHrmpChannel",
                "must be a ModificationError",
            ),
        ),
        (
            lambda: FragmentValidityError(FK.OutputsInvalid),
            (
                "FragmentValidityError",
                "modification",
                None,
                "is given for OutputsInvalid and only for it",
            ),
        ),
        (
            lambda: FragmentValidityError(
                FK.DmpAdvancementRule, modification=ModificationError(MK.NoSuchHrmpChannel)
            ),
            (
                "FragmentValidityError",
                "modification",
                ModificationError(MK.NoSuchHrmpChannel),
                "is given for OutputsInvalid and only for it",
            ),
        ),
    ],
)
def test_the_emulators_records_refuse_a_bad_field_naming_record_field_value_and_reason(
    build: Callable[[], object], named: tuple[str, str, object, str]
) -> None:
    assert refusal(build) == named
