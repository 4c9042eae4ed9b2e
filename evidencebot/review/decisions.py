"""Reviewer decisions: pure validation, then the writes, one transaction per save.

A save is a list of operations (`Decide`, `Correct`, `Add`, `Delete`, `Link`, `Dismiss`,
`Note`). `validate_*` functions are pure and raise ReviewError naming the bad value;
`apply(db, ops, reviewer, origin)` writes every operation in one transaction (any error:
nothing is saved), audits each change with before/after values, and then re-pools once
(`repool`). An operation that would change nothing is skipped, so applying the same
decisions twice changes nothing.

Rules the writes keep:
* screening: decided_by 'review:<who>', reason set on exclusions; probability, cues and
  model_version stay, so the queue and training can still tell which model flagged it;
* evidence rows are never edited in place: a correction inserts a new row (status
  'verified', source 'review:<who>') and sets the old row active = 0, superseded_by = new id;
  a deletion sets active = 0 and is listed in review_deletions;
* excluding a record withholds its active machine/verified rows from the pool
  (review_withheld); including it again restores them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from evidencebot.corpus import REASONS
from evidencebot.errors import EvidencebotError, ReviewError
from evidencebot.seed import UNIT_TO_MONTHS
from evidencebot.store import audit, now_iso, transaction

DECISIONS = ("include", "exclude", "unsure")
SCREENING_DECISION = {"include": "include", "exclude": "exclude", "unsure": "review"}
MEASURES = ("median", "hazard_ratio", "proportion", "rate")
UNITS = {"median": ("months", "weeks", "days", "years"), "rate": ("percent",),
         "proportion": ("proportion",), "hazard_ratio": ()}
KEY_FIELDS = ("endpoint", "measure", "arm", "regimen", "subgroup", "comparison")
VALUE_FIELDS = ("n", "value", "unit", "not_reached", "ci_low", "ci_high", "ci_high_not_reached")
EDITABLE = KEY_FIELDS + VALUE_FIELDS
NR_WORDS = {"nr", "not reached", "n/r", "ne", "not estimable"}
_REVIEWER = re.compile(r"^[A-Za-z0-9_.@+-]{1,64}$")
_ENDPOINT = re.compile(r"^[A-Za-z][A-Za-z0-9_+]{0,39}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_TEXT = 200
MAX_NOTE = 4000


# --- pure validation ----------------------------------------------------------------------


def validate_reviewer(name: str | None) -> str:
    """'alice' -> 'review:alice'; refuses names that would be ambiguous in audit rows."""
    name = (name or "").strip()
    if name.startswith("review:"):
        name = name[len("review:"):]
    if not _REVIEWER.match(name):
        raise ReviewError(f"reviewer name {name!r} is not valid: use 1-64 letters, digits or . _ @ + -")
    return f"review:{name}"


def validate_decision(decision: str | None, reason: str | None) -> tuple[str, str | None]:
    """(decision, reason): exclusions need a PRISMA reason; other decisions take none."""
    decision = (decision or "").strip().lower()
    reason = (reason or "").strip() or None
    if decision not in DECISIONS:
        raise ReviewError(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if decision == "exclude":
        if reason is None:
            raise ReviewError(f"an exclusion needs a reason: one of {', '.join(sorted(REASONS))}")
        if reason not in REASONS:
            raise ReviewError(f"unknown exclusion reason {reason!r}: use one of {', '.join(sorted(REASONS))}")
    elif reason is not None:
        raise ReviewError(f"only exclusions take a reason (got {reason!r} for {decision!r})")
    return decision, reason


def clean_text(value: Any, name: str, limit: int = MAX_TEXT, multiline: bool = False) -> str | None:
    """Stripped text or None; refuses control characters (and line breaks unless
    `multiline`) and over-long text."""
    if value is None:
        return None
    text = str(value).replace("\r\n", "\n").strip()
    if not text:
        return None
    if _CONTROL.search(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise ReviewError(f"{name} contains a control character; retype it")
    if len(text) > limit:
        raise ReviewError(f"{name} is {len(text)} characters long; the limit is {limit}")
    return text


def _number(raw: Any, name: str) -> float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ReviewError(f"{name} {raw!r} is not a number")
    try:
        value = float(raw.strip()) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        raise ReviewError(f"{name} {str(raw)!r} is not a number (write it like 5.2)") from None
    if not math.isfinite(value):
        raise ReviewError(f"{name} {str(raw)!r} is not a finite number")
    return value


def _is_nr(raw: Any) -> bool:
    return isinstance(raw, str) and raw.strip().lower() in NR_WORDS


def _flag(raw: Any) -> int:
    if isinstance(raw, str):
        return int(raw.strip().lower() in {"1", "true", "yes", "on"})
    return int(bool(raw))


def parse_fields(raw: Mapping[str, Any], protocol: Any = None) -> dict[str, Any]:
    """Typed values for the editable fields present in `raw` (form or file strings).

    `value` and `ci_high` accept "NR" (not reached). Unknown keys are ignored."""
    out: dict[str, Any] = {}
    if "endpoint" in raw:
        endpoint = clean_text(raw["endpoint"], "endpoint")
        if endpoint is None or not _ENDPOINT.match(endpoint):
            raise ReviewError(f"endpoint {raw['endpoint']!r} is not valid: write e.g. PFS, OS, ORR")
        out["endpoint"] = endpoint
    if "measure" in raw:
        measure = (str(raw["measure"] or "")).strip()
        if measure not in MEASURES:
            raise ReviewError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
        out["measure"] = measure
    for name in ("arm", "subgroup", "comparison"):
        if name in raw:
            out[name] = clean_text(raw[name], name)
    if "arm" in out:
        out["arm"] = out["arm"] or ""
    if "regimen" in raw:
        regimen = clean_text(raw["regimen"], "regimen")
        if regimen is not None and protocol is not None:
            family = protocol.normalise_regimen(regimen)
            if family is None:
                raise ReviewError(f"unknown regimen {regimen!r}: use a family or spelling from the "
                                  "protocol's [regimens], or leave it empty")
            regimen = family
        out["regimen"] = regimen
    if "n" in raw:
        n = _number(raw["n"], "n")
        if n is not None and (n != int(n) or n < 1):
            raise ReviewError(f"n {raw['n']!r} must be a whole number of patients (1 or more)")
        out["n"] = None if n is None else int(n)
    if "value" in raw:
        if _is_nr(raw["value"]):
            out["value"], out["not_reached"] = None, 1
        else:
            out["value"] = _number(raw["value"], "value")
            out["not_reached"] = _flag(raw.get("not_reached", 0))
    elif "not_reached" in raw:
        out["not_reached"] = _flag(raw["not_reached"])
    if "ci_low" in raw:
        out["ci_low"] = _number(raw["ci_low"], "CI low")
    if "ci_high" in raw:
        if _is_nr(raw["ci_high"]):
            out["ci_high"], out["ci_high_not_reached"] = None, 1
        else:
            out["ci_high"] = _number(raw["ci_high"], "CI high")
            out["ci_high_not_reached"] = _flag(raw.get("ci_high_not_reached", 0))
    if "unit" in raw:
        out["unit"] = clean_text(raw["unit"], "unit")
    return out


def check_row(row: Mapping[str, Any]) -> None:
    """Cross-field checks on a complete evidence row (after merging an edit)."""
    measure, value = row.get("measure"), row.get("value")
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if not row.get("endpoint"):
        raise ReviewError("endpoint is missing: write e.g. PFS, OS, ORR")
    if measure not in MEASURES:
        raise ReviewError(f"measure {measure!r} is not one of {', '.join(MEASURES)}")
    if value is None and not (measure == "median" and row.get("not_reached")):
        raise ReviewError("value is missing (write a number, or NR for a median not reached)")
    if row.get("not_reached") and measure != "median":
        raise ReviewError(f"only medians can be 'not reached' (this is a {measure})")
    if lo is not None and hi is not None and lo > hi:
        raise ReviewError(f"CI low {lo:g} is greater than CI high {hi:g}; swap them or fix the typo")
    if value is not None:
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ReviewError(f"value {value:g} lies outside its CI [{_g(lo)}, {_g(hi)}]")
    units = UNITS[measure]
    unit = row.get("unit")
    if units and unit not in units:
        raise ReviewError(f"unit {unit!r} does not fit a {measure}: use {', '.join(units)}")
    if not units and unit:
        raise ReviewError(f"a {measure} has no unit (got {unit!r}); leave it empty")
    limits = {"median": (0.0, None), "hazard_ratio": (0.0, None), "proportion": (0.0, 1.0),
              "rate": (0.0, 100.0)}[measure]
    for name, number in (("value", value), ("CI low", lo), ("CI high", hi)):
        if number is None:
            continue
        low_limit, high_limit = limits
        if number < low_limit or (measure == "hazard_ratio" and number == 0):
            raise ReviewError(f"{name} {number:g} is out of range for a {measure} (must be > 0)"
                              if measure == "hazard_ratio" else
                              f"{name} {number:g} is out of range for a {measure} (negative)")
        if high_limit is not None and number > high_limit:
            raise ReviewError(f"{name} {number:g} is out of range for a {measure} "
                              f"(0 to {high_limit:g}{' %' if measure == 'rate' else ''})")


def _g(x: float | None) -> str:
    return "–" if x is None else f"{x:g}"


# --- operations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Decide:
    """Include / exclude (with a PRISMA reason) / unsure a record."""

    pmid: str
    decision: str
    reason: str | None = None


@dataclass(frozen=True)
class Correct:
    """Replace evidence row `evidence_id` by a verified copy with `fields` changed."""

    evidence_id: int
    fields: dict = field(default_factory=dict)
    why: str | None = None


@dataclass(frozen=True)
class Add:
    """A value the extractor missed, as a verified row of record `pmid`."""

    pmid: str
    fields: dict = field(default_factory=dict)
    why: str | None = None


@dataclass(frozen=True)
class Delete:
    """Take evidence row `evidence_id` out of the pool (a wrong extraction)."""

    evidence_id: int
    why: str | None = None


@dataclass(frozen=True)
class Link:
    """Record `pmid` reports the study `same_as` (a registry id, acronym or seed study)."""

    pmid: str
    same_as: str
    why: str | None = None


@dataclass(frozen=True)
class Dismiss:
    """Set a duplicate or retraction flag aside."""

    kind: str
    item_key: str
    pmid: str
    why: str | None = None


@dataclass(frozen=True)
class Note:
    pmid: str
    text: str


Operation = Decide | Correct | Add | Delete | Link | Dismiss | Note


@dataclass
class SaveResult:
    """What a save did: the review_saves id, the changes (empty: nothing to do), the pool
    snapshots before and after, and the pool's error message if re-pooling failed."""

    save_id: int | None
    changes: list[str]
    snapshot_before: int | None = None
    snapshot_after: int | None = None
    pool_changes: list[str] = field(default_factory=list)
    pool_error: str | None = None


