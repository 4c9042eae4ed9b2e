"""The PubMed sandbox over real HTTP: an in-process server on a free port, `requests` as the
client. The small corpus below is written so that each query case has one right answer."""

from __future__ import annotations

import io
import json
import logging
import time
import tomllib
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from evidencebot import sandbox as sb
from evidencebot.cli import main
from evidencebot.errors import PubmedParseError
from evidencebot.sandbox.corpus import _article_slices

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2025/01/01"

# pmid: (title, abstract, entry date, MeSH, publication types, keywords)
ARTICLES = {
    1001: ("Second-line FOLFOX in advanced cholangiocarcinoma",
           "Patients previously treated with gemcitabine received FOLFOX.", "2021/03/10",
           ("Cholangiocarcinoma", "Humans"), ("Clinical Trial, Phase II", "Journal Article"),
           ("biliary",)),
    1002: ("Gallbladder cancer outcomes after first-line therapy",
           "Gallbladder cancers are rare.", "2021/03/10", ("Gallbladder Neoplasms",),
           ("Journal Article",), ()),
    1003: ("Pembrolizumab in colorectal cancer", "A randomised trial of 300 patients.",
           "2021/06/01", ("Colorectal Neoplasms",), ("Randomized Controlled Trial",), ()),
    1004: ("Bile duct carcinoma: salvage chemotherapy", "Refractory disease after two lines.",
           "2022/01/15", ("Bile Duct Neoplasms", "Antineoplastic Combined Chemotherapy Protocols"),
           ("Review",), ("second line",)),
    1005: ("Cholangiocarcinoma second-line nal-IRI", "Entered after the sandbox's today.",
           "2030/01/01", ("Cholangiocarcinoma",), ("Journal Article",), ()),
    1006: ("Neoplasms of the liver", "A cholangiocellular carcinoma.", "2019/12/31",
           ("Liver Neoplasms",), ("Case Reports",), ()),
}  # fmt: skip
PUB_DATES = {1003: "2020/01/05"}


def article(pmid: int) -> bytes:
    title, abstract, entry, mesh, types, keywords = ARTICLES[pmid]
    return sb.build_article(pmid=pmid, title=title, abstract=abstract, entry_date=entry,
                            mesh=mesh, publication_types=types, keywords=keywords,
                            pub_date=PUB_DATES.get(pmid))  # fmt: skip


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "small.xml"
    path.write_bytes(sb.article_set(article(p) for p in ARTICLES))
    return path


@pytest.fixture(scope="module")
def server(corpus_file: Path) -> Iterator[sb.SandboxServer]:
    with sb.make_server([corpus_file], config=sb.SandboxConfig(today=TODAY, rate_limit=0)) as s:
        yield s.start()


@pytest.fixture()
def make(corpus_file: Path) -> Iterator[Callable[..., sb.SandboxServer]]:
    """A fresh server for tests that change settings; shut down afterwards."""
    started: list[sb.SandboxServer] = []

    def factory(corpus: object = None, **settings: object) -> sb.SandboxServer:
        settings = {"today": TODAY, "rate_limit": 0, **settings}
        clock = settings.pop("clock", time.monotonic)
        s = sb.make_server(corpus or [corpus_file], config=sb.SandboxConfig(**settings),
                           clock=clock).start()  # fmt: skip
        started.append(s)
        return s

    yield factory
    for s in started:
        s.shutdown()


def esearch(s: sb.SandboxServer, term: str, **params: object) -> ET.Element:
    response = requests.get(s.url + "esearch.fcgi", params={"db": "pubmed", "term": term,
                                                             **params}, timeout=10)  # fmt: skip
    assert response.status_code == 200
    return ET.fromstring(response.content)


def ids(s: sb.SandboxServer, term: str, **params: object) -> list[int]:
    root = esearch(s, term, **{"retmax": 100, **params})
    assert root.find("ERROR") is None, root.findtext("ERROR")
    return [int(e.text or "") for e in root.iter("Id")]


def fetched_pmids(content: bytes) -> list[int]:
    return [int(e.text or "") for e in ET.fromstring(content).iter("PMID")]


# --- corpus and generator ------------------------------------------------------------------


