# Candidate entries and their storage (core/prospective/candidates.py): an entry from a receipt
# and its validation data, both refusals as data, the record's own consistency checks, and the
# storage's updates and lookups (polkadot-sdk's `candidate_storage_methods`, re-expressed).
from __future__ import annotations

from dataclasses import replace

import pytest
from pyrsistent import PMap, pmap

from backable.core import (
    CandidateEntry,
    CandidateEntryError,
    CandidateState,
    CandidateStorage,
    PersistedValidationData,
    blake2_256,
    head_data_hash,
    scheduling_parent,
)
from tests.builders import refusal
from tests.prospective_builders import PARA, block, entry, receipt

RP = block(8, 0x45)


def test_head_data_is_hashed_as_raw_bytes() -> None:
    assert head_data_hash(b"\x01\x02\x03") == blake2_256(b"\x01\x02\x03")
    assert head_data_hash(b"\x01\x02\x03") != blake2_256(b"\x0c\x01\x02\x03")


def test_an_entry_takes_its_fields_from_receipt_and_validation_data() -> None:
    pvd, r = receipt(RP, b"\x04\x05\x06", b"\x01\x02\x03", 7)
    made = CandidateEntry.new(r, pvd)
    assert isinstance(made, CandidateEntry)
    assert made.candidate_hash == r.hash()
    assert made.parent_head_data_hash == blake2_256(b"\x04\x05\x06")
    assert made.output_head_data_hash == blake2_256(b"\x01\x02\x03")
    assert (made.relay_parent, made.scheduling_parent, made.para_id) == (RP.hash, RP.hash, PARA)
    assert made.state is CandidateState.SECONDED
    assert made.candidate.commitments == r.commitments
    assert made.candidate.persisted_validation_data == pvd
    assert made.candidate.pov_hash == r.descriptor.pov_hash
    assert made.candidate.validation_code_hash == r.descriptor.validation_code_hash
    assert made.relay_parent_info() == RP


def test_a_v3_entry_keeps_its_own_scheduling_parent() -> None:
    pvd, r = receipt(RP, b"\x04", b"\x05", scheduling_parent=b"\x77" * 32)
    made = CandidateEntry.new(r, pvd, CandidateState.BACKED)
    assert isinstance(made, CandidateEntry)
    assert made.scheduling_parent == b"\x77" * 32 == scheduling_parent(r.descriptor)
    assert made.relay_parent == RP.hash
    assert made.state is CandidateState.BACKED


def test_validation_data_the_descriptor_does_not_commit_to_makes_no_entry() -> None:
    pvd, r = receipt(RP, b"\x04\x05\x06", b"\x01\x02\x03")
    wrong = replace(pvd, max_pov_size=0)
    assert CandidateEntry.new(r, wrong) is CandidateEntryError.PersistedValidationDataMismatch


def test_a_candidate_whose_output_is_its_parent_makes_no_entry() -> None:
    pvd, r = receipt(RP, b"\x01" * 10, b"\x01" * 10)
    assert CandidateEntry.new(r, pvd) is CandidateEntryError.ZeroLengthCycle


def test_the_validation_data_is_checked_before_the_cycle() -> None:
    pvd, r = receipt(RP, b"\x01" * 10, b"\x01" * 10)
    assert CandidateEntry.new(r, replace(pvd, max_pov_size=0)) is (
        CandidateEntryError.PersistedValidationDataMismatch
    )


def test_an_entry_built_by_hand_must_name_its_own_heads() -> None:
    good = entry(RP, b"\x04", b"\x05")
    assert refusal(lambda: replace(good, parent_head_data_hash=bytes(32))) == (
        "CandidateEntry",
        "parent_head_data_hash",
        bytes(32),
        "must be the hash of the validation data's parent head",
    )
    assert refusal(lambda: replace(good, output_head_data_hash=bytes(32))) == (
        "CandidateEntry",
        "output_head_data_hash",
        bytes(32),
        "must be the hash of the commitments' head data",
    )
    cyclic = replace(
        good.candidate,
        persisted_validation_data=PersistedValidationData(b"\x05", 8, bytes(32), 1_000_000),
    )
    assert refusal(
        lambda: replace(good, candidate=cyclic, parent_head_data_hash=head_data_hash(b"\x05"))
    ) == (
        "CandidateEntry",
        "output_head_data_hash",
        head_data_hash(b"\x05"),
        "equals the parent head's",
    )


GOOD = entry(RP, b"\x04", b"\x05")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("candidate_hash", b"\x01", "must be 32 bytes"),
        ("relay_parent", bytes(31), "must be 32 bytes"),
        ("scheduling_parent", b"", "must be 32 bytes"),
        ("para_id", -1, "must be an int in 0..2**32-1"),
        ("candidate", "candidate", "must be a ProspectiveCandidate"),
        ("state", "Backed", "must be a CandidateState"),
    ],
)
def test_an_entry_built_by_hand_refuses_a_malformed_field(
    field: str, value: object, reason: str
) -> None:
    assert refusal(lambda: replace(GOOD, **{field: value})) == (
        "CandidateEntry",
        field,
        value,
        reason,
    )


