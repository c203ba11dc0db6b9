# Hypothesis profiles for the property suite. `ci` extends Hypothesis' built-in ci profile (which
# it selects by itself when CI=true); `dev` is quicker; `thorough` is the long run
# (HYPOTHESIS_PROFILE=thorough). Failures are pinned as @example, never @reproduce_failure.
from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# Every profile: no deadline (the machine is shared), and no complaint about slow or large data.
_QUIET = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

settings.register_profile(
    "ci",
    settings.get_profile("ci"),
    max_examples=100,
    **_QUIET,
)
settings.register_profile(
    "dev",
    max_examples=50,
    **_QUIET,
)
# scripts/mutation.sh, for the groups whose slow properties nearly every mutant reaches
# (scripts/mutation_groups.toml): fewer examples, still derandomised.
settings.register_profile(
    "mutation",
    settings.get_profile("ci"),
    max_examples=20,
    **_QUIET,
)
settings.register_profile(
    "thorough",
    max_examples=2_000,
    **_QUIET,
)

_profile = os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
settings.load_profile(_profile)
