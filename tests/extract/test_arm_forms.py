"""Arm, patient-number, hazard-ratio-endpoint and distractor surface forms, one sentence (or a
title plus one sentence) each, asserting the values, their arms and their spans in the input."""

from __future__ import annotations

from evidencebot.extract import extract_abstract
from evidencebot.extract.pipeline import build_nlp, source_offsets


def at(text, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def rows(protocol, text, title=""):
    ex = extract_abstract(text, protocol, title=title)
    return [(o.value, o.arm, o.regimen, o.span) for o in ex.outcomes]


def test_arm_after_unlabelled_ci(protocol):
    """10·8 months (9·9–11·7) in the placebo group: the CI's numbers do not hide the arm"""
    t = (
        "Median OS was 12·6 months (95% CI 11·5–13·7) in the nivolumab group "
        "and 10·8 months (9·9–11·7) in the placebo group."
    )
    assert rows(protocol, t) == [
        (12.6, "nivolumab group", "nivolumab", at(t, "12·6")),
        (10.8, "placebo group", "placebo", at(t, "10·8")),
    ]


def test_role_word_arms(protocol):
    """7.1 months with the combination and 1.4 months with the control"""
    title = "Liposomal irinotecan plus fluorouracil and leucovorin versus fluorouracil and leucovorin"
    t = "Median PFS was 7.1 months with the combination and 1.4 months with 5-FU/LV alone."
    assert rows(protocol, t, title) == [
        (7.1, "combination", "nal-IRI + 5-FU/LV", at(t, "7.1")),
        (1.4, "5-FU/LV alone", "5-FU/LV", at(t, "1.4")),
    ]


def test_named_group_outside_dictionary(protocol):
    """7.6 months in the RFA group and 5.1 months in the stent-only group"""
    t = "Median overall survival was 7.6 months in the RFA group and 5.1 months in the stent-only group."
    assert [(v, a) for v, a, _, _ in rows(protocol, t)] == [(7.6, "RFA group"), (5.1, "stent-only group")]


def test_hyphenated_combination(protocol):
    """two-year DFS was 58% with gemcitabine-cisplatin and 49% with capecitabine"""
    t = "Two-year DFS was 58% with gemcitabine-cisplatin and 49% with capecitabine."
    assert rows(protocol, t) == [
        (58.0, "gemcitabine-cisplatin", "gemcitabine + cisplatin", at(t, "58")),
        (49.0, "capecitabine", "capecitabine", at(t, "49")),
    ]


def test_with_or_without_title_and_versus_values(protocol):
    """title 'X with or without Y'; 'median 3.6 versus 1.9 months' takes the design's arm order"""
    title = "Atezolizumab with or without cobimetinib in biliary tract cancer"
    t = "Median PFS was 3.6 versus 1.9 months."
    assert [(v, r) for v, _, r, _ in rows(protocol, t, title)] == [
        (3.6, "atezolizumab + cobimetinib"),
        (1.9, "atezolizumab"),
    ]


def test_clause_leading_arm(protocol):
    """In the pembrolizumab group, median PFS was 5.2 months and median OS 12.6 months"""
    t = "In the pembrolizumab group, median PFS was 5.2 months and median OS 12.6 months."
    assert [(v, a) for v, a, _, _ in rows(protocol, t)] == [
        (5.2, "pembrolizumab group"),
        (12.6, "pembrolizumab group"),
    ]


def test_median_of_is_not_a_landmark_rate(protocol):
    """patients had a median PFS of 4.2 months (90% CI, 1.3–6.2)"""
    t = "HER2-low patients had a median PFS of 4.2 months (90% CI, 1.3–6.2)."
    (o,) = extract_abstract(t, protocol).outcomes
    assert (o.endpoint, o.statistic, o.value, o.ci_level, o.ci_low, o.ci_high, o.span) == (
        "PFS",
        "median",
        4.2,
        0.9,
        1.3,
        6.2,
        at(t, "4.2"),
    )


def test_endpoint_from_origin(protocol):
    """median overall survival from enrolment was 13.0 months"""
    t = "Median overall survival from enrolment was 13.0 months (95% CI 9.2–not reached)."
    (o,) = extract_abstract(t, protocol).outcomes
    assert (o.endpoint, o.value, o.ci_low, o.ci_high_not_reached, o.span) == (
        "OS",
        13.0,
        9.2,
        True,
        at(t, "13.0"),
    )


def test_design_hypothesis_is_not_a_result(protocol):
    """the study had 80% power to exclude a median PFS of 2.0 months"""
    t = "The study had 80% power to exclude a historical median PFS of 2.0 months."
    assert extract_abstract(t, protocol).outcomes == []


def test_n_per_arm_in_parentheses(protocol):
    """573 patients were randomised (379 regorafenib, 194 placebo)"""
    title = "Regorafenib versus placebo in refractory biliary tract cancer"
    t = (
        "573 patients were randomised (379 regorafenib, 194 placebo). "
        "Median OS was 10.5 months with regorafenib and 7.9 months with placebo."
    )
    ex = extract_abstract(t, protocol, title=title)
    assert ex.n_total == 573
    assert [(o.value, o.n, o.span) for o in ex.outcomes] == [
        (10.5, 379, at(t, "10.5")),
        (7.9, 194, at(t, "7.9")),
    ]


def test_n_per_arm_and_number_words(protocol):
    """One hundred and twenty patients were randomised (60 per arm)"""
    title = "Gemcitabine-cisplatin or capecitabine after resection"
    t = (
        "One hundred and twenty patients were randomised (60 per arm). "
        "Median DFS was 31.4 months with gemcitabine-cisplatin and 23.5 months with capecitabine."
    )
    ex = extract_abstract(t, protocol, title=title)
    assert ex.n_total == 120
    assert [(o.value, o.n) for o in ex.outcomes] == [(31.4, 60), (23.5, 60)]


def test_n_equals_after_arm_defines_arms(protocol):
    """174 made up the analysis population (nal-IRI plus 5-FU/LV, n = 88; 5-FU/LV, n = 86)"""
    t = (
        "Of 178 randomized patients, 174 made up the analysis population (nal-IRI plus 5-FU/LV, n = 88; "
        "5-FU/LV, n = 86). Median PFS was 4.2 months with the combination and 1.7 months with 5-FU/LV alone."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.regimen, o.n) for o in ex.outcomes] == [
        (4.2, "nal-IRI + 5-FU/LV", 88),
        (1.7, "5-FU/LV", 86),
    ]


