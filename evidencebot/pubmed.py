"""PubMed XML → `PubmedRecord` dataclasses, with Biopython's parser and its bundled DTDs.

Biopython fetches a DTD it does not have from the internet, silently; offline that fails
deep inside expat. So the DOCTYPE is checked first, and an unknown DTD is a clear error.
One call parses one efetch batch: memory is bounded by the batch, never by the crawl.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from dataclasses import asdict, dataclass, field
from typing import Any
from xml.parsers.expat import ExpatError

from Bio import Entrez
from Bio.Entrez import Parser as EntrezParser

from evidencebot.errors import PubmedParseError

_DOCTYPE = re.compile(rb"<!DOCTYPE\s+(\w+)\s+PUBLIC\s+\"[^\"]*\"\s+\"([^\"]+)\"", re.IGNORECASE)
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}

# Trial registry identifiers that appear in abstracts (DataBankList only has some of them).
REGISTRY_PATTERNS = [
    re.compile(r"\bNCT\s?\d{8}\b"),
    re.compile(r"\bISRCTN\s?\d{8}\b"),
    re.compile(r"\bJapicCTI-\d{6}\b"),
    re.compile(r"\bjRCT[a-z]?\d{7,10}\b"),
    re.compile(r"\bUMIN\d{9}\b"),
    re.compile(r"\bChiCTR[-\w]*\d{6,}\b"),
    re.compile(r"\bEudraCT\s*(?:number\s*)?:?\s*\d{4}-\d{6}-\d{2}\b", re.IGNORECASE),
    re.compile(r"\bKCT\d{7}\b"),
    re.compile(r"\bACTRN\d{14}\b"),
]
RETRACTED_TYPE = "Retracted Publication"
RETRACTION_NOTICE_TYPE = "Retraction of Publication"


@dataclass(frozen=True)
class CommentCorrection:
    ref_type: str          # RetractionIn, RetractionOf, ErratumIn, ExpressionOfConcernIn, UpdateIn…
    pmid: str | None
    source: str


@dataclass(frozen=True)
class AbstractSection:
    label: str             # "" for an unstructured abstract
    text: str


@dataclass(frozen=True)
class PubmedRecord:
    pmid: str
    version: int
    title: str
    abstract_sections: tuple[AbstractSection, ...]
    journal: str
    pub_year: int | None
    pub_date: str | None
    entry_date: str | None        # YYYY-MM-DD, PubMed's entrez date
    publication_types: tuple[str, ...]
    mesh_terms: tuple[str, ...]
    keywords: tuple[str, ...]
    doi: str | None
    registry_ids: tuple[str, ...]
    language: str | None
    comments_corrections: tuple[CommentCorrection, ...] = field(default=())

    @property
    def abstract(self) -> str:
        """The abstract as plain text: 'LABEL: text' per section, one per line."""
        return abstract_text(self.abstract_sections)

    @property
    def retracted(self) -> bool:
        """Retracted: flagged as such, or linked to a retraction notice (errata are not)."""
        return RETRACTED_TYPE in self.publication_types or any(
            c.ref_type == "RetractionIn" for c in self.comments_corrections
        )

    @property
    def is_retraction_notice(self) -> bool:
        """A notice that retracts another article: not a study."""
        return RETRACTION_NOTICE_TYPE in self.publication_types or any(
            c.ref_type == "RetractionOf" for c in self.comments_corrections
        )

    @property
    def has_erratum(self) -> bool:
        return any(c.ref_type == "ErratumIn" for c in self.comments_corrections)

    @property
    def expression_of_concern(self) -> bool:
        return any(c.ref_type == "ExpressionOfConcernIn" for c in self.comments_corrections)

    def content_hash(self) -> str:
        """Hash of everything PubMed may change; a new hash means a new revision."""
        payload = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def to_row(self) -> dict[str, Any]:
        """The `records` table columns that come from PubMed."""
        return {
            "pmid": self.pmid,
            "version": self.version,
            "content_hash": self.content_hash(),
            "title": self.title,
            "abstract": self.abstract,
            "abstract_sections": json.dumps([asdict(s) for s in self.abstract_sections]),
            "journal": self.journal,
            "pub_year": self.pub_year,
            "pub_date": self.pub_date,
            "entry_date": self.entry_date,
            "publication_types": json.dumps(list(self.publication_types)),
            "mesh_terms": json.dumps(list(self.mesh_terms)),
            "keywords": json.dumps(list(self.keywords)),
            "doi": self.doi,
            "registry_ids": json.dumps(list(self.registry_ids)),
            "language": self.language,
            "comments_corrections": json.dumps([asdict(c) for c in self.comments_corrections]),
            "retracted": int(self.retracted),
            "has_erratum": int(self.has_erratum),
            "expression_of_concern": int(self.expression_of_concern),
            "is_retraction_notice": int(self.is_retraction_notice),
        }


def abstract_text(sections: tuple[AbstractSection, ...] | list[AbstractSection]) -> str:
    return "\n".join(f"{s.label}: {s.text}" if s.label else s.text for s in sections)


def bundled_dtds() -> set[str]:
    """DTD file names Biopython can resolve without the network."""
    names = set()
    for directory in (
        os.path.join(os.path.dirname(Entrez.__file__), "DTDs"),
        EntrezParser.DataHandler.local_dtd_dir,
    ):
        if directory and os.path.isdir(directory):
            names.update(os.listdir(directory))
    return names


def check_doctype(data: bytes) -> None:
    """Refuse XML whose DTD Biopython would have to download."""
    head = data[:4096]
    match = _DOCTYPE.search(head)
    if not match:
        snippet = head[:80].decode("utf-8", "replace").strip()
        raise PubmedParseError(
            "PubMed XML has no DOCTYPE declaration; expected "
            f'<!DOCTYPE PubmedArticleSet PUBLIC "..." "...pubmed_YYMMDD.dtd"> (starts with {snippet!r})'
        )
    root, system_id = match.group(1).decode(), match.group(2).decode()
    if root != "PubmedArticleSet":
        raise PubmedParseError(f"expected a PubmedArticleSet document, got a {root} document")
    dtd = os.path.basename(system_id)
    if dtd not in bundled_dtds():
        raise PubmedParseError(
            f"PubMed XML uses DTD {dtd!r}, which this Biopython does not bundle; "
            "upgrade biopython (pip install -U biopython) rather than letting it download the DTD"
        )


def parse_pubmed_xml(data: bytes) -> list[PubmedRecord]:
    """Parse one efetch response (a whole PubmedArticleSet) into records, all or nothing."""
    check_doctype(data)
    try:
        parsed = Entrez.read(io.BytesIO(data), validate=True)
    except EntrezParser.CorruptedXMLError as exc:
        raise PubmedParseError(f"PubMed XML is truncated or corrupted: {exc}") from None
    except EntrezParser.NotXMLError as exc:
        raise PubmedParseError(f"PubMed response is not XML: {exc}") from None
    except EntrezParser.ValidationError as exc:
        raise PubmedParseError(f"PubMed XML does not match its DTD: {exc}") from None
    except (ValueError, RuntimeError, ExpatError) as exc:
        # Biopython's other ValueErrors, RuntimeError for an <ERROR> element, raw expat errors;
        # anything else is a bug, not a bad document, and must not be retried as one.
        raise PubmedParseError(f"PubMed XML cannot be parsed: {type(exc).__name__}: {exc}") from None
    try:
        return [_record(article) for article in parsed.get("PubmedArticle", [])]
    except (KeyError, TypeError, ValueError) as exc:
        raise PubmedParseError(f"PubMed article lacks an expected element: {exc!r}") from None


# PubMed keeps inline formatting in titles and abstracts (Biopython hands it over as text);
# the words matter to us, the formatting does not.
_INLINE_MARKUP = re.compile(r"</?(?:i|b|u|em|strong|sup|sub|sc)\b[^>]*>", re.IGNORECASE)


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _plain(value: Any) -> str:
    """Text with PubMed's inline formatting tags removed (their content is kept)."""
    return _INLINE_MARKUP.sub("", _text(value))


