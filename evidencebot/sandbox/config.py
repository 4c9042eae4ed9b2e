"""How the sandbox behaves: SandboxConfig, fixed at start and replaced (never mutated) when
the faults or today are changed at runtime."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from evidencebot.errors import SandboxError
from evidencebot.sandbox.dates import full_date

FAIL_STATUSES = (429, 500, 502, 503)


@dataclass(frozen=True)
class SandboxConfig:
    """How the sandbox behaves. Rates are probabilities per request, drawn from one
    random.Random(seed), so a sequential client sees the same faults on every run."""

    today: str | None = None  # YYYY/MM/DD; None: the real date, read per request
    max_ids: int = 9999  # PubMed's cap on retstart + retmax
    rate_limit: float = 3.0  # requests/s per client without api_key; 0 = off
    rate_limit_with_key: float = 10.0  # requests/s per api_key; 0 = off
    fail_rate: float = 0.0
    fail_status: int = 503  # 429 (with Retry-After: 1), 500, 502 or 503
    delay: float = 0.0  # seconds before every E-utilities answer
    truncate_rate: float = 0.0  # Content-Length says full, body cut, connection closed
    malformed_rate: float = 0.0  # a 200 whose XML (or JSON) is broken
    error200_rate: float = 0.0  # a 200 whose body is <ERROR>API rate limit exceeded</ERROR>
    seed: int | None = None
    allow_remote: bool = False  # listen on a non-loopback host
    history_size: int = 200  # WebEnvs kept, least recently used dropped first

    def __post_init__(self) -> None:
        if self.today is not None:
            full_date(self.today)
        for name in ("fail_rate", "truncate_rate", "malformed_rate", "error200_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise SandboxError(f"{name} must be between 0 and 1, got {value}")
        if self.fail_status not in FAIL_STATUSES:
            raise SandboxError(
                f"fail_status must be one of {', '.join(map(str, FAIL_STATUSES))}, "
                f"got {self.fail_status}"
            )
        for name in ("delay", "rate_limit", "rate_limit_with_key"):
            if getattr(self, name) < 0:
                raise SandboxError(f"{name} must be 0 or more, got {getattr(self, name)}")
        if self.max_ids < 1:
            raise SandboxError(f"max_ids must be at least 1, got {self.max_ids}")

    def faults(self) -> dict[str, Any]:
        """The settings that can change at runtime (POST /sandbox/faults), as JSON values."""
        names = (
            "fail_rate", "fail_status", "delay", "truncate_rate", "malformed_rate",
            "error200_rate", "rate_limit", "rate_limit_with_key", "max_ids", "seed",
        )  # fmt: skip
        return {name: getattr(self, name) for name in names}
