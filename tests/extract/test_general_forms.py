"""Surface forms found while reading real abstracts, each in a sentence written by us: CI
notations, rates with the timepoint after the percentage, other time-to-event distractors and
arms named before a comparison. Values, arms and spans (offsets into the input) are asserted."""

from __future__ import annotations

from evidencebot.extract import extract_abstract
from evidencebot.extract.pipeline import build_nlp, source_offsets


def at(text, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def outcomes(protocol, text, title=""):
    ex = extract_abstract(text, protocol, title=title)
    return [
        (
            o.endpoint,
            o.statistic,
            o.value,
            o.unit,
            o.ci_level,
            o.ci_low,
            o.ci_high,
            o.timepoint_months,
            o.span,
        )
        for o in ex.outcomes
    ]


def outcome_spans(protocol, text):
    doc = build_nlp(protocol)(text)
    return [
        (s.label_, s.text, *source_offsets(doc, s)) for s in doc.spans["evidencebot"] if s.label_ == "OUTCOME"
    ]


def test_ci_level_in_words(protocol):
    """9.4 months (95 percent confidence interval [CI], 7.7-11.0): the level written as "percent" """
    t = "Median overall survival reached 9.4 months (95 percent confidence interval [CI], 7.7-11.0)."
    assert outcomes(protocol, t) == [("OS", "median", 9.4, "months", 0.95, 7.7, 11.0, None, at(t, "9.4"))]
    assert outcome_spans(protocol, t) == [("OUTCOME", "9.4", *at(t, "9.4"))]


def test_ci_after_semicolon(protocol):
    """5.2 months (95% Confidence Interval; 4.0–6.1): a semicolon between the CI label and bounds"""
    t = "Median time to progression was 5.2 months (95% Confidence Interval; 4.0–6.1)."
    assert outcomes(protocol, t) == [("TTP", "median", 5.2, "months", 0.95, 4.0, 6.1, None, at(t, "5.2"))]


def test_bare_interval_before_unit_after_confidence_interval(protocol):
    """7.3 (95% confidence interval: 6.0–9.9) months ... vs 4.6 (3.9–5.5) months: the words
    "confidence interval" are not another time measure that would hide the second value"""
    t = (
        "Median OS was 7.3 (95% confidence interval: 6.0–9.9) months with regorafenib "
        "vs 4.6 (3.9–5.5) months with placebo."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.unit, o.ci_low, o.ci_high, o.regimen, o.span) for o in ex.outcomes] == [
        (7.3, "months", 6.0, 9.9, "regorafenib", at(t, "7.3")),
        (4.6, "months", 3.9, 5.5, "placebo", at(t, "4.6")),
    ]


def test_rate_with_timepoint_after_percentage(protocol):
    """median OS 6.1 months, with survival rates of 52.0% at 6 months and 21.5% at 12 months"""
    t = "Median OS was 6.1 months, with survival rates of 52.0% at 6 months and 21.5% at 12 months."
    assert outcomes(protocol, t) == [
        ("OS", "median", 6.1, "months", None, None, None, None, at(t, "6.1")),
        ("OS", "rate", 52.0, "percent", None, None, None, 6.0, at(t, "52.0")),
        ("OS", "rate", 21.5, "percent", None, None, None, 12.0, at(t, "21.5")),
    ]


def test_percentage_at_timepoint_needs_a_rate_word(protocol):
    """median PFS 3.3 months; 41% at 6 months had a dose reduction: no rate without a rate word"""
    t = "Median PFS was 3.3 months and 41% at 6 months had a dose reduction."
    assert [(o.statistic, o.value) for o in extract_abstract(t, protocol).outcomes] == [("median", 3.3)]


def test_pain_free_survival_is_not_os(protocol):
    """median pain-free survival 9.0 months: another time-to-event measure, also not carried over"""
    t = "Median overall survival was 11.2 months. The median pain-free survival was 9.0 months."
    assert outcomes(protocol, t) == [("OS", "median", 11.2, "months", None, None, None, None, at(t, "11.2"))]


def test_gained_months_are_not_a_median(protocol):
    """median OS gained was 4 months: a gain, not a survival time"""
    t = "Median PFS was 2.9 months; in those treated further, the median OS gained was 4 months."
    assert [o.value for o in extract_abstract(t, protocol).outcomes] == [2.9]


def test_improved_from_to(protocol):
    """median OS improved from 4.4 months with placebo to 6.9 months with regorafenib"""
    t = "Median overall survival improved from 4.4 months with placebo to 6.9 months with regorafenib."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.span) for o in ex.outcomes] == [
        (4.4, "placebo", at(t, "4.4")),
        (6.9, "regorafenib", at(t, "6.9")),
    ]


def test_subject_arm_before_comparison(protocol):
    """The capecitabine group had a median OS of 8.8 months compared with 6.0 months in the placebo
    group: the first number belongs to the group named before the comparison"""
    t = "The capecitabine group had a median OS of 8.8 months compared with 6.0 months in the placebo group."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.span) for o in ex.outcomes] == [
        (8.8, "capecitabine", at(t, "8.8")),
        (6.0, "placebo", at(t, "6.0")),
    ]


def test_second_number_of_two_arm_comparison(protocol):
    """In a two-arm trial, "the S-1 group showed longer median PFS (4.1 vs 2.0 months)": the second
    number is the other arm's"""
    t = (
        "Patients were randomly assigned to S-1 (n = 40) or best supportive care (n = 41). "
        "The S-1 group showed a longer median PFS (4.1 months vs 2.0 months; HR 0.52)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.span) for o in ex.outcomes] == [
        (4.1, "S-1", at(t, "4.1")),
        (2.0, "active symptom control", at(t, "2.0")),  # the protocol family of BSC,
    ]


