"""Extraction of survival outcomes, hazard ratios and grade >=3 toxicities from abstracts.

    extract_abstract(text, protocol) -> Extraction

Spans are character offsets into `text`; `text[start:end]` is the number as written.
"""

from __future__ import annotations

from evidencebot.extract.checks import check
from evidencebot.extract.model import Extraction, Flag, HazardRatio, Outcome, Toxicity

# Bumped whenever the rules read any abstract differently: the extract stage re-reads every record
# whose rows came from another revision (reviewers' verified rows and deletions always stand).
CODE_REVISION = "0.4"
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

    This runs the pipeline's two components (regimen matcher, rule set) on the text without
    tokenising it: the rules read characters, not tokens, so the Doc that `build_nlp(protocol)(text)`
    returns (the same mentions as spaCy spans, for display) would be built only to be dropped, and
    tokenising costs about a sixth of the time per abstract.
    """
    from evidencebot.extract.pipeline import components

    regimens, rules = components(protocol)
    # one character for one character, so every span still indexes `text`
    folded = _fold(text or "")
    title = _fold(title or "")
    title_regimens = regimens.find_text(title) if title else None
    ex, _ = rules.extract(folded, regimens.find_text(folded), title, title_regimens)
    ex.flags = check(text or "", ex)
    return ex
