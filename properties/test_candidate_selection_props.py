# Laws of candidate selection (implementers' guide, "Provisioner"; `select_candidates`,
# polkadot@c4ee9d46 node/core/provisioner/src/lib.rs): it agrees with a plain model of the
# seed's loop, obeys every constraint, never raises on well-typed input and modifies nothing.
from __future__ import annotations

from typing import Any

from hypothesis import given

from backable.core import (
    assemble_inherent_data,
    check_inherent,
    select_availability_bitfields,
    select_candidates,
)
from properties.models import select_candidates as _model
from properties.provisioner_strategies import candidate_inputs


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