def test_from_to_rates_take_control_first(protocol):
    """ "raised 12-month survival from 9% to 24%" after an arm comparison: control first"""
    t = (
        "Median OS was 6.4 months with FOLFOX versus 5.0 months with active symptom control, "
        "and FOLFOX raised 12-month survival from 9% to 24%."
    )
    ex = extract_abstract(t, protocol)
    rates = [(o.value, o.regimen) for o in ex.outcomes if o.statistic == "rate"]
    assert rates == [(9.0, "active symptom control"), (24.0, "FOLFOX")]


def test_two_endpoints_each_with_abbreviation_respectively(protocol):
    """ "median time to progression (TTP) and overall survival (OS) were 3.1 months (...) and 7.9
    months (...), respectively": each endpoint restated by its abbreviation, still paired in order"""
    t = (
        "The median time to progression (TTP) and overall survival (OS) were 3.1 months "
        "(95% CI, 2.5-3.9) and 7.9 months (95% CI, 6.0-9.4), respectively."
    )
    assert outcomes(protocol, t) == [
        ("TTP", "median", 3.1, "months", 0.95, 2.5, 3.9, None, at(t, "3.1")),
        ("OS", "median", 7.9, "months", 0.95, 6.0, 9.4, None, at(t, "7.9")),
    ]
    assert outcome_spans(protocol, t) == [
        ("OUTCOME", "3.1", *at(t, "3.1")),
        ("OUTCOME", "7.9", *at(t, "7.9")),
    ]


def test_trifluridine_tipiracil_names(protocol):
    """TAS-102, FTD/TPI and trifluridine-tipiracil name one regimen (agents outside the protocol's
    dictionary), so a number next to them is not given to the placebo arm"""
    for name in ("TAS-102", "FTD/TPI", "trifluridine-tipiracil", "trifluridine/tipiracil"):
        t = f"Median overall survival rose from 4.9 months with placebo to 6.6 months with {name}."
        ex = extract_abstract(t, protocol)
        assert [(o.value, o.arm, o.regimen, o.span) for o in ex.outcomes] == [
            (4.9, "placebo", "placebo", at(t, "4.9")),
            (6.6, name, "trifluridine + tipiracil", at(t, "6.6")),
        ], name


def test_percent_sign_once_after_list_of_rates(protocol):
    """ "the 6- and 12-month survival rates were 61.5 and 24.0%": one % sign closes the list"""
    t = "The 6- and 12-month survival rates were 61.5 and 24.0%."
    assert outcomes(protocol, t) == [
        ("OS", "rate", 61.5, "percent", None, None, None, 6.0, at(t, "61.5")),
        ("OS", "rate", 24.0, "percent", None, None, None, 12.0, at(t, "24.0")),
    ]
    assert outcome_spans(protocol, t) == [
        ("OUTCOME", "61.5", *at(t, "61.5")),
        ("OUTCOME", "24.0", *at(t, "24.0")),
    ]


def test_percent_list_that_is_no_rate_stays_out(protocol):
    """ "responses were seen in 14 and 9%": a percent list without a survival word gives nothing"""
    t = "Objective responses were seen in 14 and 9% of the patients."
    assert outcomes(protocol, t) == []


def test_rate_phrase_after_the_percentage(protocol):
    """ "with a 41.2% 12-month OS rate": the timepoint and endpoint follow the percentage"""
    t = "Median OS was 10.4 months, with a 41.2% 12-month OS rate."
    assert outcomes(protocol, t) == [
        ("OS", "median", 10.4, "months", None, None, None, None, at(t, "10.4")),
        ("OS", "rate", 41.2, "percent", None, None, None, 12.0, at(t, "41.2")),
    ]


def test_arms_compared_at_head_of_sentence(protocol):
    """ "For regorafenib- versus placebo-treated patients, median OS was 7.9 versus 4.1 months,
    median PFS 2.8 versus 1.2 months": the arms named once, in order, before all numbers"""
    t = (
        "For regorafenib- versus placebo-treated patients, median OS was 7.9 versus 4.1 months "
        "(HR 0.51), and median PFS was 2.8 versus 1.2 months."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.arm, o.regimen, o.span) for o in ex.outcomes] == [
        ("OS", 7.9, "regorafenib", "regorafenib", at(t, "7.9")),
        ("OS", 4.1, "placebo", "placebo", at(t, "4.1")),
        ("PFS", 2.8, "regorafenib", "regorafenib", at(t, "2.8")),
        ("PFS", 1.2, "placebo", "placebo", at(t, "1.2")),
    ]


def test_two_cohorts_sized_in_turn_make_the_arms(protocol):
    """ "52 in the FOLFIRI group and 49 in the FOLFOX group" (no allocation words): the two
    cohorts are the arms, so "median PFS (3.4 months vs. 2.2 months)" gives the second number
    to the other cohort"""
    t = (
        "Results: Of 101 patients, 52 were in the FOLFIRI group and 49 in the FOLFOX group. "
        "The FOLFIRI group had a longer median PFS (3.4 months vs. 2.2 months; p=0.03)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.span) for o in ex.outcomes] == [
        (3.4, "FOLFIRI", at(t, "3.4")),
        (2.2, "FOLFOX", at(t, "2.2")),
    ]
