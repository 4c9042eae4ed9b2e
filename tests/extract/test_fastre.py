"""fastre: the quick forms give the same answers as the patterns they stand for."""

from __future__ import annotations

import re

from evidencebot.extract import lexicon as lx
from evidencebot.extract.fastre import (
    AfterBoundary,
    Anchored,
    AtLineStarts,
    CoreFirst,
    literal_starts,
    start_patterns,
    starts_gated,
)

TEXTS = [
    "Patients were randomised to drug X versus chemotherapy (n = 40) or to physician's choice of therapy.",
    "Drug Y with chemotherapy, alone, or with standard of care; after progression on drug Z.",
    "VERSUS CHEMOTHERAPY. With Chemotherapy alone. Investigator-chosen treatment.",
    "no candidates at all here",
    "",
]


def test_literal_starts_reads_through_assertions_groups_branches_and_options():
    # (what follows a group is not read: its literals are a prefix of what the group consumes)
    assert literal_starts(r"\b(?:ab|cd)e|(?<=x\s)fgh") == {"ab", "cd", "fgh"}
    assert literal_starts(r"(?P<g>one|two)\s+three") == {"one", "two"}
    assert literal_starts(r"[ab]c|def") == {"a", "b", "def"}  # a class: each of its characters
    assert literal_starts(r"(?:xy)?z") == {"xy", "z"}  # an optional start, or what follows it
    assert literal_starts(r"\w+z") is None  # any word character: no literal start
    assert literal_starts(r"abc", flags=re.I) is None


def test_anchored_finds_what_the_pattern_finds():
    ci = lx.CI(
        r"\b(?:physician|investigator)(?:['\u2019]s)?[\s\-]+(?:choice|chosen)"
        r"|(?<=versus\s)chemotherapy\b|(?<=with\s)chemotherapy(?=\s*[,;.(]|\s+alone\b)"
        r"|(?<=with\s)standard(?:\s+of)?\s+care\b"
    )
    quick = Anchored(ci)
    assert quick.heads == ("chemotherapy", "investigator", "physician", "standard")
    for text in TEXTS + [t.upper() for t in TEXTS] + ["\u0130 " + t for t in TEXTS]:
        low = lx.lower_text(text)
        got = [(m.start(), m.end(), m.group(0)) for m in quick.finditer(text, low)]
        want = [(m.start(), m.end(), m.group(0)) for m in ci.finditer(text, low)]
        assert got == want
        first = quick.search(text, low)
        assert (first.span() if first else None) == (want[0][:2] if want else None)


def test_at_line_starts_finds_what_the_pattern_finds():
    rx = re.compile(r"^[ \t]*(?:background|methods)(?:\s+and\s+\w+)?[ \t]*:", re.I | re.M)
    quick = AtLineStarts(rx)
    assert quick.anchored
    for text in [
        "Background: a. Methods: b.\nMETHODS: c\n\n  background and\naims: d",
        "no labels here",
        "\n\nMethods:\nMethods:",
        "",
    ]:
        assert [m.span() for m in quick.finditer(text)] == [m.span() for m in rx.finditer(text)]
    assert not AtLineStarts(re.compile(r"^a|b", re.M)).anchored  # "b" may match anywhere


def _spans(matches):
    return [(m.span(), m.groupdict()) for m in matches]


CASES = TEXTS + [
    "the 12-month OS (HR 0.8) - GEM-S-1 vs FOLFOX; 3 patients (n = 12) received five cycles",
    "Grade 3 neutropenia, anaemia and élevated AST in 24% (the combination arm), arm B.",
    "(\u00e9gemcitabine) gemcitabine-cisplatin\u2013S-1 20 to the",
]


def test_start_patterns_takes_classes_as_starts():
    assert start_patterns(r"(?<!\w)(?:ab|[cd]x|\d+y)") == (frozenset({"ab", "c", "d"}), frozenset({r"[\d]"}))
    assert start_patterns(r"\w+z") == (frozenset(), frozenset({r"[\w]"}))
    assert start_patterns(r"(?:x)?") is None  # may match empty


