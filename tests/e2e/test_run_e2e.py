"""`evidencebot run` as a subprocess against the sandbox: the whole update, twice, with new
records appearing in between; and the README's main job when NCBI is out of reach."""

from __future__ import annotations

import json
import sqlite3

from evidencebot.protocol import load_protocol
from tests.e2e.conftest import REPO, cli, expected_pmids


def count(db, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def test_run_twice_with_new_records_in_between(sandbox, tmp_path):
    db, digests = tmp_path / "e.db", tmp_path / "digest"
    query = load_protocol(REPO / "evidencebot.toml").search.query

    def run(today: str):
        return cli("run", "--db", str(db), "--eutils-url", sandbox.url, "--today", today,
                   "--digest-dir", str(digests), "--detailed-exitcode", timeout=600)

    sandbox.set_today("2021/12/31")
    first = run("2021-12-31")
    assert first.returncode == 2, first.stderr          # ran, and the evidence changed
    before = expected_pmids(sandbox, query, "2021-12-31")
    assert count(db, "SELECT count(*) FROM records") == len(before)
    # Every record screened; seed evidence loaded; included records extracted; a snapshot.
    assert count(db, "SELECT count(*) FROM screening") == len(before)
    assert count(db, "SELECT count(*) FROM evidence WHERE status = 'seed'") > 40
    included = count(db, "SELECT count(*) FROM screening WHERE decision = 'include'")
    assert included > 0
    assert count(db, "SELECT count(DISTINCT pmid) FROM extractions") >= included
    assert count(db, "SELECT count(*) FROM evidence WHERE status = 'machine'") > 0
    assert count(db, "SELECT count(*) FROM pool_snapshots") == 1
    first_digests = sorted(p.name for p in digests.iterdir())
    assert any(n.endswith(".html") for n in first_digests)
    assert any(n.endswith(".md") for n in first_digests)
    assert "screen:" in first.stdout and "pool: snapshot 1" in first.stdout

    again = run("2021-12-31")
    assert again.returncode == 0, again.stderr          # ran, nothing new
    assert count(db, "SELECT count(*) FROM pool_snapshots") == 1
    assert "pool: unchanged" in again.stdout

    sandbox.set_today("2026/11/25")
    later = run("2026-11-25")
    assert later.returncode == 2, later.stderr
    after = expected_pmids(sandbox, query, "2026-11-25")
    new = after - before
    assert new and count(db, "SELECT count(*) FROM records") == len(after)
    assert count(db, "SELECT count(*) FROM screening") == len(after)
    assert count(db, "SELECT count(*) FROM pool_snapshots") == 2
    with sqlite3.connect(db) as conn:
        changes = json.loads(conn.execute(
            "SELECT changes FROM pool_snapshots ORDER BY id DESC LIMIT 1").fetchone()[0])
        newly_included = {r[0] for r in conn.execute(
            "SELECT s.pmid FROM screening s JOIN records r USING (pmid) "
            "WHERE s.decision = 'include' AND r.first_run_id = (SELECT max(id) FROM crawl_runs "
            "WHERE status = 'completed')")}
    assert changes and newly_included
    newest_md = max((p for p in digests.glob("*.md")), key=lambda p: p.stat().st_mtime)
    text = newest_md.read_text()
    # The second digest names what was newly included, and none of what the first one reported.
    assert any(pmid in text for pmid in newly_included)
    assert len(list(digests.glob("*.md"))) == 2


def test_main_job_runs_against_the_sandbox_when_ncbi_is_unreachable(tmp_path):
    # A dead proxy makes NCBI unreachable whatever the network; loopback stays direct.
    env = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9",
           "NO_PROXY": "127.0.0.1,localhost", "EVIDENCEBOT_DB": None,
           "EVIDENCEBOT_EUTILS_URL": None}
    result = cli("run", "--sandbox-if-offline", "--digest-dir", str(tmp_path / "digest"),
                 "--db", str(tmp_path / "sandbox.db"), env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "NCBI is out of reach: running against the local PubMed sandbox" in result.stderr
    assert count(tmp_path / "sandbox.db", "SELECT count(*) FROM records") > 60
