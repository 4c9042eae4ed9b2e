"""A local PubMed: an HTTP server speaking NCBI E-utilities over PubMed XML files.

NCBI cannot be reached from here, so crawls, tests and demos run against this sandbox. It
implements the part of the protocol evidencebot uses (esearch with history, efetch, a
minimal esummary and einfo) with PubMed's behaviour where a client depends on it:

- the 9,999-record cap, reported as an <ERROR> inside a 200 while Count stays the full count;
- 3 requests/s without an api_key and 10/s with one, answered with 429 beyond that;
- Boolean operators evaluated left to right with equal precedence;
- records invisible until their entry date has come ("today" can be advanced);
- default sort: most recent entry date first, ties by PMID descending.

Faults (error statuses, delays, truncated and malformed bodies, errors inside a 200) can be
injected at random, deterministically with a seed, or scripted request by request.

Layout: corpus index -> query language -> E-utility responses -> HTTP server -> generator.
Nothing here logs a query string: api_key, tool and email are accepted and never logged.
"""

from __future__ import annotations

import bisect
import dataclasses
import gzip
import ipaddress
import json
import logging
import random
import re
import secrets
import socket
import threading
import time
import xml.etree.ElementTree as ET
import zlib
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape, quoteattr

from evidencebot.errors import PubmedParseError, SandboxError
from evidencebot.redact import redact

log = logging.getLogger("evidencebot.sandbox")

EUTILS_PATH = "/entrez/eutils/"
PUBMED_DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" ?>'
ESEARCH_DOCTYPE = (
    '<!DOCTYPE eSearchResult PUBLIC "-//NLM//DTD esearch 20060628//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20060628/esearch.dtd">'
)
ESUMMARY_DOCTYPE = (
    '<!DOCTYPE eSummaryResult PUBLIC "-//NLM//DTD esummary v1 20041029//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20041029/esummary-v1.dtd">'
)
EINFO_DOCTYPE = (
    '<!DOCTYPE eInfoResult PUBLIC "-//NLM//DTD einfo 20190110//EN" '
    '"https://eutils.ncbi.nlm.nih.gov/eutils/dtd/20190110/einfo.dtd">'
)
EFETCH_MAX = 10_000
FAIL_STATUSES = (429, 500, 502, 503)
SCRIPT_WORDS = ("truncate", "malformed", "error200")


class QuerySyntaxError(ValueError):
    """A search term the sandbox's query parser cannot read (answered as <ERROR> in a 200)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


# --- dates ---------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?")


def parse_date(text: str, *, end: bool = False) -> int:
    """YYYY/MM/DD, YYYY/MM or YYYY as an int YYYYMMDD; a partial date is its first day, or
    with `end` its last (day 31 is fine: the value is only compared)."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"invalid date {text!r}: use YYYY/MM/DD, YYYY/MM or YYYY")
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if end else 1)
    day = int(match[3]) if match[3] else (31 if end else 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"invalid date {text!r}: month or day out of range")
    return year * 10000 + month * 100 + day


