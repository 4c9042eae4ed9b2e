"""Comparisons and rates as real abstracts write them: which arm a favoured or longer number
belongs to, survival proportions written as "N% of patients were alive at T", and numbers that
are thresholds or hypotheses rather than results. One sentence (or a short passage) each."""

from __future__ import annotations

from evidencebot.extract import extract_abstract


def at(text, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def arms(protocol, text, title=""):
    ex = extract_abstract(text, protocol, title=title)
    return [(o.endpoint, o.value, o.arm, o.regimen) for o in ex.outcomes]


def rates(protocol, text):
    ex = extract_abstract(text, protocol)
    return [(o.endpoint, o.statistic, o.timepoint_months, o.value, o.span) for o in ex.outcomes]


def test_favouring_names_the_arm_with_the_longer_median(protocol):
    """'5.9 vs 6.4 months favouring X over Y': X has the longer median, wherever it stands"""
    t = "Median overall survival was 5.9 vs. 6.4 months, favouring regorafenib over placebo."
    assert arms(protocol, t) == [
        ("OS", 5.9, "placebo", "placebo"),
        ("OS", 6.4, "regorafenib", "regorafenib"),
    ]


def test_subject_with_a_comparative_takes_the_longer_median(protocol):
    """'X gave a longer PFS (a vs b)' with the two arms set up earlier: b is the other arm"""
    t = (
        "We reviewed 52 patients treated with FOLFIRI and 47 patients treated with FOLFOX. "
        "FOLFOX gave a longer median PFS (2.1 months vs. 3.3 months), but OS was similar "
        "(6.0 vs. 6.2 months)."
    )
    got = arms(protocol, t)
    assert got[:2] == [("PFS", 2.1, "FOLFIRI", "FOLFIRI"), ("PFS", 3.3, "FOLFOX", "FOLFOX")]
    # the second clause has no comparative: its numbers keep the order of the first clause
    assert [(e, v) for e, v, _, _ in got[2:]] == [("OS", 6.0), ("OS", 6.2)]


def test_no_comparative_no_favoured_arm(protocol):
    """'in the X and Y arms, median PFS was 2.8 vs 2.9 months' says nothing about which is better"""
    t = "In the nivolumab and placebo arms, median PFS was 2.8 vs 2.9 months."
    assert arms(protocol, t) == [("PFS", 2.8, "nivolumab", "nivolumab"), ("PFS", 2.9, "placebo", "placebo")]


def test_alive_after_the_percentage_even_after_a_median(protocol):
    """'median OS was 6.0 months, and 49% of patients were alive at 6 months'"""
    t = "Median overall survival was 6.0 months, and 49% of patients were alive at 6 months."
    assert rates(protocol, t) == [
        ("OS", "median", None, 6.0, at(t, "6.0")),
        ("OS", "rate", 6.0, 49.0, at(t, "49")),
    ]


def test_timepoint_first_with_a_decimal_proportion(protocol):
    """'At 12 months, 22.7% of patients were alive': the decimal point does not end the sentence"""
    t = "At 12 months, 22.7% of patients were alive."
    assert rates(protocol, t) == [("OS", "rate", 12.0, 22.7, at(t, "22.7"))]


def test_result_after_a_met_boundary_is_kept(protocol):
    """'meeting the prespecified boundary, and the 6-month PFS rate was 27.9%' is a result"""
    t = "Median PFS was 3.4 months, meeting the prespecified boundary, and the 6-month PFS rate was 27.9%."
    got = [(e, s, v) for e, s, _, v, _ in rates(protocol, t)]
    assert got == [("PFS", "median", 3.4), ("PFS", "rate", 27.9)]


def test_threshold_is_not_a_result(protocol):
    """'... exceeding the predefined 25% threshold': 25% is the bar, not an outcome"""
    t = "The 6-month PFS rate was 39.3% (95% CI 24.0–54.6), exceeding the predefined 25% threshold."
    assert [(e, s, v) for e, s, _, v, _ in rates(protocol, t)] == [("PFS", "rate", 39.3)]


def test_drug_class_in_a_slash_regimen(protocol):
    """'gemcitabine/platinum, FOLFOX-4 and nab-paclitaxel ... respectively': platinum is an agent"""
    t = (
        "Median PFS reached 4.8, 4.1 and 2.6 months with gemcitabine/platinum, FOLFOX-4 and "
        "nab-paclitaxel, respectively."
    )
    got = arms(protocol, t)
    assert [(a, r) for _, _, a, r in got] == [
        ("gemcitabine/platinum", "gemcitabine + platinum"),
        ("FOLFOX", "FOLFOX"),
        ("nab-paclitaxel", "nab-paclitaxel"),
    ]


def test_cohort_groups_named_by_role(protocol):
    """'received X or physician's choice chemotherapy' sets up the arms; 'the combination group'
    and 'the chemotherapy group' later name them by role"""
    title = "Sintilimab plus anlotinib versus chemotherapy after gemcitabine failure: a cohort study"
    t = (
        "Patients who received sintilimab plus anlotinib or physician's choice chemotherapy as "
        "second-line treatment were compared. In the combination group, median PFS was 4.6 months; "
        "in the chemotherapy group, it was 2.7 months."
    )
    assert arms(protocol, t, title) == [
        ("PFS", 4.6, "combination group", "sintilimab + anlotinib"),
        ("PFS", 2.7, "chemotherapy group", "physician's choice chemotherapy"),
    ]


def test_value_then_versus_chemotherapy(protocol):
    """'9.1 months with X and 6.0 months with chemotherapy': the comparator is an arm too"""
    t = "Median OS came to 9.1 months with tislelizumab and to 6.0 months with chemotherapy (HR 0.74)."
    assert arms(protocol, t) == [
        ("OS", 9.1, "tislelizumab", "tislelizumab"),
        ("OS", 6.0, "chemotherapy", "chemotherapy"),
    ]


def test_not_reached_for_every_endpoint_named(protocol):
    """'median PFS and OS had not been reached when follow-up reached a median of 11 months'"""
    t = "Median PFS and median OS had not yet been reached after a median follow-up of 11 months."
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.not_reached, o.value) for o in ex.outcomes] == [
        ("PFS", True, None),
        ("OS", True, None),
    ]


