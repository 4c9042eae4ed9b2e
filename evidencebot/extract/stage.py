"""The extraction stage: numbers from included (and to-review) records into `evidence`.

Rules:
* a record is extracted when its screening decision is 'include' or 'review', it is not
  retracted, and it has no `extractions` row for this extractor version and its current
  content_hash;
* one transaction per record: that record's active `machine` rows are set inactive, the new
  rows are inserted (status 'machine', source 'extract:<version>'), the `extractions` row is
  written and one audit row records what happened;
* `verified` rows (a maintainer's corrections) are never touched, and a machine row that
  would repeat an active verified row's (endpoint, measure, regimen, arm, subgroup) — or a
  row a reviewer deleted as wrong — is not inserted, so a re-extraction never shadows a
  correction nor brings back a deleted value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from evidencebot.extract import extract_abstract, extractor_version
from evidencebot.extract.model import Extraction
from evidencebot.protocol import Protocol
from evidencebot.store import audit, now_iso, transaction

_CANDIDATES = """
SELECT r.pmid, r.title, r.abstract, r.content_hash, r.registry_ids, r.pub_year, r.retracted
FROM records r JOIN screening s ON s.pmid = r.pmid
LEFT JOIN extractions x ON x.pmid = r.pmid
WHERE s.decision IN ('include', 'review')
  AND (x.pmid IS NULL OR x.extractor_version != ? OR x.content_hash != r.content_hash)
