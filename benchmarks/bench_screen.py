"""Screening throughput: abstracts per second on one core, the model loaded once.

    python benchmarks/bench_screen.py [--model models/screen] [--n 4000] [--batch 1000]

Records are corpus abstracts (cycled to --n, each made unique by a suffix so no cache helps),
half with their publication types and MeSH, half without. Prints the rate of
`Screener.decide_many` and of the feature extraction alone. Target: ≥ 2,000 abstracts/s.
"""

from __future__ import annotations

import argparse
import os
import time

TARGET = 2000.0


def main() -> int:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # one core
    from evidencebot.corpus import load_entries
    from evidencebot.screen import ScreenInput, load_screener

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="models/screen")
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    screener = load_screener(args.model)
    entries = load_entries()
    records = []
    for i in range(args.n):
        e = entries[i % len(entries)]
        meta = i % 2 == 0
        records.append(
            ScreenInput(
                e.title,
                f"{e.abstract} (record {i})",
                e.publication_types if meta else (),
                e.mesh_terms if meta else (),
            )
        )
    chars = sum(len(r.abstract) + len(r.title) for r in records) / len(records)
    screener.decide_many(records[:50])  # warm up: tokenizer, matcher, lookup tables

    best = 0.0
    for _ in range(args.repeats):
        start = time.perf_counter()
        for i in range(0, len(records), args.batch):
            screener.decide_many(records[i : i + args.batch])
        best = max(best, len(records) / (time.perf_counter() - start))
    start = time.perf_counter()
    screener.model.featurizer_.transform(records)
    features = len(records) / (time.perf_counter() - start)
    print(
        f"records: {len(records)} (mean {chars:.0f} characters), batch {args.batch}, best of {args.repeats}"
    )
    print(f"features only: {features:,.0f} abstracts/s")
    print(
        f"decide_many:   {best:,.0f} abstracts/s (target ≥ {TARGET:,.0f}) "
        f"{'OK' if best >= TARGET else 'BELOW TARGET'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
