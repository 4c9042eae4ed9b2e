"""The screening cue matchers on tricky phrasings, one sentence per surface form.

Each case asserts label, text and character offsets of the cues that matter. Sentences:

- "Patients progressing after first-line gemcitabine-cisplatin received FOLFOX."
- "Median progression-free survival with first-line gemcitabine and cisplatin was 7 months."
- "Overall, 44% received subsequent second-line chemotherapy."
- "Previously untreated patients with advanced BTC were enrolled."
- "Eligible patients were previously treated with at least one prior line."
- "Randomized, double-blind phase 3 trial in gall bladder carcinoma and Klatskin tumours."
- "HCC and pancreatic ductal adenocarcinoma cohorts were analysed."
- "OS was longer; the os ilium is a bone." (case-sensitive abbreviations)
- "Treatment-naïve patients received first line therapy."
- "Patients whose first-line treatment failed received nal-IRI."
"""

from __future__ import annotations

import pytest
import spacy

from evidencebot.screen.cues import (
    CUE_LABELS,
    DEFAULT_RULES,
    RULESETS,
    CueSpan,
    find_cues,
)


def spans(text: str, label: str) -> list[CueSpan]:
    return [c for c in find_cues(text) if c.label == label]


def at(text: str, phrase: str, label: str, occurrence: int = 0) -> CueSpan:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(phrase, start + 1)
    return CueSpan(label, phrase, start, start + len(phrase))


def test_first_line_after_progression_is_a_later_line_cue() -> None:
    text = "Patients progressing after first-line gemcitabine-cisplatin received FOLFOX."
    later = spans(text, "line_later")
    assert at(text, "first-line", "line_later") in later
    assert at(text, "gemcitabine-cisplatin", "line_later") in later
    assert spans(text, "line_first") == []
    assert at(text, "FOLFOX", "agent_systemic") in spans(text, "agent_systemic")


def test_progression_free_survival_is_not_a_progression_event() -> None:
    text = "Median progression-free survival with first-line gemcitabine and cisplatin was 7 months."
    assert spans(text, "line_first") == [at(text, "first-line", "line_first")]
    assert spans(text, "line_later") == []
    assert at(text, "Median progression-free survival", "outcome_survival") in spans(text, "outcome_survival")


def test_subsequent_second_line_in_a_first_line_trial() -> None:
    text = "Overall, 44% received subsequent second-line chemotherapy."
    assert spans(text, "line_subsequent") == [at(text, "second-line chemotherapy", "line_subsequent")]
    assert spans(text, "line_later") == []


def test_previously_untreated_is_first_line_not_previously_treated() -> None:
    text = "Previously untreated patients with advanced BTC were enrolled."
    assert spans(text, "line_first") == [at(text, "Previously untreated", "line_first")]
    assert spans(text, "line_later") == []
    assert spans(text, "disease_btc") == [at(text, "BTC", "disease_btc")]


def test_previously_treated_and_prior_lines() -> None:
    text = "Eligible patients were previously treated with at least one prior line."
    later = spans(text, "line_later")
    assert at(text, "previously treated", "line_later") in later
    assert at(text, "at least one prior", "line_later") in later


def test_design_and_disease_spelling_variants() -> None:
    text = "Randomized, double-blind phase 3 trial in gall bladder carcinoma and Klatskin tumours."
    rct = spans(text, "design_rct")
    assert at(text, "Randomized", "design_rct") in rct
    assert at(text, "double-blind", "design_rct") in rct
    assert at(text, "phase 3", "design_rct") in rct
    btc = spans(text, "disease_btc")
    assert at(text, "gall bladder carcinoma", "disease_btc") in btc
    assert at(text, "Klatskin", "disease_btc") in btc


def test_other_diseases() -> None:
    text = "HCC and pancreatic ductal adenocarcinoma cohorts were analysed."
    other = spans(text, "disease_other")
    assert other == [
        at(text, "HCC", "disease_other"),
        at(text, "pancreatic ductal adenocarcinoma", "disease_other"),
    ]
    assert spans(text, "disease_btc") == []


def test_abbreviations_match_only_in_their_case() -> None:
    text = "OS was longer; the os ilium is a bone."
    assert spans(text, "outcome_survival") == [at(text, "OS", "outcome_survival")]


