# Vector family `statement_table`: a sequence of signed statements imported one by one into an
# empty statement table, and what the table reports: each import's summary, the candidates that
# reach their quorum with their votes, and the misbehaviour evidence in the order it was found.
# The rule is core/backing/table.py's (`import_statement`, `attested_candidate`), after
# polkadot@c4ee9d46 statement-table/src/generic.rs with the seed's Invalid statement
# (polkadot@8dd1e0d3) and, for the network profile, polkadot-sdk@0669c628
# polkadot/statement-table/src/generic.rs (`Config { allow_multiple_seconded }`, a group id per
# Seconded) and `effective_minimum_backing_votes` of polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs. This module only translates JSON to records and back.
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from backable.core import (
    MAX_EVIDENCE_PER_VALIDATOR,
    AttestedCandidate,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    DoubleSignKind,
    Invalid,
    Misbehavior,
    MultipleCandidates,
    Seconded,
    SignedStatement,
    Summary,
    Table,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    ValidityDoubleVoteKind,
    attested_candidate,
    import_statement,
)
from backable.core.records.statements import AnyStatement

from ..build import make_case
from ..drawing import drawn
from ..family import Case, CaseSource, Family, Json, Profile, VectorInputError
from ..fields import bool_field, hex_of, int_field, list_field, record_hex, records_field
from ._json import int_list_field, object_at, opt_int_field

__all__ = [
    "A1",
    "A2",
    "B1",
    "FAMILY",
    "boundary_cases",
    "candidate",
    "evidence_kind",
    "invalid",
    "seconded",
    "signature",
    "signed",
    "table_input",
    "valid",
]

_DOUBLE_VOTE_NAMES = {
    ValidityDoubleVoteKind.ISSUED_AND_VALIDITY: "ValidityDoubleVote::IssuedAndValidity",
    ValidityDoubleVoteKind.ISSUED_AND_INVALIDITY: "ValidityDoubleVote::IssuedAndInvalidity",
    ValidityDoubleVoteKind.VALIDITY_AND_INVALIDITY: "ValidityDoubleVote::ValidityAndInvalidity",
}
_DOUBLE_SIGN_NAMES = {
    DoubleSignKind.SECONDED: "DoubleSign::Seconded",
    DoubleSignKind.VALID: "DoubleSign::Validity",
    DoubleSignKind.INVALID: "DoubleSign::Invalidity",
}


def evidence_kind(misbehaviour: Misbehavior) -> str:
    """The evidence's name in the vectors: the Rust `Misbehavior` variant, and for the two enums
    their inner variant (`ValidityDoubleVote::IssuedAndValidity`, `DoubleSign::Seconded`)."""
    if isinstance(misbehaviour, MultipleCandidates):
        return "MultipleCandidates"
    if isinstance(misbehaviour, UnauthorizedStatement):
        return "UnauthorizedStatement"
    if isinstance(misbehaviour, ValidityDoubleVote):
        return _DOUBLE_VOTE_NAMES[misbehaviour.kind]
    return _DOUBLE_SIGN_NAMES[misbehaviour.kind]


# -- evaluation --------------------------------------------------------------------------------


def _groups(data: Mapping[str, Json]) -> dict[int, tuple[int, ...]]:
    groups: dict[int, tuple[int, ...]] = {}
    for i, item in enumerate(list_field(data, "groups")):
        where = f"groups[{i}]"
        group = object_at(item, where)
        group_id = int_field(group, f"{where}.group_id")
        if group_id >= 2**32:
            raise VectorInputError(f"input.{where}.group_id: expected a u32, got {group_id}")
        if group_id in groups:
            raise VectorInputError(f"input.{where}.group_id: group {group_id} given twice")
        groups[group_id] = tuple(int_list_field(group, f"{where}.validators"))
    return groups


def _seconder_groups(data: Mapping[str, Json]) -> dict[int, int] | None:
    if "seconder_groups" not in data:
        raise VectorInputError("input.seconder_groups: missing")
    if data["seconder_groups"] is None:
        return None
    out: dict[int, int] = {}
    for i, item in enumerate(list_field(data, "seconder_groups")):
        where = f"seconder_groups[{i}]"
        entry = object_at(item, where)
        validator = int_field(entry, f"{where}.validator_index")
        if validator in out:
            raise VectorInputError(f"input.{where}.validator_index: {validator} given twice")
        out[validator] = int_field(entry, f"{where}.group_id")
    return out