# --- reads the writes need ----------------------------------------------------------------


def record(db: sqlite_utils.Database, pmid: str) -> dict:
    row = next(db.query("SELECT * FROM records WHERE pmid = ?", [pmid]), None)
    if row is None:
        raise ReviewError(f"no record with PMID {pmid!r} in the database")
    return row


def record_study(db: sqlite_utils.Database, pmid: str) -> str:
    """The study key of a record: that of its evidence rows, else derived as the extractor does."""
    row = next(db.query("SELECT study FROM evidence WHERE pmid = ? AND status != 'seed' "
                        "ORDER BY active DESC, id LIMIT 1", [pmid]), None)
    if row:
        return row["study"]
    rec = record(db, pmid)
    from evidencebot.pool.studies import study_key

    key = study_key(json.loads(rec["registry_ids"] or "[]"), rec["title"], rec["abstract"])
    return key or f"pmid:{pmid}"


def known_studies(db: sqlite_utils.Database) -> list[str]:
    """Study keys a record can be linked to: every study in evidence, links and acronyms."""
    from evidencebot.pool.studies import KNOWN_ACRONYMS

    keys = {r[0] for r in db.execute("SELECT DISTINCT study FROM evidence").fetchall()}
    keys |= {r[0] for r in db.execute("SELECT DISTINCT registry FROM evidence WHERE registry IS NOT NULL "
                                      "AND registry != ''").fetchall()}
    for a, b in db.execute("SELECT study, same_as FROM study_links").fetchall():
        keys |= {a, b}
    keys |= set(KNOWN_ACRONYMS)
    return sorted(keys, key=lambda k: (k.startswith("pmid:"), k.lower()))


