"""Property-based tests: the extractor never crashes, and every number is where it says."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidencebot.extract import extract_abstract
from evidencebot.extract.lexicon import is_nr, parse_num

PIECES = [
    "median",
    "OS",
    "PFS",
    "overall survival",
    "was",
    "were",
    "and",
    "vs",
    "versus",
    "respectively",
    "months",
    "mo",
    "weeks",
    "days",
    "years",
    "%",
    "(",
    ")",
    "[",
    "]",
    "95% CI",
    "95%CI:",
    "HR",
    "hazard ratio",
    "P =",
    "p<",
    ";",
    ",",
    ".",
    "–",
    "-",
    "to",
    "not reached",
    "NR",
    "NE",
    "12-month",
    "rate",
    "FOLFOX",
    "nal-IRI plus 5-FU/LV",
    "in patients with",
    "grade ≥3",
    "neutropenia",
    "n =",
    "\n",
    "RESULTS:",
    "·",
    "follow-up",
    "age",
]
NUMBERS = st.one_of(
    st.integers(0, 400).map(str),
    st.floats(0, 100, allow_nan=False).map(lambda f: f"{f:.1f}"),
    st.floats(0, 5, allow_nan=False).map(lambda f: f"{f:.2f}".replace(".", "·")),
)
TOKENS = st.lists(st.one_of(st.sampled_from(PIECES), NUMBERS), max_size=60).map(" ".join)


def _check_spans(text, ex):
    for o in ex.outcomes:
        s, e = o.span
        written = text[s:e]
        if o.not_reached:
            assert is_nr(written)
        else:
            assert parse_num(written) == o.value
    for h in ex.hazard_ratios:
        s, e = h.span
        assert parse_num(text[s:e]) == h.value
    for t in ex.toxicities:
        s, e = t.span
        assert abs(parse_num(text[s:e]) / 100 - t.proportion) < 1e-9


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(protocol, text):
    ex = extract_abstract(text, protocol)
    _check_spans(text, ex)
    ex.to_annotation()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(TOKENS)
def test_survival_like_text_spans_hold_their_numbers(protocol, text):
    ex = extract_abstract(text, protocol)
    _check_spans(text, ex)
    assert not [f for f in ex.flags if f.code == "W205"]


@pytest.mark.parametrize("text", [
    "FOLFİRİNOX median OS 6.2 months (95% CI 4.1-8.0).",
    "nal-İRİ plus 5-FU/LV: median PFS 4.2 months",
    "CAPİRİ was given; median OS 6.2 months",
    "ſ K Σ µ ı İ median OS 6.2 months",
])
def test_letters_whose_case_changes_length_do_not_crash(protocol, text):
    ex = extract_abstract(text, protocol)
    for o in ex.outcomes:
        assert text[o.span[0]:o.span[1]].replace("·", ".") in (f"{o.value:g}", str(o.value))
