"""The pool stage: read the evidence, pool it, store a snapshot when the inputs changed.

`run(db, protocol)`:
1. active, non-superseded evidence rows; rows whose record is retracted (records.retracted
   = 1) leave the pool and are listed;
2. studies resolved (registry ids, acronyms, study_links) and one row chosen per study x
   arm x endpoint x measure (evidencebot.pool.studies: verified > seed > machine, then the
   most recent report);
3. the primary input set (all statuses) and the sensitivity set (verified + seed only) are
   hashed with the pool settings and ENGINE_VERSION; the same hash as the newest snapshot
   means nothing changed and no snapshot is written;
4. otherwise every analysis is computed (evidencebot.pool.analysis) and stored in
   pool_snapshots (+ one pool_results row per analysis), with the list of studies added,
   removed and changed and of retractions since the previous snapshot.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

import sqlite_utils

from evidencebot.pool import analysis as pool_analysis
from evidencebot.pool.studies import StudyResolver, arm_key, select
from evidencebot.protocol import Protocol
from evidencebot.seed import UNIT_TO_MONTHS
from evidencebot.store import audit, now_iso, transaction

ENGINE_VERSION = "evidencebot.pool.v1"
INPUT_FIELDS = ("study", "arm", "regimen", "endpoint", "measure", "comparison", "status",
                "source", "evidence_id", "pmid", "pmids", "year", "n", "events", "value",
                "ci_low", "ci_high", "ci_level", "ci_high_not_reached", "not_reached",
                "design", "line")


@dataclass
class PoolOutcome:
    """What `run` did: the current snapshot id (None when there is nothing to pool and never
    was), whether it was created now, the human-readable changes since the previous one,
    and its analyses (result dicts, primary then sensitivity)."""

    snapshot_id: int | None
    created: bool
    changes: list[str] = field(default_factory=list)
    analyses: list[dict] = field(default_factory=list)


def _months(row: dict) -> tuple[float | None, float | None, float | None]:
    """A median and its CI in months (value_months when the extractor set it)."""
    value, lo, hi = row["value"], row["ci_low"], row["ci_high"]
    if row["measure"] != "median" or value is None:
        return value, lo, hi
    if row.get("value_months") is not None and value:
        f = row["value_months"] / value
    else:
        f = UNIT_TO_MONTHS.get((row.get("unit") or "months").lower(), 1.0)
    return value * f, None if lo is None else lo * f, None if hi is None else hi * f


def load_evidence(db: sqlite_utils.Database) -> tuple[list[dict], list[dict]]:
    """(rows the pool may use, rows withheld because their record is retracted).

    Machine and verified rows come from crawled records and count only while their record's
    screening decision is 'include' (by the model or a person): a record in the review band
    or excluded contributes nothing until someone includes it. Seed rows, and rows entered
    without a record, are curated and always count, unless their record is retracted.
    """
    rows = db.query(
        """SELECT e.*, COALESCE(r.retracted, 0) AS record_retracted
           FROM evidence e
           LEFT JOIN records r ON r.pmid = e.pmid
           LEFT JOIN screening s ON s.pmid = e.pmid
           WHERE e.active = 1 AND e.superseded_by IS NULL
             AND (e.status = 'seed' OR e.pmid IS NULL OR s.decision = 'include')
           ORDER BY e.id"""
    )
    usable, retracted = [], []
    for row in rows:
        (retracted if row["record_retracted"] else usable).append(row)
    return usable, retracted


def study_links(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    return [(a, b) for a, b in db.execute("SELECT study, same_as FROM study_links").fetchall()]


def build_inputs(rows: list[dict], links: list[tuple[str, str]]) -> tuple[list[dict], list[dict]]:
    """(primary inputs, sensitivity inputs): one row per study x arm x endpoint x measure."""
    resolver = StudyResolver(rows, links)

    def inputs(selected: list[dict]) -> list[dict]:
        by_group: dict[tuple, set[str]] = {}
        for r in rows:
            key = (resolver.canonical(r["study"]), arm_key(r), r["endpoint"], r["measure"])
            if r.get("pmid"):
                by_group.setdefault(key, set()).add(str(r["pmid"]))
        out = []
        for r in select(selected, resolver).chosen:
            value, lo, hi = _months(r)
            key = (r["study"], arm_key(r), r["endpoint"], r["measure"])
            rec = {**r, "evidence_id": r["id"], "value": value, "ci_low": lo, "ci_high": hi,
                   "pmids": sorted(by_group.get(key, set()))}
            out.append({f: rec.get(f) for f in INPUT_FIELDS})
        return out

    primary = inputs(rows)
    sensitivity = inputs([r for r in rows if r["status"] in ("verified", "seed")])
    return primary, sensitivity


def _latest(db: sqlite_utils.Database) -> dict | None:
    return next(db.query("SELECT * FROM pool_snapshots ORDER BY id DESC LIMIT 1"), None)


def _fmt(r: dict) -> str:
    ci = ""
    if r.get("ci_low") is not None or r.get("ci_high") is not None:
        ci = f" ({r.get('ci_low')}–{r.get('ci_high') if r.get('ci_high') is not None else 'NR'})"
    return f"{r.get('value')}{ci} [{r['status']}]"


def describe_changes(previous: dict | None, current: dict) -> list[str]:
    """Human-readable differences between two snapshots' inputs (see module docstring)."""
    cur_rows = current["primary"]
    if previous is None:
        studies = sorted({r["study"] for r in cur_rows})
        return [f"first snapshot: {len(studies)} studies, {len(cur_rows)} pooled input rows"] + [
            f"study added: {s}" for s in studies
        ]
    changes = []
    if previous.get("settings") != current["settings"]:
        diff = {k: (previous.get("settings", {}).get(k), v)
                for k, v in current["settings"].items()
                if previous.get("settings", {}).get(k) != v}
        changes.append("pool settings changed: " + ", ".join(
            f"{k} {a} → {b}" for k, (a, b) in sorted(diff.items())))
    before_retracted = {x["pmid"] for x in previous.get("retracted", [])}
    for pmid in sorted({x["pmid"] for x in current["retracted"]} - before_retracted):
        hit = [x for x in current["retracted"] if x["pmid"] == pmid]
        studies = ", ".join(sorted({x["study"] for x in hit}))
        changes.append(f"record PMID {pmid} retracted: its {len(hit)} evidence row(s) "
                       f"({studies}) left the pool")

    def keyed(rows):
        return {(r["study"], (r.get("regimen") or r.get("arm") or "").lower(), r["endpoint"],
                 r["measure"]): r for r in rows}

    old, new = keyed(previous["primary"]), keyed(cur_rows)
    old_studies, new_studies = {k[0] for k in old}, {k[0] for k in new}
    changes += [f"study added: {s}" for s in sorted(new_studies - old_studies)]
    changes += [f"study removed: {s}" for s in sorted(old_studies - new_studies)]
    for study in sorted(old_studies & new_studies):
        parts = []
        for key in sorted(set(old) | set(new)):
            if key[0] != study:
                continue
            label = f"{key[2]} {key[3]} {new.get(key, old.get(key)).get('regimen')}"
            a, b = old.get(key), new.get(key)
            if a is None:
                parts.append(f"{label} added: {_fmt(b)}")
            elif b is None:
                parts.append(f"{label} removed (was {_fmt(a)})")
            elif a != b:
                parts.append(f"{label}: {_fmt(a)} → {_fmt(b)}")
        if parts:
            changes.append(f"study changed: {study} — " + "; ".join(parts))
    before_sens = {(r["study"], r["endpoint"], r["measure"], r.get("regimen"))
                   for r in previous.get("sensitivity", [])}
    after_sens = {(r["study"], r["endpoint"], r["measure"], r.get("regimen"))
                  for r in current["sensitivity"]}
    if before_sens != after_sens and not changes:
        changes.append("sensitivity (verified + seed) inputs changed")
    return changes or ["inputs changed (evidence ids only)"]