def test_time_on_treatment_is_not_survival(protocol):
    """'Patients remained on treatment for a median of 3.0 months' after a survival sentence"""
    t = "Median OS was 9.9 months. Patients remained on treatment for a median of 3.0 months."
    assert [v for _, v, _, _ in arms(protocol, t)] == [9.9]
    t = "Median PFS was 4.4 months. Patients spent a median of 8 weeks on treatment."
    assert [v for _, v, _, _ in arms(protocol, t)] == [4.4]


def test_unitless_pair_after_median_and_pronoun_carry(protocol):
    """'median PFS was longer with X than with Y (4.6 vs 1.9; HR 0.52)' and 'In cohort B, it was ...':
    a compared pair without a unit, and an endpoint carried by 'it was' with the arms' own n"""
    t = (
        "Median PFS was longer with nal-IRI plus 5-FU/LV versus 5-FU/LV (4.6 vs 1.9; HR 0.52). "
        "In cohort A, median OS was 9.4 months with nal-IRI plus 5-FU/LV (n = 60) vs 5.8 months with "
        "5-FU/LV (n = 62). In cohort B, it was 4.9 months with nal-IRI plus 5-FU/LV (n = 44) vs 3.1 "
        "months with 5-FU/LV (n = 41)."
    )
    ex = extract_abstract(t, protocol)
    got = [(o.endpoint, o.value, o.unit, o.regimen, o.n) for o in ex.outcomes]
    assert got == [
        ("PFS", 4.6, "months", "nal-IRI + 5-FU/LV", 60),  # the arm sizes first given
        ("PFS", 1.9, "months", "5-FU/LV", 62),
        ("OS", 9.4, "months", "nal-IRI + 5-FU/LV", 60),
        ("OS", 5.8, "months", "5-FU/LV", 62),
        ("OS", 4.9, "months", "nal-IRI + 5-FU/LV", 44),
        ("OS", 3.1, "months", "5-FU/LV", 41),
    ]


def test_unitless_numbers_without_median_stay_out(protocol):
    """'PFS events (41 vs 37)' or 'OS (n = 34 vs 35)' are counts, not medians"""
    t = "There were more PFS events with placebo (41.0 vs 37.0) and OS follow-up was complete."
    assert extract_abstract(t, protocol).outcomes == []


def test_background_section_numbers_are_other_studies(protocol):
    """'Background: ... a median OS of 6.2 months' (another trial) is not this study's result;
    sections come one per line or inline"""
    for sep in ("\n", " "):
        t = (
            "Background: In an earlier phase 3 trial, oxaliplatin-based chemotherapy reached a median OS "
            f"of 6.2 months.{sep}Methods: Forty patients took FOLFIRI.{sep}"
            "Results: Median OS was 7.1 months (95% CI 5.0–9.2)."
        )
        assert [v for _, v, _, _ in arms(protocol, t)] == [7.1]


def test_block_per_arm_with_respectively(protocol):
    """'PFS and OS were 4.0 and 6.0 months vs 1.6 and 5.3 months with X and Y, respectively'"""
    t = (
        "Median PFS and OS were 4.0 and 6.0 months vs 1.6 and 5.3 months with FOLFOX and placebo, "
        "respectively."
    )
    assert arms(protocol, t) == [
        ("PFS", 4.0, "FOLFOX", "FOLFOX"),
        ("OS", 6.0, "FOLFOX", "FOLFOX"),
        ("PFS", 1.6, "placebo", "placebo"),
        ("OS", 5.3, "placebo", "placebo"),
    ]


def test_endpoint_list_then_arm_per_block(protocol):
    """'4.4 and 7.2 months, against 1.9 and 5.0 months for X': one arm per block"""
    t = (
        "The triplet yielded a median PFS and OS of 4.4 and 7.2 months compared with 1.9 and 5.0 "
        "months for FOLFIRI."
    )
    got = arms(protocol, t)
    assert [(e, v, a) for e, v, a, _ in got] == [
        ("PFS", 4.4, "triplet"),
        ("OS", 7.2, "triplet"),
        ("PFS", 1.9, "FOLFIRI"),
        ("OS", 5.0, "FOLFIRI"),
    ]
    t = (
        "Median PFS and OS were 3.9 and 6.6 months with FOLFOX vs 1.7 and 4.8 months with placebo, "
        "respectively."
    )
    assert [(e, a) for e, _, a, _ in arms(protocol, t)] == [
        ("PFS", "FOLFOX"),
        ("OS", "FOLFOX"),
        ("PFS", "placebo"),
        ("OS", "placebo"),
    ]


def test_inferior_arm_takes_the_shorter_median(protocol):
    """'survival was worse for those assigned to X (median 5.6 vs 8.7 mos)', after 'were given X or
    infusional Y' set up the arms"""
    t = (
        "Participants were given mFOLFOX6 or infusional 5FU/LV. Progression-free survival was similar "
        "(median 2.7 vs 2.6 mos). Overall survival was worse for those assigned to mFOLFOX6 "
        "(median 5.6 vs 8.7 mos)."
    )
    assert arms(protocol, t) == [
        ("PFS", 2.7, "mFOLFOX6", "FOLFOX"),
        ("PFS", 2.6, "5FU/LV", "5-FU/LV"),
        ("OS", 5.6, "mFOLFOX6", "FOLFOX"),
        ("OS", 8.7, "5FU/LV", "5-FU/LV"),
    ]


def test_shorthand_arms_listed_before_respectively(protocol):
    """'for the GEM-S-1, GEM and S-1 groups, median OS came to 12, 9 and 7 months, respectively'"""
    t = "For the GEM-S-1, GEM and S-1 groups, median OS came to 12, 9 and 7 months, respectively."
    assert [(a, r) for _, _, a, r in arms(protocol, t)] == [
        ("GEM-S-1", "gemcitabine + S-1"),
        ("GEM", "gemcitabine"),
        ("S-1", "S-1"),
    ]


def test_post_progression_survival_is_not_overall_survival(protocol):
    """'PPS tended to be longer ... (median 5.8 vs 4.5 months)' after an OS sentence"""
    t = (
        "Median OS was 5.3 months with nivolumab and 4.1 months with placebo. Post-progression "
        "survival (PPS) tended to be longer with nivolumab (median 5.8 vs 4.5 months)."
    )
    assert [v for _, v, _, _ in arms(protocol, t)] == [5.3, 4.1]


