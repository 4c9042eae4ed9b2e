"""Plain-text views for `evidencebot review list|show|decide|import`."""

from __future__ import annotations

import json

from evidencebot.review.decisions import SaveResult, pool_movement
from evidencebot.review.queue import Queue
from evidencebot.review.view import estimate, fmt


def queue_lines(queue: Queue, limit: int, as_json: bool) -> str:
    if as_json:
        return "\n".join(json.dumps(e.to_dict(), ensure_ascii=False) for e in queue.entries[:limit])
    counts = ", ".join(f"{k} {v}" for k, v in queue.counts.items())
    lines = [f"Queue: {queue.open_records} records to settle ({counts}); {queue.reviewed_records} settled, "
             f"{queue.progress:.0%} done"]
    for i, e in enumerate(queue.entries[:limit], 1):
        flags = "; ".join(f.label for f in e.flags)
        model = e.model_version or "-"
        lines.append(f"{i:>3}. {e.pmid}  [{e.why}]  {e.title[:70]}")
        lines.append(f"       {flags}  (model {model})")
    if len(queue.entries) > limit:
        lines.append(f"… and {len(queue.entries) - limit} more (--limit)")
    return "\n".join(lines)


def _value(e: dict) -> str:
    value = "NR" if e.get("not_reached") else fmt(e.get("value"))
    ci = ""
    if e.get("ci_low") is not None or e.get("ci_high") is not None or e.get("ci_high_not_reached"):
        hi = "NR" if e.get("ci_high_not_reached") else fmt(e.get("ci_high"))
        ci = f" ({fmt(e.get('ci_low'))}–{hi})"
    unit = f" {e['unit']}" if e.get("unit") and e.get("measure") != "proportion" else ""
    return f"{value}{unit}{ci}"


def record_lines(page: dict) -> str:
    r, s = page["record"], page["screening"]
    lines = [f"PMID {r['pmid']}: {r['title']}",
             f"  {r['journal']} {r['pub_year'] or ''}  study {page['study']}"
             + ("  RETRACTED" if r["retracted"] else "")]
    if s:
        p = "" if s["probability"] is None else f", p={s['probability']:.2f}"
        lines.append(f"  screening: {s['decision']}{' (' + s['reason'] + ')' if s['reason'] else ''} "
                     f"by {s['decided_by']} (model {s['model_version'] or '-'}{p})")
    if page["entry"]:
        lines.append("  flags: " + "; ".join(f.label for f in page["entry"].flags))
    lines.append(f"  extracted values ({len(page['evidence'])}):")
    for e in page["evidence"]:
        arm = e["arm"] or e["regimen"] or e["comparison"] or ""
        codes = ",".join(f.get("code", "?") for f in e["flag_list"] if isinstance(f, dict))
        lines.append(f"    #{e['id']:<5} {e['endpoint']:<6} {e['measure']:<12} {arm[:24]:<24} "
                     f"{_value(e):<22} n={fmt(e['n']) or '-':<4} {e['status']}"
                     + (f"  {codes}" if codes else ""))
    for n in page["notes"]:
        lines.append(f"  note ({n['reviewer']}): {n['text']}")
    return "\n".join(lines)


def save_lines(result: SaveResult, head: str = "", db=None) -> str:
    lines = [head] if head else []
    if not result.changes:
        lines.append("Nothing to change: the database already holds these decisions.")
        return "\n".join(lines)
    lines += [f"Saved ({len(result.changes)} changes):"] + [f"  {c}" for c in result.changes]
    if result.pool_error:
        lines.append(f"Re-pool failed: {result.pool_error}")
    elif result.snapshot_after == result.snapshot_before:
        lines.append("Pool: unchanged.")
    else:
        lines.append(f"Pool: snapshot {result.snapshot_before} → {result.snapshot_after}")
        if db is not None:
            lines += movement_lines(db, result) or ["  no pooled estimate moved"]
    return "\n".join(lines)


def movement_lines(db, result: SaveResult) -> list[str]:
    if result.snapshot_before is None:
        return ["  first pool snapshot (`evidencebot pool --json` shows it)"]
    out = []
    for m in pool_movement(db, result.snapshot_before, result.snapshot_after):
        new = estimate(m["after"]) if m["after"] else "removed"
        out.append(f"  {m['analysis']} {m['endpoint']} {m['measure']} {m['regimen']}: "
                   f"{estimate(m['before'])} → {new}")
    return out
