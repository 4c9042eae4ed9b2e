"""The screening estimator: calibrated relevance, three-way thresholds and an exclusion-reason head.

`ThreeWayScreener` follows scikit-learn's conventions: `__init__` stores parameters only,
`fit` returns `self`, learned state ends in `_`, and the decision thresholds are explicit
parameters (as in `FixedThresholdClassifier`), chosen on cross-validation by
`evidencebot.screen.train` and set with `set_params(thresholds=...)`.

* Relevance: L2-regularised logistic regression on `ScreenFeaturizer` features, Platt-scaled
  on out-of-fold decision values (grouped folds, so a record and its metadata-stripped copy
  never sit on both sides).
* Decision: include if p ≥ high, exclude if p ≤ low, review in between; records without
  publication types or MeSH use their own (low, high).
* Reason: a multinomial logistic regression over the excluded training records, overridden by
  publication types that settle it (Case Reports → case_report, Review → secondary, ...).
* Cues: each decision keeps the features with the largest contributions to its log-odds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold

from evidencebot.screen.features import DENSE_TEXT_NAMES, Parsed, ScreenFeaturizer, parse_many

RELEVANT = "relevant"
_DENSE_INDEX = {name: i for i, name in enumerate(DENSE_TEXT_NAMES)}
UNSPECIFIED = "unspecified"  # excluded by a reviewer who gave no reason: no reason-head label
DEFAULT_THRESHOLDS = {"metadata": [0.1, 0.9], "no_metadata": [0.1, 0.9]}

# Publication types that settle the exclusion reason whatever the text says.
REASON_BY_PUBLICATION_TYPE = (
    ("case reports", "case_report"),
    ("clinical trial protocol", "protocol_no_results"),
    ("systematic review", "secondary"),
    ("meta-analysis", "secondary"),
    ("review", "secondary"),
    ("practice guideline", "secondary"),
    ("guideline", "secondary"),
    ("comment", "secondary"),
    ("editorial", "secondary"),
    ("letter", "secondary"),
    ("retraction of publication", "secondary"),
    ("published erratum", "secondary"),
)


_SCOPE_REQUIRED = tuple(_DENSE_INDEX[f"cue:{g}"] for g in ("disease_btc", "line_later", "agent_systemic"))
_SCOPE_FORBIDDEN = tuple(
    _DENSE_INDEX[f"cue:{g}"]
    for g in ("disease_other", "design_secondary", "design_case", "design_preclinical", "design_protocol")
)


def _ruled_reason(p: Parsed) -> str | None:
    """The exclusion reason the publication types settle, if any."""
    pts = {t.strip().lower() for t in p.publication_types}
    return next((r for t, r in REASON_BY_PUBLICATION_TYPE if t in pts), None)


def _looks_in_scope(p: Parsed) -> bool:
    """The domain cues of an eligible study are all there, and no cue of an excluded kind."""
    return all(p.cues[i] > 0 for i in _SCOPE_REQUIRED) and not any(p.cues[i] > 0 for i in _SCOPE_FORBIDDEN)


@dataclass(frozen=True)
class Scored:
    """The model's view of one record before it becomes a stored decision."""

    decision: str
    probability: float
    reason: str | None
    cues: list[tuple[str, float]]
    has_metadata: bool


