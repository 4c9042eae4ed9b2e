"""Seed evidence: load a baseline table (the format of db/seed_outcomes.csv) as seed rows.

The whole file is validated before anything is written; the first fault raises SeedError
"line N, column X: ..." (N counts physical lines, the header is line 1) and nothing is
loaded. Loading is idempotent: a row whose (study, arm, endpoint, measure, pmid, year)
is already a seed row is skipped, so loading the same file twice adds nothing. A corrected
number for an existing key is therefore not re-seeded: corrections go through review
(a verified row outranks the seed row).
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import sqlite_utils

from evidencebot.errors import SeedError
from evidencebot.store import audit, now_iso, transaction

COLUMNS = (
    "study", "year", "pmid", "registry", "design", "line", "regimen", "arm", "n", "endpoint",
    "measure", "value", "ci_low", "ci_high", "ci_level", "unit", "events", "comparison", "note",
    "source",
)
REQUIRED = ("study", "year", "regimen", "arm", "endpoint", "measure", "value")
MEASURES = ("median", "hazard_ratio", "proportion", "rate")
UNIT_TO_MONTHS = {"months": 1.0, "month": 1.0, "weeks": 12 / 52.1775, "week": 12 / 52.1775,
                  "days": 12 / 365.25, "day": 12 / 365.25, "years": 12.0, "year": 12.0}
DEFAULT_SEED_PATH = Path(__file__).resolve().parent.parent / "db" / "seed_outcomes.csv"


def _fail(line: int, column: str, message: str) -> SeedError:
    return SeedError(f"line {line}, column {column}: {message}")


def _number(raw: str, line: int, column: str) -> float | None:
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        raise _fail(line, column, f"{raw!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise _fail(line, column, f"{raw!r} is not a finite number")
    return value


def _integer(raw: str, line: int, column: str) -> int | None:
    if raw == "":
        return None
    if not re.fullmatch(r"\d+", raw):
        raise _fail(line, column, f"{raw!r} is not a whole number")
    return int(raw)


def parse_seed(path: str | os.PathLike[str]) -> list[dict]:
    """Validated evidence rows (dicts for the evidence table) from a seed CSV; raises SeedError."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SeedError(f"seed file {str(path)!r} not found") from None
    except UnicodeDecodeError as exc:
        raise SeedError(f"seed file {str(path)!r} is not UTF-8: {exc}") from None
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise _fail(1, "-", "the file is empty; expected a header row") from None
    except csv.Error as exc:
        raise _fail(1, "-", f"malformed CSV: {exc}") from None
    header = [h.strip() for h in header]
    for column in COLUMNS:
        if column not in header:
            raise _fail(1, column, f"missing column {column!r} in the header")
    rows = []
    source = f"seed:{path.name}"
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _fail(reader.line_num, "-", f"malformed CSV: {exc}") from None
        line = reader.line_num
        if not fields or all(not f.strip() for f in fields):
            continue
        if len(fields) != len(header):
            raise _fail(
                line, header[min(len(fields), len(header)) - 1] if fields else "-",
                f"{len(fields)} fields where the header has {len(header)}",
            )
        raw = {h: f.strip() for h, f in zip(header, fields, strict=True)}
        rows.append(_validate(raw, line, source))
    if not rows:
        raise _fail(reader.line_num or 1, "-", "no data rows")
    return rows


