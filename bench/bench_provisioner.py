"""Provisioner benchmarks (reported, never gating): the whole provisioning pass and bitfield
selection alone, each beside the fastest straightforward implementation of the same rules written
here: int bit operations (a mask test and `int.bit_count` per bitfield; per core, one shift and
test per bitfield), and, when numpy happens to be installed (it is no dependency), a numpy
transpose of the validators x cores matrix. Every baseline is checked to agree with ours first;
the runs are interleaved (ours, then each baseline, repeat); wall (perf_counter) and CPU
(process_time) time are reported as medians, and each ratio is the median of the per-round
ratios, baseline / ours (above 1: ours is faster). Run pinned:
`taskset -c 1 python bench/bench_provisioner.py`."""
from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for tests/ helpers

from backable.core import (
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    Explicit,
    OccupiedCore,
    OccupiedCoreAssumption,
    PersistedValidationData,
    ProvisionerInherentData,
    ScheduledCore,
    SignedAvailabilityBitfield,
    assemble_inherent_data,
    availability_threshold_met,
    select_availability_bitfields,
)

try:
    import numpy as np
except ImportError:  # numpy is no dependency: without it, the int baseline alone
    np = None

Z = bytes(32)
SIG = bytes(64)
INCLUDED = OccupiedCoreAssumption.INCLUDED
FREE = OccupiedCoreAssumption.FREE
TIMED_OUT = OccupiedCoreAssumption.TIMED_OUT


def workload(n_validators: int, n_cores: int, seed: int = 1) -> tuple[Any, ...]:
    """Half the cores occupied (each with next-up paras, a little on-chain availability), half
    scheduled; one bitfield per validator with ~90% of the occupied bits set; one backed
    candidate per core, each built on the validation data its core will be assigned."""
    rng = random.Random(seed)
    block = 1000
    cores: list[Any] = []
    vd: dict[Any, PersistedValidationData] = {}
    candidates = []
    occupied_mask = 0
    for c in range(n_cores):
        para = 2000 + c
        data = PersistedValidationData(c.to_bytes(4, "little"), block - 1, Z, 5 << 20)
        d = CandidateDescriptor(para, Z, Z, Z, Z, Z, SIG, Z, Z)
        if c % 2 == 0:
            occupied_mask |= 1 << c
            avail = BitVec(rng.getrandbits(n_validators) & rng.getrandbits(n_validators)
                           & rng.getrandbits(n_validators), n_validators)
            cores.append(OccupiedCore(ScheduledCore(para), block - 5, block, ScheduledCore(para),
                                      avail, c, Z, d))
            vd[(para, INCLUDED)] = data
            vd[(para, TIMED_OUT)] = data
        else:
            cores.append(ScheduledCore(para))
            vd[(para, FREE)] = data
        receipt = CommittedCandidateReceipt(
            CandidateDescriptor(para, Z, Z, data.hash(), Z, Z, SIG, Z, Z),
            CandidateCommitments(head_data=c.to_bytes(4, "little"),
                                 new_validation_code=b"\x00" if c % 50 == 7 else None),
        )
        candidates.append(BackedCandidate(receipt, (Explicit(SIG),) * 3, BitVec.ones(3)))
    bitfields = []
    for v in range(n_validators):
        bits = occupied_mask & (rng.getrandbits(n_cores) | rng.getrandbits(n_cores)
                                | rng.getrandbits(n_cores) | rng.getrandbits(n_cores))
        bitfields.append(SignedAvailabilityBitfield(BitVec(bits, n_cores), v, SIG))
    rng.shuffle(bitfields)
    rng.shuffle(candidates)
    for c in candidates:
        c.hash()  # the receipts cache their hash, as they would after gossip
    return tuple(cores), tuple(bitfields), tuple(candidates), block, vd


# -- the baselines: the same rules, the fastest straightforward way ---------------------------


