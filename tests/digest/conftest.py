"""A review database built step by step, as the pipeline would leave it: seed rows, crawl
runs with screened records, machine and verified evidence rows, pool snapshots."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from evidencebot.pool import stage as pool_stage
from evidencebot.seed import load_seed
from evidencebot.store import now_iso

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts" / "digest"
SCRIPT_TITLE = 'Zanidatamab <script>alert("x")</script> & HER2 | biliary *cancer* @team'


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def no_smtp(monkeypatch):
    for name in list(os.environ):
        if name.startswith("EVIDENCEBOT_SMTP_"):
            monkeypatch.delenv(name)


def crawl_run(db, *, n_fetched: int, n_new: int, query: str = "q", status: str = "completed",
              started_at: str | None = None, finished_at: str | None = None,
              window: tuple[str, str] = ("2026/01/01", "2026/01/08")) -> int:
    started = started_at or now_iso()
    run_id = db["crawl_runs"].insert({
        "started_at": started, "finished_at": finished_at or started, "status": status,
        "eutils_url": "http://127.0.0.1:8765/", "query": query, "mindate": window[0],
        "maxdate": window[1], "n_found": n_fetched, "n_fetched": n_fetched, "n_new": n_new,
        "n_updated": 0, "n_unchanged": n_fetched - n_new, "n_requests": 3,
    }).last_pk
    db["crawl_windows"].insert({"run_id": run_id, "mindate": window[0], "maxdate": window[1],
                                "count": n_fetched, "n_stored": n_fetched, "status": status,
                                "completed_at": finished_at or started})
    return run_id


def record(db, pmid: str, run_id: int, *, title: str = "A trial", decision: str | None = None,
           reason: str | None = None, retracted: int = 0, probability: float = 0.5) -> None:
    db["records"].upsert({"pmid": pmid, "content_hash": pmid, "title": title,
                          "journal": "J Test Oncol", "pub_year": 2026, "updated_at": now_iso(),
                          "retracted": retracted, "first_run_id": run_id, "last_run_id": run_id},
                         pk="pmid")
    if decision:
        db["screening"].upsert({"pmid": pmid, "decision": decision, "probability": probability,
                                "reason": reason, "decided_by": "model:test",
                                "decided_at": now_iso()}, pk="pmid")


def evidence(db, **kw) -> int:
    row = {"status": "machine", "source": "extract:test", "year": 2026, "n": 60,
           "endpoint": "OS", "measure": "median", "unit": "months", "ci_level": 0.95,
           "created_at": now_iso(), "flags": json.dumps([]), **kw}
    row.setdefault("value_months", row.get("value"))
    return db["evidence"].insert(row).last_pk


def period_one(db, protocol) -> None:
    """Seed + first crawl: one new machine-extracted study (NCT11111111, FOLFOX OS median)."""
    load_seed(db, REPO / "db" / "seed_outcomes.csv")
    run = crawl_run(db, n_fetched=3, n_new=3)
    record(db, "40000001", run, title="mFOLFOX after gemcitabine-cisplatin", decision="include",
           probability=0.9)
    record(db, "40000002", run, title="First-line trial", decision="exclude", reason="first-line",
           probability=0.05)
    record(db, "40000003", run, title="Unclear cohort", decision="review", probability=0.4)
    evidence(db, pmid="40000001", study="NCT11111111", arm="mFOLFOX", regimen="FOLFOX",
             value=6.5, ci_low=5.0, ci_high=8.4, n=50)
    pool_stage.run(db, protocol)


def period_two(db, protocol) -> None:
    """Second crawl: two new studies (one machine, one verified, the latter with a title that
    tries to inject a script), an exclusion, a record to review, and TreeTopp retracted."""
    run = crawl_run(db, n_fetched=7, n_new=5, window=("2026/01/02", "2026/01/15"))
    record(db, "40000010", run, title="Pembrolizumab in pretreated BTC", decision="include",
           probability=0.95)
    record(db, "40000011", run, title=SCRIPT_TITLE, decision="include", probability=0.97)
    record(db, "40000012", run, title="First-line again", decision="exclude", reason="first-line",
           probability=0.02)
    record(db, "40000013", run, title="Maybe second-line", decision="review", probability=0.55)
    record(db, "34922298", run, title="TreeTopp: varlitinib plus capecitabine",
           decision="exclude", reason="retracted", retracted=1)
    evidence(db, pmid="40000010", study="NCT22222222", arm="pembrolizumab",
             regimen="pembrolizumab", value=9.0, ci_low=7.0, ci_high=11.5, n=60)
    evidence(db, pmid="40000011", study="ZANI-1", arm="zanidatamab", regimen="zanidatamab",
             value=25.0, ci_low=20.0, ci_high=31.0, n=80, status="verified",
             source="review:alice")
    pool_stage.run(db, protocol)
