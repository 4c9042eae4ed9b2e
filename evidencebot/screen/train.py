"""`evidencebot train`: rebuild the shipped screening model reproducibly.

Training data: the corpus's train and dev splits (never test), plus — with `--with-reviews` —
every reviewer decision in the database (screening rows decided_by 'review:%' with their
records' text). Each record with publication types or MeSH also enters as a copy without them,
so the model learns to screen new records that are not yet indexed; a record and its copy
always share a cross-validation fold.

Thresholds come from repeated, grouped cross-validation of the whole estimator (featurizer,
regression and calibration refitted in every fold): `low` so that at most
(1 - target_recall) of relevant records are auto-excluded, `high` so that auto-included
records are relevant in at least `include_precision` of cases; records with and without
metadata get their own pair. The test split is scored once, after everything is fixed, and
its figures go into the model card.
"""

from __future__ import annotations

import hashlib
import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from evidencebot.corpus import CorpusEntry, hash_split, load_entries, load_splits
from evidencebot.protocol import ScreenSettings
from evidencebot.screen.features import FEATURE_VERSION, ScreenFeaturizer, ScreenInput, parse_many
from evidencebot.screen.metrics import choose_high, choose_low, screening_metrics
from evidencebot.screen.model import RELEVANT, UNSPECIFIED, ThreeWayScreener

SEED = 20260101
CV_REPEATS = 3
CV_FOLDS = 5


@dataclass(frozen=True)
class TrainParams:
    """Everything that shapes the model; stored in the metadata file."""

    C: float = 0.5
    reason_C: float = 1.0
    ngram_max: int = 2
    min_df: int = 2
    cue_weight: float = 1.0
    text_weight: float = 0.5
    meta_weight: float = 1.0
    include_precision: float = 0.95
    recall_margin: float = 0.015
    max_low: float = 0.15
    n_cues: int = 6
    rules: str = "evidencebot.screen_cues.v2"

    def estimator(self, thresholds: dict[str, list[float]] | None = None) -> ThreeWayScreener:
        return ThreeWayScreener(
            featurizer=ScreenFeaturizer(
                rules=self.rules,
                ngram_max=self.ngram_max,
                min_df=self.min_df,
                cue_weight=self.cue_weight,
                text_weight=self.text_weight,
                meta_weight=self.meta_weight,
            ),
            C=self.C,
            reason_C=self.reason_C,
            thresholds=thresholds,
            n_cues=self.n_cues,
            random_state=SEED,
        )


@dataclass
class LabelledSet:
    """Records with their labels ('relevant' or an exclusion reason) and where they came from."""

    ids: list[str] = field(default_factory=list)
    inputs: list[ScreenInput] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)

    def add(self, id_: str, item: ScreenInput, label: str) -> None:
        self.ids.append(id_)
        self.inputs.append(item)
        self.labels.append(label)

    @property
    def relevant(self) -> np.ndarray:
        return np.array([lab == RELEVANT for lab in self.labels])

    def data_hash(self) -> str:
        rows = sorted(
            json.dumps(
                [i, x.title, x.abstract, list(x.publication_types), list(x.mesh_terms), lab],
                ensure_ascii=False,
            )
            for i, x, lab in zip(self.ids, self.inputs, self.labels, strict=True)
        )
        return hashlib.sha256("\n".join(rows).encode()).hexdigest()


def entry_input(entry: CorpusEntry) -> ScreenInput:
    return ScreenInput(entry.title, entry.abstract, entry.publication_types, entry.mesh_terms)


def entry_label(entry: CorpusEntry) -> str:
    return RELEVANT if entry.relevant else str(entry.reason)


def corpus_sets(
    entries: Sequence[CorpusEntry] | None = None, splits: dict[str, str] | None = None
) -> dict[str, LabelledSet]:
    """The corpus by split (splits.yaml when present, else the id hash)."""
    entries = load_entries() if entries is None else entries
    splits = load_splits() if splits is None else splits
    out = {name: LabelledSet() for name in ("train", "dev", "test")}
    for e in entries:
        out[splits.get(e.id, hash_split(e.id))].add(e.id, entry_input(e), entry_label(e))
    return out


def review_set(db: Any, exclude_pmids: set[str]) -> LabelledSet:
    """Reviewer decisions from the database (include → relevant, exclude → its reason)."""
    out = LabelledSet()
    rows = db.execute(
        """SELECT s.pmid, s.decision, s.reason, r.title, r.abstract, r.publication_types, r.mesh_terms
           FROM screening s JOIN records r ON r.pmid = s.pmid
           WHERE s.decided_by LIKE 'review:%' AND s.decision IN ('include', 'exclude')
           ORDER BY s.pmid"""
    ).fetchall()
    from evidencebot.corpus import REASONS
    from evidencebot.screen.features import make_input

    for pmid, decision, reason, title, abstract, pts, mesh in rows:
        if str(pmid) in exclude_pmids:
            continue
        label = RELEVANT if decision == "include" else reason if reason in REASONS else UNSPECIFIED
        out.add(f"review:{pmid}", make_input(title, abstract, pts, mesh), label)
    return out


