# The simulation under both protocols (shell/sim/engine.py with today_chain.py, and the node's
# async subsystems): the block times the network is known for (legacy about 12 s, async about
# 6 s, async with 3 cores per para about 2 s), every inherent kept whole by the runtime's
# inclusion step, no invalid candidate included and no core holding two candidates; the
# adversaries in async; and one node seconding a candidate that prospective parachains takes,
# backing backs and the provisioner serves with its core index.
from __future__ import annotations

import asyncio
from typing import Any

import pytest

from backable.core import (
    ActivatedLeaf,
    ActiveLeavesUpdate,
    ProvisionerInherentData,
    RequestInherentData,
    Second,
    blake2_256,
    split_injected_core_index,
)
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.network import InProcessNetwork
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.node import Node
from backable.shell.overseer.messages import CANDIDATE_BACKING, PROVISIONER, ToJob
from backable.shell.sim.collator import Collator, toy_validation_function
from backable.shell.sim.engine import run_simulation
from backable.shell.sim.report import SimParams, SimReport, SimulationError
from backable.shell.sim.tally import parablock_time_seconds
from backable.shell.sim.today_chain import TodayChainModel

# Small networks: 30 validators, 5 paras, 12 blocks (the async runs cost most per block).
SMALL: dict[str, Any] = {"validators": 30, "cores": 5, "group_size": 5, "blocks": 12}


def _run(**kwargs: Any) -> SimReport:
    adversaries = kwargs.pop("adversaries", {})
    params = SimParams(**kwargs)
    params.adversaries.update(adversaries)
    return asyncio.run(run_simulation(params))


def _keeps_the_invariants(r: SimReport) -> None:
    assert r.stopped_early is None and r.inherent_problems == []
    assert r.included > 0 and r.included == len(r.inclusions)
    for inc in r.inclusions:
        assert inc.votes >= inc.threshold, inc
        assert 3 * inc.availability >= 2 * inc.validators, inc
        assert not inc.invalid
    assert r.invalid_included == 0
    assert r.core_conflicts == 0


def _within(measured: float | None, expected: float) -> bool:
    return measured is not None and abs(measured - expected) <= 0.15 * expected


def test_the_parablock_time_counts_from_each_paras_first_inclusion() -> None:
    # Para 1 in blocks 2, 4, 6: two intervals of 2 blocks; para 2 three times in each of
    # blocks 3 and 4: one block for three inclusions after its first block.
    pairs = [(1, 2), (1, 4), (1, 6), *[(2, 3)] * 3, *[(2, 4)] * 3]
    assert parablock_time_seconds(pairs) == pytest.approx(6.0 * (4 + 1) / (2 + 3))
    assert parablock_time_seconds([(1, 2), (1, 2)]) is None


def test_the_legacy_protocol_gives_a_parablock_every_twelve_seconds() -> None:
    r = _run(**SMALL, protocol="legacy")
    _keeps_the_invariants(r)
    assert _within(r.parablock_time_seconds, 12.0), r.parablock_time_seconds
    assert r.backed_per_block > 0


def test_the_async_protocol_gives_a_parablock_every_six_seconds() -> None:
    r = _run(**SMALL, protocol="async")
    _keeps_the_invariants(r)
    assert _within(r.parablock_time_seconds, 6.0), r.parablock_time_seconds
    # Every para's candidate is backed in every block after the first, included in the next.
    assert r.backed_per_block == pytest.approx(5.0)
    assert r.dropped == {}


def test_three_cores_per_para_give_a_parablock_every_two_seconds() -> None:
    r = _run(validators=30, cores=15, group_size=2, blocks=8, protocol="async", cores_per_para=3)
    _keeps_the_invariants(r)
    assert _within(r.parablock_time_seconds, 2.0), r.parablock_time_seconds
    # Three chained candidates per para per block: on 15 cores, one each.
    assert [b.backed for b in r.blocks] == [15] * 8
    assert all(b.included == 15 for b in r.blocks[1:])


def test_adversaries_under_a_third_are_all_detected_and_get_nothing_invalid_included() -> None:
    r = _run(
        **SMALL,
        protocol="async",
        adversaries={
            "double_vote": 0.1,
            "out_of_group": 0.1,
            "forge": 0.1,
            "vouch_invalid": 0.1,
            "withhold_statements": 0.05,
            "withhold_bitfields": 0.05,
        },
    )
    assert r.stopped_early is None
    assert r.misbehaviour_injected and r.misbehaviour_detected == r.misbehaviour_injected
    assert r.misbehaviour_undetected == {}
    assert r.evidence_unverified == 0 and r.evidence_verified > 0
    assert r.invalid_seconded > 0
    assert r.invalid_included_elsewhere == 0