def latest_snapshot(db: sqlite_utils.Database) -> int | None:
    row = db.execute("SELECT max(id) FROM pool_snapshots").fetchone()
    return None if row is None else row[0]


# --- the writes ---------------------------------------------------------------------------


def _evidence_view(row: Mapping[str, Any]) -> dict:
    return {k: row.get(k) for k in ("id", "pmid", "study", "status", "source", *EDITABLE)}


def _value_months(row: Mapping[str, Any]) -> float | None:
    if row.get("measure") != "median" or row.get("value") is None:
        return None
    return row["value"] * UNIT_TO_MONTHS.get(row.get("unit") or "months", 1.0)


def _decide(db, op: Decide, who: str) -> list[str]:
    decision, reason = validate_decision(op.decision, op.reason)
    rec = record(db, op.pmid)
    before = next(db.query("SELECT * FROM screening WHERE pmid = ?", [op.pmid]), None)
    target = SCREENING_DECISION[decision]
    if (before and before["decision"] == target and before["reason"] == reason
            and str(before["decided_by"]).startswith("review:")):
        return []
    at = now_iso()
    row = {
        "pmid": op.pmid, "decision": target, "reason": reason,
        "probability": before["probability"] if before else None,
        "cues": before["cues"] if before else "[]",
        "has_metadata": before["has_metadata"] if before else 1,
        "model_version": before["model_version"] if before else None,
        "decided_by": who, "decided_at": at, "content_hash": rec["content_hash"],
    }
    db["screening"].upsert(row, pk="pmid")
    keep = ("decision", "reason", "decided_by", "probability", "model_version")
    audit(db, who, "review_decide", table_name="screening", row_key=op.pmid,
          before=None if before is None else {k: before[k] for k in keep},
          after={k: row[k] for k in keep}, reason=reason)
    changes = [f"PMID {op.pmid}: {decision}" + (f" ({reason})" if reason else "")
               + (f", was {before['decision']} by {before['decided_by']}" if before else "")]
    if decision == "exclude":
        ids = [r[0] for r in db.execute(
            "SELECT id FROM evidence WHERE pmid = ? AND active = 1 AND status IN ('machine', 'verified')",
            [op.pmid]).fetchall()]
        for eid in ids:
            db.execute("UPDATE evidence SET active = 0 WHERE id = ?", [eid])
            db["review_withheld"].insert({"evidence_id": eid, "pmid": op.pmid, "withheld_by": who,
                                          "created_at": at}, replace=True)
        if ids:
            audit(db, who, "review_withhold", table_name="evidence", row_key=op.pmid,
                  before={"active": ids}, after={"withheld": ids}, reason=f"record excluded ({reason})")
            changes.append(f"PMID {op.pmid}: {len(ids)} extracted value(s) withheld from the pool")
    else:
        ids = [r[0] for r in db.execute(
            "SELECT w.evidence_id FROM review_withheld w JOIN evidence e ON e.id = w.evidence_id "
            "WHERE w.pmid = ? AND e.superseded_by IS NULL ORDER BY w.evidence_id", [op.pmid]).fetchall()]
        for eid in ids:
            db.execute("UPDATE evidence SET active = 1 WHERE id = ?", [eid])
        db.execute("DELETE FROM review_withheld WHERE pmid = ?", [op.pmid])
        if ids:
            audit(db, who, "review_restore", table_name="evidence", row_key=op.pmid,
                  before={"withheld": ids}, after={"active": ids}, reason=f"record {decision}d")
            changes.append(f"PMID {op.pmid}: {len(ids)} withheld value(s) back in the pool")
    return changes