def test_rate_timepoint_written_away_from_the_numbers(protocol):
    """'OS rates were a% for X and b% for Y at 24 months', 'at 1 (a% vs b%) and 2 years (c% vs
    d%)', 'probabilities of survival were a% vs b% at 12 months ...'"""
    t = "The estimated OS rates stood at 21.4% for pembrolizumab and 13.2% for placebo at 24 months."
    assert [(s, tp, v, a) for _, s, tp, v, a in _rates_arms(protocol, t)] == [
        ("rate", 24.0, 21.4, "pembrolizumab"),
        ("rate", 24.0, 13.2, "placebo"),
    ]
    t = "OS rates favoured nivolumab over placebo at 1 (29.1% vs 12.4%) and 2 years (11.2% vs 4.0%)."
    assert [(tp, v) for _, _, tp, v, _ in _rates_arms(protocol, t)] == [
        (12.0, 29.1),
        (12.0, 12.4),
        (24.0, 11.2),
        (24.0, 4.0),
    ]
    t = (
        "Survival probabilities reached 41.0% vs 33.5% at 12 months and 20.2% vs 14.8% at 24 months "
        "in the aflibercept and placebo arms, respectively."
    )
    assert [(tp, v, a) for _, _, tp, v, a in _rates_arms(protocol, t)] == [
        (12.0, 41.0, "aflibercept"),
        (12.0, 33.5, "placebo"),
        (24.0, 20.2, "aflibercept"),
        (24.0, 14.8, "placebo"),
    ]


def test_rate_with_the_endpoint_of_the_previous_sentence(protocol):
    """'Median PFS was ... The rate at 6 months was 34.0% (95% CI = 23.5%–44.6%) vs 12.2%'"""
    t = (
        "Median PFS was 4.5 months with nal-IRI plus 5-FU/LV vs 1.8 months with 5-FU/LV. "
        "Their rate at 6 months was 34.0% (95% CI = 23.5%–44.6%) against 12.2% (95% CI = 5.1%–19.3%)."
    )
    got = [(e, s, tp, v) for e, s, tp, v, _ in _rates_arms(protocol, t)]
    assert got[2:] == [("PFS", "rate", 6.0, 34.0), ("PFS", "rate", 6.0, 12.2)]
    ex = extract_abstract(t, protocol)
    assert (ex.outcomes[2].ci_low, ex.outcomes[2].ci_high) == (23.5, 44.6)


def test_follow_up_time_is_not_a_rate_timepoint(protocol):
    """'at a median follow-up of 12 months, the survival rate ... 40%': two times, no timepoint"""
    t = "After a median follow-up of 12 months and at 24 months, the survival rate was 40%."
    assert [tp for _, _, tp, _, _ in _rates_arms(protocol, t)] in ([], [24.0])


def _rates_arms(protocol, text):
    ex = extract_abstract(text, protocol)
    return [(o.endpoint, o.statistic, o.timepoint_months, o.value, o.arm) for o in ex.outcomes]


def test_groups_named_by_kind_of_treatment(protocol):
    """'combination chemotherapy (n = 41) and single agent chemotherapy (n = 9) ... respectively'"""
    t = (
        "For those given combination chemotherapy (n = 41) and single agent chemotherapy (n = 9), "
        "median OS was 33 and 21.5 weeks, respectively."
    )
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [
        (33.0, "combination chemotherapy"),
        (21.5, "single agent chemotherapy"),
    ]


def test_unit_in_a_header_and_history_is_not_an_arm(protocol):
    """'Median OS (months [95% CI]) for X versus Y was a (..) versus b (..) among patients with
    prior bevacizumab': unit from the header, 'prior bevacizumab' is not an arm"""
    t = (
        "Median overall survival (OS, months [95% CI]) for aflibercept versus placebo came to 13.1 "
        "(11.2-14.9) versus 11.0 (9.6-12.7) in patients with prior bevacizumab exposure."
    )
    ex = extract_abstract(t, protocol)
    got = [(o.value, o.unit, o.ci_low, o.ci_high, o.arm, o.subgroup) for o in ex.outcomes]
    assert got == [
        (13.1, "months", 11.2, 14.9, "aflibercept", None),
        (11.0, "months", 9.6, 12.7, "placebo", "prior bevacizumab exposure"),
    ]


def test_arm_named_by_one_agent_of_an_acronym(protocol):
    """FOLFIRI vs mFOLFOX6, then 'the irinotecan arm' / 'the oxaliplatin arm'; XELIRI vs irinotecan,
    then 'the doublet group'"""
    t = (
        "Patients were randomised to FOLFIRI or mFOLFOX6. Median PFS was 2.9 months in the irinotecan "
        "arm and 2.6 months in the oxaliplatin arm."
    )
    assert [r for _, _, _, r in arms(protocol, t)] == ["FOLFIRI", "FOLFOX"]
    t = "Patients were randomised to XELIRI or irinotecan. Median OS was 34 weeks in the doublet group."
    assert [r for _, _, _, r in arms(protocol, t)] == ["CAPIRI"]


def test_numbered_arms_listed_with_respectively(protocol):
    """'40.8%, 32.0% and 14.6% in arms 1, 2 and 3, respectively'"""
    t = "The 6-month PFS rates were 40.8%, 32.0% and 14.6% in arms 1, 2 and 3, respectively."
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [(40.8, "arm 1"), (32.0, "arm 2"), (14.6, "arm 3")]


def test_endpoints_carried_to_a_second_block(protocol):
    """'...; in those without, the values were 3.4 and 7.4 months' and ', against 3.5 and 8.0 months'"""
    t = (
        "In patients with prior durvalumab, median PFS was 2.9 months and median OS 7.6 months; in "
        "those without, the values were 3.4 months and 7.4 months, respectively."
    )
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [
        ("PFS", 2.9),
        ("OS", 7.6),
        ("PFS", 3.4),
        ("OS", 7.4),
    ]
    t = (
        "Median PFS was 5.6 months and median OS 12.1 months in intrahepatic tumours, against 3.5 and "
        "8.0 months for extrahepatic tumours."
    )
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [
        ("PFS", 5.6),
        ("OS", 12.1),
        ("PFS", 3.5),
        ("OS", 8.0),
    ]


