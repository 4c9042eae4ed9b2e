"""Properties of the shipped model (models/screen) on the held-out test split of the corpus."""

from __future__ import annotations

import json

import numpy as np
import pytest

from evidencebot.corpus import load_entries, load_splits
from evidencebot.screen import ScreenInput, load_screener
from evidencebot.screen.screener import META_FILE, MODEL_FILE, resolve_model_dir
from evidencebot.screen.train import corpus_sets

MODEL = resolve_model_dir("models/screen")
pytestmark = pytest.mark.skipif(not (MODEL / MODEL_FILE).exists(), reason="no shipped model")


@pytest.fixture(scope="module")
def screener():
    return load_screener(MODEL)


@pytest.fixture(scope="module")
def test_split():
    data = corpus_sets()["test"]
    assert data.ids, "the corpus has no test split"
    return data


def test_probabilities_are_in_the_unit_interval(screener) -> None:
    entries = load_entries()
    ds = screener.decide_many(entries)
    p = np.array([d.probability for d in ds])
    assert np.all((p >= 0) & (p <= 1))


def test_recall_at_the_low_threshold_meets_the_target_on_held_out_data(screener, test_split) -> None:
    decisions = [d.decision for d in screener.decide_many(test_split.inputs)]
    relevant = test_split.relevant
    kept = np.array([d != "exclude" for d in decisions])
    assert kept[relevant].mean() >= 0.98
    assert np.mean([d == "review" for d in decisions]) <= 0.25


def test_recall_holds_without_metadata(screener, test_split) -> None:
    ds = screener.decide_many([x.without_metadata() for x in test_split.inputs])
    kept = np.array([d.decision != "exclude" for d in ds])
    assert kept[test_split.relevant].mean() >= 0.98
    assert not any(d.has_metadata for d in ds)


def test_calibration_improves_the_brier_score(screener, test_split) -> None:
    y = test_split.relevant.astype(float)
    calibrated = screener.model.predict_proba(test_split.inputs)[:, 1]
    raw = screener.model.predict_proba_uncalibrated(test_split.inputs)[:, 1]
    assert np.mean((calibrated - y) ** 2) < np.mean((raw - y) ** 2)


def test_model_was_not_trained_on_the_test_split(screener) -> None:
    splits = load_splits()
    meta = json.loads((MODEL / META_FILE).read_text())
    n_train_dev = sum(1 for s in splits.values() if s in ("train", "dev"))
    assert meta["n_training_records"] == n_train_dev + meta["n_reviewer_decisions"]
    assert meta["n_test_records"] == sum(1 for s in splits.values() if s == "test")


def test_card_reports_the_test_figures() -> None:
    meta = json.loads((MODEL / META_FILE).read_text())
    card = (MODEL / "MODEL_CARD.md").read_text()
    recall = meta["test_metrics"]["as_indexed"]["recall"]
    assert f"{recall:.3f}" in card
    assert (MODEL / MODEL_FILE).stat().st_size < 5_000_000


def test_every_decision_carries_its_cues(screener) -> None:
    d = screener.decide(
        "Liposomal irinotecan plus fluorouracil after gemcitabine-cisplatin in biliary tract cancer",
        "Patients with advanced biliary tract cancer progressing after first-line gemcitabine and "
        "cisplatin were randomised to nal-IRI plus 5-FU/LV or 5-FU/LV. Median progression-free "
        "survival was 7.1 versus 1.4 months (hazard ratio 0.56).",
        ["Journal Article", "Randomized Controlled Trial"],
        ["Biliary Tract Neoplasms"],
    )
    assert d.decision != "exclude"  # terse: the in-scope safety net keeps it at least in review
    assert len(d.cues) >= 3 and sum(w != 0 for _, w in d.cues) >= 3


@pytest.mark.parametrize(
    "title, abstract, reason",
    [
        (
            "Gemcitabine plus cisplatin with durvalumab for untreated advanced biliary tract cancer",
            "In this randomised phase 3 trial, previously untreated patients with advanced biliary "
            "tract cancer received durvalumab or placebo with gemcitabine and cisplatin as first-line "
            "therapy. Median overall survival was 12.8 versus 11.5 months.",
            "wrong_line",
        ),
        (
            "Second-line FOLFIRI in metastatic colorectal cancer",
            "Patients with metastatic colorectal cancer who progressed on first-line FOLFOX received "
            "FOLFIRI. Median overall survival was 11 months.",
            "wrong_disease",
        ),
    ],
)
def test_clear_negatives_are_not_included(screener, title: str, abstract: str, reason: str) -> None:
    d = screener.decide(title, abstract, [], [])
    assert d.decision != "include"


def test_empty_input_still_gets_a_decision(screener) -> None:
    d = screener.decide_many([ScreenInput()])[0]
    assert d.decision == "review"
