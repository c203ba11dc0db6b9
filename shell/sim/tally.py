# Collecting `backable simulate`'s report: the rows and totals of `SimReport`, built from what the
# chain model says it did with each block (`Applied`) and from the nodes' and the network's
# read-only views (job states, rejected statements, misbehaviour found, dropped messages).
#
# What belongs here: counting and summing for the report, and checking the evidence it counts.
# Not here: the report's shape (`report.py`), showing it (`render.py`), deciding anything the
# run does (the engine, the chain model, the adversaries).
from __future__ import annotations

import statistics
from array import array
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from backable.core import SigningContext, statement_signing_payload, verify_signature
from backable.core.thresholds import backing_threshold

from ..collaborators.keystore import Keystore
from ..collaborators.network import InProcessNetwork
from ..collaborators.validation import InMemoryValidation
from ..node import Node
from .adversaries import Offence
from .chain import SESSION, Applied
from .report import (
    UNDETECTED_APART,
    UNDETECTED_LOST,
    UNDETECTED_UNEXPLAINED,
    BlockRow,
    InclusionRow,
    SimParams,
    SimReport,
)

__all__ = [
    "RELAY_BLOCK_SECONDS",
    "Tally",
    "parablock_time_seconds",
    "detected_misbehaviour",
    "seconded_async",
    "seconded_at",
    "signature_work",
    "undetected_misbehaviour",
]

# A case of misbehaviour: relay parent, accused validator, kind, and the candidates its evidence
# names (sorted, each once: two nodes that saw one equivocation's Seconded statements in
# opposite orders hold evidence naming them in opposite orders).
_Case = tuple[bytes, int, str, tuple[bytes, ...]]

# Network counters that are traffic, not loss: left out of the dropped messages.
_NOT_DROPPED = ("statements delivered", "povs served")


RELAY_BLOCK_SECONDS = 6.0  # a relay block's time, under both protocols


def parablock_time_seconds(inclusions: Iterable[tuple[int, int]]) -> float | None:
    """The mean time between a para's inclusions, in seconds (relay block =
    `RELAY_BLOCK_SECONDS`), from `(para, block)` pairs: per para, the blocks from its first
    inclusion to its last, divided by the inclusions after the first block (so K candidates
    included in each block give a K-th of a block). None when no para was included after its
    first inclusion block."""
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    later: dict[int, int] = {}
    for para, block in inclusions:
        first.setdefault(para, block)
        last[para] = block
        if block > first[para]:
            later[para] = later.get(para, 0) + 1
    gaps = sum(later.values())
    if not gaps:
        return None
    blocks = sum(last[p] - first[p] for p in later)
    return round(RELAY_BLOCK_SECONDS * blocks / gaps, 6)


def seconded_async(nodes: Sequence[Node], relay_parent: bytes) -> int:
    """How many candidates the nodes' async backing jobs at `relay_parent` have seconded."""
    total = 0
    for node in nodes:
        states = getattr(node.backing, "async_states", {})
        job = states.get(relay_parent)
        if job is not None:
            total += len(job.seconded)
    return total


def seconded_at(nodes: Sequence[Node], relay_parent: bytes) -> int:
    """How many nodes have seconded a candidate at `relay_parent`."""
    return sum(
        1
        for node in nodes
        if (job := node.backing.job_state(relay_parent)) and job.seconded is not None
    )


def detected_misbehaviour(
    seen: Mapping[_Case, object],
    validators: Sequence[bytes],
    verify: Callable[[bytes, bytes, bytes], bool] = verify_signature,
) -> tuple[dict[str, int], int, int]:
    """Unique misbehaviour detected by any node (`seen`, as `observe_cases` gathers it), by kind
    (sorted), and how many cases' evidence verifies and how many does not (forged signatures
    carry no evidence to verify). Signatures are checked with `verify`."""
    counts: Counter[str] = Counter(key[2] for key in seen)
    verified = unverified = 0
    for (rp, v, kind, _), evidence in sorted(seen.items(), key=lambda kv: kv[0]):
        if kind == "ForgedSignature":
            continue
        ctx = SigningContext(SESSION, rp)
        statements = evidence.signed_statements()  # type: ignore[attr-defined]
        ok = all(
            s.validator_index == v
            and verify(statement_signing_payload(s.statement, ctx), s.signature, validators[v])
            for s in statements
        )
        if ok:
            verified += 1
        else:
            unverified += 1
    return {k: counts[k] for k in sorted(counts)}, verified, unverified


