"""`evidencebot run`: crawl → seed (first run) → screen → extract → pool → digest.

Each stage is a library call with its own transactions, so a run that dies part-way leaves a
database the next run completes: crawl resumes from its last completed window, and screen,
extract and pool each pick up whatever is not yet done.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import sqlite_utils

from evidencebot.crawl import CrawlSummary, client_for, crawl, describe
from evidencebot.protocol import Protocol

log = logging.getLogger("evidencebot.pipeline")

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunReport:
    """What one run did, for the one-screen summary and the exit code."""

    crawl: CrawlSummary | None = None
    seeded: int = 0
    screened: dict[str, int] = field(default_factory=dict)
    extracted: dict[str, int] = field(default_factory=dict)
    pool_snapshot: int | None = None
    pool_changes: list[str] = field(default_factory=list)
    digest_files: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    source: str = ""

    @property
    def database_changed(self) -> bool:
        """Did this run change the evidence database? (drives --detailed-exitcode: the cron job
        commits the database whenever it changed, so the next run starts from it)"""
        new_records = bool(self.crawl and (self.crawl.n_new or self.crawl.n_updated))
        return new_records or self.seeded > 0 or bool(self.pool_changes)

    def lines(self) -> list[str]:
        out = [f"source: {self.source}"] if self.source else []
        if self.crawl is not None:
            out.append(describe(self.crawl))
        if self.seeded:
            out.append(f"seed: {self.seeded} baseline evidence rows loaded")
        if self.screened:
            out.append("screen: " + _counts(self.screened))
        if self.extracted:
            out.append("extract: " + _counts(self.extracted))
        if self.pool_snapshot is None:
            out.append("pool: unchanged (no new snapshot)")
        else:
            out.append(f"pool: snapshot {self.pool_snapshot}; {len(self.pool_changes)} change(s)")
            out.extend(f"  - {c}" for c in self.pool_changes[:15])
            if len(self.pool_changes) > 15:
                out.append(f"  … and {len(self.pool_changes) - 15} more")
        for path in self.digest_files:
            out.append(f"digest: {path}")
        return out


def _counts(counts: dict[str, Any]) -> str:
    return ", ".join(f"{v} {k}" for k, v in counts.items())


def _as_counts(outcome: Any) -> dict[str, int]:
    """A stage outcome dataclass as {field: int} for the summary."""
    if outcome is None:
        return {}
    if isinstance(outcome, dict):
        items = outcome.items()
    else:
        items = vars(outcome).items()
    return {k: v for k, v in items if isinstance(v, int) and not isinstance(v, bool)}


def run(
    db: sqlite_utils.Database,
    protocol: Protocol,
    *,
    eutils_url: str,
    api_key: str | None,
    today: date,
    digest_dir: Path | None = None,
    progress: Callable[[str], None] = lambda message: None,
    source: str = "",
) -> RunReport:
    """The whole update. The caller holds the run lock."""
    report = RunReport(source=source)

    def stage(name: str, func: Callable[[], Any]) -> Any:
        progress(f"{name} …")
        started = time.monotonic()
        result = func()
        report.stage_seconds[name] = time.monotonic() - started
        progress(f"{name} done in {report.stage_seconds[name]:.1f}s")
        return result

    client = client_for(protocol, eutils_url, api_key)

    def crawl_progress(summary: CrawlSummary) -> None:
        progress(f"crawl: {summary.n_fetched}/{summary.n_found} fetched, {summary.n_new} new")

    report.crawl = stage("crawl", lambda: crawl(db, client, protocol, today,
                                                on_batch=crawl_progress))

    from evidencebot.seed import DEFAULT_SEED_PATH, load_seed

    has_seed = db.execute("SELECT 1 FROM evidence WHERE status = 'seed' LIMIT 1").fetchone()
    if not has_seed and DEFAULT_SEED_PATH.exists():
        report.seeded = stage("seed", lambda: load_seed(db, DEFAULT_SEED_PATH))

    from evidencebot.screen import stage as screen_stage

    report.screened = _as_counts(stage("screen", lambda: screen_stage.run(db, protocol)))

    from evidencebot.extract import stage as extract_stage

    report.extracted = _as_counts(stage("extract", lambda: extract_stage.run(db, protocol)))

    from evidencebot.pool import stage as pool_stage

    pooled = stage("pool", lambda: pool_stage.run(db, protocol))
    if pooled.created:
        report.pool_snapshot, report.pool_changes = pooled.snapshot_id, list(pooled.changes)

    # A digest when there is news for the committee: a pool snapshot no digest has reported
    # yet (this run's, or one a reviewer's decisions made since), or records newly included
    # or waiting for review. Not every week: new records that were all excluded are not news.
    if digest_dir is not None and (_unreported_snapshot(db) or report.screened.get("included")
                                   or report.screened.get("review")):
        from evidencebot.digest import build as digest_build

        written = stage("digest", lambda: digest_build.write_digest(db, protocol, digest_dir,
                                                                    since_last=True))
        report.digest_files = [str(p) for p in written]
    return report


def _unreported_snapshot(db: sqlite_utils.Database) -> bool:
    newest = db.execute("SELECT max(id) FROM pool_snapshots").fetchone()[0]
    reported = db.execute("SELECT max(snapshot_id) FROM digests WHERE status IN ('written', 'sent')"
                          ).fetchone()[0]
    return newest is not None and newest != reported


def ncbi_reachable(url: str, timeout: float = 8.0) -> bool:
    """Can we open a connection to the E-utilities at all? (Any HTTP answer counts.)"""
    import requests

    try:
        requests.head(url, timeout=timeout, allow_redirects=False)
    except requests.RequestException:
        return False
    return True


DEMO_CORPUS = REPO_ROOT / "corpus" / "sandbox" / "demo.xml"
SANDBOX_DB = Path("db/sandbox.db")


def main_job(
    *,
    db_path: Path,
    protocol: Protocol,
    eutils_url: str | None,
    api_key: str | None,
    today: date,
    digest_dir: Path | None,
    sandbox_if_offline: bool,
    db_is_default: bool,
    progress: Callable[[str], None],
) -> RunReport:
    """`evidencebot run`: pick the E-utilities endpoint, take the lock, run every stage.

    With `sandbox_if_offline` and no explicit endpoint, an unreachable NCBI sends the run
    to an in-process sandbox over the demo corpus, into db/sandbox.db unless --db was
    given, so fictional demo records never mix with a real evidence database.
    """
    from contextlib import ExitStack

    from evidencebot.protocol import NCBI_EUTILS_URL
    from evidencebot.protocol import eutils_url as resolve_url
    from evidencebot.store import open_db, run_lock

    url = resolve_url(eutils_url)
    source = f"E-utilities at {url}"
    with ExitStack() as stack:
        if sandbox_if_offline and eutils_url is None and url == NCBI_EUTILS_URL \
                and not ncbi_reachable(url):
            from evidencebot.sandbox import make_server

            server = make_server([DEMO_CORPUS])
            server.start()
            stack.callback(server.shutdown)
            url = server.url
            if db_is_default:
                db_path = SANDBOX_DB
            source = (f"NCBI is out of reach: running against the local PubMed sandbox at {url} "
                      f"(demo corpus {DEMO_CORPUS.relative_to(REPO_ROOT)}), database {db_path}")
            progress(source)
        stack.enter_context(run_lock(db_path))
        db = open_db(db_path)
        return run(db, protocol, eutils_url=url, api_key=api_key, today=today,
                   digest_dir=digest_dir, progress=progress, source=source)