def test_generated_corpus_is_valid_pubmed_xml_for_biopython_offline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from Bio import Entrez

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("Biopython tried to download a DTD")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    parsed = Entrez.read(io.BytesIO(sb.generate_corpus(5, seed=3)))
    articles = parsed["PubmedArticle"]
    assert [str(a["MedlineCitation"]["PMID"]) for a in articles] == [
        str(95_000_000 + i) for i in range(5)
    ]
    first = articles[0]["MedlineCitation"]["Article"]
    assert first["Abstract"]["AbstractText"][0].attributes["Label"] == "BACKGROUND"
    assert first["PublicationTypeList"]


def test_generator_is_deterministic_and_honours_entry_dates() -> None:
    assert sb.generate_corpus(20, seed=7) == sb.generate_corpus(20, seed=7)
    records = sb.Corpus(sb.parse_record(raw) for raw in _article_slices(
        sb.generate_corpus(30, entry_dates=("2021/02/01", "2021/02/10")), Path("x")))
    assert {r.edat // 100 for r in records.records} == {202102}
    assert all(20210201 <= r.edat <= 20210210 for r in records.records)
    cycled = sb.generate_corpus(3, entry_dates=["2020/01/01", "2020/05/05"], start_pmid=7)
    loaded = [sb.parse_record(raw) for raw in _article_slices(cycled, Path("x"))]
    assert [(r.pmid, r.edat) for r in loaded] == [(7, 20200101), (8, 20200505), (9, 20200101)]


def test_index_reads_each_field_and_keeps_raw_bytes(server: sb.SandboxServer) -> None:
    record = server.corpus.records[server.corpus.position[1004]]
    assert record.edat == 20220115
    assert record.mesh == ("Bile Duct Neoplasms", "Antineoplastic Combined Chemotherapy Protocols")
    assert record.publication_types == ("Review",)
    assert record.keywords == ("second line",)
    assert record.raw == article(1004)
    assert server.corpus.records[server.corpus.position[1003]].pdat == 20200105


def test_entry_date_falls_back_to_pubmed_status() -> None:
    raw = article(1002).replace(b'PubStatus="entrez"', b'PubStatus="revised"')
    assert sb.parse_record(raw.replace(b"<Month>3</Month><Day>10</Day><Hour>",
                                       b"<Month>4</Month><Day>2</Day><Hour>", 1)).edat == 20210402


def test_load_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(sb.SandboxError, match="does not exist"):
        sb.load_records([tmp_path / "missing.xml"])
    broken = tmp_path / "broken.xml"
    broken.write_bytes(sb.article_set([article(1001), article(1002).replace(b"</Title>", b"")]))
    with pytest.raises(PubmedParseError, match=r"broken.xml, PubmedArticle #2"):
        sb.load_records([broken])
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.xml").write_bytes(sb.article_set([article(1001)]))
    assert [r.pmid for r in sb.load_records([tmp_path / "d"])] == [1001]


def test_ten_thousand_records_load_and_efetch_fast(tmp_path: Path, make) -> None:
    path = tmp_path / "big.xml"
    path.write_bytes(sb.generate_corpus(10_000, entry_dates="2020/06/01", seed=1))
    started = time.process_time()
    corpus = sb.Corpus.load([path])
    assert time.process_time() - started < 8  # ~2.5 s CPU on the 2-core CI box
    s = make(corpus)
    root = esearch(s, "all[sb]", usehistory="y", retmax=0)
    assert root.findtext("Count") == "10000"
    started = time.perf_counter()
    response = requests.post(s.url + "efetch.fcgi", data={
        "db": "pubmed", "WebEnv": root.findtext("WebEnv"), "query_key": "1", "retmax": "500",
        "retmode": "xml", "rettype": "abstract"}, timeout=10)  # fmt: skip
    assert time.perf_counter() - started < 2
    assert len(fetched_pmids(response.content)) == 500
    # PubMed's cap: Count is the full count, the page beyond 9,999 is an <ERROR>
    capped = esearch(s, "all[sb]", retstart=9990, retmax=20)
    assert capped.findtext("Count") == "10000"
    assert capped.find("IdList/Id") is None
    assert capped.findtext("ERROR").startswith(
        "Search Backend failed: Exception:\n'retstart' cannot be larger than 9998. For PubMed, "
        "ESearch can only retrieve the first 9,999 records matching the query."
    )
    assert len(esearch(s, "all[sb]", retstart=9979, retmax=20).findall("IdList/Id")) == 20


# --- esearch ---------------------------------------------------------------------------------


def test_esearch_xml_shape_and_default_order(server: sb.SandboxServer) -> None:
    root = esearch(server, "all[sb]", retmax=3)
    assert root.tag == "eSearchResult"
    assert [child.tag for child in root] == [
        "Count", "RetMax", "RetStart", "IdList", "TranslationSet", "QueryTranslation"
    ]  # fmt: skip
    assert (root.findtext("Count"), root.findtext("RetMax"), root.findtext("RetStart")) == (
        "5", "3", "0")  # fmt: skip
    # most recent entry date first; 1001 and 1002 share a date, higher PMID first
    assert ids(server, "all[sb]") == [1004, 1003, 1002, 1001, 1006]


def test_esearch_output_parses_with_biopython(server: sb.SandboxServer) -> None:
    from Bio import Entrez

    response = requests.get(server.url + "esearch.fcgi", params={
        "db": "pubmed", "term": "neoplasms", "usehistory": "y"}, timeout=10)  # fmt: skip
    parsed = Entrez.read(io.BytesIO(response.content))
    assert parsed["Count"] == "4"
    assert parsed["IdList"] == ["1004", "1003", "1002", "1006"]
    assert parsed["QueryKey"] == "1" and parsed["WebEnv"].startswith("MCID_")


def test_esearch_json(server: sb.SandboxServer) -> None:
    response = requests.get(server.url + "esearch.fcgi", params={
        "db": "pubmed", "term": "cholangiocarcinoma[tiab]", "retmode": "json",
        "usehistory": "y"}, timeout=10)  # fmt: skip
    assert response.headers["Content-Type"].startswith("application/json")
    result = response.json()["esearchresult"]
    assert result["count"] == "1" and result["idlist"] == ["1001"]
    assert result["querykey"] == "1" and result["webenv"].startswith("MCID_")
    assert result["querytranslation"] == "cholangiocarcinoma[Title/Abstract]"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"mindate": "2021/03", "maxdate": "2021/06"}, [1003, 1002, 1001]),
        ({"mindate": "2021", "maxdate": "2021"}, [1003, 1002, 1001]),
        ({"mindate": "2021/03/11", "maxdate": "2022/01/15"}, [1004, 1003]),
        ({"mindate": "2019/12/31", "maxdate": "2019/12/31"}, [1006]),
        ({"datetype": "pdat", "mindate": "2020", "maxdate": "2020"}, [1003]),
        ({"datetype": "mdat", "mindate": "2022/03", "maxdate": "2022/03"}, [1004]),
        ({"reldate": "1393"}, [1004, 1003, 1002, 1001]),  # 2021/03/10 is 1393 days back
        ({"reldate": "1392"}, [1004, 1003]),
    ],
)
def test_esearch_date_windows(server: sb.SandboxServer, params: dict, expected: list) -> None:
    assert ids(server, "all[sb]", **{"datetype": "edat", **params}) == expected