def _record(article: dict) -> PubmedRecord:
    citation = article["MedlineCitation"]
    art = citation["Article"]
    pmid_el = citation["PMID"]
    pmid = str(pmid_el)
    version = int(getattr(pmid_el, "attributes", {}).get("Version", 1) or 1)

    sections = tuple(
        AbstractSection(label=_text(getattr(t, "attributes", {}).get("Label", "")), text=_plain(t))
        for t in art.get("Abstract", {}).get("AbstractText", [])
    )
    journal = art.get("Journal", {})
    pub_date_el = journal.get("JournalIssue", {}).get("PubDate", {})
    pub_year, pub_date = _pub_date(pub_date_el)

    publication_types = tuple(_text(p) for p in art.get("PublicationTypeList", []))
    mesh_terms = tuple(_text(h["DescriptorName"]) for h in citation.get("MeshHeadingList", []))
    keywords = tuple(_text(k) for group in citation.get("KeywordList", []) for k in group)
    doi = next(
        (
            _text(e)
            for e in art.get("ELocationID", [])
            if getattr(e, "attributes", {}).get("EIdType") == "doi"
        ),
        None,
    )
    pubmed_data = article.get("PubmedData", {})
    if doi is None:
        doi = next(
            (
                _text(i)
                for i in pubmed_data.get("ArticleIdList", [])
                if getattr(i, "attributes", {}).get("IdType") == "doi"
            ),
            None,
        )
    title = _plain(art.get("ArticleTitle", ""))
    abstract = abstract_text(sections)
    registry_ids = _registry_ids(art.get("DataBankList", []), f"{title}\n{abstract}")
    languages = art.get("Language", [])
    comments = tuple(
        CommentCorrection(
            ref_type=str(getattr(c, "attributes", {}).get("RefType", "")),
            pmid=_text(c["PMID"]) if c.get("PMID") else None,
            source=_text(c.get("RefSource", "")),
        )
        for c in citation.get("CommentsCorrectionsList", [])
    )
    return PubmedRecord(
        pmid=pmid,
        version=version,
        title=title,
        abstract_sections=sections,
        journal=_text(journal.get("Title", "")),
        pub_year=pub_year,
        pub_date=pub_date,
        entry_date=_entry_date(pubmed_data.get("History", [])),
        publication_types=publication_types,
        mesh_terms=mesh_terms,
        keywords=keywords,
        doi=doi,
        registry_ids=registry_ids,
        language=_text(languages[0]) if languages else None,
        comments_corrections=comments,
    )