def test_typographic_hyphens_and_respectively_before_the_arm(protocol):
    """'S‑1' with a non-breaking hyphen is S-1; 'a and b%, respectively, in the X group'"""
    t = "In the S\u20111 group, the 6\u2011 and 12\u2011month OS rates came to 71.2 and 40.5%, respectively."
    t = "The 6\u2011 and 12\u2011month OS rates came to 71.2 and 40.5%, respectively, in the S\u20111 group."
    ex = extract_abstract(t, protocol)
    got = [(o.timepoint_months, o.value, o.regimen) for o in ex.outcomes]
    assert got == [(6.0, 71.2, "S-1"), (12.0, 40.5, "S-1")]
    assert [t[a:b] for a, b in (o.span for o in ex.outcomes)] == ["71.2", "40.5"]


def test_compared_pair_after_at_and_progression_free_state(protocol):
    """'did not differ, at 7.8 vs 7.1 months favouring X'; 'At 6 months, 27.3% of patients in the
    X group were free of progression' is a 6-month PFS rate"""
    t = (
        "Patients were randomised to regorafenib or placebo. Overall survival did not differ, at 7.8 vs "
        "7.1 months favouring regorafenib. At 6 months, 27.3% of patients in the regorafenib group were "
        "free of progression."
    )
    ex = extract_abstract(t, protocol)
    got = [(o.endpoint, o.statistic, o.timepoint_months, o.value, o.regimen) for o in ex.outcomes]
    assert got == [
        ("OS", "median", None, 7.8, "regorafenib"),
        ("OS", "median", None, 7.1, "placebo"),
        ("PFS", "rate", 6.0, 27.3, "regorafenib"),
    ]


def test_drug_class_with_an_article_in_a_combination(protocol):
    """'OS was 11.0 months with lenvatinib plus a PD-1 inhibitor and 8.2 months with chemotherapy'"""
    t = "OS was 11.0 months with lenvatinib plus a PD-1 inhibitor and 8.2 months with chemotherapy."
    assert [(v, r) for _, v, _, r in arms(protocol, t)] == [
        (11.0, "lenvatinib + pd-1 inhibitor"),
        (8.2, "chemotherapy"),
    ]


def test_ci_written_with_unit_echoes_and_after_the_arm(protocol):
    """'(95% confidence interval, CI, a to b m)', 'a months (m) (95% CI ...)', 'b m for arm B
    (95% CI, c to dm)', '(95% CI, c months to not available)'"""
    cases = [
        ("Median PFS reached 3.3 months (95% confidence interval, CI, 2.2 to 4.6 m).", (3.3, 2.2, 4.6, "")),
        ("Median PFS reached 3.3 months (m) (95% CI, 2.2 to 4.6 m).", (3.3, 2.2, 4.6, "")),
        ("Median OS reached 9.2 months (95% CI, 6.8 months to not available).", (9.2, 6.8, None, "")),
    ]
    for t, want in cases:
        ex = extract_abstract(t, protocol)
        assert [(o.value, o.ci_low, o.ci_high, o.arm) for o in ex.outcomes] == [want]
    t = "Median OS reached 8.8 months for arm A and 11.4 m for arm B (95% CI, 9.9 to 12.8m; p = 0.21)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_low, o.ci_high, o.arm) for o in ex.outcomes] == [
        (8.8, None, None, "arm A"),
        (11.4, 9.9, 12.8, "arm B"),
    ]


def test_percent_written_as_a_word_with_a_worded_ci(protocol):
    """'a percent with a 95 percent confidence interval of b to c percent for the X arm'"""
    t = (
        "At 12 months, the OS rate stood at 41.5 percent with a 95 percent confidence interval of 33.0 "
        "to 50.1 percent for the ramucirumab arm and at 27.7 percent for the placebo arm."
    )
    ex = extract_abstract(t, protocol)
    got = [(o.statistic, o.timepoint_months, o.value, o.ci_low, o.ci_high, o.regimen) for o in ex.outcomes]
    assert got == [
        ("rate", 12.0, 41.5, 33.0, 50.1, "ramucirumab"),
        ("rate", 12.0, 27.7, None, None, "placebo"),
    ]


def test_not_evaluable_is_not_not_reached(protocol):
    """'median PFS was 6.7 months, not reached and not evaluable in cohorts 1, 2 and 3': NE is
    no value at all; NR stays"""
    t = "Median PFS was 6.7 months, not reached and not evaluable in cohorts 1, 2 and 3, respectively."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.not_reached) for o in ex.outcomes] == [(6.7, False), (None, True)]


def test_non_endpoint_time_keeps_its_place_in_a_list(protocol):
    """'time to treatment failure, PFS and OS: a, b and c months': a is not PFS"""
    t = (
        "Median time to treatment failure, progression-free survival and overall survival came to 3.2 "
        "months, 4.7 months and 8.5 months, respectively."
    )
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("PFS", 4.7), ("OS", 8.5)]


def test_rate_named_by_its_timepoint_after_a_median(protocol):
    """'Median OS was a months, with an estimated 1-year rate of b% (95% CI = c%–d%)'"""
    t = (
        "Median overall survival reached 12.2 months (95% CI = 7.4–16.0 months), and the estimated "
        "1-year rate was 52% (95% CI = 36%–66%)."
    )
    ex = extract_abstract(t, protocol)
    got = [(o.statistic, o.timepoint_months, o.value, o.ci_low, o.ci_high) for o in ex.outcomes]
    assert got == [("median", None, 12.2, 7.4, 16.0), ("rate", 12.0, 52.0, 36.0, 66.0)]


def test_arm_after_a_ci_holding_its_p_value(protocol):
    """'a months (95% CI,b–c, p = 0.03) in the Gemox group'"""
    t = (
        "PFS medians were 8.7 months (95% CI, 6.1–11.0) in the mFOLFIRINOX group versus 5.9 months "
        "(95% CI,4.0–7.7, p = 0.03) in the Gemox group."
    )
    assert [(v, r) for _, v, _, r in arms(protocol, t)] == [
        (8.7, "FOLFIRINOX"),
        (5.9, "gemcitabine + oxaliplatin"),
    ]


def test_methods_section_holds_no_results(protocol):
    """'Methods: ... the 4-month PFS rate; a rate of 30% was considered uninteresting' is design"""
    t = (
        "Methods: The primary endpoint was the 4-month progression-free survival (PFS) rate; 25 patients "
        "were needed to distinguish 60% from 35%.\nResults: The 4-month progression-free survival (PFS) "
        "rate was 52% (95% CI 31–72)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.statistic, o.timepoint_months, o.value, o.ci_low) for o in ex.outcomes] == [
        ("rate", 4.0, 52.0, 31.0)
    ]