def int_select_bitfields(cores: Any, bitfields: Any) -> list[Any]:
    """Bitfield selection with int masks and a mutable dict of the best bitfield per validator."""
    n = len(cores)
    allowed = 0
    for i, core in enumerate(cores):
        if isinstance(core, OccupiedCore):
            allowed |= 1 << i
    best: dict[int, Any] = {}
    for bf in bitfields:
        payload = bf.payload
        if len(payload) != n:
            continue
        bits = payload.as_int()
        if bits & ~allowed:
            continue
        cur = best.get(bf.validator_index)
        if cur is not None and cur.payload.as_int().bit_count() >= bits.bit_count():
            continue
        best[bf.validator_index] = bf
    return [best[v] for v in sorted(best)]


def int_availability(cores: Any, fields: Any) -> list[bool]:
    """Per occupied core: the availability int ORed with one shifted bit per bitfield."""
    rows = [(bf.validator_index, bf.payload.as_int()) for bf in fields]
    max_v = max((v for v, _ in rows), default=-1)
    out = []
    for c, core in enumerate(cores):
        if not isinstance(core, OccupiedCore) or max_v >= len(core.availability):
            out.append(False)
            continue
        av = core.availability.as_int()
        for v, bits in rows:
            if bits >> c & 1:
                av |= 1 << v
        out.append(availability_threshold_met(av.bit_count(), len(core.availability)))
    return out


def numpy_availability(cores: Any, fields: Any) -> list[bool]:
    """The bitfields unpacked into a validators x cores bool matrix once; the occupied cores'
    availability vectors unpacked into one matrix per vector length; ORed and summed per core."""
    n_c = len(cores)
    width = (n_c + 7) // 8
    max_v = max((bf.validator_index for bf in fields), default=-1)
    votes = np.zeros((max_v + 1, n_c), dtype=np.uint8)
    if fields:
        raw = b"".join(bf.payload.as_int().to_bytes(width, "little") for bf in fields)
        matrix = np.unpackbits(
            np.frombuffer(raw, dtype=np.uint8).reshape(len(fields), width), axis=1,
            bitorder="little",
        )[:, :n_c]
        rows = np.array([bf.validator_index for bf in fields], dtype=np.intp)
        np.bitwise_or.at(votes, rows, matrix)  # several bitfields of one signer OR together
    by_length: dict[int, list[int]] = {}
    for c, core in enumerate(cores):
        if isinstance(core, OccupiedCore) and max_v < len(core.availability):
            by_length.setdefault(len(core.availability), []).append(c)
    out = [False] * n_c
    for n, where in by_length.items():
        size = (n + 7) // 8
        raw = b"".join(cores[c].availability.as_int().to_bytes(size, "little") for c in where)
        avail = np.unpackbits(
            np.frombuffer(raw, dtype=np.uint8).reshape(len(where), size), axis=1,
            bitorder="little",
        )[:, :n]
        avail[:, : max_v + 1] |= votes[:, where].T
        for c, ones in zip(where, avail.sum(axis=1).tolist(), strict=True):
            out[c] = availability_threshold_met(ones, n)
    return out


def pass_with(availability: Callable[[Any, Any], list[bool]]) -> Callable[..., Any]:
    """The whole pass: selection, availability by `availability`, then candidates by a dict."""

    def run(cores: Any, bitfields: Any, candidates: Any, block: int, vd: Any) -> Any:
        fields = int_select_bitfields(cores, bitfields)
        available = availability(cores, fields)
        by_key: dict[tuple[int, bytes], Any] = {}
        for cand in candidates:
            d = cand.candidate.descriptor
            by_key.setdefault((d.para_id, d.persisted_validation_data_hash), cand)
        chosen = []
        paras: set[int] = set()
        code = False
        for core, is_available in zip(cores, available, strict=True):
            if isinstance(core, ScheduledCore):
                sc, assumption = core, FREE
            elif isinstance(core, OccupiedCore):
                if is_available:
                    if core.next_up_on_available is None:
                        continue
                    sc, assumption = core.next_up_on_available, INCLUDED
                else:
                    if core.time_out_at != block or core.next_up_on_time_out is None:
                        continue
                    sc, assumption = core.next_up_on_time_out, TIMED_OUT
            else:
                continue
            data = vd.get((sc.para_id, assumption))
            if sc.para_id in paras or data is None:
                continue
            cand = by_key.get((sc.para_id, data.hash()))
            if cand is None:
                continue
            paras.add(sc.para_id)
            has_code = cand.candidate.commitments.new_validation_code is not None
            if not (has_code and code):
                chosen.append(cand)
            code = code or has_code
        return ProvisionerInherentData(tuple(fields), tuple(chosen), ())

    return run