def test_esearch_post_form_and_paging(server: sb.SandboxServer) -> None:
    response = requests.post(server.url + "esearch.fcgi", data={
        "db": "pubmed", "term": "all[sb]", "retstart": "1", "retmax": "2",
        "api_key": "k" * 36, "tool": "evidencebot", "email": "a@example.org"},
        timeout=10)  # fmt: skip
    root = ET.fromstring(response.content)
    assert [e.text for e in root.iter("Id")] == ["1003", "1002"]
    assert root.findtext("RetStart") == "1" and root.findtext("Count") == "5"


def test_esearch_sort_by_publication_date(server: sb.SandboxServer) -> None:
    assert ids(server, "all[sb]", sort="pub_date") == [1004, 1002, 1001, 1003, 1006]


def test_today_hides_records_entered_later(make) -> None:
    s = make()
    assert ids(s, "cholangiocarcinoma[ti]") == [1001]
    fetch = requests.get(s.url + "efetch.fcgi", params={"db": "pubmed", "id": "1005,1001"},
                         timeout=10)  # fmt: skip
    assert fetched_pmids(fetch.content) == [1001]
    assert s.set_today("2030/01/01") == "2030/01/01"
    assert ids(s, "cholangiocarcinoma[ti]") == [1005, 1001]


def test_cap_error_uses_configured_max_ids(make) -> None:
    s = make(max_ids=3)
    root = esearch(s, "all[sb]", retstart=2, retmax=2)
    assert root.findtext("Count") == "5"
    assert "'retstart' cannot be larger than 2." in root.findtext("ERROR")
    assert ids(s, "all[sb]", retmax=3) == [1004, 1003, 1002]