def _context(data: Mapping[str, Json]) -> TableContext:
    return TableContext(
        _groups(data),
        minimum_backing_votes=opt_int_field(data, "minimum_backing_votes", minimum=1),
        allow_multiple_seconded=bool_field(data, "allow_multiple_seconded"),
        seconder_groups=_seconder_groups(data),
    )


def _summary_json(summary: Summary | None) -> Json:
    if summary is None:
        return None
    return {
        "candidate_hash": hex_of(summary.candidate_hash),
        "group_id": summary.group_id,
        "validity_votes": summary.validity_votes,
    }


def _attested_json(attested: AttestedCandidate) -> Json:
    votes: list[Json] = [
        {"validator_index": v, "attestation": record_hex(a)} for v, a in attested.validity_votes
    ]
    return {
        "candidate_hash": hex_of(attested.candidate.hash()),
        "group_id": attested.group_id,
        "validity_votes": votes,
    }


def _evidence_json(validator: int, misbehaviour: Misbehavior) -> Json:
    statements: list[Json] = [record_hex(s) for s in misbehaviour.signed_statements()]
    return {
        "validator_index": validator,
        "kind": evidence_kind(misbehaviour),
        "statements": statements,
    }


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    context = _context(data)
    statements = records_field(data, "statements", SignedStatement)
    table = Table()
    summaries: list[Json] = []
    for signed in statements:
        table, summary = import_statement(table, context, signed)
        summaries.append(_summary_json(summary))
    if table.excess_count:
        # The table keeps at most MAX_EVIDENCE_PER_VALIDATOR records per offender and counts the
        # rest; the vectors carry every record, so a sequence past the cap is outside them.
        raise VectorInputError(
            f"input.statements: more than {MAX_EVIDENCE_PER_VALIDATOR} misbehaviours by one"
            " validator (outside the vectors' scope)"
        )
    attested: list[Json] = []
    for candidate_hash in table.candidate_hashes():
        found = attested_candidate(table, candidate_hash, context)
        if found is not None:
            attested.append(_attested_json(found))
    misbehaviour: list[Json] = [_evidence_json(v, m) for v, m in table.misbehaviors_since(0)]
    return {"summaries": summaries, "attested": attested, "misbehaviour": misbehaviour}


# -- cases -------------------------------------------------------------------------------------

RELAY_PARENT = b"\x11" * 32


def candidate(para_id: int, nonce: int) -> CommittedCandidateReceipt:
    """A small, distinct committed candidate of `para_id` for each nonce (the cases' fixtures;
    the table never looks inside a candidate beyond its para and hash)."""
    descriptor = CandidateDescriptor(
        para_id=para_id,
        relay_parent=RELAY_PARENT,
        collator=b"\xc0" * 32,
        persisted_validation_data_hash=b"\x01" * 32,
        pov_hash=b"\x02" * 32,
        erasure_root=b"\x03" * 32,
        signature=b"\x04" * 64,
        para_head=bytes([nonce % 256]) * 32,
        validation_code_hash=b"\x05" * 32,
    )
    return CommittedCandidateReceipt(descriptor, CandidateCommitments(head_data=bytes([nonce])))


def signature(validator: int, tag: int = 0) -> bytes:
    """A made-up signature, distinct per (validator, tag): the table never checks signatures."""
    return bytes([validator % 256, tag % 256]) * 32


def signed(statement: AnyStatement, validator: int, tag: int = 0) -> SignedStatement:
    return SignedStatement(statement, validator, signature(validator, tag))


def seconded(c: CommittedCandidateReceipt, validator: int, tag: int = 0) -> SignedStatement:
    return signed(Seconded(c), validator, tag)


def valid(c: CommittedCandidateReceipt, validator: int, tag: int = 0) -> SignedStatement:
    return signed(Valid(c.hash()), validator, tag)


def invalid(c: CommittedCandidateReceipt, validator: int, tag: int = 0) -> SignedStatement:
    return signed(Invalid(c.hash()), validator, tag)