# -- timing ----------------------------------------------------------------------------------


def interleaved(
    fns: dict[str, Callable[..., Any]], args: tuple[Any, ...], rounds: int
) -> dict[str, tuple[float, float, float, float]]:
    """name -> (median wall ms, median cpu ms, median wall ratio to "ours", same for cpu)."""
    wall: dict[str, list[float]] = {k: [] for k in fns}
    cpu: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(rounds):
        for name, fn in fns.items():
            w0, c0 = time.perf_counter(), time.process_time()
            fn(*args)
            wall[name].append(time.perf_counter() - w0)
            cpu[name].append(time.process_time() - c0)
    out = {}
    for name in fns:
        rw = [b / a for a, b in zip(wall["ours"], wall[name], strict=True)]
        rc = [b / a if a else float("nan") for a, b in zip(cpu["ours"], cpu[name], strict=True)]
        out[name] = (statistics.median(wall[name]) * 1e3, statistics.median(cpu[name]) * 1e3,
                     statistics.median(rw), statistics.median(rc))
    return out


def main() -> None:
    print(f"python {sys.version.split()[0]}; numpy {np.__version__ if np else 'absent'};"
          " medians in ms, wall (cpu); ratio = baseline / ours, wall (cpu); goals checked on cpu")
    rows: list[tuple[str, float, dict[str, tuple[float, float, float, float]]]] = []
    for n_v, n_c, goal in ((1000, 200, 5.0), (2000, 500, 15.0)):
        cores, fields, cands, block, vd = workload(n_v, n_c)
        args = (cores, fields, cands, block, vd)
        passes: dict[str, Callable[..., Any]] = {
            "ours": assemble_inherent_data, "int": pass_with(int_availability)
        }
        if np is not None:
            passes["numpy"] = pass_with(numpy_availability)
        ours_result = assemble_inherent_data(*args)
        for name, fn in passes.items():
            assert fn(*args) == ours_result, f"the {name} baseline disagrees with ours"
        rows.append((f"provisioning pass {n_v} x {n_c}", goal,
                     interleaved(passes, args, 31 if n_v == 1000 else 11)))
        if n_v == 1000:
            assert select_availability_bitfields(cores, fields) == tuple(
                int_select_bitfields(cores, fields)
            ), "the int selection disagrees with ours"
            selection = {"ours": select_availability_bitfields, "int": int_select_bitfields}
            rows.append((f"bitfield selection {n_v} x {n_c}", 0.5,
                         interleaved(selection, (cores, fields), 101)))
        print(f"  ({n_v} x {n_c}: {len(ours_result.bitfields)} bitfields and"
              f" {len(ours_result.backed_candidates)} candidates selected)")
    print(f"{'benchmark':32} {'ours':>15} {'goal':>5} {'baseline':>8} {'baseline ms':>15}"
          f" {'ratio':>13}")
    for name, goal, results in rows:
        ow, oc, _, _ = results["ours"]
        mark = "ok" if oc <= goal else "MISSED"  # CPU: a loaded machine inflates wall time
        for base, (bw, bc, rw, rc) in results.items():
            if base == "ours":
                continue
            print(f"{name:32} {ow:6.2f} ({oc:6.2f}) {goal:5.1f} {base:>8} {bw:6.2f} ({bc:6.2f})"
                  f" {rw:5.2f}x ({rc:4.2f}x)  {mark}")


if __name__ == "__main__":
    main()
