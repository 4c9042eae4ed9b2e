"""Pooled estimates published by others (db/published_pools.csv), for the digest's
"last published estimate" beside our living one. Nothing is tuned to them; the rows marked
reproducible_from_seed are re-derived in tests/pool/test_published_nma_2024.py.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from evidencebot.errors import SeedError

DEFAULT_PUBLISHED_PATH = Path(__file__).resolve().parents[2] / "db" / "published_pools.csv"
_FLOATS = ("estimate", "ci_low", "ci_high", "ci_level", "i2_pct")


def load_published_pools(path: str | os.PathLike[str] = DEFAULT_PUBLISHED_PATH) -> list[dict]:
    """Rows of published_pools.csv with numbers as floats (None when not reported), k and
    year as int (or None), and `reproducible` a bool (from reproducible_from_seed = yes)."""
    path = Path(path)
    try:
        fh = open(path, newline="", encoding="utf-8")
    except FileNotFoundError:
        raise SeedError(f"published pools file {str(path)!r} not found") from None
    out = []
    with fh:
        reader = csv.DictReader(fh)
        for row in reader:
            rec: dict = {k: (v.strip() if isinstance(v, str) else v) for k, v in row.items()}
            for col in _FLOATS:
                try:
                    rec[col] = float(rec[col]) if rec.get(col) else None
                except ValueError:
                    raise SeedError(
                        f"line {reader.line_num}, column {col}: {rec[col]!r} is not a number"
                    ) from None
            for col in ("k", "year"):
                rec[col] = int(rec[col]) if rec.get(col) else None
            rec["reproducible"] = rec.get("reproducible_from_seed", "").lower() == "yes"
            out.append(rec)
    return out
