# The closed form beside the simulation: how many backing groups should hold adversaries at or
# over a third of their members, and how likely a group's adversaries are to reach the backing
# threshold on their own, for the network a run describes. Exact rational arithmetic (math.comb
# and fractions.Fraction); pure: no I/O, no randomness.
#
# It describes what the simulation does (shell/sim/engine.py and shell/sim/adversaries.py), not
# an idealised network:
# - Groups: N validators make N // g groups (g the group size); the shuffled validators are dealt
#   round-robin into them, so when g does not divide N the groups are of two sizes, q and q + 1
#   with q = N // (N // g) (the first N mod (N // g) groups have the extra member). Every group
#   counts, also those without a core at a given block (only `--cores` of them have one).
# - Adversaries: each adversary option draws round(share x N) validators (Python's round, half
#   to even), the sets disjoint; K is their sum. The draw is a uniform K-subset independent of the
#   grouping (a second shuffle), so a group of s members holds X ~ hypergeometric(N, K, s)
#   adversaries.
# - A group is "at or over a third" when 3 X >= s, that is X >= ceil(s / 3), counting adversaries
#   of every kind, as the report does. The expected count is the sum over the groups of
#   P[X >= ceil(s / 3)]; with equal groups, n_groups x P[X >= ceil(g / 3)].
# - Backing alone: a group's vouchers (`--vouch-invalid`, the only adversaries who vote Valid for
#   an invalid candidate) reach the backing threshold of their group, `backing_threshold(s,
#   minimum_backing_votes)` from backable.core (the seed's majority s // 2 + 1, `group_quorum` in
#   polkadot@c4ee9d46 node/core/backing/src/lib.rs; or the network's min(s, votes),
#   `effective_minimum_backing_votes` in polkadot-sdk@008dd419 polkadot/primitives/src/v9/mod.rs);
#   the vouchers are hypergeometric(N, V, s) with V = round(vouch_invalid x N).
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from backable.core import backing_threshold

from ..sim.report import ADVERSARY_KINDS, SimParams

__all__ = [
    "ClosedForm",
    "adversary_count",
    "closed_form",
    "group_sizes",
    "hypergeometric_at_least",
    "hypergeometric_pmf",
    "third",
]


def hypergeometric_pmf(population: int, successes: int, draws: int, k: int) -> Fraction:
    """P[X = k] for X hypergeometric: `draws` members taken without replacement from
    `population`, of which `successes` are marked: C(K, k) C(N - K, n - k) / C(N, n)."""
    if not 0 <= successes <= population or not 0 <= draws <= population:
        raise ValueError(
            f"hypergeometric needs 0 <= K, n <= N, got N={population}, K={successes}, n={draws}"
        )
    if k < 0 or k > draws or k > successes or draws - k > population - successes:
        return Fraction(0)
    return Fraction(
        math.comb(successes, k) * math.comb(population - successes, draws - k),
        math.comb(population, draws),
    )


def hypergeometric_at_least(population: int, successes: int, draws: int, k: int) -> Fraction:
    """P[X >= k] for the hypergeometric X of `hypergeometric_pmf`."""
    return sum(
        (hypergeometric_pmf(population, successes, draws, j) for j in range(max(k, 0), draws + 1)),
        Fraction(0),
    )


def third(size: int) -> int:
    """The fewest members that are a third of a group of `size` or more: ceil(size / 3)."""
    return -(-size // 3)


def group_sizes(validators: int, group_size: int) -> tuple[int, ...]:
    """The sizes of the simulation's groups, in group order: `validators // group_size` groups,
    the validators dealt round-robin into them. Empty when no group can be made."""
    if group_size < 1 or validators < group_size:
        return ()
    groups = validators // group_size
    return tuple(len(range(k, validators, groups)) for k in range(groups))


def adversary_count(params: SimParams, kinds: tuple[str, ...] = ADVERSARY_KINDS) -> int:
    """How many validators the simulation makes adversaries of the given kinds: the sum over the
    kinds of round(share x validators)."""
    return sum(round(params.adversaries.get(kind, 0.0) * params.validators) for kind in kinds)


@dataclass(frozen=True, slots=True)
class ClosedForm:
    """The closed form for one network. Probabilities are per group, averaged over the groups
    (the chance for a group picked at random); expectations are counts of groups."""

    validators: int
    adversaries: int  # K: every adversary kind
    vouchers: int  # V: the `vouch_invalid` adversaries alone
    sizes: tuple[int, ...]  # the groups' sizes
    p_at_or_over_a_third: Fraction
    expected_at_or_over_a_third: Fraction
    thresholds: tuple[int, ...]  # the backing threshold of each distinct size, sizes ascending
    p_back_alone: Fraction
    expected_back_alone: Fraction

    @property
    def groups(self) -> int:
        return len(self.sizes)


def closed_form(params: SimParams) -> ClosedForm:
    """The closed form of the network `params` describes (see the module's header for exactly
    what the simulation does that it follows)."""
    n = params.validators
    sizes = group_sizes(n, params.group_size)
    k = adversary_count(params)
    v = adversary_count(params, ("vouch_invalid",))
    by_size = Counter(sizes)
    over = Fraction(0)
    alone = Fraction(0)
    thresholds = []
    for size in sorted(by_size):
        count = by_size[size]
        # Shares beyond what validate_params allows would make K > N: no network, no odds.
        over += count * hypergeometric_at_least(n, min(k, n), size, third(size))
        needed = backing_threshold(size, params.minimum_backing_votes)
        thresholds.append(needed)
        alone += count * hypergeometric_at_least(n, min(v, n), size, needed)
    groups = len(sizes)
    return ClosedForm(
        validators=n,
        adversaries=k,
        vouchers=v,
        sizes=sizes,
        p_at_or_over_a_third=over / groups if groups else Fraction(0),
        expected_at_or_over_a_third=over,
        thresholds=tuple(thresholds),
        p_back_alone=alone / groups if groups else Fraction(0),
        expected_back_alone=alone,
    )