def test_hazard_ratio_endpoint_from_preceding_words(protocol):
    """associated with shorter survival (HR 2.1, 95% CI 1.2–3.7); lower risk of progression (HR 0.71, ...)"""
    t = "A high CA19-9 level was associated with shorter survival (HR 2.1, 95% CI 1.2–3.7)."
    (hr,) = extract_abstract(t, protocol).hazard_ratios
    assert (hr.endpoint, hr.value, hr.ci_low, hr.ci_high, hr.span) == ("OS", 2.1, 1.2, 3.7, at(t, "2.1"))
    t = "Median PFS was 3.2 vs 2.1 months with a lower risk of progression (HR 0·57, 0·42–0·77)."
    (hr,) = extract_abstract(t, protocol).hazard_ratios
    assert (hr.endpoint, hr.value, hr.ci_low, hr.ci_high, hr.span) == ("PFS", 0.57, 0.42, 0.77, at(t, "0·57"))


def test_spans_map_back_when_only_candidate_sentences_are_tokenised(protocol):
    """the Doc holds only candidate sentences; spans still index the input text"""
    t = "Patients were enrolled at 12 centres in 2019. Median OS was 6.3 months (95% CI 4.1–8.3)."
    doc = build_nlp(protocol)(t)
    assert doc.text != t and doc._.source_text == t
    got = [
        (s.label_, s.text, *source_offsets(doc, s)) for s in doc.spans["evidencebot"] if s.label_ == "OUTCOME"
    ]
    assert got == [("OUTCOME", "6.3", *at(t, "6.3"))]


def test_alive_at_timepoint_before_rates(protocol):
    """At 12 months, 26·6% of nivolumab recipients and 11·1% of placebo recipients were alive"""
    t = "At 12 months, 26·6% of nivolumab recipients and 11·1% of placebo recipients were alive."
    ex = extract_abstract(t, protocol)
    assert [
        (o.endpoint, o.statistic, o.timepoint_months, o.value, o.regimen, o.span) for o in ex.outcomes
    ] == [
        ("OS", "rate", 12.0, 26.6, "nivolumab", at(t, "26·6")),
        ("OS", "rate", 12.0, 11.1, "placebo", at(t, "11·1")),
    ]


def test_alive_at_timepoint_after_rate(protocol):
    """49% of patients were alive at 6 months"""
    t = "Overall, 49% of patients were alive at 6 months."
    (o,) = extract_abstract(t, protocol).outcomes
    assert (o.endpoint, o.statistic, o.timepoint_months, o.value, o.span) == (
        "OS",
        "rate",
        6.0,
        49.0,
        at(t, "49"),
    )


