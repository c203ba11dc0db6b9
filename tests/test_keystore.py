from __future__ import annotations

import hashlib
from importlib import resources

import pytest

from backable.core import (
    BitVec,
    CandidateCommitments,
    CommittedCandidateReceipt,
    Invalid,
    Seconded,
    SigningContext,
    Valid,
    bitfield_signing_payload,
    statement_signing_payload,
    verify_signature,
)
from backable.core.errors import BackableError
from backable.core.records.statements import AnyStatement
from backable.shell import Keystore, KeystoreError
from backable.shell.collaborators.keystore import (
    DEV_PHRASE,
    keypair_from_uri,
    mini_secret_from_phrase,
)
from tests import builders

ALICE = bytes.fromhex("d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d")
BOB = bytes.fromhex("8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48")
ALICE_STASH = bytes.fromhex("be5ddb1579b72e84524fc29e78609e3caf42e85aa118ebfe0b0ad404b5bdd25f")
DEV_ROOT = bytes.fromhex("46ebddef8cd9bb167dc30878d7113b7e168e6f0646beffd77d69d39bad76b47a")
# Substrate's well-known mini secret of the dev phrase (`subkey inspect` of the bare phrase).
DEV_SEED = "fac7959dbfe72f052e5a0c3c8d6530f202b02fd8f9f5ca3580ec8deb7797479e"

CONTEXT = SigningContext(7, bytes(range(32)))


def _flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _candidate() -> CommittedCandidateReceipt:
    descriptor = builders.descriptor(para_id=2000)
    return CommittedCandidateReceipt(descriptor, CandidateCommitments(head_data=b"head"))


# --- derivation vectors ---------------------------------------------------------------------


def test_alice_is_substrates_dev_key() -> None:
    assert Keystore().add_uri("//Alice") == ALICE


def test_bob_is_substrates_dev_key() -> None:
    assert Keystore().add_uri("//Bob") == BOB


def test_the_bare_dev_phrase_gives_the_dev_root_key() -> None:
    assert keypair_from_uri(DEV_PHRASE)[0] == DEV_ROOT


def test_an_empty_uri_means_the_dev_phrase_as_in_substrate() -> None:
    assert keypair_from_uri("")[0] == DEV_ROOT


def test_the_dev_phrase_has_substrates_mini_secret() -> None:
    assert mini_secret_from_phrase(DEV_PHRASE).hex() == DEV_SEED


def test_a_chain_of_hard_junctions_gives_alice_stash() -> None:
    assert keypair_from_uri("//Alice//stash")[0] == ALICE_STASH


def test_an_explicit_dev_phrase_and_an_omitted_one_derive_alike() -> None:
    assert keypair_from_uri(DEV_PHRASE + "//Alice")[0] == ALICE


def test_a_hex_seed_uri_is_the_mini_secret_itself() -> None:
    assert keypair_from_uri("0x" + DEV_SEED)[0] == DEV_ROOT
    assert keypair_from_uri("0x" + DEV_SEED + "//Alice")[0] == ALICE


def test_add_seed_matches_the_hex_seed_uri() -> None:
    assert Keystore().add_seed(bytes.fromhex(DEV_SEED)) == DEV_ROOT


def test_soft_and_hard_junctions_derive_different_keys() -> None:
    soft = keypair_from_uri("/Alice")[0]
    hard = keypair_from_uri("//Alice")[0]
    assert soft != hard
    assert soft != DEV_ROOT


def test_a_numeric_junction_differs_from_the_same_text_as_a_string() -> None:
    # "//1" is the u64 1; there is no way to write the string "1" as a junction, so compare
    # against a neighbour to show the index is used at all.
    assert keypair_from_uri("//1")[0] != keypair_from_uri("//2")[0]
    assert keypair_from_uri("//1")[0] != keypair_from_uri("//01x")[0]


def test_a_junction_that_reads_as_a_u64_is_the_number_as_rust_parses_it() -> None:
    # Rust's `str::parse::<u64>` takes a leading '+' and leading zeros: all three are index 7.
    assert keypair_from_uri("//7")[0] == keypair_from_uri("//+7")[0] == keypair_from_uri("//007")[0]
    # Past u64 the text is a string junction, so it differs from its value modulo 2**64.
    assert keypair_from_uri(f"//{2**64}")[0] != keypair_from_uri("//0")[0]


