"""Dates as the sandbox compares them: ints YYYYMMDD, read and written as YYYY/MM/DD."""

from __future__ import annotations

import re
from datetime import date, datetime

from evidencebot.errors import SandboxError

_DATE = re.compile(r"(\d{4})(?:[/-](\d{1,2})(?:[/-](\d{1,2}))?)?")


def parse_date(text: str, *, end: bool = False) -> int:
    """YYYY/MM/DD, YYYY/MM or YYYY as an int YYYYMMDD; a partial date is its first day, or
    with `end` its last (day 31 is fine: the value is only compared)."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"invalid date {text!r}: use YYYY/MM/DD, YYYY/MM or YYYY")
    year = int(match[1])
    month = int(match[2]) if match[2] else (12 if end else 1)
    day = int(match[3]) if match[3] else (31 if end else 1)
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValueError(f"invalid date {text!r}: month or day out of range")
    return year * 10000 + month * 100 + day


def full_date(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y/%m/%d").date()
    except ValueError:
        raise SandboxError(f"invalid date {text!r}: use YYYY/MM/DD, e.g. 2025/01/31") from None


def date_int(value: date) -> int:
    return value.year * 10000 + value.month * 100 + value.day


def format_date(value: int) -> str:
    return f"{value // 10000:04d}/{value // 100 % 100:02d}/{value % 100:02d}"