def signature_work(keystores: Iterable[Keystore], validation: InMemoryValidation) -> dict[str, int]:
    """The report's `signatures`: what the keystores signed and verified, and the collator
    signatures `validation` checked."""
    signed = verified = 0
    for keys in keystores:
        signed += keys.signed
        verified += keys.verified
    return {"signed": signed, "verified": verified + validation.signatures_verified}


def observe_cases(nodes: Sequence[Node], seen: dict[_Case, object]) -> None:
    """Add to `seen` the misbehaviour the nodes' bounded observer views hold now. One case of
    misbehaviour is seen by many nodes: counted once, by relay parent, accused validator, kind
    and the candidates it involves; the first evidence found is kept. The views keep only the
    latest entries, so the simulation observes them after every block, not once at the end."""
    for node in nodes:
        for rp, v, misbehavior in node.backing.misbehaviour_found:
            hashes = tuple(sorted({s.candidate_hash for s in misbehavior.signed_statements()}))
            seen.setdefault((rp, v, type(misbehavior).__name__, hashes), misbehavior)
        for rp, reason, signed in node.backing.rejections:
            if reason == "bad signature":
                key = (rp, signed.validator_index, "ForgedSignature", (signed.candidate_hash,))
                seen.setdefault(key, signed)


def undetected_misbehaviour(
    seen: Mapping[_Case, object], offences: Sequence[Offence]
) -> dict[str, dict[str, int]]:
    """The injected offences no node detected, by kind and by why: every copy of a statement it
    needs was lost, or no node that received it held what it contradicts (or the Seconded of
    the candidate it votes on); anything else is `UNDETECTED_UNEXPLAINED`, a bug."""
    found = set(seen)
    out: dict[str, Counter[str]] = {}
    for o in offences:
        if (o.relay_parent, o.validator, o.kind, tuple(sorted(o.candidates))) in found:
            continue
        if not all(o.delivered):
            reason = UNDETECTED_LOST
        elif not o.able_to_detect():
            reason = UNDETECTED_APART
        else:
            reason = UNDETECTED_UNEXPLAINED
        out.setdefault(o.kind, Counter())[reason] += 1
    return {k: dict(sorted(out[k].items())) for k in sorted(out)}


