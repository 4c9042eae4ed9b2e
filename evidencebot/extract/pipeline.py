"""The spaCy pipeline: blank English, our tokenizer rules, registered versioned components.

The tokenizer only tokenises *candidate* sentences (a number and a survival, hazard-ratio or
toxicity cue); the rest of the abstract is never tokenised. When every sentence is a candidate
the Doc's text is the input text; otherwise it holds the candidate sentences joined by newlines,
`doc._.source_text` keeps the whole input and `doc._.source_offsets` maps between the two.

`evidencebot_regimens` marks regimen mentions in the whole input with one regular expression
built (as a prefix trie) from the protocol's regimen dictionary (case-insensitive, longest
spelling wins); the rule set named by `protocol.extract.rules` (e.g.
`evidencebot.survival_rules.v1`) then reads outcomes, hazard ratios and toxicities on
character offsets of the whole input and leaves them on `doc._.extraction`, with every mention
that falls in a candidate sentence in `doc.spans["evidencebot"]` (labels ENDPOINT, RATE, CI,
HR, OUTCOME, TOX, REGIMEN).

The rules never read tokens, so the extract stage (`extract_abstract`) runs the two components
on the text through `components(protocol)` and skips the tokenizer; `nlp(text)` gives the same
extraction plus the mentions as spans, for display and for tests that check spans.
"""

from __future__ import annotations

import functools
import re

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import compile_infix_regex

from evidencebot.extract import lexicon as lx
from evidencebot.extract.fastre import AfterBoundary
from evidencebot.extract.rules_v1 import SurvivalRulesV1, lowered, split_sentences, trie_regex


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
for _ext in ("source_text", "source_offsets", "sentences"):
    if not Doc.has_extension(_ext):
        Doc.set_extension(_ext, default=None)

# A Doc extension without getter or setter lives in doc.user_data under the key spaCy's
# Underscore builds for it; reading and writing it there directly skips building an Underscore
# object per `doc._` (a few microseconds each, a dozen times per abstract). Same values.
K_SOURCE_TEXT = ("._.", "source_text", None, None)
K_SOURCE_OFFSETS = ("._.", "source_offsets", None, None)
K_SENTENCES = ("._.", "sentences", None, None)
K_REGIMEN_SPANS = ("._.", "regimen_spans", None, None)
K_TITLE = ("._.", "title", None, None)
K_TITLE_REGIMEN_SPANS = ("._.", "title_regimen_spans", None, None)
K_EXTRACTION = ("._.", "extraction", None, None)

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


# a sentence worth tokenising and reading: a number (or "not reached") and an outcome cue
_DIGIT = re.compile(r"\d")  # settles _CANDIDATE_NUMBER quickly when it matches
_CANDIDATE_NUMBER = re.compile(r"\d|not\s+(?:yet\s+)?(?:been\s+)?reached|\bN[RE]\b")
_CANDIDATE_CUE = re.compile(
    r"surviv|progression|PFS|OS\b|TTP|DFS|RFS|D[oO]R\b|hazard|HR\b|alive|Grade|grade|respon\w*\s+(?:lasting|lasted)"
    r"|duration\s+of|relapse|recurrence|toxicit|adverse"
)


class CandidateTokenizer:
    """The blank English tokenizer, run only on candidate sentences (offsets kept for mapping back)."""

    def __init__(self, inner):
        self.inner = inner
        self.vocab = inner.vocab

    def __call__(self, text: str) -> Doc:
        sents = split_sentences(text)
        chunks = [
            (a, b)
            for a, b in sents
            if (text.find("surviv", a, b) >= 0 or _CANDIDATE_CUE.search(text, a, b))
            and (_DIGIT.search(text, a, b) or _CANDIDATE_NUMBER.search(text, a, b))
        ]
        if len(chunks) == len(sents):
            doc = self.inner(text)
            offsets = [(0, 0, len(text))]
        else:
            parts, offsets, pos = [], [], 0
            for a, b in chunks:
                offsets.append((pos, a, b - a))
                parts.append(text[a:b])
                pos += b - a + 1
            doc = self.inner("\n".join(parts))
        ud = doc.user_data
        ud[K_SOURCE_TEXT] = text
        ud[K_SOURCE_OFFSETS] = offsets
        ud[K_SENTENCES] = sents
        return doc

    # spaCy calls these when a pipeline is saved or loaded; the inner tokenizer holds the state
    def to_bytes(self, **kwargs):
        return self.inner.to_bytes(**kwargs)

    def from_bytes(self, data, **kwargs):
        self.inner.from_bytes(data, **kwargs)
        return self

    def to_disk(self, path, **kwargs):
        self.inner.to_disk(path, **kwargs)

    def from_disk(self, path, **kwargs):
        self.inner.from_disk(path, **kwargs)
        return self


def source_text(doc: Doc) -> str:
    text = doc.user_data.get(K_SOURCE_TEXT)  # doc._.source_text
    return text if text is not None else doc.text


def to_doc_offsets(doc: Doc, a: int, b: int) -> tuple[int, int] | None:
    """Source-text offsets -> offsets in the Doc's text (None outside the tokenised sentences)."""
    return _to_doc_offsets(doc.user_data.get(K_SOURCE_OFFSETS), a, b)


def _to_doc_offsets(offsets, a: int, b: int) -> tuple[int, int] | None:
    """to_doc_offsets() given doc._.source_offsets (read once per Doc: each `doc._` is costly)."""
    if offsets is None:
        return a, b
    for d0, s0, n in offsets:
        if s0 <= a and b <= s0 + n:
            return a - s0 + d0, b - s0 + d0
    return None


