"""Routes in-process with Flask's test client: pages, saves, XSS, CSRF, Host, bad input."""

from __future__ import annotations

import re

import pytest

from evidencebot.review.web import check_csrf
from tests.review.conftest import count

ORIGIN = "http://localhost"


def post(client, url, token, data=None, headers=None):
    return client.post(url, data={"csrf_token": token, **(data or {})},
                       headers={"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin", **(headers or {})})


def test_queue_lists_records_in_order_with_counts_and_model(client):
    html = client.get("/").get_data(as_text=True)
    order = re.findall(r'class="pmid">(\d+)<', html)
    assert order == ["40000001", "40000003", "40000005", "40000004", "40000002"]
    assert "screen-test-1" in html and "p=0.81" in html
    assert '<span class="count">3</span>' in html  # three screening flags
    assert "<progress" in html


def test_queue_filter_by_kind(client):
    html = client.get("/?kind=retraction").get_data(as_text=True)
    assert re.findall(r'class="pmid">(\d+)<', html) == ["40000005"]
    assert client.get("/?kind=<script>").status_code == 200


def test_record_page_marks_every_number_at_its_span(client, demo):
    db, ids, _ = demo
    html = client.get("/record/40000001").get_data(as_text=True)
    for key, written in (("a_pfs", "4.2"), ("a_os", "7.9"), ("a_orr", "10")):
        assert f'<mark id="m-{ids[key]}" data-ev="{ids[key]}" class="st-machine">{written}</mark>' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/40000001/"' in html
    assert "J Test Oncol" in html and "2025" in html
    assert 'value="94"' in html  # the misread bound, editable in place


def test_abstract_and_user_text_are_escaped(client, token):
    html = client.get("/record/40000003").get_data(as_text=True)
    assert "<script>window.__xss" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__xss = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;window.__xss = 2&#34;&gt;" in html
    assert "Nivolumab &lt;b&gt;after&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&amp; more" in html
    r = post(client, "/record/40000003/note", token, {"note": "<script>alert('note')</script>"})
    assert r.status_code == 303
    html = client.get("/record/40000003").get_data(as_text=True)
    assert "<script>alert(" not in html and "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;" in html
    queue = client.get("/").get_data(as_text=True)
    assert "<script>alert(1)" not in queue


def test_security_headers(client):
    r = client.get("/")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Content-Type-Options"] == "nosniff"


# Sec-Fetch-Site / Origin / token cases for a write request; None = allowed.
CSRF_CASES = [
    ({"Sec-Fetch-Site": "same-origin", "Origin": ORIGIN}, True, None),
    ({}, True, None),  # no fetch metadata (old browser, curl) but a valid token
    ({"Sec-Fetch-Site": "none"}, True, None),
    ({"Origin": "http://localhost:80"}, True, None),
    ({"Sec-Fetch-Site": "SAME-ORIGIN"}, True, None),
    ({"Sec-Fetch-Site": "cross-site"}, True, "cross-site request refused (Sec-Fetch-Site)"),
    ({"Sec-Fetch-Site": "same-site"}, True, "cross-site request refused (Sec-Fetch-Site)"),
    ({"Sec-Fetch-Site": "garbage\u00ff"}, True, "cross-site request refused (Sec-Fetch-Site)"),
    ({"Sec-Fetch-Site": ""}, True, "cross-site request refused (Sec-Fetch-Site)"),
    ({"Origin": "http://evil.example"}, True, "request from another origin refused (Origin)"),
    ({"Origin": "http://localhost:8001"}, True, "request from another origin refused (Origin)"),
    ({"Origin": "https://localhost"}, True, "request from another origin refused (Origin)"),
    ({"Origin": "null"}, True, "request from an unknown origin refused (Origin)"),
    ({"Origin": ""}, True, "request from an unknown origin refused (Origin)"),
    ({"Origin": "http://[::1"}, True, "malformed Origin header"),
    ({"Origin": "http://localhost:99999"}, True, "malformed Origin header"),
    ({"Origin": "javascript:alert(1)"}, True, "request from an unknown origin refused (Origin)"),
    ({"Sec-Fetch-Site": "same-origin", "Origin": ORIGIN}, False,
     "missing or stale form token: reload the page and try again"),
]


@pytest.mark.parametrize(("headers", "with_token", "refusal"), CSRF_CASES)
def test_csrf_header_cases(client, demo, token, headers, with_token, refusal):
    db, _, _ = demo
    data = {"decision": "include"}
    if with_token:
        data["csrf_token"] = token
    r = client.post("/record/40000001/decide", data=data, headers=headers)
    decided = db.execute("SELECT decided_by FROM screening WHERE pmid = '40000001'").fetchone()[0]
    if refusal is None:
        assert r.status_code == 303 and decided == "review:alice"
    else:
        assert r.status_code == 403 and refusal in r.get_data(as_text=True)
        assert decided.startswith("model:")


