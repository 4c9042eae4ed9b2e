"""Effect sizes and their sampling variances from reported numbers; back-transformations.

Pure functions. Each returns an `Effect` (yi, vi on the analysis scale) or an `Excluded`
with a stable warning code and a reason a digest can quote. Rules, with references:

Hazard ratios (scale "log"): yi = ln HR, SE = (ln U - ln L) / (2 z), z = Phi^-1((1 + level)/2),
at whatever level the CI was reported (Parmar, Torri & Stewart 1998, Stat Med 17:2815).

Median survival, scale "log" (default): yi = ln m, SE = (ln U - ln L) / (2 z) — Kaplan–Meier
CIs for the median are usually computed on a log or log-log scale, so they are closer to
symmetric there.  Scale "raw": yi = m, SE = (U - L) / (2 z), the Wald approach of metamedian's
`metamedian_survival` (McGrath et al. 2025, arXiv; R package metamedian), including its
one-sided rule below.
- Upper bound "not reached"/missing: one-sided SE from the lower bound, (m - L)/z on the raw
  scale (exactly metamedian's `se_median_survival_helper`), (ln m - ln L)/z on the log scale.
  Code W305.
- Lower bound 0: ln 0 is -inf, so on the log scale the SE comes one-sidedly from the upper
  bound, (ln U - ln m)/z (W304). On the raw scale 0 is an ordinary number and is used.
- Zero-width CI (L = U, e.g. "1.4 (1.4–1.4)"): SE = 0 gives infinite inverse-variance weight;
  the row is excluded with W303 rather than divided by zero.
- No CI: excluded (W301), or, with protocol pool.median_without_ci = "approximate", SE from
  n under an exponential survival model: Var(ln m) = 1/d for d events (the MLE of an
  exponential rate has Var(ln lambda) = 1/d; ln m = ln ln 2 - ln lambda; Collett 2015,
  Modelling Survival Data in Medical Research, 3rd ed., §5.1.2), with d approximated by n
  (every patient has the event — near true for advanced BTC with mature follow-up; it
  understates the SE when follow-up is short). Raw scale: SE = m / sqrt(n) (delta method).
  Flagged W302 and `approximated`.

Proportions (ORR, grade >= 3 toxicity): metafor `escalc` "PLO" (logit; 0.5 added to both
cells of a study with 0 or n events) and "PFT" (Freeman & Tukey 1950 double arcsine,
vi = 1/(4n + 2)), back-transformed with the inverse logit or Miller's (1978) inverse with the
harmonic mean of n (metafor `transf.ipft.hm`).  Events missing but a percentage and n given:
events = round(p n), flagged W306 and `approximated`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import special


@dataclass(frozen=True)
class Effect:
    """yi and vi on the analysis `scale`; `notes` are coded caveats; `approximated` says the
    variance (or the event count) was not computed from reported numbers."""

    yi: float
    vi: float
    scale: str
    approximated: bool = False
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Excluded:
    """A row that cannot enter an inverse-variance pool: a stable code and a reason."""

    code: str
    reason: str


def z_for_level(level: float) -> float:
    """Two-sided normal critical value for a CI at `level` (0.95 -> 1.959964...)."""
    if not 0 < level < 1:
        raise ValueError(f"CI level {level!r} must be between 0 and 1 (0.95, not 95)")
    return float(-special.ndtri((1 - level) / 2))


def _present(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def hazard_ratio_effect(
    value: float | None, ci_low: float | None, ci_high: float | None, ci_level: float | None
) -> Effect | Excluded:
    """ln HR and its variance from the HR's CI (any level)."""
    if not _present(value) or value <= 0:
        return Excluded("W311", "hazard ratio missing or not positive")
    if not (_present(ci_low) and _present(ci_high)):
        return Excluded("W312", "hazard ratio reported without a complete CI; SE unknown")
    if ci_low <= 0:
        return Excluded("W304", "hazard ratio CI lower bound is 0: impossible on the log scale")
    if ci_high <= ci_low:
        return Excluded("W303", "zero-width hazard ratio CI: SE 0 cannot be inverse-variance weighted")
    if not ci_low <= value <= ci_high:
        return Excluded("W308", f"CI {ci_low}–{ci_high} does not contain the estimate {value}")
    z = z_for_level(ci_level or 0.95)
    se = (math.log(ci_high) - math.log(ci_low)) / (2 * z)
    return Effect(math.log(value), se**2, "log")


