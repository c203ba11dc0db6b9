# Vector family `attested_to_backed`: a candidate the statement table attested, with its votes,
# turned into the `BackedCandidate` that goes to the provisioner and on chain: votes ordered by
# the voter's position in the backing group, one bit per group member, and under the network's
# rules the core index appended as eight more bits. The rules are core/backing/table.py's
# `attested_to_backed` (the node's `table_attested_to_backed`, polkadot@c4ee9d46
# node/core/backing/src/lib.rs) and core/today/claim_queue.py's `inject_core_index`
# (`BackedCandidate::new`, polkadot-sdk@88db6842 polkadot/primitives/src/v9/mod.rs). This module
# only translates JSON to records and back.
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import cast

from backable.core import (
    AttestedCandidate,
    BackedCandidate,
    CommittedCandidateReceipt,
    Explicit,
    Implicit,
    ValidityAttestation,
    attested_to_backed,
    inject_core_index,
)
from backable.core.records.statements import AnyValidityAttestation

from ..build import make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import (
    bool_field,
    int_field,
    list_field,
    record_field,
    record_hex,
)
from ._json import int_list_field, object_at, records_built
from .statement_table import candidate, signature

__all__ = ["C", "FAMILY", "attested_input", "boundary_cases", "explicit", "implicit"]


def _votes(data: Mapping[str, Json]) -> tuple[tuple[int, AnyValidityAttestation], ...]:
    votes: list[tuple[int, AnyValidityAttestation]] = []
    seen: set[int] = set()
    for i, item in enumerate(list_field(data, "validity_votes")):
        where = f"validity_votes[{i}]"
        vote = object_at(item, where)
        validator = int_field(vote, f"{where}.validator_index")
        if validator in seen:
            raise VectorInputError(f"input.{where}.validator_index: {validator} votes twice")
        seen.add(validator)
        # The codec reads the tagged enum and gives one of its two variants.
        attestation = cast(
            AnyValidityAttestation,
            record_field(vote, f"{where}.attestation", ValidityAttestation),
        )
        votes.append((validator, attestation))
    return tuple(votes)


def _group(data: Mapping[str, Json]) -> tuple[int, ...]:
    group = tuple(int_list_field(data, "group"))
    if len(set(group)) != len(group):
        raise VectorInputError(f"input.group: a validator appears twice in {list(group)}")
    return group


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    group_id = int_field(data, "group_id")
    receipt = record_field(data, "candidate", CommittedCandidateReceipt)
    attested = records_built(
        "validity_votes", lambda: AttestedCandidate(group_id, receipt, _votes(data))
    )
    group = _group(data)
    inject = bool_field(data, "inject_core_index")
    backed = attested_to_backed(attested, group)
    if backed is not None and inject:
        group_bits = backed.validator_indices
        bits = records_built("group_id", lambda: inject_core_index(group_bits, group_id))
        backed = BackedCandidate(backed.candidate, backed.validity_votes, bits)
    return {"backed": None if backed is None else record_hex(backed)}


# -- cases -------------------------------------------------------------------------------------


def attested_input(
    group_id: int,
    receipt: CommittedCandidateReceipt,
    votes: list[tuple[int, AnyValidityAttestation]],
    group: tuple[int, ...],
    inject: bool,
) -> dict[str, Json]:
    vote_list: list[Json] = [
        {"validator_index": v, "attestation": record_hex(a)} for v, a in votes
    ]
    return {
        "group_id": group_id,
        "candidate": record_hex(receipt),
        "validity_votes": vote_list,
        "group": list(group),
        "inject_core_index": inject,
    }


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


C = candidate(1000, 1)


def implicit(v: int) -> tuple[int, AnyValidityAttestation]:
    return (v, Implicit(signature(v)))


def explicit(v: int) -> tuple[int, AnyValidityAttestation]:
    return (v, Explicit(signature(v)))


