"""Screening metrics: recall of what is not auto-excluded, review fraction, WSS@95, AUC, Brier."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score


def wss_at(probabilities: Sequence[float], relevant: Sequence[bool], recall: float = 0.95) -> float:
    """Work saved over sampling at `recall`: screen records in order of decreasing probability
    until `recall` of the relevant ones are found; WSS = (N - screened) / N - (1 - recall)."""
    p = np.asarray(probabilities, float)
    y = np.asarray(relevant, bool)
    n, n_rel = len(p), int(y.sum())
    if n == 0 or n_rel == 0:
        return float("nan")
    order = np.argsort(-p, kind="stable")
    found = np.cumsum(y[order])
    needed = math.ceil(recall * n_rel - 1e-9)
    screened = int(np.searchsorted(found, needed) + 1)
    return (n - screened) / n - (1.0 - recall)


def screening_metrics(
    probabilities: Sequence[float],
    relevant: Sequence[bool],
    decisions: Sequence[str],
) -> dict[str, float]:
    """Figures for the model card; `decisions` are include / review / exclude per record."""
    p = np.asarray(probabilities, float)
    y = np.asarray(relevant, bool)
    d = np.asarray(decisions, dtype=object)
    n, n_rel = len(p), int(y.sum())
    kept = d != "exclude"
    included = d == "include"
    out = {
        "n": n,
        "n_relevant": n_rel,
        "recall": float(kept[y].mean()) if n_rel else float("nan"),
        "relevant_auto_excluded": int((~kept & y).sum()),
        "review_fraction": float((d == "review").mean()) if n else float("nan"),
        "include_fraction": float(included.mean()) if n else float("nan"),
        "exclude_fraction": float((d == "exclude").mean()) if n else float("nan"),
        "include_precision": float(y[included].mean()) if included.any() else float("nan"),
        "exclude_npv": float((~y[~kept]).mean()) if (~kept).any() else float("nan"),
        "wss_at_95": wss_at(p, y, 0.95),
        "roc_auc": float(roc_auc_score(y, p)) if 0 < n_rel < n else float("nan"),
        "brier": float(brier_score_loss(y, p)) if n else float("nan"),
    }
    return out


def choose_low(probabilities: Sequence[float], relevant: Sequence[bool], target_recall: float) -> float:
    """The exclusion threshold: records with p ≤ low are auto-excluded, and at most
    (1 - target_recall) of the relevant ones fall there. Placed halfway (on the logit scale)
    between the lowest relevant probability that must be kept and the next lower probability."""
    p = np.asarray(probabilities, float)
    y = np.asarray(relevant, bool)
    rel = np.sort(p[y])
    if len(rel) == 0:
        return 0.0
    allowed = int(math.floor((1.0 - target_recall) * len(rel) + 1e-9))
    keep_from = rel[min(allowed, len(rel) - 1)]
    below = p[p < keep_from]
    if len(below) == 0:
        return float(max(0.0, keep_from * 0.5))
    return _logit_midpoint(float(below.max()), float(keep_from))


def choose_high(
    probabilities: Sequence[float], relevant: Sequence[bool], include_precision: float, low: float
) -> float:
    """The inclusion threshold: the lowest one at which the records with p ≥ high are relevant in
    at least `include_precision` of cases; halfway (logit) to the next lower probability."""
    p = np.asarray(probabilities, float)
    y = np.asarray(relevant, bool)
    order = np.argsort(-p, kind="stable")
    ps, ys = p[order], y[order]
    precision = np.cumsum(ys) / np.arange(1, len(ys) + 1)
    ok = np.flatnonzero(precision >= include_precision)
    if len(ok) == 0:
        return 1.0
    # The longest prefix that meets the target; never cut between tied probabilities.
    k = int(ok.max())
    t = float(ps[k])
    lower = ps[ps < t]
    high = _logit_midpoint(float(lower.max()), t) if len(lower) else t
    return float(max(high, min(1.0, low + 1e-6)))


def _logit_midpoint(a: float, b: float) -> float:
    eps = 1e-12

    def logit(x: float) -> float:
        x = min(max(x, eps), 1 - eps)
        return math.log(x / (1 - x))

    z = (logit(a) + logit(b)) / 2
    return 1.0 / (1.0 + math.exp(-z))
