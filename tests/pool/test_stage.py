"""The pool stage against a real database: snapshots, change lists, retractions,
sensitivity analysis, fallback recorded."""

from __future__ import annotations

import json

from evidencebot.pool import engine, stage
from evidencebot.seed import load_seed
from evidencebot.store import now_iso

CONTRACT_FIELDS = {"regimen", "endpoint", "measure", "scale", "method", "ci_method", "k",
                   "studies", "estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2",
                   "i2", "q", "q_p", "converged", "notes", "analysis"}


def add_record(db, pmid, retracted=0, decision="include"):
    db["records"].upsert({"pmid": pmid, "content_hash": pmid, "title": "t", "updated_at": now_iso(),
                          "retracted": retracted}, pk="pmid")
    db["screening"].upsert({"pmid": pmid, "decision": decision, "decided_by": "model:test",
                            "decided_at": now_iso()}, pk="pmid")


def add_evidence(db, **kw):
    row = {"study": "NCT99999999", "status": "machine", "source": "extract:test", "year": 2025,
           "arm": "FOLFOX", "regimen": "FOLFOX", "n": 60, "endpoint": "OS", "measure": "median",
           "value": 7.0, "unit": "months", "value_months": 7.0, "ci_level": 0.95, "ci_low": 5.0,
           "ci_high": 9.0, "created_at": now_iso(), **kw}
    return db["evidence"].insert(row).last_pk


def test_empty_database_has_nothing_to_pool(db, protocol):
    out = stage.run(db, protocol)
    assert out.snapshot_id is None and not out.created and stage.snapshot_document(db) is None


def test_unchanged_inputs_make_no_new_snapshot(db, protocol, seed_path):
    load_seed(db, seed_path)
    first = stage.run(db, protocol)
    assert first.created and first.changes[0].startswith("first snapshot: 17 studies")
    again = stage.run(db, protocol)
    assert (again.snapshot_id, again.created, again.changes) == (first.snapshot_id, False, [])
    assert db.execute("SELECT count(*) FROM pool_snapshots").fetchone()[0] == 1


def test_json_document_follows_the_contract(db, protocol, seed_path):
    load_seed(db, seed_path)
    stage.run(db, protocol)
    doc = json.loads(json.dumps(stage.snapshot_document(db)))
    assert doc["snapshot"] == 1 and len(doc["inputs_hash"]) == 64
    assert {a["analysis"] for a in doc["analyses"]} == {"primary", "sensitivity"}
    for a in doc["analyses"]:
        assert CONTRACT_FIELDS <= a.keys()
    folfox = [a for a in doc["analyses"] if a["analysis"] == "primary" and a["endpoint"] == "OS"
              and a["measure"] == "median" and a["regimen"] == "FOLFOX"][0]
    # ABC-06 OS median has no CI: excluded with the reason, FIReFOX pooled alone.
    assert folfox["k"] == 1 and folfox["method"] == "single study"
    assert folfox["excluded"][0]["study"] == "ABC-06" and folfox["excluded"][0]["code"] == "W301"
    nivo = [a for a in doc["analyses"] if a["analysis"] == "primary" and a["endpoint"] == "PFS"
            and a["measure"] == "median" and a["regimen"] == "nivolumab"][0]
    assert [x["code"] for x in nivo["excluded"]] == ["W303"]  # Ueno 1.4 (1.4-1.4)
    assert doc["subgroup_tests"] and all(t["df"] >= 1 for t in doc["subgroup_tests"])


def test_machine_row_changes_primary_but_not_sensitivity(db, protocol, seed_path):
    load_seed(db, seed_path)
    stage.run(db, protocol)
    add_record(db, "40000001")
    add_evidence(db, pmid="40000001")
    out = stage.run(db, protocol)
    assert out.created and "study added: NCT99999999" in out.changes
    get = {(a["analysis"]): a for a in out.analyses
           if a["endpoint"] == "OS" and a["measure"] == "median" and a["regimen"] == "FOLFOX"}
    assert get["primary"]["k"] == 2 and get["sensitivity"]["k"] == 1
    assert {s["status"] for s in get["primary"]["studies"]} == {"seed", "machine"}


