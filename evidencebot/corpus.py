"""The labelled corpus written by us: loading, validation and fixed splits.

See corpus/README.md for the entry format. This module is the one place that reads the
corpus files, so the screener, the extractor's scorer and the sandbox builder agree.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from evidencebot.errors import CorpusError

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"

LABELS = {"relevant", "irrelevant"}
REASONS = {
    "wrong_disease",
    "wrong_line",
    "not_systemic",
    "no_efficacy",
    "secondary",
    "case_report",
    "preclinical",
    "protocol_no_results",
}
ENDPOINTS = {"OS", "PFS", "TTP", "DFS", "RFS", "DoR"}
STATISTICS = {"median", "rate"}
UNITS = {"months", "weeks", "days", "years", "percent"}
SPLITS = ("train", "dev", "test")


@dataclass(frozen=True)
class CorpusEntry:
    id: str
    pmid: str
    title: str
    abstract: str
    label: str
    reason: str | None
    journal: str = ""
    year: int | None = None
    entry_date: str = ""
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    language: str = "eng"
    registry_ids: tuple[str, ...] = ()
    modelled_on: str | None = None
    outcomes: tuple[dict[str, Any], ...] = ()
    hazard_ratios: tuple[dict[str, Any], ...] = ()
    toxicities: tuple[dict[str, Any], ...] = ()
    source_file: str = ""

    @property
    def relevant(self) -> bool:
        return self.label == "relevant"


@dataclass
class CorpusProblems:
    problems: list[str] = field(default_factory=list)

    def add(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")


def _norm_text(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def _number_forms(value: float) -> set[str]:
    """Ways a number may be written: 4.2, 4·2, 4,2 is not accepted (ambiguous)."""
    text = f"{value:g}" if float(value) != int(value) else str(int(value))
    forms = {text, text.replace(".", "·")}
    if float(value) == int(value):
        forms |= {f"{int(value)}.0", f"{int(value)}·0"}
    return forms


def check_entry(raw: dict[str, Any], where: str, problems: CorpusProblems) -> None:
    for key in ("id", "pmid", "title", "abstract", "label"):
        if not raw.get(key):
            problems.add(where, f"missing {key!r}")
    if raw.get("label") not in LABELS:
        problems.add(where, f"label {raw.get('label')!r} not in {sorted(LABELS)}")
    if raw.get("label") == "irrelevant" and raw.get("reason") not in REASONS:
        problems.add(where, f"reason {raw.get('reason')!r} not in {sorted(REASONS)}")
    if raw.get("label") == "relevant" and raw.get("reason"):
        problems.add(where, "a relevant entry has no exclusion reason")
    if not re.fullmatch(r"\d{1,8}", str(raw.get("pmid", ""))):
        problems.add(where, f"pmid {raw.get('pmid')!r} is not 1-8 digits")
    abstract = _norm_text(str(raw.get("abstract", "")))
    for kind in ("outcomes", "hazard_ratios", "toxicities"):
        for i, item in enumerate(raw.get(kind) or []):
            at = f"{where} {kind}[{i}]"
            text = _norm_text(str(item.get("text", "")))
            if not text or text not in abstract:
                problems.add(at, f"text {item.get('text')!r} does not occur in the abstract")
            if kind == "outcomes":
                if item.get("endpoint") not in ENDPOINTS:
                    problems.add(at, f"endpoint {item.get('endpoint')!r} not in {sorted(ENDPOINTS)}")
                if item.get("statistic") not in STATISTICS:
                    problems.add(at, f"statistic {item.get('statistic')!r} not in {sorted(STATISTICS)}")
                if item.get("unit") not in UNITS:
                    problems.add(at, f"unit {item.get('unit')!r} not in {sorted(UNITS)}")
                if item.get("not_reached") and item.get("value") is not None:
                    problems.add(at, "not_reached outcomes have value null")
            value = item.get("value") if kind != "toxicities" else None
            if value is not None and text and not any(f in text for f in _number_forms(value)):
                problems.add(at, f"value {value!r} is not written in text {item.get('text')!r}")
            for bound in ("ci_low", "ci_high"):
                b = item.get(bound)
                if b is not None and text and not any(f in text for f in _number_forms(b)):
                    problems.add(at, f"{bound} {b!r} is not written in text {item.get('text')!r}")


def load_raw(paths: list[Path] | None = None) -> list[tuple[str, dict[str, Any]]]:
    paths = paths if paths is not None else sorted((CORPUS_DIR / "abstracts").glob("*.yaml"))
    out = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CorpusError(f"{path}: cannot be read as YAML: {exc}") from None
        if not isinstance(data, list):
            raise CorpusError(f"{path}: the top level must be a YAML list of entries")
        for i, raw in enumerate(data):
            out.append((f"{path.name}[{i}] id={raw.get('id')}", raw))
    return out


def check(paths: list[Path] | None = None) -> list[str]:
    """All problems in the corpus files, as 'where: what' lines (empty list = valid)."""
    problems = CorpusProblems()
    seen_ids: dict[str, str] = {}
    seen_pmids: dict[str, str] = {}
    for where, raw in load_raw(paths):
        check_entry(raw, where, problems)
        for key, seen in (("id", seen_ids), ("pmid", seen_pmids)):
            value = str(raw.get(key))
            if value in seen:
                problems.add(where, f"{key} {value!r} already used at {seen[value]}")
            seen[value] = where
    return problems.problems


def entry_from_raw(raw: dict[str, Any], source_file: str = "") -> CorpusEntry:
    return CorpusEntry(
        id=str(raw["id"]),
        pmid=str(raw["pmid"]),
        title=str(raw["title"]).strip(),
        abstract=str(raw["abstract"]).strip(),
        label=str(raw["label"]),
        reason=raw.get("reason"),
        journal=str(raw.get("journal") or ""),
        year=raw.get("year"),
        entry_date=str(raw.get("entry_date") or ""),
        publication_types=tuple(raw.get("publication_types") or ()),
        mesh_terms=tuple(raw.get("mesh") or ()),
        language=str(raw.get("language") or "eng"),
        registry_ids=tuple(raw.get("registry_ids") or ()),
        modelled_on=raw.get("modelled_on"),
        outcomes=tuple(raw.get("outcomes") or ()),
        hazard_ratios=tuple(raw.get("hazard_ratios") or ()),
        toxicities=tuple(raw.get("toxicities") or ()),
        source_file=source_file,
    )


def load_entries(paths: list[Path] | None = None) -> list[CorpusEntry]:
    return [entry_from_raw(raw, where.split("[")[0]) for where, raw in load_raw(paths)]


def hash_split(entry_id: str) -> str:
    """A split from the id's hash: stable whatever else is in the corpus."""
    bucket = int(hashlib.sha256(entry_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "test"


def load_splits(path: Path | None = None) -> dict[str, str]:
    path = path or CORPUS_DIR / "splits.yaml"
    if not path.exists():
        return {}
    return {str(k): str(v) for k, v in (yaml.safe_load(path.read_text()) or {}).items()}


def entries_by_split(split: str, paths: list[Path] | None = None) -> list[CorpusEntry]:
    splits = load_splits()
    return [e for e in load_entries(paths) if splits.get(e.id, hash_split(e.id)) == split]


PUBMED_DOCTYPE = (
    '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
    '"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">'
)
_SECTION = re.compile(r"^([A-Z][A-Za-z &/]{1,40}):\s+(.*)$")


def abstract_sections(abstract: str) -> list[tuple[str, str]]:
    """Split 'LABEL: text' lines into (label, text); an unstructured abstract is one section."""
    sections: list[tuple[str, str]] = []
    for line in (ln.strip() for ln in abstract.splitlines()):
        if not line:
            continue
        match = _SECTION.match(line)
        if match and match.group(1).upper() == match.group(1):
            sections.append((match.group(1), match.group(2)))
        elif sections:
            label, text = sections[-1]
            sections[-1] = (label, f"{text} {line}")
        else:
            sections.append(("", line))
    return sections


def entry_to_article(entry: CorpusEntry) -> ET.Element:
    """One corpus entry as a <PubmedArticle> element (the shape efetch returns)."""
    article = ET.Element("PubmedArticle")
    citation = ET.SubElement(article, "MedlineCitation", Status="MEDLINE", Owner="NLM")
    ET.SubElement(citation, "PMID", Version="1").text = entry.pmid
    art = ET.SubElement(citation, "Article", PubModel="Print-Electronic")
    journal = ET.SubElement(art, "Journal")
    issue = ET.SubElement(journal, "JournalIssue", CitedMedium="Internet")
    pub_date = ET.SubElement(issue, "PubDate")
    entry_date = _parse_date(entry.entry_date, entry.year)
    ET.SubElement(pub_date, "Year").text = str(entry.year or entry_date[0])
    ET.SubElement(journal, "Title").text = entry.journal or "Journal of Invented Oncology"
    ET.SubElement(art, "ArticleTitle").text = entry.title
    abstract = ET.SubElement(art, "Abstract")
    for label, text in abstract_sections(entry.abstract):
        attrs = {"Label": label} if label else {}
        ET.SubElement(abstract, "AbstractText", **attrs).text = text
    authors = ET.SubElement(art, "AuthorList", CompleteYN="Y")
    author = ET.SubElement(authors, "Author", ValidYN="Y")
    ET.SubElement(author, "CollectiveName").text = "evidencebot corpus writers"
    ET.SubElement(art, "Language").text = entry.language or "eng"
    if entry.registry_ids:
        banks = ET.SubElement(art, "DataBankList", CompleteYN="Y")
        bank = ET.SubElement(banks, "DataBank")
        ET.SubElement(bank, "DataBankName").text = "ClinicalTrials.gov"
        accessions = ET.SubElement(bank, "AccessionNumberList")
        for registry_id in entry.registry_ids:
            ET.SubElement(accessions, "AccessionNumber").text = registry_id
    types = ET.SubElement(art, "PublicationTypeList")
    for pub_type in entry.publication_types or ("Journal Article",):
        ET.SubElement(types, "PublicationType", UI="D016428").text = pub_type
    info = ET.SubElement(citation, "MedlineJournalInfo")
    ET.SubElement(info, "MedlineTA").text = entry.journal or "J Invented Oncol"
    ET.SubElement(info, "NlmUniqueID").text = "0000000"
    if entry.mesh_terms:
        headings = ET.SubElement(citation, "MeshHeadingList")
        for term in entry.mesh_terms:
            heading = ET.SubElement(headings, "MeshHeading")
            ET.SubElement(heading, "DescriptorName", UI="D000000", MajorTopicYN="N").text = term
    data = ET.SubElement(article, "PubmedData")
    history = ET.SubElement(data, "History")
    for status in ("entrez", "pubmed"):
        date = ET.SubElement(history, "PubMedPubDate", PubStatus=status)
        for tag, value in zip(("Year", "Month", "Day"), entry_date, strict=True):
            ET.SubElement(date, tag).text = str(value)
    ET.SubElement(data, "PublicationStatus").text = "ppublish"
    ids = ET.SubElement(data, "ArticleIdList")
    ET.SubElement(ids, "ArticleId", IdType="pubmed").text = entry.pmid
    return article


def _parse_date(text: str, year: int | None) -> tuple[int, int, int]:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text.strip()) if text else None
    if match:
        return int(match.group(1)), int(match.group(2)), int(match.group(3))
    return (year or 2020), 1, 1


def entries_to_pubmed_xml(entries: list[CorpusEntry]) -> bytes:
    """A PubmedArticleSet document, as efetch returns it, for the sandbox."""
    root = ET.Element("PubmedArticleSet")
    for entry in entries:
        root.append(entry_to_article(entry))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" ?>\n{PUBMED_DOCTYPE}\n{body}\n'.encode()


if __name__ == "__main__":  # python -m evidencebot.corpus [FILES]: validate
    import sys

    files = [Path(p) for p in sys.argv[1:]] or None
    found = check(files)
    for line in found:
        print(line)
    n = len(load_raw(files))
    print(f"{n} entries, {len(found)} problems")
    sys.exit(1 if found else 0)