def with_stripped_copies(
    data: LabelledSet, rules: str
) -> tuple[list[Any], np.ndarray, np.ndarray, np.ndarray]:
    """Parsed records (with cue rules `rules`) plus metadata-free copies: (X, y, groups, has_metadata)."""
    parsed = parse_many(data.inputs, rules)
    X: list[Any] = []
    y: list[str] = []
    groups: list[int] = []
    has_meta: list[bool] = []
    for i, (p, label) in enumerate(zip(parsed, data.labels, strict=True)):
        X.append(p)
        y.append(label)
        groups.append(i)
        has_meta.append(p.has_metadata)
        if p.has_metadata:
            X.append(p.without_metadata())
            y.append(label)
            groups.append(i)
            has_meta.append(False)
    return X, np.array(y, dtype=object), np.array(groups), np.array(has_meta)


def cross_validated_probabilities(
    X: list[Any], y: np.ndarray, groups: np.ndarray, params: TrainParams, repeats: int = CV_REPEATS
) -> np.ndarray:
    """Out-of-fold calibrated probabilities, shape (repeats, n): whole estimator refitted per fold."""
    relevant = y == RELEVANT
    out = np.zeros((repeats, len(y)))
    for r in range(repeats):
        folds = StratifiedGroupKFold(n_splits=CV_FOLDS, shuffle=True, random_state=SEED + r)
        for train, test in folds.split(np.zeros(len(y)), relevant, groups):
            model = params.estimator().fit([X[i] for i in train], y[train], groups=groups[train])
            out[r, test] = model.predict_proba([X[i] for i in test])[:, 1]
    return out


def choose_thresholds(
    probs: np.ndarray,
    relevant: np.ndarray,
    has_meta: np.ndarray,
    settings: ScreenSettings,
    params: TrainParams,
) -> dict[str, list[float]]:
    """(low, high) for records with and without metadata, from the out-of-fold probabilities."""
    target = min(settings.target_recall + params.recall_margin, 0.999)
    out = {}
    for key, mask in (("metadata", has_meta), ("no_metadata", ~has_meta)):
        if not mask.any():
            mask = np.ones_like(has_meta)
        p = probs[:, mask].ravel()
        y = np.tile(relevant[mask], probs.shape[0])
        # Real PubMed abstracts are further from the training data than cross-validation
        # folds are from each other: never auto-exclude above max_low, whatever CV allows.
        low = min(choose_low(p, y, target), params.max_low)
        high = choose_high(p, y, params.include_precision, low)
        out[key] = [round(low, 6), round(high, 6)]
    return out


def decisions_for(probs: np.ndarray, has_meta: np.ndarray, thresholds: dict[str, list[float]]) -> np.ndarray:
    out = []
    for p, m in zip(probs, has_meta, strict=True):
        low, high = thresholds["metadata" if m else "no_metadata"]
        out.append("include" if p >= high else "exclude" if p <= low else "review")
    return np.array(out, dtype=object)


def cv_report(
    probs: np.ndarray, relevant: np.ndarray, has_meta: np.ndarray, thresholds: dict[str, list[float]]
) -> dict[str, dict[str, float]]:
    """Cross-validated figures (averaged over repeats) overall and by metadata."""
    report: dict[str, dict[str, float]] = {}
    for key, mask in (("all", np.ones_like(has_meta)), ("metadata", has_meta), ("no_metadata", ~has_meta)):
        if not mask.any():
            continue
        per_repeat = [
            screening_metrics(row[mask], relevant[mask], decisions_for(row[mask], has_meta[mask], thresholds))
            for row in probs
        ]
        report[key] = {k: float(np.mean([m[k] for m in per_repeat])) for k in per_repeat[0]}
    return report


def evaluate(model: ThreeWayScreener, data: LabelledSet) -> dict[str, Any]:
    """Test-split figures as indexed, with metadata stripped, and the reason head's accuracy."""
    relevant = data.relevant
    result: dict[str, Any] = {}
    for key, inputs in (
        ("as_indexed", data.inputs),
        ("without_metadata", [x.without_metadata() for x in data.inputs]),
    ):
        scored = model.score(inputs)
        probs = np.array([s.probability for s in scored])
        decisions = np.array([s.decision for s in scored], dtype=object)
        metrics = screening_metrics(probs, relevant, decisions)
        raw = model.predict_proba_uncalibrated(inputs)[:, 1]
        metrics["brier_uncalibrated"] = float(np.mean((raw - relevant) ** 2))
        excluded = [
            (s.reason, lab)
            for s, lab in zip(scored, data.labels, strict=True)
            if s.decision == "exclude" and lab != RELEVANT
        ]
        metrics["reason_accuracy"] = (
            float(np.mean([a == b for a, b in excluded])) if excluded else float("nan")
        )
        result[key] = metrics
    return result


