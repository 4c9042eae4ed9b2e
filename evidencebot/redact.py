"""One redactor for everything evidencebot logs, raises or stores.

The NCBI API key and the SMTP password must never appear in a log line, an exception
message, a stored row or a test's output. Anything that leaves the process passes through `redact`.
"""

from __future__ import annotations

import logging
import os
import re

_KEY_PARAM = re.compile(r"(api_key=)[^&\s'\"]+", re.IGNORECASE)
MASK = "***"


SECRET_VARIABLES = ("NCBI_API_KEY", "EVIDENCEBOT_SMTP_PASSWORD")


def secrets() -> list[str]:
    """The secret values currently configured (read fresh: tests set them per case)."""
    values = (os.environ.get(name) for name in SECRET_VARIABLES)
    return [v for v in values if v and len(v) >= 4]


def redact(text: str) -> str:
    """`text` with every configured secret and every api_key=… parameter masked."""
    text = _KEY_PARAM.sub(r"\1" + MASK, text)
    for secret in secrets():
        text = text.replace(secret, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Logging filter that redacts the fully formatted message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def configure_logging(level: int = logging.INFO) -> None:
    """Log to stderr through the redactor (called once by the CLI)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("evidencebot")
    root.handlers[:] = [handler]
    root.setLevel(level)
    root.propagate = False
