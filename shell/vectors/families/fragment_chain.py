# Vector family `fragment_chain`: one para's fragment chain under one scheduling parent, as
# prospective parachains keeps it. From the para's constraints, the scheduling scope, the chain's
# length and the candidates pending availability, a sequence of seconded candidates introduced
# and candidates backed gives, step by step, each introduction's answer and the best chain, then
# the unconnected storage and the answers to GetBackableCandidates (ancestors, count). The rules
# are core/prospective/fragment_chain.py's (`FragmentChain.init`,
# `try_adding_seconded_candidate`, `candidate_backed`, `find_backable_chain`) over
# core/prospective/constraints.py's inclusion emulator (polkadot-sdk@00c84144
# polkadot/node/core/prospective-parachains/src/lib.rs and its 2026 fragment_chain/mod.rs;
# polkadot-sdk@04d67296 polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs). This module
# only translates JSON to records and back.
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from pyrsistent import pmap

from backable.core import (
    CandidateCommitments,
    CandidateDescriptor,
    CandidateEntry,
    CandidateEntryError,
    CandidateState,
    CandidateStorage,
    CommittedCandidateReceipt,
    Constraints,
    FragmentChain,
    FragmentChainError,
    OutboundHrmpMessage,
    PendingAvailability,
    PersistedValidationData,
    RelayChainBlockInfo,
    Scope,
    UpgradeRestriction,
    encode,
)

from ..build import make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import hex_field, hex_of, int_field, list_field, record_field, str_field
from ._json import (
    hash_field,
    hash_list_field,
    int_list_field,
    object_at,
    object_field,
    records_built,
)

__all__ = [
    "FAMILY",
    "Made",
    "X",
    "Y",
    "Z",
    "back",
    "block",
    "boundary_cases",
    "constraints",
    "constraints_json",
    "fragment_chain_input",
    "h",
    "made",
    "made_where",
    "query",
    "second",
    "second_and_back",
]


# -- evaluation --------------------------------------------------------------------------------


def _channels(data: Mapping[str, Json], name: str) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for i, item in enumerate(list_field(data, name)):
        where = f"{name}[{i}]"
        channel = object_at(item, where)
        recipient = int_field(channel, f"{where}.recipient")
        if recipient in out:
            raise VectorInputError(f"input.{where}.recipient: {recipient} given twice")
        out[recipient] = (
            int_field(channel, f"{where}.bytes_remaining"),
            int_field(channel, f"{where}.messages_remaining"),
        )
    return out


def _constraints(data: Mapping[str, Json]) -> Constraints:
    c = object_field(data, "constraints")
    p = "constraints."
    if p + "upgrade_restriction" not in c:
        raise VectorInputError(f"input.{p}upgrade_restriction: missing")
    restriction = c[p + "upgrade_restriction"]
    if restriction is not None and restriction != "Present":
        raise VectorInputError(
            f'input.{p}upgrade_restriction: expected null or "Present", got {restriction!r}'
        )
    if p + "future_validation_code" not in c:
        raise VectorInputError(f"input.{p}future_validation_code: missing")
    future: tuple[int, bytes] | None = None
    if c[p + "future_validation_code"] is not None:
        f = object_at(c[p + "future_validation_code"], p + "future_validation_code")
        where = p + "future_validation_code"
        future = (int_field(f, where + ".number"), hash_field(f, where + ".code_hash"))
    return records_built("constraints", lambda: Constraints(
        min_relay_parent_number=int_field(c, p + "min_relay_parent_number"),
        max_pov_size=int_field(c, p + "max_pov_size"),
        max_code_size=int_field(c, p + "max_code_size"),
        max_head_data_size=int_field(c, p + "max_head_data_size"),
        ump_remaining=int_field(c, p + "ump_remaining"),
        ump_remaining_bytes=int_field(c, p + "ump_remaining_bytes"),
        max_ump_num_per_candidate=int_field(c, p + "max_ump_num_per_candidate"),
        dmp_remaining_messages=tuple(int_list_field(c, p + "dmp_remaining_messages")),
        valid_watermarks=tuple(int_list_field(c, p + "valid_watermarks")),
        hrmp_channels_out=pmap(_channels(c, p + "hrmp_channels_out")),
        max_hrmp_num_per_candidate=int_field(c, p + "max_hrmp_num_per_candidate"),
        required_parent=hex_field(c, p + "required_parent"),
        validation_code_hash=hash_field(c, p + "validation_code_hash"),
        upgrade_restriction=None if restriction is None else UpgradeRestriction.Present,
        future_validation_code=future,
    ))


