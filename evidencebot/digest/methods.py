"""The digest's methods paragraph, generated from the pool settings the snapshot was made with
(the protocol's [pool] section) and from the caveats the analyses actually carry."""

from __future__ import annotations

import re
from collections import Counter

ESTIMATORS = {
    "REML": "restricted maximum likelihood (REML; Viechtbauer 2005)",
    "DL": "the DerSimonian–Laird method of moments (DerSimonian & Laird 1986)",
    "PM": "the Paule–Mandel estimator (Paule & Mandel 1982)",
    "SJ": "the Sidik–Jonkman estimator (Sidik & Jonkman 2005)",
    "HE": "the Hedges estimator (Hedges & Olkin 1985)",
    "FE": "none (common-effect model)",
}
CI_METHODS = {
    "knha": "the Hartung–Knapp–Sidik–Jonkman method (t distribution with k − 1 degrees of freedom)",
    "z": "Wald-type normal intervals",
}
# What each caveat code means for the methods section (codes from evidencebot.pool.effects).
APPROXIMATIONS = {
    "W301": "medians reported without a CI excluded",
    "W302": "SE of a median without a CI approximated from n (exponential model)",
    "W303": "zero-width CIs excluded (SE 0)",
    "W304": "one-sided SE where a CI lower bound was 0",
    "W305": "one-sided SE where a CI bound was not reached",
    "W306": "event counts reconstructed from a percentage and n",
    "W308": "CIs that do not contain their estimate excluded",
    "W313": "0.5 added to both cells of proportions with 0 or n events",
    "W314": "no prediction interval for k = 2",
}


def notes_used(analyses: list[dict]) -> Counter:
    """How many notes of each W-code the analyses carry."""
    codes: Counter = Counter()
    for a in analyses:
        for note in a.get("notes", []):
            for code in re.findall(r"\bW\d{3}\b", note):
                codes[code] += 1
    return codes


def methods_paragraph(settings: dict, analyses: list[dict], *, engine_version: str,
                      protocol_version: str, protocol_sha256: str) -> str:
    """One paragraph, plain text."""
    method = settings.get("method", "REML")
    fallback = settings.get("fallback_method", "DL")
    ci = settings.get("ci_method", "knha")
    median_scale = settings.get("median_scale", "log")
    transform = settings.get("proportion_transform", "logit")
    without_ci = settings.get("median_without_ci", "exclude")
    parts = [
        f"Estimates were pooled per regimen and endpoint with a random-effects model "
        f"(engine {engine_version}); between-study variance τ² by {ESTIMATORS.get(method, method)}"
        + (f", falling back to {ESTIMATORS.get(fallback, fallback)} when it did not converge"
           if method not in ("DL", "FE") else "")
        + f", 95% CIs by {CI_METHODS.get(ci, ci)}, 95% prediction intervals "
        "(estimate ± the CI's critical value × √(SE² + τ²), as metafor's predict()) for "
        "k ≥ 3, and Q-profile CIs for τ².",
        "Hazard ratios were pooled as log HR with SE = (ln U − ln L)/(2·z) from the reported CI "
        "at its stated level.",
        ("Median survival was pooled on the log scale with SE = (ln U − ln L)/(2·z)"
         if median_scale == "log" else
         "Median survival was pooled on the raw scale with SE = (U − L)/(2·z) (metamedian)")
        + ("; medians reported without a CI were excluded."
           if without_ci == "exclude" else
           "; medians without a CI entered with an SE approximated from n (flagged)."),
        ("Proportions (response, grade ≥ 3 toxicity) were pooled as logits (metafor PLO)."
         if transform == "logit" else
         "Proportions were pooled with the Freeman–Tukey double arcsine and back-transformed "
         "at the harmonic mean of n (Miller 1978)."),
        "The primary analysis uses every extracted number after precedence (reviewer-verified "
        "over seed over machine-extracted, then the most recent report of a study); the "
        "sensitivity analysis uses only verified and seed numbers. Retracted records leave "
        "both.",
    ]
    codes = notes_used([a for a in analyses if a.get("analysis") == "primary"])
    used = [f"{APPROXIMATIONS[c]} ({c}, {n}×)" for c, n in sorted(codes.items())
            if c in APPROXIMATIONS]
    fallbacks = sum(1 for a in analyses if a.get("analysis") == "primary"
                    and a.get("converged") is False)
    if fallbacks:
        used.append(f"the fallback estimator was used in {fallbacks} analyses (non-convergence)")
    parts.append("Approximations and exclusions in the current primary analyses: "
                 + ("; ".join(used) if used else "none") + ".")
    parts.append(f"Protocol version {protocol_version or 'unversioned'}"
                 + (f" (sha256 {protocol_sha256[:12]})" if protocol_sha256 else "") + ".")
    return " ".join(parts)