def test_several_cores_per_para_need_the_async_protocol() -> None:
    with pytest.raises(SimulationError, match="async"):
        _run(**SMALL, protocol="legacy", cores_per_para=2)
    with pytest.raises(SimulationError, match=r"multiple|shared"):
        _run(**SMALL, protocol="async", cores_per_para=2)


async def _settle(nodes: list[Node]) -> None:
    quiet = 0
    while quiet < 3:
        await asyncio.sleep(0)
        quiet = quiet + 1 if all(n.idle() for n in nodes) else 0


async def _one_candidate() -> tuple[Node, ProvisionerInherentData, bytes, TodayChainModel]:
    # Six validators in two groups of three, two cores, one para each; validator 0 seconds.
    seeds = [blake2_256(b"node test" + bytes([i])) for i in range(6)]
    keys = Keystore.from_seeds(seeds)
    params = SimParams(validators=6, cores=2, group_size=3, protocol="async")
    groups = ((0, 1, 2), (3, 4, 5))
    chain = TodayChainModel(params, keys.public_keys(), groups, 1)
    network = InProcessNetwork()
    validation = InMemoryValidation(
        chain.runtime, dict.fromkeys(chain.paras, toy_validation_function), in_process=True
    )
    nodes = [
        Node(
            i,
            Keystore.from_seeds([seeds[i]]),
            chain.runtime,
            validation,
            network,
            time_limits=False,
            protocol="async",
            today=chain.today,
        )
        for i in range(6)
    ]
    for node in nodes:
        await node.overseer.start()
    try:
        rp, _ = chain.build(0)
        for node in nodes:
            await node.overseer.signal(ActiveLeavesUpdate(activated=(ActivatedLeaf(rp, 0),)))
        await _settle(nodes)
        para = chain.para_of_core(0)
        pvd = chain.pvd(chain.tip(para), 0)
        collation = Collator(para).collate(rp, pvd, 6)
        second = Second(collation.receipt, collation.pov, pvd)
        await nodes[0].overseer.send(CANDIDATE_BACKING, ToJob(rp, second))
        await _settle(nodes)
        reply: asyncio.Future[ProvisionerInherentData] = asyncio.get_running_loop().create_future()
        await nodes[0].overseer.send(PROVISIONER, ToJob(rp, RequestInherentData(reply)))
        data = await reply
    finally:
        for node in nodes:
            await node.overseer.stop(timeout=2.0)
    return nodes[0], data, collation.candidate_hash, chain


def test_an_async_node_introduces_backs_and_provides_a_seconded_candidate() -> None:
    node, data, h, chain = asyncio.run(_one_candidate())
    assert node.prospective is not None
    assert node.prospective.counters["candidates introduced"] >= 1
    assert node.prospective.counters["candidates backed"] == 1
    (backed,) = data.backed_candidates
    assert backed.hash() == h
    assert split_injected_core_index(backed.validator_indices)[1] == 0  # its core, injected
    outcome = chain.apply(1, data, Keystore().verify)
    assert [k.core for k in outcome.candidates] == [0]  # the runtime keeps it on core 0


def test_the_command_line_refuses_cores_per_para_it_cannot_run() -> None:
    from backable.shell.cli.simulate import validate_params

    assert validate_params(SimParams(protocol="async", cores_per_para=3, cores=60)) == []
    assert validate_params(SimParams(cores_per_para=2)) == [
        "--cores-per-para 2 needs --protocol async (one core per para in legacy)"
    ]
    assert validate_params(SimParams(protocol="async", cores_per_para=7)) == [
        "--cores 60 is not a multiple of --cores-per-para 7"
    ]
    assert validate_params(SimParams(protocol="sync")) == [
        "--protocol must be one of legacy, async, got sync"
    ]


def test_the_block_author_hears_every_groups_statements_without_dropping_one() -> None:
    # 90 validators send about 180 statements a block to the author, more than a job's default
    # inbox of 64: the simulation sizes the inbox from the network, so every group is backed.
    r = _run(validators=90, cores=18, group_size=5, blocks=4, protocol="async")
    _keeps_the_invariants(r)
    assert r.dropped == {}
    assert [b.backed for b in r.blocks] == [18] * 4
