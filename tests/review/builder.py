"""Build review test databases by inserting rows directly (records, screening, evidence)."""

from __future__ import annotations

import json
from pathlib import Path

from evidencebot.seed import load_seed
from evidencebot.store import now_iso, open_db

REPO = Path(__file__).resolve().parents[2]
MODEL = "screen-test-1"

ABSTRACT_A = (
    "Background: Few options exist after gemcitabine-cisplatin for advanced biliary tract cancer.\n"
    "Methods: In this single-arm phase II study, 60 patients received mFOLFOX6 as second-line therapy.\n"
    "Results: Median progression-free survival was 4.2 months (95% CI 3.1-5.6) and median overall "
    "survival was 7.9 months (95% CI 6.1-9.4). The objective response rate was 10%.\n"
    "Conclusions: FOLFOX is active in the second line."
)
ABSTRACT_B = (
    "In 40 patients with untreated advanced biliary cancer, first-line gemcitabine plus cisplatin gave a "
    "median overall survival of 11.7 months (95% CI 9.5-14.2)."
)
ABSTRACT_XSS = (
    "Second-line nivolumab <script>window.__xss = 1</script> gave a median OS of 5.2 months "
    "<img src=x onerror=\"window.__xss = 2\"> in 30 patients & more."
)
ABSTRACT_DUP = "Updated analysis: 81 patients received mFOLFOX; median PFS 4.0 months (95% CI 3.2-5.0)."
ABSTRACT_RETRACTED = "Irinotecan after failure: median OS 9.9 months (95% CI 8.0-12.0) in 25 patients."


def add_record(db, pmid: str, title: str, abstract: str = "", **kw) -> None:
    db["records"].insert({"pmid": pmid, "content_hash": f"h{pmid}", "title": title, "abstract": abstract,
                          "journal": kw.pop("journal", "J Test Oncol"), "pub_year": kw.pop("pub_year", 2025),
                          "updated_at": now_iso(), **kw}, pk="pmid", replace=True)


def add_screening(db, pmid: str, decision: str = "review", probability: float | None = 0.6,
                  decided_by: str = f"model:{MODEL}", reason: str | None = None) -> None:
    db["screening"].insert({"pmid": pmid, "decision": decision, "probability": probability, "reason": reason,
                            "cues": json.dumps([["cue:second-line", 1.2]]), "model_version": MODEL,
                            "decided_by": decided_by, "decided_at": now_iso(), "content_hash": f"h{pmid}"},
                           pk="pmid", replace=True)


def add_evidence(db, pmid: str | None, abstract: str, written: str, after: str = "", flags=(), **kw) -> int:
    """An evidence row whose span is `written` (found after the text `after`) in `abstract`."""
    start = abstract.index(written, abstract.index(after) if after else 0) if written else None
    row = {"pmid": pmid, "study": f"pmid:{pmid}", "status": "machine", "source": "extract:test",
           "year": 2025, "arm": "FOLFOX", "regimen": "FOLFOX", "n": 60, "endpoint": "OS",
           "measure": "median", "value": None, "unit": "months", "ci_level": 0.95,
           "span_start": start, "span_end": None if start is None else start + len(written),
           "flags": json.dumps(list(flags)), "created_at": now_iso(), **kw}
    if row["measure"] == "median" and row["value"] is not None:
        row["value_months"] = row["value"]
    return db["evidence"].insert(row).last_pk


def build(path: Path, seed: bool = True):
    """The demo database the review tests use. Returns (db, ids)."""
    db = open_db(path)
    if seed:
        load_seed(db, REPO / "db" / "seed_outcomes.csv")
    ids = {}
    add_record(db, "40000001", "mFOLFOX6 after gemcitabine-cisplatin in advanced biliary tract cancer: "
               "a phase II study", ABSTRACT_A, doi="10.1000/test.1")
    add_screening(db, "40000001", probability=0.81)
    ids["a_pfs"] = add_evidence(db, "40000001", ABSTRACT_A, "4.2", value=4.2, ci_low=3.1, ci_high=5.6,
                                endpoint="PFS")
    # The extractor misread the OS upper bound: 94 instead of 9.4.
    ids["a_os"] = add_evidence(
        db, "40000001", ABSTRACT_A, "7.9", value=7.9, ci_low=6.1, ci_high=94.0,
        flags=[{"code": "W202", "message": "W202: CI [6.1, 94.0] looks implausible (OS, arm 'FOLFOX')",
                "span": None}])
    ids["a_orr"] = add_evidence(db, "40000001", ABSTRACT_A, "10", after="response rate", endpoint="ORR",
                                measure="rate", value=10.0, unit="percent", ci_level=None)
    add_record(db, "40000002", "Gemcitabine plus cisplatin as first-line therapy for biliary cancer",
               ABSTRACT_B, pub_year=2024)
    add_screening(db, "40000002", probability=0.35)
    ids["b_os"] = add_evidence(db, "40000002", ABSTRACT_B, "11.7", value=11.7, ci_low=9.5, ci_high=14.2,
                               arm="gemcitabine-cisplatin", regimen=None, n=40)
    add_record(db, "40000003", "Nivolumab <b>after</b> <script>alert(1)</script> failure", ABSTRACT_XSS,
               journal="<img src=x onerror=alert(2)>")
    add_screening(db, "40000003", probability=0.55)
    ids["x_os"] = add_evidence(db, "40000003", ABSTRACT_XSS, "5.2", value=5.2, arm="nivolumab",
                               regimen="nivolumab", n=30, ci_level=None,
                               flags=[{"code": "W201", "message": "W201: median for arm 'nivolumab' "
                                       "reported without CI <script>", "span": [0, 1]}])
    add_record(db, "40000004", "mFOLFOX in biliary cancer: updated results", ABSTRACT_DUP)
    add_screening(db, "40000004", decision="include", probability=0.97)
    ids["d_pfs"] = add_evidence(db, "40000004", ABSTRACT_DUP, "4.0", endpoint="PFS", value=4.0, ci_low=3.2,
                                ci_high=5.0, n=81, arm="mFOLFOX")
    add_record(db, "40000005", "Irinotecan in refractory cholangiocarcinoma", ABSTRACT_RETRACTED, retracted=1)
    add_screening(db, "40000005", decision="include", probability=0.9)
    ids["r_os"] = add_evidence(db, "40000005", ABSTRACT_RETRACTED, "9.9", value=9.9, ci_low=8.0, ci_high=12.0,
                               regimen="irinotecan", arm="irinotecan", n=25)
    return db, ids
