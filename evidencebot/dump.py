"""A plain-text dump of the evidence database, so every change to the evidence is a reviewable diff.

The cron job commits `db/evidence.db` together with this dump; a pull request then shows, line by
line, which records, decisions, numbers and pooled estimates changed.
"""

from __future__ import annotations

import csv
from pathlib import Path

import sqlite_utils

# table → ORDER BY; every table a maintainer may want to review, in a stable order.
DUMPED_TABLES = {
    "records": "pmid",
    "screening": "pmid",
    "evidence": "id",
    "study_links": "rowid",
    "pool_snapshots": "id",
    "pool_results": "rowid",
    "crawl_runs": "id",
    "audit": "id",
}
# Columns too large or too volatile to diff usefully.
SKIPPED_COLUMNS = {"records": {"abstract_sections"}}


def write_dump(db: sqlite_utils.Database, out_dir: Path) -> list[Path]:
    """One CSV per table, rows in primary-key order, columns in schema order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    existing = set(db.table_names())
    for table, order in DUMPED_TABLES.items():
        if table not in existing:
            continue
        columns = [c.name for c in db[table].columns if c.name not in SKIPPED_COLUMNS.get(table, set())]
        path = out_dir / f"{table}.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            quoted = ", ".join(f'"{c}"' for c in columns)
            writer.writerows(db.execute(f'SELECT {quoted} FROM "{table}" ORDER BY {order}'))
        written.append(path)
    return written
