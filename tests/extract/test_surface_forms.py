"""One sentence per surface form. Each test names the form in its docstring and asserts the
label, text and character offsets of what the pipeline found (spans index the input text)."""

from __future__ import annotations

import pytest

from evidencebot.extract import extract_abstract
from evidencebot.extract.pipeline import build_nlp, source_offsets


def spans(protocol, text, label):
    nlp = build_nlp(protocol)
    doc = nlp(text)
    return [
        (s.label_, s.text, *source_offsets(doc, s)) for s in doc.spans["evidencebot"] if s.label_ == label
    ]


def at(text, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def one(protocol, text, **expected):
    ex = extract_abstract(text, protocol)
    assert len(ex.outcomes) == 1, ex.outcomes
    o = ex.outcomes[0]
    for key, value in expected.items():
        assert getattr(o, key) == value, (key, getattr(o, key), value)
    return o


def test_respectively_endpoints(protocol):
    """median PFS and OS were 3.1 and 6.3 months, respectively"""
    t = "Median PFS and OS were 3.1 and 6.3 months, respectively."
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.unit) for o in ex.outcomes] == [
        ("PFS", 3.1, "months"),
        ("OS", 6.3, "months"),
    ]
    assert [o.span for o in ex.outcomes] == [at(t, "3.1"), at(t, "6.3")]
    assert spans(protocol, t, "OUTCOME") == [
        ("OUTCOME", "3.1", *at(t, "3.1")),
        ("OUTCOME", "6.3", *at(t, "6.3")),
    ]
    assert spans(protocol, t, "ENDPOINT") == [
        ("ENDPOINT", "PFS", *at(t, "PFS")),
        ("ENDPOINT", "OS", *at(t, "OS")),
    ]


def test_middle_dot_and_en_dash(protocol):
    """11·4 months (95% CI 9·1–13·2)"""
    t = "Median overall survival was 11·4 months (95% CI 9·1–13·2)."
    o = one(protocol, t, endpoint="OS", value=11.4, ci_level=0.95, ci_low=9.1, ci_high=13.2, unit="months")
    assert o.span == at(t, "11·4")
    assert spans(protocol, t, "CI") == [("CI", "95% CI 9·1–13·2", *at(t, "95% CI 9·1–13·2"))]


def test_confidence_interval_bracket_to(protocol):
    """(95% confidence interval [CI], 3.1 to 5.2)"""
    t = "Median PFS was 4.0 months (95% confidence interval [CI], 3.1 to 5.2)."
    one(protocol, t, endpoint="PFS", value=4.0, ci_low=3.1, ci_high=5.2, ci_level=0.95)


def test_ci_without_space_colon_hyphen(protocol):
    """95%CI:2.1-4.0"""
    t = "The median PFS was 2.8 m (95%CI:2.1-4.0)."
    o = one(protocol, t, endpoint="PFS", value=2.8, unit="months", ci_low=2.1, ci_high=4.0)
    assert t[o.span[0] : o.span[1]] == "2.8"


def test_not_reached_nr(protocol):
    """not reached (NR)"""
    t = "Median OS was not reached (NR) after 14 months of follow-up."
    o = one(protocol, t, endpoint="OS", not_reached=True, value=None)
    assert t[o.span[0] : o.span[1]] == "not reached"


def test_ci_upper_bound_not_estimable(protocol):
    """21·1 months (95% CI 14·8–not estimable)"""
    t = "Median overall survival was 21·1 months (95% CI 14·8–not estimable)."
    o = one(protocol, t, value=21.1, ci_low=14.8, ci_high=None)
    assert o.ci_high_not_reached


def test_weeks(protocol):
    """26 weeks, converted to months"""
    t = "Median overall survival was 26 weeks (95% CI 19–35)."
    o = one(protocol, t, unit="weeks", value=26.0)
    assert o.value_months == pytest.approx(26 * 7 / 30.4375, rel=1e-3)


