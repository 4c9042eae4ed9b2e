"""MODEL_CARD.md for the shipped screener, written from its metadata by `evidencebot train`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evidencebot.screen.screener import CARD_FILE

_ROWS = (
    ("recall", "Recall (include + review)"),
    ("relevant_auto_excluded", "Relevant records auto-excluded"),
    ("review_fraction", "Sent to review"),
    ("include_fraction", "Auto-included"),
    ("exclude_fraction", "Auto-excluded"),
    ("include_precision", "Precision of auto-include"),
    ("wss_at_95", "WSS@95"),
    ("roc_auc", "ROC AUC"),
    ("brier", "Brier score (calibrated)"),
    ("brier_uncalibrated", "Brier score (uncalibrated regression)"),
    ("reason_accuracy", "Exclusion reason correct (auto-excluded irrelevant)"),
)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if value != value:
            return "–"
        return f"{value:.0f}" if value.is_integer() and abs(value) > 1 else f"{value:.3f}"
    return str(value)


def _table(columns: dict[str, dict[str, Any]]) -> str:
    names = list(columns)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for key, label in _ROWS:
        if not any(key in columns[n] for n in names):
            continue
        lines.append(f"| {label} | " + " | ".join(_fmt(columns[n].get(key, "–")) for n in names) + " |")
    lines.append(
        "| Records (relevant) | "
        + " | ".join(
            f"{_fmt(columns[n].get('n', '–'))} ({_fmt(columns[n].get('n_relevant', '–'))})" for n in names
        )
        + " |"
    )
    return "\n".join(lines)


def render_model_card(meta: dict[str, Any]) -> str:
    t = meta["thresholds"]
    targets = meta["targets"]
    cv = meta.get("cv_metrics", {})
    test = meta.get("test_metrics", {})
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("versions", {}).items())
    labels = ", ".join(f"{k}: {v}" for k, v in meta.get("label_counts", {}).items())
    parts = [
        "# Screening model card",
        "",
        f"Model version `{meta.get('model_version')}` · features `{meta['feature_version']}` · "
        f"cue rules `{meta['cue_rules']}` · file `{meta.get('model_file')}` "
        f"(SHA-256 `{str(meta.get('model_sha256'))[:16]}…`).",
        "",
        "## What it does",
        "Scores a PubMed record (title, abstract, publication types, MeSH) for relevance to the review "
        "of second-line and later systemic therapy in advanced biliary tract cancer, and decides "
        "**include** (p ≥ high), **exclude** (p ≤ low) or **review** (in between). Records without "
        "publication types and MeSH (new records, not yet indexed) use their own thresholds. Excluded "
        "records get a predicted reason (publication types settle it where they can). Every decision "
        "stores the features that contributed most to its log-odds. Records with no text or non-English "
        "text always go to review; records without an abstract are never auto-included.",
        "",
        "## Data",
        f"- Training: {meta['n_training_records']} records ({meta['n_training_relevant']} relevant) from the "
        f"corpus train and dev splits (`corpus/splits.yaml`) plus {meta['n_reviewer_decisions']} reviewer "
        "decisions from the database. Every record with metadata also enters as a copy without it.",
        f"- Labels: {labels}.",
        f"- Training-data SHA-256: `{meta['training_data_sha256']}`.",
        f"- Test: {meta['n_test_records']} corpus records of the test split, never used for fitting, "
        "feature design or thresholds.",
        "- The corpus is written by the team in its own words (see `corpus/README.md`); real PubMed "
        "abstracts are longer, more varied and far less often relevant, so expect lower precision "
        "and more reviews in production than below.",
        "",
        "## Model",
        "Domain cues (spaCy `PhraseMatcher` on a blank English tokenizer, with context rules for "
        "line of therapy), TF-IDF word uni- and bigrams (numbers dropped), publication-type and MeSH "
        "groups → L2 logistic regression (class-balanced) → Platt scaling on grouped out-of-fold "
        f"scores. Parameters: `{meta['params']}`. Seed {meta['seed']}.",
        "",
        "## Thresholds",
        f"Chosen on {meta['cv']['repeats']}× repeated {meta['cv']['folds']}-fold grouped cross-validation "
        "of the whole pipeline: `low` keeps at least "
        f"{targets['target_recall'] + targets['recall_margin']:.3f} of relevant records "
        f"(target {targets['target_recall']} plus a margin of {targets['recall_margin']}); "
        f"`low` is capped at {targets.get('max_low', 1.0)}: real abstracts differ from ours more than "
        "folds differ from each other, so the exclusion threshold keeps a safety margin that costs "
        "little on the corpus. "
        f"`high` gives auto-includes a precision of at least {targets['include_precision']}.",
        "",
        "| records | low (exclude if p ≤) | high (include if p ≥) |",
        "|---|---|---|",
        f"| with publication types or MeSH | {t['metadata'][0]:.4f} | {t['metadata'][1]:.4f} |",
        f"| without either | {t['no_metadata'][0]:.4f} | {t['no_metadata'][1]:.4f} |",
        "",
        "## Cross-validated figures (train + dev, out-of-fold, mean over repeats; thresholds only)",
        "The text rules (empty / non-English / no abstract / in-scope safety net) are not applied here; "
        "they are in the test figures below.",
        _table({k: v for k, v in cv.items()}),
        "",
        "## Test split (held out)",
        _table(test) if test else "No test split yet.",
        "",
        f"Acceptance (issue 4): recall ≥ {targets['target_recall']} and review fraction ≤ "
        f"{targets['max_review_fraction']} on the test split: "
        + (
            f"recall {_fmt(test['as_indexed']['recall'])}, "
            f"review {_fmt(test['as_indexed']['review_fraction'])} as indexed."
            if test
            else "not measured."
        ),
        "",
        "## Limits",
        "- Small training set written by a few people: the word n-grams may have learned our phrasing; "
        "the domain cues and metadata groups are meant to carry the decision on real abstracts.",
        "- Corpus prevalence of relevant records is far higher than in a PubMed search, so precision of "
        "auto-include on real data will be lower; reviewer decisions (`evidencebot train --with-reviews`) "
        "are the way to adapt it.",
        "- Mixed-population studies (BTC among other cancers, first- and later-line together) are the "
        "hardest cases and mostly land in review.",
        "",
        f"Libraries: {versions}.",
        "",
    ]
    return "\n".join(parts)


SPOT_CHECK_FILE = "spot_check.json"


def render_spot_check(spot: dict[str, Any]) -> str:
    """One line of counts from a check on real PubMed abstracts (kept outside the repository;
    only the counts are stored, in `spot_check.json` beside the model)."""
    return (
        f"Real-abstract spot check ({spot['rules']}, {spot['date']}): n {spot['n']} "
        f"({spot['n_relevant']} relevant, no metadata); relevant auto-excluded "
        f"{spot['relevant_auto_excluded']}; sent to review {_fmt(spot['review_fraction'])}; "
        f"irrelevant auto-included {spot['irrelevant_auto_included']}."
    )


def write_model_card(out_dir: Path, meta: dict[str, Any]) -> Path:
    """MODEL_CARD.md from the metadata, with the spot-check lines of `spot_check.json` if present."""
    path = Path(out_dir) / CARD_FILE
    text = render_model_card(meta)
    spot_path = Path(out_dir) / SPOT_CHECK_FILE
    if spot_path.is_file():
        checks = json.loads(spot_path.read_text(encoding="utf-8"))
        lines = [f"- {render_spot_check(c)}" for c in checks]
        text = text.replace(
            "\n## Limits\n", "\n## Real abstracts\n" + "\n".join(lines) + "\n\n## Limits\n", 1
        )
    path.write_text(text, encoding="utf-8")
    return path
