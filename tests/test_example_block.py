from __future__ import annotations

from typing import Any

import pytest

from backable.core import (
    BackedCandidate,
    DigestPreRuntime,
    DigestSeal,
    Explicit,
    Header,
    Implicit,
    ParachainsInherentData,
    Seconded,
    SigningContext,
    Valid,
    bitfield_signing_payload,
    check_collator_signature,
    decode_paras_inherent_extrinsic,
    encode_paras_inherent_extrinsic,
    statement_signing_payload,
    verify_signature,
)
from backable.core.records.scale import Reader
from backable.core.records.signing import compact_statement_payload
from backable.shell.cli.example_block import (
    EXAMPLE,
    build_example_block,
    build_example_inherent,
    example_block_bytes,
    load_example_block,
)
from backable.shell.collaborators.keystore import keypair_from_uri

# The signed kinds of validity attestation: Implicit is a Seconded signature, Explicit a Valid.
_KIND = {Implicit: 1, Explicit: 2}


@pytest.fixture(scope="module")
def block() -> dict[str, Any]:
    return load_example_block()


@pytest.fixture(scope="module")
def inherent() -> ParachainsInherentData:
    return decode_paras_inherent_extrinsic(example_block_bytes())


def _context(inherent: ParachainsInherentData) -> SigningContext:
    return SigningContext(EXAMPLE.session_index, inherent.parent_header.hash())


def _unsealed(header: Header) -> Header:
    return Header(
        header.parent_hash,
        header.number,
        header.state_root,
        header.extrinsics_root,
        tuple(d for d in header.digest if not isinstance(d, DigestSeal)),
    )


def _shape(inherent: ParachainsInherentData) -> tuple[object, ...]:
    """Everything the builder fixes: all but signatures and what hashes over them."""
    parent = _unsealed(inherent.parent_header)
    bitfields = tuple((b.payload, b.validator_index) for b in inherent.bitfields)
    backed = tuple(
        (
            (d := b.candidate.descriptor).para_id,
            d.collator,
            d.persisted_validation_data_hash,
            d.pov_hash,
            d.erasure_root,
            d.para_head,
            d.validation_code_hash,
            b.candidate.commitments,
            tuple(type(v) for v in b.validity_votes),
            b.validator_indices,
        )
        for b in inherent.backed_candidates
    )
    return parent, bitfields, backed, inherent.disputes


def _core_and_group(backed: BackedCandidate) -> tuple[int, tuple[int, ...]]:
    core = backed.validator_indices.slice(len(backed.validator_indices) - 8, 1 << 32).as_int()
    return core, EXAMPLE.groups[core]


def test_the_shipped_block_has_the_real_blocks_json_shape(block: dict[str, Any]) -> None:
    assert set(block) == {"header", "extrinsics"}
    assert set(block["header"]) == {"parentHash", "number", "stateRoot", "extrinsicsRoot", "logs"}
    assert len(block["extrinsics"]) == 2
    assert all(x.startswith("0x") for x in block["extrinsics"])


def test_extrinsic_zero_is_a_well_formed_timestamp_set(block: dict[str, Any]) -> None:
    raw = bytes.fromhex(block["extrinsics"][0][2:])
    r = Reader(raw)
    assert r.compact() == r.remaining()
    assert r.take(3) == b"\x04\x03\x00"  # unsigned v4, Timestamp.set
    assert r.compact(64) == EXAMPLE.timestamp_ms
    assert r.remaining() == 0


def test_the_shipped_inherent_decodes_and_reencodes_byte_exact(
    inherent: ParachainsInherentData,
) -> None:
    assert encode_paras_inherent_extrinsic(inherent) == example_block_bytes()
    assert len(inherent.bitfields) == 10
    assert len(inherent.backed_candidates) == 3
    assert inherent.disputes == ()


def test_the_block_header_follows_the_inherents_parent_header(
    block: dict[str, Any], inherent: ParachainsInherentData
) -> None:
    parent = inherent.parent_header
    assert block["header"]["parentHash"] == "0x" + parent.hash().hex()
    assert block["header"]["number"] == parent.number + 1 == EXAMPLE.parent_number + 1


def test_the_parent_header_carries_a_babe_pre_digest_and_a_verifying_seal(
    inherent: ParachainsInherentData,
) -> None:
    parent = inherent.parent_header
    pre, seal = parent.digest
    assert isinstance(pre, DigestPreRuntime) and pre.engine == b"BABE"
    assert isinstance(seal, DigestSeal) and seal.engine == b"BABE"
    author = int.from_bytes(pre.data[1:5], "little")
    assert verify_signature(_unsealed(parent).hash(), seal.data, EXAMPLE.validators()[author])


