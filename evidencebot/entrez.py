"""A small NCBI E-utilities client on `requests`.

Layers: a rate limiter shared by every request of a run → a retrying POST that knows
E-utilities' failure modes → typed `esearch` / `efetch` calls. Every request is a POST, so
the API key travels in the body and never in a URL that a proxy or a log could keep.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import requests

from evidencebot.errors import EntrezError
from evidencebot.redact import redact

log = logging.getLogger("evidencebot.entrez")
T = TypeVar("T")

# E-utilities errors that arrive with status 200 but mean "try again later".
_TRANSIENT_ERROR_WORDS = ("rate limit", "temporarily unavailable", "backend failed", "timeout",
                          "try again", "unable to obtain query", "server error")


class RetryableResponse(Exception):
    """A response that looked fine at the HTTP level but must be fetched again."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RateLimiter:
    """At most `rate` requests per second across all threads (evenly spaced, no bursts)."""

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            self._sleep(start - now)


@dataclass
class RetryPolicy:
    """Exponential back-off with full jitter; `Retry-After` wins when the server sends it."""

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay * 4)
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        return self.rng.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class SearchResult:
    count: int
    webenv: str
    query_key: str
    ids: tuple[str, ...]
    query_translation: str = ""


class EntrezClient:
    """E-utilities over HTTP. One client per run: its rate limiter is shared by every call."""

    def __init__(
        self,
        base_url: str,
        *,
        email: str,
        tool: str = "evidencebot",
        api_key: str | None = None,
        timeout: float = 60.0,
        retry: RetryPolicy | None = None,
        rate: float | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.email, self.tool, self._api_key = email, tool, api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        # NCBI's published limits: 3 requests/s without a key, 10/s with one.
        self.limiter = RateLimiter(rate or (10.0 if api_key else 3.0), sleep=sleep)
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = f"{tool} (+mailto:{email})" if email else tool
        self._sleep = sleep
        self.requests_made: dict[str, int] = {}

    # -- typed calls ---------------------------------------------------------------------
    def esearch(
        self,
        term: str,
        *,
        mindate: str | None = None,
        maxdate: str | None = None,
        datetype: str = "edat",
        retmax: int = 0,
        retstart: int = 0,
        usehistory: bool = True,
    ) -> SearchResult:
        params = {"db": "pubmed", "term": term, "retmax": retmax, "retstart": retstart,
                  "retmode": "json"}
        if usehistory:
            params["usehistory"] = "y"
        if mindate or maxdate:
            params.update(datetype=datetype, mindate=mindate or "1800/01/01",
                          maxdate=maxdate or "3000/12/31")
        return self._call("esearch.fcgi", params, _parse_esearch)

    def efetch(
        self,
        *,
        webenv: str | None = None,
        query_key: str | None = None,
        ids: list[str] | None = None,
        retstart: int = 0,
        retmax: int = 500,
    ) -> bytes:
        """PubMed XML for a page of a history result, or for an explicit id list."""
        params: dict[str, object] = {"db": "pubmed", "retmode": "xml", "rettype": "abstract"}
        if ids is not None:
            params["id"] = ",".join(ids)
        elif webenv and query_key:
            params.update(WebEnv=webenv, query_key=query_key, retstart=retstart, retmax=retmax)
        else:
            raise ValueError("efetch needs either ids or webenv + query_key")
        return self._call("efetch.fcgi", params, _check_efetch_body)

    # -- transport -----------------------------------------------------------------------
    def _call(self, endpoint: str, params: dict, validate: Callable[[bytes], T]) -> T:
        body = dict(params, tool=self.tool, email=self.email)
        if self._api_key:
            body["api_key"] = self._api_key
        url = self.base_url + endpoint
        last_problem = "no attempt made"
        for attempt in range(1, self.retry.max_attempts + 1):
            self.limiter.wait()
            self.requests_made[endpoint] = self.requests_made.get(endpoint, 0) + 1
            retry_after: float | None = None
            try:
                response = self.session.post(url, data=body, timeout=self.timeout)
                if response.status_code == 429:
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    raise RetryableResponse("HTTP 429 Too Many Requests (rate limited)",
                                            retry_after)
                if response.status_code >= 500:
                    retry_after = _retry_after(response.headers.get("Retry-After"))
                    raise RetryableResponse(f"HTTP {response.status_code} server error",
                                            retry_after)
                if response.status_code != 200:
                    raise EntrezError(
                        f"{endpoint} answered HTTP {response.status_code}: "
                        f"{redact(response.text[:200])}"
                    )
                return validate(response.content)
            except RetryableResponse as exc:
                last_problem = str(exc)
                retry_after = exc.retry_after
            except (requests.ConnectionError, requests.Timeout,
                    requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:
                last_problem = f"{type(exc).__name__}: {exc}"
            if attempt < self.retry.max_attempts:
                wait = self.retry.delay(attempt, retry_after)
                log.warning("%s attempt %d/%d failed (%s); retrying in %.1fs", endpoint,
                            attempt, self.retry.max_attempts, redact(last_problem), wait)
                self._sleep(wait)
        raise EntrezError(
            f"{endpoint} at {redact(self.base_url)} failed after {self.retry.max_attempts} "
            f"attempts; last problem: {redact(last_problem)}"
        )


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds or as an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _error_in_body(message: str) -> Exception:
    lowered = message.lower()
    if any(word in lowered for word in _TRANSIENT_ERROR_WORDS):
        return RetryableResponse(f"E-utilities error in a 200 response: {message}")
    return EntrezError(f"E-utilities error: {redact(message)}")


def _parse_esearch(content: bytes) -> SearchResult:
    text = content.decode("utf-8", "replace").strip()
    if text.startswith("<"):
        return _parse_esearch_xml(content)
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise RetryableResponse(f"esearch answered with unreadable JSON: {text[:120]!r}") from None
    if "error" in data and "esearchresult" not in data:
        raise _error_in_body(str(data["error"]))
    result = data.get("esearchresult", {})
    if "ERROR" in result or "error" in result:
        raise _error_in_body(str(result.get("ERROR") or result.get("error")))
    if "count" not in result:
        raise RetryableResponse(f"esearch answered without a count: {text[:120]!r}")
    return SearchResult(
        count=int(result["count"]),
        webenv=str(result.get("webenv", "")),
        query_key=str(result.get("querykey", "")),
        ids=tuple(result.get("idlist", [])),
        query_translation=str(result.get("querytranslation", "")),
    )


def _parse_esearch_xml(content: bytes) -> SearchResult:
    try:
        root = ET.fromstring(content)
    except ET.ParseError:
        raise RetryableResponse("esearch answered with malformed XML") from None
    error = root.findtext("ERROR")
    if error:
        raise _error_in_body(error)
    count = root.findtext("Count")
    if count is None:
        raise RetryableResponse("esearch answered without a Count")
    return SearchResult(
        count=int(count),
        webenv=root.findtext("WebEnv") or "",
        query_key=root.findtext("QueryKey") or "",
        ids=tuple(e.text or "" for e in root.iterfind("IdList/Id")),
        query_translation=root.findtext("QueryTranslation") or "",
    )


def _check_efetch_body(content: bytes) -> bytes:
    """Cheap checks that catch a truncated or error body before the full parse."""
    head = content[:2048].lstrip()
    tail = content[-256:].rstrip()
    if b"<ERROR>" in head or (head.startswith(b"{") and b"error" in head):
        message = head.decode("utf-8", "replace")
        if b"<ERROR>" in head:
            message = message.split("<ERROR>", 1)[1].split("</ERROR>", 1)[0]
        raise _error_in_body(message)
    if not tail.endswith(b"</PubmedArticleSet>"):
        raise RetryableResponse("efetch body is truncated (no closing </PubmedArticleSet>)")
    return content