@pytest.mark.parametrize(
    ("argument", "value", "reason"),
    [
        ("receipt", "receipt", "must be a CommittedCandidateReceipt"),
        ("persisted_validation_data", b"pvd", "must be a PersistedValidationData"),
        ("state", "Backed", "must be a CandidateState"),
    ],
)
def test_building_an_entry_refuses_an_argument_of_the_wrong_type(
    argument: str, value: object, reason: str
) -> None:
    pvd, r = receipt(RP, b"\x04", b"\x05")
    arguments: dict[str, object] = {"receipt": r, "persisted_validation_data": pvd}
    arguments[argument] = value
    assert refusal(lambda: CandidateEntry.new(**arguments)) == (  # type: ignore[arg-type]
        "CandidateEntry",
        argument,
        value,
        reason,
    )


def test_an_entry_shows_a_short_form() -> None:
    # The candidate hash cut to 12 hex digits, the head hashes to 8.
    candidate, parent, output = (
        GOOD.candidate_hash.hex(),
        head_data_hash(b"\x04").hex(),
        head_data_hash(b"\x05").hex(),
    )
    assert repr(GOOD) == (
        f"CandidateEntry(0x{candidate[:12]}, para={PARA}, Seconded,"
        f" parent=0x{parent[:8]}, output=0x{output[:8]})"
    )


# -- the storage -------------------------------------------------------------------------------


def test_the_storage_adds_marks_and_removes_candidates() -> None:
    a = entry(RP, b"\x04\x05\x06", b"\x01\x02\x03", 7)
    parent, output = a.parent_head_data_hash, a.output_head_data_hash
    storage = CandidateStorage()
    assert not storage.contains(a.candidate_hash)
    assert storage.possible_backed_children(parent) == ()
    assert storage.head_data_by_hash(output) is None
    assert storage.head_data_by_hash(parent) is None

    storage = storage.add(a)
    assert storage.contains(a.candidate_hash) and len(storage) == 1
    assert storage.get(a.candidate_hash) == a
    # Seconded candidates are not children a chain can take.
    assert storage.possible_backed_children(parent) == ()
    assert storage.head_data_by_hash(output) == b"\x01\x02\x03"
    assert storage.head_data_by_hash(parent) == b"\x04\x05\x06"

    backed = storage.mark_backed(a.candidate_hash)
    assert backed.mark_backed(a.candidate_hash) is backed
    assert backed.possible_backed_children(parent) == (replace(a, state=CandidateState.BACKED),)
    assert backed.possible_backed_children(output) == ()

    # Adding a known hash changes nothing (Rust's CandidateAlreadyKnown).
    assert backed.add(a) is backed

    emptied = backed.remove(a.candidate_hash)
    assert emptied.remove(a.candidate_hash) is emptied
    assert not emptied.contains(a.candidate_hash)
    assert emptied == CandidateStorage()
    assert emptied.head_data_by_hash(output) is None


def test_forks_on_one_parent_are_all_children_of_it_in_hash_order() -> None:
    a = entry(RP, b"\x04\x05\x06", b"\x01\x02\x03", 7, CandidateState.BACKED)
    b = entry(RP, b"\x04\x05\x06", b"\x02\x03\x04", 7)
    storage = CandidateStorage.of([a, b])
    assert storage.possible_backed_children(a.parent_head_data_hash) == (a,)
    both = storage.mark_backed(b.candidate_hash)
    children = both.possible_backed_children(a.parent_head_data_hash)
    assert [e.candidate_hash for e in children] == sorted([a.candidate_hash, b.candidate_hash])
    assert both.by_parent_head == pmap(
        {a.parent_head_data_hash: frozenset({a.candidate_hash, b.candidate_hash})}
    )
    assert [e.candidate_hash for e in both.entries()] == sorted(
        [a.candidate_hash, b.candidate_hash]
    )
    without_a = both.remove(a.candidate_hash)
    assert without_a.by_parent_head == pmap(
        {b.parent_head_data_hash: frozenset({b.candidate_hash})}
    )
    assert without_a.by_output_head == pmap(
        {b.output_head_data_hash: frozenset({b.candidate_hash})}
    )


def test_a_storage_built_by_hand_must_index_its_entries() -> None:
    a = entry(RP, b"\x04", b"\x05")
    by_hand = CandidateStorage(
        {a.candidate_hash: a},
        {a.parent_head_data_hash: {a.candidate_hash}},
        {a.output_head_data_hash: frozenset({a.candidate_hash})},
    )
    # Plain dicts and sets are kept as persistent maps and frozensets: the record is immutable.
    assert by_hand == CandidateStorage.of([a])
    assert isinstance(by_hand.by_candidate_hash, PMap)
    assert hash(by_hand) == hash(CandidateStorage.of([a]))
    assert refusal(lambda: CandidateStorage({a.candidate_hash: a}, {}, {})) == (
        "CandidateStorage",
        "by_parent_head",
        {},
        "disagrees with the entries",
    )
    parents = {a.parent_head_data_hash: {a.candidate_hash}}
    assert refusal(lambda: CandidateStorage({a.candidate_hash: a}, parents, {})) == (
        "CandidateStorage",
        "by_output_head",
        {},
        "disagrees with the entries",
    )
    assert refusal(lambda: CandidateStorage({bytes(32): "entry"})) == (  # type: ignore[dict-item]
        "CandidateStorage",
        f"by_candidate_hash[{bytes(32)!r}]",
        "entry",
        "must be a CandidateEntry",
    )
    assert refusal(lambda: CandidateStorage().add("entry")) == (  # type: ignore[arg-type]
        "CandidateStorage",
        "entry",
        "entry",
        "must be a CandidateEntry",
    )
    assert refusal(lambda: CandidateStorage({bytes(32): a})) == (
        "CandidateStorage",
        "by_candidate_hash",
        bytes(32),
        "wrong key",
    )
