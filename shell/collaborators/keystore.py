# The keystore: sr25519 key pairs made from seeds or Substrate secret URIs, and the signing of
# what a validator signs (backing statements, availability bitfields, anything else as bytes).
# It belongs in the shell because it holds secrets and signing draws randomness (schnorrkel's
# nonce); the core only builds payloads and verifies.
#
# Secret URIs follow sp_core's `Pair::from_string_with_seed` (substrate `crypto.rs`):
#     [phrase or 0x<hex seed>] [ /soft | //hard junctions ... ] [ ///password ]
# An absent phrase means Substrate's development phrase, so `//Alice` is the well-known dev key.
# A phrase is a BIP39 English mnemonic; its *entropy* (not the BIP39 seed) goes through
# PBKDF2-HMAC-SHA512 with salt "mnemonic" + password, and the first 32 bytes are the mini secret
# (substrate-bip39 `mini_secret_from_entropy`).
from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from importlib import resources

import sr25519

from backable.core import (
    BackableError,
    BitVec,
    SignedAvailabilityBitfield,
    SignedStatement,
    SigningContext,
    bitfield_signing_payload,
    blake2_256,
    statement_signing_payload,
    verify_signature,
)
from backable.core.records.scale import encode_compact
from backable.core.records.statements import AnyStatement

__all__ = [
    "DEV_PHRASE",
    "Keystore",
    "KeystoreError",
    "keypair_from_seed",
    "keypair_from_uri",
    "mini_secret_from_phrase",
]

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"

# sp_core's SECRET_PHRASE_REGEX and JUNCTION_REGEX, transcribed.
_SECRET_URI = re.compile(r"^(?P<phrase>[\d\w ]+)?(?P<path>(//?[^/]+)*)(///(?P<password>.*))?$")
_JUNCTION = re.compile(r"/(/?[^/]+)")

_BIP39_WORD_COUNTS = (12, 15, 18, 21, 24)
_PBKDF2_ROUNDS = 2048
_U64_LIMIT = 1 << 64
_U64_TEXT = re.compile(r"\+?[0-9]+")  # what Rust's `str::parse::<u64>` accepts

KeyPair = tuple[bytes, bytes]  # (public 32 bytes, secret 64 bytes)


class KeystoreError(BackableError, ValueError):
    """A malformed seed, URI or mnemonic, or a request for a key the keystore does not hold."""


# --- typed wrappers around the untyped binding ----------------------------------------------


def _pair_from_seed(seed: bytes) -> KeyPair:
    public, secret = sr25519.pair_from_seed(seed)
    return bytes(public), bytes(secret)


def _derive(pair: KeyPair, chain_code: bytes, hard: bool) -> KeyPair:
    derive = sr25519.hard_derive_keypair if hard else sr25519.derive_keypair
    _, public, secret = derive((chain_code, pair[0], pair[1]), b"")
    return bytes(public), bytes(secret)


def _sign(pair: KeyPair, message: bytes) -> bytes:
    return bytes(sr25519.sign(pair, message))


# --- BIP39 ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _wordlist() -> dict[str, int]:
    text = resources.files("backable.shell").joinpath("data/bip39_english.txt").read_text("utf-8")
    words = text.split()
    if len(words) != 2048:
        # A truncated or edited list would silently derive other keys; refuse it instead.
        raise RuntimeError(f"shell/data/bip39_english.txt holds {len(words)} words, not 2048")
    return {w: i for i, w in enumerate(words)}


