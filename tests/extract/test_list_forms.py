"""Numbers in lists as retrospective and real-world reports write them: a spread after the
median ("± SD"), one value for several endpoints ("each"), subgroup labels that carry a number
("ECOG 1"), and endpoint lists that also name response rates. Sentences written by us."""

from __future__ import annotations

from evidencebot.extract import extract_abstract


def values(protocol, text):
    ex = extract_abstract(text, protocol)
    return [(o.endpoint, o.value, o.unit, o.ci_low, o.ci_high) for o in ex.outcomes]


def test_a_spread_after_the_median_is_part_of_it(protocol):
    """'18.4 ± 3.1 months', '18.4+/-3.1 months': the unit comes after the spread, which is no CI"""
    for spread in ("\u00b1 3.1", "+/-3.1", "+/- 3.1", "\u00b13.1"):
        t = f"The median overall survival was 18.4 {spread} months."
        assert values(protocol, t) == [("OS", 18.4, "months", None, None)], spread
    t = "Median OS was 22.6+/-1.9 months and 13.0+/-2.2 months, respectively, in the two cohorts."
    assert [v[:3] for v in values(protocol, t)] == [("OS", 22.6, "months"), ("OS", 13.0, "months")]


def test_each_gives_one_value_to_every_endpoint_named(protocol):
    t = "In the whole group, median PFS and time to progression were 7.2 months each."
    assert values(protocol, t) == [("PFS", 7.2, "months", None, None), ("TTP", 7.2, "months", None, None)]


def test_a_label_with_a_number_is_not_a_value(protocol):
    """'(ECOG 0, 9.1 months; ECOG 1, 5.2 months)': 0 and 1 name the subgroups"""
    t = "Median OS differed by ECOG score (ECOG 0, 9.1 months; ECOG 1, 5.2 months; ECOG 2, 2.4 months)."
    assert [v[1] for v in values(protocol, t)] == [9.1, 5.2, 2.4]
    t = "Median PFS was 3.3 months in cohort 2 and 4.8 months in cohort 3."
    assert [v[1] for v in values(protocol, t)] == [3.3, 4.8]


def test_response_rates_listed_with_the_endpoints_keep_their_place(protocol):
    """'for A versus B, the ORR (...), the DCR (...), PFS and OS were a% vs b%, c% vs d%, e vs f months and
    g vs h months, respectively': the two pairs with a unit are PFS and OS, in that order"""
    t = (
        "For FOLFIRI versus FOLFOX, the ORR (objective response rate), the DCR (disease control rate), "
        "PFS and OS were 11.0% vs. 14.5% (P = 0.40), 47.1% vs. 52.0% (P = 0.51), 2.9 months vs. 3.4 "
        "months (P = 0.62), and 6.6 months vs. 7.7 months (P = 0.35), respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.regimen) for o in ex.outcomes] == [
        ("PFS", 2.9, "FOLFIRI"),
        ("PFS", 3.4, "FOLFOX"),
        ("OS", 6.6, "FOLFIRI"),
        ("OS", 7.7, "FOLFOX"),
    ]


def test_arms_named_at_the_head_of_a_respectively_sentence(protocol):
    """'For the X (n = ..) and Y (n = ..) arms, the rates were a% and b%, and the medians c and d
    months, respectively': each pair follows the order of the arms at the head"""
    t = (
        "For the FOLFIRI (n = 38) and S-1 (n = 36) arms, the 1-year survival was 44.0% and 30.5%, and the "
        "median survival times were 10.4 and 7.9 months, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen) for o in ex.outcomes] == [
        (44.0, "FOLFIRI"),
        (30.5, "S-1"),
        (10.4, "FOLFIRI"),
        (7.9, "S-1"),
    ]


def test_age_bands_are_subgroups_one_per_number(protocol):
    """'for patients <50 and \u226550 years was a and b months': subgroup numbers, never the whole
    population's, and each number takes its band in order"""
    t = (
        "Median PFS for patients <50 and \u226550 years was 4.4 and 5.1 months (P = 0.30), and OS was 9.9 "
        "and 11.2 months, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.subgroup) for o in ex.outcomes] == [
        ("PFS", 4.4, "<50 years"),
        ("PFS", 5.1, "\u226550 years"),
        ("OS", 9.9, "<50 years"),
        ("OS", 11.2, "\u226550 years"),
    ]
    t = "Among patients aged 75 years or older, median OS was 7.3 months."
    assert [o.subgroup for o in extract_abstract(t, protocol).outcomes] == ["75 years or older"]