def test_two_arm_versus_with_hazard_ratio(protocol):
    """7.1 vs 1.4 months; HR 0.56, 95% CI 0.39–0.81"""
    t = (
        "Patients were randomised to nal-IRI plus 5-FU/LV or 5-FU/LV alone. "
        "Median PFS was 7.1 vs 1.4 months; HR 0.56, 95% CI 0.39–0.81; P = .002."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.regimen, o.value) for o in ex.outcomes] == [("nal-IRI + 5-FU/LV", 7.1), ("5-FU/LV", 1.4)]
    (hr,) = ex.hazard_ratios
    assert (hr.endpoint, hr.value, hr.ci_low, hr.ci_high, hr.p_value) == ("PFS", 0.56, 0.39, 0.81, ".002")
    assert hr.comparison == "nal-IRI + 5-FU/LV vs 5-FU/LV"
    assert hr.span == at(t, "0.56")
    assert spans(protocol, t, "HR") == [("HR", "0.56", *at(t, "0.56"))]


def test_hazard_ratio_for_death(protocol):
    """hazard ratio for death, 0.69; 95% CI, 0.50 to 0.97"""
    t = "The hazard ratio for death, 0.69; 95% CI, 0.50 to 0.97, favoured chemotherapy."
    (hr,) = extract_abstract(t, protocol).hazard_ratios
    assert (hr.endpoint, hr.value, hr.ci_low, hr.ci_high) == ("OS", 0.69, 0.5, 0.97)


def test_arms_after_values(protocol):
    """6·2 months with ASC plus mFOLFOX and 5·3 months with ASC alone"""
    t = "Median OS was 6·2 months with ASC plus mFOLFOX and 5·3 months with ASC alone."
    ex = extract_abstract(t, protocol)
    assert [(o.arm, o.regimen, o.value) for o in ex.outcomes] == [
        ("ASC plus mFOLFOX", "FOLFOX", 6.2),
        ("ASC alone", "active symptom control", 5.3),
    ]


def test_arms_respectively(protocol):
    """median OS was 9.1 and 6.2 months in the FOLFIRI and FOLFOX groups, respectively"""
    t = "Median OS was 9.1 and 6.2 months in the FOLFIRI and FOLFOX groups, respectively."
    ex = extract_abstract(t, protocol)
    assert [(o.regimen, o.value) for o in ex.outcomes] == [("FOLFIRI", 9.1), ("FOLFOX", 6.2)]


def test_rate_not_median(protocol):
    """12-month OS rate 48%"""
    t = "The 12-month OS rate was 48% (95% CI 38–57)."
    o = one(protocol, t, statistic="rate", unit="percent", value=48.0, timepoint_months=12.0, ci_low=38.0)
    assert o.value_months is None


def test_subgroup(protocol):
    """in patients with FGFR2 fusions, median PFS ..."""
    t = "In patients with FGFR2 fusions, median PFS was 6.9 months (95% CI 6.2–9.6)."
    o = one(protocol, t, value=6.9)
    assert o.subgroup == "FGFR2 fusions"


@pytest.mark.parametrize(
    "text",
    [
        "The median age was 62 years (range 35–81).",
        "Oxaliplatin 85 mg/m2 was given every 2 weeks for a median of 6 cycles.",
        "After a median follow-up of 21·7 months, 40 patients had died.",
        "The median time from diagnosis to second-line treatment was 7.2 months.",
        "Median duration of treatment was 3.4 months (IQR 1.9–6.0).",
    ],
)
def test_distractors_are_not_survival(protocol, text):
    """ages, doses, cycles, follow-up, time since diagnosis, treatment duration"""
    assert extract_abstract(text, protocol).outcomes == []


def test_follow_up_then_median_in_one_sentence(protocol):
    """After a median follow-up of 12.1 months, median OS was 6.3 months"""
    t = "After a median follow-up of 12.1 months, median OS was 6.3 months."
    one(protocol, t, value=6.3, endpoint="OS")


def test_duration_of_response(protocol):
    """median duration of response was 7·5 months"""
    t = "Median duration of response was 7·5 months (95% CI 5·7–14·5)."
    one(protocol, t, endpoint="DoR", value=7.5)


def test_hr_bracket_ci_and_one_sided_p(protocol):
    """(HR, 0.79 [95% CI, 0.56-1.12]; 1-sided P = .09)"""
    t = "Median OS was 10.3 months vs 7.5 months (HR, 0.79 [95% CI, 0.56-1.12]; 1-sided P = .09)."
    (hr,) = extract_abstract(t, protocol).hazard_ratios
    assert (hr.value, hr.ci_low, hr.ci_high, hr.p_value) == (0.79, 0.56, 1.12, ".09")


