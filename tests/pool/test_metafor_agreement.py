"""The engine against R metafor 3.8: every estimator and statistic, 14 datasets.

Reference values come from tests/reference/metafor/make_reference.R (provenance inside
reference.json). The datasets (tests/reference/metafor/datasets.csv) include k = 1, k = 2,
tau^2 = 0, extreme heterogeneity, inputs with 80% and 90% CIs, proportions on the logit and
double-arcsine scales, and a k = 12 set with small-study asymmetry for Egger's test.

Documented differences (not compared, asserted instead):
- k = 1: metafor reports Q = 0, p = 1, I^2 = 0, H^2 = 1; we report NaN (no heterogeneity
  statistic exists for one study). With test="knha" metafor gives se = 0 and no CI at
  k = 1 (0 df); we use the study's own Wald CI, so knha fits at k = 1 (the first cumulative
  step) are not compared.
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from evidencebot.pool import effects, engine

from .tolerances import CLOSED_FORM_REL, ITERATIVE_REL, close

REF_DIR = Path(__file__).resolve().parents[1] / "reference" / "metafor"
REPO = REF_DIR.parents[2]
WORST: dict[str, float] = defaultdict(float)


def load_datasets() -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    with open(REF_DIR / "datasets.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["dataset"]].append(row)
    return dict(out)


def effect_sizes(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """yi, vi for a dataset, computed by evidencebot.pool.effects (not by the test)."""
    ys, vs, ns = [], [], []
    for r in rows:
        f = {k: (float(r[k]) if r[k] else None) for k in ("value", "ci_low", "ci_high", "ci_level")}
        kind = r["kind"]
        if kind == "hr":
            e = effects.hazard_ratio_effect(f["value"], f["ci_low"], f["ci_high"], f["ci_level"])
        elif kind in ("median_log", "median_raw"):
            e = effects.median_effect(
                f["value"], f["ci_low"], f["ci_high"], f["ci_level"], None,
                scale="log" if kind == "median_log" else "raw",
            )
        else:
            e = effects.proportion_effect(
                int(r["events"]), int(r["n"]), None,
                transform="logit" if kind == "prop_logit" else "PFT",
            )
            ns.append(int(r["n"]))
        assert isinstance(e, effects.Effect), e
        ys.append(e.yi)
        vs.append(e.vi)
    return np.array(ys), np.array(vs), ns


def check(label: str, ours: float, ref: float | None, rel: float, failures: list[str]) -> None:
    if ref is None:
        assert ours is None or math.isnan(ours) or math.isinf(ours), f"{label}: R gave NA, we {ours}"
        return
    err = abs(ours - ref) / max(abs(ref), 1e-300) if ref != 0 else abs(ours)
    kind = "iterative" if rel == ITERATIVE_REL else "closed_form"
    WORST[kind] = max(WORST[kind], err if abs(ref) > 1e-12 else 0.0)
    if not close(ours, ref, rel):
        failures.append(f"{label}: ours {ours!r} metafor {ref!r} (rel err {err:.2e})")


def compare_reference(reference: dict) -> list[str]:
    data = load_datasets()
    failures: list[str] = []
    assert len(reference["datasets"]) >= 12
    for name, ref in reference["datasets"].items():
        rows = data[name]
        yi, vi, ns = effect_sizes(rows)
        for i in range(len(yi)):
            check(f"{name} yi[{i}]", yi[i], ref["yi"][i], CLOSED_FORM_REL, failures)
            check(f"{name} vi[{i}]", vi[i], ref["vi"][i], CLOSED_FORM_REL, failures)
        years = [int(r["year"]) for r in rows]
        order = sorted(range(len(yi)), key=lambda j: years[j])  # stable, like R's order()
        for f in ref["fits"]:
            method, test, level = f["method"], f["test"], f["level"]
            tol = ITERATIVE_REL if method in ("REML", "PM") else CLOSED_FORM_REL
            tag = f"{name} {method}/{test}@{level}"
            res = engine.fit(yi, vi, method, test, level)
            for key, ours in [
                ("estimate", res.estimate), ("se", res.se[0]), ("zval", res.zval[0]),
                ("pval", res.pval[0]), ("ci_lb", res.ci_low[0]), ("ci_ub", res.ci_high[0]),
                ("tau2", res.tau2),
            ]:
                check(f"{tag} {key}", float(ours), f[key], tol, failures)
            if f["se_tau2"] is not None:
                check(f"{tag} se_tau2", res.se_tau2, f["se_tau2"], tol, failures)
            pi = engine.prediction_interval(res)
            if method == "FE":  # metafor's predict() has no PI for FE; ours equals the CI
                assert pi == (res.ci_low[0], res.ci_high[0])
            else:
                check(f"{tag} pi_lb", pi[0], f["pi_lb"], tol, failures)
                check(f"{tag} pi_ub", pi[1], f["pi_ub"], tol, failures)
            if res.k == 1:
                assert math.isnan(res.q) and math.isnan(res.i2), "k=1 must not report Q or I^2"
            else:
                for key, ours in [("QE", res.q), ("QEp", res.q_p), ("I2", res.i2), ("H2", res.h2)]:
                    check(f"{tag} {key}", ours, f[key], tol, failures)
            if "back" in f:
                scale = "logit" if rows[0]["kind"] == "prop_logit" else "PFT"
                b = f["back"]
                for key, ours in [("pred", res.estimate), ("ci_lb", res.ci_low[0]),
                                  ("ci_ub", res.ci_high[0]), ("pi_lb", pi[0]), ("pi_ub", pi[1])]:
                    if b[key] is None:
                        continue  # FE: no PI from metafor
                    check(f"{tag} back {key}", effects.back_transform(float(ours), scale, ns),
                          b[key], tol, failures)
            if "tau2_lb" in f:
                lb, ub = engine.tau2_ci(yi, vi, level)
                check(f"{tag} tau2_lb", lb, f["tau2_lb"], ITERATIVE_REL, failures)
                check(f"{tag} tau2_ub", ub, f["tau2_ub"], ITERATIVE_REL, failures)
            if "leave1out" in f:
                loo = engine.leave_one_out(yi, vi, method, test, level)
                for key, get in [("estimate", lambda r: r.estimate), ("se", lambda r: r.se[0]),
                                 ("ci_lb", lambda r: r.ci_low[0]), ("ci_ub", lambda r: r.ci_high[0]),
                                 ("tau2", lambda r: r.tau2), ("Q", lambda r: r.q),
                                 ("I2", lambda r: r.i2)]:
                    if not f["leave1out"][key]:
                        continue  # metafor leaves tau2 out of FE leave1out
                    for i, r in enumerate(loo):
                        check(f"{tag} leave1out {key}[{i}]", float(get(r)), f["leave1out"][key][i],
                              tol, failures)
                cum = engine.cumulative(yi[order], vi[order], method, test, level)
                for key, get in [("estimate", lambda r: r.estimate), ("se", lambda r: r.se[0]),
                                 ("ci_lb", lambda r: r.ci_low[0]), ("ci_ub", lambda r: r.ci_high[0]),
                                 ("tau2", lambda r: r.tau2), ("I2", lambda r: r.i2)]:
                    if not f["cumul"][key]:
                        continue
                    for i, r in enumerate(cum):
                        if i == 0 and (test == "knha" or key == "I2"):
                            continue  # k = 1: documented difference (module docstring)
                        check(f"{tag} cumul {key}[{i}]", float(get(r)), f["cumul"][key][i],
                              tol, failures)
            if "regtest" in f:
                eg = engine.egger_test(yi, vi, method, test, level)
                rt = f["regtest"]
                for key, ours in [("zval", eg.zval), ("pval", eg.pval), ("est", eg.limit_estimate),
                                  ("ci_lb", eg.limit_ci_low), ("ci_ub", eg.limit_ci_high)]:
                    check(f"{tag} regtest {key}", ours, rt[key], tol, failures)
    return failures


def test_stored_reference_agrees_with_engine():
    reference = json.loads((REF_DIR / "reference.json").read_text())
    assert reference["provenance"]["metafor_version"].startswith("3.8")
    failures = compare_reference(reference)
    if os.environ.get("REPORT"):
        print("worst relative errors:", dict(WORST))
    assert not failures, "\n".join(failures[:40])


@pytest.mark.r
def test_live_metafor_agrees(rscript, tmp_path):
    """Re-run the R script now and compare both with the engine and the stored file."""
    out = tmp_path / "reference.json"
    subprocess.run([rscript, str(REF_DIR / "make_reference.R"), str(out)], cwd=REPO,
                   check=True, capture_output=True, timeout=600)
    live = json.loads(out.read_text())
    failures = compare_reference(live)
    assert not failures, "\n".join(failures[:40])
    stored = json.loads((REF_DIR / "reference.json").read_text())
    assert live["datasets"].keys() == stored["datasets"].keys()
    for name in stored["datasets"]:
        for a, b in zip(live["datasets"][name]["fits"], stored["datasets"][name]["fits"],
                        strict=True):
            for key in ("estimate", "se", "tau2", "ci_lb", "ci_ub"):
                assert (a[key] is None) == (b[key] is None)
                if a[key] is not None:
                    assert close(a[key], b[key], ITERATIVE_REL), (name, key, a[key], b[key])