def test_a_lettered_arm_carries_to_the_next_sentence(protocol):
    """'Cohort B had an ORR of 25%. Median OS was 9.8 months': the sentence before named the arm;
    a sentence about the whole population does not take it"""
    t = (
        "In all, 40 patients entered cohort A and 38 entered cohort B. Cohort A had an ORR of 30.0% "
        "(12/40). The median OS was 13.1 months (95% CI 10.2-16.0). Cohort B had an ORR of 25.0% "
        "(10/38). Median OS was 9.8 months (95% CI 7.7-12.5) and median PFS was 4.1 months. "
        "Overall, median OS was 11.0 months."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.arm) for o in ex.outcomes] == [
        ("OS", 13.1, "Cohort A"),
        ("OS", 9.8, "Cohort B"),
        ("PFS", 4.1, "Cohort B"),
        ("OS", 11.0, ""),
    ]


def test_plural_times_to_progression(protocol):
    t = "The median times to progression in the two cohorts were 3.7 and 4.6 months, respectively."
    assert [v[:2] for v in values(protocol, t)] == [("TTP", 3.7), ("TTP", 4.6)]


def test_a_subgroup_does_not_leak_into_the_next_abstract(protocol):
    """The rule set is shared by all abstracts: a sentence at the same offsets in the next
    abstract must not see the previous abstract's subgroup"""
    first = "Among patients with FGFR2 fusions, median PFS was 7.0 months."
    second = "Across all the patients in this tr median PFS was 7.0 months."
    assert len(first) == len(second)
    assert [o.subgroup for o in extract_abstract(first, protocol).outcomes] == ["FGFR2 fusions"]
    assert [o.subgroup for o in extract_abstract(second, protocol).outcomes] == [None]


def test_age_group_names_are_not_ages_and_give_subgroups(protocol):
    """'in the elderly group' names a compared age group (a subgroup of a one-regimen cohort):
    its numbers are read, not taken for ages, and the group is the subgroup, not an arm"""
    t = "Median OS was 9.9 months in the elderly group and 12.0 months in the younger group (P = 0.21)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.subgroup) for o in ex.outcomes] == [
        (9.9, "", "elderly group"),
        (12.0, "", "younger group"),
    ]
    t = "In patients older than 70 years, median OS was 7.7 months."
    assert [o.value for o in extract_abstract(t, protocol).outcomes] == [7.7]


def test_survived_names_overall_survival(protocol):
    t = "Patients with a normal albumin survived significantly longer (11.0 vs. 6.1 months, P < 0.001)."
    assert [v[:3] for v in values(protocol, t)] == [("OS", 11.0, "months"), ("OS", 6.1, "months")]


def test_a_rate_at_year_n(protocol):
    t = "Overall survival was 35.0% at year 3 and 21.4% at year 5."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.statistic, o.timepoint_months) for o in ex.outcomes] == [
        (35.0, "rate", 36.0),
        (21.4, "rate", 60.0),
    ]


def test_a_values_own_range_is_no_other_time(protocol):
    """'9.2 months (range: 1.0-24.9 months), ... which was 2.3 months': 'range' in the first
    value's parenthesis is that value's spread, not a time the second value could belong to"""
    t = (
        "The median survival of the FOLFIRI group was 8.8 months (range: 1.1-22.0 months), compared "
        "with that of the FOLFOX group, which was 6.0 months (range: 0.9-19.5 months)."
    )
    assert [(o.value, o.ci_low) for o in extract_abstract(t, protocol).outcomes] == [(8.8, None), (6.0, None)]


def test_a_list_of_medians_after_no_difference_in(protocol):
    """'no difference in median PFS (5.1, 5.9, 6.2 months ...) for arms A, B and C, respectively':
    a list of medians, not a difference between them ('an improvement in median OS of 2.1
    months' stays a difference)"""
    t = (
        "There was no difference in median PFS (5.1, 5.9, 6.2 months, P = 0.80) for arms A, B and C, "
        "respectively."
    )
    assert [(o.value, o.arm) for o in extract_abstract(t, protocol).outcomes] == [
        (5.1, "arm A"),
        (5.9, "arm B"),
        (6.2, "arm C"),
    ]
    assert values(protocol, "The combination gave an improvement in median OS of 2.1 months.") == []


def test_a_ci_after_a_one_word_arm(protocol):
    t = (
        "Median OS was 12.2 months with FOLFOX (95% CI, 10.1 to 14.0) and 10.9 months with FOLFIRI "
        "(95% CI, 8.8 to 13.1)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.ci_low, o.ci_high) for o in ex.outcomes] == [
        (12.2, "FOLFOX", 10.1, 14.0),
        (10.9, "FOLFIRI", 8.8, 13.1),
    ]


