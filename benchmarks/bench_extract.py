"""Extraction throughput on one core: python benchmarks/bench_extract.py [--seconds 5]

Runs extract_abstract over every corpus abstract (the pipeline is built once and cached;
each call only tokenises and runs the rule components) and prints abstracts per second.
Target: >= 1,000 abstracts/s.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evidencebot.corpus import load_entries  # noqa: E402
from evidencebot.extract import extract_abstract  # noqa: E402
from evidencebot.protocol import load_protocol  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--protocol", default="evidencebot.toml")
    args = ap.parse_args()
    protocol = load_protocol(args.protocol)
    texts = [(e.abstract, e.title) for e in load_entries()] or [("Median OS was 6.3 months.", "")]
    for text, title in texts[:20]:  # warm-up: builds and caches the pipeline
        extract_abstract(text, protocol, title=title)
    n, chars, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        for text, title in texts:
            extract_abstract(text, protocol, title=title)
            n += 1
            chars += len(text)
    elapsed = time.perf_counter() - start
    print(
        f"{n} abstracts in {elapsed:.2f} s: {n / elapsed:,.0f} abstracts/s "
        f"({chars / n:,.0f} characters each on average; target >= 1,000/s)"
    )


if __name__ == "__main__":
    main()
