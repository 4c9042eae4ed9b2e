"""Grade >=3 toxicity surface forms, one sentence each: event, proportion, arm and the span
(label TOX, text and character offsets into the input) of every rate found."""

from __future__ import annotations

from evidencebot.extract import extract_abstract
from evidencebot.extract.pipeline import build_nlp, source_offsets


def tox_spans(protocol, text):
    doc = build_nlp(protocol)(text)
    return [
        (s.label_, s.text, *source_offsets(doc, s)) for s in doc.spans["evidencebot"] if s.label_ == "TOX"
    ]


def at(text, needle, nth=0):
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def toxes(protocol, text, title=""):
    return [(t.event, t.proportion, t.span) for t in extract_abstract(text, protocol, title=title).toxicities]


def test_event_in_parentheses_list(protocol):
    """grade 3 or 4 adverse events were anorexia (11.5%), diarrhea (9.6%) and fatigue (7.7%)"""
    t = (
        "The most frequent grade 3 or 4 adverse events were anorexia (11.5%), "
        "diarrhea (9.6%) and fatigue (7.7%)."
    )
    assert toxes(protocol, t) == [
        ("decreased appetite", 0.115, at(t, "11.5")),
        ("diarrhoea", 0.096, at(t, "9.6")),
        ("fatigue", 0.077, at(t, "7.7")),
    ]
    assert tox_spans(protocol, t) == [
        ("TOX", "11.5", *at(t, "11.5")),
        ("TOX", "9.6", *at(t, "9.6")),
        ("TOX", "7.7", *at(t, "7.7")),
    ]


def test_event_list_then_rate_list(protocol):
    """grade >=3 neutropenia and thrombocytopenia occurred in 22% and 16% of patients, respectively"""
    t = "Grade ≥3 neutropenia and thrombocytopenia occurred in 22% and 16% of patients, respectively."
    assert toxes(protocol, t) == [
        ("neutropenia", 0.22, at(t, "22")),
        ("thrombocytopenia", 0.16, at(t, "16")),
    ]


def test_two_arm_versus_in_parentheses(protocol):
    """grade 3 or 4 palmar-plantar erythrodysesthesia (16% vs. 0%), hypertension (9% vs. 2%)"""
    t = "Grade 3 or 4 palmar-plantar erythrodysesthesia (16% vs. 0%), hypertension (9% vs. 2%) were reported."
    assert toxes(protocol, t) == [
        ("hand-foot syndrome", 0.16, at(t, "16")),
        ("hand-foot syndrome", 0.0, at(t, "0%")[:1] + (at(t, "0%")[0] + 1,)),
        ("hypertension", 0.09, at(t, "9%")[:1] + (at(t, "9%")[0] + 1,)),
        ("hypertension", 0.02, at(t, "2%")[:1] + (at(t, "2%")[0] + 1,)),
    ]


def test_any_adverse_event_per_arm_given(protocol):
    """grade 3-5 adverse events in 69% of patients given X and 52% of those given Y"""
    t = (
        "Grade 3–5 adverse events occurred in 69% of patients given ASC plus mFOLFOX "
        "and 52% of those given ASC alone."
    )
    ex = extract_abstract(t, protocol)
    assert [(x.event, x.proportion, x.span, x.regimen) for x in ex.toxicities] == [
        ("any adverse event", 0.69, at(t, "69"), "FOLFOX"),
        ("any adverse event", 0.52, at(t, "52"), "active symptom control"),
    ]


def test_count_with_percentage_of_total(protocol):
    """grade 3 hypophosphataemia in 18 (12%) of 146 patients"""
    t = "Grade 3 hypophosphataemia was seen in 18 (12%) of 146 patients."
    assert toxes(protocol, t) == [("hypophosphataemia", 0.12, at(t, "12"))]