def _validate(raw: dict[str, str], line: int, source: str) -> dict:
    for column in REQUIRED:
        if not raw[column]:
            raise _fail(line, column, f"{column} is required")
    year = _integer(raw["year"], line, "year")
    if not 1900 <= year <= 2100:
        raise _fail(line, "year", f"{year} is not a plausible publication year")
    if raw["pmid"] and not re.fullmatch(r"\d{1,9}", raw["pmid"]):
        raise _fail(line, "pmid", f"{raw['pmid']!r} is not a PubMed id (digits only)")
    measure = raw["measure"]
    if measure not in MEASURES:
        raise _fail(line, "measure", f"{measure!r}: use one of {', '.join(MEASURES)}")
    value = _number(raw["value"], line, "value")
    ci_low = _number(raw["ci_low"], line, "ci_low")
    ci_high = _number(raw["ci_high"], line, "ci_high")
    ci_level = _number(raw["ci_level"], line, "ci_level")
    n = _integer(raw["n"], line, "n")
    events = _integer(raw["events"], line, "events")
    if ci_level is not None and not 0 < ci_level < 1:
        raise _fail(line, "ci_level", f"{raw['ci_level']} must be a fraction (0.95, not 95)")
    if (ci_low is not None or ci_high is not None) and ci_level is None:
        raise _fail(line, "ci_level", "a CI is given without its level")
    if ci_low is not None and ci_high is not None and ci_low > ci_high:
        raise _fail(line, "ci_low", f"lower bound {ci_low} is above the upper bound {ci_high}")
    if ci_low is not None and ci_low < 0:
        raise _fail(line, "ci_low", f"{ci_low} is negative")
    if n is not None and n == 0:
        raise _fail(line, "n", "n must be positive")
    if measure == "proportion":
        if not 0 <= value <= 1:
            raise _fail(line, "value", f"proportion {value} is outside 0–1 (write 0.19, not 19)")
        if events is not None and (n is None or events > n):
            raise _fail(line, "events", f"events {events} without n or above n = {n}")
    elif value <= 0:
        raise _fail(line, "value", f"{measure} {value} must be positive")
    if measure == "hazard_ratio" and not raw["comparison"]:
        raise _fail(line, "comparison", "a hazard ratio needs its comparison ('A vs B')")
    unit = raw["unit"].lower()
    value_months = None
    if measure == "median":
        if unit not in UNIT_TO_MONTHS:
            raise _fail(line, "unit", f"{raw['unit']!r}: use months, weeks, days or years")
        value_months = value * UNIT_TO_MONTHS[unit]
    note = raw["note"]
    if raw["source"]:
        note = f"{note} [source: {raw['source']}]" if note else f"[source: {raw['source']}]"
    return {
        "pmid": raw["pmid"] or None,
        "study": raw["study"],
        "status": "seed",
        "source": source,
        "design": raw["design"] or None,
        "line": raw["line"] or None,
        "year": year,
        "registry": raw["registry"] or None,
        "arm": raw["arm"],
        "regimen": raw["regimen"],
        "n": n,
        "endpoint": raw["endpoint"],
        "measure": measure,
        "value": value,
        "unit": unit or None,
        "value_months": value_months,
        "ci_level": ci_level,
        "ci_low": ci_low,
        "ci_high": ci_high,
        # A lower bound without an upper one: the upper bound was not reached/estimable.
        "ci_high_not_reached": int(ci_low is not None and ci_high is None),
        "events": events,
        "comparison": raw["comparison"] or None,
        "flags": "[]",
        "note": note or None,
    }


def _key(row: dict) -> tuple:
    return (row["study"], row["arm"], row["endpoint"], row["measure"], row["pmid"] or "",
            row["year"])


def load_seed(db: sqlite_utils.Database, path: str | os.PathLike[str]) -> int:
    """Load a seed CSV as evidence rows with status 'seed'; returns the number of rows added
    (0 when every row is already there). Raises SeedError, loading nothing, on a bad file."""
    rows = parse_seed(path)
    with transaction(db):
        existing = {
            (r[0], r[1], r[2], r[3], r[4] or "", r[5])
            for r in db.execute(
                "SELECT study, arm, endpoint, measure, pmid, year FROM evidence WHERE status = 'seed'"
            ).fetchall()
        }
        new = []
        for row in rows:
            if _key(row) not in existing:
                existing.add(_key(row))
                new.append({**row, "created_at": now_iso()})
        if new:
            db["evidence"].insert_all(new)
            audit(db, "seed", "load_seed", table_name="evidence", row_key=str(Path(path).name),
                  after={"rows": len(new)},
                  reason=f"{len(new)} of {len(rows)} rows from {json.dumps(str(path))}")
    return len(new)
