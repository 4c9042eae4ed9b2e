"""Reviewer decisions as a file (YAML or CSV), so they can be proposed in a pull request and
applied by the next run.

`export_entries(db)` lists the current reviewed state, one flat entry per decision:
  screen    pmid, decision (include|exclude|unsure), reason
  evidence  pmid, endpoint, measure, arm, regimen, subgroup, comparison (the row's key),
            n, value, unit, ci_low, ci_high (NR = not reached), why, and was_* (the key and
            value of the row it replaced, when it was a correction)
  delete    pmid, the key and value of the deleted row, why
  link      pmid, same_as, why
  dismiss   pmid, flag (duplicate|retraction), item_key, why
  note      pmid, text
each with `reviewer` (who decided) and `at` (when).

`entries_to_ops(db, entries)` turns a file back into operations against the current
database, matching evidence rows by key rather than id (ids differ between databases).
Importing is idempotent: an entry whose effect is already in the database is skipped.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlite_utils
import yaml

from evidencebot.errors import ReviewError
from evidencebot.review import decisions as d

ENTRY_KINDS = ("screen", "evidence", "delete", "link", "dismiss", "note")
KEY = ("endpoint", "measure", "arm", "regimen", "subgroup", "comparison")
VALUES = ("n", "value", "unit", "ci_low", "ci_high")
COLUMNS = ("kind", "pmid", "reviewer", "at", "decision", "reason", *KEY, *VALUES,
           *(f"was_{k}" for k in (*KEY, "value")), "same_as", "flag", "item_key", "why", "text")


def _who(source: str | None) -> str:
    return (source or "")[len("review:"):] if (source or "").startswith("review:") else (source or "")


def _num(row: dict, name: str) -> Any:
    if name == "value" and row.get("not_reached"):
        return "NR"
    if name == "ci_high" and row.get("ci_high_not_reached"):
        return "NR"
    return row.get(name)


def _key_values(row: dict, prefix: str = "") -> dict:
    out = {f"{prefix}{k}": row.get(k) for k in KEY}
    out[f"{prefix}arm"] = row.get("arm") or None
    return out


def export_entries(db: sqlite_utils.Database) -> list[dict]:
    entries: list[dict] = []
    for r in db.query("SELECT * FROM screening WHERE decided_by LIKE 'review:%' ORDER BY pmid"):
        decision = {"review": "unsure"}.get(r["decision"], r["decision"])
        entries.append({"kind": "screen", "pmid": r["pmid"], "decision": decision, "reason": r["reason"],
                        "reviewer": _who(r["decided_by"]), "at": r["decided_at"]})
    for r in db.query("""SELECT e.*, o.endpoint AS o_endpoint, o.measure AS o_measure, o.arm AS o_arm,
                                 o.regimen AS o_regimen, o.subgroup AS o_subgroup,
                                 o.comparison AS o_comparison, o.value AS o_value,
                                 o.not_reached AS o_not_reached
                          FROM evidence e LEFT JOIN evidence o ON o.superseded_by = e.id
                          WHERE e.status = 'verified' AND e.source LIKE 'review:%'
                            AND e.superseded_by IS NULL
                            AND (e.active = 1 OR e.id IN (SELECT evidence_id FROM review_withheld))
                          ORDER BY e.pmid, e.endpoint, e.measure, e.arm, e.id"""):
        entry = {"kind": "evidence", "pmid": r["pmid"], **_key_values(r),
                 **{k: _num(r, k) for k in VALUES}, "why": r["note"],
                 "reviewer": _who(r["source"]), "at": r["created_at"]}
        if r["o_endpoint"] is not None:
            old = {k: r[f"o_{k}"] for k in (*KEY, "value", "not_reached")}
            entry.update(_key_values(old, "was_"))
            entry["was_value"] = _num(old, "value")
        entries.append(entry)
    for r in db.query("""SELECT e.*, x.deleted_by, x.reason AS why, x.created_at AS deleted_at
                          FROM review_deletions x JOIN evidence e ON e.id = x.evidence_id
                          ORDER BY e.pmid, x.evidence_id"""):
        entries.append({"kind": "delete", "pmid": r["pmid"], **_key_values(r), "value": _num(r, "value"),
                        "why": r["why"], "reviewer": _who(r["deleted_by"]), "at": r["deleted_at"]})
    for r in db.query("SELECT * FROM study_links WHERE linked_by LIKE 'review:%' ORDER BY study, same_as"):
        pmid = r["study"][5:] if r["study"].startswith("pmid:") else _pmid_of_study(db, r["study"])
        entries.append({"kind": "link", "pmid": pmid, "same_as": r["same_as"], "why": r["reason"],
                        "reviewer": _who(r["linked_by"]), "at": r["created_at"]})
    for r in db.query("SELECT * FROM review_dismissals ORDER BY kind, item_key"):
        entries.append({"kind": "dismiss", "pmid": r["pmid"], "flag": r["kind"], "item_key": r["item_key"],
                        "why": r["reason"], "reviewer": _who(r["dismissed_by"]), "at": r["created_at"]})
    for r in db.query("SELECT * FROM review_notes ORDER BY pmid, id"):
        entries.append({"kind": "note", "pmid": r["pmid"], "text": r["text"],
                        "reviewer": _who(r["reviewer"]), "at": r["created_at"]})
    return [{k: v for k, v in e.items() if v is not None and v != ""} for e in entries]


def _pmid_of_study(db: sqlite_utils.Database, study: str) -> str | None:
    row = db.execute("SELECT pmid FROM evidence WHERE study = ? AND pmid IS NOT NULL AND status != 'seed' "
                     "ORDER BY id LIMIT 1", [study]).fetchone()
    return None if row is None else row[0]


def dumps(entries: list[dict], fmt: str) -> str:
    if fmt == "yaml":
        return yaml.safe_dump({"decisions": entries}, sort_keys=False, allow_unicode=True, width=100)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for e in entries:
            writer.writerow({k: "" if e.get(k) is None else e[k] for k in COLUMNS})
        return buf.getvalue()
    raise ReviewError(f"unknown format {fmt!r}: use yaml or csv")


def format_for(path: str | Path, fmt: str | None = None) -> str:
    if fmt:
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".csv":
        return "csv"
    raise ReviewError(f"cannot tell the format of {str(path)!r}: name it .yaml or .csv, or pass --format")


def loads(text: str, fmt: str, source: str = "decisions file") -> list[dict]:
    """Entries from a file's text; names the line/entry at fault."""
    if fmt == "yaml":
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ReviewError(f"{source} is not valid YAML: {exc}") from None
        if data is None:
            return []
        entries = data.get("decisions") if isinstance(data, dict) else data
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise ReviewError(f"{source}: expected a list of decisions under the key 'decisions'")
        return [{str(k): v for k, v in e.items()} for e in entries]
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        unknown = set(reader.fieldnames or []) - set(COLUMNS)
        if unknown:
            raise ReviewError(f"{source}: unknown column(s) {', '.join(sorted(unknown))}")
        return [{k: v for k, v in row.items() if v not in (None, "")} for row in reader]
    raise ReviewError(f"unknown format {fmt!r}: use yaml or csv")


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    return str(a) == str(b)