def _phrase_entropy(phrase: str) -> bytes:
    # BIP39: 11 bits per word; the last words/3 bits are the first bits of SHA-256(entropy).
    words = phrase.split()
    if len(words) not in _BIP39_WORD_COUNTS:
        raise KeystoreError(
            f"mnemonic phrase has {len(words)} words; BIP39 allows 12, 15, 18, 21 or 24"
        )
    index = _wordlist()
    bits = 0
    for position, word in enumerate(words, 1):
        if word not in index:
            raise KeystoreError(
                f"mnemonic word {position} ({word!r}) is not in the BIP39 English list"
            )
        bits = bits << 11 | index[word]
    checksum_len = len(words) // 3
    entropy_len = len(words) * 11 - checksum_len
    entropy = (bits >> checksum_len).to_bytes(entropy_len // 8, "big")
    checksum = bits & ((1 << checksum_len) - 1)
    expected = hashlib.sha256(entropy).digest()[0] >> (8 - checksum_len)
    if checksum != expected:
        raise KeystoreError(
            "mnemonic phrase fails its BIP39 checksum (a mistyped or reordered word?)"
        )
    return entropy


@functools.lru_cache(maxsize=16)
def mini_secret_from_phrase(phrase: str, password: str = "") -> bytes:
    """The 32-byte sr25519 mini secret of a BIP39 phrase, as Substrate derives it.

    PBKDF2-HMAC-SHA512 over the phrase's entropy with salt `"mnemonic" + password`, 2048 rounds,
    first 32 bytes (substrate-bip39 `mini_secret_from_entropy`). Raises KeystoreError on a
    phrase that is not valid BIP39 English.

    A pure function, and slow by design (~4 ms): cached for the last 16 phrases, since every
    `//Name` URI of the development phrase starts from the same mini secret (a simulation
    derives hundreds of collator keys from it). The keystore holds the derived secrets in
    memory anyway; the cache adds the phrases' mini secrets to them.
    """
    entropy = _phrase_entropy(phrase)
    salt = b"mnemonic" + password.encode("utf-8")
    return hashlib.pbkdf2_hmac("sha512", entropy, salt, _PBKDF2_ROUNDS)[:32]


# --- secret URIs ----------------------------------------------------------------------------


def _chain_code(junction: str) -> bytes:
    # sp_core DeriveJunction: a u64 if the text parses as one ("+7" and "007" do), else the
    # SCALE string; then
    # right-padded to 32 bytes, or hashed if longer.
    if _U64_TEXT.fullmatch(junction) and int(junction) < _U64_LIMIT:
        encoded = int(junction).to_bytes(8, "little")
    else:
        raw = junction.encode("utf-8")
        encoded = encode_compact(len(raw)) + raw
    if len(encoded) > 32:
        return blake2_256(encoded)
    return encoded.ljust(32, b"\x00")


def keypair_from_seed(seed: bytes) -> KeyPair:
    """The sr25519 pair `(public, secret)` of a 32-byte mini secret."""
    if not isinstance(seed, bytes | bytearray) or len(seed) != 32:
        shown = len(seed) if isinstance(seed, bytes | bytearray) else type(seed).__name__
        raise KeystoreError(f"seed must be 32 bytes, got {shown}")
    return _pair_from_seed(bytes(seed))


def keypair_from_uri(uri: str) -> KeyPair:
    """The sr25519 pair of a Substrate secret URI (`//Alice`, `<phrase>//hard/soft///pw`,
    `0x<64 hex>//path`), derived exactly as sp_core's `from_string_with_seed` does.

    As in Substrate, a password applies only to a phrase; with a hex seed it is ignored.
    """
    match = _SECRET_URI.match(uri) if isinstance(uri, str) else None
    if match is None:
        raise KeystoreError(
            f"malformed secret URI {uri!r}: expected [phrase|0x<seed>][/soft|//hard][///password]"
        )
    phrase = match.group("phrase")
    password = match.group("password") or ""
    if phrase is None:
        phrase = DEV_PHRASE
    if phrase.startswith("0x"):
        try:
            seed = bytes.fromhex(phrase[2:])
        except ValueError:
            raise KeystoreError(f"secret URI seed {phrase!r} is not hex") from None
        if len(seed) != 32:
            raise KeystoreError(f"secret URI seed {phrase!r} is {len(seed)} bytes, not 32")
        pair = _pair_from_seed(seed)
    else:
        pair = _pair_from_seed(mini_secret_from_phrase(phrase, password))
    for step in _JUNCTION.findall(match.group("path")):
        hard = step.startswith("/")
        pair = _derive(pair, _chain_code(step[1:] if hard else step), hard)
    return pair


# --- the keystore ---------------------------------------------------------------------------


class Keystore:
    """sr25519 key pairs by public key, in insertion order, and the signing a validator does.

    The secret keys never appear in a repr. sr25519 signatures are randomised: two signatures of
    one message differ, and both verify.

    It counts the signature work done through it: `signed`, the signatures it made (`sign` and
    everything built on it), and `verified`, the checks made with `verify` (any key's, not only
    its own), so a caller can say how many sr25519 operations a run cost.
    """

    __slots__ = ("_pairs", "signed", "verified")

    def __init__(self) -> None:
        self._pairs: dict[bytes, KeyPair] = {}
        self.signed = 0
        self.verified = 0

    @classmethod
    def from_uris(cls, uris: Iterable[str]) -> Keystore:
        """A keystore holding the key of each secret URI, in order."""
        store = cls()
        for uri in uris:
            store.add_uri(uri)
        return store

    @classmethod
    def from_seeds(cls, seeds: Iterable[bytes]) -> Keystore:
        """A keystore holding the key of each 32-byte seed, in order."""
        store = cls()
        for seed in seeds:
            store.add_seed(seed)
        return store

    def add_seed(self, seed: bytes) -> bytes:
        """Add the key of a 32-byte mini secret; returns its public key."""
        return self._add(keypair_from_seed(seed))

    def add_uri(self, uri: str) -> bytes:
        """Add the key of a Substrate secret URI; returns its public key."""
        return self._add(keypair_from_uri(uri))

    def _add(self, pair: KeyPair) -> bytes:
        # Adding a key twice keeps its first position (setdefault), so order stays stable.
        self._pairs.setdefault(pair[0], pair)
        return pair[0]

    def public_keys(self) -> tuple[bytes, ...]:
        """The public keys held, in the order they were added."""
        return tuple(self._pairs)

    def __contains__(self, public: object) -> bool:
        return public in self._pairs

    def __len__(self) -> int:
        return len(self._pairs)

    def __repr__(self) -> str:
        keys = ", ".join(f"0x{k.hex()[:16]}.." for k in self._pairs)
        return f"Keystore([{keys}])"

    def _pair(self, public: bytes) -> KeyPair:
        pair = self._pairs.get(public) if isinstance(public, bytes) else None
        if pair is None:
            shown = f"0x{public.hex()}" if isinstance(public, bytes) else repr(public)
            raise KeystoreError(f"keystore holds no key for public key {shown}")
        return pair

    def sign(self, public: bytes, message: bytes) -> bytes:
        """The sr25519 signature (context `substrate`) of `message` by the key `public`."""
        signature = _sign(self._pair(public), bytes(message))
        self.signed += 1
        return signature

    def verify(self, message: bytes, signature: bytes, public: bytes) -> bool:
        """`verify_signature`, counted in `verified`: whether `signature` by `public` (any
        validator's key, held here or not) covers `message`."""
        self.verified += 1
        return verify_signature(message, signature, public)

    def find_validator(self, validators: Sequence[bytes]) -> tuple[int, bytes] | None:
        """The first position in `validators` whose key we hold, with that key; None if none.

        The first match wins, as the node's `signing_key_and_index` does (polkadot@c4ee9d46
        node/subsystem-util/src/lib.rs).
        """
        if len(self._pairs) * 8 < len(validators):
            # A few keys (a validator's own) among many: look each up (`index` compares in C)
            # rather than asking the keystore about every validator in turn.
            first: int | None = None
            for public in self._pairs:
                try:
                    index = validators.index(public, 0, len(validators) if first is None else first)
                except ValueError:
                    continue
                first = index
            return None if first is None else (first, validators[first])
        for index, public in enumerate(validators):
            if public in self._pairs:
                return index, public
        return None

    def sign_statement(
        self,
        public: bytes,
        statement: AnyStatement,
        context: SigningContext,
        validator_index: int,
    ) -> SignedStatement:
        """Sign a backing statement over its compact form (`statement_signing_payload`)."""
        signature = self.sign(public, statement_signing_payload(statement, context))
        return SignedStatement(statement, validator_index, signature)

    def sign_bitfield(
        self,
        public: bytes,
        bitfield: BitVec,
        context: SigningContext,
        validator_index: int,
    ) -> SignedAvailabilityBitfield:
        """Sign an availability bitfield (`bitfield_signing_payload`: SCALE bits, then context)."""
        signature = self.sign(public, bitfield_signing_payload(bitfield, context))
        return SignedAvailabilityBitfield(bitfield, validator_index, signature)
