#!/usr/bin/env bash
# Mutation testing of every module of core/ with mutmut 3 (issues 7 and 13). Not part of CI.
# Works on a fresh checkout; run from anywhere:
#
#     scripts/mutation.sh                      # every group, then the score per module
#     scripts/mutation.sh backing provisioner  # only these groups
#     scripts/mutation.sh --report             # the scores of the last runs again
#
# core/ is mutated one group at a time (scripts/mutation_groups.toml: records, backing,
# provisioner, top), each group in its own copy of the checkout with its own test selection, so a
# mutant runs only the tests of its own group. MUTATION_JOBS (default: the number of cores) sets
# how many mutants run at once. docs/mutation.md records the scores and every survivor left on
# purpose.
#
# Each copy lives in $MUTATION_WORKDIR/<group> (default ${TMPDIR:-/tmp}/backable-mutation/<group>):
# mutmut copies the tree into ./mutants and runs the tests from there, and the tests look for the
# real chain data beside the project root (../shared), which from inside mutants/ is the copy's
# own directory; the copy gets a `shared` link so the real-block tests find it, and the checkout
# stays untouched while others work in it. One virtualenv, $MUTATION_WORKDIR/.venv-mutation (made
# with $PYTHON, default python3), holds the test dependencies and mutmut, not the package itself:
# the tests must import the mutated core/, not an installed one. To look at a survivor:
#     cd "$MUTATION_WORKDIR/<group>" && ../.venv-mutation/bin/mutmut show <mutant name>
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTATION_WORKDIR:-${TMPDIR:-/tmp}/backable-mutation}
venv="$work/.venv-mutation"
py=${PYTHON:-python3}
groups_file="$checkout/scripts/mutation_groups.toml"

report() {
  "$py" - "$work" <<'PY'
import json
import sys
from pathlib import Path

# mutmut's exit-code meanings (mutmut.stats): 1 and 3 kill, so do timeouts and type-check catches;
# 0 survives; 5/33 "no tests" counts as a survivor too.
KILLED = {1, 3, 36, 37, 24, -24, 152, 255}
rows, survivors = [], []
for meta in sorted(Path(sys.argv[1]).glob("*/mutants/backable/core/**/*.py.meta")):
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    if not codes:
        continue
    module = meta.as_posix().split("mutants/backable/core/", 1)[1].removesuffix(".meta")
    killed = sum(1 for c in codes.values() if c in KILLED)
    timeouts = sum(1 for c in codes.values() if c in (24, -24))
    unchecked = sum(1 for c in codes.values() if c is None)
    rows.append((module, killed, len(codes), unchecked, timeouts))
    survivors += sorted(k for k, c in codes.items() if c is not None and c not in KILLED)
# Timeouts count as killed (an endless loop is a caught mutant) and are shown on their own.
print(f"{'module':34} {'killed':>7} {'total':>6} {'score':>7} {'timeouts':>9}")
all_k = all_n = all_t = 0
for module, killed, total, unchecked, timeouts in sorted(rows):
    all_k, all_n, all_t = all_k + killed, all_n + total, all_t + timeouts
    note = f"  ({unchecked} not checked)" if unchecked else ""
    print(f"{module:34} {killed:7} {total:6} {100 * killed / total:6.1f}% {timeouts:9}{note}")
if all_n:
    print(f"{'all':34} {all_k:7} {all_n:6} {100 * all_k / all_n:6.1f}% {all_t:9}")
print(f"\n{len(survivors)} survivors (mutmut show <name> for the diff):")
for name in survivors:
    print("   ", name)
PY
}

if [ "${1:-}" = "--report" ]; then
  report
  exit 0
fi

all_groups=$("$py" -c 'import sys, tomllib; print(" ".join(tomllib.load(open(sys.argv[1], "rb"))))' "$groups_file")
groups=${*:-$all_groups}
mkdir -p "$work"
started_all=$(date +%s)

# One virtualenv for every group, made before any group starts (lanes below run at once).
if [ ! -x "$venv/bin/mutmut" ]; then
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q "$checkout[test]" "mutmut>=3,<4"
  "$venv/bin/pip" uninstall -q -y backable
fi