def table_input(
    groups: Mapping[int, tuple[int, ...]],
    statements: list[SignedStatement],
    *,
    minimum_backing_votes: int | None = None,
    allow_multiple_seconded: bool = False,
    seconder_groups: Mapping[int, int] | None = None,
) -> dict[str, Json]:
    """A case's input: the table context and the statements' SCALE hex, in import order."""
    group_list: list[Json] = [
        {"group_id": g, "validators": list(members)} for g, members in sorted(groups.items())
    ]
    seconders: Json = None
    if seconder_groups is not None:
        seconders = [
            {"validator_index": v, "group_id": g} for v, g in sorted(seconder_groups.items())
        ]
    encoded: list[Json] = [record_hex(s) for s in statements]
    return {
        "groups": group_list,
        "minimum_backing_votes": minimum_backing_votes,
        "allow_multiple_seconded": allow_multiple_seconded,
        "seconder_groups": seconders,
        "statements": encoded,
    }


def _case(
    name: str, description: str, source: CaseSource, profile: Profile, data: dict[str, Json]
) -> Case:
    return make_case(evaluate, name, description, source, profile, data)


# The seeds' world: groups by para id, the seed's majority, one Seconded per validator.
PARA_A, PARA_B = 1000, 2000
SEEDS_GROUPS = {PARA_A: (0, 1, 2), PARA_B: (3, 4, 5)}
A1, A2 = candidate(PARA_A, 1), candidate(PARA_A, 2)
B1 = candidate(PARA_B, 3)
# The network's world: groups by core index, a validator's Seconded joins its own core's group.
CORE_GROUPS = {0: (0, 1, 2), 1: (3, 4, 5, 6)}
CORE_OF = {v: core for core, members in CORE_GROUPS.items() for v in members}


def _seeds(name: str, description: str, statements: list[SignedStatement]) -> Case:
    return _case(name, description, "boundary", "seeds", table_input(SEEDS_GROUPS, statements))


def _network(
    name: str, description: str, statements: list[SignedStatement], minimum: int = 2
) -> Case:
    data = table_input(
        CORE_GROUPS,
        statements,
        minimum_backing_votes=minimum,
        allow_multiple_seconded=True,
        seconder_groups=CORE_OF,
    )
    return _case(name, description, "boundary", "network", data)