# --- query language ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("cholangiocarcinoma[tiab]", [1001]),
        ("cholangiocarcinoma", [1001]),
        ('"Cholangiocarcinoma"[Mesh]', [1001]),
        ('"Neoplasms"[Mesh]', []),  # a descriptor name matches exactly
        ("neoplasms", [1004, 1003, 1002, 1006]),  # untagged: MeSH words count
        ('"bile duct neoplasms"[MeSH Terms]', [1004]),
        ("bile*[mh]", [1004]),
        ("gallbladder cancer*[tiab]", [1002]),
        ('"gallbladder cancer"[tiab]', [1002]),
        ("cancer*[ti]", [1003, 1002]),
        ('"line FOLFOX"[tiab]', [1001]),  # "Second-line FOLFOX": a hyphen splits words
        ('"FOLFOX line"[tiab]', []),
        ("FOLFOX line", [1001]),  # untagged words are ANDed, not a phrase
        ("refractory[ti]", []),
        ("refractory[ab]", [1004]),
        ('"Randomized Controlled Trial"[pt]', [1003]),
        ('"journal article"[Publication Type]', [1002, 1001]),
        ('"second line"[ot]', [1004]),
        ("biliary[kw]", [1001]),
        ("cholangiocellular[xyz]", [1006]),  # an unknown tag searches All Fields
        ("cholangiocellular[All Fields]", [1006]),
        ("1003[pmid]", [1003]),
        ("1003", [1003]),
        ("2021[edat]", [1003, 1002, 1001]),
        ("2021/06/01:2022/12/31[edat]", [1004, 1003]),
        # left to right, equal precedence: (colorectal OR gallbladder) AND first-line
        ("colorectal[tiab] OR gallbladder[tiab] AND first-line[tiab]", [1002]),
        ("colorectal[tiab] OR (gallbladder[tiab] AND first-line[tiab])", [1003, 1002]),
        ("cholangiocarcinoma[tiab] OR salvage[tiab] NOT review[pt]", [1001]),
        ("cholangiocarcinoma[tiab] or salvage[tiab]", [1004, 1001]),
        ("neoplasms not (liver OR colorectal)", [1004, 1002]),
        ("((FOLFOX[tiab]))", [1001]),
    ],
)
def test_query_language(server: sb.SandboxServer, term: str, expected: list[int]) -> None:
    assert ids(server, term) == expected


@pytest.mark.parametrize(
    ("term", "problem"),
    [
        ("cancer AND (colorectal", "missing ')'"),
        ("cancer)", "unbalanced ')'"),
        ("cancer AND", "query ends where a term was expected"),
        ("OR cancer", "operator OR where a term was expected"),
        ('"gallbladder cancer', "unterminated quoted phrase"),
        ("cancer[tiab", "unterminated field tag"),
        ("(a OR b)[tiab]", "a field tag must follow a term"),
        ("[tiab]", "field tag without a term"),
    ],
)
def test_query_syntax_error_is_an_error_in_a_200(
    server: sb.SandboxServer, term: str, problem: str
) -> None:
    root = esearch(server, term)
    assert root.findtext("ERROR").startswith(f"Query syntax error: {problem}")