def _live_evidence(db, evidence_id: int) -> dict:
    row = next(db.query("SELECT * FROM evidence WHERE id = ?", [evidence_id]), None)
    if row is None:
        raise ReviewError(f"no evidence row {evidence_id}")
    if not row["active"] or row["superseded_by"] is not None:
        raise ReviewError(f"evidence row {evidence_id} is no longer current (superseded or deleted); "
                          "reload the page")
    return row


def _correct(db, op: Correct, who: str, protocol: Any) -> list[str]:
    old = _live_evidence(db, op.evidence_id)
    fields = parse_fields(op.fields, protocol)
    new = {**old, **fields}
    check_row(new)
    if old["status"] == "verified" and all(old.get(k) == new.get(k) for k in EDITABLE):
        return []
    why = clean_text(op.why, "reason", MAX_NOTE, multiline=True)
    at = now_iso()
    new.pop("id")
    new.update({"status": "verified", "source": who, "value_months": _value_months(new),
                "flags": "[]", "confidence": None, "active": 1, "superseded_by": None,
                "created_at": at, "note": why or old.get("note")})
    new_id = db["evidence"].insert(new).last_pk
    db.execute("UPDATE evidence SET active = 0, superseded_by = ? WHERE id = ?", [new_id, old["id"]])
    audit(db, who, "review_correct", table_name="evidence", row_key=f"{old['id']}->{new_id}",
          before=_evidence_view(old), after=_evidence_view({**new, "id": new_id}), reason=why)
    diff = [f"{k} {_show(old.get(k))} → {_show(new.get(k))}" for k in EDITABLE if old.get(k) != new.get(k)]
    what = ", ".join(diff) if diff else "confirmed as extracted"
    return [f"PMID {old['pmid']}: {old['endpoint']} {old['measure']} {old['arm'] or old['regimen'] or ''} "
            f"row {old['id']} verified as row {new_id}: {what}".replace("  ", " ")]


