"""The crawl acceptance checks, through real HTTP to the sandbox and the real CLI."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from evidencebot.protocol import load_protocol
from tests.e2e.conftest import API_KEY, REPO, cli, expected_pmids, small_batch_protocol


def pmids(db_path) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return [r[0] for r in conn.execute("SELECT pmid FROM records ORDER BY pmid")]


def test_crawl_stores_each_record_once_then_nothing_then_only_new(sandbox, tmp_path):
    db = tmp_path / "e.db"
    protocol = load_protocol(REPO / "evidencebot.toml")
    sandbox.set_today("2022/12/31")
    first = cli("crawl", "--db", str(db), "--eutils-url", sandbox.url, "--today", "2022-12-31")
    assert first.returncode == 0, first.stderr
    expected_2022 = expected_pmids(sandbox, protocol.search.query, "2022-12-31")
    assert 40 < len(expected_2022) < 200
    assert pmids(db) == sorted(expected_2022)          # every record, once

    again = cli("crawl", "--db", str(db), "--eutils-url", sandbox.url, "--today", "2022-12-31")
    assert again.returncode == 0, again.stderr
    assert " 0 new" in again.stdout and " 0 updated" in again.stdout
    assert pmids(db) == sorted(expected_2022)

    sandbox.set_today("2026/11/25")
    sandbox.reset_stats()
    later = cli("crawl", "--db", str(db), "--eutils-url", sandbox.url, "--today", "2026-11-25")
    assert later.returncode == 0, later.stderr
    expected_all = expected_pmids(sandbox, protocol.search.query, "2026-11-25")
    new = expected_all - expected_2022
    assert new and f" {len(new)} new" in later.stdout
    assert pmids(db) == sorted(expected_all)
    with sqlite3.connect(db) as conn:
        # The second window started a week before the end of the first (the overlap) …
        runs = conn.execute("SELECT mindate, maxdate, status FROM crawl_runs ORDER BY id").fetchall()
        assert runs[-1] == ("2022/12/24", "2026/11/25", "completed")
        # … and fetched only that window, not the whole history again.
        fetched = conn.execute("SELECT n_fetched FROM crawl_runs ORDER BY id DESC").fetchone()[0]
    assert fetched < len(expected_all)


def test_rate_limited_then_ok_is_retried(sandbox, tmp_path):
    sandbox.set_today("2019/12/31")
    sandbox.script_faults([429, 503, 200])
    result = cli("crawl", "--db", str(tmp_path / "e.db"), "--eutils-url", sandbox.url,
                 "--today", "2019-12-31")
    assert result.returncode == 0, result.stderr
    assert "HTTP 429" in result.stderr or result.stderr == ""   # logged as a retry, if at all
    assert pmids(tmp_path / "e.db")


def test_always_failing_sandbox_fails_clearly_with_nothing_half_written(sandbox, tmp_path):
    db = tmp_path / "e.db"
    sandbox.set_today("2026/11/25")
    # Let the search through, then make every efetch fail.
    sandbox.script_faults([200] + [503] * 50)
    protocol_path = small_batch_protocol(tmp_path, batch_size=25, max_attempts=3)
    result = cli("crawl", "--db", str(db), "--protocol", str(protocol_path), "--eutils-url",
                 sandbox.url, "--today", "2026-11-25")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1].startswith(
        "Error: efetch.fcgi at http://127.0.0.1:")
    assert "failed after 3 attempts; last problem: HTTP 503 server error" in result.stderr
    assert "Traceback" not in result.stderr
    assert pmids(db) == []
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM crawl_runs").fetchall() == [("failed",)]
        assert conn.execute("SELECT count(*) FROM crawl_windows WHERE status='completed'").fetchone() == (0,)


def test_kill_minus_9_mid_crawl_then_rerun_gives_the_uninterrupted_result(sandbox, tmp_path):
    protocol_path = small_batch_protocol(tmp_path, batch_size=10)
    sandbox.set_today("2026/11/25")
    reference_db = tmp_path / "reference.db"
    done = cli("crawl", "--db", str(reference_db), "--protocol", str(protocol_path),
               "--eutils-url", sandbox.url, "--today", "2026-11-25")
    assert done.returncode == 0, done.stderr

    sandbox.set_faults(delay=0.15)     # slow enough to be killed between batches
    db = tmp_path / "killed.db"
    args = [sys.executable, "-m", "evidencebot", "crawl", "--db", str(db), "--protocol",
            str(protocol_path), "--eutils-url", sandbox.url, "--today", "2026-11-25"]
    proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db) as conn:
                stored = conn.execute("SELECT count(*) FROM records").fetchone()[0]
        except sqlite3.OperationalError:
            stored = 0
        if stored >= 30:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the crawl finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < len(pmids(db)) < len(pmids(reference_db))

    sandbox.set_faults(delay=0.0)
    rerun = cli("crawl", "--db", str(db), "--protocol", str(protocol_path), "--eutils-url",
                sandbox.url, "--today", "2026-11-25")
    assert rerun.returncode == 0, rerun.stderr
    assert pmids(db) == pmids(reference_db)
    with sqlite3.connect(db) as conn, sqlite3.connect(reference_db) as ref:
        query = "SELECT pmid, content_hash, revision FROM records ORDER BY pmid"
        assert conn.execute(query).fetchall() == ref.execute(query).fetchall()
        statuses = [r[0] for r in conn.execute("SELECT status FROM crawl_runs ORDER BY id")]
    assert statuses == ["failed", "completed"]   # the killed run is marked, not left 'running'


def test_second_concurrent_run_is_refused(sandbox, tmp_path):
    from evidencebot.store import run_lock

    db = tmp_path / "e.db"
    with run_lock(db):
        result = cli("crawl", "--db", str(db), "--eutils-url", sandbox.url)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: another evidencebot run is using")


def test_window_at_the_id_cap_is_split_and_nothing_is_lost(tmp_path):
    from evidencebot.sandbox import SandboxConfig, make_server

    protocol_path = small_batch_protocol(tmp_path, batch_size=40, max_ids=50)
    with make_server([REPO / "corpus" / "sandbox" / "demo.xml"],
                     config=SandboxConfig(rate_limit=0, max_ids=50)) as server:
        server.start()
        result = cli("crawl", "--db", str(tmp_path / "e.db"), "--protocol", str(protocol_path),
                     "--eutils-url", server.url, "--today", "2026-11-25")
        assert result.returncode == 0, result.stderr
        server.set_faults(max_ids=9999)   # lift the cap to count what the crawl should have found
        expected = expected_pmids(server, load_protocol(protocol_path).search.query, "2026-11-25")
    assert len(expected) > 50
    assert pmids(tmp_path / "e.db") == sorted(expected)
    with sqlite3.connect(tmp_path / "e.db") as conn:
        windows = conn.execute("SELECT count, status FROM crawl_windows").fetchall()
    assert len(windows) > 1 and all(c < 50 and s == "completed" for c, s in windows)


def test_api_key_never_appears_in_output_urls_or_database(sandbox, tmp_path):
    db = tmp_path / "e.db"
    sandbox.set_today("2018/12/31")
    sandbox.script_faults([503, 200])
    result = cli("crawl", "--db", str(db), "--eutils-url", sandbox.url, "--today", "2018-12-31",
                 env={"NCBI_API_KEY": API_KEY})
    assert result.returncode == 0, result.stderr
    assert API_KEY not in result.stdout + result.stderr
    stats = sandbox.stats()
    assert stats["api_key"]["in_url"] == 0 and stats["api_key"]["in_body"] > 0
    dump = "\n".join(sqlite3.connect(db).iterdump())
    assert API_KEY not in dump