def test_they_were_maps_to_the_endpoints_in_order(protocol):
    """median PFS was 2.9 months and OS 6.9 months; with X they were 2.8 months and 6.5 months"""
    t = (
        "With mFOLFOX, median PFS was 2.9 months and OS 6.9 months; "
        "with nal-IRI/5-FU/LV they were 2.8 months and 6.5 months."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.endpoint, o.value, o.regimen, o.span) for o in ex.outcomes] == [
        ("PFS", 2.9, "FOLFOX", at(t, "2.9")),
        ("OS", 6.9, "FOLFOX", at(t, "6.9")),
        ("PFS", 2.8, "nal-IRI + 5-FU/LV", at(t, "2.8")),
        ("OS", 6.5, "nal-IRI + 5-FU/LV", at(t, "6.5")),
    ]


def test_surgery_alone_comparator(protocol):
    """76.8% with S-1 versus 67.9% with surgery alone"""
    t = "Three-year overall survival was 76.8% with S-1 versus 67.9% with surgery alone."
    assert [(v, a) for v, a, _, _ in rows(protocol, t)] == [(76.8, "S-1"), (67.9, "surgery alone")]


def test_bare_interval_takes_the_stated_level(protocol):
    """12·6 months (95% CI 11·5–13·7) ... 10·8 months (9·9–11·7): the second CI is 95% too"""
    t = "Median OS was 12·6 months (95% CI 11·5–13·7). Median PFS was 6·4 months (5·7–6·9)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.ci_level, o.ci_low, o.ci_high, o.span) for o in ex.outcomes] == [
        (12.6, 0.95, 11.5, 13.7, at(t, "12·6")),
        (6.4, 0.95, 5.7, 6.9, at(t, "6·4")),
    ]


def test_subgroup_named_before_patients_had(protocol):
    """HER2-low patients had a median PFS of 4.2 months; Patients with ECOG 0-1 had ...; In cohort A, ..."""
    for t, sub in [
        ("HER2-low patients had a median PFS of 4.2 months.", "HER2-low"),
        ("Patients with ECOG 0-1 at start had a median OS of 6.2 months.", "ECOG 0-1 at start"),
        ("In cohort A, median duration of response was 7·5 months.", "cohort A"),
    ]:
        (o,) = extract_abstract(t, protocol).outcomes
        assert (o.subgroup, o.span) == (sub, at(t, "4.2" if "4.2" in t else "6.2" if "6.2" in t else "7·5"))


def test_a_dictionary_spelling_with_a_space_is_found_hyphenated(protocol):
    """'liposomal-irinotecan plus 5-fluorouracil and leucovorin' in a title names nal-IRI +
    5-FU/LV, not 5-FU/LV alone"""
    title = "Liposomal-irinotecan plus 5-fluorouracil and leucovorin after gemcitabine: a cohort study"
    t = "We reviewed 61 patients. Median OS was 6.2 months and median PFS was 2.9 months."
    ex = extract_abstract(t, protocol, title=title)
    assert [o.regimen for o in ex.outcomes] == ["nal-IRI + 5-FU/LV", "nal-IRI + 5-FU/LV"]


def test_two_groups_sharing_one_noun(protocol):
    """'for the maintenance and early-switch arms were a and b months, respectively': two arms
    named in words, each its own (neither a subgroup of the other's regimen)"""
    t = "Median OS in the maintenance and early-switch arms was 12.9 and 10.1 months, respectively."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen, o.subgroup) for o in ex.outcomes] == [
        (12.9, "maintenance", None, None),
        (10.1, "early-switch", None, None),
    ]
    # "the first- and second-line groups" names one kind of group twice: not two arms
    t = "Median PFS for the first- and second-line groups was 5.0 and 3.1 months, respectively."
    assert all(o.arm != "first-" for o in extract_abstract(t, protocol).outcomes)


def test_a_named_group_as_the_subject_of_a_comparison(protocol):
    """'The switch group had longer median PFS (a vs b) compared with the control group'"""
    t = "The switch group had a longer median PFS (4.4 m vs. 2.8 m, p = 0.03) than the control group."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm) for o in ex.outcomes] == [(4.4, "switch group"), (2.8, "control group")]
    t = "The same group had a median PFS of 3.5 months."
    assert [o.arm for o in extract_abstract(t, protocol).outcomes] == [""]


def test_two_groups_named_by_their_roles(protocol):
    """'in the chemotherapy and BSC groups ... 11.0 months vs. 6.9 months': the first number is
    the chemotherapy group's, not the supportive care group's"""
    t = "Median OS in the chemotherapy and BSC groups was 11.0 months vs. 6.9 months (p = 0.002)."
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen) for o in ex.outcomes] == [
        (11.0, "chemotherapy", None),
        (6.9, "BSC", "active symptom control"),
    ]


