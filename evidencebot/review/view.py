"""What a record's review page shows, as plain data (the templates only lay it out).

`highlight` cuts the abstract into segments so that every extracted number is marked at its
span (evidence.span_start/span_end are offsets into records.abstract). Text stays text: the
template autoescapes every segment, so an abstract containing markup shows as markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from evidencebot.errors import ReviewError
from evidencebot.review.decisions import known_studies, pool_movement, record_study
from evidencebot.review.queue import build_queue


@dataclass(frozen=True)
class Segment:
    text: str
    evidence_id: int | None = None
    status: str | None = None


def highlight(text: str, spans: list[tuple[int, int, int, str]]) -> tuple[list[Segment], list[int]]:
    """(segments, ids whose span is unusable). `spans` are (start, end, evidence_id, status);
    a span outside the text, empty, or overlapping an earlier one is not marked."""
    segments: list[Segment] = []
    bad: list[int] = []
    pos = 0
    for start, end, eid, status in sorted(spans, key=lambda s: (s[0], -s[1], s[2])):
        if start is None or end is None or not (0 <= start < end <= len(text)):
            bad.append(eid)
            continue
        if start < pos:  # overlaps the previous mark: listed, not marked
            bad.append(eid)
            continue
        if start > pos:
            segments.append(Segment(text[pos:start]))
        segments.append(Segment(text[start:end], eid, status))
        pos = end
    if pos < len(text):
        segments.append(Segment(text[pos:]))
    return segments, bad


def fmt(x) -> str:
    """Numbers as a person writes them: 5.0 -> '5', 0.693 -> '0.693'; None -> ''."""
    if x is None:
        return ""
    if isinstance(x, float):
        return f"{x:.6g}"
    return str(x)


def estimate(result: dict | None) -> str:
    """'6.37 [3.42, 11.9] k=2' for a pool_results row; says so when nothing was pooled."""
    if not result:
        return "–"
    if result.get("estimate") is None:
        return f"not pooled (k={result.get('k')})"
    return (f"{result['estimate']:.3g} [{fmt_ci(result.get('ci_low'))}, {fmt_ci(result.get('ci_high'))}] "
            f"k={result.get('k')}")


def fmt_ci(x: float | None) -> str:
    return "–" if x is None else f"{x:.3g}"


def record_page(db: sqlite_utils.Database, pmid: str, save_id: int | None = None) -> dict:
    rec = next(db.query("SELECT * FROM records WHERE pmid = ?", [pmid]), None)
    if rec is None:
        raise ReviewError(f"no record with PMID {pmid!r} in the database")
    screening = next(db.query("SELECT * FROM screening WHERE pmid = ?", [pmid]), None)
    evidence = list(db.query("SELECT * FROM evidence WHERE pmid = ? AND active = 1 "
                             "AND superseded_by IS NULL ORDER BY endpoint, measure, arm, id", [pmid]))
    history = list(db.query("""SELECT e.*, d.deleted_by, d.reason AS deleted_reason, w.withheld_by
                           FROM evidence e
                           LEFT JOIN review_deletions d ON d.evidence_id = e.id
                           LEFT JOIN review_withheld w ON w.evidence_id = e.id
                           WHERE e.pmid = ? AND (e.active = 0 OR e.superseded_by IS NOT NULL)
                           ORDER BY e.id DESC""", [pmid]))
    for row in evidence + history:
        try:
            row["flag_list"] = json.loads(row["flags"] or "[]")
        except ValueError:
            row["flag_list"] = [{"code": "?", "message": row["flags"]}]
    abstract = rec["abstract"] or ""
    segments, bad = highlight(abstract, [(e["span_start"], e["span_end"], e["id"], e["status"])
                                         for e in evidence if e["span_start"] is not None])
    queue = build_queue(db)
    entry = next((e for e in queue.entries if e.pmid == pmid), None)
    save = None
    if save_id is not None:
        save = next(db.query("SELECT * FROM review_saves WHERE id = ?", [save_id]), None)
        if save is not None:
            save["summary_list"] = json.loads(save["summary"])
            save["first_snapshot"] = save["snapshot_before"] is None and save["snapshot_after"] is not None
            save["movement"] = [] if save["first_snapshot"] else pool_movement(
                db, save["snapshot_before"], save["snapshot_after"])
            snap = None
            if save["snapshot_after"] != save["snapshot_before"]:
                snap = next(db.query("SELECT changes FROM pool_snapshots WHERE id = ?",
                                     [save["snapshot_after"]]), None)
            save["pool_changes"] = json.loads(snap["changes"]) if snap else []
    study = record_study(db, pmid)
    links = list(db.query("SELECT * FROM study_links WHERE study = ? OR same_as = ? ORDER BY created_at",
                          [study, study]))
    extraction = next(db.query("SELECT * FROM extractions WHERE pmid = ?", [pmid]), None)
    record_flags = []
    if extraction:
        record_flags = [f for f in json.loads(extraction["flags"] or "[]")
                        if isinstance(f, dict) and not f.get("span")]
    return {
        "record": rec,
        "pubmed_url": (f"https://pubmed.ncbi.nlm.nih.gov/{rec['pmid']}/"
                       if str(rec["pmid"]).isdigit() else None),
        "screening": screening,
        "evidence": evidence,
        "history": history,
        "segments": segments,
        "bad_spans": bad,
        "entry": entry,
        "next_pmid": queue.next_after(pmid),
        "queue": queue,
        "notes": list(db.query("SELECT * FROM review_notes WHERE pmid = ? ORDER BY id", [pmid])),
        "study": study,
        "links": links,
        "known_studies": known_studies(db),
        "record_flags": record_flags,
        "save": save,
        "audit": list(db.query("""SELECT * FROM audit WHERE actor LIKE 'review:%'
                                 AND (row_key = ? OR before LIKE ? OR after LIKE ?)
                              ORDER BY id DESC LIMIT 50""",
                               [pmid, f'%"pmid": "{pmid}"%', f'%"pmid": "{pmid}"%'])),
    }