def test_starts_gated_finds_what_the_pattern_finds():
    for pattern, flags in [
        (r"\b(?=[a-z])(?:(?P<a>neutropenia|anaemia)|(?P<b>(?:elevated\s+)?AST))\b", re.I),
        (r"(?<![\w.,])(?P<n>\d+|five|twelve)\s+(?:patients\s+)?(?:received|to)\s+$", 0),
        (r"(?<=[.!?)]\s)(?:results?|x)", re.I),
    ]:
        rx = re.compile(pattern, flags)
        gated = starts_gated(rx)
        assert gated.pattern != rx.pattern
        for text in CASES + [t.upper() for t in CASES]:
            assert _spans(gated.finditer(text)) == _spans(rx.finditer(text))
            for end in range(0, len(text), 7):
                want, got = rx.search(text, 0, end), gated.search(text, 0, end)
                assert (got and got.span()) == (want and want.span())


def test_core_first_finds_what_the_pattern_finds():
    for pattern in [r"\bit\s+was", r"\bnr\b", r"(?<![\w\-])s-1\b"]:
        rx = re.compile(pattern)
        quick = CoreFirst(rx)
        assert quick.core is not None
        for text in ["it was", "bit was, it  was", "nr, nrx anr nr", "gem-s-1 s-1 xs-1", ""]:
            for pos in range(len(text) + 1):
                want, got = rx.search(text, pos), quick.search(text, pos)
                assert (got and got.span()) == (want and want.span())


def test_after_boundary_finds_what_the_pattern_finds():
    for pattern in [
        r"(?<![\w\-])(?:gem(?:citabine)?|s-1|cis(?:platin)?|a\+b)(?![\w])",
        r"\b(?=[a-d])(?:arm|b|cohort)\b",
        r"(?<![\w\-])\w[\w/]*+(?:[\-\u2010\u2011][\w/]++)*[\-\u2010\u2011\u2013]\w",
    ]:
        rx = re.compile(pattern)
        quick = AfterBoundary(rx)
        assert quick.finder is not None
        for text in CASES + [t.lower() for t in CASES] + ["a+ba+b gem\u00e9gem -gem", "gem", "cisplatin-gem"]:
            assert _spans(quick.finditer(text)) == _spans(rx.finditer(text))


def test_anchored_without_a_lowercase_twin_finds_what_the_pattern_finds():
    # a cased non-ASCII letter leaves the pattern without a lowercase twin: it is tried on the
    # text itself where the lowered text holds a head
    ci = lx.CI(r"(?<=with\s)chemotherapy\b(?![\s\-]+na\u00efve)|\bsecond[\s\-]+line\s+chemotherapy\b")
    assert ci.low is None
    quick = Anchored(ci)
    assert quick.heads == ("chemotherapy", "second")
    for text in TEXTS + [
        "with CHEMOTHERAPY NA\u00cfVE, with chemotherapy, Second-line chemotherapy",
        "with chemotherapy-na\u00efve and with \u212aemo SECOND line Chemotherapy.",
    ]:
        for t in (text, text.upper(), text.lower()):
            low = lx.lower_text(t)
            got = [(m.start(), m.end()) for m in quick.finditer(t, low)]
            assert got == [(m.start(), m.end()) for m in ci.finditer(t, None)]


def test_at_line_starts_searches_from_a_position_as_the_pattern_does():
    rx = re.compile(r"^[ \t]*[A-Z][A-Za-z ,&/]{2,40}[ \t]*(?::|$)", re.M)
    quick = AtLineStarts(rx)
    for text in ["Background: a.\nMethods: b\n\nResults:\n  Conclusions: c", "no label\nhere", "\n", ""]:
        for pos in range(len(text) + 2):
            want, got = rx.search(text, pos), quick.search(text, pos)
            assert (got and got.span()) == (want and want.span())


def test_after_boundary_takes_pos_and_endpos_as_finditer_does():
    rx = re.compile(r"(?<![^\W\d_])(?=[a-z])(?:(?P<a>overall\s+survival)|(?P<b>os)\b|(?P<c>survival))")
    quick = AfterBoundary(starts_gated(rx))
    assert quick.finder is not None
    text = "median overall survival (os) and 1-year survival; xsurvival, os2 os"
    for pos in range(len(text) + 1):
        for endpos in (pos, pos + 9, len(text)):
            want = [(m.span(), m.lastgroup) for m in rx.finditer(text, pos, endpos)]
            assert [(m.span(), m.lastgroup) for m in quick.finditer(text, pos, endpos)] == want
