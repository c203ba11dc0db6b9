# Plain models of the provisioner's selection rules, each written from the rule's text (the
# implementers' guide "Provisioner" page, and the node's prioritised dispute selection where the
# network settled it), never from the project's own helpers: the properties and the provisioning
# job machine check the code against these. Mutable lists and dicts, loops in the rule's order.
from __future__ import annotations

from typing import Any

from backable.core import (
    Active,
    BackingSeconded,
    BackingValid,
    DisputeStatementSet,
    OccupiedCore,
    OccupiedCoreAssumption,
    ProvisionerInherentData,
    ScheduledCore,
)

# The node's cap on dispute votes forwarded to the runtime
# (`MAX_DISPUTE_VOTES_FORWARDED_TO_RUNTIME`, prioritized_selection/mod.rs at polkadot@247e4a73).
MAX_DISPUTE_VOTES = 200_000


def select_bitfields(cores: Any, fields: Any) -> tuple[Any, ...]:
    """At most one bitfield per validator: its length is the number of cores, it sets bits only
    on occupied cores, and of several the first with the most ones wins. By validator index."""
    chosen: dict[int, Any] = {}
    for bf in fields:
        if len(bf.payload) != len(cores):
            continue
        if any(bf.payload[i] and not isinstance(cores[i], OccupiedCore) for i in range(len(cores))):
            continue
        ones = sum(bf.payload[i] for i in range(len(cores)))
        cur = chosen.get(bf.validator_index)
        if cur is None or ones > sum(cur.payload[i] for i in range(len(cores))):
            chosen[bf.validator_index] = bf
    return tuple(chosen[v] for v in sorted(chosen))


def _available(c: int, fields: Any, core: OccupiedCore) -> bool:
    # The core's availability vector, plus each bitfield's bit for this core at its signer's
    # position; available at two thirds (3 * ones >= 2 * n). A signer outside the vector makes
    # the core unavailable (the node's `bitfields_indicate_availability`).
    n = len(core.availability)
    held = [core.availability[i] for i in range(n)]
    for f in fields:
        if f.validator_index >= n:
            return False
        if c < len(f.payload) and f.payload[c]:
            held[f.validator_index] = True
    return 3 * sum(held) >= 2 * n


def _para_and_assumption(
    c: int, core: Any, fields: Any, block: int
) -> tuple[int, OccupiedCoreAssumption] | None:
    # Scheduled: its para, assumed free. Occupied and now available: the para next up on
    # availability, assumed included. Occupied, not available, timing out at this block: the
    # para next up on time-out, assumed timed out. Anything else: the core is skipped.
    if isinstance(core, ScheduledCore):
        return core.para_id, OccupiedCoreAssumption.FREE
    if not isinstance(core, OccupiedCore):
        return None
    if _available(c, fields, core):
        if core.next_up_on_available is None:
            return None
        return core.next_up_on_available.para_id, OccupiedCoreAssumption.INCLUDED
    if core.time_out_at == block and core.next_up_on_time_out is not None:
        return core.next_up_on_time_out.para_id, OccupiedCoreAssumption.TIMED_OUT
    return None


def select_candidates(cores: Any, fields: Any, cands: Any, block: int, vd: Any) -> tuple[Any, ...]:
    """Core by core: the para and assumption, its validation data, then the first candidate of
    that para built on it; one per para, at most one carrying a code upgrade."""
    out: list[Any] = []
    paras: set[int] = set()
    code = False
    for c, core in enumerate(cores):
        choice = _para_and_assumption(c, core, fields, block)
        if choice is None or choice[0] in paras or choice not in vd:
            continue
        want = vd[choice].hash()
        for cand in cands:
            d = cand.candidate.descriptor
            if d.para_id == choice[0] and d.persisted_validation_data_hash == want:
                paras.add(d.para_id)
                has_code = cand.candidate.commitments.new_validation_code is not None
                if not (has_code and code):
                    out.append(cand)
                code = code or has_code
                break
    return tuple(out)


def _supermajority(n: int) -> int:
    return 0 if n <= 0 else n - (n - 1) // 3


def select_disputes(recent: Any, onchain: Any, votes: Any, now: int, cap: int) -> list[Any]:
    """Keep the coordinator's disputes that are confirmed or concluded, or known on chain.
    "Inactive": concluded more than 180 s before now. "Concluded on chain": a supermajority (of
    the number of validators) on either side. Priority: inactive and unknown on chain, inactive
    and unconcluded on chain, active and unknown, active and unconcluded on chain, active and
    concluded on chain; inactive and concluded on chain are never chosen. Each priority class in
    ascending (session, candidate) order. A dispute with no votes is skipped. For a dispute the
    chain knows, a vote already on chain for that validator's side is not sent again, a vote on
    the other side (a double vote) is, a validator on both sides already needs nothing, and
    backing votes are always sent. Stop at the first dispute that would pass the cap."""
    classes: dict[int, list[Any]] = {0: [], 1: [], 2: [], 3: [], 4: []}
    for key in sorted(recent):
        status, state = recent[key], onchain.get(key)
        confirmed_or_concluded = not isinstance(status, Active)
        if state is None and not confirmed_or_concluded:
            continue
        at = getattr(status, "at", None)
        inactive = at is not None and at + 180 < now
        if state is None:
            classes[0 if inactive else 2].append(key)
            continue
        n = len(state.validators_for)
        concluded = max(sum(state.validators_for), sum(state.validators_against)) >= _supermajority(
            n
        )
        if not concluded:
            classes[1 if inactive else 3].append(key)
        elif not inactive:
            classes[4].append(key)
    chosen: list[Any] = []
    total = 0
    for c in range(5):
        for key in classes[c]:
            if key not in votes:
                continue
            state = onchain.get(key)
            sent = []
            for side, kinds in ((True, votes[key].valid), (False, votes[key].invalid)):
                for v in sorted(kinds):
                    kind, sig = kinds[v]
                    if state is not None and not isinstance(kind, BackingSeconded | BackingValid):
                        has_for = v < len(state.validators_for) and state.validators_for[v]
                        has_against = (
                            v < len(state.validators_against) and state.validators_against[v]
                        )
                        if has_for and has_against:
                            continue
                        if (has_for and side) or (has_against and not side):
                            continue
                    sent.append((kind, v, sig))
            if total + len(sent) > cap:
                return sorted(chosen, key=lambda d: d[0])
            chosen.append((key, tuple(sent)))
            total += len(sent)
    return sorted(chosen, key=lambda d: d[0])


def inherent_data(
    cores: Any, fields: Any, cands: Any, block: int, vd: Any, disputes: Any = None
) -> ProvisionerInherentData:
    """The whole answer: the selected bitfields, the candidates chosen with *those* bitfields,
    and the chosen disputes (none without dispute inputs)."""
    selected = select_bitfields(cores, fields)
    chosen: tuple[Any, ...] = ()
    if disputes is not None:
        chosen = tuple(
            DisputeStatementSet(key[1], key[0], statements)
            for key, statements in select_disputes(
                disputes.recent, disputes.onchain, disputes.votes, disputes.now, MAX_DISPUTE_VOTES
            )
        )
    return ProvisionerInherentData(
        selected, select_candidates(cores, selected, cands, block, vd), chosen
    )