def test_a_rate_with_its_timepoint_in_parentheses(protocol):
    t = "Overall survival rates were 61.0% (6 mo) and 35.5% (12 mo)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.statistic, o.timepoint_months) for o in ex.outcomes] == [
        (61.0, "rate", 6.0),
        (35.5, "rate", 12.0),
    ]


def test_rates_named_without_their_endpoint_take_the_one_just_named(protocol):
    """'Median OS was a vs b months. Rates at 12 and 24 months were c% vs d% and e% vs f%,
    respectively': OS rates, one timepoint per compared pair"""
    t = (
        "Median OS was 13.0 months with FOLFIRINOX vs 10.2 months with FOLFOX (HR 0.80). Rates at 12 "
        "and 24 months were 52.1% vs 43.0% and 22.5% vs 15.8%, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.statistic, o.timepoint_months, o.regimen) for o in ex.outcomes[2:]] == [
        (52.1, "rate", 12.0, "FOLFIRINOX"),
        (43.0, "rate", 12.0, "FOLFOX"),
        (22.5, "rate", 24.0, "FOLFIRINOX"),
        (15.8, "rate", 24.0, "FOLFOX"),
    ]
    assert {o.endpoint for o in ex.outcomes} == {"OS"}


def test_rates_whose_timepoints_follow_the_pairs(protocol):
    """'The survival rate was a% in the X group versus b% in the Y group at 1 year, and c% versus
    d% at 2 years': each pair takes the first timepoint written after it"""
    t = (
        "The survival rate was 41% in the FOLFIRI group versus 30% in the FOLFOX group at 1 year, "
        "and 12% versus 7% at 2 years."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.timepoint_months, o.regimen) for o in ex.outcomes] == [
        (41.0, 12.0, "FOLFIRI"),
        (30.0, 12.0, "FOLFOX"),
        (12.0, 24.0, "FOLFIRI"),
        (7.0, 24.0, "FOLFOX"),
    ]


def test_short_labels_before_values_are_their_subgroups(protocol):
    """'(ECOG 0, 9.1 months; ECOG 1, 5.2 months)', '(GBC: 7.9 months; ECC: 15.0 months)': each
    value's own subgroup, not the whole population's; an arm or a statistic is no such label"""
    t = "Median OS differed by ECOG score (ECOG 0, 9.1 months; ECOG 1, 5.2 months; ECOG 2, 2.4 months)."
    assert [(o.value, o.subgroup) for o in extract_abstract(t, protocol).outcomes] == [
        (9.1, "ECOG 0"),
        (5.2, "ECOG 1"),
        (2.4, "ECOG 2"),
    ]
    t = "Median OS by site (GBC: 7.9 months; 95% CI, 5.0-10.8; ECC: 15.0 months; 95% CI, 11.1-18.9)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.subgroup) for o in ex.outcomes] == [(7.9, "GBC"), (15.0, "ECC")]
    t = "Median OS was 9.0 months (FOLFOX, 9.4 months; FOLFIRI, 8.1 months)."
    assert all(o.subgroup is None for o in extract_abstract(t, protocol).outcomes)


def test_three_landmark_rates_listed_with_a_comma_and(protocol):
    t = (
        "Median OS was 12.9 months with FOLFIRI vs 10.1 months with FOLFOX (HR 0.81). Estimated rates at "
        "6, 12, and 24 months were 70.1% vs 64.0%, 51.2% vs 40.3%, and 20.6% vs 14.4%, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.timepoint_months, o.regimen) for o in ex.outcomes[2:]] == [
        (70.1, 6.0, "FOLFIRI"),
        (64.0, 6.0, "FOLFOX"),
        (51.2, 12.0, "FOLFIRI"),
        (40.3, 12.0, "FOLFOX"),
        (20.6, 24.0, "FOLFIRI"),
        (14.4, 24.0, "FOLFOX"),
    ]


def test_a_treatment_history_is_no_arm(protocol):
    """'in gemcitabine-naive and gemcitabine-pretreated patients, respectively': two subgroups of
    the study's own regimen, not gemcitabine arms"""
    t = (
        "Patients received pembrolizumab. Median OS was 14.0 months (95% CI 10.2-17.9) and 9.3 months "
        "(95% CI 7.0-11.8) in gemcitabine-naive and gemcitabine-pretreated patients, respectively."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.subgroup) for o in ex.outcomes] == [
        (14.0, "pembrolizumab", "gemcitabine-naive"),
        (9.3, "pembrolizumab", "gemcitabine-pretreated"),
    ]


