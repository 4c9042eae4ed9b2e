"""Fixtures: a tiny screener trained in seconds on synthetic records, saved like the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencebot.screen.features import FEATURE_VERSION, ScreenInput
from evidencebot.screen.model import ThreeWayScreener
from evidencebot.screen.screener import Screener, load_screener, save_model

RELEVANT = [
    (
        "Second-line {a} after gemcitabine-cisplatin in advanced {d}: a phase II trial",
        "Patients with advanced {d} who progressed on first-line gemcitabine and cisplatin received {a}. "
        "Median overall survival was 6.1 months and median progression-free survival 3.2 months; "
        "the objective response rate was 9%.",
    ),
    (
        "{a} in previously treated {d}: a multicentre retrospective cohort",
        "We reviewed patients with {d} refractory to gemcitabine-based chemotherapy treated with {a}. "
        "Median OS was 7.0 months (95% CI 5.1-8.9) and PFS 2.9 months.",
    ),
]
IRRELEVANT = [
    (
        "first-line {a} for untreated {d}: randomised phase 3 trial",
        "Previously untreated patients with {d} were randomised to {a} plus gemcitabine-cisplatin or "
        "placebo. Median overall survival was 12.8 months.",
        "wrong_line",
    ),
    (
        "{a} in metastatic pancreatic cancer after progression",
        "Patients with pancreatic ductal adenocarcinoma previously treated with gemcitabine received {a}. "
        "Median overall survival was 6.0 months.",
        "wrong_disease",
    ),
    (
        "{a} inhibits growth of {d} cell lines and xenografts",
        "In vitro, {a} reduced cell viability of {d} cell lines; in mice, xenograft growth slowed.",
        "preclinical",
    ),
    (
        "Stereotactic body radiotherapy for unresectable {d}",
        "Patients with {d} received SBRT to the primary tumour; local control at one year was 80%.",
        "not_systemic",
    ),
]
AGENTS = ["FOLFOX", "nal-IRI plus 5-FU", "pemigatinib", "ivosidenib", "irinotecan", "capecitabine"]
DISEASES = ["biliary tract cancer", "cholangiocarcinoma", "gallbladder cancer"]


def synthetic_training_set() -> tuple[list[ScreenInput], list[str]]:
    X, y = [], []
    for i, agent in enumerate(AGENTS):
        for j, disease in enumerate(DISEASES):
            pts = ("Journal Article", "Clinical Trial") if (i + j) % 2 else ()
            for title, abstract in RELEVANT:
                X.append(
                    ScreenInput(
                        title.format(a=agent, d=disease), abstract.format(a=agent, d=disease), pts, ()
                    )
                )
                y.append("relevant")
            for title, abstract, reason in IRRELEVANT:
                X.append(
                    ScreenInput(
                        title.format(a=agent, d=disease), abstract.format(a=agent, d=disease), pts, ()
                    )
                )
                y.append(reason)
    return X, y


def tiny_metadata() -> dict:
    return {
        "feature_version": FEATURE_VERSION,
        "cue_rules": "evidencebot.screen_cues.v1",
        "training_data_sha256": "synthetic",
        "params": {},
        "thresholds": {"metadata": [0.2, 0.8], "no_metadata": [0.2, 0.8]},
    }


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    X, y = synthetic_training_set()
    model = ThreeWayScreener(thresholds={"metadata": [0.2, 0.8], "no_metadata": [0.2, 0.8]}).fit(X, y)
    out = tmp_path_factory.mktemp("model")
    save_model(model, tiny_metadata(), out)
    return out


@pytest.fixture(scope="session")
def tiny_screener(tiny_model_dir: Path) -> Screener:
    return load_screener(tiny_model_dir)