def _entry_of(
    item: Mapping[str, Json], where: str, state: CandidateState
) -> CandidateEntry | CandidateEntryError:
    receipt = record_field(item, f"{where}.candidate", CommittedCandidateReceipt)
    pvd = record_field(item, f"{where}.persisted_validation_data", PersistedValidationData)
    return CandidateEntry.new(receipt, pvd, state)


def _initial_chain(data: Mapping[str, Json]) -> FragmentChain:
    base = _constraints(data)
    scheduling = hash_list_field(data, "scheduling_scope")
    length = int_field(data, "max_backable_len")
    entries: list[CandidateEntry] = []
    for i, item in enumerate(list_field(data, "pending_availability")):
        where = f"pending_availability[{i}]"
        made = _entry_of(object_at(item, where), where, CandidateState.BACKED)
        if isinstance(made, CandidateEntryError):
            raise VectorInputError(f"input.{where}: {made.value}")
        entries.append(made)
    pending = tuple(PendingAvailability(e.candidate_hash, e.relay_parent_info()) for e in entries)
    scope = records_built(
        "pending_availability", lambda: Scope(base, pending, length, frozenset(scheduling))
    )
    return FragmentChain.init(scope, CandidateStorage.of(entries))


def _error_json(problem: FragmentChainError) -> Json:
    out: dict[str, Json] = {"error": problem.kind.value}
    if problem.validity is not None:
        out["validity"] = problem.validity.kind.value
    return out


def _step(
    chain: FragmentChain, item: Json, where: str
) -> tuple[FragmentChain, Json]:
    step = object_at(item, where)
    op = str_field(step, f"{where}.op")
    if op == "second":
        made = _entry_of(step, where, CandidateState.SECONDED)
        if isinstance(made, CandidateEntryError):
            return chain, {"error": f"CandidateEntry::{made.value}"}
        chain, problem = chain.try_adding_seconded_candidate(made)
        return chain, {"added": True} if problem is None else _error_json(problem)
    if op == "back":
        return chain.candidate_backed(hash_field(step, f"{where}.candidate_hash")), None
    raise VectorInputError(f'input.{where}.op: expected "second" or "back", got {op!r}')


def _hashes(chain: FragmentChain) -> list[Json]:
    return [hex_of(h) for h in chain.candidate_hashes()]


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    chain = _initial_chain(data)
    steps: list[Json] = []
    for i, item in enumerate(list_field(data, "steps")):
        chain, answer = _step(chain, item, f"steps[{i}]")
        steps.append({"answer": answer, "best_chain": _hashes(chain)})
    queries: list[Json] = []
    for i, item in enumerate(list_field(data, "queries")):
        where = f"queries[{i}]"
        query = object_at(item, where)
        ancestors = hash_list_field(query, f"{where}.ancestors")
        count = int_field(query, f"{where}.count")
        found: list[Json] = [
            {"candidate_hash": hex_of(r.candidate_hash), "scheduling_parent": hex_of(
                r.scheduling_parent)}
            for r in chain.find_backable_chain(ancestors, count)
        ]
        queries.append(found)
    unconnected: list[Json] = [
        {"candidate_hash": hex_of(e.candidate_hash), "state": e.state.value}
        for e in chain.unconnected.entries()
    ]
    return {
        "steps": steps,
        "best_chain": _hashes(chain),
        "unconnected": unconnected,
        "backable": queries,
    }