def test_lower_case_endpoint_abbreviations(protocol):
    """'the median pfs and os were a and b months, respectively'; 'median os' is OS, not the
    endpoint carried from the sentence before"""
    t = (
        "The median pfs and os were 2.8 and 7.7 months, respectively. "
        "The median os of responders was 13.5 months."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.span) for o in ex.outcomes] == [
        ("PFS", 2.8, at(t, "2.8")),
        ("OS", 7.7, at(t, "7.7")),
        ("OS", 13.5, at(t, "13.5")),
    ]


def test_interval_glued_to_its_label_and_a_comparison_interval_after_a_pair(protocol):
    """'(95%CI-0.52-0.94' reads 0.52 (the hyphen separates, it is no minus sign); a CI after
    '; ' that does not hold the number before it is the comparison's, not that median's"""
    t = "The HR for death was 0.70 (95%CI-0.52-0.94; p=0.02)."
    assert [(h.value, h.ci_low, h.ci_high) for h in extract_abstract(t, protocol).hazard_ratios] == [
        (0.70, 0.52, 0.94)
    ]
    t = "Treatment prolonged progression-free survival (3.9 vs. 2.6 months; 95% CI: 0.41-0.72)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_low, o.ci_high, o.span) for o in ex.outcomes] == [
        (3.9, None, None, at(t, "3.9")),
        (2.6, None, None, at(t, "2.6")),
    ]


def test_forms_from_a_round_of_unseen_abstracts(protocol):
    """'[HR]-0.61, 95%-CI ...' (a dash after HR), 'the CISGEM arm', 'event free survival (EFS)'
    is no OS, 'haemoglobin decrease' and 'gamma-GTP increase' are their own events"""
    t = "PFS was improved (hazard ratio [HR]-0.61, 95%-CI 0.50–0.74, P < 0.0001)."
    assert [(h.value, h.ci_low, h.ci_high) for h in extract_abstract(t, protocol).hazard_ratios] == [
        (0.61, 0.50, 0.74)
    ]
    t = "Median PFS was 6.0 months in the mFOLFIRINOX arm and 7.1 months in the CISGEM arm."
    regimens = [o.regimen for o in extract_abstract(t, protocol).outcomes]
    assert regimens == ["FOLFIRINOX", "gemcitabine + cisplatin"]
    t = (
        "Median OS was 9.9 months; event free survival (EFS), a secondary endpoint, had a median of "
        "4.1 months."
    )
    assert [(o.endpoint, o.value) for o in extract_abstract(t, protocol).outcomes] == [("OS", 9.9)]
    t = (
        "Patients received gemcitabine. Grade 3-4 haemoglobin decrease (30.5%) and gamma-GTP "
        "increase (21.0%) occurred."
    )
    assert [(x.event, x.proportion) for x in extract_abstract(t, protocol).toxicities] == [
        ("anaemia", 0.305),
        ("increased GGT", 0.21),
    ]


def test_forms_from_a_second_unseen_round(protocol):
    """'(95% confidence interval [95% CI] 3.3-5.1)', the 'FTD–TPI group' with an en dash, and
    real-world times to discontinuation or next treatment (rwTTD, rwTNTD) are no OS"""
    t = "Median PFS was 4.2 months (95% confidence interval [95% CI] 3.3-5.1)."
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.value, o.ci_low, o.ci_high) for o in outcomes] == [(4.2, 3.3, 5.1)]
    t = "Median OS was 10.2 months with bevacizumab added and 7.1 months in the FTD\u2013TPI group."
    assert [o.regimen for o in extract_abstract(t, protocol).outcomes][-1] == "trifluridine + tipiracil"
    t = "Median rwTTD was 3.0 months; median rwTNTD was 7.2 months; the 12-month rwOS rate was 58.0%."
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.endpoint, o.statistic, o.value) for o in outcomes] == [("OS", "rate", 58.0)]


def test_numbered_endpoint_abbreviations_open_a_sentence(protocol):
    """'mOS3 was a months', 'OS2 was b months' (survival from the start of a later line): the
    sentence was passed over as holding no survival cue"""
    t = "mOS3 was 5.7 months (95%CI 4.6-6.8). OS2 was 8.3 months."
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.endpoint, o.value) for o in outcomes] == [("OS", 5.7), ("OS", 8.3)]