def _show(x: Any) -> str:
    if x is None or x == "":
        return "–"
    return f"{x:g}" if isinstance(x, float) else str(x)


def with_defaults(fields: dict) -> dict:
    """A new value's measure (median) and unit (months / percent / proportion) when not given."""
    out = {"measure": "median", **fields}
    default_unit = {"median": "months", "rate": "percent", "proportion": "proportion"}
    if out["measure"] in default_unit:
        out["unit"] = out.get("unit") or default_unit[out["measure"]]
    return out


def _add(db, op: Add, who: str, protocol: Any) -> list[str]:
    rec = record(db, op.pmid)
    fields = with_defaults(parse_fields(op.fields, protocol))
    registry_ids = json.loads(rec["registry_ids"] or "[]")
    row = {"pmid": op.pmid, "study": record_study(db, op.pmid), "status": "verified", "source": who,
           "year": rec["pub_year"], "registry": registry_ids[0] if registry_ids else None,
           "arm": "", "not_reached": 0, "ci_high_not_reached": 0, **fields}
    check_row(row)
    for existing in list(db.query("SELECT * FROM evidence WHERE pmid = ? AND active = 1", [op.pmid])):
        if all((existing.get(k) or None) == (row.get(k) or None) for k in EDITABLE):
            if existing["status"] == "verified":
                return []
            raise ReviewError(f"PMID {op.pmid} already has this value as row {existing['id']}; "
                              "correct that row instead")
    why = clean_text(op.why, "reason", MAX_NOTE, multiline=True)
    row.update({"value_months": _value_months(row), "flags": "[]", "active": 1,
                "created_at": now_iso(), "note": why})
    new_id = db["evidence"].insert(row).last_pk
    audit(db, who, "review_add", table_name="evidence", row_key=str(new_id),
          after=_evidence_view({**row, "id": new_id}), reason=why)
    return [f"PMID {op.pmid}: added {row['endpoint']} {row['measure']} {_show(row.get('value'))} "
            f"({row.get('arm') or row.get('regimen') or 'no arm'}) as row {new_id}"]


