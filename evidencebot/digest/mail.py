"""E-mail delivery of a digest over SMTP, configured from the environment only:

  EVIDENCEBOT_SMTP_HOST      server; e-mail is sent only when this is set
  EVIDENCEBOT_SMTP_PORT      default 587 (465 = implicit TLS)
  EVIDENCEBOT_SMTP_USER      login name (no login when unset)
  EVIDENCEBOT_SMTP_PASSWORD  password (never logged, never in an error message)
  EVIDENCEBOT_SMTP_FROM      sender (default: the user, else evidencebot@localhost)
  EVIDENCEBOT_SMTP_TO        recipients, comma-separated

STARTTLS is used whenever the server offers it. A password is sent only over TLS, or to a
server on this machine (127.0.0.1, ::1, localhost): never in clear over a network.
The body is the Markdown digest; the HTML digest is attached (it opens offline).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from evidencebot.errors import DigestError

PREFIX = "EVIDENCEBOT_SMTP_"
LOCAL_HOSTS = {"127.0.0.1", "::1", "localhost"}
TIMEOUT = 30.0


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    sender: str
    recipients: tuple[str, ...]
    user: str | None = None
    password: str | None = field(default=None, repr=False)


def settings_from_env(env: Mapping[str, str]) -> MailSettings | None:
    """The SMTP settings, or None when EVIDENCEBOT_SMTP_HOST is not set."""
    host = (env.get(PREFIX + "HOST") or "").strip()
    if not host:
        return None
    raw_port = (env.get(PREFIX + "PORT") or "587").strip()
    if not raw_port.isdigit() or not 0 < int(raw_port) < 65536:
        raise DigestError(f"{PREFIX}PORT = {raw_port!r}: give a port number such as 587")
    recipients = tuple(a.strip() for a in (env.get(PREFIX + "TO") or "").split(",") if a.strip())
    if not recipients:
        raise DigestError(f"{PREFIX}HOST is set but {PREFIX}TO is empty: give the recipients, "
                          "comma-separated")
    user = (env.get(PREFIX + "USER") or "").strip() or None
    sender = (env.get(PREFIX + "FROM") or "").strip() or user or "evidencebot@localhost"
    return MailSettings(host, int(raw_port), sender, recipients, user,
                        env.get(PREFIX + "PASSWORD") or None)


def message(settings: MailSettings, *, subject: str, body: str, attachment: Path) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = settings.sender
    msg["To"] = ", ".join(settings.recipients)
    msg.set_content(body)
    msg.add_attachment(attachment.read_bytes(), maintype="text", subtype="html",
                       filename=attachment.name)
    return msg


def _clean(text: str, settings: MailSettings) -> str:
    if settings.password:
        text = text.replace(settings.password, "***")
    return text


def send(settings: MailSettings, *, subject: str, body: str, attachment: Path) -> int:
    """Send the digest; return how many recipients accepted it. Raises DigestError."""
    msg = message(settings, subject=subject, body=body, attachment=attachment)
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.port == 465:
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT,
                                                  context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with smtp:
            smtp.ehlo()
            tls = settings.port == 465
            if not tls and smtp.has_extn("starttls"):
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
                tls = True
            if settings.user:
                if not tls and settings.host not in LOCAL_HOSTS:
                    raise DigestError(
                        f"SMTP server {where} offers no TLS; refusing to send the password in "
                        "clear (use port 465 or a server with STARTTLS)")
                smtp.login(settings.user, settings.password or "")
            refused = smtp.send_message(msg)
    except DigestError:
        raise
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestError(_clean(f"e-mail via {where} failed: {type(exc).__name__}: {exc}",
                                 settings)) from None
    return len(settings.recipients) - len(refused)