ORDER BY r.pmid
"""


@dataclass
class ExtractOutcome:
    """What one extraction run did."""

    extractor_version: str = ""
    extracted: int = 0
    skipped_retracted: int = 0
    outcomes: int = 0
    hazard_ratios: int = 0
    toxicities: int = 0
    deactivated: int = 0
    kept_verified: int = 0
    flagged_records: int = 0
    pmids: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.extracted} records extracted with {self.extractor_version}: "
            f"{self.outcomes} outcomes, {self.hazard_ratios} hazard ratios, "
            f"{self.toxicities} toxicities; {self.flagged_records} flagged for review; "
            f"{self.deactivated} earlier machine rows superseded; "
            f"{self.kept_verified} kept as verified; {self.skipped_retracted} retracted skipped"
        )


def _study(pmid: str, registry_ids: list[str], title: str, abstract: str) -> str:
    try:
        from evidencebot.pool.studies import study_key
    except ImportError:  # the pool package is optional for extraction
        return f"pmid:{pmid}"
    return study_key(registry_ids, title, abstract) or f"pmid:{pmid}"


def _rows(
    ex: Extraction, pmid: str, study: str, version: str, year: int | None, registry: str | None
) -> list[dict[str, Any]]:
    created = now_iso()
    base = {
        "pmid": pmid,
        "study": study,
        "status": "machine",
        "source": f"extract:{version}",
        "year": year,
        "registry": registry,
        "active": 1,
        "created_at": created,
        "arm": "",
        "regimen": None,
        "n": None,
        "unit": None,
        "value_months": None,
        "not_reached": 0,
        "ci_level": None,
        "ci_low": None,
        "ci_high": None,
        "ci_high_not_reached": 0,
        "comparison": None,
        "p_value": None,
        "subgroup": None,
        "note": None,
        "flags": "[]",
    }

    def flags_for(span: tuple[int, int]) -> str:
        return json.dumps([f.to_dict() for f in ex.flags if f.span == tuple(span)], sort_keys=True)

    rows = []
    for o in ex.outcomes:
        rows.append(
            {
                **base,
                "arm": o.arm or "",
                "regimen": o.regimen,
                "n": o.n,
                "endpoint": o.endpoint,
                "measure": "median" if o.statistic == "median" else "rate",
                "value": o.value,
                "unit": o.unit,
                "value_months": o.value_months,
                "not_reached": int(o.not_reached),
                "ci_level": o.ci_level,
                "ci_low": o.ci_low,
                "ci_high": o.ci_high,
                "ci_high_not_reached": int(o.ci_high_not_reached),
                "subgroup": o.subgroup,
                "span_start": o.span[0],
                "span_end": o.span[1],
                "confidence": o.confidence,
                "flags": flags_for(o.span),
                "note": json.dumps({"timepoint_months": o.timepoint_months})
                if o.timepoint_months is not None
                else None,
            }
        )
    for h in ex.hazard_ratios:
        rows.append(
            {
                **base,
                "arm": "",
                "regimen": None,
                "endpoint": h.endpoint or "unknown",
                "measure": "hazard_ratio",
                "value": h.value,
                "ci_level": h.ci_level,
                "ci_low": h.ci_low,
                "ci_high": h.ci_high,
                "comparison": h.comparison,
                "p_value": h.p_value,
                "subgroup": h.subgroup,
                "span_start": h.span[0],
                "span_end": h.span[1],
                "confidence": h.confidence,
                "flags": flags_for(h.span),
            }
        )
    for t in ex.toxicities:
        rows.append(
            {
                **base,
                "arm": t.arm or "",
                "regimen": t.regimen,
                "endpoint": t.endpoint,
                "measure": "proportion",
                "value": t.proportion,
                "unit": "proportion",
                "span_start": t.span[0],
                "span_end": t.span[1],
                "confidence": t.confidence,
                "flags": "[]",
            }
        )
    return rows


def _key(row: dict[str, Any]) -> tuple:
    return (row["endpoint"], row["measure"], row.get("regimen"), row.get("arm") or "", row.get("subgroup"))


def run(db: sqlite_utils.Database, protocol: Protocol) -> ExtractOutcome:
    """Extract every included/review record not yet extracted by this version at its content."""
    version = extractor_version(protocol)
    out = ExtractOutcome(extractor_version=version)
    candidates = db.execute(_CANDIDATES, [version]).fetchall()
    for pmid, title, abstract, content_hash, registry_json, pub_year, retracted in candidates:
        if retracted:
            out.skipped_retracted += 1
            continue
        registry_ids = json.loads(registry_json or "[]")
        ex = extract_abstract(abstract or "", protocol, title=title or "")
        study = _study(pmid, registry_ids, title or "", abstract or "")
        rows = _rows(ex, pmid, study, version, pub_year, registry_ids[0] if registry_ids else None)
        with transaction(db):
            # A reviewer settled these: values they verified, and values they deleted as
            # wrong. A re-extraction must bring neither back.
            verified = {
                (r[0], r[1], r[2], r[3] or "", r[4])
                for r in db.execute(
                    "SELECT endpoint, measure, regimen, arm, subgroup FROM evidence "
                    "WHERE pmid = ? AND status = 'verified' AND active = 1 "
                    "UNION SELECT e.endpoint, e.measure, e.regimen, e.arm, e.subgroup "
                    "FROM review_deletions d JOIN evidence e ON e.id = d.evidence_id "
                    "WHERE e.pmid = ?",
                    [pmid, pmid],
                ).fetchall()
            }
            kept = [r for r in rows if _key(r) not in verified]
            cur = db.execute(
                "UPDATE evidence SET active = 0 WHERE pmid = ? AND status = 'machine' AND active = 1", [pmid]
            )
            deactivated = cur.rowcount
            if kept:
                db["evidence"].insert_all(kept)
            flags = [f.to_dict() for f in ex.flags]
            db["extractions"].upsert(
                {
                    "pmid": pmid,
                    "extractor_version": version,
                    "content_hash": content_hash,
                    "extracted_at": now_iso(),
                    "n_outcomes": len(ex.outcomes),
                    "n_hazard_ratios": len(ex.hazard_ratios),
                    "n_toxicities": len(ex.toxicities),
                    "flags": json.dumps(flags, sort_keys=True),
                },
                pk="pmid",
            )
            audit(
                db,
                f"extract:{version}",
                "extract",
                table_name="evidence",
                row_key=pmid,
                before={"active_machine_rows": deactivated},
                after={
                    "inserted": len(kept),
                    "outcomes": len(ex.outcomes),
                    "hazard_ratios": len(ex.hazard_ratios),
                    "toxicities": len(ex.toxicities),
                    "kept_verified": len(rows) - len(kept),
                    "content_hash": content_hash,
                    "flags": sorted({f["code"] for f in flags}),
                },
            )
        out.extracted += 1
        out.outcomes += len(ex.outcomes)
        out.hazard_ratios += len(ex.hazard_ratios)
        out.toxicities += len(ex.toxicities)
        out.deactivated += deactivated
        out.kept_verified += len(rows) - len(kept)
        out.flagged_records += bool(ex.flags)
        out.pmids.append(pmid)
    return out
