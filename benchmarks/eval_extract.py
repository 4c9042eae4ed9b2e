"""Score the extractor on a corpus split: python benchmarks/eval_extract.py [--split dev|test|train] [-v]

Same as `evidencebot eval-extract`. Develop on train+dev and the extraction-only challenge set
(`--file corpus/extraction/challenge.yaml`); look at test only to report.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from evidencebot.corpus import entries_by_split, load_entries  # noqa: E402
from evidencebot.extract.score import score  # noqa: E402
from evidencebot.protocol import load_protocol  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", default="dev", choices=["train", "dev", "test", "train+dev"])
    ap.add_argument("--protocol", default="evidencebot.toml")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    ap.add_argument("--file", action="append", default=[], help="gold file(s) instead of a split")
    args = ap.parse_args()
    protocol = load_protocol(args.protocol)
    if args.file:
        entries, args.split = load_entries([Path(f) for f in args.file]), ", ".join(args.file)
    else:
        entries = [e for s in args.split.split("+") for e in entries_by_split(s)]
    rep = score(entries, protocol)
    print(f"split: {args.split}")
    for line in rep.lines():
        print(line)
    if args.verbose:
        for line in rep.errors:
            print(line)


if __name__ == "__main__":
    main()
