# Laws of candidate selection (implementers' guide, "Provisioner"; `select_candidates`,
# polkadot@c4ee9d46 node/core/provisioner/src/lib.rs): it agrees with a plain model of the
# seed's loop, obeys every constraint, never raises on well-typed input and modifies nothing.
from __future__ import annotations

from typing import Any

from hypothesis import given

from backable.core import (
    OccupiedCore,
    OccupiedCoreAssumption,
    ScheduledCore,
    assemble_inherent_data,
    check_inherent,
    select_availability_bitfields,
    select_candidates,
)
from properties.provisioner_strategies import candidate_inputs

# The model is written from the rule's text (the "Provisioner" guide page, "Candidate
# Selection" and the availability check), not from the project's helpers: it recounts each
# occupied core's availability bit by bit and picks the assumption itself.


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


def _model(cores: Any, fields: Any, cands: Any, block: int, vd: Any) -> tuple[Any, ...]:
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


@given(candidate_inputs())
def test_selection_matches_the_seeds_loop_in_core_order_and_every_constraint(
    case: tuple[Any, ...],
) -> None:
    cores, fields, cands, block, vd = case
    selected_fields = select_availability_bitfields(cores, fields)
    snapshot = (list(cands), dict(vd))
    got = select_candidates(cores, selected_fields, list(cands), block, vd)
    assert (list(cands), dict(vd)) == snapshot
    assert got == _model(cores, selected_fields, cands, block, vd)
    paras = [c.candidate.descriptor.para_id for c in got]
    assert len(paras) == len(set(paras))
    assert sum(c.candidate.commitments.new_validation_code is not None for c in got) <= 1
    assert all(any(c is x for x in cands) for c in got)


@given(candidate_inputs())
def test_selection_never_raises_even_on_unselected_bitfields(case: tuple[Any, ...]) -> None:
    cores, fields, cands, block, vd = case
    got = select_candidates(cores, fields, cands, block, vd)
    assert len(got) <= len(cores)


@given(candidate_inputs())
def test_what_the_project_assembles_passes_the_checks_that_need_no_keys(
    case: tuple[Any, ...],
) -> None:
    cores, fields, cands, block, vd = case
    got = assemble_inherent_data(cores, fields, cands, block, vd)
    problems = check_inherent(got, cores=cores)
    # Without injected core indices the check infers a para's core as its first possible one,
    # which may precede the core the candidate was actually selected for: order is not judged.
    assert [p for p in problems if p.rule != "candidates-core-order"] == []