def test_section_label_glued_to_the_full_stop_before_it(protocol):
    """'... further study.Results: The median PFS was ...': the Results section starts at the
    label even without a space, so its numbers are not taken for background"""
    t = (
        "Background: Little is known. We asked whether it works.Methods: A single-arm series."
        "Results: Twenty patients were treated. The median progression-free survival was 4.4 months."
    )
    assert [(o.endpoint, o.value) for o in extract_abstract(t, protocol).outcomes] == [("PFS", 4.4)]


def test_unit_written_after_each_timepoint_of_a_rate_list(protocol):
    """'The 3-month and 6-month PFS rates were a% and b%' (each its own timepoint), but in
    '2.1 vs. 1.8 months, 9-month survival rate c%' the 2.1 months are no timepoint"""
    t = "PFS: 3-month and 6-month progression-free survival rates of 77.5% and 30.0%, respectively."
    rates = [(o.timepoint_months, o.value) for o in extract_abstract(t, protocol).outcomes]
    assert rates == [(3.0, 77.5), (6.0, 30.0)]
    t = (
        "For the XELIRI and IRI-arms, respectively, median PFS was 3.5 vs. 2.2 months, 9-month "
        "survival rate 58.0% vs. 30.1%."
    )
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.statistic, o.timepoint_months, o.value, o.regimen) for o in outcomes] == [
        ("median", None, 3.5, "CAPIRI"),
        ("median", None, 2.2, "irinotecan"),
        ("rate", 9.0, 58.0, "CAPIRI"),
        ("rate", 9.0, 30.1, "irinotecan"),
    ]


def test_a_lone_m_glued_to_a_decimal_and_time_to_definitive_deterioration(protocol):
    """'5.8m in the X group' is 5.8 months ('180 mg/m2' is no value); 'time to definitive
    deterioration of HRQOL (median, a months ...)' is no survival endpoint"""
    t = "The median PFS was 6.3m in the treatment group. Patients received 180 mg/m2 of irinotecan."
    assert [(o.value, o.unit) for o in extract_abstract(t, protocol).outcomes] == [(6.3, "months")]
    t = "Median OS was 9.0 months. Time to definitive deterioration of HRQOL was 30.2 months."
    assert [(o.endpoint, o.value) for o in extract_abstract(t, protocol).outcomes] == [("OS", 9.0)]


def test_times_of_other_kinds_before_a_sentences_first_endpoint(protocol):
    """'Median rwTTD was a months; median rwTNTD b months; the 12-month rwOS rate c%': the first
    two are times to discontinuation and to next treatment, also after a sentence that named OS;
    'the median time to worsening of the performance status was d months' is no PFS"""
    t = (
        "Real-world overall survival (rwOS) and times to discontinuation (rwTTD) and to next "
        "treatment (rwTNTD) were assessed. Median rwTTD was 2.9 months; median rwTNTD was 7.0 months; "
        "the 12-month rwOS rate was 57.5%. Median PFS was 4.0 months, and the median time to "
        "worsening of performance status was 8.8 months."
    )
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.endpoint, o.statistic, o.value) for o in outcomes] == [
        ("OS", "rate", 57.5),
        ("PFS", "median", 4.0),
    ]


def test_common_drug_shorthand_and_landmark_timepoints(protocol):
    """'for LEN and ... for SOR', 'the GnP group ... the Gem group': shorthand names its agents;
    'longer at landmarks of 12 and 18 months' names timepoints, not medians"""
    t = "Median OS was 20.1 months for LEN and 18.7 months for SOR."
    assert [o.regimen for o in extract_abstract(t, protocol).outcomes] == ["lenvatinib", "sorafenib"]
    t = "Median OS was longer in the GnP group than in the Gem group (11.8 vs. 8.9 months)."
    regimens = [o.regimen for o in extract_abstract(t, protocol).outcomes]
    assert regimens == ["gemcitabine + nab-paclitaxel", "gemcitabine"]
    t = "Median PFS was 8.1 months. PFS was longer in the first group at landmarks of 12 and 18 months."
    assert [o.value for o in extract_abstract(t, protocol).outcomes] == [8.1]
