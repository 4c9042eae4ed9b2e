"""`evidencebot annotate FILE.xml`: screen and extract each article of a PubMed XML file.

One JSON object per article: {"pmid", "screen": {"decision", "probability", "reason"},
"outcomes": [...], "hazard_ratios": [...]}. Unparseable input raises PubmedParseError,
which the CLI prints as one `Error:` line.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from evidencebot.protocol import Protocol
from evidencebot.screen.screener import Screener


def annotate_xml(data: bytes, protocol: Protocol, screener: Screener) -> Iterator[dict[str, Any]]:
    """Annotations for every article in a PubmedArticleSet document."""
    from evidencebot.extract import extract_abstract
    from evidencebot.pubmed import parse_pubmed_xml

    records = parse_pubmed_xml(data)
    decisions = screener.decide_many(records)
    for record, decision in zip(records, decisions, strict=True):
        extraction = extract_abstract(record.abstract, protocol, title=record.title).to_annotation()
        yield {
            "pmid": record.pmid,
            "screen": {
                "decision": decision.decision,
                "probability": round(decision.probability, 6),
                "reason": decision.reason,
            },
            "outcomes": extraction.get("outcomes", []),
            "hazard_ratios": extraction.get("hazard_ratios", []),
        }
