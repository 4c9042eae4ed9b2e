"""Build a digest: what the living review found since the last one, as self-contained HTML and
as Markdown for a GitHub issue, optionally e-mailed; recorded in the `digests` table.

`write_digest(db, protocol, out_dir)` is what the pipeline calls:
1. the period: from the end of the last delivered digest (`since_last`), or from `since`
   (a date, 00:00 UTC), or from the beginning; it ends at `now`;
2. the pooled estimates "now" are the newest pool snapshot; "at the last digest" the
   snapshot that digest reported (with `since`: the newest snapshot made before it);
3. `collect` gathers everything the digest says into a `Digest` (plain data, tested);
4. `evidencebot.digest.render` turns it into HTML (figures embedded) and Markdown;
5. the files are written (digest-YYYY-MM-DD.html/.md, never overwriting an earlier one),
   then e-mailed when EVIDENCEBOT_SMTP_HOST is set, then one `digests` row is stored.
A digest whose e-mail failed is stored as 'mail_failed' and does not count as the last one
for --since-last (the next digest covers its period again); `DigestError` is raised after
the files are written.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

import sqlite_utils

from evidencebot.digest import compare, methods, plots, prisma
from evidencebot.errors import DigestError
from evidencebot.pool.published import load_published_pools
from evidencebot.pool.stage import describe_changes
from evidencebot.protocol import Protocol
from evidencebot.store import transaction

MISSED_SCHEDULE_DAYS = 8.0
DELIVERED = ("written", "sent")


@dataclass
class Figure:
    kind: str            # 'forest' | 'cumulative' | 'prisma'
    title: str
    filename: str        # a stable name for saving the PNG
    png: bytes

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Digest:
    """Everything one digest reports (see the module docstring of each part)."""

    day: date
    created_at: str
    period_start: str | None
    period_end: str
    protocol_title: str
    protocol_version: str
    protocol_sha256: str
    snapshot: dict | None
    previous_snapshot: dict | None
    previous_digest: dict | None
    events: list[compare.Event]
    counts: dict
    new_studies: list[dict]
    changes: list[str]
    estimates: list[compare.EstimateRow]
    prisma_period: prisma.PrismaCounts
    prisma_overall: prisma.PrismaCounts
    awaiting_review: list[dict]
    flagged_records: list[dict]
    searches: list[dict]
    protocol_query: str
    missed_schedule: dict | None
    methods: str
    stale_pool: bool
    not_pooled: list[str] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)

    @property
    def changed_estimates(self) -> list[compare.EstimateRow]:
        return [r for r in self.estimates if r.changed]

    def headline(self) -> list[str]:
        c = self.counts
        lines = [
            f"{c['new_records']} new PubMed records; screened: {c['included']} included, "
            f"{c['excluded']} excluded, {c['review']} to review",
            f"{len(self.new_studies)} new studies; {c['studies_total']} studies in the pool; "
            f"{len(self.changed_estimates)} pooled estimates changed",
            f"{c['awaiting_review']} records awaiting review; {c['machine_rows']} pooled numbers "
            f"machine-extracted and not yet verified",
        ]
        return lines + [e.text for e in self.events]


# --- reading the database ---------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def load_snapshot(db: sqlite_utils.Database, snapshot_id: int | None) -> dict | None:
    """A pool snapshot with its JSON columns decoded (None when absent)."""
    if snapshot_id is None:
        return None
    rows = list(db.query("SELECT * FROM pool_snapshots WHERE id = ?", [snapshot_id]))
    if not rows:
        return None
    snap = rows[0]
    for col in ("settings", "inputs", "results", "changes"):
        snap[col] = json.loads(snap[col])
    return snap


def last_digest(db: sqlite_utils.Database) -> dict | None:
    rows = list(db.query("SELECT * FROM digests WHERE status IN (?, ?) "
                         "ORDER BY period_end DESC, id DESC LIMIT 1", DELIVERED))
    return rows[0] if rows else None


def _latest_snapshot_id(db: sqlite_utils.Database, before: str | None = None) -> int | None:
    if before is None:
        row = db.execute("SELECT max(id) FROM pool_snapshots").fetchone()
    else:
        row = db.execute("SELECT max(id) FROM pool_snapshots WHERE created_at < ?", [before]).fetchone()
    return row[0] if row else None


def _analyses(snap: dict | None) -> list[dict]:
    return [] if snap is None else snap["results"]["analyses"]


def _studies(snap: dict | None) -> set[str]:
    return set() if snap is None else {r["study"] for r in snap["inputs"]["primary"]}


def _titles(db: sqlite_utils.Database, pmids: set[str]) -> dict[str, dict]:
    if not pmids:
        return {}
    marks = ",".join("?" * len(pmids))
    rows = db.query(f"SELECT pmid, title, journal, pub_year, retracted, has_erratum, "
                    f"expression_of_concern FROM records WHERE pmid IN ({marks})", sorted(pmids))
    return {r["pmid"]: r for r in rows}


def new_studies(db: sqlite_utils.Database, now: dict | None, before: dict | None) -> list[dict]:
    """Studies in the current snapshot's inputs that were not in the previous one, each with
    its pooled input rows (extracted numbers, status) and its records (title, PubMed link)."""
    if now is None:
        return []
    old = _studies(before)
    by_study: dict[str, list[dict]] = {}
    for row in now["inputs"]["primary"]:
        if row["study"] not in old:
            by_study.setdefault(row["study"], []).append(row)
    pmids = {p for rows in by_study.values() for r in rows
             for p in ([r.get("pmid")] + list(r.get("pmids") or [])) if p}
    titles = _titles(db, {str(p) for p in pmids})
    out = []
    for study in sorted(by_study):
        rows = sorted(by_study[study], key=lambda r: (r["endpoint"], r["measure"], r.get("arm") or ""))
        study_pmids = sorted({str(p) for r in rows for p in ([r.get("pmid")] + list(r.get("pmids") or []))
                              if p})
        out.append({
            "study": study,
            "year": max((r.get("year") or 0 for r in rows), default=0) or None,
            "statuses": sorted({r["status"] for r in rows}),
            "records": [titles.get(p, {"pmid": p, "title": "", "journal": "", "pub_year": None})
                        for p in study_pmids],
            "rows": rows,
        })
    return out


def awaiting_review(db: sqlite_utils.Database, limit: int = 200) -> list[dict]:
    return list(db.query("""SELECT s.pmid, r.title, r.journal, r.pub_year, s.probability, s.decided_at
                         FROM screening s JOIN records r ON r.pmid = s.pmid
                         WHERE s.decision = 'review'
                         ORDER BY s.probability DESC, s.pmid LIMIT ?""", [limit]))


def flagged_records(db: sqlite_utils.Database, start: str | None, end: str) -> list[dict]:
    """Retracted records, records with an erratum or an expression of concern that the review
    uses or considered (evidence rows, or screened include / review)."""
    rows = list(db.query("""
        SELECT r.pmid, r.title, r.retracted, r.has_erratum, r.expression_of_concern, r.updated_at,
               s.decision,
               (SELECT count(*) FROM evidence e WHERE e.pmid = r.pmid) AS n_evidence,
               (SELECT count(*) FROM evidence e WHERE e.pmid = r.pmid AND e.active = 1) AS n_active
        FROM records r LEFT JOIN screening s ON s.pmid = r.pmid
        WHERE (r.retracted = 1 OR r.has_erratum = 1 OR r.expression_of_concern = 1)
          AND (s.decision IN ('include', 'review')
               OR EXISTS (SELECT 1 FROM evidence e WHERE e.pmid = r.pmid))
        ORDER BY r.retracted DESC, r.updated_at DESC, r.pmid"""))
    for r in rows:
        r["new_in_period"] = (start is None or r["updated_at"] >= start) and r["updated_at"] < end
        r["flags"] = [name for name, col in (("retracted", "retracted"), ("erratum", "has_erratum"),
                                            ("expression of concern", "expression_of_concern"))
                      if r[col]]
    return rows


def retraction_events(flagged: list[dict], now: dict | None, before: dict | None) -> list[compare.Event]:
    """Retractions of records whose numbers were in the review, new in the period."""
    def retracted(snap):
        return {} if snap is None else {x["pmid"]: x["study"] for x in snap["inputs"]["retracted"]}

    fresh = {p: s for p, s in retracted(now).items() if p not in retracted(before)}
    for r in flagged:
        if r["retracted"] and r["new_in_period"] and r["n_evidence"]:
            fresh.setdefault(r["pmid"], None)
    titles = {r["pmid"]: r["title"] for r in flagged}
    return [compare.Event("retraction",
                          f"PMID {p} ({study or 'no pooled study'}) was retracted: "
                          f"its numbers left the pool — {titles.get(p) or 'title not stored'}")
            for p, study in sorted(fresh.items())]


# --- collecting ----------------------------------------------------------------------------


def collect(
    db: sqlite_utils.Database, protocol: Protocol, *, period_start: str | None, period_end: str,
    previous_snapshot_id: int | None, previous_digest: dict | None, day: date | None = None,
    published: list[dict] | None = None, with_figures: bool = True,
) -> Digest:
    """Everything the digest reports, as plain data (figures as PNG bytes)."""
    day = day or datetime.now(UTC).date()
    snap = load_snapshot(db, _latest_snapshot_id(db))
    before = load_snapshot(db, previous_snapshot_id)
    if before is not None and snap is not None and before["id"] == snap["id"]:
        changes: list[str] = []
    elif snap is not None:
        changes = describe_changes(None if before is None else before["inputs"], snap["inputs"])
    else:
        changes = []
    now_analyses, before_analyses = _analyses(snap), _analyses(before)
    published = load_published_pools() if published is None else published
    rows = compare.estimate_rows(now_analyses, before_analyses, published)
    events: list[compare.Event] = []
    if before is not None:  # the first digest has nothing to compare with
        events += compare.threshold_events(rows, protocol.digest.hr_threshold,
                                           protocol.digest.median_threshold_months)
        endpoints = list(dict.fromkeys(a["endpoint"] for a in now_analyses))
        events += compare.longest_median_events(now_analyses, before_analyses, endpoints)
    flagged = flagged_records(db, period_start, period_end)
    events += retraction_events(flagged, snap, before)

    studies_now, studies_before = _studies(snap), _studies(before)
    p_period = prisma.count(db, period_start, period_end, studies_now=studies_now,
                            studies_before=studies_before)
    p_overall = prisma.count(db, None, period_end, studies_now=studies_now,
                             studies_before=studies_before)
    queue = awaiting_review(db)
    n_review = db.execute("SELECT count(*) FROM screening WHERE decision = 'review'").fetchone()[0]
    primary_inputs = snap["inputs"]["primary"] if snap else []
    counts = {
        "new_records": p_period.screened + p_period.not_screened,
        "included": p_period.reports_assessed,
        "excluded": p_period.excluded,
        "review": p_period.awaiting_review,
        "studies_total": len(studies_now),
        "awaiting_review": n_review,
        "machine_rows": sum(1 for r in primary_inputs if r["status"] == "machine"),
    }
    newest_evidence = db.execute("SELECT max(created_at) FROM evidence").fetchone()[0]
    stale = bool(snap and newest_evidence and newest_evidence > snap["created_at"])
    settings = snap["settings"] if snap else {
        k: getattr(protocol.pool, k) for k in ("method", "ci_method", "fallback_method",
                                                "median_scale", "proportion_transform",
                                                "median_without_ci")}
    digest = Digest(
        day=day, created_at=period_end, period_start=period_start, period_end=period_end,
        protocol_title=protocol.title, protocol_version=protocol.version,
        protocol_sha256=protocol.sha256,
        snapshot=None if snap is None else _snapshot_meta(snap),
        previous_snapshot=None if before is None else _snapshot_meta(before),
        previous_digest=previous_digest, events=events, counts=counts,
        new_studies=new_studies(db, snap, before), changes=changes, estimates=rows,
        prisma_period=p_period, prisma_overall=p_overall, awaiting_review=queue,
        flagged_records=flagged, searches=prisma.search_log(db, period_start, period_end),
        protocol_query=protocol.search.query,
        missed_schedule=prisma.missed_schedule(db, MISSED_SCHEDULE_DAYS),
        methods=methods.methods_paragraph(
            settings, now_analyses,
            engine_version=snap["engine_version"] if snap else "no snapshot yet",
            protocol_version=protocol.version, protocol_sha256=protocol.sha256),
        stale_pool=stale,
        not_pooled=[f"{a['endpoint']} {a['measure'].replace('_', ' ')}, {a['regimen']} "
                    f"({', '.join(sorted({x['code'] for x in a.get('excluded', [])})) or 'no data'})"
                    for a in now_analyses if a["analysis"] == "primary" and not a["k"]],
    )
    if with_figures:
        digest.figures = figures(now_analyses, protocol, digest)
    return digest


def _snapshot_meta(snap: dict) -> dict:
    return {"id": snap["id"], "created_at": snap["created_at"],
            "engine_version": snap["engine_version"], "inputs_hash": snap["inputs_hash"]}


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


MEASURE_TITLES = {"median": "median", "hazard_ratio": "hazard ratio", "proportion": "proportion"}


def figures(analyses: list[dict], protocol: Protocol, digest: Digest) -> list[Figure]:
    """Forest and cumulative plots per endpoint x measure (primary analysis), and the PRISMA
    flow diagrams for the period and overall."""
    out: list[Figure] = []
    groups: dict[tuple[str, str], list[dict]] = {}
    for a in analyses:
        if a["analysis"] == "primary":
            groups.setdefault((a["endpoint"], a["measure"]), []).append(a)
    for (endpoint, measure), group in groups.items():
        label = f"{endpoint}, {MEASURE_TITLES.get(measure, measure)}"
        threshold = protocol.digest.median_threshold_months.get(endpoint)
        spec = plots.spec_for(endpoint, measure, title=f"{label}: primary analysis by regimen",
                              hr_threshold=protocol.digest.hr_threshold,
                              median_threshold=threshold)
        png = plots.forest_plot(group, spec)
        if png:
            out.append(Figure("forest", f"Forest plot — {label}",
                              f"forest-{_slug(endpoint)}-{_slug(measure)}.png", png))
        spec = plots.spec_for(endpoint, measure,
                              title=f"{label}: cumulative meta-analysis by publication year",
                              hr_threshold=protocol.digest.hr_threshold, median_threshold=threshold)
        png = plots.cumulative_plot(group, spec)
        if png:
            out.append(Figure("cumulative", f"Cumulative meta-analysis — {label}",
                              f"cumulative-{_slug(endpoint)}-{_slug(measure)}.png", png))
    since = digest.period_start[:10] if digest.period_start else "the start of the review"
    out.append(Figure("prisma", "PRISMA 2020 flow — this period", "prisma-period.png",
                      plots.prisma_diagram(digest.prisma_period.as_dict(),
                                           f"PRISMA 2020 flow: {since} to {digest.period_end[:10]}")))
    out.append(Figure("prisma", "PRISMA 2020 flow — overall", "prisma-overall.png",
                      plots.prisma_diagram(digest.prisma_overall.as_dict(),
                                           f"PRISMA 2020 flow: whole review to {digest.period_end[:10]}")))
    return out


# --- writing --------------------------------------------------------------------------------


def resolve_period(db: sqlite_utils.Database, *, since_last: bool, since: date | None,
                   now: datetime) -> tuple[str | None, int | None, dict | None]:
    """(period start, snapshot reported at the last digest, the last digest row)."""
    if since is not None:
        start = _iso(datetime.combine(since, time(0, 0), tzinfo=UTC))
        return start, _latest_snapshot_id(db, before=start), None
    if since_last:
        previous = last_digest(db)
        if previous is not None:
            return previous["period_end"], previous["snapshot_id"], previous
    return None, None, None


def _free_stem(out_dir: Path, day: date) -> str:
    stem = f"digest-{day.isoformat()}"
    n = 1
    while (out_dir / f"{stem}.html").exists() or (out_dir / f"{stem}.md").exists():
        n += 1
        stem = f"digest-{day.isoformat()}-{n}"
    return stem


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_digest(
    db: sqlite_utils.Database, protocol: Protocol, out_dir: Path, *, since_last: bool = True,
    since: date | None = None, now: datetime | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[Path]:
    """Write the digest (HTML + Markdown) into `out_dir`, e-mail it when SMTP is configured
    in `environ` (default: os.environ), record it; return the files written."""
    from evidencebot.digest import mail, render

    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    if since is not None and since > now.date():
        raise DigestError(f"--since {since.isoformat()} is in the future; give a past date")
    end = _iso(now)
    start, previous_snapshot_id, previous = resolve_period(db, since_last=since_last, since=since,
                                                          now=now)
    digest = collect(db, protocol, period_start=start, period_end=end,
                     previous_snapshot_id=previous_snapshot_id, previous_digest=previous,
                     day=now.date())
    html, markdown = render.render_html(digest), render.render_markdown(digest)
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        stem = _free_stem(out_dir, digest.day)
        paths = [out_dir / f"{stem}.html", out_dir / f"{stem}.md"]
        _write(paths[0], html)
        _write(paths[1], markdown)
    except OSError as exc:
        raise DigestError(f"cannot write the digest into {str(out_dir)!r}: {exc}") from None

    status, error, recipients = "written", None, 0
    try:
        settings = mail.settings_from_env(os.environ if environ is None else environ)
        if settings is not None:
            recipients = mail.send(settings, subject=render.subject(digest), body=markdown,
                                   attachment=paths[0])
            status = "sent"
    except DigestError as exc:
        status, error = "mail_failed", str(exc)
    with transaction(db):
        db["digests"].insert({
            "created_at": end, "period_start": start, "period_end": end,
            "snapshot_id": None if digest.snapshot is None else digest.snapshot["id"],
            "previous_snapshot_id": previous_snapshot_id,
            "files": json.dumps([str(p) for p in paths]),
            "headline": json.dumps(digest.headline()),
            "status": status, "recipients": recipients, "error": error,
        })
    if error:
        raise DigestError(f"digest written to {paths[0]} but not e-mailed: {error}")
    return paths
