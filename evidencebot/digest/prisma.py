"""PRISMA 2020 flow counts for a period (or the whole review), and the search log (PRISMA-S).

Definitions (each a query below, one number per PRISMA 2020 box):
  searches            completed crawl runs started in the period
  identified          records retrieved by those runs (crawl_runs.n_fetched; a record fetched
                      again by an overlapping window counts again, as PubMed returned it)
  identified_other    studies first added from the seed evidence table in the period
  duplicates_removed  identified - records first stored in the period (records already in the
                      database, or fetched twice)
  screened            records first stored in the period that have a screening decision
  not_screened        records first stored in the period without one (screen not yet run)
  excluded            screening decision 'exclude', with excluded_by_reason (screening.reason)
  awaiting_review     screening decision 'review' (the model was unsure; a person decides)
  reports_assessed    screening decision 'include'
  reports_no_data     included records with no active evidence row (nothing extractable)
  reports_retracted   included records since retracted (their rows leave the pool)
  reports_included    included records with active evidence rows, not retracted
  studies_included    studies in the current pool snapshot (primary analysis inputs)
  studies_new, studies_previous, studies_removed   against the previous digest's snapshot

A record "is in the period" when the crawl run that first stored it started in the period
(records without a run, e.g. loaded by hand, by their updated_at).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import sqlite_utils


@dataclass
class PrismaCounts:
    searches: int = 0
    identified: int = 0
    identified_other: int = 0
    duplicates_removed: int = 0
    screened: int = 0
    not_screened: int = 0
    excluded: int = 0
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    awaiting_review: int = 0
    reports_assessed: int = 0
    reports_no_data: int = 0
    reports_retracted: int = 0
    reports_included: int = 0
    studies_included: int = 0
    studies_new: int = 0
    studies_previous: int = 0
    studies_removed: int = 0

    def as_dict(self) -> dict:
        return asdict(self)


def _between(column: str, start: str | None, end: str) -> tuple[str, list]:
    if start is None:
        return f"{column} < ?", [end]
    return f"{column} >= ? AND {column} < ?", [start, end]


def period_records_sql(start: str | None, end: str) -> tuple[str, list]:
    """SQL selecting the pmids of records first stored in [start, end)."""
    cond, params = _between("COALESCE(c.started_at, r.updated_at)", start, end)
    return (f"SELECT r.pmid FROM records r LEFT JOIN crawl_runs c ON c.id = r.first_run_id "
            f"WHERE {cond}", params)


def count(
    db: sqlite_utils.Database, start: str | None, end: str, *,
    studies_now: set[str], studies_before: set[str],
) -> PrismaCounts:
    """The PRISMA 2020 numbers for records first stored in [start, end) (start None: all)."""
    c = PrismaCounts()
    cond, params = _between("started_at", start, end)
    c.searches, c.identified = db.execute(
        f"SELECT count(*), COALESCE(sum(n_fetched), 0) FROM crawl_runs "
        f"WHERE status = 'completed' AND {cond}", params).fetchone()
    cond, params = _between("created_at", start, end)
    c.identified_other = db.execute(
        f"SELECT count(DISTINCT study) FROM evidence WHERE status = 'seed' AND {cond}",
        params).fetchone()[0]
    sub, params = period_records_sql(start, end)
    n_records = db.execute(f"SELECT count(*) FROM ({sub})", params).fetchone()[0]
    c.duplicates_removed = max(0, c.identified - n_records)
    rows = db.execute(
        f"""SELECT s.decision, s.reason, r.retracted,
                   EXISTS (SELECT 1 FROM evidence e WHERE e.pmid = r.pmid AND e.active = 1)
            FROM records r LEFT JOIN screening s ON s.pmid = r.pmid
            WHERE r.pmid IN ({sub})""", params).fetchall()
    for decision, reason, retracted, has_evidence in rows:
        if decision is None:
            c.not_screened += 1
            continue
        c.screened += 1
        if decision == "exclude":
            c.excluded += 1
            key = reason or "no reason recorded"
            c.excluded_by_reason[key] = c.excluded_by_reason.get(key, 0) + 1
        elif decision == "review":
            c.awaiting_review += 1
        else:
            c.reports_assessed += 1
            if retracted:
                c.reports_retracted += 1
            elif has_evidence:
                c.reports_included += 1
            else:
                c.reports_no_data += 1
    c.studies_included = len(studies_now)
    c.studies_new = len(studies_now - studies_before)
    c.studies_previous = len(studies_before)
    c.studies_removed = len(studies_before - studies_now)
    return c


def search_log(db: sqlite_utils.Database, start: str | None, end: str) -> list[dict]:
    """Every crawl run started in [start, end) with its leaf date windows (PRISMA-S items 8,
    9 and 13: the exact query, the database and interface, the date of search and limits)."""
    cond, params = _between("started_at", start, end)
    runs = list(db.query(f"SELECT * FROM crawl_runs WHERE {cond} ORDER BY started_at, id", params))
    for run in runs:
        run["windows"] = list(db.query(
            "SELECT mindate, maxdate, count, n_stored, status FROM crawl_windows WHERE run_id = ? "
            "ORDER BY mindate, maxdate", [run["id"]]))
    return runs


def missed_schedule(db: sqlite_utils.Database, max_gap_days: float = 8.0) -> dict | None:
    """The last two completed crawl runs, when more than `max_gap_days` apart (else None)."""
    rows = db.execute(
        "SELECT id, started_at, finished_at FROM crawl_runs WHERE status = 'completed' "
        "ORDER BY COALESCE(finished_at, started_at) DESC, id DESC LIMIT 2").fetchall()
    if len(rows) < 2:
        return None
    from datetime import datetime

    def when(row) -> datetime:
        return datetime.fromisoformat((row[2] or row[1]).replace("Z", "+00:00"))

    gap = (when(rows[0]) - when(rows[1])).total_seconds() / 86400
    if gap <= max_gap_days:
        return None
    return {"gap_days": round(gap, 1), "previous_run": rows[1][0], "previous_at": rows[1][2] or rows[1][1],
            "last_run": rows[0][0], "last_at": rows[0][2] or rows[0][1], "max_gap_days": max_gap_days}
