"""The E-utilities client's retry, throttle and secrecy rules, on a scripted fake session.

End-to-end behaviour against the real HTTP sandbox is in tests/e2e/.
"""

from __future__ import annotations

import json
import random

import pytest
import requests

from evidencebot.entrez import EntrezClient, RateLimiter, RetryPolicy, _retry_after
from evidencebot.errors import EntrezError

OK_SEARCH = json.dumps({"esearchresult": {"count": "2", "retmax": "0", "querykey": "1",
                                          "webenv": "MCID_1", "idlist": []}}).encode()


def response(status: int, body: bytes, headers: dict | None = None) -> requests.Response:
    r = requests.Response()
    r.status_code = status
    r._content = body
    r.headers.update(headers or {})
    return r


class ScriptedSession:
    """Answers POSTs from a script; records what was sent."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls: list[tuple[str, dict]] = []
        self.headers: dict = {}

    def post(self, url, data=None, timeout=None):
        self.calls.append((url, dict(data)))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(session, sleeps, api_key=None, attempts=4):
    return EntrezClient("http://127.0.0.1:1/eutils", email="e@example.org", api_key=api_key,
                        session=session, sleep=sleeps.append,
                        retry=RetryPolicy(max_attempts=attempts, rng=random.Random(1)), rate=1000)


def test_429_is_retried_honouring_retry_after():
    sleeps: list[float] = []
    session = ScriptedSession(response(429, b'{"error":"API rate limit exceeded"}', {"Retry-After": "3"}),
                              response(200, OK_SEARCH))
    result = client(session, sleeps).esearch("cholangiocarcinoma", mindate="2020/01/01",
                                             maxdate="2020/12/31")
    assert result.count == 2 and result.webenv == "MCID_1"
    assert 3.0 in sleeps
    assert len(session.calls) == 2


@pytest.mark.parametrize("failure", [
    response(503, b"busy"),
    response(500, b"oops"),
    requests.ConnectionError("refused"),
    requests.Timeout("slow"),
    requests.exceptions.ChunkedEncodingError("cut"),
    response(200, b'{"esearchresult": {"ERROR": "API rate limit exceeded"}}'),
    response(200, b"<eSearchResult><ERROR>Search Backend failed: temporarily unavailable</ERROR>"
                  b"</eSearchResult>"),
    response(200, b"{not json"),
])
def test_transient_failures_are_retried(failure):
    sleeps: list[float] = []
    session = ScriptedSession(failure, response(200, OK_SEARCH))
    assert client(session, sleeps).esearch("x").count == 2
    assert len(sleeps) >= 1


def test_backoff_grows_exponentially_with_jitter_within_bounds():
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, rng=random.Random(7))
    for attempt in range(1, 8):
        ceiling = min(30.0, 2 ** (attempt - 1))
        assert ceiling / 2 <= policy.delay(attempt) <= ceiling


def test_retry_budget_is_respected_and_error_is_clear():
    sleeps: list[float] = []
    session = ScriptedSession(*[response(503, b"busy")] * 3)
    with pytest.raises(EntrezError, match="esearch.fcgi .* failed after 3 attempts; last problem: HTTP 503"):
        client(session, sleeps, attempts=3).esearch("x")
    assert len(session.calls) == 3
    assert len([s for s in sleeps if s > 0.01]) == 2   # back-off between attempts, not after the last


def test_permanent_error_in_200_is_not_retried():
    session = ScriptedSession(response(200, b'{"esearchresult": {"ERROR": "Invalid query syntax"}}'))
    with pytest.raises(EntrezError, match="Invalid query syntax"):
        client(session, []).esearch("((")
    assert len(session.calls) == 1


def test_truncated_efetch_body_is_fetched_again():
    good = b"<?xml version='1.0'?><PubmedArticleSet></PubmedArticleSet>"
    session = ScriptedSession(response(200, good[:30]), response(200, good))
    assert client(session, []).efetch(webenv="W", query_key="1") == good
    assert len(session.calls) == 2


def test_api_key_travels_in_the_body_never_the_url_and_is_redacted_from_errors(monkeypatch):
    secret = "s3cr3t-key-0123456789"
    monkeypatch.setenv("NCBI_API_KEY", secret)
    session = ScriptedSession(response(400, f"bad request for api_key={secret}".encode()))
    with pytest.raises(EntrezError) as info:
        client(session, [], api_key=secret).esearch("x")
    url, body = session.calls[0]
    assert secret not in url and "api_key" not in url
    assert body["api_key"] == secret and body["tool"] == "evidencebot" and body["email"]
    assert secret not in str(info.value)


def test_rate_limiter_spaces_requests_evenly():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(3.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(4):
        limiter.wait()
    assert now[0] == pytest.approx(1.0)   # 4 requests at 3/s: the 4th at t = 1 s


def test_client_default_rate_follows_ncbi_limits():
    assert EntrezClient("http://x/", email="e").limiter.interval == pytest.approx(1 / 3)
    assert EntrezClient("http://x/", email="e", api_key="k" * 10).limiter.interval == pytest.approx(0.1)


def test_retry_after_parsing():
    assert _retry_after("7") == 7.0
    assert _retry_after(None) is None
    assert _retry_after("garbage") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
