"""Incremental PubMed crawl: date windows → esearch → efetch batches → records table.

Guarantees, each tested:
- windows are searched oldest first and a window is marked completed in the same
  transaction as its last batch, so the completed windows always form a contiguous prefix
  and the next run resumes from the last completed one (minus an overlap);
- a window at PubMed's 9,999-id cap is split in two by date, recursively;
- a batch is parsed whole before any of it is written, and written in one transaction;
- records are upserted by PMID; a changed record keeps its earlier content in
  record_versions.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlite_utils

from evidencebot.entrez import EntrezClient, RetryPolicy
from evidencebot.errors import EntrezError, ProtocolError, PubmedParseError
from evidencebot.protocol import Protocol
from evidencebot.pubmed import PubmedRecord, parse_pubmed_xml
from evidencebot.redact import redact
from evidencebot.store import audit, now_iso, transaction

log = logging.getLogger("evidencebot.crawl")

PARSE_ATTEMPTS = 3      # a batch whose XML does not parse is fetched again this many times


@dataclass(frozen=True)
class Window:
    mindate: date
    maxdate: date

    @property
    def days(self) -> int:
        return (self.maxdate - self.mindate).days + 1

    def split(self) -> tuple[Window, Window]:
        middle = self.mindate + timedelta(days=self.days // 2 - 1)
        return Window(self.mindate, middle), Window(middle + timedelta(days=1), self.maxdate)

    def __str__(self) -> str:
        return f"{pubmed_date(self.mindate)}-{pubmed_date(self.maxdate)}"


@dataclass
class CrawlSummary:
    run_id: int | None
    window: Window | None
    n_found: int = 0
    n_fetched: int = 0
    n_new: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_windows: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    new_pmids: list[str] = field(default_factory=list)

    @property
    def n_requests(self) -> int:
        return sum(self.requests.values())


def pubmed_date(d: date) -> str:
    return d.strftime("%Y/%m/%d")


def parse_pubmed_date(text: str) -> date:
    return datetime.strptime(text, "%Y/%m/%d").date()


def next_window(db: sqlite_utils.Database, protocol: Protocol, today: date) -> Window | None:
    """From the end of the last completed window of this query (minus the overlap) to today."""
    row = db.execute(
        """SELECT max(w.maxdate) FROM crawl_windows w JOIN crawl_runs r ON r.id = w.run_id
           WHERE w.status = 'completed' AND r.query = ?""",
        [protocol.search.query],
    ).fetchone()
    if row and row[0]:
        start = parse_pubmed_date(row[0]) - timedelta(days=protocol.search.overlap_days)
    else:
        start = parse_pubmed_date(protocol.search.start_date)
    return Window(start, today) if start <= today else None


def mark_abandoned_runs(db: sqlite_utils.Database) -> int:
    """Runs left 'running' by a crash (we hold the lock, so none is alive) become 'failed'."""
    with transaction(db):
        cursor = db.execute(
            "UPDATE crawl_runs SET status = 'failed', finished_at = ?, "
            "error = 'interrupted: the process stopped before the run finished' "
            "WHERE status = 'running'",
            [now_iso()],
        )
        db.execute("UPDATE crawl_windows SET status = 'failed' WHERE status = 'running'")
    return cursor.rowcount


def crawl(
    db: sqlite_utils.Database,
    client: EntrezClient,
    protocol: Protocol,
    today: date,
    *,
    on_batch: Callable[[CrawlSummary], None] | None = None,
) -> CrawlSummary:
    """Fetch everything PubMed added since the last completed window. The caller holds the run lock."""
    started = time.monotonic()
    mark_abandoned_runs(db)
    window = next_window(db, protocol, today)
    summary = CrawlSummary(run_id=None, window=window)
    if window is None:
        return summary
    with transaction(db):
        summary.run_id = db["crawl_runs"].insert(
            {
                "started_at": now_iso(),
                "status": "running",
                "eutils_url": redact(client.base_url),
                "query": protocol.search.query,
                "mindate": pubmed_date(window.mindate),
                "maxdate": pubmed_date(window.maxdate),
            }
        ).last_pk
    try:
        _crawl_window(db, client, protocol, window, summary, protocol.search.max_ids, on_batch)
    except BaseException as exc:
        _finish_run(db, summary, started, client, status="failed", error=redact(str(exc)))
        raise
    _finish_run(db, summary, started, client, status="completed")
    return summary


def _crawl_window(db: sqlite_utils.Database, client: EntrezClient, protocol: Protocol,
                  window: Window, summary: CrawlSummary, max_ids: int,
                  on_batch: Callable[[CrawlSummary], None] | None) -> None:
    """Search one window; split it at the id cap, else fetch and store it batch by batch."""
    result = client.esearch(
        protocol.search.query,
        mindate=pubmed_date(window.mindate),
        maxdate=pubmed_date(window.maxdate),
    )
    if result.count >= max_ids:
        if window.days == 1:
            raise EntrezError(
                f"PubMed lists {result.count} records for the single day {window.mindate}, above its "
                f"{max_ids}-id limit; narrow the search query in the protocol"
            )
        left, right = window.split()
        log.info("window %s has %d records (cap %d): splitting into %s and %s",
                 window, result.count, max_ids, left, right)
        _crawl_window(db, client, protocol, left, summary, max_ids, on_batch)
        _crawl_window(db, client, protocol, right, summary, max_ids, on_batch)
        return

    summary.n_found += result.count
    summary.n_windows += 1
    window_key = [summary.run_id, pubmed_date(window.mindate), pubmed_date(window.maxdate)]
    with transaction(db):
        db["crawl_windows"].insert(
            dict(zip(("run_id", "mindate", "maxdate"), window_key, strict=True),
                 count=result.count, status="running")
        )
    batch_size = protocol.search.batch_size
    starts = list(range(0, result.count, batch_size)) or [None]
    for retstart in starts:
        records = [] if retstart is None else _fetch_batch(client, result.webenv, result.query_key,
                                                           retstart, batch_size)
        last = retstart is None or retstart + batch_size >= result.count
        with transaction(db):
            counts = upsert_records(db, records, summary.run_id)
            db.execute(
                "UPDATE crawl_windows SET n_stored = n_stored + ? WHERE run_id = ? AND mindate = ? "
                "AND maxdate = ?",
                [len(records), *window_key],
            )
            if last:
                db.execute(
                    "UPDATE crawl_windows SET status = 'completed', completed_at = ? WHERE run_id = ? "
                    "AND mindate = ? AND maxdate = ?",
                    [now_iso(), *window_key],
                )
        summary.n_fetched += len(records)
        summary.n_new += len(counts["new"])
        summary.n_updated += len(counts["updated"])
        summary.n_unchanged += len(counts["unchanged"])
        summary.new_pmids.extend(counts["new"])
        summary.requests = dict(client.requests_made)
        if on_batch:
            on_batch(summary)


def _fetch_batch(client: EntrezClient, webenv: str, query_key: str, retstart: int,
                 retmax: int) -> list[PubmedRecord]:
    problem: PubmedParseError | None = None
    for attempt in range(1, PARSE_ATTEMPTS + 1):
        xml = client.efetch(webenv=webenv, query_key=query_key, retstart=retstart, retmax=retmax)
        try:
            return parse_pubmed_xml(xml)
        except PubmedParseError as exc:
            problem = exc
            log.warning("batch at %d did not parse (attempt %d/%d): %s", retstart, attempt,
                        PARSE_ATTEMPTS, exc)
    raise EntrezError(f"efetch batch at offset {retstart} never parsed: {problem}")


def upsert_records(db: sqlite_utils.Database, records: list[PubmedRecord],
                   run_id: int | None) -> dict[str, list[str]]:
    """Insert new records, revise changed ones (keeping the old content), touch unchanged ones.

    Runs inside the caller's transaction.
    """
    counts: dict[str, list[str]] = {"new": [], "updated": [], "unchanged": []}
    unique = list({r.pmid: r for r in records}.values())   # PubMed can repeat a PMID across pages
    existing = _existing_rows(db, [r.pmid for r in unique])
    now = now_iso()
    new_rows = []
    for record in unique:
        row = record.to_row()
        old = existing.get(record.pmid)
        if old is None:
            new_rows.append(dict(row, revision=1, first_run_id=run_id, last_run_id=run_id,
                                 updated_at=now))
            counts["new"].append(record.pmid)
        elif old["content_hash"] == row["content_hash"]:
            counts["unchanged"].append(record.pmid)
        else:
            _revise(db, old, row, run_id, now)
            counts["updated"].append(record.pmid)
    if new_rows:
        columns = list(new_rows[0])
        db.conn.executemany(
            f"INSERT INTO records ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [[row[c] for c in columns] for row in new_rows],
        )
    if counts["unchanged"]:
        db.conn.executemany("UPDATE records SET last_run_id = ? WHERE pmid = ?",
                            [(run_id, pmid) for pmid in counts["unchanged"]])
    return counts


def _existing_rows(db: sqlite_utils.Database, pmids: list[str]) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for start in range(0, len(pmids), 500):   # stay under SQLite's bound-parameter limit
        chunk = pmids[start:start + 500]
        found.update({row["pmid"]: row for row in db.query(
            f"SELECT * FROM records WHERE pmid IN ({', '.join('?' * len(chunk))})", chunk)})
    return found


def _revise(db: sqlite_utils.Database, old: dict, row: dict, run_id: int | None, now: str) -> None:
    """Keep the old content in record_versions, store the new one, and say what changed."""
    pmid = row["pmid"]
    db["record_versions"].insert(
        {"pmid": pmid, "revision": old["revision"], "content_hash": old["content_hash"],
         "data": json.dumps(old, sort_keys=True), "superseded_at": now}
    )
    db["records"].update(pmid, dict(row, revision=old["revision"] + 1, last_run_id=run_id,
                                    updated_at=now))
    changed = sorted(k for k in row if row[k] != old.get(k) and k != "content_hash")
    audit(db, "crawl", "record_revised", table_name="records", row_key=pmid,
          before={k: old.get(k) for k in changed}, after={k: row[k] for k in changed},
          reason=f"PubMed changed {', '.join(changed)}")


def _finish_run(db: sqlite_utils.Database, summary: CrawlSummary, started: float,
                client: EntrezClient, *, status: str, error: str | None = None) -> None:
    summary.seconds = time.monotonic() - started
    summary.requests = dict(client.requests_made)
    with transaction(db):
        db["crawl_runs"].update(
            summary.run_id,
            {
                "status": status,
                "finished_at": now_iso(),
                "n_found": summary.n_found,
                "n_fetched": summary.n_fetched,
                "n_new": summary.n_new,
                "n_updated": summary.n_updated,
                "n_unchanged": summary.n_unchanged,
                "n_requests": summary.n_requests,
                "error": error,
            },
        )


def client_for(protocol: Protocol, base_url: str, api_key: str | None) -> EntrezClient:
    """The E-utilities client a run uses, identified as the protocol says."""
    return EntrezClient(base_url, email=protocol.search.email, tool=protocol.search.tool,
                        api_key=api_key, retry=RetryPolicy(max_attempts=protocol.search.max_attempts))


def today_from(text: str | None) -> date:
    """--today / $EVIDENCEBOT_TODAY (YYYY-MM-DD or YYYY/MM/DD), else today's local date."""
    if not text:
        return datetime.now().astimezone().date()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ProtocolError(f"today = {text!r}: use YYYY-MM-DD")


def describe(summary: CrawlSummary) -> str:
    """One line for the terminal and the log."""
    if summary.window is None:
        return "crawl: nothing to do (the last completed window already reaches today)"
    return (
        f"crawl {summary.window}: {summary.n_found} found in {summary.n_windows} window(s), "
        f"{summary.n_fetched} fetched, {summary.n_new} new, {summary.n_updated} updated, "
        f"{summary.n_unchanged} unchanged; {summary.n_requests} requests in {summary.seconds:.1f}s"
    )
