# Laws of today's inclusion step (core/today/inclusion.py, sanitize.py) over drawn chain states
# and inherents, mostly well-formed with some broken items: totality, one reason per drop and
# nothing lost, idempotence on what was kept, and enactment as the longest available prefix of
# each para's chain (a model written from E.2.5's text).
from __future__ import annotations

from collections import Counter

from hypothesis import given

from backable.core import (
    ChainState,
    ParachainsInherentData,
    include,
    supermajority_threshold,
)
from properties.today_strategies import inclusion_inputs, inherent

Inputs = tuple[ChainState, ParachainsInherentData, frozenset[bytes]]


@given(inclusion_inputs())
def test_include_never_raises_and_accounts_for_every_item_once(inputs: Inputs) -> None:
    chain, data, concluded = inputs
    out = include(chain, data, concluded)
    # Bitfields: the dropped positions are distinct, and the kept ones are exactly the others,
    # in input order.
    dropped_bf = [d.index for d in out.dropped_bitfields]
    assert len(set(dropped_bf)) == len(dropped_bf)
    assert all(d.rule.startswith("bitfield-") for d in out.dropped_bitfields)
    rest = [bf for i, bf in enumerate(data.bitfields) if i not in set(dropped_bf)]
    assert list(out.bitfields) == rest
    # Candidates: each position is kept or dropped, never both, never twice, each drop with
    # one non-empty rule.
    positions = Counter(
        [k.index for k in out.candidates] + [d.index for d in out.dropped_candidates]
    )
    assert sorted(positions) == list(range(len(data.backed_candidates)))
    assert set(positions.values()) <= {1}
    assert all(d.rule for d in out.dropped_candidates)
    for k in out.candidates:
        assert k.candidate.hash() == data.backed_candidates[k.index].hash()


@given(inclusion_inputs())
def test_what_was_kept_is_kept_again_on_the_same_state(inputs: Inputs) -> None:
    chain, data, concluded = inputs
    first = include(chain, data, concluded)
    again = include(
        chain,
        inherent(first.bitfields, tuple(k.candidate for k in first.candidates)),
        concluded,
    )
    assert again.dropped_bitfields == () and again.dropped_candidates == ()
    assert again.bitfields == first.bitfields
    assert [k.candidate for k in again.candidates] == [k.candidate for k in first.candidates]
    assert again.state == first.state and again.events == first.events


@given(inclusion_inputs())
def test_enactment_is_the_longest_available_prefix_of_each_chain(inputs: Inputs) -> None:
    chain, data, concluded = inputs
    out = include(chain, data, concluded)
    n = len(chain.validators)
    need = n - (n - 1) // 3
    assert need == supermajority_threshold(n)
    voters: dict[int, int] = {}
    for bf in out.bitfields:
        for core in bf.payload.iter_ones():
            voters[core] = voters.get(core, 0) | 1 << bf.validator_index
    expected = []
    for para in sorted(chain.pending):
        pending = list(chain.pending[para])
        # Disputed candidates leave first, with their successors.
        cut = next((i for i, p in enumerate(pending) if p.hash in concluded), len(pending))
        for p in pending[:cut]:
            votes = p.availability_votes.as_int() | voters.get(p.core, 0)
            if votes.bit_count() < need:
                break
            expected.append((para, p.hash))
    assert [(e.para_id, e.candidate_hash) for e in out.enacted] == expected
    enacted = {h for _, h in expected}
    for still in out.state.pending.values():
        assert not enacted & {p.hash for p in still}
