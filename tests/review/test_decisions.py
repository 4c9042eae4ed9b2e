"""Decisions: validation refuses bad input with a clear message and saves nothing; saves are
audited, corrections supersede machine rows, exclusions teach the screener."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from evidencebot.errors import ReviewError
from evidencebot.review import decisions as d
from tests.review.conftest import count


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"value": "abc"}, "value 'abc' is not a number (write it like 5.2)"),
        ({"ci_low": "7,1"}, "CI low '7,1' is not a number (write it like 5.2)"),
        ({"ci_high": "nan"}, "CI high 'nan' is not a finite number"),
        ({"ci_low": "9.0", "ci_high": "6.1"},
         "CI low 9 is greater than CI high 6.1; swap them or fix the typo"),
        ({"ci_high": "7.0"}, "value 7.9 lies outside its CI [6.1, 7]"),
        ({"n": "12.5"}, "n '12.5' must be a whole number of patients (1 or more)"),
        ({"n": "0"}, "n '0' must be a whole number of patients (1 or more)"),
        ({"measure": "mean"}, "measure 'mean' is not one of median, hazard_ratio, proportion, rate"),
        ({"unit": "parsecs"}, "unit 'parsecs' does not fit a median: use months, weeks, days, years"),
        ({"endpoint": "<b>"}, "endpoint '<b>' is not valid: write e.g. PFS, OS, ORR"),
        ({"regimen": "snake oil"}, "unknown regimen 'snake oil': use a family or spelling from the "
                                   "protocol's [regimens], or leave it empty"),
        ({"arm": "a\nb"}, "arm contains a control character; retype it"),
        ({"value": "-1", "ci_low": "", "ci_high": ""}, "value -1 is out of range for a median (negative)"),
    ],
)
def test_invalid_corrections_are_refused_and_nothing_is_saved(demo, protocol, fields, message):
    db, ids, _ = demo
    before = (count(db, "SELECT count(*) FROM evidence"), count(db, "SELECT count(*) FROM audit"))
    with pytest.raises(ReviewError) as err:
        d.apply(db, [d.Correct(ids["a_os"], fields)], "alice", "web", protocol)
    assert str(err.value) == message
    assert (count(db, "SELECT count(*) FROM evidence"), count(db, "SELECT count(*) FROM audit")) == before
    assert count(db, "SELECT active FROM evidence WHERE id = ?", [ids["a_os"]]) == 1


@pytest.mark.parametrize(
    ("decision", "reason", "message"),
    [
        ("exclude", None, "an exclusion needs a reason: one of case_report, no_efficacy, not_systemic, "
                          "preclinical, protocol_no_results, secondary, wrong_disease, wrong_line"),
        ("exclude", "boring", "unknown exclusion reason 'boring': use one of case_report, no_efficacy, "
                              "not_systemic, preclinical, protocol_no_results, secondary, wrong_disease, "
                              "wrong_line"),
        ("maybe", None, "decision 'maybe' is not one of include, exclude, unsure"),
        ("include", "wrong_line", "only exclusions take a reason (got 'wrong_line' for 'include')"),
    ],
)
def test_invalid_decisions(decision, reason, message):
    with pytest.raises(ReviewError) as err:
        d.validate_decision(decision, reason)
    assert str(err.value) == message


def test_a_bad_operation_rolls_back_the_whole_save(demo, protocol):
    db, ids, _ = demo
    n_audit = count(db, "SELECT count(*) FROM audit")
    ops = [d.Decide("40000001", "include"), d.Correct(ids["a_os"], {"ci_high": "9.4"}),
           d.Correct(ids["a_pfs"], {"value": "four"})]
    with pytest.raises(ReviewError, match="value 'four' is not a number"):
        d.apply(db, ops, "alice", "web", protocol)
    assert count(db, "SELECT count(*) FROM audit") == n_audit
    decided_by = db.execute("SELECT decided_by FROM screening WHERE pmid = '40000001'").fetchone()[0]
    assert decided_by.startswith("model:")
    assert count(db, "SELECT count(*) FROM evidence WHERE status = 'verified'") == 0
    assert count(db, "SELECT count(*) FROM review_saves") == 0


def test_correction_inserts_a_verified_row_and_supersedes_the_machine_row(demo, protocol):
    db, ids, _ = demo
    # Only included records feed the pool, so the reviewer includes the record as she corrects it.
    result = d.apply(db, [d.Decide("40000001", "include"),
                          d.Correct(ids["a_os"], {"ci_high": "9.4"}, "typo in the abstract")],
                     "alice", "web", protocol, pmid="40000001")
    old = dict(db["evidence"].get(ids["a_os"]))
    new = dict(db["evidence"].get(old["superseded_by"]))
    assert (old["active"], old["status"], old["ci_high"]) == (0, "machine", 94.0)
    assert (new["active"], new["status"], new["source"], new["ci_high"]) == (
        1, "verified", "review:alice", 9.4)
    assert (new["span_start"], new["span_end"], new["value"]) == (old["span_start"], old["span_end"], 7.9)
    row = db.execute("SELECT actor, action, before, after, reason FROM audit WHERE action = 'review_correct'"
                     ).fetchone()
    assert row[0] == "review:alice" and row[4] == "typo in the abstract"
    assert json.loads(row[2])["ci_high"] == 94.0 and json.loads(row[3])["ci_high"] == 9.4
    assert result.snapshot_after == result.snapshot_before + 1
    moved = d.pool_movement(db, result.snapshot_before, result.snapshot_after)
    assert {(m["analysis"], m["endpoint"], m["regimen"]) for m in moved} >= {("primary", "OS", "FOLFOX")}
    # Saving the same values again changes nothing: no new row, no new snapshot.
    again = d.apply(db, [d.Correct(new["id"], {"ci_high": "9.4"})], "alice", "web", protocol)
    assert again.save_id is None and again.changes == []


def test_exclusion_withholds_values_and_becomes_a_training_label(demo, protocol):
    from evidencebot.screen.train import review_set

    db, ids, _ = demo
    d.apply(db, [d.Decide("40000002", "exclude", "wrong_line")], "bob", "cli", protocol)
    s = dict(db["screening"].get("40000002"))
    assert (s["decision"], s["reason"], s["decided_by"]) == ("exclude", "wrong_line", "review:bob")
    assert s["model_version"] == "screen-test-1" and s["probability"] == 0.35
    assert count(db, "SELECT active FROM evidence WHERE id = ?", [ids["b_os"]]) == 0
    labels = review_set(db, exclude_pmids=set())
    assert "review:40000002" in labels.ids
    # Including it again restores the withheld value.
    d.apply(db, [d.Decide("40000002", "include")], "bob", "cli", protocol)
    assert count(db, "SELECT active FROM evidence WHERE id = ?", [ids["b_os"]]) == 1
    assert count(db, "SELECT count(*) FROM review_withheld") == 0
    actions = [r[0] for r in db.execute("SELECT action FROM audit WHERE actor = 'review:bob' ORDER BY id")]
    assert actions == ["review_decide", "review_withhold", "review_decide", "review_restore"]


def test_add_delete_link_dismiss_note(demo, protocol):
    db, ids, _ = demo
    ops = [d.Add("40000001", {"endpoint": "DCR", "measure": "rate", "value": "52", "arm": "FOLFOX",
                              "regimen": "mFOLFOX6"}),
           d.Delete(ids["a_orr"], "not an efficacy rate"),
           d.Link("40000004", "abc-06", "same n, same regimen"),
           d.Dismiss("retraction", "40000005", "40000005", "seen"),
           d.Note("40000001", "Check the full text.\nTable 2.")]
    result = d.apply(db, ops, "carol", "web", protocol)
    assert len(result.changes) == 5
    added = db.execute("SELECT status, regimen, unit FROM evidence WHERE endpoint = 'DCR'").fetchone()
    assert added == ("verified", "FOLFOX", "percent")
    assert count(db, "SELECT active FROM evidence WHERE id = ?", [ids["a_orr"]]) == 0
    assert db.execute("SELECT study, same_as FROM study_links").fetchall() == [("pmid:40000004", "ABC-06")]
    assert count(db, "SELECT count(*) FROM review_notes WHERE text LIKE '%\nTable 2.'") == 1
    assert d.apply(db, ops[2:], "carol", "web", protocol).changes == []


def test_unknown_study_and_reviewer_are_refused(demo, protocol):
    db, _, _ = demo
    with pytest.raises(ReviewError, match="unknown study 'ABC06'"):
        d.apply(db, [d.Link("40000004", "ABC06")], "carol", "web", protocol)
    with pytest.raises(ReviewError, match="reviewer name 'a b' is not valid"):
        d.apply(db, [d.Note("40000004", "x")], "a b", "web", protocol)


@given(st.dictionaries(st.sampled_from(list(d.EDITABLE)), st.text(max_size=12), max_size=6))
def test_parse_fields_raises_only_review_errors(raw):
    try:
        fields = d.parse_fields(raw)
        d.check_row({"endpoint": "OS", "measure": "median", "value": 1.0, "unit": "months", **fields})
    except ReviewError:
        pass
