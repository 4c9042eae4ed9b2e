"""The review queue: everything the bot is unsure of, one entry per record, most important first.

Flags (kinds):
* screen      — the model put the record in the review band (screening.decision 'review',
                decided_by 'model:<v>'); a reviewer's "unsure" keeps it here as `deferred`;
* extraction  — an active machine evidence row of an included/review-band record failed a
                consistency check (evidence.flags, codes W201-W209);
* duplicate   — a record with no registry id or acronym (study 'pmid:<pmid>') has a value
                matching another study's (same regimen, endpoint and measure, and the same
                n or the same value): perhaps another report of a known trial;
* retraction  — a retracted record (or one with an expression of concern) whose numbers are
                in the evidence table or that was included.

A flag is settled by its action: a screening decision, a verified correction or deletion of
the flagged row, a "same study as" link, or a dismissal. Order (tier, then score):
  0 screen, probability >= 0.5 (most likely relevant first)
  1 extraction conflict on a row the current pool uses (would move a pooled estimate;
    larger n first)
  2 retraction touching included evidence
  3 possible duplicate
  4 screen, probability < 0.5
  5 extraction conflict on a row the pool does not use
  6 deferred by a reviewer ("unsure")
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlite_utils

KINDS = ("screen", "extraction", "duplicate", "retraction")
TIER_LABELS = {0: "likely relevant", 1: "would move a pooled estimate", 2: "retraction",
               3: "possible duplicate", 4: "screening", 5: "extraction check", 6: "deferred"}


@dataclass
class Flag:
    kind: str
    tier: int
    score: float
    label: str
    evidence_id: int | None = None
    item_key: str | None = None
    other_study: str | None = None


@dataclass
class QueueEntry:
    pmid: str
    title: str
    journal: str
    year: int | None
    model_version: str | None
    probability: float | None
    decided_by: str | None
    flags: list[Flag] = field(default_factory=list)

    @property
    def tier(self) -> int:
        return min(f.tier for f in self.flags)

    @property
    def sort_key(self) -> tuple:
        best = min(self.flags, key=lambda f: (f.tier, -f.score))
        return (best.tier, -best.score, self.pmid)

    @property
    def why(self) -> str:
        return TIER_LABELS[self.tier]

    def to_dict(self) -> dict:
        return {"pmid": self.pmid, "title": self.title, "year": self.year, "tier": self.tier,
                "why": self.why, "model_version": self.model_version,
                "probability": self.probability, "decided_by": self.decided_by,
                "flags": [{"kind": f.kind, "label": f.label, "evidence_id": f.evidence_id,
                           "item_key": f.item_key} for f in self.flags]}


@dataclass
class Queue:
    entries: list[QueueEntry]
    counts: dict[str, int]
    reviewed_records: int
    reviewed_today: int

    @property
    def open_records(self) -> int:
        return len(self.entries)

    @property
    def progress(self) -> float:
        total = self.reviewed_records + self.open_records
        return 1.0 if total == 0 else self.reviewed_records / total

    def next_after(self, pmid: str) -> str | None:
        """The record to review after `pmid`: the next entry in queue order (wrapping)."""
        pmids = [e.pmid for e in self.entries]
        if not pmids:
            return None
        if pmid not in pmids:
            return pmids[0]
        i = pmids.index(pmid)
        rest = pmids[i + 1:] + pmids[:i]
        return rest[0] if rest else None


def pooled_evidence_ids(db: sqlite_utils.Database) -> set[int]:
    """Evidence ids the newest pool snapshot's primary analysis uses."""
    row = db.execute("SELECT inputs FROM pool_snapshots ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return set()
    inputs = json.loads(row[0])
    return {r["evidence_id"] for r in inputs.get("primary", []) if r.get("evidence_id") is not None}


def _flag_codes(flags_json: str) -> list[str]:
    try:
        flags = json.loads(flags_json or "[]")
    except ValueError:
        return ["?"]
    return [str(f.get("code", "?")) if isinstance(f, dict) else str(f)[:4] for f in flags]


def screen_flags(db: sqlite_utils.Database) -> dict[str, list[Flag]]:
    out: dict[str, list[Flag]] = {}
    for r in db.query("SELECT pmid, probability, decided_by FROM screening WHERE decision = 'review'"):
        p = r["probability"]
        if str(r["decided_by"]).startswith("review:"):
            flag = Flag("screen", 6, p or 0.0, f"unsure ({r['decided_by'][7:]})")
        else:
            tier = 0 if (p is not None and p >= 0.5) else 4
            flag = Flag("screen", tier, p or 0.0, "screen" + ("" if p is None else f" p={p:.2f}"))
        out.setdefault(r["pmid"], []).append(flag)
    return out


def extraction_flags(db: sqlite_utils.Database, pooled: set[int]) -> dict[str, list[Flag]]:
    out: dict[str, list[Flag]] = {}
    rows = list(db.query("""
        SELECT e.id, e.pmid, e.endpoint, e.measure, e.arm, e.regimen, e.n, e.flags
        FROM evidence e LEFT JOIN screening s ON s.pmid = e.pmid
        WHERE e.active = 1 AND e.superseded_by IS NULL AND e.status = 'machine'
          AND e.pmid IS NOT NULL AND e.flags NOT IN ('', '[]')
          AND (s.decision IS NULL OR s.decision IN ('include', 'review'))"""))
    for r in rows:
        codes = _flag_codes(r["flags"])
        if not codes:
            continue
        tier = 1 if r["id"] in pooled else 5
        label = f"{'/'.join(sorted(set(codes)))} {r['endpoint']} {r['measure']}"
        out.setdefault(r["pmid"], []).append(Flag("extraction", tier, float(r["n"] or 0), label,
                                                  evidence_id=r["id"]))
    return out


def retraction_flags(db: sqlite_utils.Database) -> dict[str, list[Flag]]:
    out: dict[str, list[Flag]] = {}
    rows = list(db.query("""
        SELECT r.pmid, r.retracted, r.expression_of_concern,
               (SELECT count(*) FROM evidence e WHERE e.pmid = r.pmid
                  AND (e.active = 1 OR e.status = 'seed')) AS n_evidence,
               s.decision
        FROM records r LEFT JOIN screening s ON s.pmid = r.pmid
        WHERE (r.retracted = 1 OR r.expression_of_concern = 1)
          AND r.pmid NOT IN (SELECT item_key FROM review_dismissals WHERE kind = 'retraction')"""))
    for r in rows:
        if not r["n_evidence"] and r["decision"] != "include" and not _was_included(db, r["pmid"]):
            continue
        what = "retracted" if r["retracted"] else "expression of concern"
        out.setdefault(r["pmid"], []).append(Flag(
            "retraction", 2, float(r["n_evidence"]), f"{what}: {r['n_evidence']} evidence row(s)",
            item_key=r["pmid"]))
    return out


def _was_included(db: sqlite_utils.Database, pmid: str) -> bool:
    row = db.execute("SELECT 1 FROM audit WHERE table_name = 'screening' AND row_key = ? "
                     "AND after LIKE '%\"decision\": \"include\"%' LIMIT 1", [pmid]).fetchone()
    return row is not None


def duplicate_flags(db: sqlite_utils.Database) -> dict[str, list[Flag]]:
    from evidencebot.pool.studies import StudyResolver

    rows = list(db.query("""SELECT id, pmid, study, registry, regimen, endpoint, measure, n, value
                        FROM evidence WHERE active = 1 AND superseded_by IS NULL
                          AND regimen IS NOT NULL AND subgroup IS NULL"""))
    links = db.execute("SELECT study, same_as FROM study_links").fetchall()
    resolver = StudyResolver(rows, [(a, b) for a, b in links])
    dismissed = {r[0] for r in db.execute(
        "SELECT item_key FROM review_dismissals WHERE kind = 'duplicate'").fetchall()}
    excluded = {r[0] for r in db.execute("SELECT pmid FROM screening WHERE decision = 'exclude'").fetchall()}
    by_key: dict[tuple, list[dict]] = {}
    for r in rows:
        by_key.setdefault((r["regimen"].lower(), r["endpoint"], r["measure"]), []).append(r)
    out: dict[str, dict[str, Flag]] = {}
    for r in rows:
        if not (r["study"].startswith("pmid:") and r["pmid"]) or r["pmid"] in excluded:
            continue
        mine = resolver.canonical(r["study"])
        for other in by_key[(r["regimen"].lower(), r["endpoint"], r["measure"])]:
            theirs = resolver.canonical(other["study"])
            if theirs == mine or other["pmid"] == r["pmid"]:
                continue
            same_n = r["n"] is not None and r["n"] == other["n"]
            same_value = r["value"] is not None and other["value"] is not None and \
                abs(r["value"] - other["value"]) < 1e-9
            if not (same_n or same_value):
                continue
            key = f"{r['pmid']}|{theirs}"
            if key in dismissed:
                continue
            why = "same n" if same_n else "same value"
            flag = out.setdefault(r["pmid"], {}).get(theirs)
            if flag is None:
                out[r["pmid"]][theirs] = Flag("duplicate", 3, 1.0, f"same study as {theirs}? ({why})",
                                              item_key=key, other_study=theirs)
            else:
                flag.score += 1.0
    return {pmid: list(flags.values()) for pmid, flags in out.items()}


def build_queue(db: sqlite_utils.Database, kind: str | None = None) -> Queue:
    """Every open flag, grouped by record, in queue order (see the module docstring)."""
    pooled = pooled_evidence_ids(db)
    flags: dict[str, list[Flag]] = {}
    for source in (screen_flags(db), extraction_flags(db, pooled), retraction_flags(db),
                   duplicate_flags(db)):
        for pmid, fl in source.items():
            flags.setdefault(pmid, []).extend(fl)
    counts = {k: 0 for k in KINDS}
    for fl in flags.values():
        for f in fl:
            counts[f.kind] += 1
    if kind is not None:
        flags = {p: [f for f in fl if f.kind == kind] for p, fl in flags.items()}
        flags = {p: fl for p, fl in flags.items() if fl}
    meta = {r["pmid"]: r for r in db.query("""
        SELECT r.pmid, r.title, r.journal, r.pub_year, s.model_version, s.probability, s.decided_by
        FROM records r LEFT JOIN screening s ON s.pmid = r.pmid""")} if flags else {}
    entries = []
    for pmid, fl in flags.items():
        m = meta.get(pmid, {})
        entries.append(QueueEntry(pmid, m.get("title") or "", m.get("journal") or "", m.get("pub_year"),
                                  m.get("model_version"), m.get("probability"), m.get("decided_by"),
                                  sorted(fl, key=lambda f: (f.tier, -f.score))))
    entries.sort(key=lambda e: e.sort_key)
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    settled = {r[0] for r in db.execute(
        """SELECT pmid FROM review_saves WHERE pmid IS NOT NULL
           UNION SELECT pmid FROM screening WHERE decided_by LIKE 'review:%'""").fetchall()}
    settled -= {e.pmid for e in entries}
    today_n = db.execute("SELECT count(*) FROM review_saves WHERE at LIKE ?", [today + "%"]).fetchone()[0]
    return Queue(entries, counts, len(settled), today_n)
