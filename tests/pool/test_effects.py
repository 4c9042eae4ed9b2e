"""Effect sizes from reported numbers: the seed's real caveats, each handled explicitly."""

from __future__ import annotations

import math

import pytest

from evidencebot.pool.effects import (
    Effect,
    Excluded,
    back_transform,
    hazard_ratio_effect,
    median_effect,
    pft,
    proportion_effect,
    z_for_level,
)

from .tolerances import CLOSED_FORM_REL, close

Z95 = 1.959963984540054


@pytest.mark.parametrize("level,z", [(0.95, 1.959963984540054), (0.90, 1.6448536269514722),
                                     (0.80, 1.2815515655446004)])
def test_se_from_ci_at_any_level(level, z):
    e = hazard_ratio_effect(0.8, 0.6, 1.1, level)
    assert close(math.sqrt(e.vi), (math.log(1.1) - math.log(0.6)) / (2 * z), CLOSED_FORM_REL)
    assert z_for_level(level) == pytest.approx(z, rel=1e-15)


def test_ci_level_in_percent_is_refused():
    with pytest.raises(ValueError, match="0.95, not 95"):
        z_for_level(95)


def test_zero_width_ci_is_excluded_not_divided_by_zero():
    # Ueno-nivolumab PFS: 1.4 (1.4-1.4) as reported.
    e = median_effect(1.4, 1.4, 1.4, 0.95, 30)
    assert isinstance(e, Excluded) and e.code == "W303" and "SE 0" in e.reason


def test_lower_bound_zero_gives_one_sided_se_from_upper_on_log_scale():
    # Kang-pembrolizumab PFS: 1.5 (0.0-3.0).
    e = median_effect(1.5, 0.0, 3.0, 0.95, 40)
    assert isinstance(e, Effect)
    assert close(math.sqrt(e.vi), (math.log(3.0) - math.log(1.5)) / Z95, CLOSED_FORM_REL)
    assert e.notes[0].startswith("W304")
    raw = median_effect(1.5, 0.0, 3.0, 0.95, 40, scale="raw")
    assert close(math.sqrt(raw.vi), 3.0 / (2 * Z95), CLOSED_FORM_REL)  # 0 is a number on raw


def test_upper_bound_not_reached_gives_one_sided_se_from_lower():
    # Kim-nivolumab OS: 14.2 (5.98-NR). Raw scale = metamedian's se_median_survival_helper:
    # (est - lb) / qnorm(1 - alpha/2).
    log = median_effect(14.2, 5.98, None, 0.95, 54)
    raw = median_effect(14.2, 5.98, None, 0.95, 54, scale="raw")
    assert close(math.sqrt(log.vi), (math.log(14.2) - math.log(5.98)) / Z95, CLOSED_FORM_REL)
    assert close(math.sqrt(raw.vi), (14.2 - 5.98) / Z95, CLOSED_FORM_REL)
    assert log.notes[0].startswith("W305")
    flagged = median_effect(14.2, 5.98, 30.0, 0.95, 54, ci_high_not_reached=True)
    assert flagged.vi == log.vi


def test_median_without_ci_excluded_or_approximated():
    assert median_effect(6.2, None, None, None, 81).code == "W301"
    e = median_effect(6.2, None, None, None, 81, without_ci="approximate")
    assert e.approximated and e.notes[0].startswith("W302")
    assert close(e.vi, 1 / 81, CLOSED_FORM_REL)  # Var(ln m) = 1/d, d ~ n
    raw = median_effect(6.2, None, None, None, 81, scale="raw", without_ci="approximate")
    assert close(raw.vi, 6.2**2 / 81, CLOSED_FORM_REL)
    assert median_effect(6.2, None, None, None, None, without_ci="approximate").code == "W301"


def test_median_not_reached_and_inconsistent_ci_are_excluded():
    assert median_effect(None, 3.0, None, 0.95, 40, not_reached=True).code == "W310"
    assert median_effect(5.0, 5.5, 7.0, 0.95, 40).code == "W308"


def test_hazard_ratio_caveats():
    assert hazard_ratio_effect(0.7, None, None, None).code == "W312"
    assert hazard_ratio_effect(0.7, 0.0, 1.2, 0.95).code == "W304"
    assert hazard_ratio_effect(0.7, 0.7, 0.7, 0.95).code == "W303"


def test_proportions_logit_and_pft_match_escalc():
    # metafor escalc(PLO, xi=17, ni=88) and (PFT): recomputed by formula.
    e = proportion_effect(17, 88, None)
    assert close(e.yi, math.log(17 / 71), CLOSED_FORM_REL)
    assert close(e.vi, 1 / 17 + 1 / 71, CLOSED_FORM_REL)
    f = proportion_effect(17, 88, None, transform="PFT")
    assert close(f.yi, pft(17 / 88, 88), CLOSED_FORM_REL) and close(f.vi, 1 / 354, CLOSED_FORM_REL)
    # Back-transformations invert the transforms.
    assert close(back_transform(e.yi, "logit"), 17 / 88, CLOSED_FORM_REL)
    assert abs(back_transform(f.yi, "PFT", [88]) - 17 / 88) < 2e-3  # Miller's inverse is approximate


def test_zero_events_get_half_added_to_both_cells():
    e = proportion_effect(0, 24, None)
    assert close(e.yi, math.log(0.5 / 24.5), CLOSED_FORM_REL) and "W313" in e.notes[0]


def test_events_reconstructed_from_percent_are_flagged():
    # ABC-06 ORR: 5% of 81, events not given.
    e = proportion_effect(None, 81, 0.05)
    assert e.approximated and "round(0.05 x 81) = 4" in e.notes[0]
    assert proportion_effect(None, None, 0.05).code == "W309"
