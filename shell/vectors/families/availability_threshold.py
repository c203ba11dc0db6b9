# The availability threshold, both formulas (core/thresholds.py): the seed's 2/3 check
# (implementers' guide, "Provisioner"; `bitfields_indicate_availability`, polkadot@c4ee9d46
# node/core/provisioner/src/lib.rs) and the runtime's supermajority (`supermajority_threshold`,
# polkadot@c4ee9d46 primitives/src/v1/mod.rs; unchanged in polkadot-sdk@88db6842
# polkadot/primitives/src/v9/mod.rs). They differ exactly when n is a positive multiple of 3.
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..build import FORMULAS, cases_in_order, formula_field, make_case
from ..chain import real_blocks
from ..drawing import drawn
from ..family import Case, Family, Json, Profile, VectorInputError
from ..fields import int_field

__all__ = ["FAMILY"]

_U32_MAX = 2**32 - 1

SCHEMA = """\
Whether `ones` availability votes out of `n` validators make a candidate available, under one of
the two formulas, and the fewest votes that would.

- `seeds`: the seed's check, `3 * ones >= 2 * n` (implementers' guide, "Provisioner",
  "Determining Bitfield Availability"; `bitfields_indicate_availability` in polkadot@c4ee9d46
  `node/core/provisioner/src/lib.rs`). For n = 0 it holds.
- `network`: the runtime's, `ones >= n - (n - 1) / 3` with integer division, the threshold being
  0 for n = 0 (`supermajority_threshold`, polkadot@c4ee9d46 `primitives/src/v1/mod.rs`, still so
  in polkadot-sdk `polkadot/primitives/src/v9/mod.rs`).

The two agree for every n that is not a positive multiple of 3; for n = 3k the seed accepts 2k
votes, the runtime needs 2k + 1.

Input:

| field | JSON type | meaning |
| --- | --- | --- |
| `formula` | string | `"seeds"` or `"network"` |
| `n` | integer | validators, 0 to 2^32 - 1 |
| `ones` | integer | votes, 0 to `n` |

Output:

| field | JSON type | meaning |
| --- | --- | --- |
| `available` | boolean | whether the formula holds for (`ones`, `n`) |
| `minimum_ones` | integer | the smallest `k` in 0..`n` for which the formula holds for (`k`, `n`) |

Profiles: a case's profile is its `formula`. Chain cases: for each real block, `n` is the
number of validators its bitfields show (highest signer index + 1) and `ones` the threshold
itself, under both formulas.
"""


def evaluate(data: Mapping[str, Json]) -> Mapping[str, Json]:
    rule = formula_field(data)
    n = int_field(data, "n")
    if n > _U32_MAX:
        raise VectorInputError(f"input.n: expected at most {_U32_MAX}, got {n}")
    ones = int_field(data, "ones")
    if ones > n:
        raise VectorInputError(f"input.ones: expected at most n ({n}), got {ones}")
    # The formulas are monotone in `ones`, so the fewest votes is a binary search over the rule.
    minimum = bisect_left(range(n + 1), True, key=lambda k: rule(k, n))
    return {"available": rule(ones, n), "minimum_ones": minimum}


def _input(formula: str, n: int, ones: int) -> dict[str, Json]:
    return {"formula": formula, "n": n, "ones": ones}


def _boundary_cases() -> list[Case]:
    cases: list[Case] = []
    sizes = [*range(13), 296, 297, 298, 299, 300, 1000, 1023, _U32_MAX]
    for formula in FORMULAS:
        profile: Profile = "seeds" if formula == "seeds" else "network"
        for n in sizes:
            threshold = evaluate(_input(formula, n, 0))["minimum_ones"]
            assert isinstance(threshold, int)  # evaluate's output says so
            kind = "-divisible-by-3" if n % 3 == 0 and n else ""
            points = {"none": 0, "one-below-threshold": threshold - 1,
                      "at-threshold": threshold, "all": n}
            seen: set[int] = set()
            for label, ones in points.items():
                if ones < 0 or ones in seen:
                    continue
                seen.add(ones)
                cases.append(make_case(
                    evaluate,
                    f"{formula}-n{n}{kind}-{label}",
                    f"{formula} formula, n = {n}{', divisible by 3' if kind else ''}, {ones} votes"
                    f" ({label.replace('-', ' ')})",
                    "boundary", profile, _input(formula, n, ones),
                ))
    return cases


def _generated_cases() -> list[Case]:
    def strategy(st: Any) -> Any:
        return st.integers(0, 2000).flatmap(
            lambda n: st.tuples(st.sampled_from(tuple(FORMULAS)), st.just(n), st.integers(0, n))
        )

    cases: list[Case] = []
    seen: set[tuple[str, int, int]] = set()
    for formula, n, ones in drawn(strategy, 80, seed=16_01):
        if (formula, n, ones) in seen:
            continue
        seen.add((formula, n, ones))
        profile: Profile = "seeds" if formula == "seeds" else "network"
        cases.append(make_case(
            evaluate, f"generated-{len(cases):03d}", f"{formula} formula, {ones} of {n} votes",
            "generated", profile, _input(formula, n, ones),
        ))
    return cases


def _chain_cases(chain_data: Path) -> list[Case]:
    cases: list[Case] = []
    for block in real_blocks(chain_data):
        n = block.n_validators
        for formula in FORMULAS:
            profile: Profile = "seeds" if formula == "seeds" else "network"
            threshold = evaluate(_input(formula, n, 0))["minimum_ones"]
            assert isinstance(threshold, int)  # evaluate's output says so
            cases.append(make_case(
                evaluate, f"{block.chain}-{block.number}-{formula}-at-threshold",
                f"{block.chain} block {block.number}: {n} validators sign bitfields; the"
                f" {formula} threshold for them",
                "chain", profile, _input(formula, n, threshold),
            ))
    return cases


def cases(chain_data: Path | None) -> tuple[Case, ...]:
    return cases_in_order(_boundary_cases, _generated_cases, _chain_cases, chain_data)


FAMILY = Family(
    name="availability_threshold",
    summary="the 2/3 availability threshold: the seed's formula and the runtime's supermajority",
    schema=SCHEMA,
    evaluate=evaluate,
    cases=cases,
)
