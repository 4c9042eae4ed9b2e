"""Training: reproducible bytes, thresholds that meet the recall target on cross-validation,
reviewer decisions, model card. Runs on a small synthetic corpus to stay fast."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from evidencebot.corpus import CorpusEntry
from evidencebot.protocol import ScreenSettings
from evidencebot.screen import load_screener
from evidencebot.screen.metrics import choose_high, choose_low, screening_metrics, wss_at
from evidencebot.screen.screener import CARD_FILE, META_FILE, MODEL_FILE
from evidencebot.screen.train import train
from evidencebot.store import now_iso, open_db

from .conftest import synthetic_training_set


def synthetic_entries() -> tuple[list[CorpusEntry], dict[str, str]]:
    X, y = synthetic_training_set()
    entries, splits = [], {}
    for i, (x, label) in enumerate(zip(X, y, strict=True)):
        entries.append(
            CorpusEntry(
                id=f"syn-{i:03d}",
                pmid=str(95000000 + i),
                title=x.title,
                abstract=x.abstract,
                label="relevant" if label == "relevant" else "irrelevant",
                reason=None if label == "relevant" else label,
                publication_types=x.publication_types,
                mesh_terms=x.mesh_terms,
            )
        )
        splits[f"syn-{i:03d}"] = "test" if i % 5 == 0 else "train"
    return entries, splits


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    entries, splits = synthetic_entries()
    out = tmp_path_factory.mktemp("trained")
    result = train(out, settings=ScreenSettings(), entries=entries, splits=splits)
    return out, result.metadata


def test_training_is_reproducible_to_the_byte(trained: tuple[Path, dict], tmp_path: Path) -> None:
    out, meta = trained
    entries, splits = synthetic_entries()
    again = train(tmp_path, settings=ScreenSettings(), entries=entries, splits=splits)
    assert (tmp_path / MODEL_FILE).read_bytes() == (out / MODEL_FILE).read_bytes()
    assert again.metadata["model_version"] == meta["model_version"]
    assert again.metadata["thresholds"] == meta["thresholds"]


def test_metadata_records_what_the_issue_asks(trained: tuple[Path, dict]) -> None:
    out, _ = trained
    meta = json.loads((out / META_FILE).read_text())
    for key in (
        "training_data_sha256",
        "versions",
        "thresholds",
        "cv_metrics",
        "test_metrics",
        "model_sha256",
        "feature_version",
        "model_version",
    ):
        assert key in meta
    assert set(meta["versions"]) >= {"scikit-learn", "skops", "spacy", "numpy", "scipy", "python"}
    assert set(meta["thresholds"]) == {"metadata", "no_metadata"}
    for low, high in meta["thresholds"].values():
        assert 0.0 <= low < high <= 1.0
    assert meta["cv_metrics"]["all"]["recall"] >= 0.98
    card = (out / CARD_FILE).read_text()
    for words in ("WSS@95", "ROC AUC", "Sent to review", "Test split", "Thresholds", "Recall"):
        assert words in card
    assert (out / MODEL_FILE).stat().st_size < 5_000_000


def test_trained_model_loads_and_decides(trained: tuple[Path, dict]) -> None:
    out, meta = trained
    screener = load_screener(out)
    assert screener.model_version == meta["model_version"]
    assert screener.thresholds == meta["thresholds"]


def test_reviewer_decisions_join_the_training_data(tmp_path: Path) -> None:
    entries, splits = synthetic_entries()
    db = open_db(tmp_path / "e.db")
    test_entry = next(e for e in entries if splits[e.id] == "test")
    rows = [
        ("91000001", "Regorafenib after gemcitabine failure in cholangiocarcinoma", "include", None),
        ("91000002", "Adjuvant capecitabine in resected biliary cancer", "exclude", "wrong_line"),
        ("91000003", "A letter", "exclude", None),
        (test_entry.pmid, test_entry.title, "include", None),  # a test-split record: never trained on
        ("91000004", "Undecided", "review", None),
    ]
    for pmid, title, decision, reason in rows:
        db["records"].insert(
            {
                "pmid": pmid,
                "title": title,
                "abstract": title + ". Median OS 5 months.",
                "content_hash": "h",
                "updated_at": now_iso(),
            }
        )
        db["screening"].insert(
            {
                "pmid": pmid,
                "decision": decision,
                "reason": reason,
                "decided_by": "review:ana",
                "decided_at": now_iso(),
            }
        )
    result = train(tmp_path / "m", entries=entries, splits=splits, db=db, write=False)
    assert result.metadata["n_reviewer_decisions"] == 3
    assert result.metadata["label_counts"]["unspecified"] == 1


def test_choose_low_keeps_the_target_share_of_relevant_records() -> None:
    rng = np.random.default_rng(0)
    p = rng.uniform(size=1000)
    y = rng.uniform(size=1000) < p
    for target in (0.9, 0.95, 0.98, 0.99):
        low = choose_low(p, y, target)
        assert (p[y] > low).mean() >= target
    high = choose_high(p, y, 0.9, low)
    assert y[p >= high].mean() >= 0.9


def test_wss_and_metrics_on_a_perfect_ranking() -> None:
    p = np.array([0.9, 0.8, 0.1, 0.05, 0.01])
    y = np.array([True, True, False, False, False])
    assert wss_at(p, y, 0.95) == pytest.approx(3 / 5 - 0.05)
    m = screening_metrics(p, y, ["include", "review", "exclude", "exclude", "exclude"])
    assert m["recall"] == 1.0 and m["review_fraction"] == 0.2 and m["roc_auc"] == 1.0
