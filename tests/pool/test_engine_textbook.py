"""Textbook formulas recomputed inside the test and compared with the engine, plus the
honest handling of k = 1, k = 2, tau^2 = 0 and non-convergence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from evidencebot.pool import engine

from .tolerances import CLOSED_FORM_REL, ITERATIVE_REL, close

# Seed OS medians with two-sided CIs (log scale), a heterogeneous set (I^2 ~ 70%).
Y = np.log([8.6, 5.3, 6.3, 5.7, 10.3, 7.5, 7.4, 5.7])
UPPER = [10.5, 7.2, 8.2, 6.7, 12.4, 11.1, 9.6, 9.8]
LOWER = [5.4, 4.7, 4.4, 4.7, 7.8, 4.8, 5.5, 3.1]
SE = (np.log(UPPER) - np.log(LOWER)) / (2 * 1.959963984540054)
V = SE**2


def test_dersimonian_laird_by_hand():
    # DerSimonian & Laird (1986): tau^2 = max(0, (Q - (k-1)) / (sum w - sum w^2 / sum w)).
    w = 1 / V
    mu_fe = np.sum(w * Y) / np.sum(w)
    q = np.sum(w * (Y - mu_fe) ** 2)
    tau2 = max(0.0, (q - (len(Y) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    wr = 1 / (V + tau2)
    mu = np.sum(wr * Y) / wr.sum()
    se = math.sqrt(1 / wr.sum())
    res = engine.fit(Y, V, "DL", "z")
    assert close(res.tau2, tau2, CLOSED_FORM_REL)
    assert close(res.q, q, CLOSED_FORM_REL)
    assert close(res.estimate, mu, CLOSED_FORM_REL)
    assert close(res.se[0], se, CLOSED_FORM_REL)
    assert np.allclose(res.weights, 100 * wr / wr.sum(), rtol=CLOSED_FORM_REL)
    # I^2 (Higgins & Thompson 2002) for DL equals (Q - df)/Q.
    assert close(res.i2, 100 * (q - (len(Y) - 1)) / q, CLOSED_FORM_REL)


def test_hartung_knapp_by_hand():
    # HKSJ: var = sum w (y - mu)^2 / ((k - 1) sum w), t with k - 1 df.
    res = engine.fit(Y, V, "DL", "knha")
    w = 1 / (V + res.tau2)
    mu = np.sum(w * Y) / w.sum()
    var = np.sum(w * (Y - mu) ** 2) / ((len(Y) - 1) * w.sum())
    t = stats.t.isf(0.025, len(Y) - 1)
    assert close(res.se[0], math.sqrt(var), CLOSED_FORM_REL)
    assert close(res.ci_high[0], mu + t * math.sqrt(var), CLOSED_FORM_REL)
    lo, hi = engine.prediction_interval(res)
    assert close(hi, mu + t * math.sqrt(var + res.tau2), CLOSED_FORM_REL)


def test_reml_solves_its_score_equation():
    # The REML estimate zeroes the restricted score: sum w^2 (y - mu)^2 - sum w + sum w^2/sum w.
    res = engine.fit(Y, V, "REML", "z")
    w = 1 / (V + res.tau2)
    mu = np.sum(w * Y) / w.sum()
    score = np.sum(w**2 * (Y - mu) ** 2) - w.sum() + (w**2).sum() / w.sum()
    assert res.tau2 > 0 and abs(score) < 1e-6


def test_paule_mandel_sets_generalised_q_to_df():
    res = engine.fit(Y, V, "PM", "z")
    w = 1 / (V + res.tau2)
    mu = np.sum(w * Y) / w.sum()
    assert close(float(np.sum(w * (Y - mu) ** 2)), len(Y) - 1.0, ITERATIVE_REL)


def test_k1_is_the_study_itself_without_heterogeneity():
    res = engine.fit([math.log(0.69)], [0.1690561608**2], "REML", "knha")
    assert res.test == "z" and res.tau2 == 0
    assert math.isnan(res.q) and math.isnan(res.i2) and math.isnan(res.h2)
    assert close(res.ci_high[0], math.log(0.69) + 1.959963984540054 * 0.1690561608, 1e-9)


def test_tau2_zero_when_q_below_df():
    y = np.log([0.80, 0.82, 0.79, 0.81])
    v = np.full(4, 0.02)
    for method in ("DL", "REML", "PM", "HE"):
        assert engine.fit(y, v, method, "z").tau2 == 0.0
    assert engine.tau2_ci(y, v) == (0.0, 0.0)


def test_reml_non_convergence_falls_back_to_dl(monkeypatch):
    monkeypatch.setattr(engine, "REML_MAXITER", 0)
    res, converged = engine.fit_with_fallback(Y, V, "REML", "knha", fallback="DL")
    assert not converged and res.method == "DL"
    assert any(n.startswith("W307: REML did not converge") for n in res.notes)


def test_zero_variance_is_refused():
    with pytest.raises(ValueError, match="vi finite and > 0"):
        engine.fit([0.1, 0.2], [0.01, 0.0])


def test_subgroup_test_by_hand():
    est, se = np.array([0.2, 0.5, 0.9]), np.array([0.1, 0.2, 0.15])
    w = 1 / se**2
    q = np.sum(w * (est - np.sum(w * est) / w.sum()) ** 2)
    res = engine.subgroup_test(est, se)
    assert close(res.q_between, q, CLOSED_FORM_REL) and res.df == 2
    assert close(res.p, stats.chi2.sf(q, 2), CLOSED_FORM_REL)


finite = st.floats(-3, 3, allow_nan=False)
variances = st.floats(1e-3, 2, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(finite, variances), min_size=2, max_size=15),
       st.sampled_from(engine.METHODS), st.sampled_from(engine.TESTS))
def test_properties(data, method, test):
    y, v = np.array([d[0] for d in data]), np.array([d[1] for d in data])
    res, _ = engine.fit_with_fallback(y, v, method, test)
    assert res.tau2 >= 0
    assert res.ci_low[0] <= res.estimate <= res.ci_high[0]
    assert 0 <= res.i2 <= 100 and res.q >= 0
    assert y.min() - 1e-9 <= res.estimate <= y.max() + 1e-9
    assert abs(res.weights.sum() - 100) < 1e-9