@dataclass
class TrainResult:
    model: ThreeWayScreener
    metadata: dict[str, Any]
    paths: list[Path]


def train(
    out_dir: str | Path = "models/screen",
    settings: ScreenSettings | None = None,
    db: Any = None,
    params: TrainParams | None = None,
    entries: Sequence[CorpusEntry] | None = None,
    splits: dict[str, str] | None = None,
    write: bool = True,
) -> TrainResult:
    """Fit on corpus train+dev (+ reviewer decisions when `db` is given), choose thresholds on
    cross-validation, score the test split, and write model, metadata and model card."""
    from evidencebot.screen.screener import save_model

    settings = settings or ScreenSettings()
    params = params or TrainParams()
    sets = corpus_sets(entries, splits)
    data = LabelledSet()
    test_pmids = set()
    for name in ("train", "dev"):
        s = sets[name]
        for i, x, lab in zip(s.ids, s.inputs, s.labels, strict=True):
            data.add(i, x, lab)
    n_reviews = 0
    if db is not None:
        corpus_entries = load_entries() if entries is None else entries
        id_to_pmid = {e.id: e.pmid for e in corpus_entries}
        test_pmids = {id_to_pmid[i] for i in sets["test"].ids if i in id_to_pmid}
        reviews = review_set(db, exclude_pmids=test_pmids)
        # A reviewer's decision on a corpus record replaces the corpus label.
        reviewed_pmids = {i.split(":", 1)[1] for i in reviews.ids}
        keep = [k for k, i in enumerate(data.ids) if id_to_pmid.get(i) not in reviewed_pmids]
        data = LabelledSet(
            [data.ids[k] for k in keep], [data.inputs[k] for k in keep], [data.labels[k] for k in keep]
        )
        for i, x, lab in zip(reviews.ids, reviews.inputs, reviews.labels, strict=True):
            data.add(i, x, lab)
        n_reviews = len(reviews.ids)
    if len(set(data.labels) - {UNSPECIFIED}) < 2 or not data.relevant.any() or data.relevant.all():
        from evidencebot.errors import ModelError

        raise ModelError("training needs relevant and irrelevant records; the corpus has too few")

    X, y, groups, has_meta = with_stripped_copies(data, params.rules)
    relevant = y == RELEVANT
    probs = cross_validated_probabilities(X, y, groups, params)
    thresholds = choose_thresholds(probs, relevant, has_meta, settings, params)
    cv = cv_report(probs, relevant, has_meta, thresholds)

    model = params.estimator(thresholds).fit(X, y, groups=groups)
    test = evaluate(model, sets["test"]) if sets["test"].ids else {}

    metadata = {
        "feature_version": FEATURE_VERSION,
        "cue_rules": model.featurizer_.rules,
        "training_data_sha256": data.data_hash(),
        "n_training_records": len(data.ids),
        "n_training_relevant": int(data.relevant.sum()),
        "n_reviewer_decisions": n_reviews,
        "label_counts": {lab: data.labels.count(lab) for lab in sorted(set(data.labels))},
        "n_test_records": len(sets["test"].ids),
        "seed": SEED,
        "cv": {"repeats": CV_REPEATS, "folds": CV_FOLDS, "grouped": True},
        "params": params.__dict__,
        "targets": {
            "target_recall": settings.target_recall,
            "max_review_fraction": settings.max_review_fraction,
            "include_precision": params.include_precision,
            "recall_margin": params.recall_margin,
            "max_low": params.max_low,
        },
        "thresholds": thresholds,
        "cv_metrics": cv,
        "test_metrics": test,
        "n_features": int(model.featurizer_.n_features_out_),
        "versions": library_versions(),
    }
    paths = save_model(model, metadata, out_dir) if write else []
    if write:
        from evidencebot.screen.card import write_model_card

        paths.append(write_model_card(Path(out_dir), metadata))
    return TrainResult(model, metadata, paths)


def library_versions() -> dict[str, str]:
    import scipy
    import sklearn
    import skops
    import spacy

    return {
        "python": platform.python_version(),
        "scikit-learn": sklearn.__version__,
        "skops": skops.__version__,
        "spacy": spacy.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