def test_protocol_query_parses_and_finds_the_biliary_second_line_records(
    server: sb.SandboxServer,
) -> None:
    with (ROOT / "evidencebot.toml").open("rb") as handle:
        query = " ".join(tomllib.load(handle)["search"]["query"].split())
    node = sb.parse_query(query)
    assert isinstance(node, sb.BoolOp) and node.op == "AND"
    # 1001: cholangiocarcinoma + second-line; 1004: bile duct carcinoma + salvage;
    # 1006: cholangiocellular, but no later-line term
    assert ids(server, query) == [1004, 1001]


def test_translation_renders_pubmed_style() -> None:
    node = sb.parse_query('"Cholangiocarcinoma"[Mesh] OR klatskin[tiab] OR x[ti] NOT y')
    assert node.translation() == (
        '(("Cholangiocarcinoma"[MeSH Terms] OR klatskin[Title/Abstract] OR x[Title]) '
        "NOT y[All Fields])"
    )


# --- efetch, esummary, einfo -------------------------------------------------------------


def test_efetch_by_id_serves_raw_records_in_requested_order(server: sb.SandboxServer) -> None:
    response = requests.get(server.url + "efetch.fcgi", params={
        "db": "pubmed", "id": "1003,1001,999999,1003", "rettype": "abstract",
        "retmode": "xml"}, timeout=10)  # fmt: skip
    assert response.status_code == 200
    assert response.content.startswith(
        b'<?xml version="1.0" encoding="UTF-8" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC '
        b'"-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        b'"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>'
    )
    assert fetched_pmids(response.content) == [1003, 1001]
    assert article(1003) in response.content


def test_efetch_by_post_and_history_pages(server: sb.SandboxServer) -> None:
    from Bio import Entrez

    root = esearch(server, "all[sb]", usehistory="y", retmax=0)
    webenv = root.findtext("WebEnv")
    pages = []
    for start in (0, 2, 4):
        response = requests.post(server.url + "efetch.fcgi", data={
            "db": "pubmed", "WebEnv": webenv, "query_key": "1", "retstart": str(start),
            "retmax": "2", "api_key": "k" * 36}, timeout=10)  # fmt: skip
        pages.append(fetched_pmids(response.content))
    assert pages == [[1004, 1003], [1002, 1001], [1006]]
    parsed = Entrez.read(io.BytesIO(response.content))
    assert str(parsed["PubmedArticle"][0]["MedlineCitation"]["PMID"]) == "1006"
    # a second search into the same WebEnv gets query_key 2
    second = esearch(server, "cholangiocarcinoma", usehistory="y", WebEnv=webenv)
    assert (second.findtext("WebEnv"), second.findtext("QueryKey")) == (webenv, "2")
    response = requests.post(server.url + "efetch.fcgi", data={
        "db": "pubmed", "WebEnv": webenv, "query_key": "2"}, timeout=10)  # fmt: skip
    assert fetched_pmids(response.content) == [1001]


def test_efetch_errors(server: sb.SandboxServer) -> None:
    unknown = requests.get(server.url + "efetch.fcgi", params={
        "db": "pubmed", "WebEnv": "MCID_nope", "query_key": "1"}, timeout=10)  # fmt: skip
    assert unknown.status_code == 400
    assert ET.fromstring(unknown.content).findtext("ERROR") == (
        "Cannot retrieve history data. query_key: 1, WebEnv: MCID_nope")
    empty = requests.get(server.url + "efetch.fcgi", params={"db": "pubmed"}, timeout=10)
    assert ET.fromstring(empty.content).findtext("ERROR") == "Empty id list - nothing todo"


def test_esummary_and_einfo(server: sb.SandboxServer) -> None:
    summary = requests.get(server.url + "esummary.fcgi", params={"db": "pubmed", "id": "1004"},
                           timeout=10)  # fmt: skip
    doc = ET.fromstring(summary.content).find("DocSum")
    assert doc.findtext("Id") == "1004"
    assert doc.findtext("Item[@Name='Title']") == "Bile duct carcinoma: salvage chemotherapy"
    info = requests.get(server.url + "einfo.fcgi", params={"db": "pubmed"}, timeout=10)
    assert ET.fromstring(info.content).findtext("DbInfo/Count") == "5"
    assert requests.get(server.url + "nope.fcgi", timeout=10).status_code == 404


# --- faults and the rate limit -----------------------------------------------------------


