"""What the extractor returns: outcome statements, hazard ratios, toxicities and flags.

Every number carries `span = (start, end)`: character offsets into the text it came from,
and `text[start:end]` is the number as written (or "not reached" / "NR").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Outcome:
    endpoint: str  # OS | PFS | TTP | DFS | RFS | DoR
    statistic: str  # median | rate
    value: float | None
    unit: str  # months | weeks | days | years | percent
    span: tuple[int, int]
    arm: str = ""
    regimen: str | None = None
    n: int | None = None
    value_months: float | None = None
    not_reached: bool = False
    timepoint_months: float | None = None
    ci_level: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    ci_high_not_reached: bool = False
    subgroup: str | None = None
    confidence: float = 0.9

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


@dataclass
class HazardRatio:
    endpoint: str | None
    value: float
    span: tuple[int, int]
    ci_level: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    comparison: str | None = None
    p_value: str | None = None
    subgroup: str | None = None
    confidence: float = 0.9

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        return d


@dataclass
class Toxicity:
    event: str
    proportion: float
    span: tuple[int, int]
    arm: str = ""
    regimen: str | None = None
    grade: str = "3+"
    confidence: float = 0.8

    @property
    def endpoint(self) -> str:
        return f"grade3plus_{self.event.replace(' ', '_')}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["span"] = list(self.span)
        d["endpoint"] = self.endpoint
        return d


@dataclass(frozen=True)
class Flag:
    """A consistency warning with a stable code that digests and tests can quote."""

    code: str
    message: str
    span: tuple[int, int] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "span": list(self.span) if self.span else None}


@dataclass
class Extraction:
    outcomes: list[Outcome] = field(default_factory=list)
    hazard_ratios: list[HazardRatio] = field(default_factory=list)
    toxicities: list[Toxicity] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    arms: list[tuple[str, str]] = field(default_factory=list)  # (label, regimen family)
    n_total: int | None = None

    def to_annotation(self) -> dict[str, Any]:
        return {
            "outcomes": [o.to_dict() for o in self.outcomes],
            "hazard_ratios": [h.to_dict() for h in self.hazard_ratios],
            "toxicities": [t.to_dict() for t in self.toxicities],
            "flags": [f.to_dict() for f in self.flags],
        }
