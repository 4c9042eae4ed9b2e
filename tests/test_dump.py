"""The plain-text dump is stable (same database → same bytes) and follows the database."""

from __future__ import annotations

import csv

from evidencebot.crawl import upsert_records
from evidencebot.dump import write_dump
from evidencebot.pubmed import parse_pubmed_xml
from evidencebot.store import transaction
from tests.fixtures.make_xml import article, pubmed_xml


def test_dump_is_sorted_stable_and_reflects_changes(db, tmp_path):
    with transaction(db):
        upsert_records(db, parse_pubmed_xml(pubmed_xml(article("20"), article("3"))), 1)
    first = {p.name: p.read_bytes() for p in write_dump(db, tmp_path / "a")}
    again = {p.name: p.read_bytes() for p in write_dump(db, tmp_path / "b")}
    assert first == again
    rows = list(csv.DictReader((tmp_path / "a" / "records.csv").open()))
    assert [r["pmid"] for r in rows] == ["20", "3"]     # text primary key order
    assert "abstract_sections" not in rows[0]
    with transaction(db):
        upsert_records(db, parse_pubmed_xml(pubmed_xml(article("3", title="New title"))), 2)
    changed = {p.name: p.read_bytes() for p in write_dump(db, tmp_path / "c")}
    assert changed["records.csv"] != first["records.csv"]
    assert b"New title" in changed["records.csv"]
