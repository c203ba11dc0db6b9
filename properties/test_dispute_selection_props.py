# Laws of dispute selection (`select_disputes`, polkadot@247e4a73
# node/core/provisioner/src/disputes/prioritized_selection/mod.rs): it chooses what a model
# written from the rule's text chooses (which disputes, in which priority, which of their votes,
# where the cap stops it), the cap holds, output is sorted and unique, each statement set lists
# valid then invalid votes by validator index, and inputs are untouched. Every dispute statement
# kind is generated.
from __future__ import annotations

from typing import Any

from hypothesis import given

from backable.core import (
    select_disputes,
)
from properties.models import select_disputes as _model
from properties.provisioner_strategies import dispute_inputs


@given(dispute_inputs())
def test_output_respects_the_cap_and_is_sorted_and_inputs_are_untouched(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    snapshot = (dict(recent), dict(onchain), dict(votes))
    got = select_disputes(recent, onchain, votes, now, cap)
    assert (recent, onchain, votes) == snapshot
    assert sum(len(d.statements) for d in got) <= cap
    keys = [(d.session, d.candidate_hash) for d in got]
    assert keys == sorted(set(keys))
    for d in got:
        assert (d.session, d.candidate_hash) in votes
        valid = [v for s, v, _ in d.statements if s.is_valid]
        invalid = [v for s, v, _ in d.statements if not s.is_valid]
        assert [s.is_valid for s, _, _ in d.statements] == [True] * len(valid) + [False] * len(
            invalid
        )
        assert valid == sorted(valid) and invalid == sorted(invalid)


@given(dispute_inputs())
def test_a_larger_cap_never_selects_fewer_disputes(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    small = select_disputes(recent, onchain, votes, now, cap)
    large = select_disputes(recent, onchain, votes, now, cap + 5)
    assert set(small) <= set(large)


@given(dispute_inputs())
def test_selection_chooses_what_the_rule_chooses(case: Any) -> None:
    recent, onchain, votes, now, cap = case
    got = select_disputes(recent, onchain, votes, now, cap)
    assert [((d.session, d.candidate_hash), d.statements) for d in got] == _model(
        recent, onchain, votes, now, cap
    )