def _find(db: sqlite_utils.Database, pmid: str, key: dict, value: Any = None,
          statuses: Iterable[str] = ("machine", "verified", "seed")) -> list[dict]:
    rows = db.query("SELECT * FROM evidence WHERE pmid = ? AND active = 1 AND superseded_by IS NULL",
                    [str(pmid)])
    out = []
    for r in rows:
        if r["status"] not in statuses:
            continue
        if not all(_same(r.get(k) or None, key.get(k)) for k in KEY):
            continue
        if value is not None and not _same(_num(r, "value"), value):
            continue
        out.append(r)
    return out


def _field_strings(entry: dict) -> dict:
    raw = {k: entry.get(k) for k in (*KEY, *VALUES) if k in entry}
    raw.setdefault("arm", "")
    return {k: (v if isinstance(v, str) or v is None else str(v)) for k, v in raw.items()}


def entries_to_ops(db: sqlite_utils.Database, entries: list[dict], protocol: Any = None
                   ) -> list[tuple[str, str, d.Operation]]:
    """(where, reviewer, operation) for every entry not already applied; `where` names the
    entry ("decision 3 (screen PMID 123)", 1-based, counting every entry of the file). Raises
    ReviewError naming the entry at fault; nothing is applied by this function."""
    out: list[tuple[str, str, d.Operation]] = []
    for i, e in enumerate(entries, 1):
        where = f"decision {i} ({e.get('kind', '?')} PMID {e.get('pmid', '?')})"
        try:
            kind, pmid = e.get("kind"), e.get("pmid")
            if kind not in ENTRY_KINDS:
                raise ReviewError(f"kind {kind!r} is not one of {', '.join(ENTRY_KINDS)}")
            if pmid in (None, ""):
                raise ReviewError("pmid is missing")
            pmid = str(pmid)
            reviewer = str(e.get("reviewer") or "")
            if kind == "screen":
                op: d.Operation = d.Decide(pmid, str(e.get("decision") or ""), e.get("reason"))
                d.validate_decision(op.decision, op.reason)
            elif kind == "evidence":
                raw = _field_strings(e)
                d.check_row({"arm": "", "not_reached": 0, **d.with_defaults(d.parse_fields(raw, protocol))})
                key = {k: d.parse_fields({k: raw[k]}, protocol).get(k) if k in raw else None for k in KEY}
                key["arm"] = key["arm"] or None
                done = [r for r in _find(db, pmid, key, statuses=("verified",))
                        if all(_same(_num(r, k), e.get(k)) for k in VALUES if k != "unit")]
                if done:
                    continue
                was = {k: e.get(f"was_{k}") for k in KEY}
                target = []
                if any(v is not None for v in was.values()):
                    target = _find(db, pmid, was, e.get("was_value"))
                target = target or _find(db, pmid, key)
                if len(target) > 1:
                    raise ReviewError(f"{len(target)} current rows match this key "
                                      f"(ids {', '.join(str(t['id']) for t in target)}); add was_value")
                why = e.get("why")
                op = d.Correct(target[0]["id"], raw, why) if target else d.Add(pmid, raw, why)
            elif kind == "delete":
                key = {k: e.get(k) for k in KEY}
                target = _find(db, pmid, key, e.get("value"))
                if not target:
                    continue
                if len(target) > 1:
                    raise ReviewError(f"{len(target)} current rows match this key; give the value")
                op = d.Delete(target[0]["id"], e.get("why"))
            elif kind == "link":
                op = d.Link(pmid, str(e.get("same_as") or ""), e.get("why"))
            elif kind == "dismiss":
                op = d.Dismiss(str(e.get("flag") or ""), str(e.get("item_key") or ""), pmid, e.get("why"))
            else:
                op = d.Note(pmid, str(e.get("text") or ""))
        except ReviewError as exc:
            raise ReviewError(f"{where}: {exc}") from None
        out.append((where, reviewer, op))
    return out


