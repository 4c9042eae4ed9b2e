"""Now versus at the last digest: pooled estimates side by side and the conclusion-changing
events the headline reports. Pure functions over the pool's result dicts (`pool --json`).

Conclusion-changing events (each `Event.kind`):
  threshold        a pooled CI that now excludes the comparator or threshold and did not at
                   the last digest, or no longer does: hazard ratios against the protocol's
                   digest.hr_threshold (HR 1 = no difference), medians against
                   digest.median_threshold_months[endpoint]. Primary and verified-only
                   sensitivity analyses both, labelled.
  longest_median   the regimen with the longest pooled median of an endpoint changed
                   (primary analysis, k >= 1).
  retraction       a record whose numbers were in the review was retracted in the period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

REL_TOL = 1e-9


@dataclass
class Event:
    kind: str
    text: str


@dataclass
class EstimateRow:
    """One endpoint x measure x regimen: the primary and sensitivity analyses now and at the
    last digest (None when absent), whether anything moved, and the last published estimate."""

    endpoint: str
    measure: str
    regimen: str
    primary: dict | None = None
    primary_before: dict | None = None
    sensitivity: dict | None = None
    sensitivity_before: dict | None = None
    published: dict | None = None
    changed: bool = False
    changes: list[str] = field(default_factory=list)


def key(a: dict) -> tuple[str, str, str]:
    return a["endpoint"], a["measure"], a["regimen"]


def _close(x: float | None, y: float | None) -> bool:
    if x is None or y is None:
        return x is y
    return math.isclose(x, y, rel_tol=REL_TOL, abs_tol=1e-12)


def differs(a: dict | None, b: dict | None) -> bool:
    """Did a pooled result move (k, estimate, CI, prediction interval, tau^2)?"""
    if a is None or b is None:
        return (a is None) != (b is None) and bool((a or b)["k"])
    if a["k"] != b["k"]:
        return True
    return not all(_close(a.get(f), b.get(f))
                   for f in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high", "tau2"))


def estimate_rows(now: list[dict], before: list[dict], published: list[dict]) -> list[EstimateRow]:
    """Every endpoint x measure x regimen in either snapshot, in the pool's order."""
    index: dict[tuple, EstimateRow] = {}
    for analyses, when in ((now, "now"), (before, "before")):
        for a in analyses:
            row = index.setdefault(key(a), EstimateRow(*key(a)))
            name = a["analysis"] + ("" if when == "now" else "_before")
            setattr(row, name, a)
    for row in index.values():
        for name, label in (("primary", "primary"), ("sensitivity", "verified-only")):
            a, b = getattr(row, name), getattr(row, name + "_before")
            if differs(a, b):
                row.changed = True
                row.changes.append(describe_move(label, b, a))
        row.published = match_published(row, published)
    order = {k: i for i, k in enumerate(dict.fromkeys(key(a) for a in now + before))}
    return sorted(index.values(), key=lambda r: order[(r.endpoint, r.measure, r.regimen)])


def _num(x: float | None, measure: str) -> str:
    if x is None:
        return "NA"
    return f"{100 * x:.1f}%" if measure == "proportion" else f"{x:.2f}"


def summary(a: dict | None) -> str:
    """'k = 3: 5.92 [3.91, 8.97]' (or 'absent' / 'k = 0, not pooled')."""
    if a is None:
        return "absent"
    if not a["k"] or a.get("estimate") is None:
        return f"k = {a['k']}, not pooled"
    m = a["measure"]
    return (f"k = {a['k']}: {_num(a['estimate'], m)} "
            f"[{_num(a['ci_low'], m)}, {_num(a['ci_high'], m)}]")


def describe_move(label: str, before: dict | None, now: dict | None) -> str:
    return f"{label}: {summary(before)} → {summary(now)}"


def match_published(row: EstimateRow, published: list[dict]) -> dict | None:
    """The most recent published pooled estimate for this regimen, endpoint and measure.

    Regimens match exactly, or (hazard ratios) on the experimental regimen before ' vs ';
    endpoints on their first word ('PFS (likely)' is PFS); measures on their first word
    ('median (raw scale)' is a median)."""
    experimental = row.regimen.split(" vs ")[0].strip().lower()
    hits = []
    for p in published:
        if (p.get("endpoint") or "").split(" ")[0] != row.endpoint:
            continue
        if (p.get("measure") or "").split(" ")[0] != row.measure:
            continue
        if p.get("estimate") is None:
            continue
        reg = (p.get("regimen") or "").lower()
        if reg == row.regimen.lower() or (row.measure == "hazard_ratio"
                                          and reg.split(" vs ")[0].strip() == experimental):
            hits.append(p)
    return max(hits, key=lambda p: p.get("year") or 0) if hits else None


# --- conclusion-changing events ---------------------------------------------------------------


def threshold_for(a: dict, hr_threshold: float, median_thresholds: dict[str, float]) -> float | None:
    if a["measure"] == "hazard_ratio":
        return hr_threshold
    if a["measure"] == "median":
        return median_thresholds.get(a["endpoint"])
    return None


def side(a: dict | None, threshold: float) -> str:
    """'below' / 'above' when the CI excludes the threshold, else 'includes' (or 'none')."""
    if a is None or a.get("estimate") is None or not a["k"]:
        return "none"
    lo, hi = a.get("ci_low"), a.get("ci_high")
    if hi is not None and hi < threshold:
        return "below"
    if lo is not None and lo > threshold:
        return "above"
    return "includes"


def threshold_events(rows: list[EstimateRow], hr_threshold: float,
                     median_thresholds: dict[str, float]) -> list[Event]:
    events = []
    for row in rows:
        for name, label in (("primary", "primary analysis"),
                            ("sensitivity", "verified-only sensitivity analysis")):
            a, b = getattr(row, name), getattr(row, name + "_before")
            ref = a or b
            if ref is None:
                continue
            threshold = threshold_for(ref, hr_threshold, median_thresholds)
            if threshold is None:
                continue
            now, then = side(a, threshold), side(b, threshold)
            if now == then or (now in ("includes", "none") and then in ("includes", "none")):
                continue
            what = (f"HR {threshold:g}" if row.measure == "hazard_ratio"
                    else f"the protocol threshold of {threshold:g} months")
            subject = f"{row.endpoint} {row.measure.replace('_', ' ')}, {row.regimen} ({label})"
            if now in ("below", "above"):
                text = (f"{subject}: the pooled 95% CI now lies entirely {now} {what} "
                        f"({summary(a)}; at the last digest {summary(b)})")
            else:
                text = (f"{subject}: the pooled 95% CI no longer excludes {what} "
                        f"({summary(a)}; at the last digest {summary(b)})")
            events.append(Event("threshold", text))
    return events


def longest_median(analyses: list[dict], endpoint: str) -> dict | None:
    pooled = [a for a in analyses if a["analysis"] == "primary" and a["endpoint"] == endpoint
              and a["measure"] == "median" and a["k"] and a.get("estimate") is not None]
    return max(pooled, key=lambda a: (a["estimate"], a["regimen"])) if pooled else None


def longest_median_events(now: list[dict], before: list[dict], endpoints: list[str]) -> list[Event]:
    events = []
    for endpoint in endpoints:
        a, b = longest_median(now, endpoint), longest_median(before, endpoint)
        if a is None or b is None or a["regimen"] == b["regimen"]:
            continue
        events.append(Event(
            "longest_median",
            f"{endpoint}: the longest pooled median is now {a['regimen']} ({summary(a)} months), "
            f"at the last digest it was {b['regimen']} ({summary(b)} months)"))
    return events
