# End to end in one process: a collator's candidate is seconded, validated by its group, backed,
# reaches every provisioner, and appears in the inherent data a block author requests.
from __future__ import annotations

import asyncio

import pytest

from backable.core import (
    ActiveLeavesUpdate,
    RequestInherentData,
    Second,
    SigningContext,
    check_inherent,
)
from backable.shell.collaborators.keystore import Keystore
from backable.shell.collaborators.network import InProcessNetwork
from backable.shell.collaborators.validation import InMemoryValidation
from backable.shell.node import Node
from backable.shell.overseer.jobs import JOB_INBOX_CAPACITY
from backable.shell.overseer.messages import CANDIDATE_BACKING, PROVISIONER, ProvisionerError, ToJob
from tests.shell_fixtures import (
    RP,
    RP2,
    URIS,
    Cluster,
    chain,
    collator,
    eventually,
    validation_data,
)


def test_a_collators_candidate_is_backed_and_reaches_the_block_authors_inherent() -> None:
    async def scenario() -> None:
        network = Cluster(chain())
        await network.start()
        try:
            collation = collator(100).collate(RP, validation_data(100), 6)
            seconder = network.nodes[0]
            await seconder.overseer.send(
                CANDIDATE_BACKING, ToJob(RP, Second(collation.receipt, collation.pov))
            )
            author = network.nodes[4]  # in the other group: it only tallies
            await eventually(lambda: author.backing.stats()["candidates_backed"] == 1)
            await eventually(
                lambda: all(
                    n.backing.counters["statements signed"] == 1
                    for n in list(network.nodes.values())[:3]
                )
            )
            reply: asyncio.Future = asyncio.get_running_loop().create_future()
            await author.overseer.send(PROVISIONER, ToJob(RP, RequestInherentData(reply)))
            data = await reply
        finally:
            await network.stop()

        (backed,) = data.backed_candidates
        assert backed.hash() == collation.candidate_hash
        assert backed.candidate == collation.committed
        # quorum of the group of 3 is 2: the provisioner got the candidate when it was reached
        assert len(backed.validity_votes) >= 2
        assert str(backed.validator_indices)[0] == "1"  # the seconder, validator 0
        state = chain().blocks[RP]
        assert (
            check_inherent(
                data,
                cores=state.cores,
                validators=state.validators,
                signing_context=SigningContext(state.session_index, RP),
                groups=state.groups,
                group_rotation=state.rotation,
            )
            == ()
        )
        # the group validated: each member signed exactly one statement, the others none
        signed = [network.nodes[i].backing.counters["statements signed"] for i in range(6)]
        assert signed == [1, 1, 1, 0, 0, 0]
        assert network.nodes[1].backing.counters["validations started"] == 1
        assert network.nodes[4].backing.counters["validations started"] == 0

    asyncio.run(scenario())


def test_a_deactivated_leaf_ends_the_jobs_of_both_subsystems() -> None:
    async def scenario() -> None:
        network = Cluster(chain(RP, RP2), indices=(0, 4))
        await network.start(RP, RP2)
        node = network.nodes[0]
        await eventually(
            lambda: (
                set(node.backing.jobs.jobs) == {RP, RP2}
                and set(node.provisioner.jobs.jobs) == {RP, RP2}
            )
        )
        await node.overseer.signal(ActiveLeavesUpdate(deactivated=(RP,)))
        await eventually(
            lambda: (
                set(node.backing.jobs.jobs) == {RP2} and set(node.provisioner.jobs.jobs) == {RP2}
            )
        )
        reply: asyncio.Future = asyncio.get_running_loop().create_future()
        await node.overseer.send(PROVISIONER, ToJob(RP, RequestInherentData(reply)))
        with pytest.raises(ProvisionerError, match="no provisioning job"):
            await reply
        await network.stop()
        assert node.backing.jobs.counters["jobs ended"] == 1
        assert node.provisioner.jobs.counters["jobs ended"] == 1

    asyncio.run(scenario())


def test_the_nodes_backing_jobs_take_the_inbox_bound_it_is_given() -> None:
    def node(**options: int) -> Node:
        runtime = chain()
        return Node(
            0, Keystore.from_uris([URIS[0]]), runtime, InMemoryValidation(runtime, {}),
            InProcessNetwork(), **options,
        )

    assert node().backing.jobs.capacity == JOB_INBOX_CAPACITY == 64
    assert node(job_inbox_capacity=600).backing.jobs.capacity == 600
