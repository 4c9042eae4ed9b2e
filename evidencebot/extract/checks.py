"""Consistency checks: each finding is a Flag with a stable code that digests can quote.

W201  median for arm '{arm}' reported without CI
W202  CI [{low}, {high}] does not contain the median {value} ({endpoint}, arm '{arm}')
W203  hazard ratio {value} lies outside its CI [{low}, {high}]
W204  median OS {os} shorter than median PFS {pfs} in arm '{arm}'
W205  number {value!r} not found in the text at its span
W206  rate {value}% outside 0-100
W207  hazard ratio for {endpoint} without a comparison (arms unknown)
W208  CI bounds reversed
W209  CI lower bound {low} below zero (an interval from a normal approximation)
"""

from __future__ import annotations

from evidencebot.extract.lexicon import is_nr, parse_num
from evidencebot.extract.model import Extraction, Flag


def _number_at(text: str, span: tuple[int, int], value: float | None, not_reached: bool) -> bool:
    s, e = span
    if not (0 <= s < e <= len(text)):
        return False
    written = text[s:e]
    if not_reached or value is None:
        return is_nr(written)
    try:
        return abs(parse_num(written) - value) < 1e-9
    except ValueError:
        return False


def check(text: str, ex: Extraction) -> list[Flag]:
    flags: list[Flag] = []
    for o in ex.outcomes:
        arm = o.arm or o.regimen or ""
        if not _number_at(text, o.span, o.value, o.not_reached):
            flags.append(
                Flag(
                    "W205",
                    f"W205: number {text[o.span[0] : o.span[1]]!r} not found in the text at its span",
                    o.span,
                )
            )
        if o.statistic == "median" and o.ci_low is None and o.ci_high is None and not o.not_reached:
            flags.append(Flag("W201", f"W201: median for arm '{arm}' reported without CI", o.span))
        if o.ci_low is not None and o.ci_high is not None and o.ci_low > o.ci_high:
            flags.append(Flag("W208", f"W208: CI bounds reversed ({o.ci_low} > {o.ci_high})", o.span))
        if o.ci_low is not None and o.ci_low < 0:
            why = "an interval from a normal approximation"
            flags.append(Flag("W209", f"W209: CI lower bound {o.ci_low} below zero ({why})", o.span))
        if o.value is not None:
            lo_bad = o.ci_low is not None and o.value < o.ci_low
            hi_bad = o.ci_high is not None and o.value > o.ci_high
            if lo_bad or hi_bad:
                flags.append(
                    Flag(
                        "W202",
                        f"W202: CI [{o.ci_low}, {o.ci_high}] does not contain the median "
                        f"{o.value} ({o.endpoint}, arm '{arm}')",
                        o.span,
                    )
                )
        if o.statistic == "rate" and o.value is not None and not 0 <= o.value <= 100:
            flags.append(Flag("W206", f"W206: rate {o.value}% outside 0-100", o.span))
    for h in ex.hazard_ratios:
        if not _number_at(text, h.span, h.value, False):
            flags.append(
                Flag(
                    "W205",
                    f"W205: number {text[h.span[0] : h.span[1]]!r} not found in the text at its span",
                    h.span,
                )
            )
        if h.ci_low is not None and h.ci_high is not None and not h.ci_low <= h.value <= h.ci_high:
            flags.append(
                Flag(
                    "W203",
                    f"W203: hazard ratio {h.value} lies outside its CI [{h.ci_low}, {h.ci_high}]",
                    h.span,
                )
            )
        if h.comparison is None:
            flags.append(
                Flag(
                    "W207", f"W207: hazard ratio for {h.endpoint} without a comparison (arms unknown)", h.span
                )
            )
    medians: dict[tuple, dict[str, float]] = {}
    for o in ex.outcomes:
        if o.statistic == "median" and o.value_months is not None and o.subgroup is None:
            medians.setdefault((o.regimen, o.arm), {}).setdefault(o.endpoint, o.value_months)
    for (reg, arm), eps in medians.items():
        if "OS" in eps and "PFS" in eps and eps["OS"] < eps["PFS"]:
            flags.append(
                Flag(
                    "W204",
                    f"W204: median OS {eps['OS']} shorter than median PFS {eps['PFS']} in arm '{arm or reg}'",
                )
            )
    return flags