def _pub_date(el: dict) -> tuple[int | None, str | None]:
    year = el.get("Year")
    if year:
        month = _month(el.get("Month"))
        day = el.get("Day")
        parts = [str(year)]
        if month:
            parts.append(f"{month:02d}")
            if day and str(day).isdigit():
                parts.append(f"{int(day):02d}")
        return int(year), "-".join(parts)
    medline = _text(el.get("MedlineDate", ""))
    found = re.search(r"\b(19|20)\d{2}\b", medline)
    return (int(found.group(0)), medline) if found else (None, medline or None)


def _month(value: Any) -> int | None:
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.isdigit():
        return int(text)
    return _MONTHS.get(text[:3])


def _entry_date(history: list) -> str | None:
    by_status = {getattr(d, "attributes", {}).get("PubStatus"): d for d in history}
    for status in ("entrez", "pubmed"):
        d = by_status.get(status)
        if d is not None and d.get("Year"):
            return f"{int(d['Year']):04d}-{int(d.get('Month', 1)):02d}-{int(d.get('Day', 1)):02d}"
    return None


def _registry_ids(databanks: list, text: str) -> tuple[str, ...]:
    found: list[str] = []
    for bank in databanks:
        for acc in bank.get("AccessionNumberList", []):
            found.append(_text(acc))
    for pattern in REGISTRY_PATTERNS:
        found.extend(m.group(0).replace(" ", "") for m in pattern.finditer(text))
    return tuple(dict.fromkeys(found))