def median_effect(
    value: float | None,
    ci_low: float | None,
    ci_high: float | None,
    ci_level: float | None,
    n: int | None,
    *,
    scale: str = "log",
    without_ci: str = "exclude",
    ci_high_not_reached: bool = False,
    not_reached: bool = False,
) -> Effect | Excluded:
    """Median survival (in months) and its variance; see the module docstring for the rules."""
    if scale not in ("log", "raw"):
        raise ValueError(f"median scale {scale!r}: use 'log' or 'raw'")
    if not_reached or not _present(value):
        return Excluded("W310", "median not reached or missing: no point estimate to pool")
    if value <= 0:
        return Excluded("W311", f"median {value} is not positive")
    log = scale == "log"
    y = math.log(value) if log else value
    has_low, has_high = _present(ci_low), _present(ci_high) and not ci_high_not_reached
    if not has_low and not has_high:
        if without_ci != "approximate":
            return Excluded("W301", "median reported without a CI; excluded (protocol: exclude)")
        if not n or n <= 0:
            return Excluded("W301", "median reported without a CI or n; cannot approximate its SE")
        vi = 1.0 / n if log else value**2 / n
        return Effect(
            y, vi, scale, True,
            ("W302: median reported without a CI; SE approximated from n "
             "(exponential model, events taken as n)",),
        )
    z = z_for_level(ci_level or 0.95)
    if (has_low and ci_low > value) or (has_high and ci_high < value):
        return Excluded("W308", f"CI {ci_low}–{ci_high} does not contain the median {value}")
    notes: list[str] = []
    if has_low and has_high:
        if ci_high == ci_low:
            return Excluded(
                "W303",
                f"zero-width CI ({ci_low}–{ci_high}): SE 0 cannot be inverse-variance weighted",
            )
        if log and ci_low <= 0:
            se = (math.log(ci_high) - y) / z
            notes.append("W304: CI lower bound 0 is impossible on the log scale; "
                         "one-sided SE from the upper bound")
        elif log:
            se = (math.log(ci_high) - math.log(ci_low)) / (2 * z)
        else:
            se = (ci_high - ci_low) / (2 * z)
    elif has_low:
        if log and ci_low <= 0:
            return Excluded("W304", "only a lower CI bound of 0: no SE on the log scale")
        se = (y - (math.log(ci_low) if log else ci_low)) / z
        notes.append("W305: upper CI bound not reached; one-sided SE from the lower bound")
    else:
        se = ((math.log(ci_high) if log else ci_high) - y) / z
        notes.append("W305: lower CI bound missing; one-sided SE from the upper bound")
    if not se > 0:
        return Excluded("W303", "CI bound equals the median: SE 0 cannot be inverse-variance weighted")
    return Effect(y, se**2, scale, False, tuple(notes))


def proportion_effect(
    events: int | None, n: int | None, value: float | None, *, transform: str = "logit"
) -> Effect | Excluded:
    """Logit ("logit", metafor PLO) or double arcsine ("PFT") proportion and its variance."""
    if not n or n <= 0:
        return Excluded("W309", "proportion without a sample size n")
    notes: list[str] = []
    approximated = False
    if events is None:
        if not _present(value) or not 0 <= value <= 1:
            return Excluded("W309", "proportion without events and without a value in [0, 1]")
        events = int(round(value * n))
        approximated = True
        notes.append(f"W306: events reconstructed as round({value} x {n}) = {events}")
    if not 0 <= events <= n:
        return Excluded("W308", f"events {events} outside 0..{n}")
    if transform == "PFT":
        yi = 0.5 * (math.asin(math.sqrt(events / (n + 1))) + math.asin(math.sqrt((events + 1) / (n + 1))))
        return Effect(yi, 1.0 / (4 * n + 2), "PFT", approximated, tuple(notes))
    if transform != "logit":
        raise ValueError(f"proportion transform {transform!r}: use 'logit' or 'PFT'")
    x, m = float(events), float(n - events)
    if events == 0 or events == n:
        x, m = x + 0.5, m + 0.5
        notes.append("W313: 0 or n events; 0.5 added to both cells (metafor escalc PLO)")
    return Effect(math.log(x / m), 1 / x + 1 / m, "logit", approximated, tuple(notes))


def pft(p: float, n: float) -> float:
    """Freeman–Tukey double arcsine of a proportion p at sample size n (metafor transf.pft)."""
    x = p * n
    return 0.5 * (math.asin(math.sqrt(x / (n + 1))) + math.asin(math.sqrt((x + 1) / (n + 1))))


def back_transform(x: float | None, scale: str, ns: list[int] | None = None) -> float | None:
    """Analysis scale -> natural units: exp (log), inverse logit, Miller's inverse of the
    double arcsine at the harmonic mean of `ns` (PFT), identity (raw)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if scale == "log":
        return math.exp(x)
    if scale == "raw":
        return x
    if scale == "logit":
        return float(1 / (1 + math.exp(-x))) if x > -700 else 0.0
    if scale == "PFT":
        if not ns:
            raise ValueError("the PFT back-transformation needs the studies' sample sizes")
        nhm = 1.0 / float(np.mean([1.0 / n for n in ns]))
        if x > pft(1.0, nhm):
            return 1.0
        if x < pft(0.0, nhm):
            return 0.0
        s = math.sin(2 * x)
        inner = 1 - (s + (s - 1 / s) / nhm) ** 2
        if inner < 0:
            return None
        return 0.5 * (1 - math.copysign(1.0, math.cos(2 * x)) * math.sqrt(inner))
    raise ValueError(f"unknown scale {scale!r}")