def test_the_text_sizes_the_arms_in_the_order_its_results_follow(protocol):
    """Title 'X versus Y', text '40 patients treated with Y and 80 with X ... (a vs b months)':
    a is Y's - the results follow the order the text introduced the cohorts in"""
    title = "Regorafenib versus trifluridine/tipiracil in refractory colorectal cancer: a cohort study"
    t = (
        "We included 40 patients treated with trifluridine/tipiracil and 80 with regorafenib. "
        "The OS (8.1 vs 6.6 months, p = 0.21) did not differ between the two drugs."
    )
    ex = extract_abstract(t, protocol, title=title)
    assert [(o.value, o.regimen) for o in ex.outcomes] == [
        (8.1, "trifluridine + tipiracil"),
        (6.6, "regorafenib"),
    ]


def test_nalirifox_is_its_own_regimen(protocol):
    """NALIRIFOX (nal-IRI + oxaliplatin + 5-FU/LV) is neither nal-IRI + 5-FU/LV nor FOLFIRINOX"""
    for said in ("NALIRIFOX", "nal-IRI plus oxaliplatin and 5-FU/LV"):
        t = f"Median OS was 11.4 months with {said}."
        assert [o.regimen for o in extract_abstract(t, protocol).outcomes] == ["NALIRIFOX"], said


def test_lettered_arms_bound_to_their_regimens(protocol):
    """arm A (X, n = 40) or arm B (Y alone, n = 38): each letter keeps its own regimen and size"""
    t = (
        "Patients were randomised to arm A (toripalimab plus lenvatinib, n = 40) or arm B "
        "(lenvatinib alone, n = 38). Median PFS was 5.2 months in arm A and 3.1 months in arm B "
        "(HR 0.62, 95% CI 0.40-0.95)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen, o.n, o.span) for o in ex.outcomes] == [
        (5.2, "arm A", "toripalimab + lenvatinib", 40, at(t, "5.2")),
        (3.1, "arm B", "lenvatinib", 38, at(t, "3.1")),
    ]
    assert [h.comparison for h in ex.hazard_ratios] == ["toripalimab + lenvatinib vs lenvatinib"]


def test_lettered_arms_named_by_what_they_received(protocol):
    """'Arm 1 received X and arm 2 received Y' and 'X (group 2)': the letter is that regimen's arm"""
    t = (
        "Group 1 received irinotecan, whereas capecitabine (group 2) served as the comparator. "
        "Median OS was 6.9 months in group 1 and 5.4 months in group 2."
    )
    assert rows(protocol, t) == [
        (6.9, "group 1", "irinotecan", at(t, "6.9")),
        (5.4, "group 2", "capecitabine", at(t, "5.4")),
    ]


def test_three_arm_trial_with_a_monotherapy_arm(protocol):
    """'assigned to X plus Y, X monotherapy, or Y': nal-IRI alone is a regimen of its own, and a
    sentence comparing two of the three arms ('X monotherapy (n = 52) ... versus Y (n = 47): median
    OS was a versus b'), even one starting in lower case, keeps its own arms and comparison"""
    t = (
        "Patients were randomly assigned to nal-IRI plus 5-FU/LV, nal-IRI monotherapy, or 5-FU/LV. "
        "The combination prolonged survival (P = .02). nal-IRI monotherapy (n = 52) gave similar "
        "results versus 5-FU/LV (n = 47): median OS was 4.6 versus 4.4 months (HR = 0.94, P = .71)."
    )
    ex = extract_abstract(t, protocol)
    assert [(o.value, o.arm, o.regimen, o.n) for o in ex.outcomes] == [
        (4.6, "nal-IRI monotherapy", "nal-IRI monotherapy", 52),
        (4.4, "5-FU/LV", "5-FU/LV", 47),
    ]
    assert [h.comparison for h in ex.hazard_ratios] == ["nal-IRI monotherapy vs 5-FU/LV"]


def test_two_arms_and_what_both_received_are_not_three_arms(protocol):
    """'assigned to X or placebo every 3 weeks, plus best supportive care': BSC is no third arm"""
    t = (
        "Patients were randomly assigned to regorafenib or placebo once daily, plus best supportive "
        "care. Median OS was 5.3 versus 4.1 months."
    )
    assert [(v, r) for v, _, r, _ in rows(protocol, t)] == [(5.3, "regorafenib"), (4.1, "placebo")]