def get_search(s: sb.SandboxServer, **params: object) -> requests.Response:
    return requests.get(s.url + "esearch.fcgi", params={"db": "pubmed", "term": "all[sb]",
                                                        **params}, timeout=10)  # fmt: skip


def test_scripted_faults(make) -> None:
    s = make()
    s.script_faults([429, 200, 503, 500, "error200", 502])
    statuses = [get_search(s) for _ in range(7)]
    assert [r.status_code for r in statuses] == [429, 200, 503, 500, 200, 502, 200]
    assert statuses[0].headers["Retry-After"] == "1"
    assert statuses[0].json()["error"] == "API rate limit exceeded"
    assert ET.fromstring(statuses[4].content).findtext("ERROR") == "API rate limit exceeded"
    assert ET.fromstring(statuses[6].content).findtext("Count") == "5"
    with pytest.raises(sb.SandboxError, match="cannot script fault 418"):
        s.script_faults([418])


def test_truncated_body_breaks_the_connection(make) -> None:
    s = make()
    s.script_faults(["truncate"])
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(s.url + "efetch.fcgi", params={"db": "pubmed", "id": "1001,1002"},
                     timeout=10)  # fmt: skip
    assert get_search(s).status_code == 200  # the next connection is fine


def test_malformed_xml_in_a_200(make) -> None:
    s = make(malformed_rate=1.0)
    response = requests.get(s.url + "efetch.fcgi", params={"db": "pubmed", "id": "1001"},
                            timeout=10)  # fmt: skip
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(response.content)
    with pytest.raises(ET.ParseError):
        ET.fromstring(response.content)


def test_error_in_200_mode(make) -> None:
    s = make(error200_rate=1.0)
    response = get_search(s)
    assert response.status_code == 200
    assert ET.fromstring(response.content).findtext("ERROR") == "API rate limit exceeded"


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_fail_rate_answers_with_the_fail_status(make, status: int) -> None:
    s = make(fail_rate=1.0, fail_status=status)
    response = get_search(s)
    assert response.status_code == status
    if status == 429:
        assert response.headers["Retry-After"] == "1"


def test_random_faults_repeat_with_the_same_seed(make) -> None:
    def statuses(seed: int) -> list[int]:
        s = make(fail_rate=0.5, seed=seed)
        return [get_search(s).status_code for _ in range(12)]

    first = statuses(11)
    assert first == statuses(11)
    assert set(first) == {200, 503}


def test_delay(make) -> None:
    s = make(delay=0.2)
    started = time.perf_counter()
    assert get_search(s).status_code == 200
    assert time.perf_counter() - started >= 0.2


def test_rate_limit_like_ncbi(make) -> None:
    now = [100.0]
    s = make(rate_limit=3, rate_limit_with_key=10, clock=lambda: now[0])
    assert [get_search(s).status_code for _ in range(3)] == [200, 200, 200]
    limited = get_search(s)
    assert limited.status_code == 429
    assert limited.json() == {"error": "API rate limit exceeded", "count": "4"}
    assert limited.headers["Retry-After"] == "1"
    now[0] += 1.0
    assert get_search(s).status_code == 200
    keyed = [get_search(s, api_key="k" * 36).status_code for _ in range(11)]
    assert keyed == [200] * 10 + [429]
    assert s.stats()["faults"] == {"ratelimit": 2}


def test_api_key_is_never_logged(make) -> None:
    secret = "abcdef0123456789secretkey"
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("evidencebot.sandbox")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        s = make()
        get_search(s, api_key=secret, email="someone@example.org")
        requests.get(s.url + "esearch.fcgi?term=x&api_key=" + secret + "%20bad request",
                     timeout=10)  # fmt: skip
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert records and not any(secret in line or "someone@" in line for line in records)
    assert s.stats()["api_key"] == {"in_url": 2, "in_body": 0}


# --- admin endpoints -----------------------------------------------------------------------