# -- cases -------------------------------------------------------------------------------------

PARA = 2000
CODE = b"\x2a" * 32
MAX_POV = 1_000_000


def block(number: int, tag: int | None = None) -> RelayChainBlockInfo:
    """Relay block `number`, its hash all `tag` bytes (the number by default)."""
    return RelayChainBlockInfo(bytes([number if tag is None else tag]) * 32, number, bytes(32))


def constraints(
    min_relay_parent_number: int = 0,
    required_parent: bytes = b"\x0a",
    **overrides: object,
) -> Constraints:
    """The defaults of polkadot-sdk's fragment-chain tests: ten downward messages waiting since
    block 0 (one processed per candidate), watermark 0 valid, no channels, generous sizes."""
    fields: dict[str, object] = {
        "min_relay_parent_number": min_relay_parent_number,
        "max_pov_size": MAX_POV,
        "max_code_size": 1_000_000,
        "max_head_data_size": 1024,
        "ump_remaining": 10,
        "ump_remaining_bytes": 1_000,
        "max_ump_num_per_candidate": 10,
        "dmp_remaining_messages": (0,) * 10,
        "valid_watermarks": (0,),
        "hrmp_channels_out": {},
        "max_hrmp_num_per_candidate": 0,
        "required_parent": required_parent,
        "validation_code_hash": CODE,
        "upgrade_restriction": None,
        "future_validation_code": None,
    }
    fields.update(overrides)
    return Constraints(**fields)  # type: ignore[arg-type]


def constraints_json(c: Constraints) -> Json:
    channels: list[Json] = [
        {"recipient": p, "bytes_remaining": b, "messages_remaining": m}
        for p, (b, m) in sorted(c.hrmp_channels_out.items())
    ]
    future: Json = None
    if c.future_validation_code is not None:
        number, code_hash = c.future_validation_code
        future = {"number": number, "code_hash": hex_of(code_hash)}
    return {
        "min_relay_parent_number": c.min_relay_parent_number,
        "max_pov_size": c.max_pov_size,
        "max_code_size": c.max_code_size,
        "max_head_data_size": c.max_head_data_size,
        "ump_remaining": c.ump_remaining,
        "ump_remaining_bytes": c.ump_remaining_bytes,
        "max_ump_num_per_candidate": c.max_ump_num_per_candidate,
        "dmp_remaining_messages": list(c.dmp_remaining_messages),
        "valid_watermarks": list(c.valid_watermarks),
        "hrmp_channels_out": channels,
        "max_hrmp_num_per_candidate": c.max_hrmp_num_per_candidate,
        "required_parent": hex_of(c.required_parent),
        "validation_code_hash": hex_of(c.validation_code_hash),
        "upgrade_restriction": None if c.upgrade_restriction is None else "Present",
        "future_validation_code": future,
    }


# A candidate as the cases carry it: the committed receipt and the validation data it built on.
Made = tuple[CommittedCandidateReceipt, PersistedValidationData]


def made(
    relay_parent: RelayChainBlockInfo,
    parent_head: bytes,
    head: bytes,
    hrmp_watermark: int | None = None,
    *,
    pov: int = 1,
    processed_downward_messages: int = 1,
    code: bytes = CODE,
    horizontal: tuple[OutboundHrmpMessage, ...] = (),
    new_code: bytes | None = None,
) -> Made:
    """A V1 candidate of the para on `relay_parent`, building `head` on `parent_head`."""
    pvd = PersistedValidationData(
        parent_head, relay_parent.number, relay_parent.storage_root, MAX_POV
    )
    commitments = CandidateCommitments(
        horizontal_messages=horizontal,
        new_validation_code=new_code,
        head_data=head,
        processed_downward_messages=processed_downward_messages,
        hrmp_watermark=relay_parent.number if hrmp_watermark is None else hrmp_watermark,
    )
    descriptor = CandidateDescriptor(
        para_id=PARA,
        relay_parent=relay_parent.hash,
        collator=b"\x02" * 32,
        persisted_validation_data_hash=pvd.hash(),
        pov_hash=bytes([pov]) * 32,
        erasure_root=b"\x05" * 32,
        signature=b"\x06" * 64,
        para_head=b"\x07" * 32,
        validation_code_hash=code,
    )
    return CommittedCandidateReceipt(descriptor, commitments), pvd


