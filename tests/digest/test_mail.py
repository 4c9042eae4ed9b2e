"""E-mail delivery against a local SMTP server started by the test."""

from __future__ import annotations

import email
import logging

import pytest

from evidencebot.digest import build, mail
from evidencebot.errors import DigestError
from tests.digest.conftest import period_one
from tests.digest.smtp_server import SmtpServer

PASSWORD = "s3cret-pa55word"


def env(port: int, **extra: str) -> dict[str, str]:
    return {"EVIDENCEBOT_SMTP_HOST": "127.0.0.1", "EVIDENCEBOT_SMTP_PORT": str(port),
            "EVIDENCEBOT_SMTP_USER": "bot", "EVIDENCEBOT_SMTP_PASSWORD": PASSWORD,
            "EVIDENCEBOT_SMTP_FROM": "bot@example.org",
            "EVIDENCEBOT_SMTP_TO": "a@example.org, b@example.org", **extra}


def test_digest_is_mailed_with_the_html_attached_and_recorded_as_sent(db, protocol, tmp_path, caplog):
    period_one(db, protocol)
    caplog.set_level(logging.DEBUG, logger="evidencebot")
    with SmtpServer() as server:
        paths = build.write_digest(db, protocol, tmp_path, environ=env(server.port))
    [raw] = server.received.messages
    assert server.received.logins == [("bot", PASSWORD)]
    assert server.received.envelopes == [("bot@example.org", ["a@example.org", "b@example.org"])]
    msg = email.message_from_bytes(raw)
    assert msg["Subject"].startswith("evidencebot digest ") and msg["To"] == "a@example.org, b@example.org"
    parts = [p for p in msg.walk() if not p.is_multipart()]
    assert parts[0].get_content_type() == "text/plain"
    def text(part):
        return part.get_payload(decode=True).decode().replace("\r\n", "\n")

    assert text(parts[0]) == paths[1].read_text()
    assert parts[1].get_filename() == paths[0].name
    assert text(parts[1]) == paths[0].read_text()
    row = db.execute("SELECT status, recipients, error FROM digests").fetchone()
    assert row == ("sent", 2, None)
    assert PASSWORD not in caplog.text


def test_failed_mail_keeps_the_files_records_the_failure_and_never_shows_the_password(
        db, protocol, tmp_path, caplog):
    period_one(db, protocol)
    with SmtpServer() as server, pytest.raises(DigestError) as info:
        build.write_digest(db, protocol, tmp_path, environ=env(server.port,
                                                               EVIDENCEBOT_SMTP_PASSWORD="wrong"))
    assert "not e-mailed" in str(info.value) and "127.0.0.1" in str(info.value)
    assert len(list(tmp_path.glob("digest-*.html"))) == 1
    status, error = db.execute("SELECT status, error FROM digests").fetchone()
    assert status == "mail_failed" and "SMTPAuthenticationError" in error
    # A digest that was not delivered does not count as the last one.
    assert build.last_digest(db) is None


def test_unreachable_server_is_a_clear_error(db, protocol, tmp_path):
    period_one(db, protocol)
    with SmtpServer() as server:
        port = server.port  # closed again on exit: nothing listens there now
    with pytest.raises(DigestError, match=r"e-mail via 127\.0\.0\.1:\d+ failed: ConnectionRefusedError"):
        build.write_digest(db, protocol, tmp_path, environ=env(port))


def test_settings_from_the_environment():
    assert mail.settings_from_env({}) is None
    s = mail.settings_from_env(env(2525))
    assert (s.host, s.port, s.recipients, s.user) == ("127.0.0.1", 2525,
                                                      ("a@example.org", "b@example.org"), "bot")
    assert PASSWORD not in repr(s)
    with pytest.raises(DigestError, match="EVIDENCEBOT_SMTP_TO is empty"):
        mail.settings_from_env({"EVIDENCEBOT_SMTP_HOST": "smtp.example.org"})
    with pytest.raises(DigestError, match="EVIDENCEBOT_SMTP_PORT = 'smtp'"):
        mail.settings_from_env(env(1, EVIDENCEBOT_SMTP_PORT="smtp"))


def test_password_is_not_sent_in_clear_to_a_remote_server_without_tls(monkeypatch, tmp_path):
    """A server elsewhere that offers no STARTTLS gets no password (simulated by name)."""
    with SmtpServer() as server:
        settings = mail.MailSettings("localhost.localdomain", server.port, "bot@x", ("a@x",),
                                     "bot", PASSWORD)
        real = mail.smtplib.SMTP

        def connect_locally(host, port, timeout):
            return real("127.0.0.1", port, timeout=timeout)

        monkeypatch.setattr(mail.smtplib, "SMTP", connect_locally)
        page = tmp_path / "d.html"
        page.write_text("<p>x</p>")
        with pytest.raises(DigestError, match="refusing to send the password in clear"):
            mail.send(settings, subject="s", body="b", attachment=page)
    assert server.received.logins == [] and server.received.messages == []
