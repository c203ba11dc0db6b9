#!/usr/bin/env bash
# Mutation testing of every module of core/ with mutmut 3 (issues 7 and 13). Not part of CI:
# over an hour for every module as configured (MUTATION_JOBS sets how many run at once; issue
# 13 splits it). Works on a fresh checkout; run from anywhere:
#
#     scripts/mutation.sh            # mutate, test, print the score per module and the survivors
#     scripts/mutation.sh --report   # print the score of the last run again, without running
#
# What it mutates and which tests it runs are in pyproject.toml [tool.mutmut]; docs/mutation.md
# records the scores and every survivor left on purpose.
#
# It works in a copy of the checkout, $MUTATION_WORKDIR (default ${TMPDIR:-/tmp}/backable-mutation):
# mutmut copies the tree into ./mutants and runs the tests from there, and the tests look for the
# real chain data beside the project root (../shared), which from inside mutants/ is the copy's
# own directory; the copy gets a `shared` link so the real-block tests find it, and the checkout
# stays untouched while others work in it. The copy has its own virtualenv (.venv-mutation, made
# with $PYTHON, default python3) holding the test dependencies and mutmut, not the package itself:
# the tests must import the mutated core/, not an installed one. To look at a survivor:
#     cd "$MUTATION_WORKDIR/repo" && .venv-mutation/bin/mutmut show <mutant name>
set -euo pipefail

checkout=$(cd "$(dirname "$0")/.." && pwd)
work=${MUTATION_WORKDIR:-${TMPDIR:-/tmp}/backable-mutation}
repo="$work/repo"
venv="$repo/.venv-mutation"
py=${PYTHON:-python3}

report() {
  (cd "$repo" && "$venv/bin/python" - <<'PY'
import json
from pathlib import Path

# mutmut's exit-code meanings (mutmut.stats): 1 and 3 kill, so do timeouts and type-check catches;
# 0 survives; 5/33 "no tests" counts as a survivor too.
KILLED = {1, 3, 36, 37, 24, -24, 152, 255}
rows, survivors = [], []
for meta in sorted(Path("mutants/backable/core").rglob("*.py.meta")):
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    if not codes:
        continue
    module = meta.relative_to("mutants/backable/core").as_posix().removesuffix(".meta")
    killed = sum(1 for c in codes.values() if c in KILLED)
    unchecked = sum(1 for c in codes.values() if c is None)
    rows.append((module, killed, len(codes), unchecked))
    survivors += sorted(k for k, c in codes.items() if c is not None and c not in KILLED)
print(f"{'module':34} {'killed':>7} {'total':>6} {'score':>7}")
all_k = all_n = 0
for module, killed, total, unchecked in rows:
    all_k, all_n = all_k + killed, all_n + total
    note = f"  ({unchecked} not checked)" if unchecked else ""
    print(f"{module:34} {killed:7} {total:6} {100 * killed / total:6.1f}%{note}")
if all_n:
    print(f"{'all':34} {all_k:7} {all_n:6} {100 * all_k / all_n:6.1f}%")
print(f"\n{len(survivors)} survivors (mutmut show <name> for the diff):")
for name in survivors:
    print("   ", name)
PY
  )
}

if [ "${1:-}" = "--report" ]; then
  report
  exit 0
fi

mkdir -p "$repo"
# A fresh copy of the working tree (tracked and new files, nothing ignored), keeping the venv.
find "$repo" -mindepth 1 -maxdepth 1 ! -name .venv-mutation -exec rm -rf {} +
(cd "$checkout" && git ls-files -co --exclude-standard -z \
  | xargs -0 sh -c 'for f; do if [ -e "$f" ]; then printf "%s\0" "$f"; fi; done' _ \
  | xargs -0 cp --parents -t "$repo")
if [ -d "$checkout/../shared" ]; then
  ln -s "$(cd "$checkout/../shared" && pwd)" "$repo/shared"
fi

if [ ! -x "$venv/bin/mutmut" ]; then
  "$py" -m venv "$venv"
  "$venv/bin/pip" install -q "$repo[test]" "mutmut>=3,<4"
  "$venv/bin/pip" uninstall -q -y backable
fi

# The tests import backable.core, and mutmut names each mutant by the module path of its file:
# so the copy is laid out as the wheel installs it, backable/{__init__.py,core/,shell/}, and the
# [tool.mutmut] paths (written against the repository's core/) are rewritten to match.
mkdir -p "$repo/backable"
mv "$repo/core" "$repo/shell" "$repo/backable/"
cp "$repo"/src/backable/*.py "$repo/backable/"
sed -i -e '/^\[tool.mutmut\]/,/^\[/ s#"core/#"backable/core/#g' \
  -e '/^\[tool.mutmut\]/,/^\[/ s#"shell/"#"backable/shell/"#' \
  -e '/^\[tool.mutmut\]/,/^\[/ s#^also_copy = \[#also_copy = ["backable/__init__.py", #' \
  "$repo/pyproject.toml"
cd "$repo"
# The ci profile: 100 examples, derandomised (the dev profile's 50 missed a state-machine kill).
HYPOTHESIS_PROFILE=ci "$venv/bin/mutmut" run --max-children "${MUTATION_JOBS:-$(nproc)}" || {
  echo "mutation.sh: mutmut run failed" >&2
  exit 1
}
echo
report