class ThreeWayScreener(ClassifierMixin, BaseEstimator):
    """Relevance probability + include/review/exclude + exclusion reason. See module docstring.

    Parameters
    ----------
    featurizer : ScreenFeaturizer or None (a default one)
    C : inverse regularisation strength of the relevance model
    reason_C : the same for the exclusion-reason model
    calibration_folds : folds for the out-of-fold decision values that Platt scaling uses
    thresholds : {"metadata": [low, high], "no_metadata": [low, high]}
    n_cues : how many top features each decision keeps
    random_state : seed for the calibration folds
    """

    def __init__(
        self,
        featurizer: ScreenFeaturizer | None = None,
        C: float = 1.0,
        reason_C: float = 1.0,
        calibration_folds: int = 5,
        thresholds: dict[str, list[float]] | None = None,
        n_cues: int = 6,
        random_state: int = 0,
    ) -> None:
        self.featurizer = featurizer
        self.C = C
        self.reason_C = reason_C
        self.calibration_folds = calibration_folds
        self.thresholds = thresholds
        self.n_cues = n_cues
        self.random_state = random_state

    # --- fitting -----------------------------------------------------------------------------
    def fit(
        self, X: Sequence[Any], y: Sequence[str], groups: Sequence[Any] | None = None
    ) -> ThreeWayScreener:
        """y: 'relevant' or the exclusion reason of each record; groups keep copies together."""
        parsed = parse_many(X, self._rules())
        y = np.asarray(y, dtype=object)
        relevant = y == RELEVANT
        groups = np.arange(len(y)) if groups is None else np.asarray(groups)
        self.featurizer_ = clone(self.featurizer or ScreenFeaturizer()).fit(parsed)
        F = self.featurizer_.transform(parsed)
        self.relevance_ = self._relevance_model().fit(F, relevant)
        oof = self._out_of_fold_scores(F, relevant, groups)
        platt = LogisticRegression(C=1e4, max_iter=1000).fit(oof.reshape(-1, 1), relevant)
        self.platt_slope_ = float(platt.coef_[0, 0])
        self.platt_intercept_ = float(platt.intercept_[0])
        excluded = ~relevant & (y != UNSPECIFIED)
        if len(set(y[excluded])) >= 2:
            # 'sag' solves the sparse multinomial problem in milliseconds where lbfgs takes
            # seconds; its randomness is fixed by random_state.
            self.reason_ = LogisticRegression(
                C=self.reason_C,
                class_weight="balanced",
                solver="sag",
                max_iter=5000,
                random_state=self.random_state,
            ).fit(F[excluded], y[excluded].astype(str))
        else:
            self.reason_ = None
            self.only_reason_ = str(y[excluded][0]) if excluded.any() else None
        self.classes_ = np.array([False, True])
        self.feature_names_ = self.featurizer_.get_feature_names_out()
        return self

    def _rules(self) -> str:
        return (self.featurizer or ScreenFeaturizer()).rules

    def _relevance_model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=5000)

    def _out_of_fold_scores(self, F: Any, relevant: np.ndarray, groups: np.ndarray) -> np.ndarray:
        n_splits = max(2, min(self.calibration_folds, int(relevant.sum()), int((~relevant).sum())))
        folds = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        oof = np.zeros(len(relevant))
        for train, test in folds.split(F, relevant, groups):
            model = self._relevance_model().fit(F[train], relevant[train])
            oof[test] = model.decision_function(F[test])
        return oof

    # --- prediction --------------------------------------------------------------------------
    def _calibrate(self, scores: np.ndarray) -> np.ndarray:
        z = self.platt_slope_ * scores + self.platt_intercept_
        return 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))

    def predict_proba(self, X: Sequence[Any]) -> np.ndarray:
        F = self.featurizer_.transform(X)
        p = self._calibrate(self.relevance_.decision_function(F))
        return np.column_stack([1.0 - p, p])

    def predict_proba_uncalibrated(self, X: Sequence[Any]) -> np.ndarray:
        """The logistic regression's own probabilities (class-balanced, so not calibrated)."""
        return self.relevance_.predict_proba(self.featurizer_.transform(X))

    def predict(self, X: Sequence[Any]) -> np.ndarray:
        return np.array([s.decision for s in self.score(X)], dtype=object)

    def threshold_pair(self, has_metadata: bool) -> tuple[float, float]:
        thresholds = self.thresholds or DEFAULT_THRESHOLDS
        low, high = thresholds["metadata" if has_metadata else "no_metadata"]
        return float(low), float(high)

    def score(self, X: Sequence[Any]) -> list[Scored]:
        """Probability, three-way decision, reason and cues for each record."""
        parsed: list[Parsed] = parse_many(X, self._rules())
        if not parsed:
            return []
        F = self.featurizer_.transform(parsed)
        scores = self.relevance_.decision_function(F)
        probs = self._calibrate(scores)
        reasons = self._reasons(F, parsed)
        coef = self.relevance_.coef_[0]
        contrib = F.multiply(coef).tocsr()
        out = []
        for i, p in enumerate(parsed):
            prob = float(probs[i])
            low, high = self.threshold_pair(p.has_metadata)
            decision = "include" if prob >= high else "exclude" if prob <= low else "review"
            cues = self._top_cues(contrib, i)
            if p.empty or not p.english:
                decision = "review"
                cues = [("text:empty" if p.empty else "text:non_english", 0.0), *cues]
            elif decision == "include" and not p.has_abstract:
                decision = "review"
                cues = [("text:no_abstract", 0.0), *cues]
            elif decision == "exclude" and _ruled_reason(p) is None and _looks_in_scope(p):
                # Safety net for terse or unusual abstracts: BTC + later line + a systemic agent,
                # and nothing marking it secondary, a case, preclinical or a protocol, is never
                # auto-excluded, whatever the regression says.
                decision = "review"
                cues = [("rule:in_scope_cues", 0.0), *cues]
            reason = reasons[i] if decision == "exclude" else None
            out.append(Scored(decision, prob, reason, cues, p.has_metadata))
        return out

    def _top_cues(self, contrib: Any, i: int) -> list[tuple[str, float]]:
        start, end = contrib.indptr[i], contrib.indptr[i + 1]
        values = contrib.data[start:end]
        cols = contrib.indices[start:end]
        k = min(self.n_cues, len(values))
        if k == 0:
            return []
        top = np.argpartition(-np.abs(values), k - 1)[:k]
        top = top[np.argsort(-np.abs(values[top]), kind="stable")]
        return [(str(self.feature_names_[cols[j]]), round(float(values[j]), 3)) for j in top]

    def _reasons(self, F: Any, parsed: list[Parsed]) -> list[str | None]:
        if self.reason_ is not None:
            predicted = list(self.reason_.predict(F))
        else:
            predicted = [self.only_reason_] * len(parsed)
        out: list[str | None] = []
        for p, guess in zip(parsed, predicted, strict=True):
            ruled = _ruled_reason(p)
            out.append(ruled or (str(guess) if guess is not None else None))
        return out

    def predict_reason(self, X: Sequence[Any]) -> list[str | None]:
        parsed = parse_many(X, self._rules())
        return self._reasons(self.featurizer_.transform(parsed), parsed)