def _full_date(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise SandboxError(f"invalid date {text!r}: use YYYY/MM/DD, e.g. 2025/01/31") from None


def _date_int(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def _format_date(value: int) -> str:
    return f"{value // 10000:04d}/{value // 100 % 100:02d}/{value % 100:02d}"


# --- configuration -------------------------------------------------------------------------


@dataclass(frozen=True)
class SandboxConfig:
    """How the sandbox behaves. Rates are probabilities per request, drawn from one
    random.Random(seed), so a sequential client sees the same faults on every run."""

    today: str | None = None  # YYYY/MM/DD; None: the real date, read per request
    max_ids: int = 9999  # PubMed's cap on retstart + retmax
    rate_limit: float = 3.0  # requests/s per client without api_key; 0 = off
    rate_limit_with_key: float = 10.0  # requests/s per api_key; 0 = off
    fail_rate: float = 0.0
    fail_status: int = 503  # 429 (with Retry-After: 1), 500, 502 or 503
    delay: float = 0.0  # seconds before every E-utilities answer
    truncate_rate: float = 0.0  # Content-Length says full, body cut, connection closed
    malformed_rate: float = 0.0  # a 200 whose XML (or JSON) is broken
    error200_rate: float = 0.0  # a 200 whose body is <ERROR>API rate limit exceeded</ERROR>
    seed: int | None = None
    allow_remote: bool = False  # listen on a non-loopback host
    history_size: int = 200  # WebEnvs kept, least recently used dropped first

    def __post_init__(self) -> None:
        if self.today is not None:
            _full_date(self.today)
        for name in ("fail_rate", "truncate_rate", "malformed_rate", "error200_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SandboxError(f"{name} must be between 0 and 1, got {value}")
        if self.fail_status not in FAIL_STATUSES:
            raise SandboxError(
                f"fail_status must be one of {', '.join(map(str, FAIL_STATUSES))}, "
                f"got {self.fail_status}"
            )
        for name in ("delay", "rate_limit", "rate_limit_with_key"):
            if getattr(self, name) < 0:
                raise SandboxError(f"{name} must be 0 or more, got {getattr(self, name)}")
        if self.max_ids < 1:
            raise SandboxError(f"max_ids must be at least 1, got {self.max_ids}")

    def faults(self) -> dict[str, Any]:
        """The settings that can change at runtime (POST /sandbox/faults), as JSON values."""
        names = (
            "fail_rate", "fail_status", "delay", "truncate_rate", "malformed_rate",
            "error200_rate", "rate_limit", "rate_limit_with_key", "max_ids", "seed",
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}


# --- corpus index ----------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+")
_MONTHS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}


def tokenize(text: str) -> tuple[str, ...]:
    """Lower-cased words: runs of letters and digits. "nal-IRI" -> ("nal", "iri")."""
    return tuple(_WORD.findall(text.lower()))


@dataclass(frozen=True, slots=True)
class Record:
    """One indexed PubmedArticle; `raw` is its XML exactly as it was in the corpus file."""

    pmid: int
    edat: int  # entry date YYYYMMDD (History entrez, else pubmed)
    pdat: int  # publication date (Journal PubDate), else edat
    mdat: int  # modification date (DateRevised), else edat
    title: str
    abstract: str
    mesh: tuple[str, ...]
    mesh_major: tuple[str, ...]
    publication_types: tuple[str, ...]
    keywords: tuple[str, ...]
    journal: str
    raw: bytes


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    raw = element.text or "" if len(element) == 0 else "".join(element.itertext())
    return " ".join(raw.split())


def _children(parent: ET.Element | None, list_tag: str, tag: str) -> list[ET.Element]:
    holder = parent.find(list_tag) if parent is not None else None
    return [e for e in holder if e.tag == tag] if holder is not None else []


def _ymd(element: ET.Element | None) -> int | None:
    if element is None:
        return None
    year = element.findtext("Year")
    if not year:
        medline = element.findtext("MedlineDate") or ""
        found = re.match(r"\s*(\d{4})(?:\s+([A-Za-z]{3}))?", medline)
        if not found:
            return None
        return int(found[1]) * 10000 + _MONTHS.get((found[2] or "jan").lower(), 1) * 100 + 1
    month_text = (element.findtext("Month") or "1").strip()
    month = int(month_text) if month_text.isdigit() else _MONTHS.get(month_text[:3].lower(), 1)
    day_text = (element.findtext("Day") or "1").strip()
    return int(year) * 10000 + month * 100 + (int(day_text) if day_text.isdigit() else 1)


_PUBMED_DATE = re.compile(
    rb'<PubMedPubDate\s+PubStatus="(\w+)"\s*>\s*<Year>(\d{4})</Year>\s*'
    rb"<Month>(\d{1,2})</Month>\s*<Day>(\d{1,2})</Day>"
)


def _slice(raw: bytes, tag: bytes) -> bytes | None:
    """The first <tag …>…</tag> in `raw`, as bytes (the tag must not nest)."""
    start = raw.find(b"<" + tag)
    while start != -1 and raw[start + len(tag) + 1 : start + len(tag) + 2] not in b"> \t\r\n":
        start = raw.find(b"<" + tag, start + 1)
    end = raw.find(b"</" + tag + b">", start)
    if start == -1 or end == -1:
        return None
    return raw[start : end + len(tag) + 3]


def parse_record(raw: bytes) -> Record:
    """Index one <PubmedArticle>…</PubmedArticle>. Raises ValueError when it cannot."""
    citation = _slice(raw, b"MedlineCitation")
    if citation is None:
        raise ValueError("PubmedArticle without MedlineCitation")
    return _record(raw, ET.fromstring(citation))


def _record(raw: bytes, citation: ET.Element) -> Record:
    """A Record from the article's bytes and its parsed MedlineCitation. Only the citation
    is parsed as XML, and History is read with a regular expression: the rest of a record
    (PubmedData's ReferenceList above all) would double the load time of a corpus."""
    if not (citation.findtext("PMID") or "").strip().isdigit():
        raise ValueError("PubmedArticle without MedlineCitation/PMID")
    pmid = int(citation.findtext("PMID", "").strip())
    history = {}
    for match in _PUBMED_DATE.finditer(raw, max(raw.find(b"<PubmedData"), 0)):
        status, year, month, day = match.groups()
        history.setdefault(status.decode(), int(year) * 10000 + int(month) * 100 + int(day))
    edat = history.get("entrez") or history.get("pubmed")
    if edat is None:
        raise ValueError(f"PMID {pmid} has no PubMedPubDate with PubStatus entrez or pubmed")
    article = citation.find("Article")
    if article is None:
        raise ValueError(f"PMID {pmid} has no Article")
    descriptors = _children(citation, "MeshHeadingList", "MeshHeading")
    mesh = tuple(_text(h.find("DescriptorName")) for h in descriptors)
    major = tuple(
        _text(h.find("DescriptorName"))
        for h in descriptors
        if any(e.get("MajorTopicYN") == "Y" for e in h)
    )
    return Record(
        pmid=pmid,
        edat=edat,
        pdat=_ymd(article.find("Journal/JournalIssue/PubDate")) or edat,
        mdat=_ymd(citation.find("DateRevised")) or edat,
        title=_text(article.find("ArticleTitle")),
        abstract=" ".join(_text(t) for t in _children(article, "Abstract", "AbstractText")),
        mesh=mesh,
        mesh_major=major,
        publication_types=tuple(
            _text(t) for t in _children(article, "PublicationTypeList", "PublicationType")
        ),
        keywords=tuple(_text(k) for k in citation.iterfind("KeywordList/Keyword")),
        journal=article.findtext("Journal/Title") or article.findtext("Journal/ISOAbbreviation")
        or "",
        raw=raw,
    )


def _corpus_files(paths: Iterable[str | Path]) -> list[Path]:
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.name.endswith((".xml", ".xml.gz")))
            if not found:
                raise SandboxError(f"no .xml or .xml.gz files in corpus directory {path}")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise SandboxError(f"corpus path {path} does not exist")
    return files


def _article_slices(data: bytes, path: Path) -> Iterable[bytes]:
    """The bytes of each <PubmedArticle>…</PubmedArticle> (the element has no attributes
    and does not nest; "<PubmedArticleSet" is told apart by the character after the name)."""
    start = data.find(b"<PubmedArticle")
    while start != -1:
        after = data[start + 14 : start + 15]
        if after not in (b">", b" ", b"\n", b"\t", b"\r"):
            start = data.find(b"<PubmedArticle", start + 14)
            continue
        end = data.find(b"</PubmedArticle>", start)
        if end == -1:
            raise PubmedParseError(f"{path}: a <PubmedArticle> element is never closed")
        end += len(b"</PubmedArticle>")
        yield data[start:end]
        start = data.find(b"<PubmedArticle", end)


def _parse_file(data: bytes, path: Path) -> Iterable[Record]:
    """The file's records. All MedlineCitations go through one XML parser: creating a
    parser per record costs as much as the parsing."""
    slices = list(_article_slices(data, path))
    parser = ET.XMLParser()
    try:
        parser.feed(b"<citations>")
        for raw in slices:
            parser.feed(_slice(raw, b"MedlineCitation") or b"<MedlineCitation/>")
        parser.feed(b"</citations>")
        citations = list(parser.close())
    except ET.ParseError as exc:
        for number, raw in enumerate(slices, 1):  # name the broken record
            try:
                ET.fromstring(raw)
            except ET.ParseError as bad:
                raise PubmedParseError(f"{path}, PubmedArticle #{number}: {bad}") from None
        raise PubmedParseError(f"{path}: {exc}") from None
    for number, (raw, citation) in enumerate(zip(slices, citations, strict=True), 1):
        try:
            yield _record(raw, citation)
        except ValueError as exc:
            raise PubmedParseError(f"{path}, PubmedArticle #{number}: {exc}") from None


def load_records(paths: Iterable[str | Path]) -> list[Record]:
    """Every PubmedArticle in the files (or directories of .xml/.xml.gz files) given.
    A PMID seen again replaces the earlier record, as a revised record would."""
    by_pmid: dict[int, Record] = {}
    for path in _corpus_files(paths):
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        if b"<PubmedArticleSet" not in data:
            raise PubmedParseError(f"{path} is not PubMed XML: no <PubmedArticleSet> element")
        for record in _parse_file(data, path):
            by_pmid[record.pmid] = record
    return list(by_pmid.values())


class _TokenField:
    """An inverted index of one text field: token -> records, plus the token sequences of
    each record's segments (title, each keyword, …) to check phrases."""

    def __init__(self) -> None:
        self.postings: dict[str, set[int]] = {}
        self.segments: dict[int, list[tuple[str, ...]]] = {}
        self._vocabulary: list[str] | None = None

    def add(self, index: int, texts: Iterable[str]) -> None:
        segments = [tokens for tokens in map(tokenize, texts) if tokens]
        if not segments:
            return
        self.segments[index] = segments
        for tokens in segments:
            for token in tokens:
                self.postings.setdefault(token, set()).add(index)

    def _expand(self, prefix: str) -> set[int]:
        if self._vocabulary is None:
            self._vocabulary = sorted(self.postings)
        start = bisect.bisect_left(self._vocabulary, prefix)
        found: set[int] = set()
        for token in self._vocabulary[start:]:
            if not token.startswith(prefix):
                break
            found |= self.postings[token]
        return found

    def match(self, tokens: tuple[str, ...], wildcard: bool) -> set[int]:
        if not tokens:
            return set()
        *head, last = tokens
        candidates = self._expand(last) if wildcard else set(self.postings.get(last, ()))
        for token in head:
            candidates &= self.postings.get(token, set())
            if not candidates:
                return candidates
        if not head:
            return candidates
        return {i for i in candidates if self._has_phrase(i, tokens, wildcard)}

    def _has_phrase(self, index: int, tokens: tuple[str, ...], wildcard: bool) -> bool:
        width = len(tokens)
        for segment in self.segments[index]:
            for start in range(len(segment) - width + 1):
                window = segment[start : start + width]
                if window[:-1] == tokens[:-1] and (
                    window[-1].startswith(tokens[-1]) if wildcard else window[-1] == tokens[-1]
                ):
                    return True
        return False


class _NameField:
    """An exact-name index (MeSH descriptors, publication types), case-insensitive."""

    def __init__(self) -> None:
        self.names: dict[str, set[int]] = {}
        self._sorted: list[str] | None = None

    def add(self, index: int, names: Iterable[str]) -> None:
        for name in names:
            self.names.setdefault(" ".join(name.lower().split()), set()).add(index)

    def match(self, name: str, wildcard: bool) -> set[int]:
        name = " ".join(name.lower().split())
        if not wildcard:
            return set(self.names.get(name, ()))
        if self._sorted is None:
            self._sorted = sorted(self.names)
        found: set[int] = set()
        for key in self._sorted[bisect.bisect_left(self._sorted, name) :]:
            if not key.startswith(name):
                break
            found |= self.names[key]
        return found


class Corpus:
    """The records, in PubMed's default order (entry date descending, then PMID descending),
    and the indexes the query language searches. A record's position is its sort rank."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.records: tuple[Record, ...] = tuple(
            sorted(records, key=lambda r: (r.edat, r.pmid), reverse=True)
        )
        self.position = {r.pmid: i for i, r in enumerate(self.records)}
        self.text = {name: _TokenField() for name in ("ti", "ab", "mhw", "kw")}
        self.names = {name: _NameField() for name in ("mh", "majr", "pt")}
        for i, record in enumerate(self.records):
            self.text["ti"].add(i, [record.title])
            self.text["ab"].add(i, [record.abstract])
            self.text["mhw"].add(i, record.mesh)
            self.text["kw"].add(i, record.keywords)
            self.names["mh"].add(i, record.mesh)
            self.names["majr"].add(i, record.mesh_major)
            self.names["pt"].add(i, record.publication_types)

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> Corpus:
        return cls(load_records(paths))

    def __len__(self) -> int:
        return len(self.records)

    def visible(self, today: int) -> int:
        """How many records have an entry date on or before `today`."""
        return sum(1 for r in self.records if r.edat <= today)

    def evaluate(self, node: Node) -> set[int]:
        """Positions of the records matching a parsed query (ignoring dates and today)."""
        if isinstance(node, BoolOp):
            left, right = self.evaluate(node.left), self.evaluate(node.right)
            if node.op == "AND":
                return left & right
            if node.op == "OR":
                return left | right
            return left - right
        return self._term(node)

    def _term(self, term: Term) -> set[int]:
        field = term.field
        text = term.text.strip()
        wildcard = text.endswith("*")
        bare = text.rstrip("*")
        if field in ("mh", "majr", "pt"):
            return self.names[field].match(bare, wildcard)
        if field == "sb":  # the one subset the sandbox knows: all[sb], every record
            return set(range(len(self.records))) if bare.lower() == "all" else set()
        if field == "pmid":
            pos = self.position.get(int(bare)) if bare.isdigit() else None
            return {pos} if pos is not None else set()
        if field in DATE_FIELDS:
            low, _, high = bare.partition(":")
            try:
                lo, hi = parse_date(low), parse_date(high or low, end=True)
            except ValueError as exc:
                raise QuerySyntaxError(str(exc), term.position) from None
            attr = DATE_FIELDS[field]
            return {i for i, r in enumerate(self.records) if lo <= getattr(r, attr) <= hi}
        tokens = tokenize(bare)
        fields = {"ti": ("ti",), "ab": ("ab",), "tiab": ("ti", "ab"), "kw": ("kw",)}.get(
            field, ("ti", "ab", "mhw", "kw")
        )
        found: set[int] = set()
        for name in fields:
            found |= self.text[name].match(tokens, wildcard)
        if field == "all" and bare.isdigit() and int(bare) in self.position:
            found.add(self.position[int(bare)])
        return found


# --- query language ------------------------------------------------------------------------

# field tag as written (lower case, before any ":") -> canonical field
FIELD_TAGS = {
    "tiab": "tiab", "title/abstract": "tiab",
    "ti": "ti", "title": "ti",
    "ab": "ab", "abstract": "ab",
    "mh": "mh", "mesh": "mh", "mesh terms": "mh",
    "majr": "majr", "mesh major topic": "majr",
    "pt": "pt", "publication type": "pt",
    "ot": "kw", "other term": "kw", "kw": "kw", "keyword": "kw", "keywords": "kw",
    "all": "all", "all fields": "all",
    "pmid": "pmid", "uid": "pmid", "sb": "sb", "subset": "sb",
    "edat": "edat", "entrez date": "edat", "entrez": "edat", "crdt": "edat",
    "create date": "edat",
    "dp": "pdat", "pdat": "pdat", "publication date": "pdat",
    "mdat": "mdat", "modification date": "mdat", "lr": "mdat",
}  # fmt: skip
FIELD_LABELS = {
    "tiab": "Title/Abstract", "ti": "Title", "ab": "Abstract", "mh": "MeSH Terms",
    "majr": "MeSH Major Topic", "pt": "Publication Type", "kw": "Other Term",
    "all": "All Fields", "pmid": "UID", "sb": "Filter", "edat": "EDAT", "pdat": "PDAT", "mdat": "MDAT",
}  # fmt: skip
DATE_FIELDS = {"edat": "edat", "pdat": "pdat", "mdat": "mdat"}


@dataclass(frozen=True)
class Term:
    """One search term: `text` as written (quotes removed) in a canonical field."""

    text: str
    field: str = "all"
    quoted: bool = False
    position: int = 0

    def translation(self) -> str:
        shown = f'"{self.text}"' if self.quoted or " " in self.text else self.text
        return f"{shown}[{FIELD_LABELS[self.field]}]"


@dataclass(frozen=True)
class BoolOp:
    """`left op right`, op one of AND, OR, NOT (NOT meaning AND NOT)."""

    op: str
    left: Node
    right: Node

    def translation(self) -> str:
        parts: list[str] = []
        node: Node = self
        while isinstance(node, BoolOp) and node.op == self.op:
            parts.append(node.right.translation())
            node = node.left
        parts.append(node.translation())
        return "(" + f" {self.op} ".join(reversed(parts)) + ")"


Node = Term | BoolOp

_QUERY_TOKEN = re.compile(r'(\s+)|(\()|(\))|("[^"]*"?)|(\[[^\]]*\]?)|([^\s()"\[\]]+)|(.)')
_OPERATORS = {"AND", "OR", "NOT"}


def _lex(query: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    for match in _QUERY_TOKEN.finditer(query):
        _space, lparen, rparen, quoted, tag, word, other = match.groups()
        pos = match.start()
        if lparen:
            tokens.append(("(", lparen, pos))
        elif rparen:
            tokens.append((")", rparen, pos))
        elif quoted is not None:
            if len(quoted) < 2 or not quoted.endswith('"'):
                raise QuerySyntaxError("unterminated quoted phrase", pos)
            tokens.append(("phrase", quoted[1:-1], pos))
        elif tag is not None:
            if not tag.endswith("]"):
                raise QuerySyntaxError("unterminated field tag", pos)
            tokens.append(("tag", tag[1:-1], pos))
        elif word is not None:
            kind = "op" if word.upper() in _OPERATORS else "word"
            tokens.append((kind, word.upper() if kind == "op" else word, pos))
        elif other is not None:
            raise QuerySyntaxError(f"unexpected {other!r}", pos)
    return tokens


def _field(tag: str) -> str:
    """Canonical field of a tag; an unknown tag searches All Fields, as PubMed does."""
    key = " ".join(tag.lower().split())
    return FIELD_TAGS.get(key) or FIELD_TAGS.get(key.split(":")[0].strip(), "all")


class _Parser:
    """Recursive descent over the lexed query:

        query   := operand (operator? operand)*      left to right, no precedence
        operand := "(" query ")" | phrase tag? | word+ tag?

    A missing operator is AND. Several unquoted words with a tag are one phrase; without a
    tag each word is its own All Fields term, ANDed.
    """

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.at = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> tuple[str, str, int]:
        token = self._peek()
        if token is None:
            raise QuerySyntaxError("query ends where a term was expected", len(self.query))
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("empty query", 0)
        node = self._query()
        token = self._peek()
        if token is not None:
            raise QuerySyntaxError("unbalanced ')'", token[2])
        return node

    def _query(self) -> Node:
        node = self._operand()
        while (token := self._peek()) is not None and token[0] != ")":
            op = "AND"
            if token[0] == "op":
                op = self._next()[1]
            node = BoolOp(op, node, self._operand())
        return node

    def _tag(self) -> str | None:
        token = self._peek()
        if token is not None and token[0] == "tag":
            self.at += 1
            return _field(token[1])
        return None

    def _operand(self) -> Node:
        kind, value, pos = self._next()
        if kind == "(":
            node = self._query()
            closing = self._peek()
            if closing is None or closing[0] != ")":
                raise QuerySyntaxError("missing ')' for '('", pos)
            self.at += 1
            after = self._peek()
            if after is not None and after[0] == "tag":
                raise QuerySyntaxError("a field tag must follow a term, not ')'", after[2])
            return node
        if kind == "phrase":
            return Term(value, self._tag() or "all", quoted=True, position=pos)
        if kind == "word":
            words = [value]
            while (token := self._peek()) is not None and token[0] == "word":
                words.append(self._next()[1])
            field = self._tag()
            if field is not None:
                return Term(" ".join(words), field, position=pos)
            node: Node = Term(words[0], position=pos)
            for word in words[1:]:
                node = BoolOp("AND", node, Term(word, position=pos))
            return node
        if kind == "op":
            raise QuerySyntaxError(f"operator {value} where a term was expected", pos)
        if kind == ")":
            raise QuerySyntaxError("unbalanced ')'", pos)
        raise QuerySyntaxError("field tag without a term", pos)


def parse_query(query: str) -> Node:
    """Parse a PubMed search term (the subset documented in _Parser). Raises
    QuerySyntaxError with the position of the problem."""
    return _Parser(query).parse()


# --- E-utilities responses ---------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, before any fault is applied to it."""

    status: int
    body: bytes
    content_type: str = "text/xml; charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()


def _xml(doctype: str, body: str, status: int = 200) -> Reply:
    return Reply(status, f"{XML_DECLARATION}\n{doctype}\n{body}\n".encode())


def _json(payload: Any, status: int = 200) -> Reply:
    return Reply(status, json.dumps(payload).encode(), "application/json; charset=UTF-8")


def _cap_message(max_ids: int) -> str:
    return (
        "Search Backend failed: Exception:\n"
        f"'retstart' cannot be larger than {max_ids - 1}. For PubMed, ESearch can only "
        f"retrieve the first {max_ids:,} records matching the query. To obtain more than "
        f"{max_ids:,} PubMed records, consider using EDirect that contains additional logic "
        "to batch PubMed search results automatically so that an arbitrary number can be "
        "retrieved. For details see https://www.ncbi.nlm.nih.gov/books/NBK25499/"
    )


def _error_body(endpoint: str, message: str, json_mode: bool = False, status: int = 200) -> Reply:
    """An E-utilities error the way NCBI sends it: an <ERROR> inside the result element."""
    if json_mode:
        return _json({"header": {"type": endpoint, "version": "0.3"},
                      f"{endpoint}result": {"ERROR": message}}, status)  # fmt: skip
    root = {"esearch": "eSearchResult", "efetch": "eFetchResult",
            "esummary": "eSummaryResult", "einfo": "eInfoResult"}.get(endpoint, "eResult")  # fmt: skip
    return Reply(
        status, f"{XML_DECLARATION}\n<{root}>\n\t<ERROR>{escape(message)}</ERROR>\n</{root}>\n"
        .encode()
    )


class _History:
    """The Entrez history server: WebEnv -> list of result id lists (query_key = index+1)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._envs: OrderedDict[str, list[list[int]]] = OrderedDict()
        self._lock = threading.Lock()

    def store(self, webenv: str | None, pmids: list[int]) -> tuple[str, int]:
        with self._lock:
            if not webenv or webenv not in self._envs:
                webenv = "MCID_" + secrets.token_hex(12)
                self._envs[webenv] = []
            self._envs.move_to_end(webenv)
            self._envs[webenv].append(pmids)
            while len(self._envs) > self.size:
                self._envs.popitem(last=False)
            return webenv, len(self._envs[webenv])

    def get(self, webenv: str, query_key: int) -> list[int] | None:
        with self._lock:
            results = self._envs.get(webenv)
            if results is None or not 1 <= query_key <= len(results):
                return None
            self._envs.move_to_end(webenv)
            return results[query_key - 1]


class _Params:
    """Request parameters, names lower-cased; repeated values joined by commas (NCBI does
    this for id)."""

    def __init__(self, values: dict[str, list[str]]) -> None:
        self.values = {k.lower(): v for k, v in values.items()}

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return ",".join(found).strip() if found else default

    def integer(self, name: str, default: int) -> int:
        text = self.get(name)
        if not text:
            return default
        if not text.lstrip("-").isdigit():
            raise ValueError(f"Invalid {name} value '{text}'")
        return int(text)


class EUtilities:
    """The E-utilities over one corpus: each method takes request parameters and returns a
    Reply. Holds the history server; reads today and max_ids from a callable config."""

    def __init__(self, corpus: Corpus, config: Callable[[], SandboxConfig]) -> None:
        self.corpus = corpus
        self._config = config
        self.history = _History(config().history_size)
        self.records_served = 0
        self._count_lock = threading.Lock()

    def today(self) -> int:
        configured = self._config().today
        return _date_int(_full_date(configured) if configured else date.today())

    def esearch(self, params: _Params) -> Reply:
        config = self._config()
        json_mode = params.get("retmode").lower() == "json"
        if params.get("db", "pubmed").lower() != "pubmed":
            return _error_body("esearch", f"Invalid db name specified: {params.get('db')}",
                               json_mode)  # fmt: skip
        term = " ".join(params.get("term").split())
        if not term:
            return _error_body("esearch", "Empty term and query_key - nothing todo", json_mode)
        try:
            retstart = params.integer("retstart", 0)
            retmax = params.integer("retmax", 20)
            window = self._date_window(params)
            node = parse_query(term)
            matched = self.corpus.evaluate(node)
        except QuerySyntaxError as exc:
            return _error_body("esearch", f"Query syntax error: {exc}", json_mode)
        except ValueError as exc:
            return _error_body("esearch", str(exc), json_mode)
        today = self.today()
        datetype = DATE_FIELDS.get(_field(params.get("datetype", "edat")), "edat")
        lo, hi = window
        records = self.corpus.records
        positions = sorted(
            i for i in matched
            if records[i].edat <= today and lo <= getattr(records[i], datetype) <= hi
        )  # fmt: skip
        pmids = [records[i].pmid for i in positions]
        sort = params.get("sort").lower().replace("+", " ").replace("_", " ")
        if sort in ("pub date", "pubdate", "publication date"):
            pmids = [r.pmid for r in sorted((records[i] for i in positions),
                                            key=lambda r: (r.pdat, r.pmid), reverse=True)]  # fmt: skip
        elif sort == "title":
            pmids = [r.pmid for r in sorted((records[i] for i in positions),
                                            key=lambda r: (r.title.lower(), -r.pmid))]  # fmt: skip
        history: tuple[str, int] | None = None
        if params.get("usehistory").lower() == "y":
            history = self.history.store(params.get("webenv") or None, pmids)
        error = None
        if retstart < 0 or retmax < 0:
            error = "Invalid retstart or retmax: must be 0 or more"
        elif retstart + retmax > config.max_ids:
            error = _cap_message(config.max_ids)
        page = [] if error else pmids[retstart : retstart + retmax]
        translation = node.translation()
        if json_mode:
            result: dict[str, Any] = {
                "count": str(len(pmids)), "retmax": str(len(page)), "retstart": str(retstart),
            }  # fmt: skip
            if history:
                result["querykey"], result["webenv"] = str(history[1]), history[0]
            result.update(idlist=[str(p) for p in page], translationset=[],
                          querytranslation=translation)  # fmt: skip
            if error:
                result["ERROR"] = error
            return _json({"header": {"type": "esearch", "version": "0.3"},
                          "esearchresult": result})  # fmt: skip
        parts = [
            f"<eSearchResult><Count>{len(pmids)}</Count><RetMax>{len(page)}</RetMax>"
            f"<RetStart>{retstart}</RetStart>"
        ]
        if history:
            parts.append(f"<QueryKey>{history[1]}</QueryKey><WebEnv>{history[0]}</WebEnv>")
        ids = "".join(f"<Id>{p}</Id>\n" for p in page)
        parts.append(f"<IdList>\n{ids}</IdList>" if page else "<IdList/>")
        parts.append(f"<TranslationSet/><QueryTranslation>{escape(translation)}"
                     "</QueryTranslation>")  # fmt: skip
        if error:
            parts.append(f"<ERROR>{escape(error)}</ERROR>")
        parts.append("</eSearchResult>")
        return _xml(ESEARCH_DOCTYPE, "".join(parts))

    def _date_window(self, params: _Params) -> tuple[int, int]:
        lo, hi = 0, 99991231
        if params.get("mindate"):
            lo = parse_date(params.get("mindate"))
        if params.get("maxdate"):
            hi = parse_date(params.get("maxdate"), end=True)
        if params.get("reldate"):
            days = params.integer("reldate", 0)
            today = datetime.strptime(_format_date(self.today()), "%Y/%m/%d").date()
            lo, hi = _date_int(today - timedelta(days=days)), _date_int(today)
        return lo, hi

    def _select(self, params: _Params, endpoint: str) -> list[Record] | Reply:
        """The visible records named by id=… or by WebEnv + query_key, in order."""
        today = self.today()
        records, position = self.corpus.records, self.corpus.position
        ids_text = params.get("id")
        if ids_text:
            pmids: list[int] = []
            for item in re.split(r"[,\s]+", ids_text):
                if not item:
                    continue
                if not item.isdigit():
                    return _error_body(endpoint, f"Invalid uid {item} at position 0",
                                       status=400)  # fmt: skip
                pmids.append(int(item))
            pmids = list(dict.fromkeys(pmids))
        else:
            webenv = params.get("webenv")
            if not webenv:
                return _error_body(endpoint, "Empty id list - nothing todo", status=400)
            try:
                query_key = params.integer("query_key", 1)
                retstart = params.integer("retstart", 0)
                retmax = params.integer("retmax", 20)
            except ValueError as exc:
                return _error_body(endpoint, str(exc), status=400)
            stored = self.history.get(webenv, query_key)
            if stored is None:
                return _error_body(endpoint, f"Cannot retrieve history data. query_key: "
                                   f"{query_key}, WebEnv: {webenv}", status=400)  # fmt: skip
            max_ids = self._config().max_ids
            if retstart >= max_ids:
                return _error_body(endpoint, _cap_message(max_ids))
            retmax = max(0, min(retmax, EFETCH_MAX, max_ids - retstart))
            pmids = stored[max(retstart, 0) : max(retstart, 0) + retmax]
        found = (records[position[p]] for p in pmids if p in position)
        return [r for r in found if r.edat <= today]

    def efetch(self, params: _Params) -> Reply:
        if params.get("db", "pubmed").lower() != "pubmed":
            return _error_body("efetch", f"Invalid db name specified: {params.get('db')}",
                               status=400)  # fmt: skip
        selected = self._select(params, "efetch")
        if isinstance(selected, Reply):
            return selected
        with self._count_lock:
            self.records_served += len(selected)
        head = f"{XML_DECLARATION}\n{PUBMED_DOCTYPE}\n<PubmedArticleSet>\n".encode()
        return Reply(200, b"".join([head, *(r.raw + b"\n" for r in selected),
                                   b"</PubmedArticleSet>\n"]))  # fmt: skip

    def esummary(self, params: _Params) -> Reply:
        selected = self._select(params, "esummary")
        if isinstance(selected, Reply):
            return selected
        if params.get("retmode").lower() == "json":
            result: dict[str, Any] = {"uids": [str(r.pmid) for r in selected]}
            for r in selected:
                result[str(r.pmid)] = {
                    "uid": str(r.pmid), "pubdate": _format_date(r.pdat),
                    "sortpubdate": _format_date(r.pdat) + " 00:00",
                    "source": r.journal, "title": r.title, "pubtype": list(r.publication_types),
                }  # fmt: skip
            return _json({"header": {"type": "esummary", "version": "0.3"}, "result": result})
        docs = []
        for r in selected:
            types = "".join(f'<Item Name="string" Type="String">{escape(t)}</Item>'
                            for t in r.publication_types)  # fmt: skip
            docs.append(
                f"<DocSum>\n<Id>{r.pmid}</Id>\n"
                f'<Item Name="PubDate" Type="Date">{_format_date(r.pdat)}</Item>\n'
                f'<Item Name="Source" Type="String">{escape(r.journal)}</Item>\n'
                f'<Item Name="Title" Type="String">{escape(r.title)}</Item>\n'
                f'<Item Name="PubTypeList" Type="List">{types}</Item>\n'
                f'<Item Name="EntrezDate" Type="Date">{_format_date(r.edat)}</Item>\n'
                "</DocSum>"
            )
        return _xml(ESUMMARY_DOCTYPE, "<eSummaryResult>\n" + "\n".join(docs)
                    + "\n</eSummaryResult>")  # fmt: skip

    def einfo(self, params: _Params) -> Reply:
        json_mode = params.get("retmode").lower() == "json"
        db = params.get("db").lower()
        if not db:
            if json_mode:
                return _json({"header": {"type": "einfo", "version": "0.3"},
                              "einforesult": {"dblist": ["pubmed"]}})  # fmt: skip
            return _xml(EINFO_DOCTYPE, "<eInfoResult><DbList><DbName>pubmed</DbName></DbList>"
                        "</eInfoResult>")  # fmt: skip
        if db != "pubmed":
            return _error_body("einfo", f"Invalid db name specified: {db}", json_mode)
        today = self.today()
        count = self.corpus.visible(today)
        last = _format_date(today) + " 00:00"
        if json_mode:
            return _json({"header": {"type": "einfo", "version": "0.3"}, "einforesult": {
                "dbinfo": [{"dbname": "pubmed", "menuname": "PubMed", "count": str(count),
                            "lastupdate": last, "dbbuild": "Sandbox"}]}})  # fmt: skip
        return _xml(EINFO_DOCTYPE, "<eInfoResult><DbInfo><DbName>pubmed</DbName>"
                    "<MenuName>PubMed</MenuName><Description>PubMed bibliographic record"
                    f"</Description><DbBuild>Sandbox</DbBuild><Count>{count}</Count>"
                    f"<LastUpdate>{last}</LastUpdate></DbInfo></eInfoResult>")  # fmt: skip


# --- HTTP server ---------------------------------------------------------------------------

ENDPOINTS = ("esearch", "efetch", "esummary", "einfo")


@dataclass(frozen=True)
class _Fault:
    kind: str  # status, ratelimit, error200, truncate, malformed
    status: int = 200


class _Handler(BaseHTTPRequestHandler):
    server: SandboxServer
    protocol_version = "HTTP/1.1"
    server_version = "evidencebot-sandbox"
    timeout = 30  # drop idle keep-alive connections

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._dispatch()

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.info("%s %s %s", self.command, urlsplit(self.path).path, code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """http.server's own messages (bad request lines) quote the URL: drop its query."""
        log.info("%s", redact(re.sub(r"\?[^\s'\"]*", "?…", format % args)))

    def _read_params(self) -> tuple[_Params, bool, bool]:
        """Parameters from the URL and a form-encoded body; whether api_key was in each."""
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        body: dict[str, list[str]] = {}
        length = int(self.headers.get("Content-Length") or 0)
        if self.command == "POST" and length:
            raw = self.rfile.read(length).decode("utf-8", "replace")
            if "json" in (self.headers.get("Content-Type") or ""):
                payload = json.loads(raw or "{}")
                if not isinstance(payload, dict):
                    raise ValueError("a JSON body must be an object")
                body = {k: [str(v)] for k, v in payload.items()}
            else:
                body = parse_qs(raw, keep_blank_values=True)
        merged = {**query}
        for key, values in body.items():
            merged.setdefault(key, []).extend(values)
        in_url = any(k.lower() == "api_key" for k in query)
        in_body = any(k.lower() == "api_key" for k in body)
        return _Params(merged), in_url, in_body

    def _dispatch(self) -> None:
        path = urlsplit(self.path).path
        try:
            params, key_in_url, key_in_body = self._read_params()
        except (ValueError, UnicodeDecodeError):
            self._send(_json({"error": "unreadable request body"}, 400))
            return
        if path.startswith("/sandbox/"):
            self._send(self.server.admin(self, path, params))
            return
        name = path[len(EUTILS_PATH) :].removesuffix(".fcgi") if path.startswith(
            EUTILS_PATH) else ""  # fmt: skip
        if name not in ENDPOINTS:
            self._send(Reply(404, b"Not Found\n", "text/plain; charset=UTF-8"))
            return
        server = self.server
        client = params.get("api_key") or self.client_address[0]
        fault, limit = server.before_request(
            name, self.command, bool(params.get("api_key")), client, key_in_url, key_in_body
        )
        config = server.config
        if config.delay:
            time.sleep(config.delay)
        rate_headers = (("X-RateLimit-Limit", str(int(limit))),) if limit else ()
        json_mode = params.get("retmode").lower() == "json"
        if fault is not None and fault.kind == "ratelimit":
            reply = _json({"error": "API rate limit exceeded", "count": str(int(limit) + 1)}, 429)
            reply = dataclasses.replace(reply, headers=(("Retry-After", "1"), *rate_headers))
        elif fault is not None and fault.kind == "status":
            if fault.status == 429:
                reply = _json({"error": "API rate limit exceeded", "count": "4"}, 429)
                reply = dataclasses.replace(reply, headers=(("Retry-After", "1"),))
            else:
                phrase = self.responses.get(fault.status, ("Error",))[0]
                reply = Reply(fault.status, f"<html><head><title>{fault.status} {phrase}"
                              f"</title></head><body><h1>{phrase}</h1></body></html>\n".encode(),
                              "text/html; charset=UTF-8")  # fmt: skip
        elif fault is not None and fault.kind == "error200":
            reply = _error_body(name, "API rate limit exceeded", json_mode)
        else:
            reply = getattr(server.eutils, name)(params)
            reply = dataclasses.replace(reply, headers=reply.headers + rate_headers)
        kind = fault.kind if fault is not None else ""
        self._send(reply, truncate=kind == "truncate", malformed=kind == "malformed")
        server.count_status(reply.status)

    def _send(self, reply: Reply, truncate: bool = False, malformed: bool = False) -> None:
        body = reply.body
        if malformed:
            body = body[: max(1, len(body) * 2 // 3)] + b"\n<sandbox-malformed <</\n"
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(body)))
        for header, value in reply.headers:
            self.send_header(header, value)
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def _is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        try:
            return ipaddress.ip_address(socket.gethostbyname(host)).is_loopback
        except OSError:
            return False


class SandboxServer(ThreadingHTTPServer):
    """The sandbox over HTTP. Use `start()` to serve from a background thread (tests) or
    `serve_forever()` (CLI); `shutdown()` stops and closes it either way."""

    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        corpus: Corpus,
        host: str = "127.0.0.1",
        port: int = 0,
        config: SandboxConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            raise SandboxError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        self.corpus = corpus
        self._config = config or SandboxConfig()
        self._clock = clock
        self._lock = threading.Lock()
        self._rng = random.Random(self._config.seed)
        self._script: deque[int | str] = deque()
        self._windows: dict[str, deque[float]] = {}
        self._stats: Counter[str] = Counter()
        self._thread: threading.Thread | None = None
        self._serving = threading.Event()
        self.eutils = EUtilities(corpus, lambda: self._config)

    # -- addresses and lifecycle

    @property
    def host(self) -> str:
        return str(self.server_address[0])

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        """The E-utilities base URL, e.g. http://127.0.0.1:PORT/entrez/eutils/."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{EUTILS_PATH}"

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving.set()
        super().serve_forever(poll_interval)

    def start(self) -> SandboxServer:
        """Serve from a daemon thread; returns self (`with make_server(...).start() as s:`)."""
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,),
                                        name="sandbox", daemon=True)  # fmt: skip
        self._thread.start()
        self._serving.wait()
        return self

    def shutdown(self) -> None:
        if self._serving.is_set():
            super().shutdown()
            self._serving.clear()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # -- runtime settings

    @property
    def config(self) -> SandboxConfig:
        return self._config

    @property
    def today(self) -> str:
        return _format_date(self.eutils.today())

    def set_today(self, value: str | date | None) -> str:
        """Move the sandbox's clock (records entered after it are invisible); None: real date."""
        if isinstance(value, date):
            value = value.strftime("%Y/%m/%d")
        self.set_faults(today=value)
        return self.today

    def set_faults(self, **changes: Any) -> SandboxConfig:
        """Change SandboxConfig fields at runtime; a new seed restarts the random sequence."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(SandboxConfig)}
        if unknown:
            raise SandboxError(f"unknown sandbox setting(s): {', '.join(sorted(unknown))}")
        with self._lock:
            self._config = dataclasses.replace(self._config, **changes)
            if "seed" in changes:
                self._rng = random.Random(self._config.seed)
            return self._config

    def script_faults(self, faults: Iterable[int | str]) -> None:
        """The next requests answer, in order: a status (200 = normal, 429, 5xx), or
        "truncate", "malformed", "error200". Scripted requests skip the rate limit and the
        random faults."""
        items: list[int | str] = []
        for item in faults:
            text = str(item).strip().lower()
            if text in SCRIPT_WORDS:
                items.append(text)
            elif text.isdigit() and (int(text) == 200 or int(text) in FAIL_STATUSES):
                items.append(int(text))
            else:
                raise SandboxError(f"cannot script fault {item!r}: use 200, "
                                   f"{', '.join(map(str, FAIL_STATUSES))} or "
                                   f"{', '.join(SCRIPT_WORDS)}")  # fmt: skip
        with self._lock:
            self._script.extend(items)

    def stats(self) -> dict[str, Any]:
        """Request counts: total, per endpoint, per method and status, faults injected,
        records served and where api_key travelled."""
        with self._lock:
            counts = dict(self._stats)

        def group(prefix: str) -> dict[str, int]:
            return {k.split(":", 1)[1]: v for k, v in sorted(counts.items())
                    if k.startswith(prefix)}  # fmt: skip

        return {
            "total": counts.get("total", 0),
            "endpoints": {name: counts.get(f"endpoint:{name}", 0) for name in ENDPOINTS},
            "methods": group("method:"),
            "statuses": group("status:"),
            "faults": group("fault:"),
            "api_key": {"in_url": counts.get("api_key:url", 0),
                        "in_body": counts.get("api_key:body", 0)},  # fmt: skip
            "records_served": self.eutils.records_served,
            "pending_script": len(self._script),
            "today": self.today,
        }

    def reset_stats(self) -> None:
        with self._lock:
            self._stats.clear()
            self.eutils.records_served = 0

    # -- per request

    def before_request(
        self, endpoint: str, method: str, has_key: bool, client: str,
        key_in_url: bool, key_in_body: bool,
    ) -> tuple[_Fault | None, float]:  # fmt: skip
        """Count the request and decide its fault (None: answer normally); also returns the
        rate limit that applies to it (0 = none)."""
        with self._lock:
            config = self._config
            limit = config.rate_limit_with_key if has_key else config.rate_limit
            self._stats.update(["total", f"endpoint:{endpoint}", f"method:{method}"])
            if key_in_url:
                self._stats["api_key:url"] += 1
            if key_in_body:
                self._stats["api_key:body"] += 1
            fault = self._choose_fault(config, limit, client)
            if fault is not None:
                self._stats[f"fault:{fault.kind}"] += 1
            return fault, limit

    def _choose_fault(self, config: SandboxConfig, limit: float, client: str) -> _Fault | None:
        if self._script:
            item = self._script.popleft()
            if item == 200:
                return None
            return _Fault(item) if isinstance(item, str) else _Fault("status", item)
        if limit:
            now = self._clock()
            window = self._windows.setdefault(client, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= limit:
                return _Fault("ratelimit", 429)
            window.append(now)
        draws = [self._rng.random() for _ in range(4)]  # always four: a stable sequence
        if draws[0] < config.fail_rate:
            return _Fault("status", config.fail_status)
        if draws[1] < config.error200_rate:
            return _Fault("error200")
        if draws[2] < config.truncate_rate:
            return _Fault("truncate")
        if draws[3] < config.malformed_rate:
            return _Fault("malformed")
        return None

    def count_status(self, status: int) -> None:
        with self._lock:
            self._stats[f"status:{status}"] += 1

    def admin(self, handler: _Handler, path: str, params: _Params) -> Reply:
        """/sandbox/stats, /sandbox/today, /sandbox/faults, /sandbox/reset-stats: loopback
        only, and never from a cross-site browser request."""
        if not _is_loopback(handler.client_address[0]):
            return _json({"error": "admin endpoints answer loopback clients only"}, 403)
        site = handler.headers.get("Sec-Fetch-Site")
        if site not in (None, "same-origin", "none"):
            return _json({"error": "cross-site request refused"}, 403)
        post = handler.command == "POST"
        try:
            if path == "/sandbox/stats":
                return _json(self.stats())
            if path == "/sandbox/reset-stats" and post:
                self.reset_stats()
                return _json({"ok": True})
            if path == "/sandbox/today":
                if post:
                    self.set_today(params.get("today") or None)
                return _json({"today": self.today})
            if path == "/sandbox/faults":
                if post:
                    self._apply_fault_params(params)
                return _json({**self._config.faults(), "pending_script": len(self._script)})
        except (SandboxError, ValueError) as exc:
            return _json({"error": str(exc)}, 400)
        return _json({"error": f"no admin endpoint {handler.command} {path}"}, 404)

    def _apply_fault_params(self, params: _Params) -> None:
        types = {f.name: f.type for f in dataclasses.fields(SandboxConfig)}
        changes: dict[str, Any] = {}
        for name in SandboxConfig().faults():
            text = params.get(name)
            if not text:
                continue
            kind = types[name]
            try:
                changes[name] = int(text) if kind in ("int", "int | None") else float(text)
            except ValueError:
                raise SandboxError(f"{name} must be a number, got {text!r}") from None
        if changes:
            self.set_faults(**changes)
        if params.get("script"):
            self.script_faults(params.get("script").split(","))


def make_server(
    corpus_paths: Iterable[str | Path] | Corpus,
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> SandboxServer:
    """A sandbox bound to host:port (0: any free port) over the corpus files, not yet
    serving: call `.start()` for a background thread or `.serve_forever()`."""
    config = config or SandboxConfig()
    if not config.allow_remote and not _is_loopback(host):
        raise SandboxError(
            f"refusing to listen on non-loopback host {host!r}: use 127.0.0.1, "
            "or allow_remote (--allow-remote) if you mean it"
        )
    corpus = corpus_paths if isinstance(corpus_paths, Corpus) else Corpus.load(corpus_paths)
    return SandboxServer(corpus, host, port, config, clock)


# --- corpus generator ----------------------------------------------------------------------

MESH_UI = {
    "Humans": "D006801", "Cholangiocarcinoma": "D018281", "Bile Duct Neoplasms": "D001650",
    "Biliary Tract Neoplasms": "D001661", "Gallbladder Neoplasms": "D005706",
    "Colorectal Neoplasms": "D015179", "Pancreatic Neoplasms": "D010190",
    "Carcinoma, Hepatocellular": "D006528", "Liver Neoplasms": "D008113",
    "Antineoplastic Combined Chemotherapy Protocols": "D000971",
}  # fmt: skip
PUBLICATION_TYPE_UI = {
    "Journal Article": "D016428", "Clinical Trial, Phase II": "D017427",
    "Clinical Trial, Phase III": "D017428", "Randomized Controlled Trial": "D016449",
    "Case Reports": "D002363", "Review": "D016454", "Multicenter Study": "D016448",
}  # fmt: skip
_GEN_DISEASES = (
    ("advanced cholangiocarcinoma", ("Cholangiocarcinoma", "Bile Duct Neoplasms")),
    ("biliary tract cancer", ("Biliary Tract Neoplasms",)),
    ("gallbladder cancer", ("Gallbladder Neoplasms",)),
    ("metastatic colorectal cancer", ("Colorectal Neoplasms",)),
    ("pancreatic cancer", ("Pancreatic Neoplasms",)),
    ("hepatocellular carcinoma", ("Carcinoma, Hepatocellular", "Liver Neoplasms")),
)
_GEN_LINES = ("second-line", "previously treated", "first-line", "adjuvant")
_GEN_AGENTS = (
    "FOLFOX", "liposomal irinotecan plus fluorouracil", "pemigatinib", "ivosidenib",
    "capecitabine", "gemcitabine and cisplatin", "regorafenib", "durvalumab",
)  # fmt: skip
_GEN_DESIGNS = (
    ("a single-arm phase 2 trial", ("Clinical Trial, Phase II", "Journal Article")),
    ("a randomised phase 3 trial",
     ("Randomized Controlled Trial", "Clinical Trial, Phase III", "Journal Article")),
    ("a retrospective cohort study", ("Journal Article",)),
    ("a case report", ("Case Reports", "Journal Article")),
)  # fmt: skip
_GEN_NAMES = ("Sandbox", "Fixture", "Template", "Synthetic", "Example", "Placeholder")


def _ui(table: dict[str, str], name: str) -> str:
    return table.get(name) or f"D{zlib.crc32(name.encode()) % 1_000_000:06d}"


def build_article(
    *,
    pmid: int,
    title: str,
    abstract: str | Sequence[tuple[str, str]],
    entry_date: str,
    journal: str = "Journal of Sandbox Oncology",
    publication_types: Sequence[str] = ("Journal Article",),
    mesh: Sequence[str] = (),
    major_mesh: Sequence[str] = (),
    keywords: Sequence[str] = (),
    authors: Sequence[tuple[str, str]] = (("Sandbox", "A"),),
    pub_date: str | None = None,
    revised_date: str | None = None,
) -> bytes:
    """One PubmedArticle element as PubMed XML (pubmed_250101.dtd). `abstract` is a text or
    (label, text) sections; dates are YYYY/MM/DD; pub_date defaults to entry_date."""
    entry = _full_date(entry_date)
    published = _full_date(pub_date) if pub_date else entry
    revised = _full_date(revised_date) if revised_date else entry + timedelta(days=60)

    def ymd(tag: str, value: date, attrs: str = "", clock: bool = False) -> str:
        extra = "<Hour>6</Hour><Minute>0</Minute>" if clock else ""
        return (f"<{tag}{attrs}><Year>{value.year}</Year><Month>{value.month}</Month>"
                f"<Day>{value.day}</Day>{extra}</{tag}>")  # fmt: skip

    sections = [("", abstract)] if isinstance(abstract, str) else list(abstract)
    abstract_xml = "".join(
        f"<AbstractText Label={quoteattr(label)} NlmCategory={quoteattr(label)}>"
        f"{escape(text)}</AbstractText>"
        if label in ("BACKGROUND", "OBJECTIVE", "METHODS", "RESULTS", "CONCLUSIONS")
        else (f"<AbstractText Label={quoteattr(label)}>" if label else "<AbstractText>")
        + f"{escape(text)}</AbstractText>"
        for label, text in sections
    )
    author_xml = "".join(
        f"<Author ValidYN=\"Y\"><LastName>{escape(last)}</LastName><ForeName>{escape(first)}"
        f"</ForeName><Initials>{escape(first[:1])}</Initials></Author>"
        for last, first in authors
    )
    types_xml = "".join(
        f"<PublicationType UI={quoteattr(_ui(PUBLICATION_TYPE_UI, t))}>{escape(t)}"
        "</PublicationType>"
        for t in publication_types
    )
    mesh_xml = "".join(
        f"<MeshHeading><DescriptorName UI={quoteattr(_ui(MESH_UI, m))} MajorTopicYN="
        f"\"{'Y' if m in major_mesh else 'N'}\">{escape(m)}</DescriptorName></MeshHeading>"
        for m in mesh
    )
    keyword_xml = "".join(f'<Keyword MajorTopicYN="N">{escape(k)}</Keyword>' for k in keywords)
    doi = f"10.5555/sandbox.{pmid}"
    month = published.strftime("%b")
    xml = (
        '<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
        f'<PMID Version="1">{pmid}</PMID>'
        + ymd("DateCompleted", revised - timedelta(days=30))
        + ymd("DateRevised", revised)
        + '<Article PubModel="Print-Electronic"><Journal>'
        '<ISSN IssnType="Electronic">0000-0000</ISSN><JournalIssue CitedMedium="Internet">'
        f"<Volume>{published.year - 1990}</Volume><Issue>{published.month}</Issue>"
        f"<PubDate><Year>{published.year}</Year><Month>{month}</Month>"
        f"<Day>{published.day}</Day></PubDate></JournalIssue><Title>{escape(journal)}</Title>"
        f"<ISOAbbreviation>{escape(journal[:40])}</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{escape(title)}</ArticleTitle>"
        f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>'
        + (f"<Abstract>{abstract_xml}</Abstract>" if abstract_xml else "")
        + (f'<AuthorList CompleteYN="Y">{author_xml}</AuthorList>' if author_xml else "")
        + f"<Language>eng</Language><PublicationTypeList>{types_xml}</PublicationTypeList>"
        "</Article><MedlineJournalInfo><Country>England</Country>"
        f"<MedlineTA>{escape(journal[:40])}</MedlineTA><NlmUniqueID>000000000</NlmUniqueID>"
        "<ISSNLinking>0000-0000</ISSNLinking></MedlineJournalInfo>"
        + (f"<MeshHeadingList>{mesh_xml}</MeshHeadingList>" if mesh_xml else "")
        + (f'<KeywordList Owner="NOTNLM">{keyword_xml}</KeywordList>' if keyword_xml else "")
        + "</MedlineCitation><PubmedData><History>"
        + ymd("PubMedPubDate", entry, ' PubStatus="pubmed"', clock=True)
        + ymd("PubMedPubDate", revised, ' PubStatus="medline"', clock=True)
        + ymd("PubMedPubDate", entry, ' PubStatus="entrez"', clock=True)
        + "</History><PublicationStatus>ppublish</PublicationStatus><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{pmid}</ArticleId>'
        f'<ArticleId IdType="doi">{doi}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>"
    )
    return xml.encode()


def article_set(articles: Iterable[bytes]) -> bytes:
    """A complete PubMed XML document around PubmedArticle elements."""
    return b"".join([f"{XML_DECLARATION}\n{PUBMED_DOCTYPE}\n<PubmedArticleSet>\n".encode(),
                     *(a + b"\n" for a in articles), b"</PubmedArticleSet>\n"])  # fmt: skip


def _entry_date_picker(
    entry_dates: str | tuple[str, str] | Sequence[str], rng: random.Random
) -> Callable[[int], date]:
    if isinstance(entry_dates, str):
        fixed = _full_date(entry_dates)
        return lambda i: fixed
    if isinstance(entry_dates, tuple) and len(entry_dates) == 2:
        first, last = _full_date(entry_dates[0]), _full_date(entry_dates[1])
        if last < first:
            raise SandboxError(f"entry date window {entry_dates} ends before it starts")
        span = (last - first).days
        return lambda i: first + timedelta(days=rng.randint(0, span))
    cycle = [_full_date(d) for d in entry_dates]
    if not cycle:
        raise SandboxError("entry_dates is empty")
    return lambda i: cycle[i % len(cycle)]


def generate_corpus(
    n: int,
    entry_dates: str | tuple[str, str] | Sequence[str] = ("2020/01/01", "2020/12/31"),
    seed: int = 0,
    start_pmid: int = 95_000_000,
) -> bytes:
    """`n` synthetic PubMed articles (template text written by us) as one PubMed XML
    document, PMIDs start_pmid, start_pmid+1, …. entry_dates: one YYYY/MM/DD for all, a
    (first, last) tuple to draw uniformly from, or a list to cycle through."""
    rng = random.Random(seed)
    pick_date = _entry_date_picker(entry_dates, rng)
    articles = []
    for i in range(n):
        disease, disease_mesh = rng.choice(_GEN_DISEASES)
        line, agent = rng.choice(_GEN_LINES), rng.choice(_GEN_AGENTS)
        design, types = rng.choice(_GEN_DESIGNS)
        patients, pfs, os_ = rng.randint(12, 400), rng.randint(15, 90) / 10, rng.randint(40, 200) / 10
        entry = pick_date(i)
        abstract = [
            ("BACKGROUND", f"Options for {line} treatment of {disease} remain limited."),
            ("METHODS", f"In {design}, {patients} patients received {agent} as {line} therapy."),
            ("RESULTS", f"Median progression-free survival was {pfs} months and median overall "
                        f"survival was {os_} months."),
            ("CONCLUSIONS", f"{agent[:1].upper()}{agent[1:]} showed activity in {line} "
                            f"{disease}."),
        ]  # fmt: skip
        articles.append(build_article(
            pmid=start_pmid + i,
            title=f"{agent[:1].upper()}{agent[1:]} as {line} therapy for {disease}: {design}",
            abstract=abstract,
            entry_date=entry.strftime("%Y/%m/%d"),
            publication_types=types,
            mesh=("Humans", *disease_mesh, "Antineoplastic Combined Chemotherapy Protocols"),
            major_mesh=disease_mesh,
            keywords=(line, agent),
            authors=((rng.choice(_GEN_NAMES), "A"), (rng.choice(_GEN_NAMES), "B")),
        ))  # fmt: skip
    return article_set(articles)
