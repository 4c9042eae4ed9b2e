"""The one redactor: keys in URLs, the configured key anywhere, and every log line."""

from __future__ import annotations

import io
import logging

from evidencebot.redact import RedactingFilter, redact

KEY = "abcdef0123456789abcdef"


def test_api_key_parameter_is_masked_even_when_not_configured(monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    assert redact("GET /esearch.fcgi?db=pubmed&api_key=zzz999&term=x") == (
        "GET /esearch.fcgi?db=pubmed&api_key=***&term=x")


def test_configured_key_is_masked_anywhere(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    assert KEY not in redact(f"failed with key {KEY} in body {{'api_key': '{KEY}'}}")


def test_log_records_are_redacted(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", KEY)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test_redact")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("request %s failed with key %s", f"https://x/?api_key={KEY}", KEY)
    finally:
        logger.removeHandler(handler)
    assert KEY not in stream.getvalue() and "api_key=***" in stream.getvalue()


def test_smtp_password_is_masked_too(monkeypatch):
    monkeypatch.setenv("EVIDENCEBOT_SMTP_PASSWORD", "hunter2-smtp")
    assert redact("login failed for hunter2-smtp") == "login failed for ***"