def test_hypothesised_rates_in_an_unstructured_abstract(protocol):
    """'... were needed to distinguish a 6-month PFS rate of 60% from 35%' names no result"""
    t = "In all, 25 patients were needed to distinguish a 6-month PFS rate of 60% from 35%."
    assert extract_abstract(t, protocol).outcomes == []


def test_named_subset_of_a_one_regimen_study_keeps_the_regimen(protocol):
    """'In the second-line group mPFS was 3.4 mo' in a nal-IRI study: regimen nal-IRI + 5-FU/LV"""
    title = "Liposomal irinotecan with fluorouracil and leucovorin in biliary tract cancer: a cohort study"
    t = "In the second-line group mPFS was 3.4 mo and mOS 8.0 mo."
    ex = extract_abstract(t, protocol, title=title)
    assert [(o.endpoint, o.value, o.arm, o.regimen) for o in ex.outcomes] == [
        ("PFS", 3.4, "second-line group", "nal-IRI + 5-FU/LV"),
        ("OS", 8.0, "second-line group", "nal-IRI + 5-FU/LV"),
    ]


def test_gain_words_block_differences_not_compared_medians(protocol):
    """'no benefit from X (a versus b months)' and 'a modest improvement in median OS of a vs b
    months' name medians; 'an improvement in median OS of 2.1 months' is a difference"""
    t = "Median OS again showed no gain from nal-IRI (5.9 versus 7.0 months)."
    assert [v for _, v, _, _ in arms(protocol, t)] == [5.9, 7.0]
    t = "We saw a modest improvement in median OS of 8.3 vs. 7.4 months favouring TAS-102."
    assert [v for _, v, _, _ in arms(protocol, t)] == [8.3, 7.4]
    for t in ("There was an improvement in median OS of 2.1 months.", "Median OS improved by 2.1 months."):
        assert arms(protocol, t) == []


def test_slashed_pairs_and_endpoints_after_the_numbers(protocol):
    """'Median PFS/OS were 3.1/6.3 months'; '3.1 months and 6.3 months for PFS and OS, respectively'"""
    for t in (
        "Median PFS/OS were 3.1/6.3 months.",
        "The medians were 3.1 months and 6.3 months for PFS and OS, respectively.",
    ):
        assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("PFS", 3.1), ("OS", 6.3)]


def test_n_of_subgroups_and_of_groups_named_in_words(protocol):
    """'In patients with FGFR2 fusions (n = 17), median PFS was 6.9 months'; 'combination chemotherapy
    (n = 125) ... 3.2 months with combination chemotherapy'"""
    t = "All 58 took pemigatinib. In patients with FGFR2 fusions (n = 17), median PFS was 6.9 months."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.subgroup, o.n) for o in ex.outcomes] == [(6.9, "FGFR2 fusions", 17)]
    t = (
        "Of 196 patients, 125 received combination chemotherapy (n = 125) and monotherapy (n = 71) was "
        "given to the rest. Median PFS was 3.2 months with combination chemotherapy and 2.7 months "
        "with monotherapy."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.n) for o in ex.outcomes] == [(3.2, 125), (2.7, 71)]


def test_numbers_after_a_comparison_repeat_the_endpoints(protocol):
    """'mPFS was 3.4 mo and mOS 8.0 mo, compared with 2.2 mo and 5.6 mo when ...'"""
    t = "Overall mPFS was 3.4 mo and mOS 8.0 mo, compared with 2.2 mo and 5.6 mo in older patients."
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [
        ("PFS", 3.4),
        ("OS", 8.0),
        ("PFS", 2.2),
        ("OS", 5.6),
    ]


def test_time_to_progression_with_an_arm_and_abbreviated_parts(protocol):
    """'Time to progression with OFF (a months ...)' names the OFF arm, not a prior treatment;
    'X plus best supportive care (BSC)' is one arm"""
    t = "Time to progression with OFF (3.4 months; 95% CI, 2.6 to 4.1) exceeded that with FF."
    assert arms(protocol, t)[0] == ("TTP", 3.4, "OFF", "FOLFOX")
    t = "With ramucirumab plus best supportive care (BSC), median OS reached 7.9 months."
    assert [r for _, _, _, r in arms(protocol, t)] == ["ramucirumab"]


def test_five_fluorouracil_is_an_agent(protocol):
    """'a months in the 5-fluorouracil group vs. b months in the gemcitabine group'"""
    t = "Median PFS reached 2.2 months in the 5-fluorouracil group vs. 3.9 months in the gemcitabine group."
    assert [r for _, _, _, r in arms(protocol, t)] == ["5-fluorouracil", "gemcitabine"]


def test_with_and_without_subgroups_and_alone_before_respectively(protocol):
    """'11.3 and 7.6 months in patients with and without FGFR2 fusions'; '... for X+Y and X alone,
    respectively'"""
    t = "Median OS was 11.3 months and 7.6 months in patients with and without FGFR2 fusions."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.subgroup) for o in ex.outcomes] == [
        (11.3, "FGFR2 fusions"),
        (7.6, "without FGFR2 fusions"),
    ]
    t = "OS was 6.2 months vs. 5.3 months for ASC+mFOLFOX and ASC alone, respectively."
    assert [(a, r) for _, _, a, r in arms(protocol, t)] == [
        ("ASC+mFOLFOX", "FOLFOX"),
        ("ASC alone", "active symptom control"),
    ]


def test_history_ends_where_the_study_treatment_starts(protocol):
    """'Patients progressing after gemcitabine received FOLFOX': FOLFOX is the study's regimen;
    'progression-free survival after DEBIRI' names the treatment, not a history"""
    t = "Patients progressing after gemcitabine received FOLFOX. Median OS was 6.2 months."
    assert [r for _, _, _, r in arms(protocol, t)] == ["FOLFOX"]
    t = "Median progression-free survival after DEBIRI was 3.9 months (95% CI 2.8–5.0)."
    assert [(a, v) for _, v, a, _ in arms(protocol, t)] == [("DEBIRI", 3.9)]