class Tally:
    """Builds one run's report as blocks are applied; `finish` adds the totals."""

    def __init__(
        self,
        params: SimParams,
        groups: Sequence[Sequence[int]],
        invalid: Container[bytes],
        adversarial_groups: AbstractSet[int],
    ) -> None:
        self.report = SimReport(params=params)
        self.groups = groups
        self.invalid = invalid  # the colluders' invalid candidates, by hash
        self.adversarial_groups = adversarial_groups
        # Per-inclusion and per-block figures, as machine numbers: they grow with the run.
        self.delays = array("q")
        self.assembly = array("d")
        self.availability_per_core = [0] * params.cores
        self.cases: dict[_Case, object] = {}  # misbehaviour seen so far (`observe_cases`)

    def observe(self, nodes: Sequence[Node]) -> None:
        """Gather the misbehaviour the nodes have found so far (after each block)."""
        observe_cases(nodes, self.cases)

    def stopped(self, number: int, problems: Sequence[object]) -> None:
        """`check_inherent` refused block `number`'s inherent: the run stops here."""
        self.report.inherent_problems = [f"block {number}: {pr}" for pr in problems]
        self.report.stopped_early = f"block {number}: check_inherent found {len(problems)} problems"

    def applied(self, number: int, row: BlockRow, applied: Applied) -> None:
        """Block `number`'s inherent was applied: fill its row and the inclusions."""
        r, p = self.report, self.report.params
        row.bitfields = applied.bitfields
        row.occupied_cores = applied.occupied_before
        row.timed_out += applied.timed_out
        for core, pending in applied.included:
            row.included += 1
            row.available_cores += 1
            self.availability_per_core[core] += 1
            h = pending.candidate_hash
            self.delays.append(number - pending.backed_at)
            group_size = len(self.groups[pending.group])
            r.inclusions.append(
                InclusionRow(
                    block=number,
                    core=core,
                    para=pending.collation.committed.descriptor.para_id,
                    backed_at=pending.backed_at,
                    votes=pending.votes,
                    group_size=group_size,
                    threshold=backing_threshold(group_size, p.minimum_backing_votes),
                    availability=pending.availability.bit_count(),
                    validators=p.validators,
                    scheduled_when_backed=pending.scheduled,
                    invalid=h in self.invalid,
                )
            )
            if h in self.invalid:
                r.invalid_included += 1
                if pending.group in self.adversarial_groups:
                    r.invalid_included_in_such_groups += 1
                else:
                    r.invalid_included_elsewhere += 1
        r.core_conflicts += applied.core_conflicts
        for pending in applied.backed:
            row.backed += 1
            if pending.candidate_hash in self.invalid:
                r.invalid_backed += 1
        r.inherent_problems.extend(applied.problems)
        row.code_upgrades = applied.code_upgrades

    def finish(
        self,
        nodes: Sequence[Node],
        network: InProcessNetwork,
        also_dropped_by_network: Mapping[str, int],
        injected: Mapping[str, int],
        validators: Sequence[bytes],
        wall: float,
        offences: Sequence[Offence] = (),
        verify: Callable[[bytes, bytes, bytes], bool] = verify_signature,
    ) -> SimReport:
        """The totals, the misbehaviour detected against `injected` (and, of `offences`, those
        undetected by reason), and the dropped messages by reason: the nodes' and the
        network's, and `also_dropped_by_network` (what the simulation itself drops in the
        network's place, such as lost bitfields)."""
        r = self.report
        r.seconded = sum(b.seconded for b in r.blocks)
        r.backed = sum(b.backed for b in r.blocks)
        r.included = sum(b.included for b in r.blocks)
        r.timed_out = sum(b.timed_out for b in r.blocks)
        r.code_upgrades = sum(b.code_upgrades for b in r.blocks)
        r.mean_blocks_backing_to_inclusion = (
            round(statistics.fmean(self.delays), 6) if self.delays else None
        )
        r.parablock_time_seconds = parablock_time_seconds(
            [(row.para, row.block) for row in r.inclusions]
        )
        r.backed_per_block = round(r.backed / len(r.blocks), 6) if r.blocks else 0.0
        r.availability_per_core = list(self.availability_per_core)
        r.misbehaviour_injected = {k: v for k, v in sorted(injected.items())}
        self.observe(nodes)
        detected, verified, unverified = detected_misbehaviour(self.cases, validators, verify)
        r.misbehaviour_detected = detected
        r.evidence_verified, r.evidence_unverified = verified, unverified
        r.misbehaviour_undetected = undetected_misbehaviour(self.cases, offences)
        dropped: Counter[str] = Counter()
        for node in nodes:
            for reason, count in node.backing.stats()["dropped"].items():
                dropped[f"backing: {reason}"] += count
            for reason, count in node.backing.rejected_by_reason.items():
                dropped[f"backing: statement rejected, {reason}"] += count
            for reason, count in node.provisioner.stats()["dropped"].items():
                dropped[f"provisioner: {reason}"] += count
        for counts in (network.counts, also_dropped_by_network):
            for reason, count in counts.items():
                if reason not in _NOT_DROPPED:
                    dropped[f"network: {reason}"] += count
        r.dropped = {k: v for k, v in sorted(dropped.items()) if v}
        r.groups_with_adversaries_at_or_over_a_third = len(self.adversarial_groups)
        r.assembly_ms_median = statistics.median(self.assembly) if self.assembly else None
        r.assembly_ms_max = max(self.assembly) if self.assembly else None
        r.wall_seconds = round(wall, 3)
        return r
