"""Decoding the largest real inherent (Polkadot block 22887036) and building records.

Run: python bench/bench_decode.py   (medians over repeated runs; goal: < 5 ms per block)
"""

from __future__ import annotations

import json
import statistics
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from backable.core import (  # noqa: E402
    BackedCandidate,
    BitVec,
    CandidateCommitments,
    CandidateDescriptor,
    CommittedCandidateReceipt,
    Explicit,
    SignedAvailabilityBitfield,
    decode_paras_inherent_extrinsic,
    encode_paras_inherent_extrinsic,
)

BLOCK = ROOT.parent / "shared" / "data" / "polkadot" / "raw" / "block22887036.json"


def median_seconds(stmt: object, number: int, repeat: int = 15) -> float:
    runs = timeit.repeat(stmt, number=number, repeat=repeat)  # type: ignore[arg-type]
    return statistics.median(runs) / number


def main() -> None:
    raw = bytes.fromhex(json.loads(BLOCK.read_text())["extrinsics"][1][2:])
    data = decode_paras_inherent_extrinsic(raw)
    print(
        f"block 22887036: {len(raw)} bytes, {len(data.bitfields)} bitfields,"
        f" {len(data.backed_candidates)} backed candidates"
    )
    t = median_seconds(lambda: decode_paras_inherent_extrinsic(raw), number=20)
    print(f"decode whole inherent:      median {t * 1e3:8.3f} ms   (goal < 5 ms)")
    t = median_seconds(lambda: encode_paras_inherent_extrinsic(data), number=20)
    print(f"encode whole inherent:      median {t * 1e3:8.3f} ms")

    bits = BitVec.from_str("01" * 40)
    sig = bytes(64)
    d = data.backed_candidates[0].candidate.descriptor
    fields = [getattr(d, f) for f in CandidateDescriptor.__dataclass_fields__]
    commitments = data.backed_candidates[0].candidate.commitments
    ccr = CommittedCandidateReceipt(d, commitments)
    cases = {
        "BitVec(bits, len)": lambda: BitVec(12345, 80),
        "SignedAvailabilityBitfield": lambda: SignedAvailabilityBitfield(bits, 7, sig),
        "CandidateDescriptor": lambda: CandidateDescriptor(*fields),
        "CandidateCommitments": lambda: CandidateCommitments(
            commitments.upward_messages,
            commitments.horizontal_messages,
            None,
            commitments.head_data,
            1,
            2,
        ),
        "BackedCandidate (5 votes)": lambda: BackedCandidate(
            ccr, (Explicit(sig),) * 5, BitVec(31, 5)
        ),
    }
    print("per-record construction (validated):")
    for name, make in cases.items():
        t = median_seconds(make, number=20_000)
        print(f"  {name:28s} median {t * 1e6:8.3f} us")


if __name__ == "__main__":
    main()