def boundary_cases() -> list[Case]:
    seeds: list[tuple[str, str, list[tuple[int, AnyValidityAttestation]], tuple[int, ...]]] = [
        ("votes-already-in-group-order", "three votes of a group of three, in order",
         [implicit(0), explicit(1), explicit(2)], (0, 1, 2)),
        ("votes-reordered-by-group-position",
         "votes listed by validator index come out in the order of the group",
         [explicit(1), explicit(3), implicit(5)], (5, 3, 1, 0, 2, 4)),
        ("positions-not-validator-indices", "the bits are group positions, not validator indices",
         [explicit(9), implicit(7)], (9, 4, 7)),
        ("voter-outside-the-group-gives-nothing",
         "a vote from a validator the group does not hold: no backed candidate (a logic error)",
         [implicit(0), explicit(8)], (0, 1, 2)),
        ("one-member-group", "a group of one with its seconder's vote", [implicit(4)], (4,)),
        ("no-votes", "an attested candidate without votes: no bit set", [], (0, 1)),
        ("eight-member-group-fills-a-byte", "a group of 8: the bits fill exactly one byte",
         [implicit(0), explicit(7)], tuple(range(8))),
        ("nine-member-group-spills-into-a-second-byte",
         "a group of 9: the ninth member's bit is bit 0 of a second byte",
         [implicit(3), explicit(8)], tuple(range(9))),
        ("sixteen-member-group-all-voting", "every member of a group of 16 votes",
         [implicit(0)] + [explicit(v) for v in range(1, 16)], tuple(range(16))),
        ("explicit-only-votes", "no Implicit vote (the seconder's vote missing)",
         [explicit(2), explicit(0)], (0, 1, 2)),
    ]
    cases = [
        _case(name, description, "boundary", "seeds", attested_input(1000, C, votes, group, False))
        for name, description, votes, group in seeds
    ]
    network: list[tuple[str, str, int, list[tuple[int, AnyValidityAttestation]],
                        tuple[int, ...]]] = [
        ("core-5-after-positions-0-and-2",
         "a group of 3 with votes at positions 0 and 2 on core 5: 11 bits 1,0,1 | 1,0,1,0,0,0,0,0",
         5, [implicit(10), explicit(12)], (10, 11, 12)),
        ("core-0-appends-eight-zero-bits", "core 0 still appends 8 (zero) bits",
         0, [implicit(0), explicit(1)], (0, 1, 2)),
        ("core-255-the-largest", "core 255, the largest the 8 bits hold",
         255, [implicit(0), explicit(1)], (0, 1)),
        ("core-index-after-a-full-byte", "a group of 8 then core 129: 16 bits, two bytes",
         129, [implicit(1), explicit(6)], tuple(range(8))),
        ("core-index-with-voter-outside-the-group",
         "a vote from outside the group gives no backed candidate whatever the core",
         3, [implicit(0), explicit(9)], (0, 1)),
        ("core-index-on-a-one-member-group", "a group of one on core 1: 9 bits",
         1, [implicit(7)], (7,)),
    ]
    cases += [
        _case(f"network-{name}", description, "boundary", "network",
              attested_input(core, C, votes, group, True))
        for name, description, core, votes, group in network
    ]
    return cases


def _generated_cases() -> list[Case]:
    from ..record_strategies import st

    @st.composite
    def world(
        draw: st.DrawFn,
    ) -> tuple[tuple[int, ...], list[tuple[int, AnyValidityAttestation]], int, bool]:
        group = tuple(draw(st.lists(st.integers(0, 60), min_size=1, max_size=12, unique=True)))
        voters = draw(st.lists(st.sampled_from(group), unique=True, max_size=len(group)))
        if draw(st.integers(0, 9)) == 0:
            voters.append(draw(st.integers(61, 70)))  # now and then a voter from outside
        votes: list[tuple[int, AnyValidityAttestation]] = []
        for v in sorted(voters):
            sig = signature(v, draw(st.integers(0, 3)))
            vote: AnyValidityAttestation = Implicit(sig) if draw(st.booleans()) else Explicit(sig)
            votes.append((v, vote))
        return group, votes, draw(st.integers(0, 255)), draw(st.booleans())

    cases: list[Case] = []
    for i, (group, votes, core, inject) in enumerate(drawn(lambda _: world(), 60, 16_101)):
        profile: Profile = "network" if inject else "seeds"
        what = f"core {core} appended" if inject else "no core index"
        cases.append(_case(f"generated-{i:03d}",
                           f"a seeded draw: a group of {len(group)}, {len(votes)} votes, {what}",
                           "generated", profile,
                           attested_input(core if inject else 1000 + core, C, votes, group,
                                          inject)))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    """Hand-picked boundaries and seeded draws; the real blocks carry backed candidates, not the
    table's attestations they were made from."""
    return tuple(boundary_cases() + _generated_cases())


SCHEMA = """\
Turns a candidate the statement table attested into the `BackedCandidate` that backing hands
to the provisioner: polkadot's `table_attested_to_backed` (node/core/backing/src/lib.rs), and
under the network's rules `BackedCandidate::new`, which appends the core index
(polkadot-sdk `polkadot/primitives/src/v9/mod.rs`).

**Input**

- `group_id` (int): the attested candidate's group id (a para id under the seeds' profile, the
  core index under the network's).
- `candidate` (hex): SCALE `polkadot_primitives::CommittedCandidateReceiptV2` (byte-identical to
  v1's `CommittedCandidateReceipt`).
- `validity_votes` (list, any order, one per validator): `{"validator_index": int,
  "attestation": hex}`, the attestation a SCALE `polkadot_primitives::ValidityAttestation`
  (1 `Implicit(signature)`, 2 `Explicit(signature)`).
- `group` (list of int): the backing group's validator indices, in the group's own order, no
  validator twice.
- `inject_core_index` (bool): false under the seeds' profile; true under the network's, where
  `group_id` is a core index from 0 to 255.

**Rule**

Every voter must be in `group`, else there is no backed candidate (Rust logs a logic error and
returns `None`). Each vote goes to its voter's position in `group`; the votes are ordered by
that position, and `validator_indices` has one bit per group member (Lsb0 bit order), set for
the voters. With `inject_core_index`, eight more bits follow: the core index, least significant
bit first (`BackedCandidate::new`).

**Output**

- `backed` (hex or null): SCALE `polkadot_primitives::BackedCandidate` (the receipt, the compact
  count and the votes, then `validator_indices` as `BitVec<u8, Lsb0>`: compact bit count, then
  the bytes), or null when a voter is not in the group.

**Profiles**

`seeds`: exactly `len(group)` bits. `network`: `len(group) + 8` bits, the last eight the core.
"""

FAMILY = Family(
    name="attested_to_backed",
    summary="an attested candidate and its group to the BackedCandidate's bytes",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
