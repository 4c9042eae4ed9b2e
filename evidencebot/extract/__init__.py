"""Extraction of survival outcomes, hazard ratios and grade >=3 toxicities from abstracts.

    extract_abstract(text, protocol) -> Extraction

Spans are character offsets into `text`; `text[start:end]` is the number as written.
"""

from __future__ import annotations

from evidencebot.extract.checks import check
from evidencebot.extract.model import Extraction, Flag, HazardRatio, Outcome, Toxicity

# Bumped whenever the rules read any abstract differently: the extract stage re-reads every record
# whose rows came from another revision (reviewers' verified rows and deletions always stand).
CODE_REVISION = "0.2"
EXTRACTOR_VERSION = f"evidencebot.survival_rules.v1+{CODE_REVISION}"

__all__ = [
    "EXTRACTOR_VERSION",
    "Extraction",
    "Flag",
    "HazardRatio",
    "Outcome",
    "Toxicity",
    "extract_abstract",
    "extractor_version",
]


# Typographic variants read as their plain forms: hyphens (U+2010, non-breaking U+2011) as "-"
# ("S‑1", "GEM→S‑1"), no-break and thin spaces as " ". Dashes stay: they separate CI bounds.
SAME_LENGTH_FOLDS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " "})
_FOLDED = tuple(chr(c) for c in SAME_LENGTH_FOLDS)


def _fold(text: str) -> str:
    """text.translate(SAME_LENGTH_FOLDS), which costs ~0.1 ms per abstract even when, as
    mostly, none of those characters is there (a few `in` tests settle that)."""
    for ch in _FOLDED:
        if ch in text:
            return text.translate(SAME_LENGTH_FOLDS)
    return text


def extractor_version(protocol) -> str:
    """The version recorded with each extraction: the rule set the protocol selects + code rev."""
    return f"{protocol.extract.rules}+{CODE_REVISION}"


def extract_abstract(text: str, protocol, title: str = "") -> Extraction:
    """Outcomes, hazard ratios, toxicities and consistency flags for one abstract.

    `title` (optional) only helps to tell the study's arms apart; spans always index `text`.
    """
    from evidencebot.extract.pipeline import K_EXTRACTION, K_TITLE, K_TITLE_REGIMEN_SPANS, build_nlp

    nlp = build_nlp(protocol)
    text = text or ""
    # one character for one character, so every span still indexes `text`
    doc = nlp.make_doc(_fold(text))
    title = _fold(title or "")
    # doc._.title, doc._.title_regimen_spans, doc._.extraction (see pipeline.K_SOURCE_TEXT)
    doc.user_data[K_TITLE] = title
    if title:
        doc.user_data[K_TITLE_REGIMEN_SPANS] = nlp.get_pipe("evidencebot_regimens").find_text(title)
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    ex: Extraction = doc.user_data[K_EXTRACTION]
    ex.flags = check(text, ex)
    return ex
