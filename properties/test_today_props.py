# Laws of today's records and helpers (core/today/): the builders' descriptors read back what
# was put in, the two version rules disagree only where V3 is new, `ump_signals` matches a model
# written from E.1.4's text over messages whose meaning is known by construction, signals built
# into commitments parse back, the transpose keeps every (para, depth, core) and no other, the
# committed core obeys E.1.4 step 4, and the injected core index splits off again.
from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from backable.core import (
    ApprovedPeer,
    CandidateCommitments,
    CandidateDescriptor,
    CandidateReceiptError,
    ClaimQueue,
    DescriptorVersion,
    NodeFeature,
    SelectCore,
    UmpSignalError,
    UmpSignals,
    candidate_descriptor_v2,
    candidate_descriptor_v3,
    check_core_index,
    commitments_with_signals,
    decode,
    descriptor_core_index,
    descriptor_session_index,
    descriptor_version,
    encode,
    inject_core_index,
    node_feature_enabled,
    node_features,
    old_style_descriptor_version,
    raw_core_index,
    scheduling_parent,
    scheduling_session,
    split_injected_core_index,
    transpose_claim_queue,
    ump_signals,
    xcm_messages,
)

from .strategies import (
    approved_peers,
    bitvecs,
    claim_queues,
    descriptors,
    hashes,
    select_cores,
    u32s,
)

u16s = st.integers(0, 2**16 - 1)
nonzero_hashes = hashes.filter(lambda h: h != bytes(32))


# -- descriptors -------------------------------------------------------------------------------


@given(
    para_id=u32s,
    relay_parent=hashes,
    core=u16s,
    session=u32s,
    pvd=hashes,
    pov=hashes,
    erasure=hashes,
    head=hashes,
    code=hashes,
)
def test_a_built_v2_descriptor_is_v2_and_reads_back_what_was_put_in(
    para_id: int,
    relay_parent: bytes,
    core: int,
    session: int,
    pvd: bytes,
    pov: bytes,
    erasure: bytes,
    head: bytes,
    code: bytes,
) -> None:
    d = candidate_descriptor_v2(para_id, relay_parent, core, session, pvd, pov, erasure, head, code)
    assert descriptor_version(d) is DescriptorVersion.V2
    assert old_style_descriptor_version(d) is DescriptorVersion.V2
    assert (descriptor_core_index(d), descriptor_session_index(d)) == (core, session)
    assert (scheduling_parent(d), scheduling_session(d)) == (relay_parent, session)
    assert (d.para_id, d.relay_parent, d.persisted_validation_data_hash) == (
        para_id,
        relay_parent,
        pvd,
    )
    assert (d.pov_hash, d.erasure_root, d.para_head, d.validation_code_hash) == (
        pov,
        erasure,
        head,
        code,
    )
    assert decode(CandidateDescriptor, encode(d)) == d


@given(
    relay_parent=hashes,
    core=u16s,
    session=st.integers(0, 2**32 - 256),
    offset=st.integers(0, 255),
    sp=nonzero_hashes,
    other=hashes,
)
def test_a_built_v3_descriptor_is_v3_and_reads_back_its_scheduling_fields(
    relay_parent: bytes, core: int, session: int, offset: int, sp: bytes, other: bytes
) -> None:
    d = candidate_descriptor_v3(
        7, relay_parent, core, session, other, other, other, other, other, sp, session + offset
    )
    assert descriptor_version(d) is DescriptorVersion.V3
    assert old_style_descriptor_version(d) is DescriptorVersion.V1
    assert (descriptor_core_index(d), descriptor_session_index(d)) == (core, session)
    assert (scheduling_parent(d), scheduling_session(d)) == (sp, session + offset)