def made_where(condition: Callable[[bytes], bool], *args: object, **kwargs: object) -> Made:
    """A candidate as `made(...)` builds it whose hash meets `condition`, found by trying PoV
    hashes: the fork choice compares candidate hashes, which a case cannot pick directly."""
    for pov in range(1, 256):
        found = made(*args, pov=pov, **kwargs)  # type: ignore[arg-type]
        if condition(found[0].hash()):
            return found
    raise AssertionError("no PoV hash gives a candidate hash meeting the condition")


def h(candidate: Made) -> bytes:
    return candidate[0].hash()


def second(candidate: Made) -> Json:
    receipt, pvd = candidate
    return {
        "op": "second",
        "candidate": hex_of(encode(receipt)),
        "persisted_validation_data": hex_of(encode(pvd)),
    }


def back(candidate: Made | bytes) -> Json:
    digest = candidate if isinstance(candidate, bytes) else h(candidate)
    return {"op": "back", "candidate_hash": hex_of(digest)}


def second_and_back(*candidates: Made) -> list[Json]:
    out: list[Json] = []
    for c in candidates:
        out += [second(c), back(c)]
    return out


def query(count: int, *ancestors: Made | bytes) -> Json:
    hashes: list[Json] = [hex_of(a if isinstance(a, bytes) else h(a)) for a in ancestors]
    return {"ancestors": hashes, "count": count}


X, Y, Z = block(0, 1), block(1, 2), block(2, 3)
ALL = (X.hash, Y.hash, Z.hash)


def fragment_chain_input(
    steps: Sequence[Json],
    queries: Sequence[Json] = (),
    *,
    base: Constraints | None = None,
    scheduling: tuple[bytes, ...] = ALL,
    max_backable_len: int = 4,
    pending: Sequence[Made] = (),
) -> dict[str, Json]:
    pending_json: list[Json] = [
        {"candidate": hex_of(encode(r)), "persisted_validation_data": hex_of(encode(p))}
        for r, p in pending
    ]
    return {
        "constraints": constraints_json(base if base is not None else constraints()),
        "scheduling_scope": [hex_of(s) for s in sorted(scheduling)],
        "max_backable_len": max_backable_len,
        "pending_availability": pending_json,
        "steps": list(steps),
        "queries": list(queries),
    }


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