def import_entries(db: sqlite_utils.Database, entries: list[dict], importer: str, protocol: Any = None,
                   pool: bool = True) -> d.SaveResult:
    """Apply a decisions file in one transaction (all or nothing), then re-pool once.

    Each entry is written as its own reviewer ('review:<reviewer>'; the importer when the
    entry names none); the save is recorded under the importer."""
    importer_who = d.validate_reviewer(importer)
    ops = entries_to_ops(db, entries, protocol)
    before = d.latest_snapshot(db)
    from evidencebot.store import now_iso, transaction

    with transaction(db):
        changes: list[str] = []
        for where, reviewer, op in ops:
            who = d.validate_reviewer(reviewer) if reviewer else importer_who
            try:
                changes += d.apply_ops(db, [op], who, protocol)
            except ReviewError as exc:
                raise ReviewError(f"{where}: {exc}") from None
        if not changes:
            return d.SaveResult(None, [], before, before)
        save_id = db["review_saves"].insert({
            "pmid": None, "reviewer": importer_who, "origin": "import", "at": now_iso(),
            "summary": json.dumps(changes), "snapshot_before": before}).last_pk
    result = d.SaveResult(save_id, changes, before, before)
    if pool and protocol is not None:
        d.finish_pool(db, result, protocol)
    return result
