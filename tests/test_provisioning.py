# The whole provisioning pass (core/provisioner/assemble.py; the node's `send_inherent_data`,
# polkadot@c4ee9d46 node/core/provisioner/src/lib.rs).
from __future__ import annotations

from backable.core import (
    BitVec,
    CandidateReceipt,
    CandidateVotes,
    Confirmed,
    DisputeInputs,
    DisputeStatementSet,
    FreeCore,
    OccupiedCoreAssumption,
    ProvisionerInherentData,
    ScheduledCore,
    ValidExplicit,
    assemble_inherent_data,
    check_inherent,
    runtime_availability_threshold_met,
)
from properties.provisioner_strategies import (
    ZERO32,
    backed,
    bitfield,
    descriptor,
    h32,
    occupied,
    pvd,
)

FREE = OccupiedCoreAssumption.FREE
INCLUDED = OccupiedCoreAssumption.INCLUDED
BLOCK = 50


def test_the_pass_selects_bitfields_then_candidates_with_the_selected_bitfields() -> None:
    cores = (occupied(BitVec.zeros(3), next_up_on_available=2), ScheduledCore(1), FreeCore())
    # validator 0's better bitfield sets a bit on the scheduled core and is dropped, so only its
    # first one counts; with validators 0 and 1 the occupied core has 2 of 3: available.
    fields = [
        bitfield("100", 0, salt=1),
        bitfield("110", 0, salt=2),
        bitfield("100", 1),
        bitfield("10", 2),
    ]
    c1, c2 = backed(1), backed(2, pvd(3))
    got = assemble_inherent_data(
        cores, fields, [c2, c1], BLOCK, {(1, FREE): pvd(0), (2, INCLUDED): pvd(3)}
    )
    assert got == ProvisionerInherentData(
        (bitfield("100", 0, salt=1), bitfield("100", 1)), (c2, c1), ()
    )
    assert check_inherent(got, cores=cores) == ()


def test_the_runtime_threshold_switch_reaches_candidate_selection() -> None:
    cores = (occupied(BitVec.zeros(3), next_up_on_available=2),)
    fields = [bitfield("1", 0), bitfield("1", 1)]
    vd = {(2, INCLUDED): pvd(0)}
    c = backed(2)
    assert assemble_inherent_data(cores, fields, [c], BLOCK, vd).backed_candidates == (c,)
    strict = assemble_inherent_data(
        cores, fields, [c], BLOCK, vd, threshold=runtime_availability_threshold_met
    )
    assert strict.backed_candidates == ()


def test_disputes_are_selected_from_the_given_inputs_and_cap() -> None:
    k = (3, h32(1))
    cv = CandidateVotes(
        CandidateReceipt(descriptor(1), ZERO32), {0: (ValidExplicit(), bytes(64))}, {}
    )
    inputs = DisputeInputs({k: Confirmed()}, {}, {k: cv}, now=1)
    got = assemble_inherent_data((), (), (), BLOCK, {}, inputs)
    assert got.disputes == (DisputeStatementSet(h32(1), 3, ((ValidExplicit(), 0, bytes(64)),)),)
    assert assemble_inherent_data((), (), (), BLOCK, {}, inputs, max_dispute_votes=0).disputes == ()
    assert assemble_inherent_data((), (), (), BLOCK, {}) == ProvisionerInherentData()


def test_the_block_number_decides_which_occupied_core_times_out() -> None:
    # An unavailable core times out only when `time_out_at` equals the block under production.
    cores = (occupied(BitVec.zeros(3), next_up_on_time_out=2, time_out_at=BLOCK),)
    vd = {(2, OccupiedCoreAssumption.TIMED_OUT): pvd(0)}
    c = backed(2)
    assert assemble_inherent_data(cores, (), [c], BLOCK, vd).backed_candidates == (c,)
    assert assemble_inherent_data(cores, (), [c], BLOCK + 1, vd).backed_candidates == ()


def test_the_dispute_inputs_now_decides_whether_a_concluded_dispute_is_still_active() -> None:
    # Concluded on chain and concluded 180 s before `now` at the latest: active, kept; a second
    # later it is inactive and concluded on chain, so dropped (as
    # `select_disputes` of polkadot@247e4a73 drops it).
    from backable.core import ConcludedFor, DisputeState

    k = (3, h32(1))
    cv = CandidateVotes(
        CandidateReceipt(descriptor(1), ZERO32), {0: (ValidExplicit(), bytes(64))}, {}
    )
    onchain = {k: DisputeState(BitVec.from_str("111"), BitVec.zeros(3), 1, 2)}
    active = DisputeInputs({k: ConcludedFor(1_000)}, onchain, {k: cv}, now=1_180)
    inactive = DisputeInputs({k: ConcludedFor(1_000)}, onchain, {k: cv}, now=1_181)
    assert len(assemble_inherent_data((), (), (), BLOCK, {}, active).disputes) == 1
    assert assemble_inherent_data((), (), (), BLOCK, {}, inactive).disputes == ()
