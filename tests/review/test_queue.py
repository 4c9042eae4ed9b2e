"""The queue: every kind of flag, in order of what matters, settled flags leave it."""

from __future__ import annotations

from evidencebot.review import decisions as d
from evidencebot.review.queue import build_queue
from tests.review.builder import MODEL, add_evidence, add_record, add_screening


def test_order_counts_and_model_version(demo):
    db, _, _ = demo
    q = build_queue(db)
    assert [(e.pmid, e.tier) for e in q.entries] == [
        ("40000001", 0), ("40000003", 0), ("40000005", 2), ("40000004", 3), ("40000002", 4)]
    assert q.counts == {"screen": 3, "extraction": 2, "duplicate": 2, "retraction": 1}
    assert {e.model_version for e in q.entries} == {MODEL}
    assert q.entries[0].flags[0].label == "screen p=0.81"
    assert q.progress == 0.0 and q.next_after("40000001") == "40000003"


def test_pooled_extraction_conflicts_come_before_unpooled_ones(demo, protocol):
    db, _, _ = demo
    for pmid, n in (("40000010", 200), ("40000011", 20)):
        add_record(db, pmid, f"record {pmid}", "median OS 5.0 months")
        add_screening(db, pmid, decision="include", probability=0.99)
        add_evidence(db, pmid, "median OS 5.0 months", "5.0", value=5.0, n=n, regimen="CAPIRI",
                     flags=[{"code": "W201", "message": "W201"}])
    add_record(db, "40000012", "not pooled", "median OS 5.0 months")
    add_screening(db, "40000012", decision="include", probability=0.99)
    add_evidence(db, "40000012", "median OS 5.0 months", "5.0", value=5.0, subgroup="ECOG 2",
                 flags=[{"code": "W201", "message": "W201"}])
    d.repool(db, protocol)
    tiers = {e.pmid: e.tier for e in build_queue(db, "extraction").entries}
    assert tiers["40000010"] == tiers["40000011"] == 1 and tiers["40000012"] == 5
    order = [e.pmid for e in build_queue(db, "extraction").entries]
    assert order.index("40000010") < order.index("40000011") < order.index("40000012")


def test_settled_flags_leave_the_queue_and_progress_counts_them(demo, protocol):
    db, ids, _ = demo
    d.apply(db, [d.Decide("40000002", "exclude", "wrong_line")], "alice", "web", protocol, pmid="40000002")
    d.apply(db, [d.Decide("40000001", "include"), d.Correct(ids["a_os"], {"ci_high": "9.4"})],
            "alice", "web", protocol, pmid="40000001")
    d.apply(db, [d.Link("40000004", "ABC-06")], "alice", "web", protocol, pmid="40000004")
    d.apply(db, [d.Dismiss("retraction", "40000005", "40000005")], "alice", "web", protocol, pmid="40000005")
    d.apply(db, [d.Decide("40000003", "unsure")], "alice", "web", protocol, pmid="40000003")
    q = build_queue(db)
    # Deferred screening, but its W201 row and duplicate flag are still open; the row is not
    # pooled while the record waits in the review band, so the duplicate flag ranks first.
    assert [(e.pmid, e.tier) for e in q.entries] == [("40000003", 3)]
    assert [f.kind for f in q.entries[0].flags] == ["duplicate", "extraction", "screen"]
    assert q.entries[0].flags[-1].label == "unsure (alice)"
    assert q.reviewed_records == 4 and q.reviewed_today == 5 and q.progress == 0.8


def test_deferred_alone_sorts_last(demo, protocol):
    db, _, _ = demo
    d.apply(db, [d.Decide("40000002", "unsure")], "alice", "web", protocol)
    assert [(e.pmid, e.tier) for e in build_queue(db).entries][-1] == ("40000002", 6)