run_group() {
  local group=$1 jobs=$2
  local repo="$work/$group"
  local started profile
  started=$(date +%s)
  mkdir -p "$repo"
  # A fresh copy of the working tree (tracked and new files, nothing ignored).
  find "$repo" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  (cd "$checkout" && git ls-files -co --exclude-standard -z \
    | xargs -0 sh -c 'for f; do if [ -e "$f" ]; then printf "%s\0" "$f"; fi; done' _ \
    | xargs -0 cp --parents -t "$repo")
  if [ -d "$checkout/../shared" ]; then
    ln -s "$(cd "$checkout/../shared" && pwd)" "$repo/shared"
  fi
  # The tests import backable.core, and mutmut names each mutant by the module path of its file:
  # so the copy is laid out as the wheel installs it, backable/{__init__.py,core/,shell/}, and its
  # [tool.mutmut] is written for this group (its modules, its tests).
  mkdir -p "$repo/backable"
  mv "$repo/core" "$repo/shell" "$repo/backable/"
  cp "$repo"/src/backable/*.py "$repo/backable/"
  profile=$("$venv/bin/python" - "$repo" "$group" "$groups_file" <<'PY'
import glob
import json
import re
import sys
import tomllib
from pathlib import Path

repo, group, groups_file = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
spec = tomllib.load(open(groups_file, "rb"))[group]
modules = sorted(
    p.relative_to(repo).as_posix()
    for pattern in spec["modules"]
    for p in map(Path, glob.glob(str(repo / "backable" / "core" / pattern)))
    if p.name != "__init__.py"
)
section = "\n".join([
    "[tool.mutmut]",
    'source_paths = ["backable/core/"]',
    f"only_mutate = {json.dumps(modules)}",
    'also_copy = ["backable/__init__.py", "backable/shell/", "properties/"]',
    # Each mutant is a fresh pytest session in a forked child, so what a session costs before
    # and after its tests is paid some 12,000 times: the plugins no test here uses are left out
    # (a session's end alone spent 0.1 s in the unraisable-exception plugin's gc.collect), about
    # half of what a quickly killed mutant costs. A plugin a test did need would fail the clean
    # run mutmut makes first, and the run would stop.
    'pytest_add_cli_args = ["-q", "--hypothesis-seed=0", '
    + ", ".join(f'"-p", "no:{name}"' for name in (
        "cacheprovider", "unraisableexception", "threadexception", "doctest", "junitxml",
        "pastebin", "legacypath", "logging", "faulthandler", "stepwise", "warnings", "xdist",
        "xdist.looponfail", "pytest_cov",
    ))
    + "]",
    # A mutant that makes a loop endless is a timeout (killed). mutmut 3.8 stops a mutant after
    # multiplier x (its tests' measured time + constant) of wall time, or twice that of CPU time.
    # Its default (15x, + 1 s) held each endless mutant of the job machines for a minute. On a
    # quiet machine (nothing else running: how this script is meant to run) the slowest survivor
    # of two whole runs took 1.22x (its tests' time + 0.5 s), so 2.5x leaves twice that; on a
    # machine loaded to twice its cores survivors took up to 3.97x, and there a slow survivor
    # could pass for a timeout: the report counts the timeouts per module, and docs/mutation.md
    # says how to rerun them.
    "timeout_multiplier = 2.5",
    "timeout_constant = 0.5",
    f"pytest_add_cli_args_test_selection = {json.dumps(spec['tests'])}",
    "",
])
pyproject = repo / "pyproject.toml"
text = pyproject.read_text()
text = re.sub(r"\[tool\.mutmut\]\n(?:(?!\n\[).)*", section, text, flags=re.S)
pyproject.write_text(text)
print(spec.get("profile", "ci"))
PY
)
  echo "== $group (Hypothesis profile $profile, $jobs at once)"
  (cd "$repo" && HYPOTHESIS_PROFILE=$profile "$venv/bin/mutmut" run --max-children "$jobs") || {
    echo "mutation.sh: mutmut run failed for $group" >&2
    return 1
  }
  echo "== $group: $(( $(date +%s) - started )) s"
}

# MUTATION_LANES (default 1) runs the groups in that many lanes at once, each lane taking its
# groups in turn with MUTATION_JOBS / lanes mutants at a time. With two lanes on two cores, a
# group's single-threaded start (making its mutants, timing its tests once under mutmut's
# tracing, the clean run) overlaps the other lane's mutants instead of leaving a core idle. Each
# group goes to the lane with the least `weight` so far (scripts/mutation_groups.toml: a group's
# seconds in its lane in the last whole run), heaviest first. A lane's output goes to
# $MUTATION_WORKDIR/lane-N.log; its group lines are echoed here.
jobs=${MUTATION_JOBS:-$(nproc)}
lanes=${MUTATION_LANES:-1}
if [ "$lanes" -le 1 ]; then
  for group in $groups; do
    run_group "$group" "$jobs" || exit 1
  done
else
  per_lane=$(( jobs / lanes > 0 ? jobs / lanes : 1 ))
  # shellcheck disable=SC2086  # one argument per group
  plan=$("$py" - "$groups_file" "$lanes" $groups <<'PLAN'
import sys
import tomllib

spec = tomllib.load(open(sys.argv[1], "rb"))
lanes = int(sys.argv[2])
load, plan = [0] * lanes, [[] for _ in range(lanes)]
for group in sorted(sys.argv[3:], key=lambda g: -spec[g].get("weight", 1)):
    lane = load.index(min(load))
    load[lane] += spec[group].get("weight", 1)
    plan[lane].append(group)
print("\n".join(" ".join(p) for p in plan))
PLAN
)
  pids=()
  lane=0
  while read -r lane_groups; do
    lane=$((lane + 1))
    [ -z "$lane_groups" ] && continue
    echo "== lane $lane: $lane_groups"
    (
      for group in $lane_groups; do
        run_group "$group" "$per_lane" >> "$work/lane-$lane.log" 2>&1 || {
          echo "== lane $lane: $group failed (see $work/lane-$lane.log)"
          exit 1
        }
        grep -a '^== ' "$work/lane-$lane.log" | tail -1
      done
    ) &
    pids+=($!)
  done <<< "$plan"
  failed=0
  for pid in "${pids[@]}"; do
    wait "$pid" || failed=1
  done
  [ "$failed" -eq 0 ] || { echo "mutation.sh: a lane failed" >&2; exit 1; }
fi
echo "== all: $(( $(date +%s) - started_all )) s"
echo
report
