"""The E-utilities over one corpus: esearch with history, efetch, a minimal esummary and
einfo, answered the way PubMed answers where a client depends on it:

- the 9,999-record cap, reported as an <ERROR> inside a 200 while Count stays the full count;
- records invisible until their entry date has come ("today" can be advanced);
- default sort: most recent entry date first, ties by PMID descending.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from evidencebot.sandbox.config import SandboxConfig
from evidencebot.sandbox.corpus import Corpus, Record
from evidencebot.sandbox.dates import date_int, format_date, full_date, parse_date
from evidencebot.sandbox.query import DATE_FIELDS, QuerySyntaxError, canonical_field, parse_query

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


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, before any fault is applied to it."""

    status: int
    body: bytes
    content_type: str = "text/xml; charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()


def _xml(doctype: str, body: str, status: int = 200) -> Reply:
    return Reply(status, f"{XML_DECLARATION}\n{doctype}\n{body}\n".encode())


def json_reply(payload: Any, status: int = 200) -> Reply:
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


def error_body(endpoint: str, message: str, json_mode: bool = False, status: int = 200) -> Reply:
    """An E-utilities error the way NCBI sends it: an <ERROR> inside the result element."""
    if json_mode:
        return json_reply({"header": {"type": endpoint, "version": "0.3"},
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


class Params:
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
        return date_int(full_date(configured) if configured else date.today())

    def esearch(self, params: Params) -> Reply:
        config = self._config()
        json_mode = params.get("retmode").lower() == "json"
        if params.get("db", "pubmed").lower() != "pubmed":
            return error_body("esearch", f"Invalid db name specified: {params.get('db')}",
                               json_mode)  # fmt: skip
        term = " ".join(params.get("term").split())
        if not term:
            return error_body("esearch", "Empty term and query_key - nothing todo", json_mode)
        try:
            retstart = params.integer("retstart", 0)
            retmax = params.integer("retmax", 20)
            window = self._date_window(params)
            node = parse_query(term)
            matched = self.corpus.evaluate(node)
        except QuerySyntaxError as exc:
            return error_body("esearch", f"Query syntax error: {exc}", json_mode)
        except ValueError as exc:
            return error_body("esearch", str(exc), json_mode)
        today = self.today()
        datetype = DATE_FIELDS.get(canonical_field(params.get("datetype", "edat")), "edat")
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
            return json_reply({"header": {"type": "esearch", "version": "0.3"},
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

    def _date_window(self, params: Params) -> tuple[int, int]:
        lo, hi = 0, 99991231
        if params.get("mindate"):
            lo = parse_date(params.get("mindate"))
        if params.get("maxdate"):
            hi = parse_date(params.get("maxdate"), end=True)
        if params.get("reldate"):
            days = params.integer("reldate", 0)
            today = datetime.strptime(format_date(self.today()), "%Y/%m/%d").date()
            lo, hi = date_int(today - timedelta(days=days)), date_int(today)
        return lo, hi

    def _select(self, params: Params, endpoint: str) -> list[Record] | Reply:
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
                    return error_body(endpoint, f"Invalid uid {item} at position 0",
                                       status=400)  # fmt: skip
                pmids.append(int(item))
            pmids = list(dict.fromkeys(pmids))
        else:
            webenv = params.get("webenv")
            if not webenv:
                return error_body(endpoint, "Empty id list - nothing todo", status=400)
            try:
                query_key = params.integer("query_key", 1)
                retstart = params.integer("retstart", 0)
                retmax = params.integer("retmax", 20)
            except ValueError as exc:
                return error_body(endpoint, str(exc), status=400)
            stored = self.history.get(webenv, query_key)
            if stored is None:
                return error_body(endpoint, f"Cannot retrieve history data. query_key: "
                                   f"{query_key}, WebEnv: {webenv}", status=400)  # fmt: skip
            max_ids = self._config().max_ids
            if retstart >= max_ids:
                return error_body(endpoint, _cap_message(max_ids))
            retmax = max(0, min(retmax, EFETCH_MAX, max_ids - retstart))
            pmids = stored[max(retstart, 0) : max(retstart, 0) + retmax]
        found = (records[position[p]] for p in pmids if p in position)
        return [r for r in found if r.edat <= today]

    def efetch(self, params: Params) -> Reply:
        if params.get("db", "pubmed").lower() != "pubmed":
            return error_body("efetch", f"Invalid db name specified: {params.get('db')}",
                               status=400)  # fmt: skip
        selected = self._select(params, "efetch")
        if isinstance(selected, Reply):
            return selected
        with self._count_lock:
            self.records_served += len(selected)
        head = f"{XML_DECLARATION}\n{PUBMED_DOCTYPE}\n<PubmedArticleSet>\n".encode()
        return Reply(200, b"".join([head, *(r.raw + b"\n" for r in selected),
                                   b"</PubmedArticleSet>\n"]))  # fmt: skip

    def esummary(self, params: Params) -> Reply:
        selected = self._select(params, "esummary")
        if isinstance(selected, Reply):
            return selected
        if params.get("retmode").lower() == "json":
            result: dict[str, Any] = {"uids": [str(r.pmid) for r in selected]}
            for r in selected:
                result[str(r.pmid)] = {
                    "uid": str(r.pmid), "pubdate": format_date(r.pdat),
                    "sortpubdate": format_date(r.pdat) + " 00:00",
                    "source": r.journal, "title": r.title, "pubtype": list(r.publication_types),
                }  # fmt: skip
            return json_reply({"header": {"type": "esummary", "version": "0.3"}, "result": result})
        docs = []
        for r in selected:
            types = "".join(f'<Item Name="string" Type="String">{escape(t)}</Item>'
                            for t in r.publication_types)  # fmt: skip
            docs.append(
                f"<DocSum>\n<Id>{r.pmid}</Id>\n"
                f'<Item Name="PubDate" Type="Date">{format_date(r.pdat)}</Item>\n'
                f'<Item Name="Source" Type="String">{escape(r.journal)}</Item>\n'
                f'<Item Name="Title" Type="String">{escape(r.title)}</Item>\n'
                f'<Item Name="PubTypeList" Type="List">{types}</Item>\n'
                f'<Item Name="EntrezDate" Type="Date">{format_date(r.edat)}</Item>\n'
                "</DocSum>"
            )
        return _xml(ESUMMARY_DOCTYPE, "<eSummaryResult>\n" + "\n".join(docs)
                    + "\n</eSummaryResult>")  # fmt: skip

    def einfo(self, params: Params) -> Reply:
        json_mode = params.get("retmode").lower() == "json"
        db = params.get("db").lower()
        if not db:
            if json_mode:
                return json_reply({"header": {"type": "einfo", "version": "0.3"},
                              "einforesult": {"dblist": ["pubmed"]}})  # fmt: skip
            return _xml(EINFO_DOCTYPE, "<eInfoResult><DbList><DbName>pubmed</DbName></DbList>"
                        "</eInfoResult>")  # fmt: skip
        if db != "pubmed":
            return error_body("einfo", f"Invalid db name specified: {db}", json_mode)
        today = self.today()
        count = self.corpus.visible(today)
        last = format_date(today) + " 00:00"
        if json_mode:
            return json_reply({"header": {"type": "einfo", "version": "0.3"}, "einforesult": {
                "dbinfo": [{"dbname": "pubmed", "menuname": "PubMed", "count": str(count),
                            "lastupdate": last, "dbbuild": "Sandbox"}]}})  # fmt: skip
        return _xml(EINFO_DOCTYPE, "<eInfoResult><DbInfo><DbName>pubmed</DbName>"
                    "<MenuName>PubMed</MenuName><Description>PubMed bibliographic record"
                    f"</Description><DbBuild>Sandbox</DbBuild><Count>{count}</Count>"
                    f"<LastUpdate>{last}</LastUpdate></DbInfo></eInfoResult>")  # fmt: skip