@st.composite
def version_edge_descriptors(draw: st.DrawFn) -> CandidateDescriptor:
    # Descriptors near every border of the rule: version 0, 1 or other, a scheduling parent or
    # none, the offset byte, and at most one stray byte in the reserved ranges.
    collator = bytearray(draw(st.sampled_from([0, 1, 2, 255])).to_bytes(1, "little"))
    collator += draw(st.binary(min_size=6, max_size=6)) + bytes([draw(st.sampled_from([0, 3]))])
    collator += bytes(24)
    signature = bytearray(draw(st.sampled_from([bytes(32), b"\xaa" * 32])) + bytes(32))
    stray = draw(st.sampled_from([None, "collator", "signature"]))
    if stray == "collator":
        collator[draw(st.integers(8, 31))] = draw(st.integers(1, 255))
    elif stray == "signature":
        signature[draw(st.integers(32, 63))] = draw(st.integers(1, 255))
    base = draw(descriptors())
    return decode(
        CandidateDescriptor,
        encode(base)[:36]
        + bytes(collator)
        + encode(base)[68:164]
        + bytes(signature)
        + encode(base)[228:],
    )


@given(d=st.one_of(descriptors(), version_edge_descriptors()))
def test_old_and_new_detection_disagree_only_as_v1_then_v3(d: CandidateDescriptor) -> None:
    old, new = old_style_descriptor_version(d), descriptor_version(d)
    assert old is new or (old, new) == (DescriptorVersion.V1, DescriptorVersion.V3)


@given(d=st.one_of(descriptors(), version_edge_descriptors()))
def test_only_v1_lacks_a_core_and_a_session(d: CandidateDescriptor) -> None:
    v1 = descriptor_version(d) is DescriptorVersion.V1
    assert (descriptor_core_index(d) is None) is v1
    assert (descriptor_session_index(d) is None) is v1
    if not v1:
        assert descriptor_core_index(d) == raw_core_index(d)


# -- ump_signals against a model ---------------------------------------------------------------
# Each message after the separator is drawn with its meaning: a signal (maybe with bytes after
# it), or a message that cannot be a signal. The model reads E.1.4 over the meanings only.


@st.composite
def labelled_slots(draw: st.DrawFn) -> tuple[Any, bytes]:
    choice = draw(st.sampled_from(["select", "peer", "junk"]))
    if choice == "junk":
        raw = draw(
            st.one_of(
                st.just(b""),  # a later empty message is a slot, not a separator
                st.integers(2, 255).map(lambda t: bytes([t]))
                | st.binary(max_size=4).map(lambda b: bytes([2]) + b),
                st.binary(max_size=1).map(lambda b: b"\x00" + b),  # SelectCore cut short
                # a peer id of 65 to 80 bytes, its two-byte compact length alone
                st.integers(65, 80).map(lambda n: b"\x01" + ((n << 2) | 1).to_bytes(2, "little")),
            )
        )
        return None, raw
    signal = draw(select_cores() if choice == "select" else approved_peers())
    return signal, encode(signal) + draw(st.binary(max_size=3))


def _model(slots: list[tuple[Any, bytes]] | None) -> object:
    # E.1.4: no separator, no signals; otherwise up to two slots, each a signal of a new kind,
    # and no third message.
    if slots is None:
        return ()
    seen: list[Any] = []
    for signal, _ in slots[:2]:
        if signal is None:
            return UmpSignalError.UmpSignalDecode
        if any(type(s) is type(signal) for s in seen):
            return UmpSignalError.DuplicateUMPSignal
        seen.append(signal)
    if len(slots) > 2:
        return UmpSignalError.TooManyUMPSignals
    return tuple(seen)