def _quorum_cases() -> list[Case]:
    # Groups of 1 to 6: the seeds' majority n // 2 + 1 and the network's min(n, 2) votes, each
    # reached exactly and missed by one.
    cases: list[Case] = []
    for n in range(1, 7):
        group = tuple(range(n))
        c = candidate(PARA_A, 10 + n)
        for profile, minimum, need in (("seeds", None, n // 2 + 1), ("network", 2, min(n, 2))):
            for votes, verdict in ((need, "reached"), (need - 1, "missed")):
                if votes < 1:
                    continue
                statements = [seconded(c, 0)] + [valid(c, v) for v in range(1, votes)]
                seconders = {v: PARA_A for v in group} if profile == "network" else None
                data = table_input(
                    {PARA_A: group},
                    statements,
                    minimum_backing_votes=minimum,
                    allow_multiple_seconded=profile == "network",
                    seconder_groups=seconders,
                )
                rule = "n // 2 + 1" if profile == "seeds" else "min(n, 2)"
                cases.append(
                    _case(
                        f"quorum-{profile}-group-of-{n}-{verdict}",
                        f"a group of {n} needs {need} votes ({rule}); {votes} given",
                        "boundary",
                        "seeds" if profile == "seeds" else "network",
                        data,
                    )
                )
    return cases


def boundary_cases() -> list[Case]:
    cases = [
        _seeds("seconded-alone-is-one-vote", "a Seconded is the first validity vote",
               [seconded(A1, 0)]),
        _seeds("votes-before-the-seconded-are-dropped",
               "Valid and Invalid on a candidate not seconded yet change nothing",
               [valid(A1, 1), invalid(A1, 2), seconded(A1, 0)]),
        _seeds("invalid-is-a-vote-that-does-not-count",
               "an Invalid vote is recorded (a summary) but never counts toward the quorum",
               [seconded(A1, 0), invalid(A1, 1)]),
        _seeds("invalid-does-not-undo-a-backed-candidate",
               "the quorum once reached stays reached whatever Invalid votes follow",
               [seconded(A1, 0), valid(A1, 1), invalid(A1, 2)]),
        _seeds("exact-duplicate-is-ignored", "the same statement twice is one vote, no evidence",
               [seconded(A1, 0), valid(A1, 1), valid(A1, 1), seconded(A1, 0)]),
        _seeds("votes-are-listed-by-validator-index",
               "an attested candidate's votes come sorted by validator index",
               [seconded(A1, 2), valid(A1, 1), valid(A1, 0)]),
        _seeds("attested-candidates-are-listed-by-hash",
               "two attested candidates of two groups, listed by ascending candidate hash",
               [seconded(B1, 3), valid(B1, 4), seconded(A1, 0), valid(A1, 1)]),
        _seeds("multiple-candidates", "a validator seconding a second candidate is evidence",
               [seconded(A1, 0), seconded(A2, 0, 1)]),
        _seeds("unauthorized-seconded", "a Seconded from outside the para's group is evidence",
               [seconded(A1, 3)]),
        _seeds("unauthorized-valid-and-invalid",
               "Valid and Invalid votes from outside the candidate's group are evidence",
               [seconded(A1, 0), valid(A1, 4), invalid(A1, 5)]),
        _seeds("double-sign-seconded", "the same Seconded under two signatures",
               [seconded(A1, 0), seconded(A1, 0, 1)]),
        _seeds("double-sign-valid", "the same Valid under two signatures",
               [seconded(A1, 0), valid(A1, 1), valid(A1, 1, 1)]),
        _seeds("double-sign-invalid", "the same Invalid under two signatures",
               [seconded(A1, 0), invalid(A1, 2), invalid(A1, 2, 1)]),
        _seeds("issued-and-validity-seconded-first", "a seconder also voting Valid",
               [seconded(A1, 0), valid(A1, 0, 1)]),
        _seeds("issued-and-validity-valid-first",
               "a Valid voter then seconding: the Seconded's signature is still named first",
               [seconded(A1, 0), valid(A1, 1, 1), seconded(A1, 1, 2)]),
        _seeds("issued-and-invalidity", "a seconder also voting Invalid",
               [seconded(A1, 0), invalid(A1, 0, 1)]),
        _seeds("validity-and-invalidity-valid-first", "Valid then Invalid by one validator",
               [seconded(A1, 0), valid(A1, 2, 1), invalid(A1, 2, 2)]),
        _seeds("validity-and-invalidity-invalid-first",
               "Invalid then Valid by one validator: the Valid's signature is still named first",
               [seconded(A1, 0), invalid(A1, 2, 1), valid(A1, 2, 2)]),
        _seeds("misbehaviour-replayed-is-recorded-once",
               "every offending statement delivered twice: each offence is one record",
               [seconded(A1, 0), seconded(A2, 0, 1), seconded(A2, 0, 1), seconded(A1, 3),
                seconded(A1, 3), valid(A1, 1), valid(A1, 1, 1), valid(A1, 1, 1)]),
        _seeds("misbehaving-statement-is-not-applied",
               "a Seconded that is evidence brings no candidate in: a vote on it is dropped",
               [seconded(A1, 0), seconded(A2, 0, 1), valid(A2, 1)]),
        _case("para-without-a-group-is-never-attested",
              "a candidate of a para no group serves is evidence for its seconder, never backed",
              "boundary", "seeds", table_input({PARA_B: (3, 4, 5)}, [seconded(A1, 3)])),
        _network("network-multiple-seconded-allowed",
                 "allow_multiple_seconded: one validator seconds two candidates, no evidence",
                 [seconded(A1, 0), seconded(A2, 0, 1), valid(A1, 1), valid(A2, 2)]),
        _network("network-seconder-group-is-its-core",
                 "a Seconded joins the core of its sender's group, whatever the para",
                 [seconded(B1, 3), valid(B1, 5)]),
        _network("network-valid-from-another-core-is-unauthorized",
                 "a Valid from a member of another core's group is evidence",
                 [seconded(A1, 0), valid(A1, 3)]),
        _network("network-validator-without-group-is-unauthorized",
                 "a Valid from a validator in no group is evidence",
                 [seconded(A1, 0), valid(A1, 7)]),
        _network("network-double-sign-and-issued-and-validity",
                 "the network's two evidence kinds besides unauthorised statements",
                 [seconded(A1, 0), seconded(A1, 0, 1), valid(A1, 1), valid(A1, 1, 1),
                  valid(A1, 0, 2)]),
        _network("network-minimum-backing-votes-one", "with minimum_backing_votes 1 a Seconded "
                 "alone backs the candidate", [seconded(A1, 0)], minimum=1),
        _network("network-minimum-backing-votes-above-group-size",
                 "a minimum above the group's size asks for the whole group",
                 [seconded(A1, 0), valid(A1, 1), valid(A1, 2)], minimum=5),
    ]
    return cases + _quorum_cases()


def _generated_cases() -> list[Case]:
    from ..record_strategies import st

    seeds_candidates = [candidate(PARA_A, n) for n in range(20, 23)]
    seeds_candidates += [candidate(PARA_B, n) for n in range(23, 26)]
    seeds_groups = {PARA_A: (0, 1, 2, 3, 4), PARA_B: (5, 6, 7)}

    @st.composite
    def seeds_statement(draw: st.DrawFn) -> SignedStatement:
        # 9 validators (8 in groups, 1 outside), 3 statement kinds, 2 signatures each.
        c = draw(st.sampled_from(seeds_candidates))
        kind = draw(st.sampled_from((seconded, valid, invalid)))
        return kind(c, draw(st.integers(0, 8)), draw(st.integers(0, 1)))

    by_core = {0: [candidate(PARA_A, n) for n in (30, 31)], 1: [candidate(PARA_B, n) for n in
                                                                  (32, 33, 34)]}
    network_candidates = by_core[0] + by_core[1]

    @st.composite
    def network_statement(draw: st.DrawFn) -> SignedStatement:
        # Seconded only by a member of the core the candidate is made for (Rust's table would
        # stop on another core's member seconding a candidate it already holds); Valid from
        # anyone, validator 7 in no group; no Invalid on the network.
        if draw(st.booleans()):
            core = draw(st.sampled_from((0, 1)))
            v = draw(st.sampled_from(CORE_GROUPS[core]))
            return seconded(draw(st.sampled_from(by_core[core])), v, draw(st.integers(0, 1)))
        c = draw(st.sampled_from(network_candidates))
        return valid(c, draw(st.integers(0, 7)), draw(st.integers(0, 1)))

    cases: list[Case] = []
    seeds_draws = drawn(lambda _: st.lists(seeds_statement(), min_size=1, max_size=14), 40, 16_001)
    for i, statements in enumerate(seeds_draws):
        data = table_input(seeds_groups, statements)
        cases.append(_case(f"generated-seeds-{i:03d}",
                           "a seeded draw of statements in the seeds' world (2 paras, 9 "
                           "validators, Invalid included)", "generated", "seeds", data))
    network_draws = drawn(
        lambda _: st.tuples(
            st.lists(network_statement(), min_size=1, max_size=14), st.integers(1, 3)
        ),
        40,
        16_002,
    )
    for i, (statements, minimum) in enumerate(network_draws):
        # Each statement once: Rust's table records a replayed offence again, this one once.
        unique = list(dict.fromkeys(statements))
        data = table_input(
            CORE_GROUPS,
            unique,
            minimum_backing_votes=minimum,
            allow_multiple_seconded=True,
            seconder_groups=CORE_OF,
        )
        cases.append(_case(f"generated-network-{i:03d}",
                           f"a seeded draw of statements under the network's rules (groups by "
                           f"core, minimum_backing_votes {minimum}, several Seconded allowed)",
                           "generated", "network", data))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    """Hand-picked boundaries and seeded draws; the real blocks carry no statements."""
    return tuple(boundary_cases() + _generated_cases())


SCHEMA = """\
Imports signed backing statements, one at a time and in the order given, into an empty
statement table, and reports what the table says: the candidate-backing rule of the
implementers' guide ("Candidate Backing") as `statement-table/src/generic.rs` of polkadot
(`import_statement`, `attested_candidate`) implements it. Signatures are never checked by the
table (the caller checks them before importing), so the cases carry made-up ones.

**Input**

- `groups` (list of objects, ascending `group_id`): `{"group_id": int, "validators": [int, ...]}`,
  the validator indices of each backing group. Under the seeds' profile a group id is the para id
  its group backs; under the network profile it is a core index.
- `minimum_backing_votes` (int >= 1, or null): null is the seeds' quorum, a majority of the
  group, `len(group) // 2 + 1`; an int `k` is the network's
  `effective_minimum_backing_votes`, `min(len(group), k)`.
- `allow_multiple_seconded` (bool): the network's `Config { allow_multiple_seconded }`; when
  false a validator's second Seconded of another candidate is `MultipleCandidates` evidence.
- `seconder_groups` (list of objects, or null): `{"validator_index": int, "group_id": int}`.
  Null (seeds): a Seconded joins the group whose id is its candidate's para id. Otherwise a
  Seconded joins its sender's group (Rust's `import_statement(context, group_id, statement)` with
  the core of the sender's group); a validator absent from the list seconds into no group.
- `statements` (list of hex): each the SCALE encoding of a signed statement as the network sends
  it, `polkadot_node_primitives::UncheckedSignedFullStatement`: the `Statement` enum
  (index 1 `Seconded(CommittedCandidateReceipt)`, 2 `Valid(CandidateHash)`, and the seeds'
  3 `Invalid(CandidateHash)`), then the validator index (u32 LE), then the 64-byte signature.

**Rule**

- A Seconded from a validator outside the group it joins is `UnauthorizedStatement`; so is
  one, under `seconder_groups`, for a candidate already in the table under another group (the
  node never sends the table such a statement; no case holds one). With
  `allow_multiple_seconded` false, a Seconded of a candidate other than the validator's first is
  `MultipleCandidates`. Otherwise the Seconded is an implicit validity vote on its candidate
  (the candidate enters the table with the Seconded's group if it is new). Candidate hashes are
  the `records` family's.
- A Valid or Invalid on a candidate no Seconded brought in is dropped (no summary, no evidence).
  From a validator outside the candidate's group it is `UnauthorizedStatement`.
- A validator's second vote on one candidate: the same kind and signature is dropped; the same
  kind under another signature is `DoubleSign`; another kind is `ValidityDoubleVote`.
- A statement that is evidence changes nothing else. The same offence again (an equal
  evidence record) is not recorded twice.
- A candidate is attested when its distinct Seconded and Valid votes reach the quorum; Invalid
  votes never count and never subtract. A candidate whose group id has no group is never attested.

**Output**

- `summaries` (list, one per statement, in input order): null when the import added no vote
  (dropped, duplicate or evidence), else `{"candidate_hash": hex, "group_id": int,
  "validity_votes": int}` with the candidate's number of Seconded and Valid votes after it.
- `attested` (list, ascending `candidate_hash`): `{"candidate_hash": hex, "group_id": int,
  "validity_votes": [{"validator_index": int, "attestation": hex}, ...]}`, votes ascending by
  validator index, each the SCALE `ValidityAttestation` (1 `Implicit(signature)` for a
  Seconded, 2 `Explicit(signature)` for a Valid).
- `misbehaviour` (list, in the order detected): `{"validator_index": int, "kind": string,
  "statements": [hex, ...]}` where `kind` is one of `MultipleCandidates`,
  `UnauthorizedStatement`, `ValidityDoubleVote::IssuedAndValidity`,
  `ValidityDoubleVote::IssuedAndInvalidity`, `ValidityDoubleVote::ValidityAndInvalidity`,
  `DoubleSign::Seconded`, `DoubleSign::Validity`, `DoubleSign::Invalidity`, and `statements`
  are the signed statements the evidence holds, in the `statements` encoding: the first and the
  second Seconded (`MultipleCandidates`); the one statement (`UnauthorizedStatement`); the
  Seconded then the Valid or Invalid, or the Valid then the Invalid, whatever the arrival order
  (`ValidityDoubleVote`); the statement under the older then the newer signature
  (`DoubleSign`).

**Profiles**

`seeds`: groups by para id, the majority quorum, one Seconded per validator, the Invalid
statement. `network`: groups by core, `minimum_backing_votes`, `allow_multiple_seconded`, no
Invalid, every statement at most once (the node records a replayed offence again; the table
here records it once, which only the seeds' cases exercise). No case has more than 8 offences by
one validator (an input with more is refused).
"""

FAMILY = Family(
    name="statement_table",
    summary="statement-table imports: each step's summary, attested candidates, evidence",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