def test_a_password_changes_the_key() -> None:
    assert keypair_from_uri("//Alice///secret")[0] != ALICE
    assert keypair_from_uri("//Alice///secret")[0] != keypair_from_uri("//Alice///other")[0]


def test_derivation_is_deterministic() -> None:
    uri = "//Alice/soft//hard///pw"
    assert keypair_from_uri(uri) == keypair_from_uri(uri)


# --- malformed input ------------------------------------------------------------------------


def test_a_bad_mnemonic_checksum_is_refused_by_name() -> None:
    words = DEV_PHRASE.split()
    words[-1] = "abandon"
    with pytest.raises(KeystoreError, match="checksum"):
        keypair_from_uri(" ".join(words))


def test_an_unknown_mnemonic_word_is_refused_naming_the_word() -> None:
    with pytest.raises(KeystoreError, match="'bottomm'"):
        keypair_from_uri(DEV_PHRASE.replace("bottom", "bottomm"))


def test_a_wrong_word_count_is_refused() -> None:
    with pytest.raises(KeystoreError, match="11 words"):
        keypair_from_uri(" ".join(DEV_PHRASE.split()[:11]))


def test_a_short_hex_seed_is_refused() -> None:
    with pytest.raises(KeystoreError, match="not 32"):
        keypair_from_uri("0x1234//Alice")


def test_a_non_hex_seed_is_refused() -> None:
    with pytest.raises(KeystoreError, match="not hex"):
        keypair_from_uri("0x" + "zz" * 32)


def test_a_malformed_uri_is_refused() -> None:
    with pytest.raises(KeystoreError, match="malformed secret URI"):
        keypair_from_uri("//Alice!/")


def test_a_seed_of_the_wrong_length_is_refused() -> None:
    with pytest.raises(KeystoreError, match="32 bytes"):
        Keystore().add_seed(b"\x00" * 31)


def test_keystore_errors_are_library_errors_and_value_errors() -> None:
    assert issubclass(KeystoreError, BackableError)
    assert issubclass(KeystoreError, ValueError)


def test_signing_with_an_unknown_key_names_the_key() -> None:
    store = Keystore.from_uris(["//Alice"])
    with pytest.raises(KeystoreError, match=BOB.hex()):
        store.sign(BOB, b"message")


# --- the keystore -----------------------------------------------------------------------------


def test_public_keys_keep_insertion_order_and_ignore_repeats() -> None:
    store = Keystore.from_uris(["//Bob", "//Alice", "//Bob"])
    assert store.public_keys() == (BOB, ALICE)
    assert len(store) == 2
    assert ALICE in store
    assert DEV_ROOT not in store


def test_from_seeds_holds_each_seed() -> None:
    store = Keystore.from_seeds([bytes.fromhex(DEV_SEED)])
    assert store.public_keys() == (DEV_ROOT,)


def test_the_repr_shows_no_secret() -> None:
    store = Keystore.from_uris(["//Alice"])
    secret = keypair_from_uri("//Alice")[1]
    assert secret.hex()[:16] not in repr(store)
    assert ALICE.hex()[:16] in repr(store)


def test_find_validator_returns_the_first_position_whose_key_we_hold() -> None:
    store = Keystore.from_uris(["//Alice", "//Bob"])
    validators = (DEV_ROOT, BOB, ALICE, BOB)
    assert store.find_validator(validators) == (1, BOB)


def test_find_validator_returns_none_when_no_key_is_held() -> None:
    assert Keystore.from_uris(["//Alice"]).find_validator((BOB, DEV_ROOT)) is None


def test_a_plain_signature_verifies_and_is_randomised() -> None:
    store = Keystore.from_uris(["//Alice"])
    first = store.sign(ALICE, b"hello")
    second = store.sign(ALICE, b"hello")
    assert first != second
    assert verify_signature(b"hello", first, ALICE)
    assert verify_signature(b"hello", second, ALICE)
    assert not verify_signature(b"hello", first, BOB)