def boundary_cases() -> list[Case]:
    a, b, c = made(X, b"\x0a", b"\x0b"), made(Y, b"\x0b", b"\x0c"), made(Z, b"\x0c", b"\x0d")
    d = made(Z, b"\x0d", b"\x0e")
    a_fork_low = made_where(lambda x: x < h(a), X, b"\x0a", b"\xb2")
    a_fork_high = made_where(lambda x: x > h(a), X, b"\x0a", b"\xb1")
    b_fork_low = made_where(lambda x: x < h(b), Y, b"\x0b", b"\xc9")
    a_on_y = made(Y, b"\x0a", b"\x0b")
    fork_of_pending = made_where(lambda x: x < h(a_on_y), Y, b"\x0a", b"\xb2", 1)
    six_heads = [b"\xff", *(bytes([i]) for i in range(6))]
    six = [made(X, six_heads[i], six_heads[i + 1], 0) for i in range(6)]
    root_ff = constraints(0, b"\xff")
    to_3000 = (OutboundHrmpMessage(3000, b"\x01\x02"),)
    items: list[tuple[str, str, dict[str, Json]]] = [
        ("empty", "no candidates: an empty chain, nothing backable",
         fragment_chain_input([], [query(2)])),
        ("chain-of-three-backed", "A -> B -> C seconded and backed in order form the chain",
         fragment_chain_input(second_and_back(a, b, c), [query(3), query(1), query(0)])),
        ("seconded-stays-unconnected", "a seconded candidate never enters the chain unbacked",
         fragment_chain_input([second(a)], [query(1)])),
        ("second-twice-is-already-known", "the same candidate seconded again",
         fragment_chain_input([second(a), second(a)])),
        ("backed-in-reverse-order-joins-at-the-end",
         "C, B, A seconded, C and B backed: nothing chains until A is backed",
         fragment_chain_input([second(c), second(b), second(a), back(c), back(b), back(a)],
                              [query(3)])),
        ("length-limit-one", "max_backable_len 1: only A in the chain, B and C wait",
         fragment_chain_input(second_and_back(a, b, c), [query(3)], max_backable_len=1)),
        ("length-limit-zero", "max_backable_len 0: nothing in the chain",
         fragment_chain_input(second_and_back(a, b), [query(3)], max_backable_len=0)),
        ("wrong-required-parent", "the constraints want head 0x0e: everything unconnected",
         fragment_chain_input(second_and_back(a, b), [query(2)],
                              base=constraints(0, b"\x0e"))),
        ("relay-parent-below-the-minimum", "A on block 0 with minimum 1: refused",
         fragment_chain_input([second(a)], base=constraints(1))),
        ("scheduling-parent-out-of-scope", "A's relay parent X not in the scheduling scope",
         fragment_chain_input([second(a)], scheduling=(Y.hash, Z.hash))),
        ("zero-length-cycle", "a candidate whose output is its parent head",
         fragment_chain_input([second(made(X, b"\x0a", b"\x0a"))])),
        ("validation-data-mismatch", "validation data whose hash is not the descriptor's",
         fragment_chain_input([second((a[0], PersistedValidationData(b"\x0a", 0, bytes(32), 5)))])),
        ("cycle-refused", "C' building back to A's parent head closes a cycle",
         fragment_chain_input([*second_and_back(a, b), second(made(Z, b"\x0c", b"\x0a"))])),
        ("multiple-paths-refused", "another candidate outputting B's head from elsewhere",
         fragment_chain_input([*second_and_back(a, b), second(made(Z, b"\x99", b"\x0c"))])),
        ("relay-parent-moved-backwards", "C on block 0 after B on block 1: refused",
         fragment_chain_input([*second_and_back(a, b), second(made(X, b"\x0c", b"\x0d", 0))])),
        ("older-relay-parent-while-unconnected", "an unconnected candidate may be older",
         fragment_chain_input([*second_and_back(a, b), second(made(X, b"\x0d", b"\x0e", 0))])),
        ("fork-choice-lowest-hash", "two backed forks of the root: the lower hash wins",
         fragment_chain_input([*second_and_back(a_fork_high), second(a_fork_low),
                                                              back(a_fork_low)], [query(2)])),
        ("higher-hash-fork-refused", "a seconded fork with a higher hash than the chain's",
         fragment_chain_input([*second_and_back(a), second(a_fork_high)])),
        ("backing-a-middle-fork-rebuilds", "backing B' (lower hash than B) drops B and C",
         fragment_chain_input([*second_and_back(a, b, c), second(b_fork_low), back(b_fork_low)],
                              [query(3)])),
        ("outputs-break-the-constraints", "a watermark no constraints allow keeps C out",
         fragment_chain_input([*second_and_back(a, b), second(made(Z, b"\x0c", b"\x0d", 1000))])),
        ("unconnected-held-to-its-commitments", "an unconnected candidate with another code hash",
         fragment_chain_input([second(made(Z, b"\x77", b"\x78", code=b"\x01" * 32))])),
        ("pending-first", "A pending availability heads the chain; B, C follow when backed",
         fragment_chain_input(second_and_back(b, c), [query(3), query(2, a)], pending=[a])),
        ("pending-beats-the-fork-choice",
         "a lower-hash fork of pending A is refused; B still builds on A",
         fragment_chain_input(second_and_back(a_fork_low, b), [query(2, a)], pending=[a])),
        ("fork-of-pending-refused", "a fork of a pending candidate is refused whatever its hash",
         fragment_chain_input([second(fork_of_pending)], pending=[a_on_y])),
        ("nothing-precedes-the-pending-relay-parent",
         "a candidate older than the pending candidate's relay parent is refused",
         fragment_chain_input([second(made(X, b"\x0d", b"\x0e", 0))], pending=[a_on_y])),
        ("pending-older-than-the-minimum", "a pending candidate's own relay parent is its floor",
         fragment_chain_input(second_and_back(b, c), [query(2, a)], base=constraints(1),
                              pending=[a])),
        ("all-pending", "A, B, C all pending: nothing is backable",
         fragment_chain_input([], [query(3)], pending=[a, b, c], max_backable_len=0)),
        ("back-unknown-candidate", "backing a hash the chain never saw changes nothing",
         fragment_chain_input([*second_and_back(a), back(bytes(32))], [query(1)])),
        ("three-cores-chain-of-three", "max_backable_len 3: A, B, C backable, D waits",
         fragment_chain_input(second_and_back(a, b, c, d), [query(3)], max_backable_len=3)),
        ("ancestors-skipped-from-the-root",
         "six candidates: ancestors on the path from the root are skipped, in any order",
         fragment_chain_input(
             [second(x) for x in six] + [back(x) for x in reversed(six)],
             [query(0), query(5), query(7), query(4, bytes(32)), query(4, six[1], bytes(32)),
              query(4, six[0], bytes(32)), query(4, six[1], six[2]),
              query(2, six[2], six[0], six[1]), query(3, six[0], six[2]),
              query(4, six[0], six[1], six[3])],
             base=root_ff, max_backable_len=6)),
        ("hrmp-channel-budget",
         "one message left on the channel to para 3000: A sends it, B finds no room",
         fragment_chain_input(
             [*second_and_back(made(X, b"\x0a", b"\x0b", horizontal=to_3000)),
              second(made(Y, b"\x0b", b"\x0c", horizontal=to_3000))],
             base=constraints(0, hrmp_channels_out={3000: (100, 1)},
                              max_hrmp_num_per_candidate=1))),
        ("hrmp-channel-missing", "a message to a para with no open channel",
         fragment_chain_input([second(made(X, b"\x0a", b"\x0b", horizontal=to_3000))],
                              base=constraints(0, max_hrmp_num_per_candidate=1))),
        ("code-upgrade-restricted", "new code while an upgrade restriction is present",
         fragment_chain_input([second(made(X, b"\x0a", b"\x0b", new_code=b"\x01" * 4))],
                              base=constraints(0, upgrade_restriction=UpgradeRestriction.Present))),
        ("code-too-large", "new code of 5 bytes above a maximum of 4",
         fragment_chain_input([second(made(X, b"\x0a", b"\x0b", new_code=b"\x01" * 5))],
                              base=constraints(0, max_code_size=4))),
        ("future-code-takes-effect",
         "an upgrade to code 0x2b.. from block 1: A on block 1 runs the old code and applies "
         "it, so B after A must run the new one and B' with the old is refused",
         fragment_chain_input(
             [*second_and_back(made(Y, b"\x0a", b"\x0b")),
              second(made(Y, b"\x0b", b"\x0c", code=b"\x2b" * 32)),
              second(made(Y, b"\x0b", b"\x0d"))],
             base=constraints(0, future_validation_code=(1, b"\x2b" * 32)))),
        ("only-connected-backed-candidates-are-backable",
         "six seconded; 5, 3, 4, 1 backed: nothing backable until 0, then 0 and 1",
         fragment_chain_input(
             [second(x) for x in six] + [back(six[i]) for i in (5, 3, 4, 1, 0)],
             [query(1), query(5)], base=root_ff, max_backable_len=6)),
    ]
    return [_case(name, d_, "boundary", "network", data) for name, d_, data in items]