def test_rate_of_the_arm(protocol):
    """grade >=3 neutropenia in 29.0% of the XELIRI arm and 19.4% of the irinotecan arm"""
    t = "Grade ≥3 neutropenia occurred in 29.0% of the XELIRI arm and 19.4% of the irinotecan arm."
    ex = extract_abstract(t, protocol)
    assert [(x.event, x.proportion, x.span, x.arm) for x in ex.toxicities] == [
        ("neutropenia", 0.29, at(t, "29.0"), "XELIRI arm"),
        ("neutropenia", 0.194, at(t, "19.4"), "irinotecan arm"),
    ]


def test_most_common_event_names_the_class(protocol):
    """hypertension was the most common grade 3 or higher treatment-related adverse event (25%)"""
    t = "Hypertension was the most common grade 3 or higher treatment-related adverse event (25%)."
    assert toxes(protocol, t) == [("hypertension", 0.25, at(t, "25"))]


def test_each_occurred_in(protocol):
    """grade 3 or 4 thrombocytopenia and hypertension each occurred in 12% of patients"""
    t = "Grade 3 or 4 thrombocytopenia and hypertension each occurred in 12% of patients."
    assert toxes(protocol, t) == [
        ("thrombocytopenia", 0.12, at(t, "12")),
        ("hypertension", 0.12, at(t, "12")),
    ]


def test_appositive_examples_belong_to_the_head(protocol):
    """complications, chiefly cholangitis and haemobilia, occurred in 8% and 5% of patients"""
    t = "Grade ≥3 complications, chiefly cholangitis and haemobilia, occurred in 8% and 5% of patients."
    assert [e for e, _, _ in toxes(protocol, t)] == ["any adverse event", "any adverse event"]


def test_patients_had_grade_3_event(protocol):
    """one patient (7%) had grade 3 diarrhoea"""
    t = "One patient (7%) had grade 3 diarrhoea attributed to capecitabine."
    assert toxes(protocol, t) == [("diarrhoea", 0.07, at(t, "7"))]


def test_not_low_grade_or_discontinuation(protocol):
    """any-grade rates and discontinuation for adverse events are not grade >=3 rates"""
    t = (
        "Hyperphosphataemia occurred in 81% of patients at any grade; grade 3 stomatitis in 6%; "
        "treatment was stopped because of adverse events in 2% of patients."
    )
    assert toxes(protocol, t) == [("stomatitis", 0.06, at(t, "6%")[:1] + (at(t, "6%")[0] + 1,))]


def test_myelosuppression_is_an_event_of_its_own(protocol):
    """'the most common grade 3 or 4 adverse event was myelosuppression (6/48, 12.5%)': not
    'any adverse event' at 12.5%"""
    t = (
        "Patients received lenvatinib. The most common grade 3 or 4 adverse event was "
        "myelosuppression (6/48, 12.5%)."
    )
    ex = extract_abstract(t, protocol)
    assert [(x.event, x.proportion) for x in ex.toxicities] == [("myelosuppression", 0.125)]


def test_laboratory_values_and_an_unknown_event_in_a_list(protocol):
    """'in the X arm (leucocytes a%, neutrophils b%) than in the Y arm (...)': each value its
    laboratory event and the arm before its parenthesis; in 'neutropenia (a%), aspartate
    transaminase increase (b%) and emesis (c%)' each rate is its own event's, none neutropenia's"""
    t = (
        "Grade 3-4 blood counts fell more often in the GS arm (leucocytes 25.0%, "
        "neutrophils 55.1%) than in the S-1 arm (leucocytes 3.0%, neutrophils 5.1%)."
    )
    assert [(x.arm, x.event, x.proportion) for x in extract_abstract(t, protocol).toxicities] == [
        ("GS arm", "leukopenia", 0.25),
        ("GS arm", "neutropenia", 0.551),
        ("S-1 arm", "leukopenia", 0.03),
        ("S-1 arm", "neutropenia", 0.051),
    ]
    t = (
        "Patients received S-1. Grade 3-4 toxicities were neutropenia (11.0%), aspartate transaminase "
        "increase (9.0%), arthralgia (4.0%) and emesis (3.0%)."
    )
    assert [(x.event, x.proportion) for x in extract_abstract(t, protocol).toxicities] == [
        ("neutropenia", 0.11),
        ("increased AST", 0.09),
        ("vomiting", 0.03),
    ]