def test_every_collator_signature_verifies(inherent: ParachainsInherentData) -> None:
    for backed in inherent.backed_candidates:
        descriptor = backed.candidate.descriptor
        assert check_collator_signature(descriptor)
        expected = keypair_from_uri(EXAMPLE.collator_uri(descriptor.para_id))[0]
        assert descriptor.collator == expected


def test_every_candidate_is_built_on_the_parent_block(inherent: ParachainsInherentData) -> None:
    for backed in inherent.backed_candidates:
        assert backed.candidate.descriptor.relay_parent == inherent.parent_header.hash()


def test_every_bitfield_is_signed_by_its_validator(inherent: ParachainsInherentData) -> None:
    validators = EXAMPLE.validators()
    context = _context(inherent)
    assert [b.validator_index for b in inherent.bitfields] == list(range(10))
    for bitfield in inherent.bitfields:
        payload = bitfield_signing_payload(bitfield.payload, context)
        assert verify_signature(payload, bitfield.signature, validators[bitfield.validator_index])
        other = validators[(bitfield.validator_index + 1) % 10]
        assert not verify_signature(payload, bitfield.signature, other)


def test_availability_counts_are_eight_five_zero_zero(inherent: ParachainsInherentData) -> None:
    counts = [sum(b.payload[k] for b in inherent.bitfields) for k in range(EXAMPLE.n_cores)]
    assert counts == [8, 5, 0, 0]


def test_every_validity_vote_is_signed_by_the_group_member_at_its_bit(
    inherent: ParachainsInherentData,
) -> None:
    validators = EXAMPLE.validators()
    context = _context(inherent)
    for backed in inherent.backed_candidates:
        _, group = _core_and_group(backed)
        bits = backed.validator_indices.slice(0, len(group))
        positions = list(bits.iter_ones())
        assert len(positions) == len(backed.validity_votes) >= 2
        for position, vote in zip(positions, backed.validity_votes, strict=True):
            payload = compact_statement_payload(_KIND[type(vote)], backed.hash(), context)
            assert verify_signature(payload, vote.signature, validators[group[position]])


def test_each_candidate_has_exactly_one_implicit_vote(inherent: ParachainsInherentData) -> None:
    for backed in inherent.backed_candidates:
        assert [type(v) for v in backed.validity_votes].count(Implicit) == 1


def test_the_core_index_bits_name_the_cores_of_the_scenario(
    inherent: ParachainsInherentData,
) -> None:
    cores = [_core_and_group(b)[0] for b in inherent.backed_candidates]
    assert cores == [core for core, _ in EXAMPLE.backed]
    paras = [b.candidate.descriptor.para_id for b in inherent.backed_candidates]
    assert paras == [EXAMPLE.paras[core] for core in cores]


def test_the_shipped_block_is_what_the_builder_makes_up_to_signatures(
    inherent: ParachainsInherentData,
) -> None:
    # Catches a shipped file gone stale against the builder.
    assert _shape(build_example_inherent()) == _shape(inherent)


def test_regenerated_blocks_differ_only_in_signatures() -> None:
    first = build_example_block()
    second = build_example_block()
    assert first["extrinsics"][0] == second["extrinsics"][0]
    one = decode_paras_inherent_extrinsic(bytes.fromhex(first["extrinsics"][1][2:]))
    two = decode_paras_inherent_extrinsic(bytes.fromhex(second["extrinsics"][1][2:]))
    assert _shape(one) == _shape(two)
    assert one.bitfields[0].signature != two.bitfields[0].signature


def test_a_freshly_built_block_verifies_like_the_shipped_one() -> None:
    fresh = build_example_inherent()
    context = _context(fresh)
    validators = EXAMPLE.validators()
    for backed in fresh.backed_candidates:
        assert check_collator_signature(backed.candidate.descriptor)
        _, group = _core_and_group(backed)
        positions = backed.validator_indices.slice(0, len(group)).iter_ones()
        for position, vote in zip(positions, backed.validity_votes, strict=True):
            statement = (
                Seconded(backed.candidate) if isinstance(vote, Implicit) else Valid(backed.hash())
            )
            payload = statement_signing_payload(statement, context)
            assert verify_signature(payload, vote.signature, validators[group[position]])
