"""Consistency checks: stable warning codes."""

from __future__ import annotations

from evidencebot.extract import extract_abstract


def codes(protocol, text):
    return [f.code for f in extract_abstract(text, protocol).flags]


def test_w201_median_without_ci(protocol):
    assert "W201" in codes(protocol, "Median OS was 6.3 months.")


def test_w202_ci_not_containing_median(protocol):
    assert "W202" in codes(protocol, "Median OS was 6.3 months (95% CI 7.0-9.0).")


def test_w203_hr_outside_ci(protocol):
    assert "W203" in codes(protocol, "Median OS favoured the combination (HR 0.56; 95% CI 0.60-0.90).")


def test_w204_os_shorter_than_pfs(protocol):
    assert "W204" in codes(
        protocol, "Median PFS was 8.0 months (95% CI 6-9) and median OS was 5.0 months (95% CI 4-6)."
    )


def test_clean_extraction_has_no_flags(protocol):
    assert codes(protocol, "Median PFS was 3.1 months (95% CI 2.0-4.0).") == []


def test_w201_message_names_the_arm(protocol):
    ex = extract_abstract("Median OS was 6.2 months with FOLFOX.", protocol)
    assert [f.message for f in ex.flags] == ["W201: median for arm 'FOLFOX' reported without CI"]


def test_w209_negative_lower_bound_is_read_and_flagged(protocol):
    """'(95% CI -1.4 to 20.2)', also with a minus sign: the bound is kept as written, and flagged;
    '(95% CI, -7.1 to 8.2)' around 7.6 is a stray hyphen (the interval is centred on 7.1, not 0.5)"""
    for t in (
        "Median OS was 9.4 months (95% CI -1.4 to 20.2).",
        "Median OS was 9.4 months (95% CI: \u22121.4-20.2).",
    ):
        ex = extract_abstract(t, protocol)
        assert [(o.value, o.ci_low, o.ci_high) for o in ex.outcomes] == [(9.4, -1.4, 20.2)]
        assert [f.code for f in ex.flags] == ["W209"]
    t = "Median OS was 7.6 months (95% CI, -7.1 to 8.2)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_low, o.ci_high) for o in ex.outcomes] == [(7.6, 7.1, 8.2)]
    assert "W209" not in [f.code for f in ex.flags]