def _generated_cases() -> list[Case]:
    from ..record_strategies import st

    blocks = tuple(block(n, 0x10 + n) for n in range(4))
    scope_hashes = tuple(x.hash for x in blocks)
    # No downward messages wait and every watermark is the relay parent's own: the emulator's
    # budgets never refuse, so the chain's own rules decide (properties/ does the same).
    base = constraints(1, b"\x00\x00", dmp_remaining_messages=())
    action = st.tuples(
        st.sampled_from(("second", "second", "second", "back", "again")),
        st.integers(0, 9),  # which parent: the newest head, any head, the root, an unseen one
        st.integers(0, 3),  # relay parent
        st.integers(1, 255),  # PoV hash, to vary the candidate hash
        st.booleans(),  # back it at once
        st.booleans(),  # climb: relay parents mostly move forward
    )

    @st.composite
    def script(draw: st.DrawFn) -> dict[str, Json]:
        max_len = draw(st.integers(0, 5))
        labels = iter(n.to_bytes(2, "big") for n in range(1, 1000))
        pending: list[Made] = []
        parent = b"\x00\x00"
        for rp in sorted(draw(st.lists(st.integers(0, 3), max_size=2))):
            pending.append(made(blocks[rp], parent, next(labels), processed_downward_messages=0))
            parent = pending[-1][0].commitments.head_data
        known: list[Made] = list(pending)
        steps: list[Json] = []
        for kind, pick, rp, pov, at_once, climb in draw(st.lists(action, max_size=12)):
            if kind == "back" and known:
                steps.append(back(known[pick % len(known)]))
                continue
            if kind == "again" and len(known) > len(pending):
                steps.append(second(known[len(pending) + pick % (len(known) - len(pending))]))
                continue
            outputs = [k[0].commitments.head_data for k in known]
            if pick < 5:
                head = outputs[-1] if outputs else b"\x00\x00"
            elif pick < 8:
                head = ([b"\x00\x00", *outputs])[pov % (len(outputs) + 1)]
            elif pick < 9:
                head = b"\x00\x00"
            else:
                head = b"\xee" + bytes([pov])  # a parent head no candidate produced
            if climb:
                rp = max([rp, *(k[1].relay_parent_number for k in known)])
            fresh = made(blocks[rp], head, next(labels), pov=pov, processed_downward_messages=0)
            known.append(fresh)
            steps.append(second(fresh))
            if at_once:
                steps.append(back(fresh))
        pool: list[Made | bytes] = [*known, bytes(32)]
        queries = [
            query(draw(st.integers(0, 6)), *draw(st.lists(st.sampled_from(pool), max_size=3)))
            for _ in range(2)
        ]
        return fragment_chain_input(steps, queries, base=base, scheduling=scope_hashes,
                                    max_backable_len=max_len, pending=pending)

    return [
        _case(f"generated-{i:03d}", "a seeded script of seconded and backed candidates",
              "generated", "network", data)
        for i, data in enumerate(drawn(lambda _: script(), 60, 16_701))
    ]


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    """Boundaries and seeded scripts; the real blocks hold no fragment chain (it is node
    state, not chain data), so this family has no chain cases."""
    return tuple(boundary_cases() + _generated_cases())


