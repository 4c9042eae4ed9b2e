"""The spaCy pipeline: blank English, our tokenizer rules, registered versioned components.

`evidencebot.regimens.v1` marks regimen mentions with a PhraseMatcher built from the
protocol's regimen dictionary (case-insensitive, longest spelling wins); the rule set named
by `protocol.extract.rules` (e.g. `evidencebot.survival_rules.v1`) then reads outcomes,
hazard ratios and toxicities and leaves them on `doc._.extraction`, with every mention in
`doc.spans["evidencebot"]` (labels ENDPOINT, RATE, CI, HR, OUTCOME, TOX, REGIMEN).
"""

from __future__ import annotations

import functools
import re

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex

from evidencebot.extract.rules_v1 import SurvivalRulesV1


@spacy.registry.misc("evidencebot.survival_rules.v1")
def survival_rules_v1():
    """Rule set v1 (see rules_v1.py). A change in behaviour is registered as `.v2`."""
    return SurvivalRulesV1


def known_rule_sets() -> list[str]:
    return sorted(n for n in spacy.registry.misc.get_all() if n.startswith("evidencebot.survival_rules."))


if not Doc.has_extension("extraction"):
    Doc.set_extension("extraction", default=None)
if not Doc.has_extension("regimen_spans"):
    Doc.set_extension("regimen_spans", default=None)
if not Doc.has_extension("title"):
    Doc.set_extension("title", default="")

# Split numbers from the punctuation that CIs, ranges and p values are written with:
# "95%CI:2.1-4.0" -> 95 % CI : 2.1 - 4.0 ; "HR=0.56" -> HR = 0.56 ; "grade≥3" -> grade ≥ 3
_INFIXES = [
    r"[\-\u2010\u2011\u2012\u2013\u2014\u2212/+:;=<>\u2264\u2265\u00b1,~()\[\]%]",
]
# tokenizer exceptions: abbreviations that end in a dot but do not end a sentence
_EXCEPTIONS = ["vs.", "e.g.", "i.e.", "et al.", "approx.", "mo.", "mos.", "no.", "Fig.", "resp."]


def make_tokenizer(nlp: Language) -> None:
    d = nlp.Defaults
    # infixes only: splitting inside tokens covers "95%CI:2.1-4.0" and "grade≥3"; custom
    # prefix/suffix rules cost a third more time for no change on our corpus
    nlp.tokenizer.infix_finditer = compile_infix_regex([*d.infixes, *_INFIXES]).finditer
    for exc in _EXCEPTIONS:
        if " " in exc:
            continue
        nlp.tokenizer.add_special_case(exc, [{"ORTH": exc}])


@Language.factory("evidencebot_regimens", default_config={"synonyms": []})
def make_regimen_matcher(nlp: Language, name: str, synonyms: list[list[str]]):
    return RegimenMatcher(nlp, synonyms)


class RegimenMatcher:
    def __init__(self, nlp: Language, synonyms: list[list[str]]):
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.family_of: dict[str, str] = {}
        for family, syn in synonyms:
            key = f"{family}\x00{syn}"
            self.family_of[key] = family
            self.matcher.add(key, [nlp.make_doc(syn)])
        self.vocab = nlp.vocab

    def __call__(self, doc: Doc) -> Doc:
        doc._.regimen_spans = self.find(doc)
        return doc

    def find(self, doc: Doc) -> list[tuple[int, int, str]]:
        found = []
        for match_id, start, end in self.matcher(doc):
            found.append((start, end, self.family_of[self.vocab.strings[match_id]]))
        # longest first, then leftmost; drop overlaps; require word boundaries in the text
        found.sort(key=lambda t: (-(t[1] - t[0]), t[0]))
        taken: list[tuple[int, int]] = []
        out = []
        text = doc.text if found else ""
        for start, end, fam in found:
            if any(start < e and s < end for s, e in taken):
                continue
            a = doc[start].idx
            last = doc[end - 1]
            b = last.idx + len(last)
            if (a > 0 and (text[a - 1].isalnum() or text[a - 1] == "-")) or (
                b < len(text) and text[b].isalnum()
            ):
                continue
            taken.append((start, end))
            out.append((a, b, fam))
        out.sort()
        return out


@Language.factory(
    "evidencebot_survival", default_config={"rules": "evidencebot.survival_rules.v1", "synonyms": []}
)
def make_survival(nlp: Language, name: str, rules: str, synonyms: list[list[str]]):
    rule_class = spacy.registry.misc.get(rules)()
    return SurvivalComponent(rule_class([(f, s) for f, s in synonyms]))


class SurvivalComponent:
    def __init__(self, rules):
        self.rules = rules

    def __call__(self, doc: Doc) -> Doc:
        regimen_spans = doc._.regimen_spans or []
        title_spans = doc._.title_regimen_spans if Doc.has_extension("title_regimen_spans") else None
        extraction, mentions = self.rules.extract(doc.text, regimen_spans, doc._.title, title_spans)
        doc._.extraction = extraction
        spans = []
        for m in mentions:
            sp = doc.char_span(m.start, m.end, label=m.label, alignment_mode="expand")
            if sp is not None:
                spans.append(sp)
        for a, b, fam in regimen_spans:
            sp = doc.char_span(a, b, label="REGIMEN", kb_id=fam, alignment_mode="expand")
            if sp is not None:
                spans.append(sp)
        doc.spans["evidencebot"] = spans
        return doc


if not Doc.has_extension("title_regimen_spans"):
    Doc.set_extension("title_regimen_spans", default=None)


@functools.lru_cache(maxsize=8)
def _build(rules: str, synonyms: tuple[tuple[str, str], ...]) -> Language:
    if rules not in known_rule_sets():
        from evidencebot.errors import ProtocolError

        raise ProtocolError(
            f"[extract] rules = {rules!r} is not a known rule set; choose one of {known_rule_sets()}"
        )
    nlp = spacy.blank("en")
    make_tokenizer(nlp)
    syn = [[f, s] for f, s in synonyms]
    nlp.add_pipe("evidencebot_regimens", config={"synonyms": syn})
    nlp.add_pipe("evidencebot_survival", config={"rules": rules, "synonyms": syn})
    return nlp


def build_nlp(protocol) -> Language:
    """The pipeline for this protocol's rule set and regimen dictionary (built once, cached)."""
    return _build(protocol.extract.rules, tuple(protocol.regimen_synonyms()))


def span_text(doc: Doc, label: str) -> list[Span]:
    return [s for s in doc.spans.get("evidencebot", []) if s.label_ == label]


_WS = re.compile(r"\s+")