def test_only_included_records_feed_the_pool(db, protocol, seed_path):
    load_seed(db, seed_path)
    first = stage.run(db, protocol)
    add_record(db, "40000003", decision="review")
    add_evidence(db, pmid="40000003")
    assert not stage.run(db, protocol).created          # waiting for a person: not pooled
    db["screening"].update("40000003", {"decision": "include", "decided_by": "review:ana"})
    out = stage.run(db, protocol)
    assert out.created and "study added: NCT99999999" in out.changes
    db["screening"].update("40000003", {"decision": "exclude", "decided_by": "review:ana"})
    out = stage.run(db, protocol)
    assert out.created and any("NCT99999999" in c and "removed" in c for c in out.changes)
    assert first.snapshot_id < out.snapshot_id


def test_machine_row_of_a_seeded_trial_joins_it_and_seed_wins(db, protocol, seed_path):
    load_seed(db, seed_path)
    stage.run(db, protocol)
    add_record(db, "40000002")
    add_evidence(db, pmid="40000002", study="NCT03464968", arm="mFOLFOX", value=6.9,
                 value_months=6.9)  # FIReFOX's registry id
    out = stage.run(db, protocol)
    # Same inputs after precedence (seed outranks machine) -> only the pmid list changed.
    folfox = [a for a in out.analyses if a["analysis"] == "primary" and a["endpoint"] == "OS"
              and a["measure"] == "median" and a["regimen"] == "FOLFOX"][0]
    [firefox] = folfox["studies"]
    assert firefox["study"] == "FIReFOX" and firefox["value"] == 6.3
    assert firefox["pmids"] == ["40000002"]
    verified = add_evidence(db, pmid="40000002", study="NCT03464968", status="verified",
                            source="review:ana", value=6.4, value_months=6.4)
    out = stage.run(db, protocol)
    assert any(c.startswith("study changed: FIReFOX") and "6.3" in c and "6.4 (5.0–9.0) [verified]"
               in c for c in out.changes), out.changes
    assert verified


def test_retracted_record_leaves_the_pool_and_is_reported(db, protocol, seed_path):
    load_seed(db, seed_path)
    add_record(db, "40000003")
    add_evidence(db, pmid="40000003")
    stage.run(db, protocol)
    db.execute("UPDATE records SET retracted = 1 WHERE pmid = '40000003'")
    out = stage.run(db, protocol)
    assert out.created
    assert "record PMID 40000003 retracted: its 1 evidence row(s) (NCT99999999) left the pool" \
        in out.changes
    assert "study removed: NCT99999999" in out.changes
    assert all("NCT99999999" not in json.dumps(a["studies"]) for a in out.analyses)


def test_study_link_merges_two_keys(db, protocol):
    add_evidence(db, study="pmid:1", pmid=None, value=7.0)
    add_evidence(db, study="pmid:2", pmid=None, value=8.0, value_months=8.0, year=2026)
    out = stage.run(db, protocol)
    [a] = [a for a in out.analyses if a["analysis"] == "primary"]
    assert a["k"] == 2
    db["study_links"].insert({"study": "pmid:1", "same_as": "pmid:2", "linked_by": "review:ana",
                              "created_at": now_iso()})
    out = stage.run(db, protocol)
    [a] = [a for a in out.analyses if a["analysis"] == "primary"]
    assert a["k"] == 1 and a["studies"][0]["value"] == 8.0  # the more recent report
    assert "study removed: pmid:2" in out.changes


def test_non_convergence_is_recorded_with_the_fallback(db, protocol, seed_path, monkeypatch):
    load_seed(db, seed_path)
    monkeypatch.setattr(engine, "REML_MAXITER", 0)
    out = stage.run(db, protocol)
    pembro = [a for a in out.analyses if a["analysis"] == "primary" and a["endpoint"] == "OS"
              and a["measure"] == "median" and a["regimen"] == "pembrolizumab"][0]
    assert pembro["converged"] is False and pembro["method"] == "DL"
    assert any(n.startswith("W307: REML did not converge") for n in pembro["notes"])
