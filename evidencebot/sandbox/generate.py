"""Synthetic PubMed corpora (template text written by us) for tests and benchmarks, and
build_article / article_set to write PubMed XML by hand."""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from evidencebot.errors import SandboxError
from evidencebot.sandbox.dates import full_date
from evidencebot.sandbox.eutils import PUBMED_DOCTYPE, XML_DECLARATION

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
    entry = full_date(entry_date)
    published = full_date(pub_date) if pub_date else entry
    revised = full_date(revised_date) if revised_date else entry + timedelta(days=60)

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
        fixed = full_date(entry_dates)
        return lambda i: fixed
    if isinstance(entry_dates, tuple) and len(entry_dates) == 2:
        first, last = full_date(entry_dates[0]), full_date(entry_dates[1])
        if last < first:
            raise SandboxError(f"entry date window {entry_dates} ends before it starts")
        span = (last - first).days
        return lambda i: first + timedelta(days=rng.randint(0, span))
    cycle = [full_date(d) for d in entry_dates]
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