def test_a_line_of_therapy_group_is_no_treatment_arm(protocol):
    """'the first-line treatment group' of a one-regimen series is a subset of that regimen's
    patients, not 'the treatment group' of a comparison"""
    t = (
        "Patients received lenvatinib plus PD-1 inhibitors. In the first-line treatment group, median "
        "PFS was 10.2 months, against 5.9 months in the non-first-line treatment group."
    )
    assert [(v, r) for v, _, r, _ in rows(protocol, t)] == [
        (10.2, "lenvatinib + pd-1 inhibitor"),
        (5.9, "lenvatinib + pd-1 inhibitor"),
    ]


def test_agent_plus_unnamed_chemotherapy_is_an_arm_of_its_own(protocol):
    """'a PD-1 inhibitor plus chemotherapy', 'PD-1 inhibitor monotherapy', 'chemotherapy alone':
    three arms, the first not the PD-1 inhibitor alone"""
    t = (
        "Median OS was 13.2 months with a PD-1 inhibitor plus chemotherapy, against 5.0 months with "
        "PD-1 inhibitor monotherapy and 7.4 months with chemotherapy alone."
    )
    assert [(v, r) for v, _, r, _ in rows(protocol, t)] == [
        (13.2, "pd-1 inhibitor + chemotherapy"),
        (5.0, "pd-1 inhibitor"),
        (7.4, "chemotherapy"),
    ]


def test_a_trial_told_as_background_does_not_set_up_the_arms(protocol):
    """BACKGROUND: 'a randomised study compared X and, separately, Y ...'; METHODS: 'randomly
    assigned to X plus Y (combination group) or X alone (X group)': the combination group is
    X + Y, not X"""
    t = (
        "BACKGROUND: An earlier randomised study looked at FTD-TPI and, apart from it, at bevacizumab "
        "in this setting.\nMETHODS: Patients were randomly assigned to FTD-TPI plus bevacizumab "
        "(combination group) or FTD-TPI alone (FTD-TPI group).\nRESULTS: Median OS was 10.1 months in "
        "the combination group and 7.0 months in the FTD-TPI group."
    )
    assert [(v, r) for v, _, r, _ in rows(protocol, t)] == [
        (10.1, "trifluridine + tipiracil + bevacizumab"),
        (7.0, "trifluridine + tipiracil"),
    ]


def test_combined_without_with_joins_a_combination(protocol):
    """title 'X combined Y versus X alone': the first arm is X + Y, so 'the combination group'
    and 'X alone' take the two regimens"""
    title = "Nivolumab combined lenvatinib versus nivolumab alone in advanced hepatocellular carcinoma"
    t = "The combination group achieved longer PFS (4.1 vs. 2.2 months) than nivolumab alone."
    assert [(v, r) for v, _, r, _ in rows(protocol, t, title)] == [
        (4.1, "nivolumab + lenvatinib"),
        (2.2, "nivolumab"),
    ]


def test_triple_and_dual_therapy_are_arms_named_by_role(protocol):
    """'PFS did not differ between triple therapy and dual therapy (median PFS: a vs. b months)':
    the arms are named by how many drugs they hold; none is lenvatinib alone, named in passing"""
    t = (
        "Our cohort was treated with a checkpoint inhibitor and chemotherapy, to which some added "
        "lenvatinib. PFS did not differ between triple therapy and dual therapy "
        "(median PFS: 9.8 vs. 10.6 months, P > 0.05)."
    )
    assert [(v, a) for v, a, _, _ in rows(protocol, t)] == [(9.8, "triple therapy"), (10.6, "dual therapy")]


def test_lettered_group_defined_as_chemotherapy_with_a_regimen(protocol):
    """'Group A, BSC; Group B chemotherapy with GEMOX': each letter takes its regimen"""
    t = (
        "Group A, BSC; Group B chemotherapy with GEMOX. Median OS was 3.9 months in group A and 7.7 "
        "months in group B."
    )
    assert [(v, r) for v, _, r, _ in rows(protocol, t)] == [
        (3.9, "active symptom control"),
        (7.7, "gemcitabine + oxaliplatin"),
    ]


def test_arm_sized_with_n_after_a_space(protocol):
    """'(mFOLFOX6 n=70; FOLFIRI n=66)': each arm's size, also without a bracket before 'n='"""
    t = (
        "Patients were randomised to mFOLFOX6 or FOLFIRI (mFOLFOX6 n=70; FOLFIRI n=66). "
        "Median PFS was 3.3 months with mFOLFOX6 and 2.9 months with FOLFIRI."
    )
    assert [(o.value, o.regimen, o.n) for o in extract_abstract(t, protocol).outcomes] == [
        (3.3, "FOLFOX", 70),
        (2.9, "FOLFIRI", 66),
    ]
