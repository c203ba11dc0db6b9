# Statement table import speed against a straightforward mutable-dict implementation of the same
# rules, side by side, and the cost of checking one statement's sr25519 signature.
#
#     python bench/bench_table.py
#
# Workload: 400 paras with groups of 5 (2,000 validators), 5 candidates per para, each seconded by
# one member and voted Valid by the other four: 10,000 statements whose signatures are taken as
# already checked. Reports medians over repeated runs; never gates CI.
from __future__ import annotations

import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests/ helpers

import sr25519

from backable.core import (
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    DoubleSign,
    Invalid,
    MultipleCandidates,
    Seconded,
    SignedStatement,
    SigningContext,
    Summary,
    Table,
    TableContext,
    UnauthorizedStatement,
    Valid,
    ValidityDoubleVote,
    import_statement,
    statement_signing_payload,
    verify_signature,
)

PARAS, GROUP = 400, 5
REPEATS = 15


class NaiveTable:
    """The same rules with mutable dicts, mutated in place (the comparison baseline)."""

    def __init__(self) -> None:
        self.candidates: dict[bytes, list[object]] = {}  # hash -> [group, candidate, votes, n]
        self.proposals: dict[int, list[tuple[bytes, bytes]]] = {}
        self.misbehaviors: dict[int, list[object]] = {}

    def import_statement(self, ctx: TableContext, s: SignedStatement) -> Summary | None:
        st, v, sig = s.statement, s.validator_index, s.signature
        if type(st) is Seconded:
            c = st.candidate
            group = c.descriptor.para_id
            if not ctx.is_member_of(v, group):
                return self._bad(v, UnauthorizedStatement(s))
            h = c.hash()
            mine = self.proposals.get(v)
            new = True
            if mine:
                if any(d == h for d, _ in mine):
                    new = False
                elif not ctx.allow_multiple_seconded:
                    old_h, old_sig = mine[0]
                    first = (self.candidates[old_h][1], old_sig)
                    return self._bad(v, MultipleCandidates(first, (c, sig), v))  # type: ignore[arg-type]
            data = self.candidates.get(h)
            if data is None:
                data = [group, c, {}, 0]
            result = self._vote(ctx, s, data, h, v, 0, sig)
            if result is not None:
                self.candidates[h] = data
                if new:
                    self.proposals.setdefault(v, []).append((h, sig))
            return result
        h = st.candidate_hash
        data = self.candidates.get(h)
        if data is None:
            return None
        return self._vote(ctx, s, data, h, v, 1 if type(st) is Valid else 2, sig)

    def _vote(
        self,
        ctx: TableContext,
        s: SignedStatement,
        data: list[object],
        h: bytes,
        v: int,
        kind: int,
        sig: bytes,
    ) -> Summary | None:
        group, candidate, votes, n = data
        if kind and not ctx.is_member_of(v, group):  # type: ignore[arg-type]
            return self._bad(v, UnauthorizedStatement(s))
        old = votes.get(v)  # type: ignore[attr-defined]
        if old is not None:
            if old == (kind, sig):
                return None
            if old[0] == kind:
                stmt = s.statement
                kinds = (DoubleSign.SECONDED, DoubleSign.VALID, DoubleSign.INVALID)
                return self._bad(v, DoubleSign(kinds[kind], stmt, old[1], sig, v))
            (k1, s1), (k2, s2) = sorted((old, (kind, sig)))
            names = {
                (0, 1): ValidityDoubleVote.ISSUED_AND_VALIDITY,
                (0, 2): ValidityDoubleVote.ISSUED_AND_INVALIDITY,
                (1, 2): ValidityDoubleVote.VALIDITY_AND_INVALIDITY,
            }
            return self._bad(v, ValidityDoubleVote(names[(k1, k2)], candidate, s1, s2, v))  # type: ignore[arg-type]
        votes[v] = (kind, sig)  # type: ignore[index]
        data[3] = n = n + (kind != 2)  # type: ignore[operator]
        return Summary(h, group, n)  # type: ignore[arg-type]

    def _bad(self, v: int, m: object) -> None:
        self.misbehaviors.setdefault(v, []).append(m)
        return None


