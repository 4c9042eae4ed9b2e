"""The screening stage: decide every record that has no decision yet, or whose content changed.

Rules:
* a record without a screening row, or whose `content_hash` differs from the one screened, is
  (re)scored — unless its current decision is a person's (decided_by LIKE 'review:%'), which
  the model never overwrites;
* retracted records and retraction notices are excluded without scoring (reason 'retracted'
  and 'secondary'); a model decision on a record that has since been retracted is replaced;
* decisions are stored with decided_by 'model:<version>', one transaction per batch, and
  every write is audited (actor 'screen:<version>').
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from evidencebot.protocol import Protocol
from evidencebot.screen.features import make_input
from evidencebot.screen.screener import Screener, load_screener
from evidencebot.store import audit, now_iso, transaction

BATCH_SIZE = 500
RETRACTED_REASON = "retracted"
RETRACTION_NOTICE_REASON = "secondary"

_CANDIDATES = """
SELECT r.pmid, r.title, r.abstract, r.publication_types, r.mesh_terms, r.content_hash,
       r.retracted, r.is_retraction_notice,
       s.pmid AS s_pmid, s.decision AS s_decision, s.probability AS s_probability,
       s.reason AS s_reason, s.decided_by AS s_decided_by, s.content_hash AS s_content_hash,
       s.model_version AS s_model_version
FROM records r LEFT JOIN screening s ON s.pmid = r.pmid
WHERE s.pmid IS NULL
   OR (s.decided_by NOT LIKE 'review:%'
       AND (s.content_hash IS NOT r.content_hash
            OR ((r.retracted = 1 OR r.is_retraction_notice = 1)
                AND (s.decision != 'exclude' OR s.reason IS NULL
                     OR s.reason NOT IN ('retracted', 'secondary')))))
ORDER BY r.pmid
"""
_KEPT_BY_PERSON = """
SELECT COUNT(*) FROM records r JOIN screening s ON s.pmid = r.pmid
WHERE s.decided_by LIKE 'review:%' AND s.content_hash IS NOT r.content_hash
"""


@dataclass
class ScreenOutcome:
    """What one screening run did."""

    model_version: str = ""
    scored: int = 0
    included: int = 0
    excluded: int = 0
    review: int = 0
    retracted: int = 0
    rescored_changed: int = 0
    kept_reviewer_decisions: int = 0
    batches: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"screened {self.scored} records with {self.model_version}: {self.included} include, "
            f"{self.review} review, {self.excluded} exclude ({self.retracted} retracted or notices); "
            f"{self.rescored_changed} re-screened after a change; "
            f"{self.kept_reviewer_decisions} changed records kept their reviewer's decision"
        )


def run(db: sqlite_utils.Database, protocol: Protocol, screener: Screener | None = None) -> ScreenOutcome:
    """Screen every record that needs it; see the module docstring."""
    screener = screener or load_screener(protocol.screen.model)
    outcome = ScreenOutcome(model_version=screener.model_version)
    outcome.kept_reviewer_decisions = int(db.execute(_KEPT_BY_PERSON).fetchone()[0])
    for batch in _batches(db):
        _screen_batch(db, screener, batch, outcome)
        outcome.batches += 1
    return outcome


def _batches(db: sqlite_utils.Database) -> Iterator[list[dict[str, Any]]]:
    # Read all candidates first: writing while a SELECT cursor is open over the same rows
    # would make the result depend on SQLite's visiting order.
    rows = list(db.query(_CANDIDATES))
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


def _screen_batch(
    db: sqlite_utils.Database, screener: Screener, rows: list[dict[str, Any]], outcome: ScreenOutcome
) -> None:
    to_score = [r for r in rows if not (r["retracted"] or r["is_retraction_notice"])]
    decisions = screener.decide_many(
        make_input(r["title"], r["abstract"], r["publication_types"], r["mesh_terms"]) for r in to_score
    )
    by_pmid = {r["pmid"]: d for r, d in zip(to_score, decisions, strict=True)}
    version = screener.model_version
    at = now_iso()
    with transaction(db):
        for r in rows:
            d = by_pmid.get(r["pmid"])
            if d is None:
                reason = RETRACTED_REASON if r["retracted"] else RETRACTION_NOTICE_REASON
                cue = "record:retracted" if r["retracted"] else "record:retraction_notice"
                meta = make_input("", "", r["publication_types"], r["mesh_terms"])
                has_meta = bool(meta.publication_types or meta.mesh_terms)
                row = _row(r, "exclude", None, reason, [(cue, 0.0)], has_meta, version, at)
                outcome.retracted += 1
            else:
                row = _row(r, d.decision, d.probability, d.reason, d.cues, d.has_metadata, version, at)
            before = None
            if r["s_pmid"] is not None:
                before = {
                    k[2:]: r[k]
                    for k in (
                        "s_decision",
                        "s_probability",
                        "s_reason",
                        "s_decided_by",
                        "s_content_hash",
                        "s_model_version",
                    )
                }
                outcome.rescored_changed += 1
            db["screening"].upsert(row, pk="pmid")
            audit(
                db,
                f"screen:{version}",
                "screen",
                table_name="screening",
                row_key=r["pmid"],
                before=before,
                after={k: row[k] for k in ("decision", "probability", "reason", "content_hash")},
                reason="content changed" if before else None,
            )
            outcome.scored += 1
            key = {"include": "included", "exclude": "excluded", "review": "review"}[row["decision"]]
            setattr(outcome, key, getattr(outcome, key) + 1)
            if row["decision"] == "exclude" and row["reason"]:
                outcome.by_reason[row["reason"]] = outcome.by_reason.get(row["reason"], 0) + 1


def _row(
    r: dict[str, Any],
    decision: str,
    probability: float | None,
    reason: str | None,
    cues: list[tuple[str, float]],
    has_metadata: bool,
    version: str,
    at: str,
) -> dict[str, Any]:
    return {
        "pmid": r["pmid"],
        "decision": decision,
        "probability": None if probability is None else round(float(probability), 6),
        "reason": reason,
        "cues": json.dumps([[name, weight] for name, weight in cues]),
        "has_metadata": int(bool(has_metadata)),
        "model_version": version,
        "decided_by": f"model:{version}",
        "decided_at": at,
        "content_hash": r["content_hash"],
    }
