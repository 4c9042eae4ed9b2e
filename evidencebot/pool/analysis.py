"""Which analyses to run and what each reports: pure functions from pooled input rows to
result dicts (the `--json` contract). No database.

One analysis per endpoint (protocol pool.endpoints) x measure x regimen:
- medians and proportions: per regimen family (the arm's regimen), with a test for
  subgroup differences across the regimens of one endpoint x measure (`subgroup_tests`);
- hazard ratios: per comparison, "<experimental family> vs <comparator family>" (comparator
  from evidence.comparison, normalised with the protocol's regimen dictionary).

Result fields (every value on the natural scale — HR, months, proportion — unless noted):
  analysis      "primary" (all statuses after precedence) | "sensitivity" (verified + seed)
  regimen, endpoint, measure
  scale         analysis scale: "log" | "raw" | "logit" | "PFT"
  method        tau^2 estimator used (REML, DL, ...; "single study" when k = 1; "none" k = 0)
  ci_method     "knha" (Hartung–Knapp, t_{k-1}) | "z" (Wald)
  level         confidence level of ci_* and pi_* (0.95)
  k             number of studies pooled
  studies       pooled inputs: study, arm, regimen, status, source, evidence_id, pmid, pmids,
                year, n, value, ci_low, ci_high, ci_level, yi, vi (analysis scale),
                weight (percent), approximated, notes
  excluded      inputs that could not be pooled: study, arm, status, evidence_id, code, reason
  estimate, ci_low, ci_high   pooled estimate and CI
  pi_low, pi_high             95% prediction interval (None when k < 3)
  estimate_scale, se          pooled estimate and its SE on the analysis scale
  tau2, tau2_ci_low, tau2_ci_high   between-study variance on the analysis scale, Q-profile CI
  i2 (percent), h2, q, q_df, q_p    heterogeneity (None when k = 1)
  converged     False when the protocol's estimator failed and `method` is the fallback
  egger         Egger's test when k >= 10: {zval, pval, limit_estimate, ...}, else None
  leave_one_out [{omitted, estimate, ci_low, ci_high, tau2, i2}] when k >= 3
  cumulative    [{added, year, k, estimate, ci_low, ci_high, tau2}] in order of publication
  notes         coded caveats (W3xx), one string each
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

import numpy as np

from evidencebot.pool import effects, engine
from evidencebot.protocol import PoolSettings

MEASURES = ("median", "hazard_ratio", "proportion")
LEVEL = 0.95
EGGER_MIN_K = 10


def comparator(comparison: str | None) -> str:
    """'ASC + mFOLFOX vs ASC' -> 'ASC'."""
    parts = re.split(r"\s+(?:vs\.?|versus)\s+", comparison or "", maxsplit=1, flags=re.I)
    return parts[1].strip() if len(parts) == 2 else ""


def regimen_label(row: dict, normalise: Callable[[str], str | None]) -> str:
    regimen = row.get("regimen") or row.get("arm") or "unspecified"
    if row["measure"] != "hazard_ratio":
        return regimen
    comp = comparator(row.get("comparison"))
    family = (normalise(comp) if comp else None) or comp or "unspecified comparator"
    return f"{regimen} vs {family}"


def _effect(row: dict, settings: PoolSettings) -> effects.Effect | effects.Excluded:
    m = row["measure"]
    if m == "hazard_ratio":
        return effects.hazard_ratio_effect(row["value"], row["ci_low"], row["ci_high"],
                                           row["ci_level"])
    if m == "median":
        return effects.median_effect(
            row["value"], row["ci_low"], row["ci_high"], row["ci_level"], row.get("n"),
            scale=settings.median_scale, without_ci=settings.median_without_ci,
            ci_high_not_reached=bool(row.get("ci_high_not_reached")),
            not_reached=bool(row.get("not_reached")),
        )
    return effects.proportion_effect(row.get("events"), row.get("n"), row["value"],
                                     transform=settings.proportion_transform)


def _scale(measure: str, settings: PoolSettings) -> str:
    if measure == "hazard_ratio":
        return "log"
    if measure == "median":
        return settings.median_scale
    return "PFT" if settings.proportion_transform == "PFT" else "logit"


def _f(x) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


def _subset_fits(y, v, masks: np.ndarray, settings: PoolSettings) -> list[engine.Fit]:
    """Leave-one-out / cumulative refits, all at once; if the estimator fails to converge on
    some subset, each subset is refitted on its own with the fallback, as the main fit is."""
    try:
        return engine.fit_subsets(y, v, masks, settings.method, settings.ci_method, LEVEL)
    except engine.ConvergenceError:
        return [_fit(y[m], v[m], settings)[0] for m in masks]


def _fit(y, v, settings: PoolSettings) -> tuple[engine.Fit, bool]:
    return engine.fit_with_fallback(y, v, settings.method, settings.ci_method, LEVEL,
                                    settings.fallback_method)


def analyse_group(
    rows: list[dict], *, regimen: str, endpoint: str, measure: str, analysis: str,
    settings: PoolSettings,
) -> dict:
    """One analysis (see module docstring for the fields)."""
    scale = _scale(measure, settings)
    rows = sorted(rows, key=lambda r: (r.get("year") or 0, str(r.get("pmid") or ""), r["study"]))
    included, excluded = [], []
    for row in rows:
        eff = _effect(row, settings)
        if isinstance(eff, effects.Excluded):
            excluded.append({"study": row["study"], "arm": row.get("arm"), "status": row["status"],
                             "evidence_id": row.get("evidence_id"), "code": eff.code,
                             "reason": f"{eff.code}: {eff.reason}"})
        else:
            included.append((row, eff))
    notes = [f"{x['study']} excluded — {x['reason']}" for x in excluded]
    for row, eff in included:
        notes.extend(f"{row['study']}: {n}" for n in eff.notes)
    k = len(included)
    ns = [r.get("n") or 0 for r, _ in included]
    ns_ok = all(n > 0 for n in ns)

    def bt(x, subset_ns: list[int]) -> float | None:
        # PFT needs every study's n (harmonic mean); without it no back-transformation.
        if scale == "PFT" and not ns_ok:
            return None
        return effects.back_transform(_f(x), scale, subset_ns)

    def back(x) -> float | None:
        return bt(x, ns)

    result = {
        "analysis": analysis, "regimen": regimen, "endpoint": endpoint, "measure": measure,
        "scale": scale, "method": "none", "ci_method": settings.ci_method, "level": LEVEL,
        "k": k, "studies": [], "excluded": excluded,
        "estimate": None, "ci_low": None, "ci_high": None, "pi_low": None, "pi_high": None,
        "estimate_scale": None, "se": None, "tau2": None, "tau2_ci_low": None,
        "tau2_ci_high": None, "i2": None, "h2": None, "q": None, "q_df": None, "q_p": None,
        "converged": True, "egger": None, "leave_one_out": [], "cumulative": [], "notes": notes,
    }
    if k == 0:
        notes.append("W315: no study with a usable estimate; nothing pooled")
        return result
    y = np.array([e.yi for _, e in included])
    v = np.array([e.vi for _, e in included])
    res, converged = _fit(y, v, settings)
    notes.extend(res.notes)
    single = k == 1
    result.update(
        method="single study" if single else res.method,
        ci_method="z" if single else res.test,
        estimate=back(res.estimate), ci_low=back(res.ci_low[0]), ci_high=back(res.ci_high[0]),
        estimate_scale=_f(res.estimate), se=_f(res.se[0]), converged=converged,
    )
    result["studies"] = [
        {
            "study": r["study"], "arm": r.get("arm"), "regimen": r.get("regimen"),
            "status": r["status"], "source": r.get("source"), "evidence_id": r.get("evidence_id"),
            "pmid": r.get("pmid"), "pmids": r.get("pmids", []), "year": r.get("year"),
            "n": r.get("n"), "value": r.get("value"), "ci_low": r.get("ci_low"),
            "ci_high": r.get("ci_high"), "ci_level": r.get("ci_level"), "yi": e.yi, "vi": e.vi,
            "weight": _f(w), "approximated": e.approximated, "notes": list(e.notes),
        }
        for (r, e), w in zip(included, res.weights, strict=True)
    ]
    if single:
        return result
    result.update(tau2=_f(res.tau2), i2=_f(res.i2), h2=_f(res.h2), q=_f(res.q), q_df=res.q_df,
                  q_p=_f(res.q_p))
    if res.method != "FE":
        lo, hi = engine.tau2_ci(y, v, LEVEL)
        result.update(tau2_ci_low=lo, tau2_ci_high=hi)
    if k >= 3:
        pi = engine.prediction_interval(res)
        result.update(pi_low=back(pi[0]), pi_high=back(pi[1]))
    else:
        notes.append("W314: k = 2: no prediction interval, and tau^2/I^2 rest on one degree "
                     "of freedom")
    if k >= EGGER_MIN_K:
        eg = engine.egger_test(y, v, res.method, res.test, LEVEL)
        result["egger"] = {"zval": eg.zval, "pval": eg.pval, "ddf": eg.ddf,
                           "limit_estimate": back(eg.limit_estimate),
                           "limit_ci_low": back(eg.limit_ci_low),
                           "limit_ci_high": back(eg.limit_ci_high)}
    if k >= 3:
        for i, sub in enumerate(_subset_fits(y, v, ~np.eye(k, dtype=bool), settings)):
            keep = [j for j in range(k) if j != i]
            sub_ns = [ns[j] for j in keep]
            result["leave_one_out"].append({
                "omitted": included[i][0]["study"],
                "estimate": bt(sub.estimate, sub_ns), "ci_low": bt(sub.ci_low[0], sub_ns),
                "ci_high": bt(sub.ci_high[0], sub_ns),
                "tau2": _f(sub.tau2), "i2": _f(sub.i2),
            })
    # rows are sorted by (year, pmid): order of publication
    for i, sub in enumerate(_subset_fits(y, v, np.tri(k, dtype=bool), settings)):
        sub_ns = ns[: i + 1]
        result["cumulative"].append({
            "added": included[i][0]["study"], "year": included[i][0].get("year"), "k": i + 1,
            "estimate": bt(sub.estimate, sub_ns), "ci_low": bt(sub.ci_low[0], sub_ns),
            "ci_high": bt(sub.ci_high[0], sub_ns),
            "tau2": _f(sub.tau2) if i else None,
        })
    return result


def run_analyses(
    inputs: list[dict], settings: PoolSettings, normalise: Callable[[str], str | None],
    analysis: str = "primary",
) -> tuple[list[dict], list[dict]]:
    """All analyses for one input set, and the subgroup-difference tests between regimens."""
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for row in inputs:
        if row["endpoint"] not in settings.endpoints or row["measure"] not in MEASURES:
            continue
        key = (row["endpoint"], row["measure"], regimen_label(row, normalise))
        groups.setdefault(key, []).append(row)
    order = {e: i for i, e in enumerate(settings.endpoints)}
    keys = sorted(groups, key=lambda t: (order[t[0]], MEASURES.index(t[1]), t[2].lower()))
    results = [
        analyse_group(groups[key], regimen=key[2], endpoint=key[0], measure=key[1],
                      analysis=analysis, settings=settings)
        for key in keys
    ]
    tests = []
    for endpoint in settings.endpoints:
        for measure in ("median", "proportion"):
            subs = [r for r in results if r["endpoint"] == endpoint and r["measure"] == measure
                    and r["k"] >= 1 and r["se"]]
            if len(subs) < 2:
                continue
            st = engine.subgroup_test([r["estimate_scale"] for r in subs], [r["se"] for r in subs])
            tests.append({"analysis": analysis, "endpoint": endpoint, "measure": measure,
                          "regimens": [r["regimen"] for r in subs], "q_between": st.q_between,
                          "df": st.df, "p": st.p})
    return results, tests