def test_a_ci_label_gives_its_level_to_the_bare_intervals(protocol):
    """'Median PFS (80% CI) was 5.9 (5.1-6.6) months': an 80% interval, not a 95% one"""
    t = "Median PFS (80% CI) was 5.9 (5.1-6.6) months with FOLFIRI and 5.2 (4.6-5.8) months with FOLFOX."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_level, o.ci_low, o.ci_high) for o in ex.outcomes] == [
        (5.9, 0.8, 5.1, 6.6),
        (5.2, 0.8, 4.6, 5.8),
    ]


def test_a_subgroup_compared_with_those_without(protocol):
    """'longer in patients with X than in those without X (a vs. b months)': a response subgroup,
    whose word 'response' is no time of its own"""
    t = "OS was longer in patients with a CEA response than in those without a CEA response (10.9 vs 6.0 mo)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.subgroup) for o in ex.outcomes] == [
        (10.9, "a CEA response"),
        (6.0, "without a CEA response"),
    ]


def test_performance_status_subgroups_and_their_numbers(protocol):
    """'of patients with ECOG 0-1 ... versus b months for ECOG 2', 'with a PS of 0 or 1 and c
    months in those with PS 2': subgroup numbers (never the whole population's), each its own
    subgroup, and the scores 0 and 1 are no survival values"""
    t = "The median PFS of patients with ECOG 0-1 was 3.8 months versus 1.6 months for ECOG 2 (p=0.02)."
    assert [(o.value, o.subgroup) for o in extract_abstract(t, protocol).outcomes] == [
        (3.8, "ECOG 0-1"),
        (1.6, "ECOG 2"),
    ]
    t = "Median OS was 7.7 months in patients with a PS of 0 or 1 and 2.6 months in those with PS 2."
    assert [(o.value, o.subgroup) for o in extract_abstract(t, protocol).outcomes] == [
        (7.7, "PS of 0 or 1"),
        (2.6, "PS 2"),
    ]


def test_two_endpoints_sharing_a_rate_timepoint(protocol):
    """'1-year OS and PFS rates were a% and b%', 'OS and DFS rates at 1 and 3 years were a% and
    b%, and c% and d%': each rate its own endpoint (all went to the last-named endpoint, or none
    was read at all)"""
    t = "The 1-year OS and PFS rates were 58.4% and 27.9%, respectively."
    rates = [(o.endpoint, o.timepoint_months, o.value) for o in extract_abstract(t, protocol).outcomes]
    assert rates == [("OS", 12.0, 58.4), ("PFS", 12.0, 27.9)]
    t = "OS and DFS rates at 1 and 3 years were 79% and 47%, and 66% and 35%, respectively."
    rates = [(o.endpoint, o.timepoint_months, o.value) for o in extract_abstract(t, protocol).outcomes]
    assert rates == [("OS", 12.0, 79.0), ("OS", 36.0, 47.0), ("DFS", 12.0, 66.0), ("DFS", 36.0, 35.0)]


def test_a_crossover_adjusted_median_is_no_second_median_of_the_arm(protocol):
    """'after adjustment for crossover with the RPSFT method, median OS with placebo was c
    months': a re-estimate of the placebo arm's median, kept apart as a subgroup"""
    t = (
        "Patients were randomly assigned to ivosidenib or placebo. Median OS was 10.8 months with "
        "ivosidenib and 7.9 months with placebo; after adjustment for crossover with the RPSFT method, "
        "median OS with placebo was 5.3 months."
    )
    assert [(o.value, o.regimen, o.subgroup) for o in extract_abstract(t, protocol).outcomes] == [
        (10.8, "ivosidenib", None),
        (7.9, "placebo", None),
        (5.3, "placebo", "crossover-adjusted"),
    ]


def test_survival_compared_in_responders_is_a_subgroup_comparison(protocol):
    """'Survival was longer in responders (median a vs b months)': bare 'survival' with the
    median in the parenthesis, and the numbers belong to a subgroup, not the whole population"""
    t = "Survival was significantly longer in responders (median 13.1 vs 5.8 months; p < 0.001)."
    outcomes = extract_abstract(t, protocol).outcomes
    assert [(o.endpoint, o.value, o.subgroup) for o in outcomes] == [
        ("OS", 13.1, "responders"),
        ("OS", 5.8, "responders"),
    ]