def run(db: sqlite_utils.Database, protocol: Protocol) -> PoolOutcome:
    """Pool the current evidence; store a snapshot if the inputs changed (module docstring)."""
    settings = protocol.pool
    usable, withheld = load_evidence(db)
    primary, sensitivity = build_inputs(usable, study_links(db))
    retracted = sorted(
        ({"pmid": r["pmid"], "study": r["study"], "evidence_id": r["id"]} for r in withheld),
        key=lambda x: (x["pmid"], x["evidence_id"]),
    )
    # Through JSON once, so the comparison with the stored previous inputs is like for like.
    inputs = json.loads(json.dumps(
        {"primary": primary, "sensitivity": sensitivity, "retracted": retracted,
         "settings": asdict(settings)}, sort_keys=True, default=str))
    inputs_hash = hashlib.sha256(
        json.dumps({"engine": ENGINE_VERSION, **inputs}, sort_keys=True, default=str).encode()
    ).hexdigest()
    latest = _latest(db)
    if latest is not None and latest["inputs_hash"] == inputs_hash:
        return PoolOutcome(latest["id"], False, [], json.loads(latest["results"])["analyses"])
    if latest is None and not primary and not retracted:
        return PoolOutcome(None, False, [], [])
    normalise = protocol.normalise_regimen
    analyses, tests = pool_analysis.run_analyses(primary, settings, normalise, "primary")
    sens, sens_tests = pool_analysis.run_analyses(sensitivity, settings, normalise, "sensitivity")
    analyses += sens
    changes = describe_changes(None if latest is None else json.loads(latest["inputs"]), inputs)
    with transaction(db):
        snapshot_id = db["pool_snapshots"].insert({
            "created_at": now_iso(),
            "inputs_hash": inputs_hash,
            "engine_version": ENGINE_VERSION,
            "protocol_sha256": protocol.sha256,
            "settings": json.dumps(asdict(settings), sort_keys=True),
            "inputs": json.dumps(inputs, sort_keys=True, default=str),
            "results": json.dumps({"analyses": analyses, "subgroup_tests": tests + sens_tests},
                                  default=str),
            "changes": json.dumps(changes),
        }).last_pk
        db["pool_results"].insert_all(
            {"snapshot_id": snapshot_id, "analysis": a["analysis"], "endpoint": a["endpoint"],
             "measure": a["measure"], "regimen": a["regimen"], "k": a["k"],
             "estimate": a["estimate"], "ci_low": a["ci_low"], "ci_high": a["ci_high"],
             "result": json.dumps(a, default=str)}
            for a in analyses
        )
        audit(db, "pool", "snapshot", table_name="pool_snapshots", row_key=str(snapshot_id),
              after={"inputs_hash": inputs_hash, "analyses": len(analyses)},
              reason="; ".join(changes)[:2000])
    return PoolOutcome(snapshot_id, True, changes, analyses)


def snapshot_document(db: sqlite_utils.Database, snapshot_id: int | None = None) -> dict | None:
    """The `pool --json` document for a snapshot (default: the newest), or None."""
    if snapshot_id is None:
        row = _latest(db)
    else:
        row = next(db.query("SELECT * FROM pool_snapshots WHERE id = ?", [snapshot_id]), None)
    if row is None:
        return None
    results = json.loads(row["results"])
    return {
        "snapshot": row["id"],
        "inputs_hash": row["inputs_hash"],
        "created_at": row["created_at"],
        "engine_version": row["engine_version"],
        "settings": json.loads(row["settings"]),
        "changes": json.loads(row["changes"]),
        "analyses": results["analyses"],
        "subgroup_tests": results["subgroup_tests"],
    }
