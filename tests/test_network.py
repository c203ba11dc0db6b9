from __future__ import annotations

import asyncio

import pytest

from backable.core import PoV, Valid
from backable.shell.collaborators.network import InProcessNetwork, PeerStopped, PoVFetchError
from tests.shell_fixtures import sign


def test_statements_reach_every_other_peer_in_index_order() -> None:
    got: list[int] = []

    async def scenario() -> None:
        net = InProcessNetwork()
        for i in (2, 0, 1):

            async def deliver(rp: bytes, s: object, i: int = i) -> None:
                got.append(i)

            net.register(i, deliver, lambda h: None)
        await net.share_statement(0, b"\x00" * 32, sign(0, Valid(b"\x01" * 32)))

    asyncio.run(scenario())
    assert got == [1, 2]


def test_loss_is_seeded_and_counted() -> None:
    def run(seed: int) -> int:
        async def scenario() -> int:
            net = InProcessNetwork(seed=seed, statement_loss=0.5)
            for i in range(20):

                async def deliver(rp: bytes, s: object) -> None:
                    pass

                net.register(i, deliver, lambda h: None)
            await net.share_statement(0, b"\x00" * 32, sign(0, Valid(b"\x01" * 32)))
            assert net.stats["statements lost"] + net.stats["statements delivered"] == 19
            return net.stats["statements lost"]

        return asyncio.run(scenario())

    assert run(7) == run(7)
    assert 0 < run(7) < 19


def test_a_pov_is_served_only_by_a_peer_that_has_it() -> None:
    pov = PoV(b"block")

    async def scenario() -> None:
        net = InProcessNetwork()

        async def deliver(rp: bytes, s: object) -> None:
            pass

        net.register(1, deliver, lambda h: pov if h == b"\x01" * 32 else None)
        assert await net.fetch_pov(1, b"\x00" * 32, b"\x01" * 32, pov.hash()) == pov
        with pytest.raises(PoVFetchError, match="lacks"):
            await net.fetch_pov(1, b"\x00" * 32, b"\x02" * 32, pov.hash())
        with pytest.raises(PoVFetchError, match="does not serve"):
            await net.fetch_pov(9, b"\x00" * 32, b"\x01" * 32, pov.hash())

    asyncio.run(scenario())


def test_loss_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(ValueError, match=r"statement_loss must be within 0\.\.1"):
        InProcessNetwork(statement_loss=1.5)


def test_observers_see_deliveries_in_flight_and_counts_through_read_only_views() -> None:
    async def scenario() -> tuple[int, int, int]:
        net = InProcessNetwork(delay=0.01, withhold_from={2})

        async def deliver(rp: bytes, s: object) -> None:
            pass

        for i in range(3):
            net.register(i, deliver, lambda h: None)
        await net.share_statement(0, b"\x00" * 32, sign(0, Valid(b"\x01" * 32)))
        await net.share_statement(2, b"\x00" * 32, sign(2, Valid(b"\x01" * 32)))
        in_flight = net.pending_count()
        await net.drain()
        return in_flight, net.pending_count(), net.counts["statements withheld"]

    assert asyncio.run(scenario()) == (2, 0, 1)
    with pytest.raises(TypeError):
        InProcessNetwork().counts["statements lost"] = 1  # type: ignore[index]


def test_a_router_given_at_construction_picks_the_receivers() -> None:
    got: list[int] = []

    async def scenario() -> None:
        net = InProcessNetwork(router=lambda sender, rp, s: (2,))
        for i in range(3):

            async def deliver(rp: bytes, s: object, i: int = i) -> None:
                got.append(i)

            net.register(i, deliver, lambda h: None)
        await net.share_statement(0, b"\x00" * 32, sign(0, Valid(b"\x01" * 32)))

    asyncio.run(scenario())
    assert got == [2]


def test_a_statement_to_a_stopped_peer_is_counted_not_delivered() -> None:
    async def scenario() -> InProcessNetwork:
        net = InProcessNetwork()

        async def stopped(rp: bytes, s: object) -> None:
            raise PeerStopped("validator 1 has stopped")

        async def deliver(rp: bytes, s: object) -> None:
            pass

        net.register(0, deliver, lambda h: None)  # type: ignore[arg-type]
        net.register(1, stopped, lambda h: None)  # type: ignore[arg-type]
        await net.share_statement(0, b"\x01" * 32, object())  # type: ignore[arg-type]
        return net

    net = asyncio.run(scenario())
    assert net.counts["statements to stopped nodes"] == 1
    assert net.counts["statements delivered"] == 1