def source_offsets(doc: Doc, span: Span) -> tuple[int, int]:
    """A span's (start_char, end_char) in the input text the Doc was made from."""
    offsets = doc.user_data.get(K_SOURCE_OFFSETS)  # doc._.source_offsets
    if offsets is None:
        return span.start_char, span.end_char
    for d0, s0, n in offsets:
        if d0 <= span.start_char and span.end_char <= d0 + n:
            return span.start_char - d0 + s0, span.end_char - d0 + s0
    return span.start_char, span.end_char


@Language.factory("evidencebot_regimens", default_config={"synonyms": []})
def make_regimen_matcher(nlp: Language, name: str, synonyms: list[list[str]]):
    return RegimenMatcher(nlp, synonyms)


class RegimenMatcher:
    """Regimen mentions from the protocol dictionary: one case-insensitive trie regex, longest first."""

    def __init__(self, nlp: Language, synonyms: list[list[str]]):
        self.family_of: dict[str, str] = {}
        for family, syn in synonyms:
            self.family_of.setdefault(_WS.sub(" ", syn.lower()), family)
        # a spelling with a space is also found hyphenated ("nanoliposomal-irinotecan")
        self._spaced = {}
        for syn, family in self.family_of.items():
            if " " in syn:
                self._spaced.setdefault(syn.replace("-", " "), family)
        self.regex = (
            lx.CI(r"(?<![\w\-])(?:" + trie_regex(self.family_of, space=r"[\s\-]+") + r")(?![\w])")
            if self.family_of
            else None
        )
        # its matches in lowered text, looked for after the characters that may stand before one
        self._at = AfterBoundary(self.regex.low) if self.regex is not None and self.regex.low else None

    def __call__(self, doc: Doc) -> Doc:
        doc.user_data[K_REGIMEN_SPANS] = self.find_text(source_text(doc))  # doc._.regimen_spans
        return doc

    def find(self, doc: Doc) -> list[tuple[int, int, str]]:
        return self.find_text(source_text(doc))

    def find_text(self, text: str) -> list[tuple[int, int, str]]:
        if self.regex is None or not text:
            return []
        found = []
        low = lowered(text)  # lx.lower_text(text), kept for the rules
        if low is None or self._at is None:
            matches = self.regex.finditer(text, low)
        else:
            matches = self._at.finditer(low)  # the same matches as self.regex.finditer(text, low)
        for m in matches:
            # The case-insensitive match can meet letters whose lower case is longer (the
            # dotted capital I lowers to i + a combining dot): drop the dot, and skip a match
            # that still names no synonym rather than fail on it.
            said = _WS.sub(" ", m.group(0).lower()).replace("\u0307", "")
            family = self.family_of.get(said)
            if family is None:
                family = self._spaced.get(said.replace("-", " "))
            if family is not None:
                found.append((m.start(), m.end(), family))
        return found


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
        ud = doc.user_data  # the doc._ extensions (see K_SOURCE_TEXT)
        regimen_spans = ud.get(K_REGIMEN_SPANS) or []
        title_spans = ud.get(K_TITLE_REGIMEN_SPANS)
        text = ud.get(K_SOURCE_TEXT)
        extraction, mentions = self.rules.extract(
            text if text is not None else doc.text,
            regimen_spans,
            ud.get(K_TITLE, ""),
            title_spans,
            sents=ud.get(K_SENTENCES),
        )
        ud[K_EXTRACTION] = extraction
        spans = []
        offsets = ud.get(K_SOURCE_OFFSETS)
        for start, end, label, kb in [(m.start, m.end, m.label, "") for m in mentions] + [
            (a, b, "REGIMEN", fam) for a, b, fam in regimen_spans
        ]:
            at = _to_doc_offsets(offsets, start, end)
            sp = doc.char_span(at[0], at[1], label=label, kb_id=kb, alignment_mode="expand") if at else None
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
    nlp.tokenizer = CandidateTokenizer(nlp.tokenizer)
    syn = [[f, s] for f, s in synonyms]
    nlp.add_pipe("evidencebot_regimens", config={"synonyms": syn})
    nlp.add_pipe("evidencebot_survival", config={"rules": rules, "synonyms": syn})
    return nlp


_BY_PROTOCOL: dict[int, tuple[object, str, Language]] = {}


def build_nlp(protocol) -> Language:
    """The pipeline for this protocol's rule set and regimen dictionary (built once, cached).

    The last few protocol objects are remembered (with the rule set they named) so that a call
    per abstract does not re-sort the regimen dictionary."""
    hit = _BY_PROTOCOL.get(id(protocol))
    if hit is not None and hit[0] is protocol and hit[1] == protocol.extract.rules:
        return hit[2]
    nlp = _build(protocol.extract.rules, tuple(protocol.regimen_synonyms()))
    if len(_BY_PROTOCOL) > 8:
        _BY_PROTOCOL.clear()
    _BY_PROTOCOL[id(protocol)] = (protocol, protocol.extract.rules, nlp)
    return nlp


def components(protocol) -> tuple[RegimenMatcher, object]:
    """The protocol pipeline's regimen matcher and rule set, for reading text without a Doc."""
    nlp = build_nlp(protocol)
    return nlp.get_pipe("evidencebot_regimens"), nlp.get_pipe("evidencebot_survival").rules


def span_text(doc: Doc, label: str) -> list[Span]:
    return [s for s in doc.spans.get("evidencebot", []) if s.label_ == label]


_WS = re.compile(r"\s+")