def test_regimen_lists_and_based_chemotherapy_groups(protocol):
    """'For the CF, CG and FOLFIRINOX groups, median OS came to a, b,and c weeks, respectively';
    'X-based chemotherapy group and Y-based chemotherapy group: a vs. b weeks'"""
    t = "For the CF, CG, and FOLFIRINOX groups, median OS came to 19, 30,and 25.5 weeks, respectively."
    assert [(v, r) for _, v, _, r in arms(protocol, t)] == [
        (19.0, "cisplatin + fluorouracil"),
        (30.0, "gemcitabine + cisplatin"),
        (25.5, "FOLFIRINOX"),
    ]
    t = (
        "Second-line PFS in the fluoropyrimidine-based chemotherapy group and gemcitabine-based "
        "chemotherapy group was 11 vs. 15 weeks."
    )
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [
        (11.0, "fluoropyrimidine-based chemotherapy group"),
        (15.0, "gemcitabine-based chemotherapy group"),
    ]
    t = "Gemcitabine, cisplatin and nab-paclitaxel gave a median OS of 19.2 months."
    assert [r for _, _, _, r in arms(protocol, t)] == ["gemcitabine + cisplatin + nab-paclitaxel"]


def test_ranges_inside_a_list_and_numbered_endpoints(protocol):
    """'a (range, ..) and b (range, ..) months, respectively'; 'median OS2 was a months'; 'of all
    patients enrolled' is no time"""
    t = (
        "Median time to progression and overall survival came to 5.1 (range, 2.9–9.0) and 12 "
        "(range, 10.2–15.3) months, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.unit, o.ci_low) for o in ex.outcomes] == [
        ("TTP", 5.1, "months", None),
        ("OS", 12.0, "months", None),
    ]
    assert [v for _, v, _, _ in arms(protocol, "Median OS2 reached 6.1 months (95% CI = 5.3–6.9).")] == [6.1]
    t = "Median progression-free survival of all patients enrolled reached 3.0 months."
    assert [v for _, v, _, _ in arms(protocol, t)] == [3.0]
    assert [v for _, v, _, _ in arms(protocol, "Median OS from enrolment was 7.1 months.")] == [7.1]


def test_survival_listed_after_another_endpoint_and_arms_named_as_cohorts(protocol):
    """'time to progression and survival after S-1 came to a and b months, respectively';
    '... in GC cohort and b months in GO cohort' (arms, not subgroups); 'TTF2' is not survival;
    'confidence interval {CI}'"""
    t = "Median time to progression and survival after S-1 came to 4.8 months and 17 months, respectively."
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("TTP", 4.8), ("OS", 17.0)]
    t = "Median OS reached 9.15 months in GC cohort and 8.40 months in GO cohort."
    ex = extract_abstract(t, protocol)
    assert [(o.regimen, o.subgroup) for o in ex.outcomes] == [
        ("gemcitabine + cisplatin", None),
        ("gemcitabine + oxaliplatin", None),
    ]
    t = "Median OS2 reached 6.3 months and median TTF2 reached 2.2 months (1.9–2.6)."
    assert [v for _, v, _, _ in arms(protocol, t)] == [6.3]
    t = "Median OS reached 21.7 months [95% confidence interval {CI}: 15.0 to not reached]."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_low, o.ci_high) for o in ex.outcomes] == [(21.7, 15.0, None)]


def test_a_change_in_percent_is_not_a_rate(protocol):
    """'... an annual percent change of a% (b–c)'"""
    t = "The 12-month survival rate climbed to 37.9%, an annual percent change of 9.8% (1.2–17.5)."
    assert [v for _, v, _, _ in arms(protocol, t)] == [37.9]


def test_treatment_named_as_time_origin_is_not_an_arm(protocol):
    """'Median OS counted from GemCis initiation: a and b months in the observation and maintenance
    groups, respectively'"""
    t = (
        "Median OS from the GemCis initiation came to 18.9 months and 24.0 months in the observation and "
        "maintenance groups, respectively."
    )
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [
        (18.9, "observation"),
        (24.0, "maintenance group"),
    ]


def test_more_real_comparison_forms(protocol):
    """'a clear improvement for PFS in the X group (a vs. b months)'; 'longer with X than with
    standard care (median, a vs. b months)'; 'in N patients allocated to the X group'; 'the overall
    and progression-free survival estimates were ...'; 'N-month rwOS rate'"""
    title = "Sorafenib vs. lenvatinib after first-line immunotherapy"
    t = "PFS showed a clear improvement in the lenvatinib group (4.2 vs. 2.0 months, P=0.004)."
    assert [(v, r) for _, v, _, r in arms(protocol, t, title)] == [(4.2, "lenvatinib"), (2.0, "sorafenib")]
    t = "PFS lasted longer with mFOLFOX6 than with standard care (median, 11.1 vs. 6.4 months)."
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [(11.1, "mFOLFOX6"), (6.4, "standard care")]
    t = (
        "Median OS came to 10.5 months in 97 patients allocated to the paclitaxel group and 7.7 months in "
        "102 patients allocated to the irinotecan group."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.regimen, o.n, o.subgroup) for o in ex.outcomes] == [
        ("paclitaxel", 97, None),
        ("irinotecan", 102, None),
    ]
    t = "Our overall and progression-free survival estimates were 7.15 and 2.90 months, respectively."
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("OS", 7.15), ("PFS", 2.9)]
    assert [(s, tp) for _, s, tp, _, _ in _rates_arms(protocol, "The 6-month rwOS rate reached 70.2%.")] == [
        ("rate", 6.0)
    ]


def test_number_written_against_its_unit(protocol):
    """'Median OS was 6.41months (95% CI 5.02-7.88)' (text extracted from PDFs loses the space)"""
    t = "Median OS reached 6.41months (95% CI 5.02-7.88) and median PFS reached 2.03months."
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.unit, o.ci_low, t[o.span[0] : o.span[1]]) for o in ex.outcomes] == [
        ("OS", 6.41, "months", 5.02, "6.41"),
        ("PFS", 2.03, "months", None, "2.03"),
    ]


def test_one_compared_pair_per_endpoint(protocol):
    """'median PFS and OS came to a versus b months (P) and c versus d months (P), respectively'
    after 'took TAS-102 or regorafenib'"""
    t = (
        "Patients took TAS-102 or regorafenib. Median PFS and OS came to 3.2 versus 2.4 months "
        "(P = 0.01) and 8.6 versus 6.1 months (P = 0.03), respectively."
    )
    assert [(e, v, a) for e, v, a, _ in arms(protocol, t)] == [
        ("PFS", 3.2, "TAS-102"),
        ("PFS", 2.4, "regorafenib"),
        ("OS", 8.6, "TAS-102"),
        ("OS", 6.1, "regorafenib"),
    ]


