"""The extraction stage: machine rows replaced per record, verified rows never touched."""

from __future__ import annotations

import json

from evidencebot.extract import extractor_version, stage
from evidencebot.store import now_iso

ABSTRACT = (
    "METHODS: Patients were randomised to nal-IRI plus 5-FU/LV or 5-FU/LV alone.\n"
    "RESULTS: Median PFS was 7.1 vs 1.4 months (HR 0.56, 95% CI 0.39–0.81; P = .002). "
    "Median OS was 8.6 months (95% CI 5.4–10.5) with nal-IRI plus 5-FU/LV and 5.3 months "
    "(95% CI 4.7–7.2) with 5-FU/LV alone."
)


def add_record(db, pmid, abstract=ABSTRACT, decision="include", content_hash="h1", retracted=0):
    db["records"].upsert(
        {
            "pmid": pmid,
            "content_hash": content_hash,
            "title": "A trial",
            "abstract": abstract,
            "registry_ids": json.dumps(["NCT03524508"]),
            "retracted": retracted,
            "updated_at": now_iso(),
        },
        pk="pmid",
    )
    db["screening"].upsert(
        {
            "pmid": pmid,
            "decision": decision,
            "decided_by": "model:test",
            "decided_at": now_iso(),
            "content_hash": content_hash,
        },
        pk="pmid",
    )


def rows(db, pmid, **where):
    sql = "SELECT * FROM evidence WHERE pmid = ?" + "".join(f" AND {k} = ?" for k in where)
    cur = db.execute(sql, [pmid, *where.values()])
    cols = [c[0] for c in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def test_extracts_included_and_review_records_once(db, protocol):
    add_record(db, "1")
    add_record(db, "2", decision="review")
    add_record(db, "3", decision="exclude")
    out = stage.run(db, protocol)
    assert out.extracted == 2 and sorted(out.pmids) == ["1", "2"]
    ev = rows(db, "1", active=1)
    medians = sorted((r["endpoint"], r["regimen"], r["value"]) for r in ev if r["measure"] == "median")
    assert medians == [
        ("OS", "5-FU/LV", 5.3),
        ("OS", "nal-IRI + 5-FU/LV", 8.6),
        ("PFS", "5-FU/LV", 1.4),
        ("PFS", "nal-IRI + 5-FU/LV", 7.1),
    ]
    for r in ev:
        assert r["status"] == "machine" and r["source"] == f"extract:{extractor_version(protocol)}"
        assert ABSTRACT[r["span_start"] : r["span_end"]].replace("·", ".") in (
            str(r["value"]),
            f"{r['value']:g}",
        )
        assert r["study"] == "NCT03524508"
    (hr,) = [r for r in ev if r["measure"] == "hazard_ratio"]
    assert (hr["value"], hr["ci_low"], hr["ci_high"], hr["p_value"]) == (0.56, 0.39, 0.81, ".002")
    x = db.execute(
        "SELECT extractor_version, content_hash, n_outcomes FROM extractions WHERE pmid='1'"
    ).fetchone()
    assert x == (extractor_version(protocol), "h1", 4)
    assert db.execute("SELECT COUNT(*) FROM audit WHERE actor LIKE 'extract:%'").fetchone()[0] == 2
    assert stage.run(db, protocol).extracted == 0  # unchanged: nothing to do


def test_changed_record_supersedes_machine_rows_but_not_verified(db, protocol):
    add_record(db, "1")
    stage.run(db, protocol)
    db["evidence"].insert(
        {
            "pmid": "1",
            "study": "NCT03524508",
            "status": "verified",
            "source": "review:ann",
            "arm": "nal-IRI plus 5-FU/LV",
            "regimen": "nal-IRI + 5-FU/LV",
            "endpoint": "OS",
            "measure": "median",
            "value": 8.7,
            "created_at": now_iso(),
            "active": 1,
        }
    )
    add_record(db, "1", abstract=ABSTRACT.replace("8.6", "8.8"), content_hash="h2")
    out = stage.run(db, protocol)
    assert out.extracted == 1 and out.kept_verified == 1
    (verified,) = rows(db, "1", status="verified")
    assert verified["active"] == 1 and verified["value"] == 8.7
    active_machine = rows(db, "1", status="machine", active=1)
    assert not [r for r in active_machine if r["endpoint"] == "OS" and r["regimen"] == "nal-IRI + 5-FU/LV"]
    assert len(rows(db, "1", status="machine", active=0)) == 5


def test_retracted_records_are_skipped(db, protocol):
    add_record(db, "9", retracted=1)
    out = stage.run(db, protocol)
    assert out.extracted == 0 and out.skipped_retracted == 1
    assert rows(db, "9") == []


def test_failed_write_rolls_back_the_record(db, protocol, monkeypatch):
    add_record(db, "1")
    stage.run(db, protocol)
    before = rows(db, "1", active=1)
    add_record(db, "1", content_hash="h2")

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stage, "audit", boom)
    try:
        stage.run(db, protocol)
    except RuntimeError:
        pass
    assert rows(db, "1", active=1) == before


def test_a_value_a_reviewer_deleted_does_not_come_back_on_re_extraction(db, protocol):
    add_record(db, "1")
    stage.run(db, protocol)
    [wrong] = [r for r in rows(db, "1", active=1)
               if r["endpoint"] == "PFS" and r["regimen"] == "5-FU/LV" and r["measure"] == "median"]
    db["evidence"].update(wrong["id"], {"active": 0})
    db["review_deletions"].insert({"evidence_id": wrong["id"], "pmid": "1", "deleted_by": "review:ann",
                                   "reason": "control arm misread", "created_at": now_iso()})
    add_record(db, "1", abstract=ABSTRACT.replace("8.6", "8.8"), content_hash="h2")
    assert stage.run(db, protocol).extracted == 1
    again = [r for r in rows(db, "1", active=1)
             if r["endpoint"] == "PFS" and r["regimen"] == "5-FU/LV" and r["measure"] == "median"]
    assert again == []
    assert any(r["value"] == 8.8 for r in rows(db, "1", active=1))
