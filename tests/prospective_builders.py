# Builders shared by the prospective-parachains tests (tests/test_constraints.py,
# test_candidates.py, test_fragment_chain.py, test_view.py) and the fragment-chain state machine:
# constraints with every field spelled out, relay blocks named by one byte, and candidates built
# on a parent head with the validation data that matches them. The defaults follow the helpers
# of polkadot-sdk's fragment_chain/tests.rs (`make_constraints`, `make_committed_candidate`):
# ten downward messages waiting since block 0 and one processed per candidate, no outbound
# channels, generous sizes.
from __future__ import annotations

from collections.abc import Callable

from backable.core import (
    CandidateCommitments,
    CandidateDescriptor,
    CandidateEntry,
    CandidateState,
    CommittedCandidateReceipt,
    Constraints,
    PersistedValidationData,
    RelayChainBlockInfo,
    candidate_descriptor_v3,
)
from tests.builders import descriptor

PARA = 2000
CODE = b"\x2a" * 32
ROOT = bytes(32)
MAX_POV = 1_000_000


def block(number: int, tag: int | None = None) -> RelayChainBlockInfo:
    """Relay block `number`, its hash all `tag` bytes (the number by default)."""
    return RelayChainBlockInfo(bytes([number if tag is None else tag]) * 32, number, ROOT)


def constraints(
    min_relay_parent_number: int = 0,
    valid_watermarks: tuple[int, ...] = (0,),
    required_parent: bytes = b"\x0a",
    **overrides: object,
) -> Constraints:
    fields: dict[str, object] = {
        "min_relay_parent_number": min_relay_parent_number,
        "max_pov_size": MAX_POV,
        "max_code_size": 1_000_000,
        "max_head_data_size": 1024,
        "ump_remaining": 10,
        "ump_remaining_bytes": 1_000,
        "max_ump_num_per_candidate": 10,
        "dmp_remaining_messages": (0,) * 10,
        "valid_watermarks": valid_watermarks,
        "hrmp_channels_out": {},
        "max_hrmp_num_per_candidate": 0,
        "required_parent": required_parent,
        "validation_code_hash": CODE,
        "upgrade_restriction": None,
        "future_validation_code": None,
    }
    fields.update(overrides)
    return Constraints(**fields)  # type: ignore[arg-type]


def pvd_for(parent_head: bytes, relay_parent: RelayChainBlockInfo) -> PersistedValidationData:
    return PersistedValidationData(
        parent_head, relay_parent.number, relay_parent.storage_root, MAX_POV
    )


def receipt(
    relay_parent: RelayChainBlockInfo,
    parent_head: bytes,
    head: bytes,
    hrmp_watermark: int | None = None,
    *,
    para: int = PARA,
    scheduling_parent: bytes | None = None,
    processed_downward_messages: int = 1,
    pov_hash: bytes = b"\x01" * 32,
) -> tuple[PersistedValidationData, CommittedCandidateReceipt]:
    """A candidate of `para` on `relay_parent`, building `head` on `parent_head`, with the
    validation data it commits to. The watermark defaults to the relay parent's number. A
    `scheduling_parent` makes it a V3 candidate; otherwise it is V1 and its relay parent
    schedules it."""
    pvd = pvd_for(parent_head, relay_parent)
    commitments = CandidateCommitments(
        head_data=head,
        processed_downward_messages=processed_downward_messages,
        hrmp_watermark=relay_parent.number if hrmp_watermark is None else hrmp_watermark,
    )
    d: CandidateDescriptor
    if scheduling_parent is None:
        d = descriptor(
            para_id=para,
            relay_parent=relay_parent.hash,
            persisted_validation_data_hash=pvd.hash(),
            pov_hash=pov_hash,
            validation_code_hash=CODE,
        )
    else:
        d = candidate_descriptor_v3(
            para,
            relay_parent.hash,
            0,
            1,
            pvd.hash(),
            pov_hash,
            b"\x01" * 32,
            b"\x07" * 32,
            CODE,
            scheduling_parent,
            1,
        )
    return pvd, CommittedCandidateReceipt(d, commitments)


def entry(
    relay_parent: RelayChainBlockInfo,
    parent_head: bytes,
    head: bytes,
    hrmp_watermark: int | None = None,
    state: CandidateState = CandidateState.SECONDED,
    **options: object,
) -> CandidateEntry:
    """The entry of `receipt(...)`, in `state`."""
    pvd, r = receipt(relay_parent, parent_head, head, hrmp_watermark, **options)  # type: ignore[arg-type]
    made = CandidateEntry.new(r, pvd, state)
    assert isinstance(made, CandidateEntry), made
    return made


def backed(
    relay_parent: RelayChainBlockInfo,
    parent_head: bytes,
    head: bytes,
    hrmp_watermark: int | None = None,
    **options: object,
) -> CandidateEntry:
    return entry(relay_parent, parent_head, head, hrmp_watermark, CandidateState.BACKED, **options)


def entry_where(
    condition: Callable[[CandidateEntry], bool],
    relay_parent: RelayChainBlockInfo,
    parent_head: bytes,
    head: bytes,
    hrmp_watermark: int | None = None,
    state: CandidateState = CandidateState.SECONDED,
    **options: object,
) -> CandidateEntry:
    """An entry as `entry(...)` builds it whose hash meets `condition` (say, lower than another
    candidate's), found by trying PoV hashes: the fork choice compares candidate hashes, which a
    test cannot pick directly."""
    for tag in range(1, 256):
        made = entry(
            relay_parent,
            parent_head,
            head,
            hrmp_watermark,
            state,
            pov_hash=bytes([tag]) * 32,
            **options,
        )
        if condition(made):
            return made
    raise AssertionError("no PoV hash gives a candidate hash meeting the condition")
