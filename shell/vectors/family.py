# What a conformance vector family is: a named rule with a JSON schema text, a pure evaluation
# from a case's input to its output, and the cases themselves, each marked with its source and
# its profile. Every family module under families/ builds one `Family`; the export, the adapter
# (`serve`) and the runner know families only through this record.
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

__all__ = ["Case", "CaseSource", "Family", "Json", "Profile", "VectorInputError"]

# A JSON value as the vectors carry it: records travel as SCALE bytes in hex ("0x..."), plain
# parameters as small JSON (ints, bools, strings, lists, objects). No floats: every rule here is
# integer arithmetic, and floats would make "same command, same bytes" depend on formatting.
Json: TypeAlias = bool | int | str | list["Json"] | dict[str, "Json"] | None

# Where a case came from: a hand-picked boundary, a seeded hypothesis draw, or a real block
# (the case carries the inputs derived from the block, never the block file).
CaseSource = Literal["boundary", "generated", "chain"]

# Which rules a case checks: the seeds' design, or the network's rule where the two differ.
Profile = Literal["seeds", "network"]


class VectorInputError(ValueError):
    """A request's input does not fit its family's schema; the message names the field."""


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # unique within its family, stable across exports
    description: str  # one line: what the case checks
    source: CaseSource
    profile: Profile
    input: Mapping[str, Json]
    expected: Mapping[str, Json]


@dataclass(frozen=True, slots=True)
class Family:
    name: str  # the file stem and the `family` field of a request, e.g. "bitfield_selection"
    summary: str  # one line for listings
    schema: str  # markdown: the input and output fields, exactly; rendered into docs/vectors.md
    # The rule itself, JSON in, JSON out; raises VectorInputError for input off the schema.
    evaluate: Callable[[Mapping[str, Json]], Mapping[str, Json]]
    # Makes the cases; `chain_data` is the folder of real blocks (`polkadot/raw/blockN.json`,
    # ...), or None, in which case the family makes no chain cases.
    cases: Callable[[Path | None], tuple[Case, ...]]