def test_endpoint_lists_with_words_between(protocol):
    """'median survival time and time to progression: a and b months, respectively'; 'time to
    progression after S-1 treatment and survival after S-1 treatment came to ...'"""
    t = "Median survival time and time to progression came to 9.3 months and 3.8 months, respectively."
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("OS", 9.3), ("TTP", 3.8)]
    t = (
        "Median time to progression after S-1 treatment and survival after S-1 treatment came to 4.4 "
        "months and 14 months, respectively."
    )
    assert [(e, v) for e, v, _, _ in arms(protocol, t)] == [("TTP", 4.4), ("OS", 14.0)]


def test_groups_named_in_parentheses_with_respectively(protocol):
    """'X (single group), X plus Y (double group) or X plus Y plus Z (triple group) lived a median of
    a, b and c months, respectively'"""
    t = (
        "Those given chemotherapy alone (single group), chemotherapy plus lenvatinib (double group) or "
        "chemotherapy with lenvatinib and a PD-1 inhibitor (triple group) had median OS of 11.0 months, "
        "17.6 months, and 30.2 months, respectively."
    )
    assert [a for _, _, a, _ in arms(protocol, t)] == ["single group", "double group", "triple group"]


def test_agents_spelled_out_take_the_acronym(protocol):
    """'oxaliplatin plus 5-FU/LV' is FOLFOX; 'irinotecan and fluorouracil with leucovorin' FOLFIRI"""
    for t, want in (
        ("Patients received oxaliplatin plus 5-FU/LV; median OS was 6.1 months.", "FOLFOX"),
        (
            "Patients received irinotecan and fluorouracil with leucovorin; median OS was 6.1 months.",
            "FOLFIRI",
        ),
        (
            "Patients received gemcitabine plus cisplatin; median OS was 11.7 months.",
            "gemcitabine + cisplatin",
        ),
    ):
        assert [r for _, _, _, r in arms(protocol, t)] == [want]


def test_the_other_arm_named_after_the_compared_numbers(protocol):
    """'X had a longer median PFS (a vs b months, p = ..) compared with Y': b is Y's"""
    t = "The FOLFIRI group had a longer median PFS (4.2 m vs. 2.6 m, p = 0.02) compared with the FOLFOX arm."
    assert arms(protocol, t) == [
        ("PFS", 4.2, "FOLFIRI group", "FOLFIRI"),
        ("PFS", 2.6, "FOLFOX arm", "FOLFOX"),
    ]


def test_arms_named_after_the_numbers_with_between(protocol):
    """'(a vs. b, P = ..) between patients treated with X and those treated with Y'"""
    t = (
        "Median OS did not differ (9.4 vs. 8.0 months, P = 0.41) between patients treated with FOLFIRI "
        "and those treated with FOLFOX."
    )
    assert arms(protocol, t) == [("OS", 9.4, "FOLFIRI", "FOLFIRI"), ("OS", 8.0, "FOLFOX", "FOLFOX")]
    t = "Two-year OS rates were alike (44.0% vs. 38.5%, P = 0.30) between patients given S-1 or observation."
    assert arms(protocol, t) == [("OS", 44.0, "S-1", "S-1"), ("OS", 38.5, "observation", "observation")]


def test_the_entire_patient_cohort_is_no_arm(protocol):
    t = "In the entire patient cohort, median OS was 14.2 months."
    assert arms(protocol, t) == [("OS", 14.2, "", None)]


def test_arms_named_in_order_after_the_compared_numbers(protocol):
    """'a vs b months (HR ...) for Y and X' names the arms in the numbers' order, even against
    the order of the design ('randomly assigned to X or Y'); 'X and placebo' is two arms"""
    t = (
        "In all, 96 patients were randomly assigned to cabozantinib or placebo. Median PFS was "
        "1.9 months vs. 3.4 months (HR 0.71, 95% CI 0.48-1.05; p=0.08) for placebo and cabozantinib."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen, o.span) for o in ex.outcomes] == [
        (1.9, "placebo", "placebo", at(t, "1.9")),
        (3.4, "cabozantinib", "cabozantinib", at(t, "3.4")),
    ]


def test_arms_after_the_numbers_as_patients_treated_with(protocol):
    """'a vs b months in patients treated with X or Y': the first arm is not also the second's"""
    t = "Median PFS was 3.3 vs 2.2 months in patients treated with FOLFIRI or FOLFOX."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen) for o in ex.outcomes] == [
        (3.3, "FOLFIRI", "FOLFIRI"),
        (2.2, "FOLFOX", "FOLFOX"),
    ]


def test_chemotherapy_named_by_its_line_faces_supportive_care(protocol):
    """'for patients receiving second-line chemotherapy and ... for those receiving best
    supportive care alone': the chemotherapy numbers are not best supportive care's"""
    t = (
        "Of 104 patients, 61 received second-line chemotherapy and 43 received best supportive care. "
        "Median OS was 7.2 months (95% CI 5.9-8.5) for patients receiving second-line chemotherapy "
        "and 3.1 months (95% CI 2.4-3.8) for those receiving best supportive care alone."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen, o.n) for o in ex.outcomes] == [
        (7.2, "second-line chemotherapy", "second-line chemotherapy", 61),
        (3.1, "best supportive care alone", "active symptom control", 43),
    ]


def test_favoured_arm_then_than_those_managed_with_the_other(protocol):
    """'Patients who received X had longer OS than those managed with Y (a vs b months)'"""
    t = (
        "Patients who received palliative chemotherapy had longer OS than those managed with BSC "
        "alone (8.1 vs 3.3 months, p<0.001)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen) for o in ex.outcomes] == [
        (8.1, "palliative chemotherapy", "palliative chemotherapy"),
        (3.3, "BSC", "active symptom control"),
    ]


def test_compared_with_y_comma_x_improved(protocol):
    """'Compared with Y, X improved PFS (median a vs b months)': a is X's, though Y is named first"""
    t = "Compared with capecitabine, XELOX significantly improved PFS (median 4.9 vs 3.0 months; P = 0.02)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen) for o in ex.outcomes] == [(4.9, "XELOX"), (3.0, "capecitabine")]