def _delete(db, op: Delete, who: str) -> list[str]:
    old = _live_evidence(db, op.evidence_id)
    why = clean_text(op.why, "reason", MAX_NOTE, multiline=True)
    db.execute("UPDATE evidence SET active = 0 WHERE id = ?", [old["id"]])
    db["review_deletions"].insert({"evidence_id": old["id"], "pmid": old["pmid"], "deleted_by": who,
                                   "reason": why, "created_at": now_iso()}, replace=True)
    audit(db, who, "review_delete", table_name="evidence", row_key=str(old["id"]),
          before=_evidence_view(old), after={"active": 0}, reason=why)
    return [f"PMID {old['pmid']}: deleted row {old['id']} ({old['endpoint']} {old['measure']} "
            f"{_show(old['value'])})"]


def _link(db, op: Link, who: str) -> list[str]:
    record(db, op.pmid)
    same_as = clean_text(op.same_as, "study")
    if same_as is None:
        raise ReviewError("say which study this record reports (a registry id, acronym or study name)")
    known = known_studies(db)
    if same_as not in known:
        lower = {k.lower(): k for k in known}
        if same_as.lower() not in lower:
            raise ReviewError(f"unknown study {same_as!r}: use one of the known studies "
                              f"(e.g. {', '.join(k for k in known if not k.startswith('pmid:'))[:300]})")
        same_as = lower[same_as.lower()]
    study = record_study(db, op.pmid)
    if study == same_as:
        return []
    exists = db.execute("SELECT 1 FROM study_links WHERE (study = ? AND same_as = ?) "
                        "OR (study = ? AND same_as = ?)", [study, same_as, same_as, study]).fetchone()
    if exists:
        return []
    why = clean_text(op.why, "reason", MAX_NOTE, multiline=True)
    db["study_links"].insert({"study": study, "same_as": same_as, "linked_by": who, "reason": why,
                              "created_at": now_iso()})
    audit(db, who, "review_link", table_name="study_links", row_key=f"{study}|{same_as}",
          after={"study": study, "same_as": same_as, "pmid": op.pmid}, reason=why)
    return [f"PMID {op.pmid}: study {study} is the same study as {same_as}"]


def _dismiss(db, op: Dismiss, who: str) -> list[str]:
    if op.kind not in ("duplicate", "retraction"):
        raise ReviewError(f"cannot dismiss a {op.kind!r} flag: only duplicate or retraction")
    record(db, op.pmid)
    key = clean_text(op.item_key, "flag key")
    if key is None:
        raise ReviewError("which flag? (item key missing)")
    if db.execute("SELECT 1 FROM review_dismissals WHERE kind = ? AND item_key = ?",
                  [op.kind, key]).fetchone():
        return []
    why = clean_text(op.why, "reason", MAX_NOTE, multiline=True)
    db["review_dismissals"].insert({"kind": op.kind, "item_key": key, "pmid": op.pmid,
                                    "dismissed_by": who, "reason": why, "created_at": now_iso()})
    audit(db, who, "review_dismiss", table_name="review_dismissals", row_key=f"{op.kind}|{key}",
          after={"kind": op.kind, "item_key": key, "pmid": op.pmid}, reason=why)
    label = "not a duplicate" if op.kind == "duplicate" else "retraction acknowledged"
    return [f"PMID {op.pmid}: {label} ({key})"]


def _note(db, op: Note, who: str) -> list[str]:
    record(db, op.pmid)
    text = clean_text(op.text, "note", MAX_NOTE, multiline=True)
    if text is None:
        return []
    if db.execute("SELECT 1 FROM review_notes WHERE pmid = ? AND reviewer = ? AND text = ?",
                  [op.pmid, who, text]).fetchone():
        return []
    note_id = db["review_notes"].insert({"pmid": op.pmid, "reviewer": who, "text": text,
                                         "created_at": now_iso()}).last_pk
    audit(db, who, "review_note", table_name="review_notes", row_key=str(note_id),
          after={"pmid": op.pmid, "text": text})
    return [f"PMID {op.pmid}: note added"]