SCHEMA = """\
One para's fragment chain under one scheduling parent, as prospective parachains keeps it
(polkadot-sdk `polkadot/node/core/prospective-parachains/src/fragment_chain/mod.rs`, 2026, over
the inclusion emulator of `polkadot/node/subsystem-util/src/inclusion_emulator/mod.rs`).

**Input**

- `constraints` (object): the para's `Constraints` at the leaf. Ints: `min_relay_parent_number`,
  `max_pov_size`, `max_code_size`, `max_head_data_size`, `ump_remaining`,
  `ump_remaining_bytes`, `max_ump_num_per_candidate`, `max_hrmp_num_per_candidate`; lists of
  ints: `dmp_remaining_messages` (the sent-at block of each waiting downward message, oldest
  first), `valid_watermarks` (ascending); `hrmp_channels_out` (list of `{"recipient": int,
  "bytes_remaining": int, "messages_remaining": int}`); `required_parent` (hex, head data);
  `validation_code_hash` (hex, 32 bytes); `upgrade_restriction` (null or `"Present"`);
  `future_validation_code` (null or `{"number": int, "code_hash": hex}`).
- `scheduling_scope` (list of hex): the relay blocks a candidate's scheduling parent may be.
- `max_backable_len` (int): how many candidates may follow those pending availability.
- `pending_availability` (list, chain order): `{"candidate": hex, "persisted_validation_data":
  hex}`, the candidates pending availability on chain; they head the chain whatever the scope.
- `steps` (list, in order): `{"op": "second", "candidate": hex, "persisted_validation_data":
  hex}` introduces a seconded candidate (`try_adding_seconded_candidate`); `{"op": "back",
  "candidate_hash": hex}` marks one backed (`candidate_backed`).
- `queries` (list): `{"ancestors": [hex, ...], "count": int}`, each a `find_backable_chain`
  (GetBackableCandidates) on the final chain.

`candidate` is SCALE `polkadot_primitives::CommittedCandidateReceiptV2`,
`persisted_validation_data` SCALE `polkadot_primitives::PersistedValidationData`. A candidate's
relay parent is its descriptor's, with the number and storage root its validation data names;
its scheduling parent is its relay parent (no V3 descriptor is in the vectors). Head data
hashes are BLAKE2b-256 of the head data's bytes.

**Rule**

The chain starts as `FragmentChain::init` over the pending candidates. A seconded candidate whose
validation data does not hash to its descriptor's, or whose output head is its parent head, is
refused before the chain sees it; otherwise the chain's potential checks decide and an accepted
candidate joins the unconnected storage, never the chain itself. Backing an unconnected
candidate may rebuild the chain: from the required parent, at each head the backed child that
fits (scheduling parent in scope unless pending, relay parents never decreasing and not below
the minimum unless pending, no cycle, no second path, the emulator's checks), a pending one
first, else the lowest candidate hash, up to `max_backable_len` after the pending ones;
candidates that lost their potential are dropped. Backing a candidate that is unknown or
already in the chain changes nothing. Where the node walks a hash map (the children of a head,
the storage when candidates are offered again), the expected outputs walk in ascending
candidate-hash order. `find_backable_chain` skips the chain's
first candidates while each is among `ancestors`, then gives up to `count`, stopping before one
pending availability.

**Output**

- `steps` (list, one per input step): `{"answer": ..., "best_chain": [hex, ...]}` where
  `best_chain` is the chain's candidate hashes after the step, in chain order, and `answer` is,
  for `"second"`, `{"added": true}` or `{"error": name}` (the Rust `Error` variant:
  `CandidateAlreadyKnown`, `ZeroLengthCycle`, `Cycle`, `MultiplePaths`,
  `RelayParentPrecedesCandidatePendingAvailability`, `ForkWithCandidatePendingAvailability`,
  `ForkChoiceRule`, `CheckAgainstConstraints` with `"validity"` naming the
  `FragmentValidityError` variant, `RelayParentMovedBackwards`, `RelayParentNotInScope`,
  `SchedulingParentNotInScope`; or `CandidateEntry::PersistedValidationDataMismatch`,
  `CandidateEntry::ZeroLengthCycle`), and null for `"back"`.
- `best_chain` (list of hex): the final chain.
- `unconnected` (list, ascending `candidate_hash`): `{"candidate_hash": hex, "state":
  "Seconded" or "Backed"}`.
- `backable` (list, one per query): `[{"candidate_hash": hex, "scheduling_parent": hex}, ...]`
  in chain order.

**Profiles**

`network` only (prospective parachains is today's design). No chain cases: a fragment chain is
node state, which no block holds. Carrying a chain over to a new leaf
(`populate_from_previous`) is not in the vectors.
"""

FAMILY = Family(
    name="fragment_chain",
    summary="one para's fragment chain: seconding, backing, best chain, backable candidates",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
