"""The corpus: PubMed XML files (.xml or .xml.gz) read into Records, and Corpus, their
indexes for the query language. Records are kept in PubMed's default order: most recent
entry date first, ties by PMID descending."""

from __future__ import annotations

import bisect
import gzip
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from evidencebot.errors import PubmedParseError, SandboxError
from evidencebot.sandbox.dates import parse_date
from evidencebot.sandbox.query import DATE_FIELDS, BoolOp, Node, QuerySyntaxError, Term

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
