"""fastre: the quick forms give the same answers as the patterns they stand for."""

from __future__ import annotations

import re

from evidencebot.extract import lexicon as lx
from evidencebot.extract.fastre import Anchored, AtLineStarts, literal_starts

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
