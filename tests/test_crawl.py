"""Crawl logic without HTTP: windows, resume point, upserts and revisions."""

from __future__ import annotations

import json
from datetime import date

from evidencebot.crawl import Window, mark_abandoned_runs, next_window, upsert_records
from evidencebot.pubmed import parse_pubmed_xml
from evidencebot.store import transaction
from tests.fixtures.make_xml import article, pubmed_xml


def records(*entries):
    return parse_pubmed_xml(pubmed_xml(*entries))


def test_window_split_covers_every_day_exactly_once():
    for days in range(2, 40):
        window = Window(date(2020, 1, 1), date.fromordinal(date(2020, 1, 1).toordinal() + days - 1))
        left, right = window.split()
        assert left.mindate == window.mindate and right.maxdate == window.maxdate
        assert left.maxdate.toordinal() + 1 == right.mindate.toordinal()
        assert left.days + right.days == window.days and min(left.days, right.days) >= 1


def test_first_window_starts_at_protocol_start_then_resumes_with_overlap(db, protocol):
    first = next_window(db, protocol, date(2026, 11, 25))
    assert first == Window(date(2000, 1, 1), date(2026, 11, 25))
    run_id = db["crawl_runs"].insert({"started_at": "t", "status": "completed", "eutils_url": "u",
                                      "query": protocol.search.query, "mindate": "2000/01/01",
                                      "maxdate": "2026/11/25"}).last_pk
    db["crawl_windows"].insert({"run_id": run_id, "mindate": "2000/01/01", "maxdate": "2020/06/30",
                                "count": 3, "status": "completed"})
    db["crawl_windows"].insert({"run_id": run_id, "mindate": "2020/07/01", "maxdate": "2026/11/25",
                                "count": 3, "status": "failed"})
    # Resumes after the last *completed* window, re-reading the overlap.
    assert next_window(db, protocol, date(2026, 11, 25)) == Window(date(2020, 6, 23),
                                                                   date(2026, 11, 25))


def test_a_changed_query_starts_a_new_backfill(db, protocol):
    run_id = db["crawl_runs"].insert({"started_at": "t", "status": "completed", "eutils_url": "u",
                                      "query": "an older query", "mindate": "2000/01/01",
                                      "maxdate": "2026/11/25"}).last_pk
    db["crawl_windows"].insert({"run_id": run_id, "mindate": "2000/01/01", "maxdate": "2026/11/25",
                                "count": 3, "status": "completed"})
    assert next_window(db, protocol, date(2026, 11, 25)).mindate == date(2000, 1, 1)


def test_upsert_new_unchanged_and_revised_keeps_the_earlier_version(db):
    with transaction(db):
        counts = upsert_records(db, records(article("1"), article("2"), article("1")), run_id=1)
    assert counts == {"new": ["1", "2"], "unchanged": [], "updated": []}
    with transaction(db):
        counts = upsert_records(db, records(article("1"), article("2", title="Corrected title")), 2)
    assert counts == {"new": [], "unchanged": ["1"], "updated": ["2"]}
    row = db["records"].get("2")
    assert row["title"] == "Corrected title" and row["revision"] == 2 and row["last_run_id"] == 2
    [old] = list(db["record_versions"].rows)
    assert old["revision"] == 1 and json.loads(old["data"])["title"].startswith("A phase II trial")
    [trail] = list(db["audit"].rows)
    assert trail["action"] == "record_revised" and "title" in trail["reason"]


def test_abandoned_runs_are_marked_failed(db):
    db["crawl_runs"].insert({"started_at": "t", "status": "running", "eutils_url": "u", "query": "q",
                             "mindate": "a", "maxdate": "b"})
    assert mark_abandoned_runs(db) == 1
    assert db["crawl_runs"].get(1)["status"] == "failed"