# --- statements and bitfields -------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [Seconded(_candidate()), Valid(b"\x09" * 32), Invalid(b"\x0a" * 32)],
    ids=["seconded", "valid", "invalid"],
)
def test_a_signed_statement_verifies_over_its_payload(statement: AnyStatement) -> None:
    store = Keystore.from_uris(["//Alice"])
    signed = store.sign_statement(ALICE, statement, CONTEXT, 3)
    assert signed.statement == statement
    assert signed.validator_index == 3
    payload = statement_signing_payload(signed.statement, CONTEXT)
    assert verify_signature(payload, signed.signature, ALICE)


def test_a_statement_signature_fails_on_any_flipped_bit() -> None:
    store = Keystore.from_uris(["//Alice"])
    signed = store.sign_statement(ALICE, Valid(b"\x09" * 32), CONTEXT, 0)
    payload = statement_signing_payload(signed.statement, CONTEXT)
    assert not verify_signature(_flip(payload, 40), signed.signature, ALICE)
    assert not verify_signature(payload, _flip(signed.signature, 7), ALICE)
    other_context = SigningContext(CONTEXT.session_index + 1, CONTEXT.parent_hash)
    assert not verify_signature(
        statement_signing_payload(signed.statement, other_context), signed.signature, ALICE
    )
    other_parent = SigningContext(CONTEXT.session_index, _flip(CONTEXT.parent_hash, 0))
    assert not verify_signature(
        statement_signing_payload(signed.statement, other_parent), signed.signature, ALICE
    )


def test_a_signed_bitfield_verifies_over_its_payload() -> None:
    store = Keystore.from_uris(["//Bob"])
    bits = BitVec.from_str("1011")
    signed = store.sign_bitfield(BOB, bits, CONTEXT, 5)
    assert (signed.payload, signed.validator_index) == (bits, 5)
    assert verify_signature(bitfield_signing_payload(bits, CONTEXT), signed.signature, BOB)


def test_a_bitfield_signature_fails_on_other_bits_signature_or_context() -> None:
    store = Keystore.from_uris(["//Bob"])
    bits = BitVec.from_str("1011")
    signed = store.sign_bitfield(BOB, bits, CONTEXT, 5)
    assert not verify_signature(
        bitfield_signing_payload(BitVec.from_str("1010"), CONTEXT), signed.signature, BOB
    )
    assert not verify_signature(
        bitfield_signing_payload(bits, CONTEXT), _flip(signed.signature, 300), BOB
    )
    next_session = SigningContext(8, CONTEXT.parent_hash)
    assert not verify_signature(bitfield_signing_payload(bits, next_session), signed.signature, BOB)
    assert not verify_signature(bitfield_signing_payload(bits, CONTEXT), signed.signature, ALICE)


def test_the_shipped_wordlist_is_the_bip39_english_list_unchanged() -> None:
    # The SHA-256 published with BIP39's English list; any edit would derive other keys.
    text = resources.files("backable.shell").joinpath("data/bip39_english.txt").read_bytes()
    assert hashlib.sha256(text).hexdigest() == (
        "2f5eed53a4727b4bf8880d8f3f199efc90e58503646d9ff8eff3a2ed3b24dbda"
    )


def test_the_keystore_counts_what_it_signs_and_verifies() -> None:
    keys = Keystore.from_uris(["//Alice"])
    (alice,) = keys.public_keys()
    assert (keys.signed, keys.verified) == (0, 0)
    signature = keys.sign(alice, b"message")
    assert keys.verify(b"message", signature, alice)
    assert not keys.verify(b"other", signature, alice)
    with pytest.raises(KeystoreError):
        keys.sign(bytes(32), b"message")  # no key held: nothing signed
    assert (keys.signed, keys.verified) == (1, 2)


def test_find_validator_among_many_finds_the_first_position_of_any_held_key() -> None:
    # A few keys among many validators are looked up one by one (`index`): the first position
    # of any of them still wins, whatever order the keystore holds them in.
    store = Keystore.from_uris(["//Bob", "//Alice"])
    others = [bytes([i]) * 32 for i in range(40)]
    validators = (*others[:10], ALICE, *others[10:20], BOB, ALICE, *others[20:])
    assert store.find_validator(validators) == (10, ALICE)
    assert store.find_validator(tuple(others)) is None
    assert store.find_validator((*others, BOB)) == (40, BOB)