def apply_ops(db: sqlite_utils.Database, ops: Iterable[Operation], who: str,
              protocol: Any = None) -> list[str]:
    """Write the operations inside the caller's transaction; return what changed."""
    changes: list[str] = []
    for op in ops:
        if isinstance(op, Decide):
            changes += _decide(db, op, who)
        elif isinstance(op, Correct):
            changes += _correct(db, op, who, protocol)
        elif isinstance(op, Add):
            changes += _add(db, op, who, protocol)
        elif isinstance(op, Delete):
            changes += _delete(db, op, who)
        elif isinstance(op, Link):
            changes += _link(db, op, who)
        elif isinstance(op, Dismiss):
            changes += _dismiss(db, op, who)
        elif isinstance(op, Note):
            changes += _note(db, op, who)
        else:  # pragma: no cover - a programming error, not a user error
            raise TypeError(f"not a review operation: {op!r}")
    return changes


def repool(db: sqlite_utils.Database, protocol: Any) -> Any:
    """Re-pool after a save: the one place the review package calls the pool stage."""
    from evidencebot.pool import stage

    return stage.run(db, protocol)


def apply(db: sqlite_utils.Database, ops: Iterable[Operation], reviewer: str, origin: str,
          protocol: Any = None, pmid: str | None = None, pool: bool = True) -> SaveResult:
    """One save: validate and write every operation in one transaction, then re-pool.

    Nothing is written when any operation is invalid; when nothing would change, no
    review_saves row is written and the pool is not touched."""
    who = validate_reviewer(reviewer)
    ops = list(ops)
    before = latest_snapshot(db)
    with transaction(db):
        changes = apply_ops(db, ops, who, protocol)
        if not changes:
            return SaveResult(None, [], before, before)
        save_id = db["review_saves"].insert({
            "pmid": pmid, "reviewer": who, "origin": origin, "at": now_iso(),
            "summary": json.dumps(changes), "snapshot_before": before,
        }).last_pk
    result = SaveResult(save_id, changes, before, before)
    if pool and protocol is not None:
        finish_pool(db, result, protocol)
    return result


def finish_pool(db: sqlite_utils.Database, result: SaveResult, protocol: Any) -> None:
    """Re-pool after a committed save and record the snapshot (or the pool's error) on it.

    The decision stands even if pooling fails: the next run re-pools anyway."""
    try:
        outcome = repool(db, protocol)
    except EvidencebotError as exc:
        result.pool_error = str(exc)
    else:
        result.snapshot_after = outcome.snapshot_id
        result.pool_changes = list(outcome.changes)
    with transaction(db):
        db.execute("UPDATE review_saves SET snapshot_after = ?, pool_error = ? WHERE id = ?",
                   [result.snapshot_after, result.pool_error, result.save_id])


def pool_movement(db: sqlite_utils.Database, before: int | None, after: int | None) -> list[dict]:
    """Pooled estimates that differ between two snapshots (added, removed or moved)."""
    if before == after or after is None:
        return []

    def results(snapshot: int | None) -> dict[tuple, dict]:
        if snapshot is None:
            return {}
        rows = db.query("SELECT analysis, endpoint, measure, regimen, k, estimate, ci_low, ci_high "
                        "FROM pool_results WHERE snapshot_id = ?", [snapshot])
        return {(r["analysis"], r["endpoint"], r["measure"], r["regimen"]): r for r in rows}

    old, new = results(before), results(after)
    moved = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a and b and all(a[f] == b[f] for f in ("k", "estimate", "ci_low", "ci_high")):
            continue
        moved.append({"analysis": key[0], "endpoint": key[1], "measure": key[2], "regimen": key[3],
                      "before": a, "after": b})
    return moved