def test_two_arms_set_against_each_other_with_than(protocol):
    """'longer in the X arm than in the Y arm (a vs b)', 'the median OS of the X group was
    shorter than that of the Y group (a vs b)': a is X's, b is Y's"""
    t = "The median PFS was longer in the FOLFIRINOX arm than in the gemcitabine arm (5.9 vs. 3.1 months)."
    assert [(o.value, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (5.9, "FOLFIRINOX"),
        (3.1, "gemcitabine"),
    ]
    t = "The median OS of the FOLFOX group was shorter than that of the FOLFIRI group (4.8 vs 7.9 months)."
    assert [(o.value, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (4.8, "FOLFOX"),
        (7.9, "FOLFIRI"),
    ]


def test_probability_of_surviving_beyond_a_timepoint_is_a_rate(protocol):
    """'surviving beyond 12 months': the 12-month OS rate"""
    t = "The chance of surviving beyond 12 months was 41%."
    assert rates(protocol, t) == [("OS", "rate", 12.0, 41.0, at(t, "41"))]


def test_rates_at_timepoints_then_the_other_arms_rates_in_the_same_order(protocol):
    """'In the X group, OS was a% (CI) at 6 months and b% (CI) at 12 months, against c% (CI) and
    d% (CI) in the Y group': no 'rate' word, and the second arm's rates take the same timepoints"""
    title = "Second-line irinotecan versus best supportive care in biliary tract cancer"
    t = (
        "In the BSC group, OS was 31.0% (95% CI 21.2-41.3) at 6 months and 9.8% (4.1-18.0) at 12 "
        "months, against 47.5% (36.0-58.1) and 22.3% (14.0-31.9) in the irinotecan group."
    )
    ex = extract_abstract(t, protocol, title=title)
    assert [(o.timepoint_months, o.value, o.ci_low, o.regimen) for o in ex.outcomes] == [
        (6.0, 31.0, 21.2, "active symptom control"),
        (12.0, 9.8, 4.1, "active symptom control"),
        (6.0, 47.5, 36.0, "irinotecan"),
        (12.0, 22.3, 14.0, "irinotecan"),
    ]


def test_unit_written_once_for_two_arms(protocol):
    """'a months (CI) in the X group and b (CI) in the Y group' and 'X a vs Y b months': the
    number without a unit takes the other's, so it is not lost"""
    t = (
        "Patients received FOLFOX or FOLFIRI. mOS was 5.0 months (95% CI: 4.1-5.9) in the FOLFOX "
        "group and 6.6 (95% CI: 5.0-8.2) in the FOLFIRI group."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.unit, o.ci_low, o.regimen) for o in ex.outcomes] == [
        (5.0, "months", 4.1, "FOLFOX"),
        (6.6, "months", 5.0, "FOLFIRI"),
    ]
    t = "Patients received FOLFOX or FOLFIRI. Median OS: FOLFOX 6.4 vs FOLFIRI 5.6 months (p=0.62)."
    assert [(o.value, o.unit, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (6.4, "months", "FOLFOX"),
        (5.6, "months", "FOLFIRI"),
    ]


def test_line_named_chemotherapy_and_bsc_groups_after_the_numbers(protocol):
    """'a (CI) versus b months (CI) in the second-line chemotherapy and BSC groups'"""
    t = (
        "Median OS was 7.1 months (95% CI: 6.0-8.2) versus 4.0 months (95% CI: 3.1-4.9) in the "
        "second-line chemotherapy and BSC groups (p<0.001)."
    )
    assert [(o.value, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (7.1, "second-line chemotherapy"),
        (4.0, "active symptom control"),
    ]


def test_hazard_ratio_compares_the_sentence_arms_without_a_design(protocol):
    """no allocation sentence or title: the hazard ratio compares the two arms its sentence
    names, the added agent or the one after 'Compared with' being the comparator's opposite"""
    t = "Compared with capecitabine, XELOX improved PFS (median 4.1 vs 2.9 months; HR 0.70; 95% CI 0.5-1.0)."
    comparisons = [h.comparison for h in extract_abstract(t, protocol).hazard_ratios]
    assert comparisons == ["XELOX vs capecitabine"]
    t = "Median OS was 4.0 mo with 5-FU/LV and 5.9 mo with nal-IRI/5-FU/LV (HR 0.60; 95% CI, 0.41-0.88)."
    comparisons = [h.comparison for h in extract_abstract(t, protocol).hazard_ratios]
    assert comparisons == ["nal-IRI + 5-FU/LV vs 5-FU/LV"]


def test_standard_chemotherapy_as_the_comparator(protocol):
    """'a months for the triple regimen compared to b months for standard chemotherapy': the
    comparator is an arm of its own, not the agent named elsewhere; 'refractory to standard
    chemotherapy' is a history, no arm"""
    t = "Median PFS was 5.5 months for the triple regimen compared to 2.2 months for standard chemotherapy."
    assert [(v, a) for _, v, a, _ in arms(protocol, t)] == [
        (5.5, "triple regimen"),
        (2.2, "standard chemotherapy"),
    ]
    t = "Patients refractory to standard chemotherapy received regorafenib. Median OS was 6.3 months."
    assert [r for _, _, _, r in arms(protocol, t)] == ["regorafenib"]


def test_favoured_arm_after_a_clause_that_names_both_arms_first(protocol):
    """'With follow-up of c months for X and d months for Y, patients given X had superior PFS
    (PFS) and OS (OS) than those given Y (median PFS a vs. b months; and median OS e vs. f)'"""
    t = (
        "With a median follow-up of 10.2 for atezolizumab-bevacizumab and 18.0 months for the "
        "lenvatinib groups, patients given atezolizumab-bevacizumab had superior progression-free "
        "survival (PFS) and overall survival (OS) than those given lenvatinib (median PFS 6.0 vs. "
        "4.4 months; and median OS 17.0 vs. 10.9 months)."
    )
    assert [(o.value, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (6.0, "atezolizumab + bevacizumab"),
        (4.4, "lenvatinib"),
        (17.0, "atezolizumab + bevacizumab"),
        (10.9, "lenvatinib"),
    ]


def test_a_bare_without_names_the_other_arm(protocol):
    """'a months (CI) with X versus b months (CI) without': b is not X's"""
    t = (
        "The median PFS was 10.4 months (95% CI, 7.0 to 13.8) with trastuzumab versus 3.0 months "
        "(95% CI, 2.5 to 3.5) without."
    )
    assert [(o.value, o.arm, o.regimen) for o in extract_abstract(t, protocol).outcomes] == [
        (10.4, "trastuzumab", "trastuzumab"),
        (3.0, "without trastuzumab", None),
    ]