def test_treatment_naive_with_diacritic_and_first_line_without_hyphen() -> None:
    text = "Treatment-naïve patients received first line therapy."
    assert spans(text, "line_first") == [
        at(text, "Treatment-naïve", "line_first"),
        at(text, "first line", "line_first"),
    ]


def test_first_line_failure_is_later_line() -> None:
    text = "Patients whose first-line treatment failed received nal-IRI."
    assert at(text, "first-line", "line_later") in spans(text, "line_later")
    assert spans(text, "line_first") == []
    assert at(text, "nal-IRI", "agent_systemic") in spans(text, "agent_systemic")


@pytest.mark.parametrize(
    "text, label, phrase",
    [
        ("Tumour growth was reduced in patient-derived xenografts.", "design_preclinical", "xenografts"),
        ("We report a case of a 63-year-old man.", "design_case", "We report a case"),
        ("A systematic review and meta-analysis of trials.", "design_secondary", "systematic review"),
        ("This trial in progress will enrol 120 patients.", "design_protocol", "trial in progress"),
        ("Stereotactic body radiotherapy was delivered.", "agent_local", "Stereotactic body radiotherapy"),
        ("Radioembolisation with yttrium-90 microspheres.", "agent_local", "Radioembolisation"),
        ("Adjuvant capecitabine after resection.", "line_perioperative", "Adjuvant"),
        ("Salvage chemotherapy was given.", "line_later", "Salvage chemotherapy"),
        ("The hazard ratio for death was 0.69.", "outcome_survival", "hazard ratio"),
        ("The objective response rate was 12%.", "outcome_response", "objective response rate"),
    ],
)
def test_single_cues(text: str, label: str, phrase: str) -> None:
    assert at(text, phrase, label) in spans(text, label)


def test_empty_and_odd_text_gives_no_cues() -> None:
    assert find_cues("") == []
    assert find_cues("   \n\t ") == []
    assert find_cues("∑∂ƒ©˙∆˚¬…æ 123 ### ((( )))") == []


def test_rules_are_registered_under_a_versioned_name() -> None:
    assert DEFAULT_RULES == "evidencebot.screen_cues.v1"
    assert set(RULESETS[DEFAULT_RULES]) | {"line_subsequent"} == set(CUE_LABELS)
    with pytest.raises(ValueError, match="unknown cue rule set"):
        find_cues("text", rules="evidencebot.screen_cues.v0")


def test_spacy_component_sets_span_group() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe("evidencebot_screen_cues")
    text = "Second-line FOLFOX in cholangiocarcinoma."
    doc = nlp(text)
    got = [(s.label_, s.text, s.start_char, s.end_char) for s in doc.spans["screen_cues"]]
    assert ("line_later", "Second-line", 0, 11) in got
    assert ("disease_btc", "cholangiocarcinoma", 22, 40) in got


V2 = "evidencebot.screen_cues.v2"


@pytest.mark.parametrize(
    "text, label, phrase",
    [
        (
            "Patients whose disease progressed with prior therapy were eligible.",
            "line_later",
            "disease progressed",
        ),
        ("Patients who failed at least one line of chemotherapy.", "line_later", "who failed"),
        ("Tumours refractory to gemcitabine were treated.", "line_later", "refractory to"),
        ("FOLFOX as second-line treatment.", "line_later", "as second-line"),
        ("Cancer of the bile duct was confirmed.", "disease_btc", "Cancer of the bile duct"),
        ("A Simon two-stage design was used.", "design_phase2", "Simon two-stage"),
    ],
)
def test_v2_real_abstract_phrasings(text: str, label: str, phrase: str) -> None:
    assert at(text, phrase, label) in [c for c in find_cues(text, rules=V2) if c.label == label]


def test_v2_trial_registration_is_not_a_protocol_cue() -> None:
    text = "This trial is registered with ClinicalTrials.gov; per-protocol analysis agreed."
    assert [c for c in find_cues(text, rules=V2) if c.label == "design_protocol"] == []
    assert [c.text for c in find_cues(text) if c.label == "design_protocol"] == [
        "ClinicalTrials.gov",
        "protocol",
    ]