@pytest.mark.parametrize("sent", ["", "x" * 43, "\u00e9\u00e9", "tok\x00en"])
def test_wrong_tokens_are_refused(client, sent):
    r = client.post("/record/40000001/decide", data={"decision": "include", "csrf_token": sent})
    assert r.status_code == 403


def test_check_csrf_is_pure_and_tolerates_odd_hosts():
    assert check_csrf({"Origin": ORIGIN}, {"csrf_token": "t"}, "t", "localhost") is None
    assert check_csrf({"Origin": ORIGIN}, {"csrf_token": "t"}, "t", "[bad") == "malformed Host header"
    assert check_csrf({}, {"csrf_token": "t"}, "t", "") is None


@pytest.mark.parametrize(("host", "status"), [("localhost", 200), ("127.0.0.1:8000", 200), ("[::1]:80", 200),
                                              ("evil.example", 403), ("localhost.evil.example", 403),
                                              ("[bad", 403), ("localhost:notaport", 403)])
def test_host_header_must_be_loopback(client, host, status):
    assert client.get("/", headers={"Host": host}).status_code == status


def test_allow_remote_accepts_other_hosts(demo, protocol):
    from evidencebot.review.web import create_app

    app = create_app(demo[2], protocol, reviewer="alice", allow_remote=True)
    assert app.test_client().get("/", headers={"Host": "review.example:8000"}).status_code == 200


def test_get_cannot_write_and_unknown_record_is_404(client):
    assert client.get("/record/40000001/decide").status_code == 405
    assert client.get("/record/99999999").status_code == 404


def test_invalid_correction_is_refused_with_the_reason_and_nothing_saved(client, demo, token):
    db, ids, _ = demo
    n = count(db, "SELECT count(*) FROM evidence")
    r = post(client, f"/record/40000001/evidence/{ids['a_os']}", token,
             {"value": "7.9", "ci_low": "9.4", "ci_high": "6.1"})
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Not saved: CI low 9.4 is greater than CI high 6.1; swap them or fix the typo" in html
    r = post(client, f"/record/40000001/evidence/{ids['a_os']}", token, {"value": "seven"})
    assert r.status_code == 400 and "value &#39;seven&#39; is not a number" in r.get_data(as_text=True)
    r = post(client, "/record/40000002/decide", token, {"decision": "exclude", "reason": "dull"})
    assert r.status_code == 400 and "unknown exclusion reason" in r.get_data(as_text=True)
    assert count(db, "SELECT count(*) FROM evidence") == n
    assert count(db, "SELECT count(*) FROM review_saves") == 0


def test_evidence_of_another_record_is_404(client, demo, token):
    _, ids, _ = demo
    assert post(client, f"/record/40000002/evidence/{ids['a_os']}", token, {"value": "1"}).status_code == 404


def test_correction_flow_shows_how_the_pool_moved(client, demo, token):
    db, ids, _ = demo
    # Only included records feed the pool: include first, then correct.
    assert post(client, "/record/40000001/decide", token, {"decision": "include"}).status_code == 303
    r = post(client, f"/record/40000001/evidence/{ids['a_os']}", token,
             {"value": "7.9", "ci_low": "6.1", "ci_high": "9.4", "endpoint": "OS", "measure": "median",
              "arm": "FOLFOX", "regimen": "FOLFOX", "n": "60", "unit": "months"})
    assert r.status_code == 303 and "save=2" in r.headers["Location"]
    html = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'id="movement"' in html and "FOLFOX" in html
    assert "ci_high 94 → 9.4" in html
    new_id = db.execute("SELECT superseded_by FROM evidence WHERE id = ?", [ids["a_os"]]).fetchone()[0]
    assert f'<mark id="m-{new_id}" data-ev="{new_id}" class="st-verified">7.9</mark>' in html


def test_include_ignores_a_leftover_reason(client, demo, token):
    db, _, _ = demo
    r = post(client, "/record/40000001/decide", token, {"decision": "include", "reason": "wrong_line"})
    assert r.status_code == 303
    assert db.execute("SELECT decision, reason FROM screening WHERE pmid = '40000001'").fetchone() == (
        "include", None)


def test_malformed_form_bodies_never_500(client, token):
    for body in (b"\xff\xfe\x00", b"csrf_token=%ZZ&decision=include", b"a=" + b"b" * 300_000):
        r = client.post("/record/40000001/decide", data=body,
                        headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert r.status_code in (400, 403, 413)
