"""Provisioner benchmarks (reported, never gating): the whole provisioning pass and bitfield
selection alone, each beside a straightforward mutable-dict implementation of the same rules
written here, with medians and ratios. Run: `python bench/bench_provisioner.py`."""
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
    select_availability_bitfields,
)

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


# -- the naive mutable-dict implementation of the same rules ---------------------------------


def naive_select_bitfields(cores: Any, bitfields: Any) -> list[Any]:
    selected: dict[int, Any] = {}
    for bf in bitfields:
        if len(bf.payload) != len(cores):
            continue
        cur = selected.get(bf.validator_index)
        if cur is not None and not cur.payload.count_ones() < bf.payload.count_ones():
            continue
        if any(bf.payload[i] for i, core in enumerate(cores) if not isinstance(core, OccupiedCore)):
            continue
        selected[bf.validator_index] = bf
    return [selected[v] for v in sorted(selected)]


def naive_available(core_idx: int, bitfields: Any, availability: BitVec) -> bool:
    av = list(availability)
    for bf in bitfields:
        if bf.validator_index >= len(av):
            return False
        av[bf.validator_index] = av[bf.validator_index] or bf.payload[core_idx]
    return 3 * sum(av) >= 2 * len(av)


def naive_pass(cores: Any, bitfields: Any, candidates: Any, block: int, vd: Any) -> Any:
    fields = naive_select_bitfields(cores, bitfields)
    chosen = []
    paras: set[int] = set()
    code = False
    for c, core in enumerate(cores):
        if isinstance(core, ScheduledCore):
            sc, assumption = core, FREE
        elif isinstance(core, OccupiedCore):
            if naive_available(c, fields, core.availability):
                if core.next_up_on_available is None:
                    continue
                sc, assumption = core.next_up_on_available, INCLUDED
            else:
                if core.time_out_at != block or core.next_up_on_time_out is None:
                    continue
                sc, assumption = core.next_up_on_time_out, TIMED_OUT
        else:
            continue
        if sc.para_id in paras or (sc.para_id, assumption) not in vd:
            continue
        h = vd[(sc.para_id, assumption)].hash()
        for cand in candidates:
            d = cand.candidate.descriptor
            if d.para_id == sc.para_id and d.persisted_validation_data_hash == h:
                paras.add(sc.para_id)
                has_code = cand.candidate.commitments.new_validation_code is not None
                if not (has_code and code):
                    chosen.append(cand)
                code = code or has_code
                break
    return ProvisionerInherentData(tuple(fields), tuple(chosen), ())


# -- timing ----------------------------------------------------------------------------------


def median_ms(fn: Callable[..., Any], *args: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def main() -> None:
    print(f"python {sys.version.split()[0]}; medians in ms; ratio = naive / ours")
    rows = []
    for n_v, n_c, goal in ((1000, 200, 5.0), (2000, 500, 15.0)):
        cores, fields, cands, block, vd = workload(n_v, n_c)
        ours_result = assemble_inherent_data(cores, fields, cands, block, vd)
        naive_result = naive_pass(cores, fields, cands, block, vd)
        assert ours_result == naive_result, "the two implementations disagree"
        repeat = 31 if n_v == 1000 else 11
        args = (cores, fields, cands, block, vd)
        ours = median_ms(assemble_inherent_data, *args, repeat=repeat)
        naive = median_ms(naive_pass, *args, repeat=3)
        rows.append((f"provisioning pass {n_v} x {n_c}", ours, goal, naive))
        if n_v == 1000:
            assert select_availability_bitfields(cores, fields) == tuple(
                naive_select_bitfields(cores, fields)
            )
            ours = median_ms(select_availability_bitfields, cores, fields, repeat=51)
            naive = median_ms(naive_select_bitfields, cores, fields, repeat=5)
            rows.append((f"bitfield selection {n_v} x {n_c}", ours, 1.0, naive))
        print(f"  ({n_v} x {n_c}: {len(ours_result.bitfields)} bitfields and"
              f" {len(ours_result.backed_candidates)} candidates selected)")
    print(f"{'benchmark':36} {'ours':>8} {'goal':>6} {'naive':>9} {'ratio':>7}")
    for name, ours, goal, naive in rows:
        mark = "ok" if ours < goal else "MISSED"
        print(f"{name:36} {ours:8.2f} {goal:6.1f} {naive:9.2f} {naive / ours:6.1f}x  {mark}")


if __name__ == "__main__":
    main()