@given(
    before=st.lists(st.binary(min_size=1, max_size=8), max_size=3),
    slots=st.none() | st.lists(labelled_slots(), max_size=4),
)
def test_ump_signals_matches_the_model_of_e_1_4(
    before: list[bytes], slots: list[tuple[Any, bytes]] | None
) -> None:
    messages = list(before)
    if slots is not None:
        messages += [b""] + [raw for _, raw in slots]
    result = ump_signals(CandidateCommitments(upward_messages=tuple(messages)))
    expected = _model(slots)
    if isinstance(expected, UmpSignalError):
        assert isinstance(result, CandidateReceiptError)
        assert result.kind is expected
    else:
        assert isinstance(result, UmpSignals)
        assert result.signals == expected
        assert result.select_core == next((s for s in expected if type(s) is SelectCore), None)
        assert result.approved_peer == next((s for s in expected if type(s) is ApprovedPeer), None)


@given(
    xcm=st.lists(st.binary(min_size=1, max_size=8), max_size=3),
    signals=st.one_of(
        st.just([]),
        st.tuples(select_cores()).map(list),
        st.tuples(approved_peers()).map(list),
        st.tuples(select_cores(), approved_peers()).map(list),
        st.tuples(approved_peers(), select_cores()).map(list),
    ),
)
def test_signals_built_into_commitments_parse_back_in_order(
    xcm: list[bytes], signals: list[Any]
) -> None:
    built = commitments_with_signals(CandidateCommitments(upward_messages=tuple(xcm)), signals)
    parsed = ump_signals(built)
    assert isinstance(parsed, UmpSignals)
    assert parsed.signals == tuple(signals)
    assert xcm_messages(built) == tuple(xcm)


# -- the claim queue and the committed core ----------------------------------------------------


@given(cq=claim_queues())
def test_the_transpose_holds_every_para_depth_core_of_the_queue_and_no_other(
    cq: ClaimQueue,
) -> None:
    t = transpose_claim_queue(cq)
    from_queue = {
        (para, depth, core) for core, paras in cq.entries for depth, para in enumerate(paras)
    }
    from_transpose = {
        (para, depth, core)
        for para, depths in t.entries
        for depth, cores in depths
        for core in cores
    }
    assert from_queue == from_transpose
    for _, depths in t.entries:
        for _, cores in depths:
            assert list(cores) == sorted(set(cores))


@given(
    cq=claim_queues(),
    para=st.sampled_from([1000, 2000, 2004]),
    core=st.integers(0, 10) | u16s,
    select=st.none() | st.builds(SelectCore, st.integers(0, 255), st.integers(0, 3)),
)
def test_the_committed_core_follows_e_1_4_step_4(
    cq: ClaimQueue, para: int, core: int, select: SelectCore | None
) -> None:
    d = candidate_descriptor_v2(para, bytes(32), core, 0, *(bytes(32),) * 5)
    result = check_core_index(d, UmpSignals(select_core=select), transpose_claim_queue(cq), para)
    depth = 0 if select is None else select.claim_queue_offset
    cores = sorted({c for c, paras in cq.entries if depth < len(paras) and paras[depth] == para})
    if not cores:
        expected: object = UmpSignalError.NoAssignment
    elif select is None and len(cores) > 1:
        expected = core if core in cores else UmpSignalError.InvalidCoreIndex
    else:
        chosen = cores[(0 if select is None else select.core_selector) % len(cores)]
        expected = chosen if chosen == core else UmpSignalError.CoreIndexMismatch
    if isinstance(expected, UmpSignalError):
        assert isinstance(result, CandidateReceiptError) and result.kind is expected
    else:
        assert result == expected


@given(bits=bitvecs(min_len=1, max_len=40), core=st.integers(0, 255))
def test_an_injected_core_index_splits_off_again(bits: Any, core: int) -> None:
    assert split_injected_core_index(inject_core_index(bits, core)) == (bits, core)


@given(features=st.lists(st.sampled_from(list(NodeFeature)), unique=True))
def test_the_node_feature_builder_enables_exactly_the_features_given(
    features: list[NodeFeature],
) -> None:
    vector = node_features(*features)
    for feature in NodeFeature:
        assert node_feature_enabled(vector, feature) is (feature in features)