def test_admin_endpoints(make) -> None:
    s = make()
    admin = s.url.replace("/entrez/eutils/", "/sandbox/")
    get_search(s)
    requests.post(s.url + "efetch.fcgi", data={"db": "pubmed", "id": "1001", "api_key": "k"},
                  timeout=10)  # fmt: skip
    stats = requests.get(admin + "stats", timeout=10).json()
    assert stats["total"] == 2
    assert stats["endpoints"] == {"esearch": 1, "efetch": 1, "esummary": 0, "einfo": 0}
    assert stats["methods"] == {"GET": 1, "POST": 1}
    assert stats["statuses"] == {"200": 2}
    assert stats["records_served"] == 1
    assert stats["api_key"] == {"in_url": 0, "in_body": 1}
    assert requests.post(admin + "reset-stats", timeout=10).json() == {"ok": True}
    assert s.stats()["total"] == 0

    assert requests.post(admin + "today", data={"today": "2030/06/01"},
                         timeout=10).json() == {"today": "2030/06/01"}  # fmt: skip
    assert s.today == "2030/06/01" and len(ids(s, "all[sb]")) == 6
    bad = requests.post(admin + "today", data={"today": "2030-13"}, timeout=10)
    assert bad.status_code == 400 and "YYYY/MM/DD" in bad.json()["error"]

    faults = requests.post(admin + "faults", data={"fail_rate": "1", "fail_status": "502"},
                           timeout=10).json()  # fmt: skip
    assert faults["fail_rate"] == 1.0 and faults["fail_status"] == 502
    assert get_search(s).status_code == 502
    requests.post(admin + "faults", data={"fail_rate": "0", "script": "429,200"}, timeout=10)
    assert [get_search(s).status_code for _ in range(3)] == [429, 200, 200]
    bad = requests.post(admin + "faults", data={"fail_status": "418"}, timeout=10)
    assert bad.status_code == 400 and "fail_status must be one of" in bad.json()["error"]
    assert s.stats()["total"] == 5  # admin requests are not counted


def test_admin_refuses_cross_site_browser_requests(server: sb.SandboxServer) -> None:
    admin = server.url.replace("/entrez/eutils/", "/sandbox/")
    response = requests.post(admin + "today", data={"today": "2030/01/01"},
                             headers={"Sec-Fetch-Site": "cross-site"}, timeout=10)  # fmt: skip
    assert response.status_code == 403
    assert server.today == TODAY


# --- configuration and CLI ---------------------------------------------------------------


def test_config_validation_and_remote_host(corpus_file: Path) -> None:
    with pytest.raises(sb.SandboxError, match="fail_rate must be between 0 and 1"):
        sb.SandboxConfig(fail_rate=2)
    with pytest.raises(sb.SandboxError, match="fail_status must be one of 429, 500, 502, 503"):
        sb.SandboxConfig(fail_status=404)
    with pytest.raises(sb.SandboxError, match="refusing to listen on non-loopback host"):
        sb.make_server([corpus_file], host="0.0.0.0")
    with sb.make_server([corpus_file], host="localhost") as unstarted:
        assert unstarted.url.startswith("http://127.0.0.1:")


def test_cli_sandbox_serve_help_and_errors(corpus_file: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["sandbox", "serve", "--help"])
    assert result.exit_code == 0
    for flag in ("--corpus", "--port", "--today", "--fail-rate", "--fail-status", "--delay",
                 "--truncate-rate", "--malformed-rate", "--seed", "--max-ids", "--allow-remote"):
        assert flag in result.output
    refused = runner.invoke(main, ["sandbox", "serve", "--corpus", str(corpus_file),
                                   "--host", "0.0.0.0"])  # fmt: skip
    assert refused.exit_code == 1
    assert refused.output.splitlines()[-1].startswith(
        "Error: refusing to listen on non-loopback host '0.0.0.0'")
    bad_date = runner.invoke(main, ["sandbox", "serve", "--corpus", str(corpus_file),
                                    "--today", "tomorrow"])  # fmt: skip
    assert bad_date.exit_code == 1
    assert "Error: invalid date 'tomorrow': use YYYY/MM/DD" in bad_date.output


def test_json_admin_body(make) -> None:
    s = make()
    admin = s.url.replace("/entrez/eutils/", "/sandbox/")
    response = requests.post(admin + "faults", data=json.dumps({"delay": 0}),
                             headers={"Content-Type": "application/json"}, timeout=10)  # fmt: skip
    assert response.json()["delay"] == 0.0