def workload() -> tuple[TableContext, list[SignedStatement]]:
    groups = {p: tuple(range(p * GROUP, (p + 1) * GROUP)) for p in range(PARAS)}
    ctx = TableContext(groups)
    out: list[SignedStatement] = []
    for p in range(PARAS):
        for n in range(GROUP):
            descriptor = CandidateDescriptor(
                p,
                b"\x11" * 32,
                b"\xc0" * 32,
                b"\x01" * 32,
                b"\x02" * 32,
                b"\x03" * 32,
                b"\x04" * 64,
                bytes([n]) * 32,
                b"\x05" * 32,
            )
            c = CommittedCandidateReceipt(descriptor, CandidateCommitments(head_data=bytes([n])))
            h = c.hash()  # cached, as the shell's decoded receipts would be after hashing once
            group = groups[p]
            seconder = group[n]
            out.append(SignedStatement(Seconded(c), seconder, bytes([n]) * 64))
            for v in group:
                if v != seconder:
                    out.append(SignedStatement(Valid(h), v, bytes([v % 256]) * 64))
    return ctx, out


def time_persistent(ctx: TableContext, items: list[SignedStatement]) -> float:
    table = Table()
    t0 = time.perf_counter()
    for s in items:
        table, _ = import_statement(table, ctx, s)
    return time.perf_counter() - t0


def time_naive(ctx: TableContext, items: list[SignedStatement]) -> float:
    table = NaiveTable()
    t0 = time.perf_counter()
    for s in items:
        table.import_statement(ctx, s)
    return time.perf_counter() - t0


def time_verify() -> float:
    pub, secret = sr25519.pair_from_seed(b"\x07" * 32)
    ctx = SigningContext(1, b"\x11" * 32)
    statement = Invalid(b"\x22" * 32)
    sig = sr25519.sign((pub, secret), statement_signing_payload(statement, ctx))
    n = 2000
    t0 = time.perf_counter()
    for _ in range(n):
        ok = verify_signature(statement_signing_payload(statement, ctx), sig, pub)
    assert ok, "the benchmark signature must verify"
    return (time.perf_counter() - t0) / n


def main() -> None:
    ctx, items = workload()
    # Same outcome from both implementations before timing anything.
    naive = NaiveTable()
    table = Table()
    for s in items:
        a = naive.import_statement(ctx, s)
        table, b = import_statement(table, ctx, s)
        assert a == b, (a, b)
    # Interleaved pairs, each run starting from a collected heap, so that a drift in the machine's
    # speed hits both sides alike; the ratio reported is the median of the per-pair ratios.
    persistent, mutable, ratios = [], [], []
    for _ in range(REPEATS):
        gc.collect()
        m_run = time_naive(ctx, items)
        gc.collect()
        p_run = time_persistent(ctx, items)
        mutable.append(m_run)
        persistent.append(p_run)
        ratios.append(p_run / m_run)
    p, m = statistics.median(persistent), statistics.median(mutable)
    n = len(items)
    print(f"statements imported:        {n}")
    print(f"persistent Table (median):  {p * 1e3:8.2f} ms  ({p / n * 1e6:.2f} us/statement)")
    print(f"mutable dicts (median):     {m * 1e3:8.2f} ms  ({m / n * 1e6:.2f} us/statement)")
    print(
        f"ratio persistent/mutable:   {statistics.median(ratios):8.2f}x  (median of {REPEATS}"
        f" interleaved pairs, range {min(ratios):.2f}-{max(ratios):.2f}; goal: within 3x)"
    )
    verify = statistics.median(time_verify() for _ in range(3))
    print(f"verify_signature, one statement (median): {verify * 1e6:.1f} us")
    print(f"  signature checks for {n} statements: {verify * n * 1e3:.0f} ms")


if __name__ == "__main__":
    main()
