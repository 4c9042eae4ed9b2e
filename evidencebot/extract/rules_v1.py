"""Rule set v1: from sentences to outcome statements, hazard ratios and toxicities.

The spaCy component (`evidencebot.survival_rules.v1`, see pipeline.py) tokenises and finds
the regimen mentions; this module does the rest on character offsets, sentence by sentence:

1. mentions: endpoints and rate anchors ("12-month OS rate"), other time concepts that are
   *not* endpoints (follow-up, age, treatment duration, ...), CIs, hazard ratios, p values;
2. values: every number or "not reached" with its unit, attached CI, and the list it is in
   ("3.1 and 6.3 months"), units shared across a list;
3. assembly: each value is tied to its nearest preceding anchor (or, with "respectively", to
   the matching member of an anchor list), to an arm (adjacent mention, "respectively" list,
   or the study's arm order for "7.1 vs 1.4 months"), and to a subgroup cue.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass, field

from evidencebot.extract import lexicon as lx
from evidencebot.extract.agents import (
    ABBREVIATIONS,
    AGENT_PLURALS,
    AGENTS,
    AGENTS_OF,
    N_AGENTS,
    cytotoxic_core,
)
from evidencebot.extract.fastre import (
    AfterBoundary,
    Anchored,
    AnyMatch,
    AtLineStarts,
    EndsWithWord,
    Gated,
    StartScan,
    literal_heads,
    prefix_trie,
    required_literals,
    required_part,
    starts_gated,
    starts_gated_ci,
)
from evidencebot.extract.model import Extraction, HazardRatio, Outcome, Toxicity

_ABBREV_END = re.compile(
    r"(?:\bvs|\be\.g|\bi\.e|\bal|\bapprox|\bno|\bfig|\bca|\bcf|\bresp|\bv|\bmo|\bmos|\bref)\.$", re.I
)
# = r"\n+|(?<=[.!?])\s+(?=[A-Z(\[0-9])", written to start with one whitespace character so that
# `re` skips ahead to the next whitespace instead of trying every position
# (a sentence may also start in lower case after a closing parenthesis: "... P = .11). nal-IRI ...")
_SENT_BREAK = re.compile(r"\s(?:(?<=\n)\n*|(?<=[.!?]\s)\s*(?=[A-Z(\[0-9])|(?<=\)\.\s)\s*(?=[a-z]))")
# where a _SENT_BREAK match can start (while it reads as here): at a newline, or at the character
# after a '.', '!' or '?'; those are few, and str.find reaches them sooner than re's scan
_SENT_BREAK_AFTER = (
    ".!?"
    if _SENT_BREAK.pattern == r"\s(?:(?<=\n)\n*|(?<=[.!?]\s)\s*(?=[A-Z(\[0-9])|(?<=\)\.\s)\s*(?=[a-z]))"
    else None
)
_SECTION = re.compile(r"^\s*([A-Z][A-Za-z ,&/]{2,60}):\s")
_EP_RE = lx.CI(
    r"(?<![^\W\d_])(?=[a-z])(?:"
    + "|".join(f"(?P<L{i}>{p})" for i, (_, p) in enumerate(lx.ENDPOINT_LONG))
    + ")"
)
_EP_ABBR_RE = re.compile(
    r"\b(?=[mrOPTDRpo])(?:" + "|".join(f"(?P<A{i}>{p})" for i, (_, p) in enumerate(lx.ENDPOINT_ABBR)) + ")"
)
# texts one of which every endpoint mention holds (lowered text / as written): a sentence with
# none of them has none (None: no such test)
_EP_WORDS = required_literals(_EP_RE.low.pattern) if _EP_RE.low is not None else None
_EP_ABBR_WORDS = required_literals(_EP_ABBR_RE.pattern, _EP_ABBR_RE.flags)
# _EP_ABBR_RE's matches, looked for after the characters that may stand before one
_EP_ABBR_AT = AfterBoundary(_EP_ABBR_RE)
_OTHER_RE = lx.CI(r"(?<![^\W\d_])(?=[a-z])(?:" + "|".join(lx.OTHER_ANCHORS) + ")")
# the same matches on lowered text, found faster: each starts after a character that is not a
# letter, with one of a few words (fastre.AfterBoundary of fastre.starts_gated)
_EP_SCAN = AfterBoundary(starts_gated(_EP_RE.low)) if _EP_RE.low is not None else None
_OTHER_SCAN = AfterBoundary(starts_gated(_OTHER_RE.low)) if _OTHER_RE.low is not None else None


def _scan(ci: lx.CI, scan: StartScan | AfterBoundary | None, text: str, low: str | None, *pos: int):
    """ci.finditer(text, low, *pos), through `scan` (a StartScan or AfterBoundary of ci.low) on
    lowered text."""
    if low is None or scan is None:
        return ci.finditer(text, low, *pos)
    return scan.finditer(low, *pos)


_RATE_RES = (lx.RATE_PRE_RE, lx.RATE_POST_RE, lx.RATE_STATE_RE, lx.RATE_AT_ALIVE_RE)
# "12-month OS rate": a RATE_PRE_RE match holds unit, dash or space, endpoint (and a noun); that
# core is found quickly (on its first letters), and only ~1 sentence in 9 with a unit has one
_RATE_PRE_CORE = (
    lx.CI(rf"{lx.TP_UNIT}[\s\-\u2010\u2013]+{lx.EP_FOR_RATE}")
    if required_part(lx.RATE_PRE_RE.pattern, rf"(?P<tpu>{lx.TP_UNIT})[\s\-\u2010\u2013]+{lx.EP_FOR_RATE}")
    else None
)
# the same as lx.CI twins (faster on lowered text), each with the texts one of which a
# sentence needs for a match (read from the pattern, fastre.required_literals); RATE_PRE_RE
# also tried only where its core is
_RATE_CIS = tuple(
    (ci, core, required_literals(ci.low.pattern) if ci.low is not None else None)
    for ci, core in zip(
        (lx.CI(rx.pattern, rx.flags & ~re.I) for rx in _RATE_RES),
        (_RATE_PRE_CORE, None, None, None),
        strict=True,
    )
)
# the same matches of the rate patterns without a core test, on lowered text: looked for after
# the characters that may stand before one, where a word they start with starts
# (fastre.AfterBoundary of fastre.starts_gated)
_RATE_SCAN = {
    ci: AfterBoundary(starts_gated(ci.low))
    for ci, core, _ in _RATE_CIS
    if core is None and ci.low is not None
}
_TOX_EVENT_RE = re.compile(
    r"\b(?=[a-z])(?:" + "|".join(f"(?P<T{i}>{p})" for i, (_, p) in enumerate(lx.TOX_EVENTS)) + r")\b", re.I
)
# the same matches, with the words an event starts with looked for first (fastre.starts_gated)
_TOX_EVENT_SCAN = starts_gated(_TOX_EVENT_RE)
# bool(lx.EXCLUDED_PRECEDING_RE.search(...)), settled first on the window's last word
_EXCLUDED_PRECEDING = EndsWithWord(lx.EXCLUDED_PRECEDING_RE)
_GAP_BLOCK = re.compile(r"\b(?:cycles?|doses?)\b", re.I)
# between two endpoints of one list: "median survival time and time to tumour progression", "time to
# progression after S-1 treatment and survival after ..."
_ANCHOR_GAP_RE = re.compile(
    r"\s*(?:times?|rates?|estimates?)?(?:\s+(?:after|from|following|since)\s+[^,;.]{1,40}?)?"
    r"\s*(?:,|and|,\s*and)\s*(?:the\s+)?(?:median\s+)?",
    re.I,
)
_GLUED_UNIT_RE = re.compile(
    # ("5.8m in the X group": a lone m glued to a decimal is months, as "mg/m2" never is)
    r"(?<![\w.\u00b7/\-])(\d+(?:[.\u00b7]\d+)?)(?=(?:months?|mos?|weeks?|days?|years?)\b|(?<=\d[.\u00b7]\d)m(?![\w/\u00b2]))"
)
_CHANGE_OF_RE = re.compile(
    r"\b(?:change|reduction|increase|decrease|improvement|difference|gain)\s+(?:of|by)\s+(?:about\s+|approximately\s+)?$",
    re.I,
)
_AND_BEFORE_RE = re.compile(r"\band\s+$", re.I)
_RANGE_AFTER_RE = re.compile(r"\s*[(\[]\s*(?:range|IQR|interquartile\s+range)\b[^()\[\]]{0,40}[)\]]", re.I)
_AND_WITHOUT_RE = re.compile(r"and\s+without\s+(.+)", re.I)
# "18.4 ± 3.1 months", "18.4+/-3.1 months": a standard deviation or error, part of its value
_PLUS_MINUS_RE = re.compile(r"\s*(?:\u00b1|\+\s*/\s*[\-\u2212]|\+[\-\u2212])\s*\d+(?:[.\u00b7]\d+)?")
_COMPARE_CONNECTOR_RE = re.compile(r"\s*,?\s*(?:against|compared\s+(?:with|to)|versus|vs\.?)\s*", re.I)
_SLASH_SECOND_RE = re.compile(r"(?<=\d[.\u00b7]\d/)(\d+[.\u00b7]\d+)(?![\w\u00b7/]|[.\u00b7]\d)")
_VS_BEFORE_RE = re.compile(r"\b(?:vs\.?|versus)\s*$", re.I)
_BETWEEN_ARMS_RE = re.compile(
    r"between\s+(?:the\s+)?(?:patients|those|participants|groups?|arms?|cohorts?)?\s*"
    r"(?:who\s+(?:received|were\s+(?:treated|given)\s+(?:with)?|underwent)|treated\s+with|receiving|given)?"
    r"\s*(?:the\s+)?",
    re.I,
)
# between compared numbers and the arms they belong to, named in the same order right after
# them: " (HR 0.79; p = 0.10) for ", " in patients treated with ", ", among the "
_ARMS_AFTER_PAIR_RE = re.compile(
    r"\s*(?:[(\[][^()\[\]]*[)\]]\s*)?,?\s*(?:for|in|with|among|on)\s+(?:the\s+)?"
    r"(?:(?:patients|those|participants)\s+)?"
    r"(?:who\s+(?:received|were\s+(?:treated|given)\s+(?:with)?|underwent)\s+|treated\s+with\s+|receiving\s+|given\s+)?"
    r"(?:the\s+)?",
    re.I,
)
# between two arms named in a row: " or ", "-based adjuvant chemotherapy or ", ", and "
_ARM_PAIR_GAP_RE = re.compile(
    r"(?:[\s\-]*based)?(?:\s+[\w\-]+){0,2}?\s*(?:,|,?\s*or|,?\s*and|vs\.?|versus)\s*(?:the\s+)?"
    r"(?:(?:those|patients|participants)\s+(?:who\s+(?:received|were\s+treated\s+with)|treated\s+with|given|receiving)\s+)?",
    re.I,
)
_AGE_GROUP_RE = re.compile(
    r"(?:non[\s\-]*)?(?:elderly|older|younger|old|young)(?:\s+(?:adult|patient)s?)?\s+(?:group|cohort|arm)s?",
    re.I,
)
# rates named without their endpoint (carried from the sentence before): "Rates at 12 and 24
# months", "the 6- and 12-month rates"
_CARRIED_RATES_AT_RE = re.compile(
    rf"\brates?\s+(?:at|after)\s+(?P<tps>{lx.TP}(?:\s*(?:,\s*(?:and|or)?|and|or)\s*{lx.TP})*)"
    rf"\s*[\-\u2010]?\s*(?P<tpu>{lx.TP_UNIT})\b",
    re.I,
)
_CARRIED_RATES_PRE_RE = re.compile(
    rf"(?<![\w\-])(?P<tps>{lx.TP}(?:\s*[\-\u2010]?\s*(?:,|and|or)\s*{lx.TP})*)"
    rf"\s*[\-\u2010]\s*(?P<tpu>{lx.TP_UNIT})\s+"
    r"(?:survival\s+)?rates?\b",
    re.I,
)
_TWO_GROUP_ROLES = frozenset(
    {"chemotherapy", "control", "placebo", "monotherapy", "combination", "experimental", "doublet", "triplet"}
)
_TWO_GROUPS_RE = re.compile(
    r"\b(?:in|for|of|between|to)\s+the\s+(?P<a>[A-Za-z][\w\-+/]*(?:\s+[\w\-+/]+){0,2}?)\s+and\s+"
    r"(?P<b>[A-Za-z][\w\-+/]*(?:\s+[\w\-+/]+){0,2}?)\s+(?:groups|arms|cohorts)\b",
    re.I,
)
_EACH_AFTER_RE = re.compile(r"\s*,?\s*each\b", re.I)
_BANDS_RE = re.compile(
    r"(?P<bands>[<>\u2264\u2265]=?\s*\d+(?:\s*(?:,|and|or|vs\.?|versus)\s*[<>\u2264\u2265]=?\s*\d+)+)"
    r"\s*(?P<unit>years?|yrs?)",
    re.I,
)
_BAND_SPLIT_RE = re.compile(r"\s*(?:,|\band\b|\bor\b|\bvs\.?|\bversus\b)\s*", re.I)
# between arms listed at a sentence's head: "X (n = 51) and Y", "X, Y and Z"
_AND_LIST_RE = re.compile(r"(?:\s*\([^()]{0,20}\))?\s*(?:,|,?\s*and|,?\s*or)\s*(?:the\s+)?", re.I)
_GAIN_LEAD = re.compile(
    r"\b(?:improvement|gain|difference|increase|extension|benefit|prolongation)\s+(?:in|of)\s+(?:the\s+)?"
    r"(?:median\s+)?$",
    re.I,
)
# "an improvement of 2.1 months", "a gain in median OS of 1.4 months": a difference, not a median -
# but "no gain from nal-IRI (6.9 versus 8.2 months)" names medians
_GAIN_BEFORE = re.compile(
    r"\b(?:improvement|gain(?:ed)?|difference|increase|extension|benefit|prolonged\s+by|extended\s+by|improved\s+by)\b"
    r"(?:\s+(?:in|of)\s+(?:the\s+)?(?:median\s+)?(?:[\w\-]+\s+){0,3}?)?\s*(?:of|by|was|were|is|:|=)?\s*"
    r"(?:about|approximately|nearly|only|just|~)?\s*$",
    re.I,
)
_PEOPLE = r"(?:patients|participants|subjects|people|adults|cases|individuals)"
_PEOPLE_AFTER_RE = re.compile(rf"\s+{_PEOPLE}\b", re.I)
_N_ADJ = (
    r"(?:(?:eligible|evaluable|consecutive|enrolled|randomi[sz]ed|adult|previously\s+treated|pretreated|"
    r"Japanese|Chinese|Korean|European|additional)\s+)*"
)
_N_PER_ARM_TAIL = lx.CI(r"\s+(?:patients\s+)?(?:per|in\s+each|each)\s+(?:arm|group|cohort)\b")
# in every _N_PER_ARM_TAIL match (while it reads as here) and found quickly: a test before it
_N_PER_ARM_CORE = (
    lx.CI(r"(?:per|each)\s+(?:arm|group|cohort)\b")
    if _N_PER_ARM_TAIL.ci.pattern == r"\s+(?:patients\s+)?(?:per|in\s+each|each)\s+(?:arm|group|cohort)\b"
    else None
)
# tried only where "per" or "each" starts (re would try it at every "p" and "e" of the text)
_N_PER_ARM_CORE_AT = Anchored(_N_PER_ARM_CORE) if _N_PER_ARM_CORE is not None else None
_N_COUNT_END = lx.CI(rf"(?<![\w.,])(?P<n>{lx.COUNT})$")
# the same, tried only where a digit or a number word starts (fastre.starts_gated)
_N_COUNT_END_AT = starts_gated_ci(_N_COUNT_END)


def _n_per_arm(text: str) -> int | None:
    """'(60 per arm)', '45 patients in each group'."""
    low = lowered(text)
    if _N_PER_ARM_CORE_AT is not None and _N_PER_ARM_CORE_AT.search(text, low) is None:
        return None
    for m in _N_PER_ARM_TAIL.finditer(text, low):
        c = _N_COUNT_END_AT.search(text, low, max(0, m.start() - 40), m.start())
        if c:
            return lx.parse_count(c.group("n"))
    return None


_RANDOMISED_RE = lx.CI(r"\brandomi[sz]|\ballocated\b|\bassigned\b|\bversus\b|\bvs\.?\b|\bcompared\s+with\b")
_ALLOCATION_RE = lx.CI(r"randomi[sz]\w*|allocated|assigned")
# _RANDOMISED_RE's first match found with str.find (each starts with one of its words, "vs"
# two letters long: fastre.Anchored); _ALLOCATION_RE tried only where the text holds one of its
# words (fastre.Gated)
_RANDOMISED_AT = Anchored(_RANDOMISED_RE, min_len=2)
_ALLOCATION_GATED = Gated(_ALLOCATION_RE)
_BACKGROUND_WORD = lx.CI(
    r"\b(?=[afprseAFPRSE])(?:after|following|prior|previous(?:ly)?|(?<!to\s)(?<!free\s)progress\w*\s+(?:on|after|with|during)|refractory\s+to|failure\s+of|failed|"
    r"first[\s\-]line|pretreated\s+with|resistant\s+to|exposed\s+to|standard|adjuvant)\b"
)
# the same, tried only where one of its words starts ("after", "prior", "refractory", ...)
_BACKGROUND_WORD_AT = Anchored(_BACKGROUND_WORD)
_BG_CACHE: dict[str, list[tuple[int, int]]] = {}


_BACKGROUND_SECTION_RE = re.compile(
    r"^[ \t]*(?:background|introduction|purpose|objectives?|aims?|rationale|context|importance"
    r"|methods?|materials?\s+and\s+methods|patients\s+and\s+methods|design|study\s+design)"
    r"(?:\s+(?:and|&)\s+\w+(?:\s+\w+)?)?[ \t]*:",
    re.I | re.M,
)


# the same, tried only at the start of each line (fastre.AtLineStarts)
_BACKGROUND_SECTION_AT = AtLineStarts(_BACKGROUND_SECTION_RE)


_NEXT_SECTION_RE = re.compile(
    # (a label may follow the full stop with no space: "... need further exploration.Results: ...")
    r"(?:(?<=[.!?)]\s)|(?<=[.!?)]))(?:results?|findings|conclusions?|interpretation|measurements?\s+and\s+(?:main\s+)?results)"
    r"(?:\s+(?:and|&)\s+\w+)?\s*:",
    re.I,
)


def _background_sections(text: str) -> list[tuple[int, int]]:
    """Character ranges of the lines labelled Background / Introduction / Purpose / Aims ...
    (PubMed's structured abstracts come one labelled section per line)."""
    if ":" not in text:
        return []
    out = []
    for m in _BACKGROUND_SECTION_AT.finditer(text):
        end = text.find("\n", m.end())
        end = len(text) if end < 0 else end
        # labels written inline: "Background: ... . Methods: ..."
        nxt = _NEXT_SECTION_RE.search(text, m.end(), end)
        out.append((m.start(), nxt.start() if nxt else end))
    return out


_INTRO_LABEL_RE = re.compile(
    r"^[ \t]*(?:background|introduction|purpose|objectives?|aims?|rationale|context|importance)[ \t]*(?::|$)",
    re.I | re.M,
)
# one of these is in every _INTRO_LABEL_RE match (lowered)
_INTRO_WORDS = (
    "background", "introduction", "purpose", "objective", "aim", "rationale", "context", "importance"
)
_NEXT_LABEL_RE = re.compile(r"^[ \t]*[A-Z][A-Za-z ,&/]{2,40}[ \t]*(?::|$)", re.M)
# the same matches, tried at line starts only (fastre.AtLineStarts)
_INTRO_LABEL_AT = AtLineStarts(_INTRO_LABEL_RE)
_NEXT_LABEL_AT = AtLineStarts(_NEXT_LABEL_RE)


def _intro_sections(text: str) -> list[tuple[int, int]]:
    """Character ranges of the Background / Introduction / Purpose ... sections (a label line
    'BACKGROUND: ...', or a label alone on its line), each up to the next labelled line."""
    if "\n" not in text and ":" not in text:
        return []
    low = lowered(text) or text.lower()
    if not any(w in low for w in _INTRO_WORDS):
        return []
    out = []
    for m in _INTRO_LABEL_AT.finditer(text):  # _INTRO_LABEL_RE.finditer(text)
        line_end = text.find("\n", m.end())
        if line_end < 0:
            out.append((m.start(), len(text)))
            continue
        nxt = _NEXT_LABEL_AT.search(text, line_end + 1)  # _NEXT_LABEL_RE.search(text, line_end + 1)
        out.append((m.start(), nxt.start() if nxt else len(text)))
    return out


def _background(text: str, start: int, lo: int = 0) -> bool:
    """A treatment mentioned as background ("after gemcitabine", "refractory to ..."): a cue word
    starting at most 60 characters before it, ending at most 40 before it, no '.' or ';' between."""
    cues = _BG_CACHE.get(text)
    if cues is None:
        if len(_BG_CACHE) > 8:
            _BG_CACHE.clear()
        cues = _BG_CACHE[text] = [
            (m.start(), m.end()) for m in _BACKGROUND_WORD_AT.finditer(text, lowered(text))
        ]
    w0 = max(lo, start - 60)
    # (cues are in order of start: the first that may count is found by bisection)
    for cs, ce in itertools.islice(cues, bisect.bisect_left(cues, (w0,)), None):
        if cs >= start:
            break
        if ce <= start and start - ce <= 40 and not _RX13.search(text[ce:start]):
            if _SURVIVAL_BEFORE_RE.search(text, max(0, cs - 30), cs):
                continue  # "progression-free survival after DEBIRI": the treatment, not a history
            return True
    return False


_SURVIVAL_BEFORE_RE = re.compile(
    r"(?:surviv\w*|\bPFS|\bOS|\bTTP|progression)\s*(?:\([A-Z]{2,4}\)\s*)?$", re.I
)


_RATE_CONT_RE = re.compile(
    rf"\b(?:and\s+|while\s+|whereas\s+)?(?:at|by|after)\s+(?P<tps>{lx.TP}(?:\s*(?:,|and|or)\s*{lx.TP})*)\s*[\-\u2010]?\s*"
    rf"(?P<tpu>{lx.TP_UNIT})\b",
    re.I,
)
_RATE_CONT_CI = lx.CI(_RATE_CONT_RE.pattern, _RATE_CONT_RE.flags & ~re.I)  # its lowercase twin
_SENT_CUE = lx.CI(
    r"surviv|progress|free|PFS|OS\d?\b|TTP|DFS|RFS|D[oO]R\b|hazard|HR|alive|respon|duration|median|Median|correspond"
    r"|time\s+to|rate|lasting|lasted|EFS|\bNR\b|reached|\bit\s+was|\bthey\s+were"
)
_SENT_CUE_ANY = AnyMatch(_SENT_CUE)  # bool(_SENT_CUE.search(...)) with `in` tests for its words
_HAS_NUMBER = re.compile(r"\d|not\s+(?:yet\s+)?(?:been\s+)?reached|\bN[RE]\b")
_DIGIT_RE = re.compile(r"\d")


def _has_number(sent: str) -> bool:
    """bool(_HAS_NUMBER.search(sent)): a digit settles it (the pattern would match there at the
    latest); without one, a match needs "not" ("not reached") or "NR" / "NE"."""
    if _DIGIT_RE.search(sent) is not None:
        return True
    return ("not" in sent or "NR" in sent or "NE" in sent) and _HAS_NUMBER.search(sent) is not None


# a number written against its unit ("6.41months") has a digit right before m, w, d or y: a
# quick test before _GLUED_UNIT_RE, whose leading lookbehind makes `re` try every position
_GLUED_HINT = re.compile(r"\d[mwdy]")
# a sentence holds an NR_RE match only if it holds one of these ("not", "NR", ...); () = no test
_NR_HEADS = (
    literal_heads(lx.NR_WORDS) or ()
    if lx.NR_RE.pattern == rf"\b(?=[nN])(?:{lx.NR_WORDS})" and not lx.NR_RE.flags & re.I
    else ()
)
_DOSE = (
    r"(?:\(\s*\d[\d.,]*\s*(?:mg|g|mcg|\u00b5g|IU|AUC)[^()]{0,50}\)"
    r"|\d[\d.,]*\s*(?:mg|g|mcg|\u00b5g|IU)(?:\s*/\s*(?:m2|m\u00b2|kg|day|d))*"
    r"(?:\s+(?:on\s+)?days?\s+[\d,\-\u2013 ]+(?:and\s+\d+)?)?"
    r"(?:\s+(?:once|twice)\s+daily)?)"
)
_COMBINE_RE = re.compile(
    rf"^\s*(?:{_DOSE}\s*,?\s*)?(?:\+|plus|with|combined(?:\s+with)?|in\s+combination\s+with|together\s+with|and|/)\s*(?:an?\s+)?$",
    re.I,
)
_FROM_TO_RE = re.compile(r"\s*to\s", re.I)
_COMPARE_RE = re.compile(r"\b(?:vs|versus|compared|than)\b", re.I)
_ALONE_RE = re.compile(r"^\s*(?:alone|monotherapy)\b", re.I)


def _words_after(
    text: str, low: str, word: str, lead: re.Pattern | None = None
) -> dict[int, tuple[int, int]]:
    """Where `word` (lowercase, found with str.find in the lowered text) follows the end of a
    mention, keyed by that end: 'X alone' -> {end of X: (end of X, end of 'alone')}. `lead`, a
    pattern anchored at its end, must match right before the word ('X plus chemotherapy')."""
    out = {}
    i = low.find(word)
    while i >= 0:
        end = i + len(word)
        whole = (not i or not low[i - 1].isalnum()) and (end == len(low) or not low[end].isalnum())
        at = i
        if whole and lead is not None:
            m = lead.search(text, max(0, i - 40), i)
            at = m.start() if m else -1
        if whole and at >= 0:
            while at and text[at - 1].isspace():
                at -= 1
            out[at] = (at, end)
        i = low.find(word, end)
    return out


# between a listed event's rate and the next rate: a new item of the list, named in words this
# lexicon may not know ("), aspartate transaminase increase (")
_TOX_NEW_ITEM = re.compile(r"\)\s*(?:,|;|\band\b)\s*(?:[A-Za-z][\w\-]*\s+){0,5}[A-Za-z][\w\-]*\s*\(\s*$")
_PLURAL_GROUP_RE = re.compile(r"\b(group|arm|cohort)s$", re.I)
_PLACEBO_LIKE = {"placebo", "active symptom control", "observation", "surveillance", "best supportive care"}
# fluorouracil and its modulators, as _combine names them (lower case)
_FLUOROURACIL_NAMES = frozenset(
    {
        "fluorouracil",
        "5-fluorouracil",
        "5-fu",
        "leucovorin",
        "folinic acid",
        "levoleucovorin",
        "5-fu/lv",
        "l-folinic acid",
    }
)
# every acronym's agents (cytotoxic_core), worked out once: _acronym_for compares a combination
# with all of them
_CYTOTOXIC_CORES = {acronym: cytotoxic_core(acronym) for acronym in AGENTS_OF}


@functools.lru_cache(maxsize=4096)
def _family_parts(fam: str) -> frozenset:
    """The agents of a family, lowercased: "FOLFOX + bevacizumab" -> {folfox, bevacizumab}
    (remembered: arm_mentions asks for the same few families again and again)."""
    return frozenset(p.lower() for p in fam.split(" + "))


@dataclass
class Mention:
    label: str
    start: int
    end: int
    value: str = ""
    extra: tuple = ()


@dataclass
class ArmMention:
    start: int
    end: int
    label: str
    family: str
    generic: str = ""  # "experimental"/"control"/letter for arms named by role
    components: frozenset = frozenset()


@dataclass
class Value:
    start: int
    end: int
    value: float | None
    nr: bool
    pct: bool
    unit: str | None = None
    unit_inherited: bool = False
    hyphen_unit: bool = False
    ci: tuple | None = None  # (level, low, high, high_nr, start, end)
    ext_end: int = 0
    group: int = -1
    idx_in_group: int = 0
    arm_before_ci: int = 0  # where "10.5 m for arm B (95% CI ...)" names its arm, before the CI


@dataclass
class Design:
    arms: list[tuple[str, str]] = field(default_factory=list)  # (label, family), experimental first
    single_regimen: str | None = None
    n_total: int | None = None
    n_by_family: dict[str, int] = field(default_factory=dict)
    n_by_label: dict[str, int] = field(default_factory=dict)  # groups named in words: "monotherapy"
    randomised: bool = False
    arm_components: list[frozenset] = field(default_factory=list)
    # lettered or numbered arms bound to a regimen where the text says which is which:
    # "arm A (X, n = 40)", "Arm B received Y", "Y (group 2)" -> {"A": X, "B": Y, "2": Y}
    letter_family: dict[str, str] = field(default_factory=dict)


_WS_RE = re.compile(r"\s+")
_LOWERED: dict[str, str | None] = {}
_NOT_SEEN = object()


def lowered(text: str) -> str | None:
    """lx.lower_text(text) for a whole abstract or title, remembered for the last few texts: the
    regimen matcher, arm_mentions, design, _total_n, extract and _toxicities all read the same
    lowered abstract, and lowering it (with lower_text's safety test) each time added up."""
    low = _LOWERED.get(text, _NOT_SEEN)
    if low is not _NOT_SEEN:
        return low
    if len(_LOWERED) > 8:
        _LOWERED.clear()
    low = _LOWERED[text] = lx.lower_text(text)
    return low


def trie_regex(words, space: str = r"\s+") -> str:
    """One regex alternation for many literal spellings, factored as a prefix trie (much faster
    than a flat alternation); a space matches `space` (any run of whitespace); longer spellings win."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w.lower():
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        alts = [
            (space if ch == " " else re.escape(ch)) + build(sub) for ch, sub in sorted(node.items()) if ch
        ]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + body + ")?"
        return body

    return build(trie)


def _sentence_breaks(text: str):
    """_SENT_BREAK.finditer(text), with the pattern tried only where a match can start."""
    if _SENT_BREAK_AFTER is None:
        yield from _SENT_BREAK.finditer(text)
        return
    starts = []
    n = len(text)
    for ch in _SENT_BREAK_AFTER + "\n":
        at = 0 if ch == "\n" else 1  # a newline starts its match; a '.' is followed by it
        i = text.find(ch)
        while i >= 0:
            # a match starts with white space (\s is str.isspace()): not in "12.5", "e.g."
            if i + at < n and text[i + at].isspace():
                starts.append(i + at)
            i = text.find(ch, i + 1)
    end = 0
    for p in sorted(starts):
        if p >= end and (m := _SENT_BREAK.match(text, p)) is not None:
            yield m
            end = m.end()  # never empty: a match consumes a white-space character


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence (start, end) offsets; never splits after 'vs.', 'e.g.', 'et al.' and the like."""
    out, start = [], 0
    for m in _sentence_breaks(text):
        if m.group(0).strip() == "" and "\n" not in m.group(0):
            if _ABBREV_END.search(text[max(0, m.start() - 8) : m.start()]):
                continue
        if text[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if text[start:].strip():
        out.append((start, len(text)))
    return out


_WORD_OR_HYPHEN = re.compile(r"[\w\-]")
_WORD_CHAR = re.compile(r"\w")


# where a regimen abbreviation ends: not inside a longer word or hyphenation, but "the IRI-arm"
_ABBR_END = r"(?:(?![\w\-])|(?=-(?:arm|group|cohort)s?\b))"


def _matches_after_boundary(core: re.Pattern, text: str):
    r"""Exactly `re.compile(r"(?<![\w\-])" + core.pattern).finditer(text)` (for a core that
    never matches empty), but with the lookbehind tested in Python so that `re` can use the
    literal prefix of `core` to skip ahead."""
    pos = 0
    search, boundary = core.search, _WORD_OR_HYPHEN.match
    while True:
        m = search(text, pos)
        if m is None:
            return
        a = m.start()
        if a and boundary(text, a - 1):
            pos = a + 1
            continue
        yield m
        pos = m.end()


def _overlaps(a: int, b: int, spans: list[tuple[int, int]]) -> bool:
    for s, e in spans:  # a loop, not any(<generator>): this runs for every candidate number
        if a < e and s < b:
            return True
    return False


def _ci_level(m: re.Match) -> float | None:
    lvl = m.group("lvl") or m.group("lvl2")
    return round(lx.parse_num(lvl) / 100, 4) if lvl else None


def _inside(value: float | None, low: float | None, high: float | None, high_nr: bool) -> bool:
    """Whether an interval holds the value (an open end holds everything beyond it)."""
    if value is None or low is None:
        return True
    return low <= value and (high_nr or high is None or value <= high)


def _stray_minus(value: float | None, low: float, high: float | None) -> bool:
    """Whether the '-' of a negative lower bound is a stray hyphen: a normal-approximation
    interval ("6.4 (95% CI -2.1 to 14.9)") is centred on its value, so the bound is read with
    the sign that centres the interval better ("6.90 (95% CI, -6.35 to 7.45)" reads 6.35)."""
    if value is None or high is None:
        return False
    return abs((high - low) / 2 - value) < abs((high + low) / 2 - value)


def _bound(text: str) -> tuple[float | None, bool]:
    if lx.is_nr(text):
        return None, True
    try:
        return lx.parse_num(text), False
    except ValueError:
        return None, True


class SurvivalRulesV1:
    """Stateless after construction; one instance per protocol dictionary (cached by pipeline)."""

    version = "evidencebot.survival_rules.v1"

    def __init__(self, synonyms: list[tuple[str, str]]):
        self.families = {fam for fam, _ in synonyms}
        known = {syn.lower() for _, syn in synonyms}
        extra = [a for a in self._agents() if a.lower() not in known]
        self._agent_re = lx.CI(r"(?<![\w\-])(?:" + trie_regex(extra) + r")(?![\w])") if extra else None
        # its matches in lowered text, looked for after the characters that may stand before one
        self._agent_at = (
            AfterBoundary(self._agent_re.low) if self._agent_re is not None and self._agent_re.low else None
        )
        self._abbr = ABBREVIATIONS
        self._sub_cache_key: tuple[str, int, int] | None = None
        self._sub_cache: list = []
        self._sub_flags: tuple[bool, bool] = (False, False)  # crossover and PS words in the sentence
        fam_of = {syn.lower(): fam for fam, syn in synonyms}
        for a in self._agents():
            fam_of.setdefault(a.lower(), AGENT_PLURALS.get(a, a).lower())
        # "GEM-S-1": regimen shorthand joined by a hyphen (three letters or more, so that words
        # such as "off-label" stay words)
        for abbr, fam in ABBREVIATIONS.items():
            if len(abbr) >= 3 and abbr.upper() != "OFF":
                fam_of.setdefault(abbr.lower(), fam)
        self._fam_of = fam_of
        parts_alt = trie_regex(fam_of)
        # "gemcitabine-cisplatin", "nab-paclitaxel–gemcitabine": two agents joined by a hyphen or dash
        self._hyphen_re = lx.CI(
            rf"(?<![\w\-])(?P<a>{parts_alt})[\-\u2010\u2011\u2013](?P<b>{parts_alt})(?![\w])"
        )
        # the dash and what follows it in every _hyphen_re match (while it reads as here): one
        # quick search of the text (re skips ahead to each dash) before the slower scan
        self._dash_agent = (
            lx.CI(rf"[\-\u2010\u2011\u2013](?:{parts_alt})(?![\w])")
            if self._hyphen_re.ci.pattern
            == rf"(?<![\w\-])(?P<a>{parts_alt})[\-\u2010\u2011\u2013](?P<b>{parts_alt})(?![\w])"
            else None
        )
        self._abbr_re = re.compile(
            r"(?<![\w\-])(?:" + "|".join(re.escape(k) for k in ABBREVIATIONS) + r")" + _ABBR_END
        )
        # the same without its leading lookbehind: a plain alternation of literals, which `re`
        # scans for quickly; _matches_after_boundary() checks the lookbehind itself
        # (as a prefix trie, which re settles on a key's first letters instead of trying the keys
        # one by one: the same key wins at every place unless a key extends another by a
        # character that is not a word character (one that may follow a match, or the hyphen of
        # "-arm"), where the alternation takes the first listed)
        keys = list(ABBREVIATIONS)
        ordered = any(
            b != a and b.startswith(a) and not _WORD_CHAR.match(b[len(a)]) for a in keys for b in keys
        )
        alternation = "(?:" + "|".join(re.escape(k) for k in keys) + ")" if ordered else prefix_trie(keys)
        self._abbr_core = re.compile(alternation + _ABBR_END)

    @staticmethod
    def _agents() -> tuple[str, ...]:
        return AGENTS + tuple(AGENT_PLURALS)

    # ------------------------------------------------------------------ regimens / arms
    def arm_mentions(
        self, text: str, regimen_spans: list[tuple[int, int, str]], generic: bool = True
    ) -> list[ArmMention]:
        """Dictionary mentions (from the PhraseMatcher) plus other agents, merged into arms.
        `generic=False`: only the arms named by a treatment (with a family), for a reader that
        skips the others (the title's arms: design reads only those)."""
        spans = []
        last = -1
        low = lowered(text)
        for hm in _HYPHEN_WORD_AT.finditer(text) if self._hyphen_possible(text, low) else ():
            if hm.start() < last:
                continue
            m = self._hyphen_re.match(text, low, hm.start())
            if m is None:
                continue
            last = m.end()
            fa = self._fam_of.get(_WS_RE.sub(" ", m.group("a").lower()), m.group("a").lower())
            fb = self._fam_of.get(_WS_RE.sub(" ", m.group("b").lower()), m.group("b").lower())
            if fa != fb:
                spans.append((m.start(), m.end(), self._combine(fa, fb)))
        covered = bytearray(len(text) + 1)  # characters already inside a mention

        def free(a: int, b: int) -> bool:
            return covered.find(1, a, b) < 0  # not any(covered[a:b]), without the copy

        def take(a: int, b: int) -> None:
            covered[a:b] = b"\x01" * (b - a)

        for a, b, _ in spans:
            take(a, b)
        for t in regimen_spans:
            if free(t[0], t[1]):
                spans.append(t)
                take(t[0], t[1])
        if self._abbr_re is not None:
            for m in _matches_after_boundary(self._abbr_core, text):
                if free(m.start(), m.end()):
                    spans.append((m.start(), m.end(), self._abbr[m.group(0)]))
                    take(m.start(), m.end())
        if self._agent_re is not None:
            for m in _scan(self._agent_re, self._agent_at, text, low):  # self._agent_re.finditer(text, low)
                if free(m.start(), m.end()):
                    said = m.group(0).lower()
                    spans.append((m.start(), m.end(), self._fam_of.get(said, said)))
                    take(m.start(), m.end())
        spans.sort()
        merged: list[ArmMention] = []
        for s, e, fam in spans:
            if merged:
                prev = merged[-1]
                gap = text[prev.end : s]
                if gap.strip() == "(" and text.startswith(")", e) and _family_parts(fam) <= prev.components:
                    continue  # "ramucirumab plus best supportive care (BSC)": the abbreviation of a part
                comma_list = (
                    gap.strip() == ","
                    and prev.family not in self.families
                    and fam not in self.families
                    # "GEM-S-1, GEM and S-1": an agent already in the list starts another arm;
                    # "CG, CF and FOLFIRINOX": a combination in a comma list is an arm of its own
                    and not _family_parts(fam) <= prev.components
                    and len(_family_parts(fam)) == 1
                    and _RX38.match(text[e : e + 6]) is not None
                )
                if (_COMBINE_RE.match(gap) or comma_list) and "\n" not in gap:
                    joiner = gap.strip().lower()
                    after = text[e : e + 30]
                    # "for regorafenib and placebo": a placebo added is written "plus placebo"
                    two_arms = _RX29.match(after) or (joiner == "and" and "placebo" in (fam, prev.family))
                    if joiner != "and" or not two_arms:
                        merged[-1] = ArmMention(
                            prev.start,
                            e,
                            text[prev.start : e],
                            self._combine(prev.family, fam),
                            components=prev.components | _family_parts(fam),
                        )
                        continue
            merged.append(ArmMention(s, e, text[s:e], fam, components=_family_parts(fam)))
        plus_chemo = _plus_chemotherapy(text, low) if "hemotherapy" in text else {}
        for k, a in enumerate(merged if plus_chemo else ()):
            # "a PD-1 inhibitor plus chemotherapy": an agent added to unnamed chemotherapy is an
            # arm of its own, not the agent alone
            at = plus_chemo.get(a.end)
            if at is not None and a.family and "chemotherapy" not in a.components and free(*at):
                fam = self._combine(a.family, "chemotherapy")
                merged[k] = ArmMention(
                    a.start, at[1], text[a.start : at[1]], fam, components=a.components | {"chemotherapy"}
                )
                take(*at)
        # comparators named by what they are, not by an agent: "versus chemotherapy",
        # "physician's choice chemotherapy", "investigator-chosen chemotherapy"
        if "hemotherapy" in text or "choice" in text or "chosen" in text or "standard" in text:
            for m in _COMPARATOR_AT.finditer(text, low):  # positions as _COMPARATOR_RE's
                lead = max(0, m.start() - 16)
                if m.group("line") and not _RECEIVED_BEFORE_RE.search(text, lead, m.start()):
                    continue  # chemotherapy by its line counts only as what patients received
                if free(m.start(), m.end()):
                    said = text[m.start() : m.end()]  # _COMPARATOR_RE's m.group(0)
                    fam = _WS_RE.sub(" ", said.lower()).replace("\u2019", "'")
                    mention = ArmMention(m.start(), m.end(), said, fam, components=frozenset({fam}))
                    merged.append(mention)
                    take(m.start(), m.end())
            merged.sort(key=lambda a: a.start)
        covered = bytearray(len(text) + 1)
        mono = "lone" in text or "onotherapy" in text
        alone_at = {}
        if mono:
            lowered_text = low if low is not None else text.lower()
            alone_at = _words_after(text, lowered_text, "alone")
            alone_at.update(_words_after(text, lowered_text, "monotherapy"))
        for a in merged:
            m = _ARM_SUFFIX_RE.match(text, a.end, a.end + 40)
            if m:
                a.label = text[a.start : m.end()]
            take(a.start, m.end() if m else a.end)  # "X-based chemotherapy group" is one mention
            if m is None and a.family and (alone := alone_at.get(a.end)):
                take(*alone)  # "X monotherapy" is one mention, not X and a role
        if not generic:
            # the arms below have no family; `merged` is in order of start, as after the sort below
            return [a for a in merged if not (a.family and _HISTORY_SUFFIX_RE.match(text, a.end))]
        for m in _scan(lx.ARM_GENERIC_RE, _ARM_GENERIC_AT, text, low):  # ARM_GENERIC_RE.finditer(text, low)
            bare = m.group("kind2") or m.group("kind3")
            a = m.start("kind2") if m.group("kind2") else m.start("kind3") if bare else m.start()
            if free(a, m.end()):
                kind = (m.group("kind") or bare or "").lower()
                kind = _ROLE_CANON.get(kind, kind)
                if m.group("kind4"):
                    said = m.group("kind4").lower()
                    single = said.startswith(("single", "mono"))
                    # "triple therapy" facing "dual therapy": the three-drug and two-drug arms
                    kind = (
                        "triplet" if said.startswith("triple")
                        else "doublet" if said.startswith("dual")
                        else "monotherapy" if single
                        else "combination"
                    )
                letter = m.group("letter") or m.group("letter2") or ""
                # "the observation and maintenance groups": each is one group
                label = _PLURAL_GROUP_RE.sub(r"\1", text[a : m.end()].strip())
                merged.append(ArmMention(a, m.end(), label, "", kind or letter.upper()))
                take(a, m.end())
        if "arms " in text or "groups " in text or "cohorts " in text:
            # "in arms 1, 2 and 3, respectively", "groups A and B": one mention per letter
            for m in _ARM_LETTER_LIST_RE.finditer(text):
                noun = m.group("noun").rstrip("s").lower()
                for lm in _LETTER_RE.finditer(text, m.start("list"), m.end("list")):
                    if free(lm.start(), lm.end()):
                        label = f"{noun} {lm.group(0).upper()}"
                        merged.append(ArmMention(lm.start(), lm.end(), label, "", lm.group(0).upper()))
                        take(lm.start(), lm.end())
        if "group" in text or "arm" in text or "cohort" in text:
            for m in _ARM_NAMED_AT.finditer(text, low):  # lx.ARM_NAMED_RE.finditer(text, low)
                name, a = text[m.start("name") : m.end("name")], m.start("name")
                if not free(a, m.end()) or _NOT_ARM_NAME.search(name):
                    continue
                merged.append(ArmMention(a, m.end(), text[a : m.end()].strip(), "", "named"))
        if "groups" in text or "arms" in text or "cohorts" in text:
            # "for the maintenance and early-switch groups": two compared groups sharing one
            # noun (not subsets of one regimen's patients, as a group named alone may be)
            for m in _TWO_GROUPS_RE.finditer(text):
                if m.group("a").endswith("-"):
                    continue  # "the first- and second-line groups": one name, written twice
                for name in ("a", "b"):
                    a, b = m.start(name), m.end(name)
                    said = m.group(name)
                    if not free(a, b):
                        continue
                    role = _ROLE_CANON.get(said.lower(), said.lower())
                    if _LINE_CHEMO_NAME_RE.fullmatch(said):
                        # "the second-line chemotherapy and BSC groups": chemotherapy named by its line
                        fam = _WS_RE.sub(" ", said.lower())
                        merged.append(ArmMention(a, b, said, fam, components=frozenset({fam})))
                        take(a, b)
                    elif role in _TWO_GROUP_ROLES:
                        # "the chemotherapy and BSC groups": a group named by its role
                        merged.append(ArmMention(a, b, said, "", role))
                        take(a, b)
                    elif not _NOT_ARM_NAME.search(said):
                        merged.append(ArmMention(a, b, said, "", "listed"))
                        take(a, b)
        merged.sort(key=lambda a: a.start)
        # "gemcitabine-naive", "oxaliplatin-refractory": a treatment history, not an arm
        return [a for a in merged if not (a.family and _HISTORY_SUFFIX_RE.match(text, a.end))]

    def _hyphen_possible(self, text: str, low: str | None) -> bool:
        """False when no dash in the text is followed by an agent, so _hyphen_re cannot match."""
        if self._dash_agent is None:
            return True
        return self._dash_agent.search(text, low) is not None

    def _combine(self, a: str, b: str) -> str:
        if a.lower() in _PLACEBO_LIKE and b.lower() in _PLACEBO_LIKE:
            return "placebo" if "placebo" in (a.lower(), b.lower()) else a
        fu = _FLUOROURACIL_NAMES
        if a.lower() in fu and b.lower() in fu:
            return "5-FU/LV" if "5-FU/LV" in self.families else f"{a} + {b}"
        if b.lower() in fu and ("5-fu" in a.lower() or "fluorouracil" in cytotoxic_core(a)):
            return a  # "FOLFIRI with leucovorin", "nal-IRI + 5-FU/LV and leucovorin": already in it
        if a.lower() in _PLACEBO_LIKE:
            return b
        if b.lower() in _PLACEBO_LIKE:
            return a
        if b.lower() in a.lower():
            return a
        if a.lower() in b.lower():
            return b
        return self._acronym_for(f"{a} + {b}", fu)

    def _acronym_for(self, combo: str, fu: frozenset[str]) -> str:
        """ "5-FU/LV + oxaliplatin" is FOLFOX, "irinotecan + fluorouracil" FOLFIRI: a combination
        whose cytotoxic agents are exactly those of a dictionary acronym takes its name."""
        agents = set()
        for part in combo.lower().split(" + "):
            if part in fu:
                if part not in {"leucovorin", "folinic acid", "levoleucovorin", "l-folinic acid"}:
                    agents.add("fluorouracil")
            else:
                agents.add(part)
        for acronym, core in _CYTOTOXIC_CORES.items():
            if agents and agents == core:
                family = next((f for f in self.families if f.lower() == acronym), None)
                if family is not None:
                    return family
        return combo

    @staticmethod
    def _foreground(text: str, arms: list[ArmMention], lo: int = 0) -> list[ArmMention]:
        out: list[ArmMention] = []
        for a in arms:
            if not a.family:
                continue
            if _background(text, a.start, lo):
                continue
            if a.family not in [f.family for f in out] and a.components not in [f.components for f in out]:
                out.append(a)
        return out

    def design(
        self,
        text: str,
        title: str,
        arms: list[ArmMention],
        title_arms: list[ArmMention],
        sents: list[tuple[int, int]],
        sizes: dict | None = None,
    ) -> Design:
        """`sizes`: _arm_n of the arm mentions, kept by (start, end) as they are worked out (the
        caller reads the same sizes again)."""
        sizes = {} if sizes is None else sizes
        d = Design()
        counts: dict[str, float] = {}
        order: dict[str, int] = {}
        for a in self._foreground(title, title_arms):
            counts[a.family] = counts.get(a.family, 0) + 3
            order.setdefault(a.family, a.start - 100000)
        for a in arms:
            if not a.family:
                continue
            w = 0.25 if _background(text, a.start) else 1.0
            counts[a.family] = counts.get(a.family, 0) + w
            order.setdefault(a.family, a.start)
        comp_arms: list[ArmMention] = []
        low = lowered(text)
        # Each sentence loop below looks for two arms with a family within one sentence; where
        # there are not two, its slower tests cannot succeed and are skipped.
        family_starts = sorted(a.start for a in arms if a.family)

        def two_family_arms(s: int, e: int) -> bool:
            return bisect.bisect_left(family_starts, e) - bisect.bisect_left(family_starts, s) >= 2

        # the study's own allocation first: an earlier trial told as background ("a randomised
        # study of X with or without Y hinted at a benefit") sets up the arms only when nothing
        # else does
        intro = _intro_sections(text)
        in_intro = [any(a <= s < b for a, b in intro) for s, _ in sents]
        for s, e in [se for se, bg in zip(sents, in_intro, strict=True) if not bg] + [
            se for se, bg in zip(sents, in_intro, strict=True) if bg
        ]:
            if not two_family_arms(s, e):
                continue
            km = _ALLOCATION_GATED.search(text[s:e], low[s:e] if low is not None else None)
            if km:
                depth = _paren_depth(text, s, e)
                fams = self._foreground(
                    text, [a for a in arms if s + km.start() <= a.start < e and not depth(a.start)], s
                )
                if len(fams) >= 2:
                    comp_arms = fams[:3]
                    d.randomised = True
                    break
        title_comp: list[ArmMention] = []
        if _RX6.search(title):
            fams = self._foreground(title, title_arms)
            if len(fams) >= 2:
                title_comp = fams[:3]
        from_title = False
        if not comp_arms or (
            title_comp
            and len(title_comp) == 2
            and not {a.family for a in comp_arms} >= {a.family for a in title_comp}
        ):
            comp_arms, from_title = title_comp, bool(title_comp)
        if len(comp_arms) == 3:
            a0, a1, a2 = comp_arms
            src = title if a0.start < len(title) and title[a0.start : a0.end] == a0.label else text
            mid = src[a1.end : a2.start] if a1.end <= a2.start else ""
            if _RX10.fullmatch(mid):
                comp_arms = [
                    ArmMention(
                        a0.start,
                        a2.end,
                        f"{a0.label} + {a2.label}",
                        self._combine(a0.family, a2.family),
                        components=a0.components | a2.components,
                    ),
                    ArmMention(
                        a1.start,
                        a2.end,
                        f"{a1.label} + {a2.label}",
                        self._combine(a1.family, a2.family),
                        components=a1.components | a2.components,
                    ),
                ]
            elif not (
                _THREE_ARM_GAP_RE.fullmatch(src, a0.end, a1.start) and _THREE_ARM_GAP_RE.fullmatch(mid)
            ):
                # "to pembrolizumab or placebo every 3 weeks, plus best supportive care": two arms
                # and what both received; "to X, Y monotherapy, or Z": three arms, a list
                comp_arms = comp_arms[:2]
        if comp_arms:
            d.arms = [(a.label, a.family) for a in comp_arms]
            d.arm_components = [a.components for a in comp_arms]
            if (
                len(d.arms) == 2
                and comp_arms[0].family.lower() in _PLACEBO_LIKE
                and _WITH_OR_WITHOUT.search(title) is not None
            ):
                # "ASC with or without mFOLFOX": the arm with the added agent is experimental
                base, added = comp_arms
                fam = self._combine(base.family, added.family)
                d.arms = [(f"{base.label} plus {added.label}", fam), (f"{base.label} alone", base.family)]
                d.arm_components = [base.components | added.components, base.components]
            elif d.arms[0][1].lower() in _PLACEBO_LIKE and len(d.arms) == 2:
                d.arms = [d.arms[1], d.arms[0]]
                d.arm_components = [d.arm_components[1], d.arm_components[0]]
        self._with_or_without(title, title_arms, d)
        if not d.arms and "without" in text:
            # "patients received chemotherapy with or without trastuzumab" in the text
            self._with_or_without(text, [a for a in arms if not _background(text, a.start)], d)
        d.letter_family = _letter_families(text, arms)
        if not d.arms and len(set(d.letter_family.values())) >= 2:
            # "Arm A received X and arm B received Y": the letters name the compared arms
            by_family = {a.family: a for a in arms if a.family}
            for _, fam in sorted(d.letter_family.items()):
                if fam not in [f for _, f in d.arms]:
                    d.arms.append((by_family[fam].label, fam))
                    d.arm_components.append(by_family[fam].components)
        if from_title and len(d.arms) == 2 and not {f.lower() for _, f in d.arms} & _PLACEBO_LIKE:
            # "Regorafenib versus TAS-102" in the title, "40 patients treated with TAS-102 and 80
            # with regorafenib" in the text: the results follow the order the text sized them in
            pair = self._sized_pair(text, arms, sents, two_family_arms)
            if pair is not None and [a.family for a in pair] == [f for _, f in reversed(d.arms)]:
                d.arms.reverse()
                d.arm_components.reverse()
        if not d.arms and _RANDOMISED_AT.search(text, low):  # _RANDOMISED_RE.search(text, low)
            # "(nal-IRI plus 5-FU/LV, n = 88; 5-FU/LV, n = 86)": arms named with their sizes
            sized = self._foreground(text, [a for a in arms if _N_EQ_AFTER.match(text, a.end)])
            if len(sized) >= 2:
                d.arms = [(a.label, a.family) for a in sized[:3]]
                d.arm_components = [a.components for a in sized[:3]]
        if not d.arms:
            pair = self._sized_pair(text, arms, sents, two_family_arms)
            if pair is not None:
                d.arms = [(a.label, a.family) for a in pair]
                d.arm_components = [a.components for a in pair]
        if not d.arms:
            # a cohort comparison: "patients who received X or Y as second-line treatment"
            for s, e in sents:
                if not two_family_arms(s, e):
                    continue
                m = _RECEIVED_GATED.search(text, low, s, e)  # _RECEIVED_RE.search(text, s, e)
                if m is None:
                    continue
                depth = _paren_depth(text, s, e)
                here = [a for a in arms if m.end() <= a.start < e and a.family and not depth(a.start)]
                if len(here) >= 2 and _ALTERNATIVE_RE.fullmatch(text, here[0].end, here[1].start):
                    pair = here[:2]
                    if pair[0].family != pair[1].family and not _background(text, pair[0].start, s):
                        d.arms = [(a.label, a.family) for a in pair]
                        d.arm_components = [a.components for a in pair]
                        break
        if d.arms:
            d.arm_components = [
                frozenset(c) | frozenset(AGENTS_OF.get(f.lower(), ()))
                for c, (_, f) in zip(d.arm_components or [frozenset()] * len(d.arms), d.arms, strict=False)
            ]
            # "X versus chemotherapy" in the title, "physician's choice chemotherapy" in the text
            specific = {a.family for a in arms if a.family.endswith(" chemotherapy")}
            if len(specific) == 1:
                fam = specific.pop()
                d.arms = [(lab, fam if f == "chemotherapy" else f) for lab, f in d.arms]
        if counts:
            d.single_regimen = max(counts, key=lambda f: (counts[f], -order.get(f, 0)))
        d.n_total = _total_n(text)
        per_arm = _n_per_arm(text)
        for a in arms:
            fam = self.resolve_family(a, d)
            key = "" if a.family else _label_key(a.label)
            if (a.family or key in d.n_by_label) and (not fam or fam in d.n_by_family):
                continue  # the first size found stays: no setdefault below would add one
            n = _arm_n_cached(text, a, sizes)
            if n is not None and not a.family:
                d.n_by_label.setdefault(key, n)
            if not fam:
                continue
            if n is not None and not (a.family and _background(text, a.start)):
                # (not "progressed on gemcitabine-cisplatin (n = 36)": a history, not an arm's size)
                d.n_by_family.setdefault(fam, n)
        if per_arm and d.arms:
            for _, fam in d.arms:
                d.n_by_family.setdefault(fam, per_arm)
        return d

    def _sized_pair(
        self, text: str, arms: list[ArmMention], sents: list[tuple[int, int]], two_family_arms
    ) -> list[ArmMention] | None:
        """A cohort comparison without allocation: "52 patients treated with GP and 47 treated
        with XP", "137 in the X group and 141 in the Y group" (two arms sized in one sentence)."""
        for s, e in sents:
            if not two_family_arms(s, e):
                continue
            here = self._foreground(text, [a for a in arms if s <= a.start < e], s)
            if (
                len(here) == 2
                and _SIZED_PAIR_RE.fullmatch(text, here[0].end, here[1].start)  # holds the second size
                and _arm_n(text, here[0]) is not None
            ):
                return here
        return None

    def _with_or_without(self, title: str, title_arms: list[ArmMention], d: Design) -> None:
        """'X with or without Y', 'X alone or with Y', 'X plus or minus Y': arms X + Y and X."""
        m = _WOW_GATED.search(title, lowered(title))  # _WOW_RE.search(title): same positions
        if not m:
            return
        before = [a for a in title_arms if a.family and a.end <= m.start() and m.start() - a.end <= 12]
        after = [a for a in title_arms if a.family and m.end() <= a.start <= m.end() + 4]
        if not before or not after or before[-1].family == after[0].family:
            return
        base, added = before[-1], after[0]
        fam = self._combine(base.family, added.family)
        d.arms = [(f"{base.label} plus {added.label}", fam), (f"{base.label} alone", base.family)]
        d.arm_components = [base.components | added.components, base.components]

    def resolve_family(self, a: ArmMention, d: Design) -> str | None:
        """The study arm a mention refers to ("pembrolizumab" -> "pembrolizumab + gemcitabine ...")."""
        if not a.family:
            return self._generic_family(a, d)
        if not d.arms:
            return a.family
        fams = [f for _, f in d.arms]
        if a.family in fams:
            return a.family
        if a.family.lower() in _PLACEBO_LIKE:
            # "placebo plus capecitabine" is pooled as capecitabine: find the arm by its label
            named = [f for label, f in d.arms if a.family.lower() in label.lower()]
            if len(named) == 1:
                return named[0]
        hits = [i for i, comp in enumerate(d.arm_components) if a.components <= comp]
        if len(hits) == 1:
            return fams[hits[0]]
        if len(hits) > 1:
            exact = [i for i in hits if d.arm_components[i] == a.components]
            if len(exact) == 1:
                return fams[exact[0]]
            # the mention names what is special about one arm: "placebo" vs "durvalumab"
            return None if a.family.lower() not in _PLACEBO_LIKE else fams[hits[-1]]
        return a.family

    # ------------------------------------------------------------------ main
    def extract(
        self,
        text: str,
        regimen_spans: list[tuple[int, int, str]],
        title: str = "",
        title_regimen_spans: list[tuple[int, int, str]] | None = None,
        sents: list[tuple[int, int]] | None = None,
    ) -> tuple[Extraction, list[Mention]]:
        mentions: list[Mention] = []
        if sents is None:
            sents = split_sentences(text)
        arms = self.arm_mentions(text, regimen_spans)
        # design reads only the title's arms named by a treatment
        title_arms = self.arm_mentions(title, title_regimen_spans or [], generic=False) if title else []
        sizes: dict = {}  # _arm_n by arm mention, for design and then _assign_arm
        design = self.design(text, title, arms, title_arms, sents, sizes)
        ex = Extraction(arms=list(design.arms), n_total=design.n_total)
        carry_ep: str | None = None
        ctx: dict = {"arm_n": sizes}
        low = lowered(text)
        # a structured abstract's Background / Introduction section reports other studies' results
        bg = _background_sections(text)
        own = [(s, e) for s, e in sents if not any(a <= s < b for a, b in bg)] if bg else sents
        for s, e in own:
            ctx["subject_arm"] = _subject_arm(arms, s, e, ctx.get("subject_arm"))
            carry_ep = self._sentence(text, s, e, arms, design, ex, mentions, carry_ep, ctx, low)
        if "without" in text:
            _bare_without(text, ex.outcomes, design)
        self._toxicities(text, own, arms, design, ex)
        mentions.extend(Mention("TOX", t.span[0], t.span[1], t.event) for t in ex.toxicities)
        return ex, mentions

    # ------------------------------------------------------------------ sentence
    def _sentence(self, text, s, e, arms, design, ex, mentions, carry_ep, ctx, low=None):
        sent = text[s:e]
        lsent = low[s:e] if low is not None else None  # == sent.lower() (see lx.lower_text)
        has_number = _has_number(sent)
        if has_number and not _SENT_CUE_ANY(sent, lsent):
            return carry_ep  # numbers but nothing that could name or carry an endpoint (doses, ages)
        if not has_number:
            if (
                lsent is not None
                and _EP_WORDS is not None
                and _EP_ABBR_WORDS is not None
                and not _holds_any(lsent, _EP_WORDS)
                and not _holds_any(sent, _EP_ABBR_WORDS)
            ):
                return carry_ep  # no endpoint named here
            last = None
            for it in (_scan(_EP_RE, _EP_SCAN, sent, lsent), _EP_ABBR_AT.finditer(sent)):
                for m in it:
                    if m.lastgroup == f"L{len(lx.ENDPOINT_LONG) - 1}" and not _RX39.search(
                        sent[max(0, m.start() - 25) : m.end() + 20]
                    ):
                        continue
                    if last is None or m.start() >= last[0]:
                        last = (m.start(), m)
            if last is not None:
                m = last[1]
                table = lx.ENDPOINT_LONG if m.lastgroup[0] == "L" else lx.ENDPOINT_ABBR
                return table[int(m.lastgroup[1:])][0]
            return carry_ep
        masks: list[tuple[int, int]] = []
        anchors: list[Mention] = []
        # rate anchors first: they contain endpoint words and timepoint numbers
        if lsent is None:
            lsent = sent.lower()
        rate_hint = _RATE_HINT_ANY(lsent, lsent)  # bool(_RATE_HINT.search(lsent))
        for rx, core, words in _RATE_CIS if rate_hint else ():
            if words is not None and low is not None and not _holds_any(lsent, words):
                continue
            if core is not None and core.search(sent, low and lsent) is None:
                continue
            for m in _scan(rx, _RATE_SCAN.get(rx), sent, low and lsent):  # rx.finditer(sent, low and lsent)
                a, b = m.start() + s, m.end() + s
                if _overlaps(a, b, masks):
                    continue
                ep_word = (m.groupdict().get("state") or m.group("ep")).lower()
                first = m.groupdict().get("ep0")
                # one anchor per endpoint and timepoint, endpoint first: "OS and DFS rates at 1 and
                # 3 years were a% and b%, and c% and d%" are OS's two rates, then DFS's
                eps = [_rate_endpoint(first), _rate_endpoint(ep_word)] if first else [_rate_endpoint(ep_word)]
                tps = _RX14.findall(m.group("tps"))
                for ep in eps:
                    for tp in tps:
                        anchors.append(Mention("RATE", a, b, ep, (lx.timepoint_months(tp, m.group("tpu")),)))
                masks.append((a, b))
        rate_anchors = [m for m in anchors if m.label == "RATE"]
        if rate_anchors:
            for m in _RATE_CONT_CI.finditer(sent, low and lsent):
                a, b = m.start() + s, m.end() + s
                prev = [r for r in rate_anchors if r.end <= a]
                if prev and not _overlaps(a, b, masks):
                    for tp in _RX14.findall(m.group("tps")):
                        anchors.append(
                            Mention("RATE", a, b, prev[-1].value, (lx.timepoint_months(tp, m.group("tpu")),))
                        )
                    masks.append((a, b))
        ep_spans: list[tuple[int, int]] = []
        # (a sentence without any of an endpoint pattern's words has no match of it)
        ep_long = low is None or _EP_WORDS is None or _holds_any(lsent, _EP_WORDS)
        ep_abbr = _EP_ABBR_WORDS is None or _holds_any(sent, _EP_ABBR_WORDS)
        for it, table, prefix in (
            (_scan(_EP_RE, _EP_SCAN, sent, low and lsent) if ep_long else (), lx.ENDPOINT_LONG, "L"),
            (_EP_ABBR_AT.finditer(sent) if ep_abbr else (), lx.ENDPOINT_ABBR, "A"),
        ):
            for m in it:
                a, b = m.start() + s, m.end() + s
                if _overlaps(a, b, masks) or _overlaps(a, b, ep_spans):
                    continue
                idx = int(m.lastgroup[1:])
                ep = table[idx][0]
                if prefix == "L" and idx == len(lx.ENDPOINT_LONG) - 1:
                    # bare "survival": only with "median" nearby, as "survival time", or listed
                    # after another endpoint ("time to progression and survival were ...")
                    listed = ep_spans and _AND_BEFORE_RE.search(text, max(s, a - 6), a)
                    if (
                        not listed
                        and not _RX39.search(text[max(s, a - 25) : b + 20])
                        # "Survival was longer in responders (median 14.2 vs 6.1 months)"
                        and not _PAREN_MEDIAN_RE.search(text, b, min(e, b + 60))
                    ):
                        continue
                anchors.append(Mention("ENDPOINT", a, b, ep))
                ep_spans.append((a, b))
        if carry_ep and not anchors and "rate" in lsent:
            # "Median OS was 13.0 vs 10.2 months. Rates at 12 and 24 months were 52.1% vs 43.0% and
            # 22.5% vs 15.8%": rates of the endpoint just named, one timepoint per pair
            for rx in (_CARRIED_RATES_AT_RE, _CARRIED_RATES_PRE_RE):
                for m in rx.finditer(sent):
                    a, b = m.start() + s, m.end() + s
                    for tp in _RX14.findall(m.group("tps")):
                        tp_months = lx.timepoint_months(tp, m.group("tpu"))
                        anchors.append(Mention("RATE", a, b, carry_ep, (tp_months,)))
                    masks.append((a, b))
        # other time concepts matter only from the first endpoint on (or everywhere when an
        # endpoint may be carried over from the previous sentence)
        if anchors and not _OTHER_BEFORE_WORDS_RE.search(lsent, 0, min(m.start for m in anchors) - s):
            other_from = min(m.start for m in anchors) - s
        elif anchors:
            # "Median rwTTD was 3.2 months; ... 12-month rwOS rate was 61.6%": a time of another
            # kind before the first endpoint is read as such
            other_from = 0
        elif carry_ep and _CARRY_CUE.search(sent):
            other_from = 0
        else:
            other_from = len(sent)
        for m in _scan(_OTHER_RE, _OTHER_SCAN, sent, low and lsent, other_from):
            a, b = m.start() + s, m.end() + s
            if _overlaps(a, b, masks) or _overlaps(a, b, ep_spans):
                continue
            if _FROM_RE.search(text, max(s, a - 30), a) and any(0 <= a - pe <= 40 for _, pe in ep_spans):
                continue  # "median OS from enrolment was ...": the origin of the endpoint, not another time
            if _IN_SUBGROUP_NAME_RE.search(text, max(s, a - 50), a):
                continue  # "in those without a CEA response (10.9 vs 6.0 mo)": a subgroup's name
            anchors.append(Mention("OTHER", a, b, m.group(0).lower()))
        if anchors and other_from > 0 and _LIST_OF_TIMES_RE.search(sent, 0, other_from):
            # "time to treatment failure, PFS and OS were ...", "the objective response (ORR),
            # disease control (DCR), PFS and OS were ...": times and rates listed before the endpoints,
            # read from the first endpoint backwards as long as the list goes on
            lo = max(0, other_from - 100)
            listed = list(_scan(_OTHER_RE, _OTHER_SCAN, sent, low and lsent, lo, other_from))
            nxt = other_from
            for m in reversed(listed):
                if m.end() > nxt:
                    continue
                if not (_RX22.fullmatch(sent, m.end(), nxt) or _LISTED_GAP_RE.fullmatch(sent, m.end(), nxt)):
                    break
                if not _overlaps(m.start() + s, m.end() + s, masks):
                    anchors.append(Mention("OTHER", m.start() + s, m.end() + s, m.group(0).lower()))
                nxt = m.start()
        anchors.sort(key=lambda m: m.start)
        mentions.extend(m for m in anchors if m.label != "OTHER")

        # CIs
        cis = []
        if low is not None:  # _CI_HINT's alternatives as `in` tests on the lowered sentence
            has_ci = (
                "ci" in lsent or "c.i" in lsent or "onfiden" in lsent or "redible" in lsent or "cri" in lsent
            )
        else:
            has_ci = "CI" in sent or _CI_HINT.search(sent) is not None  # "CI": the usual case, settled
        for m in lx.CI_RE.finditer(sent) if has_ci else ():
            ci_low, _ = _bound(m.group("low"))
            high, high_nr = _bound(m.group("high"))
            cis.append(
                (
                    _ci_level(m),
                    ci_low,
                    high,
                    high_nr,
                    m.start() + s,
                    m.end() + s,
                    m.start("low") + s,
                    m.end("high") + s,
                )
            )
            mentions.append(Mention("CI", m.start() + s, m.end() + s))
        # no endpoint here or carried over, and no "alive at ...": no value below would find an
        # anchor, so none becomes an outcome; only what the sentence's end keeps is kept (below,
        # after the hazard ratios; at once when the sentence can hold none: then the masks and
        # p values below serve nothing)
        no_values = not anchors and "alive" not in lsent and not _may_carry(carry_ep, sent, lsent)
        if no_values and not _may_hold_hr(sent):
            ctx["ex"], ctx["sent_start"], ctx["group_arms"] = ex, len(ex.outcomes), {}
            self._keep_ci_level(cis, ctx)
            return carry_ep
        ci_label = lx.CI_LABEL_RE.search(sent) if has_ci else None
        # "Median PFS (80% CI) was 5.9 (5.1-6.6) months": the label's level for the bare intervals
        level_said = _LEVEL_IN_LABEL_RE.search(ci_label.group(0)) if ci_label is not None else None
        label_level = float(level_said.group(1)) / 100 if level_said else 0.95
        ci_spans = [(c[4], c[5]) for c in cis]
        # (a CI_MENTION_RE match holds a _CI_HINT match: none without has_ci)
        for m in lx.CI_MENTION_RE.finditer(sent) if has_ci and "%" in sent else ():
            masks.append((m.start() + s, m.end() + s))
        for m in (
            lx.RANGE_RE.finditer(sent)
            if ("range" in lsent or "iqr" in lsent or "interquartile" in lsent)
            else ()
        ):
            masks.append((m.start() + s, m.end() + s))
        for m in lx.N_RE.finditer(sent) if "=" in sent else ():
            masks.append((m.start("n") + s, m.end("n") + s))
        for m in lx.RATE_AT_YEAR_RE.finditer(sent) if "year " in lsent or "month " in lsent else ():
            masks.append((m.start("tp") + s, m.end("tp") + s))  # "30.1% at year 5": 5 is a timepoint
        for m in lx.RATE_TP_PAREN_RE.finditer(sent) if "%" in sent else ():
            if sent[: m.start()].rstrip().endswith("%"):  # "61.0% (6 mo)": 6 is a timepoint
                masks.append((m.start("tp") + s, m.end("tpu") + s))
        for a in _arms_in(arms, s, e):
            masks.append((a.start, a.end))
        pvals = (
            [(m.start() + s, m.end() + s, m) for m in _P_SCAN.finditer(sent)] if _P_HINT.search(sent) else []
        )
        masks.extend((a, b) for a, b, _ in pvals)

        # hazard ratios
        self._hazard_ratios(
            text, s, e, sent, anchors, cis, pvals, arms, design, ex, mentions, masks, carry_ep, low
        )
        if no_values:  # (see above)
            ctx["ex"], ctx["sent_start"], ctx["group_arms"] = ex, len(ex.outcomes), {}
            self._keep_ci_level(cis, ctx)
            return carry_ep

        # values
        vals: list[Value] = []
        passes = ((lx.NUM_RE, False), (lx.NR_RE, True))
        if "/" in sent:  # "median PFS/OS were 3.1/6.3 months": the second of a slashed pair
            passes = (*passes, (_SLASH_SECOND_RE, False))
        # "6.41months", "12mo": a number written against its unit
        if _GLUED_HINT.search(sent) is not None and _GLUED_UNIT_RE.search(sent):
            passes = (*passes, (_GLUED_UNIT_RE, False))
        for rx, nr in passes:
            if rx is lx.NR_RE and _NR_HEADS and not _holds_any(sent, _NR_HEADS):
                continue
            for m in _QUICK_SCAN.get(rx, rx).finditer(sent):  # rx.finditer(sent)
                a, b = m.start() + s, m.end() + s
                if _overlaps(a, b, masks) or _overlaps(a, b, ci_spans):
                    continue
                if nr:
                    if _NOT_ESTIMABLE_RE.match(text, a, b):
                        masks.append((a, b))  # "not evaluable": no median, and not "not reached"
                        continue
                    if _RX30.match(text[b : b + 8]):
                        b2 = text.index(")", b) + 1
                        masks.append((b, b2))
                    vals.append(Value(a, b, None, True, False))
                else:
                    v = lx.parse_num(m.group(1))
                    vals.append(Value(a, b, v, False, False))
        vals = [v for v in vals if not _overlaps(v.start, v.end, masks)]
        vals.sort(key=lambda v: v.start)
        for v in vals:
            label_seen = ci_label is not None and ci_label.start() + s < v.start
            self._attach(text, v, e, cis, label_seen, label_level)
        # numbers inside another value's CI ("10·8 months (9·9–11·7)") are not values of their own
        inner = [(v.end, v.ext_end) for v in vals if v.ext_end > v.end]
        if inner:
            vals = [v for v in vals if not any(a <= v.start and v.end <= b for a, b in inner)]
        # unit propagation along lists (right to left, then left to right for "vs")
        for i in range(len(vals) - 2, -1, -1):
            a, b = vals[i], vals[i + 1]
            if (
                b.pct
                and not a.pct
                and a.unit is None
                and not a.nr
                and a.value is not None
                and a.value <= 100
                and a.ext_end == a.end
                and _RX15.fullmatch(text[a.end : b.start])
            ):
                # "the 6- and 12-month survival rates were 52.6 and 11.8%": one % sign for the list
                a.pct, a.unit_inherited = True, True
                continue
            if (
                a.unit is None
                and not a.pct
                and b.unit
                and (
                    lx.LIST_CONNECTOR_RE.match(text[a.ext_end : b.start])
                    # "FOLFOX 6.1 vs FOLFIRI 5.9 months": the other arm named between the numbers
                    or _VS_NAME_RE.fullmatch(text, a.ext_end, b.start)
                )
            ):
                a.unit, a.unit_inherited = b.unit, True
        for i in range(1, len(vals)):
            a, b = vals[i - 1], vals[i]
            if (
                b.unit is None
                and not b.pct
                and a.unit
                and not b.nr
                and (
                    _RX16.match(text[a.ext_end : b.start])
                    # "5.3 months (CI) in the X group and 6.8 (CI) in the Y group": the unit written once
                    or (
                        _ARM_THEN_NEXT_RE.fullmatch(text, a.ext_end, b.start)
                        and (b.ext_end > b.end or _ARM_PHRASE_AFTER_RE.match(text, b.end))
                    )
                )
            ):
                b.unit, b.unit_inherited = a.unit, True
        # groups
        g = -1
        for i, v in enumerate(vals):
            if (
                i
                and lx.LIST_CONNECTOR_RE.match(text[vals[i - 1].ext_end : v.start])
                and (vals[i - 1].pct == v.pct)
            ):
                v.group, v.idx_in_group = vals[i - 1].group, vals[i - 1].idx_in_group + 1
            else:
                g += 1
                v.group, v.idx_in_group = g, 0
        groups: dict[int, list[Value]] = {}
        for v in vals:
            groups.setdefault(v.group, []).append(v)
        respectively = (
            [m.start() + s for m in lx.RESPECTIVELY_RE.finditer(sent)] if "espectively" in lsent else []
        )
        n_before = len(ex.outcomes)
        ctx["ex"], ctx["sent_start"] = ex, n_before
        sent_arms = ctx["sent_arms"] = _sentence_arm_mentions(text, arms, s, e)
        # where each value starts, head counts left out ("in 102 patients" does not end a window)
        value_starts = [x.start for x in vals if not _PEOPLE_AFTER_RE.match(text, x.end)]
        after_arms = {id(v): self._after_arm(text, v, value_starts, sent_arms, e) for v in vals}
        ctx["group_arms"] = {}
        last_ep = carry_ep
        any_ep_here = any(m.label == "ENDPOINT" for m in anchors)
        # "median PFS and OS were 3.2 versus 2.4 months (P = 0.01) and 8.6 versus 6.1 months": compared
        # pairs, one per endpoint named before them, in order
        pair_eps: dict[int, Mention] = {}
        if len(groups) > 1 and _COMPARE_RE.search(sent):
            by_anchors: dict[tuple, list[int]] = {}
            for g, ms in groups.items():
                if len(ms) == 2 and _VS_ONLY_RE.fullmatch(text, ms[0].ext_end, ms[1].start):
                    key = tuple(id(m) for m in self._anchor_list(text, anchors, ms[0].start, s))
                    by_anchors.setdefault(key, []).append(g)
            for key, gs in by_anchors.items():
                listed = [m for m in anchors if id(m) in key]
                eps_here = [m for m in listed if m.label == "ENDPOINT"]
                # "response rate, PFS and OS were 11% vs 15%, 2.9 vs 3.4 months and 6.6 vs 7.7
                # months": a time or rate that is not an endpoint here keeps its place in the list
                distinct = len({m.value for m in eps_here}) == len(eps_here)
                if len(gs) == len(listed) and len(eps_here) > 1 and distinct:
                    pair_eps.update({g: m for g, m in zip(gs, listed, strict=True)})
        for g_id, members in groups.items():
            first = members[0]
            resp_after = any(r >= first.start for r in respectively)
            anchor_list = self._anchor_list(text, anchors, first.start, s)
            if g_id in pair_eps:
                anchor_list = [pair_eps[g_id]]
            used_carry = False
            alive = lx.ALIVE_AFTER_RE.match(text, members[-1].ext_end, e) if "alive" in lsent else None
            if alive and all(v.pct for v in members):
                # "median OS was 6.0 months, and 49% of patients were alive at 6 months": the
                # state after the percentage names the rate, whatever endpoint came before
                tp = lx.timepoint_months(alive.group("tp"), alive.group("tpu"))
                anchor_list = [Mention("RATE", alive.start(), alive.end(), "OS", (tp,))]
            elif not anchor_list:
                rate_word = _CARRIED_RATE_RE.search(sent) if carry_ep and "rate" in lsent else None
                if rate_word and not any_ep_here and all(v.pct for v in members):
                    # "Median PFS was 4.2 months ... Their rate at 6 months was 34.0% vs 12.2%"
                    anchor_list = [Mention("ENDPOINT", first.start, first.start, carry_ep)]
                    used_carry = True
                elif carry_ep and not any_ep_here and _RX31.search(sent):
                    anchor_list = [Mention("ENDPOINT", first.start, first.start, carry_ep)]
                    used_carry = True
                else:
                    after = _RX32.match(text[members[-1].ext_end : e])
                    if after:
                        pos = members[-1].ext_end + after.end()
                        nxt = [m for m in anchors if m.start == pos and m.label == "ENDPOINT"]
                        if nxt:
                            anchor_list = nxt
                            # "3.1 and 6.3 months for PFS and OS, respectively": one endpoint each
                            chain = list(nxt)
                            for m in anchors:
                                if m.start > chain[-1].end and m.label == "ENDPOINT":
                                    if not _RX22.fullmatch(text, chain[-1].end, m.start):
                                        break
                                    chain.append(m)
                            if len(chain) == len(members) > 1:
                                anchor_list = chain
            elif (
                len(anchor_list) == 1
                and len(members) > 1
                and _THEY_WERE_RE.search(text, anchor_list[0].end, first.start)
            ):
                # "median PFS was 2.9 months and OS 6.9 months; with X they were 2.8 and 6.5 months"
                eps = [m for m in anchors if m.label == "ENDPOINT" and m.end <= first.start]
                distinct = list({m.value: m for m in eps}.values())
                if len(distinct) == len(members):
                    anchor_list = sorted(distinct, key=lambda m: m.start)
            if not anchor_list:
                continue
            n = len(members)
            multi = len(anchor_list) > 1 and (len(anchor_list) == n) and (resp_after or n > 1)
            pairs = [(i, v, anchor_list[i] if multi else anchor_list[-1]) for i, v in enumerate(members)]
            if len(anchor_list) == 1 and n >= 3 and anchor_list[0].label == "ENDPOINT":
                # "mPFS 5.6 months and mOS 12.1 months, against 3.5 and 8.0 months": the numbers after
                # the comparison repeat the endpoints named before, in order
                eps = list(
                    {m.value: m for m in anchors if m.label == "ENDPOINT" and m.end <= first.start}.values()
                )
                if (
                    len(eps) == n - 1
                    and _COMPARE_CONNECTOR_RE.fullmatch(text, members[0].ext_end, members[1].start)
                    and anchor_list[0].value == eps[-1].value
                ):
                    eps.sort(key=lambda m: m.start)
                    pairs = [(0, members[0], anchor_list[0])] + [
                        (i, v, eps[i - 1]) for i, v in enumerate(members[1:], 1)
                    ]
            k = len(anchor_list)
            distinct_eps = k > 1 and len({(m.label, m.value, m.extra) for m in anchor_list}) == k
            ctx["block"] = 1
            ctx["chunk"] = 0
            ctx["endpoint_list"] = multi and distinct_eps
            if not multi and distinct_eps and n > k and n % k == 0:
                per = n // k
                if _VS_ONLY_RE.fullmatch(
                    text, members[0].ext_end, members[1].start
                ) and not _VS_ONLY_RE.fullmatch(text, members[per - 1].ext_end, members[per].start):
                    # "median PFS and OS were 3.2 versus 2.4 months (P = 0.01) and 8.6 versus 6.1
                    # months": one comparison per endpoint, the arms in the same order in each
                    pairs = [(i, v, anchor_list[i // per]) for i, v in enumerate(members)]
                    ctx["chunk"] = per
                else:
                    # "median PFS and OS were 4.0 and 6.0 months vs 1.6 and 5.3 months": blocks of
                    # one number per endpoint, one block per arm
                    pairs = [(i, v, anchor_list[i % k]) for i, v in enumerate(members)]
                    ctx["block"] = k
            eps = [m for m in anchor_list if m.label == "ENDPOINT"]
            each = members[0].nr or _EACH_AFTER_RE.match(text, members[0].ext_end) is not None
            if n == 1 and each and len(eps) > 1 and len({m.value for m in eps}) == len(eps):
                # "median PFS and OS were not reached", "PFS and TTP were 7.2 months each": one
                # value for every endpoint named
                pairs = [(0, members[0], m) for m in eps]
            for i, v, anc in pairs:
                if v.pct:
                    # "with a 33.3% 12-month OS rate": the rate phrase follows the percentage
                    nxt_rate = [
                        m
                        for m in anchors
                        if m.label == "RATE"
                        and m.start >= v.ext_end
                        and _RX45.fullmatch(text[v.ext_end : m.start])
                    ]
                    if len(nxt_rate) == 1:
                        anc = nxt_rate[0]
                if anc.label == "OTHER":
                    continue
                if anc.label == "RATE":
                    if not v.pct:
                        continue
                    stat, unit = "rate", "percent"
                elif anc.label == "ENDPOINT":
                    rate_tp = self._rate_after(text, v, anc, _rated(ex.outcomes, anc, s)) if v.pct else None
                    if v.pct and rate_tp is None:
                        rate_tp = self._rate_timepoint(text, v, members, anc, s, e)
                    if v.pct and rate_tp is None:
                        rate_tp = _parallel_timepoint(ex.outcomes, anc, s, members, i)
                        if rate_tp is not None:
                            ctx["endpoint_list"] = True  # one arm's rates, one per timepoint
                    if rate_tp is not None:
                        # "median OS was 5.4 months, with survival rates of 46% at 6 months"
                        anc = Mention("RATE", anc.start, anc.end, anc.value, (rate_tp,))
                        stat, unit = "rate", "percent"
                    elif v.pct or (
                        v.unit is None and not v.nr and not self._unitless_pair(text, members, anc)
                    ):
                        continue
                    else:
                        stat, unit = "median", v.unit or "months"
                else:
                    continue
                last_here = ex.outcomes[-1] if len(ex.outcomes) > n_before else None
                near = (
                    last_here is not None
                    and last_here.endpoint == anc.value
                    and v.start - last_here.span[1] <= 160
                )
                if self._distractor(text, v, anc, s, e, continues=near, low=low):
                    continue
                o = Outcome(
                    endpoint=anc.value,
                    statistic=stat,
                    value=v.value,
                    unit=unit,
                    span=(v.start, v.end),
                    not_reached=v.nr,
                    value_months=lx.to_months(v.value, unit) if stat == "median" else None,
                    timepoint_months=anc.extra[0] if anc.label == "RATE" else None,
                )
                if v.ci:
                    o.ci_level, o.ci_low, o.ci_high, o.ci_high_not_reached = (
                        v.ci[0],
                        v.ci[1],
                        v.ci[2],
                        v.ci[3],
                    )
                    if o.ci_level is None:
                        # "(95% CI 11·5–13·7) ... and 10·8 months (9·9–11·7)": a bare interval
                        # takes the level the abstract last stated
                        stated = [c[0] for c in cis if c[0] is not None and c[4] < v.start]
                        o.ci_level = stated[-1] if stated else ctx.get("ci_level")
                o.confidence = 0.9 - (0.2 if used_carry else 0) - (0.05 if v.unit_inherited else 0)
                if ctx["chunk"]:  # one comparison per endpoint: arms as in a group of its own
                    c = ctx["chunk"]
                    chunk, at = members[(i // c) * c : (i // c + 1) * c], i % c
                else:
                    chunk, at = members, i
                self._assign_arm(
                    text, o, v, chunk, at, s, e, arms, design, respectively, vals, after_arms, ctx, low
                )
                o.subgroup = self._subgroup(text, s, v, e, low)
                named = ctx.pop("named_subset", None)
                if named and o.subgroup is None:
                    o.subgroup = named  # a named part of a one-regimen study is a subgroup of it
                if o.subgroup:
                    o.n = _subgroup_n(text, o.subgroup, s, v.start) or o.n
                ex.outcomes.append(o)
                mentions.append(Mention("OUTCOME", v.start, v.end, anc.value))
                if anc.label == "ENDPOINT":
                    last_ep = anc.value
        for m in anchors:
            if m.label == "ENDPOINT":
                last_ep = m.value
        self._with_and_without(ex.outcomes[n_before:])
        self._one_band_each(ex.outcomes[n_before:])
        if "espectively" in lsent:
            self._one_subgroup_each(ex.outcomes[n_before:], text, e)
        self._keep_ci_level(cis, ctx)
        for arms_list in ctx["group_arms"].values():
            if all(x is not None for x in arms_list) and len({x for x in arms_list}) == len(arms_list):
                ctx["last_arms"] = arms_list
        here = [(o.arm, o.regimen) for o in ex.outcomes[n_before:] if o.arm]
        distinct = list(dict.fromkeys(here))
        if len(distinct) >= 2 and len(here) == len(distinct):
            ctx["last_arms"] = distinct
        return last_ep

    @staticmethod
    def _keep_ci_level(cis: list, ctx: dict) -> None:
        """The CI level the sentence last states, for bare intervals in the sentences after it."""
        stated = [c[0] for c in cis if c[0] is not None]
        if stated:
            ctx["ci_level"] = stated[-1]

    @staticmethod
    def _with_and_without(outcomes: list[Outcome]) -> None:
        """ "11.3 and 7.6 months in patients with and without FGFR2 fusions": the first number is
        the subgroup with, the second the subgroup without."""
        for i in range(1, len(outcomes)):
            m = _AND_WITHOUT_RE.match(outcomes[i].subgroup or "")
            if (
                m
                and outcomes[i - 1].subgroup in (None, outcomes[i].subgroup)
                and outcomes[i - 1].endpoint == outcomes[i].endpoint
            ):
                outcomes[i - 1].subgroup = m.group(1)
                outcomes[i].subgroup = f"without {m.group(1)}"
                continue
            # "longer in patients with X than in those without X (a vs. b months)"
            m = _THAN_WITHOUT_RE.fullmatch(outcomes[i].subgroup or "")
            if m and outcomes[i - 1].subgroup == outcomes[i].subgroup:
                outcomes[i - 1].subgroup = m.group("a")
                outcomes[i].subgroup = f"without {m.group('b')}"

    @staticmethod
    def _one_subgroup_each(outcomes: list[Outcome], text: str, e: int) -> None:
        """ "14.0 and 9.3 months in gemcitabine-naive and gemcitabine-pretreated patients,
        respectively": two subgroups named together after a pair of numbers, one each, in order."""
        for i in range(len(outcomes) - 1):
            a, b = outcomes[i], outcomes[i + 1]
            if a.endpoint != b.endpoint or a.subgroup != b.subgroup or a.arm != b.arm:
                continue
            m = _TWO_SUBGROUPS_AFTER_RE.match(text, b.span[1], e)
            if m is not None and not any(w in m.group("a").lower() for w in ("arm", "group")):
                a.subgroup, b.subgroup = m.group("a"), m.group("b")

    @staticmethod
    def _one_band_each(outcomes: list[Outcome]) -> None:
        """ "4.4 and 5.1 months for patients <50 and \u226550 years": one age band per number, in order."""
        i = 0
        while i < len(outcomes):
            m = _BANDS_RE.fullmatch(outcomes[i].subgroup or "")
            if m is None:
                i += 1
                continue
            bands = _BAND_SPLIT_RE.split(m.group("bands"))
            run = outcomes[i : i + len(bands)]
            if len(run) == len(bands) > 1 and all(
                o.subgroup == outcomes[i].subgroup and o.endpoint == outcomes[i].endpoint for o in run
            ):
                for o, band in zip(run, bands, strict=True):
                    o.subgroup = f"{band.strip()} {m.group('unit')}"
                i += len(bands)
            else:
                i += 1

    @staticmethod
    def _unitless_pair(text: str, members: list[Value], anc: Mention) -> bool:
        """ "increased median PFS with X versus Y (4.6 vs 1.9; HR 0.52)": a compared pair of medians
        written without a unit, right after "median <endpoint>" - read in months."""
        if any(m.unit or m.pct or m.nr or m.value is None for m in members):
            return False
        if _UNIT_HEADER_RE.search(text, anc.end, min(members[0].start, anc.end + 40)):
            # "median OS (OS, months [95% CI]) ... was 13.1 (11.2-14.9) versus 11.0 (9.6-12.7)"
            return all(m.value < 120 for m in members)
        if len(members) != 2:
            return False
        if not all(_DECIMAL_RE.fullmatch(text, m.start, m.end) and m.value < 120 for m in members):
            return False
        return (
            members[0].start - anc.end <= 80
            and _MEDIAN_BEFORE_RE.search(text, max(0, anc.start - 12), anc.start) is not None
            and _VS_ONLY_RE.fullmatch(text, members[0].ext_end, members[1].start) is not None
        )

    @staticmethod
    def _from_to(text: str, members: list[Value], s: int) -> bool:
        """ "lifted 12-month survival from 11% to 26%": the control arm's number comes first."""
        return (
            len(members) == 2
            and _FROM_TO_RE.match(text, members[0].ext_end) is not None
            and _RX17.search(text[max(s, members[0].start - 8) : members[0].start]) is not None
        )

    @staticmethod
    def _rate_after(text: str, v: Value, anc: Mention, goes_on: bool = False) -> float | None:
        """The timepoint of a percentage written after it ("46% at 6 months"), when a rate or
        survival word stands between the endpoint and the value, or the endpoint right before it
        ("OS was 40.2% at 6 months"); `goes_on`: the sentence already gave this endpoint a rate
        ("... and 17.0% at 12 months")."""
        months = lx.timepoint_after(text, v.ext_end, parenthesised=True)
        if months is None:
            return None
        if lx.RATE_WORD_RE.search(text, max(anc.start, v.start - 60), v.start):
            return months
        # "OS was 40.2% at 6 months": a percentage of the endpoint named just before it, at a time
        near = anc.start < anc.end <= v.start and v.start - anc.end <= 30
        return months if goes_on or (near and not _DIGIT_RE.search(text, anc.end, v.start)) else None

    @staticmethod
    def _rate_timepoint(text: str, v: Value, members: list, anc: Mention, s: int, e: int) -> float | None:
        """The timepoint of a survival percentage written away from it: "41.0% vs 33.2% at 18
        months", "at 1 (29.1% vs 12.4%) and 2 years (11.2% vs 4.0%)", "OS rates were 17.7% for X
        and 11.7% for Y at 36 months" (the one timepoint of the sentence). Needs a rate word
        ("rate", "probability", "survival", "alive") between the endpoint and the number."""
        # a carried endpoint is an empty mention at the value: look from the sentence start
        if not _RATE_WORD_RE.search(text, s if anc.start == anc.end else anc.start, v.start):
            return None
        months = lx.timepoint_after(text, members[-1].ext_end)
        if months is not None:
            return months
        head = members[0].start
        r = _TP_RATE_OF_RE.search(text, max(s, head - 40), head)
        if r is not None:  # "and an estimated 1-year rate of 52%"
            return lx.timepoint_months(r.group("tp"), r.group("tpu"))
        b = _TP_BEFORE_RE.search(text, max(s, head - 30), head)
        if b is not None:
            unit = b.group("tpu") or next(
                (
                    u.group(0)
                    for u in _TP_UNIT_RE.finditer(text, members[-1].ext_end, min(e, members[-1].ext_end + 40))
                ),
                None,
            )
            if unit:
                return lx.timepoint_months(b.group("tp"), unit)
        points = {
            (m.group("tp").lower(), lx.canon_unit(m.group("tpu")) or m.group("tpu").lower())
            for m in _TP_ANYWHERE_RE.finditer(text, s, e)
            if not _FOLLOW_UP_BEFORE_RE.search(text, max(s, m.start() - 25), m.start())
        }
        if len(points) == 1:
            tp, unit = points.pop()
            return lx.timepoint_months(tp, unit)
        if len(points) > 1:
            # "41% in the X group versus 30% in the Y group at 1 year, and 12% versus 7% at 2
            # years": each pair's timepoint is the first one written after it
            nxt = _TP_ANYWHERE_RE.search(text, members[-1].ext_end, min(e, members[-1].ext_end + 120))
            if nxt is not None and not _PCT_RE.search(text, members[-1].ext_end, nxt.start()):
                return lx.timepoint_months(nxt.group("tp"), nxt.group("tpu"))
            after = _TP_ANYWHERE_RE.search(text, v.ext_end, min(e, v.ext_end + 120))
            if after is not None and _PCT_ONLY_VS_RE.fullmatch(text, v.ext_end, after.start()):
                return lx.timepoint_months(after.group("tp"), after.group("tpu"))
        return None

    def _attach(
        self, text: str, v: Value, e: int, cis: list, label_seen: bool, label_level: float = 0.95
    ) -> None:
        """The value's unit or %, spread, range and CI. `label_seen`: a "(95% CI)" label came
        before it in the sentence, so a bare interval after it is a CI of `label_level`."""
        pos = v.end
        spread = text.startswith(("\u00b1", " \u00b1", "+", " +"), pos) and _PLUS_MINUS_RE.match(text, pos, e)
        if spread:
            pos = spread.end()  # the unit or % comes after the spread
        pct_word = _PERCENT_WORD_RE.match(text, pos) if text.startswith((" p", " P"), pos) else None
        if _RX7.match(text[pos : pos + 3]):
            v.pct = True
            pos = text.index("%", pos) + 1
        elif pct_word:  # "61 percent and 38 percent of patients were alive"
            v.pct = True
            pos = pct_word.end()
        elif not v.nr:
            hm = _RX18.match(text[pos : pos + 4])
            um = lx.UNIT_RE.match(text, pos)
            if um and um.end() <= e:
                v.unit = lx.canon_unit(um.group(1))
                v.hyphen_unit = bool(hm)
                pos = um.end()
            elif hm:
                um = lx.UNIT_RE.match(text, pos + hm.end())
                if um:
                    v.unit, v.hyphen_unit = lx.canon_unit(um.group(1)), True
                    pos = um.end()
        rng = _RANGE_AFTER_RE.match(text, pos, e)
        if rng:
            # "5.1 (range, 2.9–9.0) and 12 (range, 10.2–15.3) months": a range is part of its value
            pos = rng.end()
            um = lx.UNIT_RE.match(text, pos) if v.unit is None and not v.pct else None
            if um and um.end() <= e:
                v.unit, pos = lx.canon_unit(um.group(1)), um.end()
        v.ext_end = pos
        for c in cis:
            gap = text[pos : c[4]]
            arm_first = c[4] >= pos and len(gap) <= 24 and _ARM_THEN_CI_RE.fullmatch(gap) is not None
            if c[4] >= pos and (arm_first or (len(gap) <= 20 and _RX19.fullmatch(gap))):
                if ";" in gap and not _inside(v.value, c[1], c[2], c[3]):
                    break  # "(4.2 vs. 3.0 months; 95% CI: 0.51-0.80)": the comparison's interval
                if arm_first or _ARM_WORD_RE.search(gap):
                    v.arm_before_ci = pos
                low = c[1]
                if low is not None and low < 0 and _stray_minus(v.value, low, c[2]):
                    low = -low  # "6.90 months (95% CI, -6.35 to 7.45)": a stray hyphen, not a sign
                v.ci = (c[0], low, c[2], c[3], c[4], c[5])
                pos = c[5]
                tail = _RX20.match(text[pos:e])
                if tail:
                    if tail.group(1) and v.unit is None and not v.pct:
                        v.unit = lx.canon_unit(tail.group(1))
                    if tail.group(1) or tail.group(0).strip():
                        pos += tail.end()
                v.ext_end = pos
                return
        # a bare interval right after the value: its CI (of the stated level after a CI label)
        m = lx.BARE_RANGE_RE.match(text, pos, e)
        if m:
            low, _ = _bound(m.group("low"))
            high, high_nr = _bound(m.group("high"))
            if low is not None and (high_nr or (high is not None and low <= (v.value or low) <= high)):
                before = text[max(0, v.start - 60) : v.start]
                if label_seen or not _RX43.search(before + text[pos : m.end()]):
                    v.ci = (
                        label_level if label_seen else None,
                        low,
                        high,
                        high_nr,
                        m.start("low"),
                        m.end("high"),
                    )
                    pos = m.end()
                    tail = lx.UNIT_RE.match(text, pos)
                    if tail and v.unit is None and not v.pct:
                        v.unit = lx.canon_unit(tail.group(1))
                        pos = tail.end()
                    v.ext_end = pos

    def _anchor_list(self, text: str, anchors: list[Mention], pos: int, s: int) -> list[Mention]:
        before = [m for m in anchors if m.end <= pos]
        if not before:
            return []
        last = before[-1]
        out = [last]
        # RATE anchors created from one "6- and 12-month" match share a span
        same = [m for m in before if m.start == last.start and m.end == last.end and m is not last]
        if same:
            return [*same, last]
        j = len(before) - 2
        while j >= 0:
            prev = before[j]
            gap = text[prev.end : out[0].start]
            if prev.label == last.label and prev.value == out[0].value and _RX21.fullmatch(gap):
                out[0] = prev
                j -= 1
                continue
            # "time to treatment failure, PFS and OS were 4.1, 5.4 and 7.9 months": a time that is
            # not an endpoint keeps its place in the list (its number is then skipped)
            same_kind = prev.label == last.label or {prev.label, last.label} == {"OTHER", "ENDPOINT"}
            listed = prev.label == "OTHER" and _LISTED_GAP_RE.fullmatch(gap)
            if same_kind and (_RX22.fullmatch(gap) or _ANCHOR_GAP_RE.fullmatch(gap) or listed):
                out.insert(0, prev)
                j -= 1
            else:
                break
        # "median overall survival (OS)" and the like: an abbreviation restating the same endpoint
        dedup: list[Mention] = []
        for m in out:
            gap = text[dedup[-1].end : m.start] if dedup else ""
            if dedup and (
                (dedup[-1].value == m.value and _RX23.fullmatch(gap))
                # "disease control rate (DCR)": another time or rate restated the same way
                or (dedup[-1].label == m.label == "OTHER" and _RESTATED_RE.fullmatch(gap))
            ):
                dedup[-1] = m
            else:
                dedup.append(m)
        return dedup

    def _distractor(
        self,
        text: str,
        v: Value,
        anc: Mention,
        s: int,
        e: int,
        continues: bool = False,
        low: str | None = None,
    ) -> bool:
        """A number near an endpoint that is not its value. `continues`: the sentence's previous
        outcome has the same endpoint and stands close by (a list that goes on: "... 12.5 versus
        11.7 in patients with X and 13.9 versus 12.4 in patients without"). `low`: lx.lower_text(text)."""
        if v.hyphen_unit:
            return True
        left = text[max(s, v.start - 25) : v.start]
        if not v.pct and _EXCLUDED_PRECEDING(left, lx.lower_text(left)):
            # "did not differ, at 7.8 vs 7.1 months favouring X": a compared pair, not a timepoint
            if not (left.rstrip().endswith("at") and _AT_PAIR_RE.match(text, v.end)):
                return True
        if not v.pct and any(w in left for w in _SCORE_WORDS) and lx.SCORE_PRECEDING_RE.search(left):
            return True  # "in patients with a PS of 0 or 1": scores, not values
        if v.pct and _CHANGE_OF_CI.search(text, low, max(s, v.start - 30), v.start):
            return True  # "an annual percent change of 9.8%", "a reduction of 31%": not a rate
        if not v.pct and _PCT_IN_PAREN_RE.match(text, v.ext_end):
            return True  # "at 1 (29.1% vs 12.4%) and 2 years (11.2% vs 4.0%)": a timepoint
        if not v.pct and not v.nr and lx.EXCLUDED_FOLLOWING_RE.match(text[v.ext_end : v.ext_end + 30]):
            return True
        gap = text[anc.end : v.start]
        if _GAP_BLOCK.search(gap[-30:]) or _GAIN_BEFORE.search(gap[-60:]):
            return True
        if len(gap) <= 12 and _GAIN_LEAD_CI.search(text, low, max(s, anc.start - 40), anc.start):
            # "an improvement in median OS of 2.1 months" - but "of 7.8 vs 7.1 months" are medians,
            # and so are "no difference in median PFS (5.1, 5.9, 6.2 months ...)"
            paired = _AT_PAIR_RE.match(text, v.end) or _VS_ONLY_RE.match(text, v.ext_end)
            listed = text.startswith(",", v.ext_end) or "," in gap
            paired = paired or (listed and _PAREN_LIST_RE.fullmatch(gap) is not None)
            if not paired and not _VS_BEFORE_RE.search(text, max(s, v.start - 12), v.start):
                return True
        # "meeting the prespecified boundary, and the 6-month PFS rate was": only this clause counts
        lead = _clause_start(text, max(s, anc.start - 45), anc.start)
        if _HYPOTHESIS_GATED.search(text, low, lead, v.start):
            return True  # "a historical median PFS of 3.0 months", "to exclude a median PFS of 2.0 months"
        if _HYPOTHESIS_AFTER_CI.match(text, low, v.ext_end, e):
            return True  # "the predefined 25% threshold", "3 months are realistic null hypotheses"
        if len(gap) > 160 and not continues:
            return True
        return False

    # ------------------------------------------------------------------ arms
    def _after_arm(self, text: str, v: Value, value_starts: list[int], sent_arms: list[ArmMention], e: int):
        """The arm named right after a value: "6.2 months with ASC plus mFOLFOX", "(XELIRI)".
        `value_starts`: where the sentence's values start, head counts left out ("7.7 months in 102
        patients allocated to the X group": a head count does not end the window)."""
        nxt = min([x for x in value_starts if x >= v.ext_end and x > v.start], default=e)
        at = v.arm_before_ci or v.ext_end
        win = text[at : min(nxt, e)]
        m = _RX8.match(win)
        if not m:
            return None
        pos = at + m.end()
        for a in sent_arms:
            if a.start == pos:
                return a
            if (
                pos < a.start <= pos + 30
                and a.start < nxt
                and _RX24.fullmatch(text[pos : a.start])
                and not _RX33.search(text[pos : a.start])
            ):
                return a
        return None

    def _assign_arm(
        self, text, o, v, members, i, s, e, arms, design, respectively, vals, after_arms, ctx, low=None
    ):
        """Ties outcome `o` (value `v`, the i-th of `members`) to its arm: o.arm, o.regimen, o.n.
        `low`: lx.lower_text(text)."""
        sent_arms = ctx["sent_arms"]  # this sentence's arms, found once by _sentence
        n = len(members)
        fam_arm: ArmMention | None = None
        free_label = None
        # 1. "respectively" with an arm list after (or before) the group
        resp = [r for r in respectively if r >= members[-1].ext_end]
        if n > 1 and resp:
            after_list = _dedupe_arms([a for a in sent_arms if members[-1].ext_end <= a.start < resp[0]])
            if after_list and any(after_list[0].end <= x.start < after_list[-1].start for x in vals):
                # "4.0 and 6.0 months with X vs 1.6 and 5.3 months with Y, respectively": the arms
                # are interleaved with other numbers, so "respectively" pairs the endpoints
                after_list = []
            if len(after_list) == n:
                fam_arm = after_list[i]
            elif ctx.get("block", 1) > 1 and len(after_list) * ctx["block"] == n:
                fam_arm = after_list[i // ctx["block"]]
        if fam_arm is None and n > 1 and respectively:
            prev_end = max([x.ext_end for x in vals if x.ext_end <= members[0].start], default=s)
            before_list = _dedupe_arms([a for a in sent_arms if prev_end <= a.start < members[0].start])
            named = [a for a in before_list if a.generic == "named"]
            if len(before_list) == n:
                fam_arm = before_list[i]
            elif len(named) == n:
                # "X (chemo group), X plus Y (dual group) or ... (triple group) had ... respectively"
                fam_arm = named[i]
            elif not before_list and resp:
                # "For the X (n = 38) and Y (n = 36) arms, the 1-year survival was a% and b%, and the
                # median survival times were c and d months, respectively": the arms at the head
                head = _dedupe_arms([a for a in sent_arms if a.start < vals[0].start])
                if len(head) == n and all(
                    _AND_LIST_RE.fullmatch(text, x.end, y.start) for x, y in zip(head, head[1:], strict=False)
                ):
                    fam_arm = head[i]
        # 1b. "4.9 vs 3.6 months (HR 0.79) for X and Y", "3.1 vs 2.0 months in patients treated
        # with X or Y": the arms named in a row right after the numbers, in their order
        if fam_arm is None and n > 1 and not any(after_arms.get(id(m)) for m in members[:-1]):
            tail = _dedupe_arms([a for a in sent_arms if a.start >= members[-1].ext_end])[:n]
            if (
                len(tail) == n
                and after_arms.get(id(members[-1])) in (None, tail[0])
                and _ARMS_AFTER_PAIR_RE.fullmatch(text, members[-1].ext_end, tail[0].start)
                and all(_ARM_PAIR_GAP_RE.fullmatch(text, x.end, y.start) for x, y in itertools.pairwise(tail))
                and not any(tail[0].end <= x.start < tail[-1].start for x in vals)
            ):
                fam_arm = tail[i]
        # 2. adjacent mention after the value
        if fam_arm is None:
            fam_arm = after_arms.get(id(v))
        block = ctx.get("block", 1)
        if fam_arm is None and block > 1:
            # one block of numbers per arm: the arm named after the block, else before the first block
            chunk = members[(i // block) * block : (i // block + 1) * block]
            fam_arm = after_arms.get(id(chunk[-1]))
            if fam_arm is None and i < block:
                prev_end = max([x.ext_end for x in vals if x.ext_end <= chunk[0].start], default=s)
                before = [a for a in sent_arms if prev_end <= a.start and a.end <= chunk[0].start]
                fam_arm = before[-1] if before else None
        if (
            fam_arm is None
            and ctx.get("endpoint_list")
            and not any(after_arms.get(id(m)) for m in members[:-1])
        ):
            # "median PFS and OS were 4.0 and 6.0 months with FOLFOX": one number per endpoint, one arm
            fam_arm = after_arms.get(id(members[-1]))
        # 2a. "7.8 vs 7.1 months favouring X", "X resulted in longer TTP (4.9 vs 3.1 months)": the
        # favoured arm has the longer survival, the other number belongs to the other arm
        if fam_arm is None and n == 2 and not any(after_arms.get(id(m)) for m in members):
            favoured = self._favoured_arm(text, members, s, e, sent_arms, low)
            flip = False
            if favoured is None:
                favoured, flip = self._disfavoured_arm(text, members, s, sent_arms, low), True
            if favoured is not None:
                longer = max(range(2), key=lambda k: float("inf") if members[k].nr else members[k].value or 0)
                longer = 1 - longer if flip else longer
                if members[0].value != members[1].value or members[0].nr != members[1].nr:
                    if i == longer:
                        fam_arm = favoured
                    else:
                        other = self._other_arm(favoured, design, ctx, text, sent_arms, members[-1].ext_end)
                        if other is not None:
                            label, family = other
                            o.arm, o.regimen, o.confidence = label, family, o.confidence - 0.1
                            ctx["group_arms"].setdefault(id(members[0]), [None] * n)[i] = (label, family)
                            o.n = design.n_by_family.get(family or "")
                            return
        # 2b. "For X- versus Y-treated patients, median OS was 8.5 versus 3.8 months, median PFS
        # 3.7 versus 1.9 months": arms compared at the head of the sentence, before any number
        if fam_arm is None and n > 1 and not any(after_arms.get(id(m)) for m in members):
            head = _dedupe_arms([a for a in sent_arms if a.start < vals[0].start])
            if (
                len(head) == n
                and all(
                    _RX40.fullmatch(text[x.start + len(x.label) : y.start])
                    # "X (n = 61) did better than Y (n = 59): median OS was a versus b"
                    or _HEAD_VERSUS_RE.fullmatch(text, x.start + len(x.label), y.start)
                    # "in the X and Y arms, median PFS was 2.8 vs 2.9 months", "PFS did not differ
                    # between X and Y (median 8.8 vs. 9.5 months)"
                    or (
                        _AND_RE.fullmatch(text[x.start + len(x.label) : y.start])
                        and (
                            _RX29.match(text, head[-1].end)
                            or all(_ARM_WORD_RE.search(a.label) for a in head)
                            or _BETWEEN_END_RE.search(text, max(s, head[0].start - 12), head[0].start)
                        )
                    )
                    for x, y in zip(head, head[1:], strict=False)
                )
                and _COMPARE_RE.search(text, members[0].ext_end, members[-1].start)
            ):
                lead = _clause_start(text, s, head[0].start)
                if n == 2 and _COMPARED_WITH_LEAD_RE.fullmatch(text, lead, head[0].start):
                    # "Compared with Y, X improved PFS (a vs b)": the first arm named is the comparator
                    head = head[::-1]
                fam_arm = head[i]
        # 2c. "(44.0% vs. 38.5%, P = 0.30) between patients who received X or Y": the arms in order
        if fam_arm is None and n > 1 and not any(after_arms.get(id(m)) for m in members):
            tail = _dedupe_arms([a for a in sent_arms if a.start >= members[-1].ext_end])[:n]
            if len(tail) == n:
                at = text.find("between", members[-1].ext_end, tail[0].start)
                gaps = [(x.end, y.start) for x, y in zip(tail, tail[1:], strict=False)]
                if (
                    at >= 0
                    and _BETWEEN_ARMS_RE.fullmatch(text, at, tail[0].start)
                    and all(_ARM_PAIR_GAP_RE.fullmatch(text, a, b) for a, b in gaps)
                ):
                    fam_arm = tail[i]
        # 3. nearest mention before the value since the previous one (unless it names another value's arm)
        if fam_arm is None and (n == 1 or ctx.get("endpoint_list")):
            head = members[0]  # a list of one number per endpoint describes one arm
            prev_end = max([x.ext_end for x in vals if x.ext_end <= head.start], default=s)
            taken = {id(x) for x in after_arms.values() if x is not None}
            before = [
                a for a in sent_arms if prev_end <= a.start and a.end <= head.start and id(a) not in taken
            ]
            if before:
                fam_arm = before[-1]
        if fam_arm is None and n > 1 and i == 0 and any(after_arms.get(id(m)) for m in members[1:]):
            # "The treatment group had a median OS of 15 months compared with 9 months in the control group"
            prev_end = max([x.ext_end for x in vals if x.ext_end <= v.start], default=s)
            taken = {id(x) for x in after_arms.values() if x is not None}
            before = [a for a in sent_arms if prev_end <= a.start and a.end <= v.start and id(a) not in taken]
            if before:
                fam_arm = before[-1]
        if fam_arm is None and n == 2 and i == 1 and len(design.arms) == 2:
            # "X showed longer median PFS (3.6 vs 1.8 months)": the second number is the other arm's
            first = ctx.get("group_arms", {}).get(id(members[0]))
            fams = [f for _, f in design.arms]
            if (
                first
                and first[0]
                and first[0][1] in fams
                and _COMPARE_RE.search(text, members[0].ext_end, v.start)
            ):
                label, family = design.arms[1 - fams.index(first[0][1])]
                o.arm, o.regimen, o.confidence = label, family, o.confidence - 0.1
                ctx["group_arms"][id(members[0])][i] = (label, family)
                o.n = design.n_by_family.get(family or "")
                return
        if fam_arm is None:
            # "In the combination group, median PFS was 5.2 months and median OS 12.6 months; ..."
            clause = max(s, text.rfind(";", s, v.start) + 1)
            lead = [a for a in sent_arms if clause <= a.start < v.start]
            if lead and _CLAUSE_LEAD_RE.fullmatch(text, clause, lead[0].start):
                fam_arm = lead[0]
        if fam_arm is None and (n > 1 or len(vals) > 1):
            m = _RX11.match(text[v.ext_end : e])
            if m and not _RX34.search(m.group(1)):
                free_label = m.group(1).strip()
        label, family = "", None
        window = text[max(s, v.start - 80) : v.start]
        pooled = _RX9.search(window) if "pooled" in window.lower() else None  # (a match holds the word)
        if fam_arm is not None:
            label, family = fam_arm.label, self.resolve_family(fam_arm, design)
            alone = _ALONE_RE.match(text[fam_arm.end : fam_arm.end + 12])
            if alone:
                label = text[fam_arm.start : fam_arm.end + alone.end()]
        elif free_label:
            label, family = free_label, None
        elif pooled:
            label, family = "pooled", None
        elif (
            ctx.get("subject_arm") is not None
            and not ctx["sent_arms"]
            and (n == 1 or ctx.get("endpoint_list"))
            and not _WHOLE_POPULATION_RE.search(text, s, v.start)
        ):
            # "Cohort B had an ORR of 25%. Median OS was 9.8 months": the arm the previous
            # sentence was about, when this one names none
            label, family = ctx["subject_arm"].label, self.resolve_family(ctx["subject_arm"], design)
            o.confidence -= 0.15
        elif ctx.get("endpoint_list"):
            pass  # one number per endpoint: the numbers describe one arm, not one arm each
        elif n > 1 and len(here := _sentence_arms(ctx)) == n:
            label, family = (here[::-1] if self._from_to(text, members, s) else here)[i]
            o.confidence -= 0.1
        elif n > 1 and ctx.get("last_arms") and len(ctx["last_arms"]) == n:
            last_arms = ctx["last_arms"]
            label, family = (last_arms[::-1] if self._from_to(text, members, s) else last_arms)[i]
            o.confidence -= 0.1
        elif design.arms and n == len(design.arms) and n > 1:
            label, family = design.arms[i]
            o.confidence -= 0.15
        elif len(design.arms) > 1:
            o.confidence -= 0.3
        if family is None and not label and not design.arms:
            family = design.single_regimen
        elif family is None and fam_arm is not None and fam_arm.generic == "named" and not design.arms:
            # "in the second-line group" of a one-regimen study: a subset of that regimen's patients
            family = design.single_regimen
            ctx["named_subset"] = label
            if _AGE_GROUP_RE.fullmatch(label):
                label = ""  # "in the elderly group": an age subgroup of the whole population
        elif family is None and not label and design.arms:
            family = design.single_regimen
        o.arm, o.regimen = label, family
        if n > 1 and (label or family):
            ctx.setdefault("group_arms", {}).setdefault(id(members[0]), [None] * n)[i] = (label, family)
        o.n = design.n_by_family.get(family or "") if design.arms else design.n_total
        if fam_arm is not None and fam_arm.family:
            # "(n = 51)" written with this very mention (a subgroup's own arm sizes) wins
            o.n = _arm_n_once(text, fam_arm, ctx) or o.n
        elif fam_arm is not None:
            # a group named in words: its size where it was named ("125 received combination chemotherapy")
            o.n = _arm_n_once(text, fam_arm, ctx) or design.n_by_label.get(_label_key(fam_arm.label)) or o.n
        if o.n is None and not label:
            o.n = design.n_total

    def _favoured_arm(
        self, text: str, members: list, s: int, e: int, sent_arms: list[ArmMention], low: str | None = None
    ):
        """The arm a comparison favours: "(7.8 vs 7.1 months) favouring X", or the one arm named
        before the numbers as the subject of "longer / improved / prolonged ..." in the clause."""
        m = _FAVOURING_RE.match(text, members[-1].ext_end, e)
        if m is not None:
            after = [a for a in sent_arms if m.end() <= a.start <= m.end() + 4 and (a.family or a.generic)]
            return after[0] if after else None
        clause = _clause_start(text, s, members[0].start)
        before = _dedupe_arms(
            [a for a in sent_arms if clause <= a.start < members[0].start and (a.family or a.generic)]
        )
        better = _BETTER_GATED.search(text, low, clause, members[0].start) is not None
        better = better and not _WORSE_GATED.search(text, low, clause, members[0].start)
        if better and len(before) == 1 and not _COMPARE_RE.search(text, clause, before[0].start):
            # "X resulted in longer PFS (a vs b)", "a significant improvement in PFS in the X group (a vs b)"
            return before[0]
        if better and len(before) >= 2:
            # "longer with X than with Y (median, a vs. b)": the last two arms named before the
            # numbers (arms named earlier in the clause, as in "with a follow-up of c months for X
            # and d months for Y, patients given X had longer OS than ...", set up nothing)
            raw = [a for a in sent_arms if clause <= a.start < members[0].start and (a.family or a.generic)]
            x, y = raw[-2], raw[-1]
            gap = (x.start + len(x.label), y.start)
            if (x.family or x.generic) != (y.family or y.generic) and (
                _OVER_RE.fullmatch(text, *gap) or _BETTER_THAN_RE.fullmatch(text, *gap)
            ):
                # "Patients who received X had longer OS than those managed with Y (a vs b)"
                return x
        return None

    def _disfavoured_arm(
        self, text: str, members: list, s: int, sent_arms: list[ArmMention], low: str | None = None
    ):
        """ "OS was inferior in patients assigned to X (median 5.6 vs 8.7 months)": the one arm named
        between a "shorter / inferior / worse" and the numbers has the shorter survival."""
        clause = _clause_start(text, s, members[0].start)
        worse = _WORSE_GATED.search(text, low, clause, members[0].start)
        if worse is None:
            return None
        named = _dedupe_arms(
            [a for a in sent_arms if clause <= a.start < members[0].start and (a.family or a.generic)]
        )
        if len(named) == 2:
            # "The median OS of the X group was shorter than that of the Y group (a vs b)"
            gap = (named[0].start + len(named[0].label), named[1].start)
            if _OVER_RE.fullmatch(text, *gap) or _BETTER_THAN_RE.fullmatch(text, *gap):
                return named[0]
        return named[0] if len(named) == 1 else None

    def _other_arm(
        self,
        arm: ArmMention,
        design: Design,
        ctx: dict,
        text: str = "",
        sent_arms: list | None = None,
        after: int | None = None,
    ) -> tuple[str, str | None] | None:
        """The other arm of a two-arm comparison, given one of them: "X over Y", "X had longer PFS
        (a vs b) compared with Y" (`after`: the end of the compared numbers), else the design."""
        starts = []
        said_end = arm.start + len(arm.label)  # "the X group": the label may run past the agent
        for at in {arm.end, said_end} if text else ():
            if (m := _OVER_RE.match(text, at)) is not None:
                starts.append(m.end())
        if text and (m := _BETTER_THAN_RE.match(text, said_end)) is not None:
            starts.append(m.end())
        if text and after is not None and (m := _COMPARED_AFTER_RE.match(text, after)) is not None:
            starts.append(m.end())
        for start in starts:
            for a in sent_arms or []:
                if a.start == start and (a.family or a.generic) and a.start != arm.start:
                    return a.label, self.resolve_family(a, design)
        fam = self.resolve_family(arm, design)
        for pair in (design.arms, ctx.get("last_arms") or []):
            if len(pair) == 2 and fam in [f for _, f in pair]:
                return pair[1 - [f for _, f in pair].index(fam)]
        return None

    def _names_an_arm(self, what: str) -> bool:
        """ "in GC cohort": a regimen named as a group is an arm, not a subgroup."""
        w = _LABEL_NOISE_RE.sub(" ", what).strip()
        return w in self._abbr or w.lower() in self._fam_of or what.strip().isdigit()

    def _generic_family(self, arm: ArmMention, design: Design) -> str | None:
        """An arm named by its role ("the control arm", "with the doublet", "group B")."""
        kind = arm.generic
        if kind == "named":
            return None
        bound = design.letter_family.get(kind)
        if bound is not None:
            return bound
        if not design.arms:
            return design.single_regimen if kind and kind[0] in "ABCD1234" and len(kind) == 1 else None
        fams = [f for _, f in design.arms]
        sizes = [N_AGENTS.get(f.lower(), len(f.split(" + "))) for f in fams]
        if kind in {"combination", "doublet", "triplet"} and len(set(sizes)) > 1:
            want = {"doublet": 2, "triplet": 3}.get(kind)
            exact = [i for i, n in enumerate(sizes) if n == want]
            if len(exact) == 1:
                return fams[exact[0]]
            return fams[max(range(len(fams)), key=lambda i: sizes[i])]
        if kind == "monotherapy" and len(set(sizes)) > 1:
            return fams[min(range(len(fams)), key=lambda i: sizes[i])]
        if kind == "placebo":
            pl = [i for i, c in enumerate(design.arm_components) if c & _PLACEBO_LIKE]
            # no arm of the design holds a placebo (two added drugs, each with its own placebo,
            # and "the pooled placebo arm"): the placebo arm is none of them
            return fams[pl[0]] if len(pl) == 1 else None
        if kind in {"experimental", "investigational", "intervention", "treatment", "study", "A", "1"} or (
            kind in {"combination", "triplet"}
        ):
            return fams[0]
        if kind in {"control", "comparator", "placebo", "standard", "monotherapy", "doublet", "B", "2"}:
            return fams[-1]
        if kind == "chemotherapy":
            named = [f for f in fams if "chemotherapy" in f.lower()]
            if len(named) == 1:
                return named[0]
            non = [f for f in fams if f not in _PLACEBO_LIKE]
            return non[0] if non else fams[0]
        return None

    def _subgroup(self, text: str, s: int, v: Value, e: int, low: str | None = None) -> str | None:
        """`low`: lx.lower_text(text), where the sentence's subgroup cues are looked for."""
        # "(ECOG 0, 9.1 months; ECOG 1, 5.2 months)", "(GBC: 7.9 months; ...; ECC: 15.0 months)":
        # a short label right before the value, at the start of a parenthesis or list item
        if (label := _LABEL_BEFORE_RE.search(text, max(s, v.start - 24), v.start)) is not None:
            said = label.group("label")
            if not _NOT_A_LABEL_RE.fullmatch(said) and not self._names_an_arm(said):
                return said
        # keyed by the text too: the rule set is shared by every abstract, and two abstracts can
        # have a sentence at the same offsets
        key = (text, s, e)
        if self._sub_cache_key != key:
            self._sub_cache_key = key
            sent = text[s:e]
            has_ps = any(w in sent for w in lx.PS_WORDS)
            self._sub_flags = (any(w in sent for w in _CROSSOVER_WORDS), has_ps)
            found_all = _subgroup_matches(text, low, s, e)
            if has_ps:
                found_all += lx.PS_SUBGROUP_RE.finditer(text, s, e)
            for pos in [s] + [m.end() for m in _CLAUSE_START_SCAN.finditer(text, s, e)]:
                m = lx.SUBGROUP_LEAD_RE.match(text, pos, e)
                if m:
                    found_all.append(m)
            self._sub_cache = sorted(found_all, key=lambda m: m.end())
        crossover, has_ps = self._sub_flags
        # "after adjustment for crossover with the RPSFT method, median OS with placebo was ...":
        # a re-estimate, never to be pooled with the trial's own median
        if crossover and _CROSSOVER_ADJUSTED_RE.search(text, _clause_start(text, s, v.start), v.start):
            return "crossover-adjusted"
        # a subgroup named right after the value is its own: "a months for ECOG 0-1 versus b
        # months for ECOG 2", whatever subgroup the sentence named before
        if has_ps:
            gap = len(text[v.ext_end : e]) - len(text[v.ext_end : e].lstrip())
            after = lx.PS_SUBGROUP_RE.match(text, v.ext_end + gap, e) or lx.SUBGROUP_RE.match(
                text, v.ext_end + gap, e
            )
            said = _sub_what(after) if after is not None else None
            if said and _PERFORMANCE_STATUS_RE.search(said):
                return said.strip()
        found = None
        for m in self._sub_cache:
            if m.end() <= v.start:
                found = m
        if (
            found is not None
            and not lx.MAIN_POPULATION_RE.search(found.group(0))
            and not _RX25.search(found.group(0))
        ):
            what = _sub_what(found)
            if what and not _RX35.search(what) and not self._names_an_arm(what):
                return what.strip()
        m = lx.SUBGROUP_RE.match(text, v.ext_end, e)
        if m is None:
            m2 = _RX12.match(text[v.ext_end : e])
            m = lx.SUBGROUP_RE.match(text, v.ext_end + m2.end(), e) if m2 else None
        if m is not None and not lx.MAIN_POPULATION_RE.search(m.group(0)):
            what = _sub_what(m)
            if what and not _RX35.search(what) and not self._names_an_arm(what):
                return what.strip()
        return None

    # ------------------------------------------------------------------ hazard ratios
    def _hazard_ratios(
        self, text, s, e, sent, anchors, cis, pvals, arms, design, ex, mentions, masks, carry_ep, ltext=None
    ):
        """`ltext`: lx.lower_text(text)."""
        found = 0
        if not _may_hold_hr(sent):
            return 0
        for hm in lx.HR_HEAD_RE.finditer(sent):
            a = hm.start() + s
            b = hm.end() + s
            if _overlaps(a, b, masks):
                continue
            window = text[b : min(e, b + 90)]
            label = lx.CI_LABEL_RE.search(window) or _RX26.search(window[:30])
            clean = window
            if label:
                clean = window[: label.start()] + " " * (label.end() - label.start()) + window[label.end() :]
            if (dash := _HR_DASH_RE.match(clean)) is not None:
                # "HR-0.71", "[HR]-0.63": the dash separates, it is no minus sign
                clean = clean[: dash.end() - 1] + " " + clean[dash.end() :]
            nm = lx.NUM_RE.search(clean)
            if not nm:
                continue
            between = clean[: nm.start()]
            if ";" in between or len(between) > 70 or _RX27.search(between):
                continue
            vstart, vend = b + nm.start(1), b + nm.end(1)
            value = lx.parse_num(nm.group(1))
            if not 0 < value < 50:
                continue
            ep = _hr_endpoint(between)
            if ep is None:
                # "associated with shorter survival (HR ...)", "the hazard of death (HR ...)"
                near = None
                for wm in _HR_CONTEXT_AT.finditer(text, s, a):  # _HR_CONTEXT_RE.finditer(text, s, a)
                    if wm.end() >= a - 60:
                        near = wm
                if near is not None:
                    ep = _hr_endpoint(near.group(0))
            if ep is None:
                prev = [m for m in anchors if m.label in ("ENDPOINT", "RATE") and m.end <= a]
                ep = prev[-1].value if prev else None
            if ep is None:
                nxt = [m for m in anchors if m.label == "ENDPOINT" and m.start >= b and m.start < vstart]
                ep = nxt[0].value if nxt else carry_ep
            hr = HazardRatio(endpoint=ep, value=value, span=(vstart, vend))
            pos = vend
            for c in cis:
                gap = text[pos : c[4]]
                if c[4] >= pos and len(gap) <= 6 and _RX36.fullmatch(gap):
                    hr.ci_level, hr.ci_low, hr.ci_high = c[0], c[1], c[2]
                    pos = c[5]
                    break
            else:
                m = lx.BARE_RANGE_RE.match(text, pos, e) or _HR_BARE_CI_RE.match(text, pos, e)
                if m:
                    low, _ = _bound(m.group("low"))
                    high, _ = _bound(m.group("high"))
                    if low is not None and high is not None and low <= value <= high:
                        hr.ci_low, hr.ci_high = low, high
                        hr.ci_level = 0.95 if label else None
                        pos = m.end()
            for pa, pb, pm in pvals:
                gap = text[pos:pa]
                if pa >= pos and len(gap) <= 30 and _RX37.fullmatch(gap):
                    op = pm.group("op").replace("&lt;", "<").replace("&gt;", ">")
                    p_text = pm.group("p")
                    raw_between = text[pa : pm.start("p") + s]
                    if op == "=":
                        hr.p_value = p_text
                    else:
                        hr.p_value = op + (" " if raw_between.endswith(" ") else "") + p_text
                    pos = pb
                    break
            hr.comparison = self._comparison(text, s, a, arms, design)
            at_value = Value(vstart, vend, value, False, False, ext_end=pos)
            hr.subgroup = self._subgroup(text, s, at_value, e, ltext)
            if hr.subgroup is None:
                # subgroup numbers earlier in the sentence: "in gallbladder cancer, median OS ... (HR ...)"
                seg = text[s:a]
                if _any_subgroup(seg, ltext[s:a] if ltext is not None else None):  # SUBGROUP_RE.search(seg)
                    at_head = Value(a, b, None, False, False, ext_end=b)
                    hr.subgroup = self._subgroup(text, s, at_head, e, ltext)
            hr.confidence = 0.9 if hr.ci_low is not None else 0.7
            ex.hazard_ratios.append(hr)
            mentions.append(Mention("HR", vstart, vend, ep or ""))
            masks.append((a, max(pos, vend)))
            found += 1
        return found

    def _comparison(self, text, s, a, arms, design) -> str | None:
        if len(design.arms) < 2:
            # no design: the two arms the sentence compares before the hazard ratio ("Median OS
            # was a months with X and b months with Y (HR ...)"), the comparator after 'compared with'
            named: list[ArmMention] = []
            for m in _sentence_arm_mentions(text, arms, s, a):
                if m.family and m.family not in [x.family for x in named]:
                    named.append(m)
            if len(named) != 2:
                return None
            first, second = named
            lead = _clause_start(text, s, first.start)
            if (
                _COMPARED_WITH_LEAD_RE.fullmatch(text, lead, first.start)
                or first.family.lower() in _PLACEBO_LIKE
                or first.components < second.components  # "Y and X + Y": the addition is experimental
                or (len(second.family) > len(first.family) and first.family.lower() in second.family.lower())
            ):
                first, second = second, first
            return f"{first.family} vs {second.family}"
        if len(design.arms) >= 2:
            first, second = design.arms[0][1], design.arms[1][1]
            if len(design.arms) > 2:
                # a three-arm trial: the two arms this sentence compares, in its order
                fams = [f for _, f in design.arms]
                named = []
                for m in arms:
                    fam = self.resolve_family(m, design) if s <= m.start < a else None
                    if fam in fams and fam not in named:
                        named.append(fam)
                if len(named) == 2:
                    first, second = named
            if first.lower() in _PLACEBO_LIKE or (
                second.lower() not in _PLACEBO_LIKE
                and len(second) > len(first)
                and first.lower() in second.lower()
            ):
                first, second = second, first
            return f"{first} vs {second}"
        return None

    # ------------------------------------------------------------------ toxicities
    def _toxicities(self, text, sents, arms, design, ex) -> None:
        """Grade >=3 events with a rate, in sentences that name a grade >=3 cue.

        Forms: "neutropenia (20%)", "neutropenia in 20%", "neutropenia occurred in 12 (20%)",
        "neutropenia (30% vs 7%)", "neutropenia and anaemia in 22% and 16%, respectively",
        "adverse events in 69% of patients given X and 52% of those given Y".
        """
        low = lowered(text)
        for s, e in sents:
            sent = text[s:e]
            if "%" not in sent:
                continue
            if (
                low is not None
                and _TOX_GRADE_WORDS is not None
                and not _holds_any(low[s:e], _TOX_GRADE_WORDS)
            ):
                continue  # no grade >=3 cue (see _TOX_GRADE_WORDS)
            gm = lx.TOX_GRADE_RE.search(sent)
            if not gm:
                continue
            events = []
            for m in _TOX_EVENT_SCAN.finditer(sent):
                ev = (m.start() + s, m.end() + s, lx.TOX_EVENTS[int(m.lastgroup[1:])][0])
                if _TOX_CAUSE.search(text[max(s, ev[0] - 40) : ev[0]]):
                    continue  # "stopped because of adverse events in 2%"
                if events and ev[2] in _TOX_CLASS and _TOX_MOST_COMMON.fullmatch(text[events[-1][1] : ev[0]]):
                    continue  # "hypertension was the most common grade 3 adverse event (25%)"
                if events and _TOX_APPOSITIVE.fullmatch(text[events[-1][1] : ev[0]]):
                    # "complications, chiefly cholangitis and haemobilia, occurred in 8%": the head counts
                    events.append((ev[0], ev[1], ""))
                    continue
                if events and events[-1][2] == "" and _TOX_LIST_GAP.fullmatch(text[events[-1][1] : ev[0]]):
                    events.append((ev[0], ev[1], ""))
                    continue
                events.append(ev)
            if not events:
                continue
            blocked = [(m.start() + s, m.end() + s) for m in lx.CI_RE.finditer(sent)]
            blocked += [(m.start() + s, m.end() + s) for m in lx.CI_MENTION_RE.finditer(sent)]
            pcts = [
                (m.start(1) + s, m.end(1) + s, lx.parse_num(m.group(1)))
                for m in _PCT_AT.finditer(sent)  # lx.PCT_RE.finditer(sent)
                if not _overlaps(m.start() + s, m.end() + s, blocked)
            ]
            if not pcts:
                continue
            sent_arms = _sentence_arm_mentions(text, arms, s, e)
            # group events written as a list ("neutropenia, anaemia and fatigue occurred in ...")
            groups: list[list[tuple[int, int, str]]] = []
            for ev in events:
                if groups:
                    prev = groups[-1][-1]
                    gap = text[prev[1] : ev[0]]
                    if _TOX_LIST_GAP.fullmatch(gap) and not any(prev[1] <= p[0] < ev[0] for p in pcts):
                        groups[-1].append(ev)
                        continue
                groups.append([ev])
            # appositive events ("" name) only extend their head's segment
            groups = [g for g in groups if g[0][2]]
            heads = [g[0][0] for g in groups]
            used: set[int] = set()
            for gi, grp in enumerate(groups):
                seg_end = heads[gi + 1] if gi + 1 < len(groups) else e
                found = []
                pos = grp[-1][1]
                for ps, pe, val in pcts:
                    if ps < pos or ps >= seg_end:
                        continue
                    gap = text[pos:ps]
                    limit = 90 if not found else 70
                    if len(gap) > limit or _TOX_STOP.search(gap):
                        break
                    if found and _TOX_NEW_ITEM.search(gap):
                        break  # "neutropenia (10%), AST increase (5%)": the next item of the list
                    if found and (
                        _RX44.search(gap)
                        or (_TOX_NEW_CLAUSE.search(gap) and not any(pos <= a.start < ps for a in sent_arms))
                    ):
                        break
                    if _TOX_LOW_GRADE.search(text[max(pos, ps - 25) : ps]) or _TOX_ANY_GRADE_AFTER.match(
                        text, pe, e
                    ):
                        pos = pe
                        continue
                    found.append((ps, pe, val))
                    pos = pe
                if not found:
                    continue
                used.update(f[0] for f in found)
                if len(grp) > 1 and len(found) == len(grp):
                    pairs = list(zip(grp, found, strict=True))
                elif len(grp) > 1 and len(found) == 1 and _RX41.search(text[grp[-1][1] : found[0][0]]):
                    pairs = [(ev, found[0]) for ev in grp]
                else:
                    pairs = [(grp[0], f) for f in found]
                n_arm_vals = len(found) if len(grp) == 1 or len(found) != len(grp) else 1
                for k, (ev, (ps, pe, val)) in enumerate(pairs):
                    if not 0 <= val <= 100:
                        continue
                    t = Toxicity(event=ev[2], proportion=round(val / 100, 4), span=(ps, pe))
                    self._tox_arm(text, t, ps, pe, k, n_arm_vals, sent_arms, design, s)
                    ex.toxicities.append(t)
            # "one patient (7%) had grade 3 diarrhoea"
            for ps, pe, val in pcts:
                if ps in used or not 0 <= val <= 100:
                    continue
                nxt = [g[0] for g in groups if g[0][0] >= pe]
                if nxt and _TOX_HAD.fullmatch(text[pe : nxt[0][0]]):
                    t = Toxicity(event=nxt[0][2], proportion=round(val / 100, 4), span=(ps, pe))
                    self._tox_arm(text, t, ps, pe, 0, 1, sent_arms, design, s)
                    ex.toxicities.append(t)

    def _tox_arm(self, text, t, ps, pe, k, n_vals, sent_arms, design, s) -> None:
        # "in the GS arm (leucocytes 29%, neutrophils 61%)": every rate in the parenthesis that
        # follows an arm is that arm's
        opened = text.rfind("(", s, ps)
        if opened >= 0 and ")" not in text[opened:ps]:
            for a in sent_arms:
                if a.start < opened and _ARM_THEN_PAREN_RE.fullmatch(text, a.start + len(a.label), opened):
                    t.arm, t.regimen = a.label, self.resolve_family(a, design) or a.family
                    return
        after = _TOX_ARM_AFTER.match(text, pe)
        if after:
            pos = after.end()
            for a in sent_arms:
                if pos <= a.start <= pos + 12 and not _RX42.search(text[pos : a.start]):
                    t.arm, t.regimen = a.label, self.resolve_family(a, design) or a.family
                    return
        for a in reversed(sent_arms):
            if a.end <= ps and _RX28.fullmatch(text[a.end : ps]):
                t.arm, t.regimen = a.label, self.resolve_family(a, design) or a.family
                return
        if not design.arms:
            t.regimen = design.single_regimen
            return
        if n_vals > 1 and n_vals == len(design.arms):
            t.arm, t.regimen = design.arms[k]
            return
        near = [x for x in sent_arms if x.family and x.end <= ps]
        if near:
            t.arm, t.regimen = near[-1].label, self.resolve_family(near[-1], design) or near[-1].family
        else:
            t.arm, t.regimen = design.arms[0]


_ARM_THEN_PAREN_RE = re.compile(r"(?:\s+(?:arm|group|cohort))?\s*")
# texts one of which every TOX_GRADE_RE match holds, in lowered text (None: no such test)
_TOX_GRADE_WORDS = (
    required_literals(lx.lower_pattern(lx.TOX_GRADE_RE.pattern), lx.TOX_GRADE_RE.flags & ~re.I)
    if lx.lower_pattern(lx.TOX_GRADE_RE.pattern) is not None
    else None
)
_TOX_CLASS = {"any adverse event", "haematological toxicity", "immune-related adverse event"}
_TOX_CAUSE = re.compile(
    r"\b(?:because\s+of|due\s+to|owing\s+to|for|discontinu\w*|stopp\w*|withdr\w*)\s+(?:\w+\s+){0,2}$", re.I
)
_TOX_MOST_COMMON = re.compile(
    r"\s+(?:was|were)\s+(?:also\s+)?(?:the\s+)?(?:most\s+(?:common|frequent|frequently\s+reported)|commonest|main|"
    r"predominant|leading)\s+(?:grade\s*(?:\u2265|>=|>)?\s*(?:3|iii)\S*(?:\s+(?:or|to)\s+(?:higher|greater|worse|4|5))?\s+)?"
    r"(?:treatment[\s\-]+(?:related|emergent)\s+|drug[\s\-]+related\s+)?",
    re.I,
)
_TOX_APPOSITIVE = re.compile(
    r"\s*[,(]\s*(?:chiefly|mainly|mostly|predominantly|principally|primarily|largely|most\s+often)\s+", re.I
)
_TOX_NEW_CLAUSE = re.compile(r"\b(?:and|,)\s+(?:[a-z\-]+\s+){1,4}(?:in|was|were)\s*$", re.I)
_TOX_ANY_GRADE_AFTER = re.compile(r"[^;,.]{0,25}\b(?:at\s+)?(?:any[\s\-]+grade|all\s+grades)", re.I)
_TOX_HAD = re.compile(
    r"\s*%?\s*\)?\s*(?:had|developed|experienced|reported|suffered)\s+(?:an?\s+)?"
    r"(?:grade\s*(?:\u2265|>=|>)?\s*(?:3|iii|4|iv)(?:\s*(?:or|to|[\-\u2013/])\s*(?:4|5|higher|worse))?\s+)",
    re.I,
)
_TOX_LIST_GAP = re.compile(r"\s*(?:,|,?\s*and|,?\s*or|/)\s*(?:grade\s*\S+\s+)?", re.I)
_TOX_STOP = re.compile(
    r"\b(?:respon\w*|ORR|DCR|disease\s+control|survival|PFS|OS|discontinu\w*|dose\s+(?:reduction|delay)|"
    r"reduc\w+|death|died|interrupt\w*|led\s+to|leading\s+to|whereas\s+grade|any[\s\-]+grade)\b|;\s|(?<!vs)(?<!\bv)\.\s",
    re.I,
)
_TOX_LOW_GRADE = re.compile(
    r"(?:any[\s\-]+grade|all[\s\-]+grades?|grades?\s*[12](?:\s*[\-\u2013/]\s*2)?)\s*[:,]?\s*$", re.I
)
_TOX_ARM_AFTER = re.compile(
    r"\s*%?\s*(?:\)\s*)?(?:of\s+(?:the\s+)?(?:\d+\s+)?(?:patients|participants|those|subjects|cases|recipients)?\s*|"
    r"(?:in|with|on|for|among|under)\s+)?(?:the\s+)?(?:patients\s+|those\s+)?(?:(?:given|receiving|treated\s+with|"
    r"who\s+received|randomi[sz]ed\s+to|assigned\s+to|on|in|with)\s+)?(?:the\s+)?",
    re.I,
)


_HR_CONTEXT_RE = re.compile(
    r"\b(?:(?:progression|disease|relapse|recurrence|event)[\s\-\u2010\u2011]*free[\s\-]+surviv\w*|"
    r"time\s+to\s+(?:tumou?r\s+)?progression|TTP|progression|PFS|death|dying|surviv\w*|OS|mortality|recurrence|"
    r"relapse|RFS|DFS|disease[\s\-]+free)\b",
    re.I,
)
# the same matches, tried only where a word they start with starts (fastre.starts_gated)
_HR_CONTEXT_AT = starts_gated(_HR_CONTEXT_RE)
_HR_BARE_CI_RE = re.compile(
    rf"\s*[,;]\s*(?P<low>{lx.NUM})\s*(?:[{lx.DASH}]|to)\s*(?P<high>{lx.NUM})(?!\s*(?:%|months?|weeks?|days?|years?))"
)
_THEY_WERE_RE = re.compile(
    r";[^;]*\b(?:they|these|the\s+corresponding\s+\w+|the\s+(?:values|figures|medians|estimates))\s+were\b"
    # "mPFS 5.6 months and mOS 12.1 months, against 3.5 and 8.0 months for ..."
    r"|,\s*(?:against|compared\s+with|versus|vs\.?)\s*$",
    re.I,
)
_ARM_LETTER_LIST_RE = re.compile(
    r"\b(?P<noun>arms|groups|cohorts)\s+(?P<list>[A-D1-4](?:\s*,\s*[A-D1-4])*\s*,?\s*(?:and|or|&)\s*[A-D1-4])\b"
)
_LETTER_RE = re.compile(r"[A-D1-4]")
# cheap tests before the costly patterns of a sentence
_RATE_HINT = re.compile(r"month|year|week|\bmo\b|\byrs?\b|\bwks?\b")
_RATE_HINT_ANY = AnyMatch(lx.CI(_RATE_HINT.pattern))  # its words as `in` tests
_CI_HINT = re.compile(r"CI|C\.I|onfiden|redible|CrI|ci\b", re.I)
_P_HINT = re.compile(r"[pP]\s*(?:[\-\u2010]?\s*values?)?\s*(?:[=<>\u2264\u2265]|&[lg]t;)")
# lx.P_RE's and lx.NR_RE's matches, found faster (each starts with one of a few texts: "p", "not", "NR", ...)
_P_SCAN = StartScan(lx.P_RE)
_NR_SCAN = StartScan(lx.NR_RE)
# lx.NUM_RE's and lx.PCT_RE's matches, looked for after the characters that may stand before one
_NUM_AT = AfterBoundary(lx.NUM_RE)
_PCT_AT = AfterBoundary(lx.PCT_RE)
# the quicker scan of each pattern _sentence reads values with
_QUICK_SCAN = {lx.NR_RE: _NR_SCAN, lx.NUM_RE: _NUM_AT}
_CARRY_CUE = re.compile(r"\bmedian|\bcorresponding|\b(?:it|they)\s+(?:was|were)\b", re.I)
_UNIT_HEADER_RE = re.compile(r"[(\[,]\s*(?:median\s*)?(?:months|mo)\b", re.I)
_DECIMAL_RE = re.compile(r"\d{1,3}[.\u00b7]\d")
_MEDIAN_BEFORE_RE = re.compile(r"\bmedian\s+$", re.I)
_VS_ONLY_RE = re.compile(r"\s*(?:vs\.?|versus)\s*", re.I)
_HYPOTHESIS_RE = re.compile(
    r"\b(?:historical|hypothes\w*|assum\w*|exclude|null|alternative|expected|target\w*|prespecified|pre-specified|"
    r"threshold|power\w*|detect|benchmark|predefined|pre-defined|distinguish|sample\s+size|reference\s+value|improve\s+(?:the\s+)?median|from\s+an?\s+)\b",
    re.I,
)
# the lowercase twins of the patterns _distractor tries for every outcome (faster on lowered
# text); the hypothesis words are looked for first (fastre.Gated): most sentences have none
_CHANGE_OF_CI = lx.CI(_CHANGE_OF_RE.pattern, _CHANGE_OF_RE.flags & ~re.I)
_GAIN_LEAD_CI = lx.CI(_GAIN_LEAD.pattern, _GAIN_LEAD.flags & ~re.I)
_HYPOTHESIS_GATED = Gated(lx.CI(_HYPOTHESIS_RE.pattern, _HYPOTHESIS_RE.flags & ~re.I))
_CLAUSE_BREAK_RE = re.compile(r";|,\s+(?:and|while|whereas|but)\b")
_HYPOTHESIS_AFTER_RE = re.compile(
    r"\s*(?:threshold|boundary|cut-?off|benchmark)\b|[^.;]{0,70}?\b(?:null|alternative)\s+hypothes"
    r"|\s*(?:was|were|would\s+be)\s+(?:considered|deemed|regarded\s+as)\s+(?:uninteresting|promising|"
    r"unacceptable|acceptable|clinically|of\s+interest|worthy)",
    re.I,
)
_HYPOTHESIS_AFTER_CI = lx.CI(_HYPOTHESIS_AFTER_RE.pattern, _HYPOTHESIS_AFTER_RE.flags & ~re.I)
_FAVOURING_RE = re.compile(
    r"[\s,;)\]]*(?:\(?\s*p\s*[<=>\u2264]\s*0?[.\u00b7]\d+\s*\)?[\s,;]*)?"
    r"(?:favou?ring|in\s+favou?r\s+of)\s+(?:the\s+)?",
    re.I,
)
# "X plus chemotherapy": what stands before the word (anchored at its end), and what may not follow
_PLUS_CHEMO_LEAD = re.compile(
    r"(?:\+|\bplus|\bcombined\s+with|\bin\s+combination\s+with)\s+(?:systemic\s+|cytotoxic\s+)?$", re.I
)
_CHEMO_NOT_ALONE = re.compile(
    r"[\s\-]+(?:regimens?\s+)?(?:with|of|including|consisting|containing|such)\b", re.I
)


def _plus_chemotherapy(text: str, low: str | None) -> dict[int, tuple[int, int]]:
    """'a PD-1 inhibitor plus chemotherapy' -> {end of 'inhibitor': (that end, end of
    'chemotherapy')}, not where 'chemotherapy with gemcitabine ...' names its agents after it."""
    found = _words_after(text, low if low is not None else text.lower(), "chemotherapy", _PLUS_CHEMO_LEAD)
    return {k: v for k, v in found.items() if not _CHEMO_NOT_ALONE.match(text, v[1])}
# chemotherapy named by its line or kind: "second-line chemotherapy", "standard chemotherapy"
_LINE_CHEMO = (
    r"(?:(?:second|third|later|subsequent)[\s\-]+line|palliative|salvage|systemic|standard|conventional"
    r"|cytotoxic)\s+chemotherapy"
)
_COMPARATOR_RE = re.compile(
    r"\b(?:physician|investigator|clinician)(?:['\u2019]s|s['\u2019])?[\s\-]+(?:choice|chosen)(?:\s+of)?"
    r"(?:\s+(?:chemotherapy|treatment|therapy))?"
    r"|(?<=versus\s)chemotherapy\b|(?<=vs\s)chemotherapy\b|(?<=vs\.\s)chemotherapy\b"
    r"|(?<=with\s)chemotherapy(?=\s*[,;.(]|\s+alone\b|\s+\(|\s+\w+\s+\()"
    r"|(?<=with\s)standard(?:\s+of)?\s+care\b|(?<=versus\s)standard(?:\s+of)?\s+care\b"
    # chemotherapy named by its line or purpose as the treatment patients received, facing best
    # supportive care: "patients receiving second-line chemotherapy", "treated with palliative
    # chemotherapy" (not "chemotherapy with X", "chemotherapy-naive", "chemotherapy regimens")
    # (a `line` match counts only after _RECEIVED_BEFORE_RE, checked by arm_mentions: a lookbehind
    # here would leave the pattern without the literal starts _COMPARATOR_AT needs)
    rf"|(?P<line>{_LINE_CHEMO}\b)"
    r"(?![\s\-]+(?:with|of|including|consisting|containing|such|based|regimens?|agents?|na.ve|refractory)\b|-)",
    re.I,
)
_LINE_CHEMO_NAME_RE = re.compile(_LINE_CHEMO, re.I)
_RECEIVED_BEFORE_RE = re.compile(
    r"\b(?:received|receiving|given|with|underwent|undergoing|for|versus|vs\.?)\s(?:the\s)?$", re.I
)
_COMPARATOR_CI = lx.CI(_COMPARATOR_RE.pattern, _COMPARATOR_RE.flags & ~re.I)  # its lowercase twin
# tried only where "physician", "chemotherapy", "standard", ... start (the lookbehinds otherwise
# run at every position of the text)
_COMPARATOR_AT = Anchored(_COMPARATOR_CI)
# "X or infusional Y", "X versus oral Y": alternatives, with the way a drug is given between
_ALTERNATIVE_RE = re.compile(
    r"[\s\-]*(?:,|vs\.?|versus|or|compared\s+(?:with|to))\s*(?:the\s+)?"
    r"(?:(?:infusional|oral|intravenous|i\.?v\.?|continuous|bolus|weekly|biweekly|standard|modified|"
    r"single[\s\-]agent|high[\s\-]dose|low[\s\-]dose)\s+)*",
    re.I,
)
_RECEIVED_RE = re.compile(r"\b(?:received|receiving|treated\s+with|given|underwent|took|taking)\s", re.I)
_RECEIVED_GATED = Gated(lx.CI(_RECEIVED_RE.pattern, _RECEIVED_RE.flags & ~re.I))
_AND_RE = re.compile(r"\s*,?\s*and\s+(?:the\s+)?", re.I)
_OVER_RE = re.compile(
    r"\s*(?:over|versus|vs\.?|compared\s+(?:with|to)|rather\s+than"
    r"|than(?:\s+(?:with|in|for|among|on|that\s+of|those\s+(?:of|in|on|with|receiving|treated\s+with)))?)\s+(?:the\s+)?",
    re.I,
)
# "X had longer OS than those managed with Y": between the favoured arm and the other one
_BETTER_THAN_RE = re.compile(
    r"[^.;()\d]{0,60}?\b(?:longer|improved|better|superior|prolonged|extended|higher|greater"
    r"|shorter|worse|inferior|lower|poorer)\b(?:[^.;()\d]|\([A-Za-z]{2,5}\)){0,90}?"
    r"\bthan\s+(?:that\s+of\s+|those\s+of\s+)?(?:(?:those|patients|the\s+patients)\s+(?:who\s+)?(?:were\s+)?"
    r"(?:managed|treated|receiving|received|given|on|undergoing|underwent)\s+)?(?:with\s+)?(?:the\s+)?",
    re.I,
)
# "(4.2 vs 2.6 months, p = 0.02) compared with the Y group": what follows the compared numbers
_COMPARED_AFTER_RE = re.compile(
    r"[^()]{0,40}?\)\s*,?\s*(?:over|versus|vs\.?|compared\s+(?:with|to)|relative\s+to|than(?:\s+with)?)\s+(?:the\s+)?",
    re.I,
)
_CARRIED_RATE_RE = re.compile(
    rf"\brates?\s+(?:at|after|by)\s+{lx.TP}\s*[\-\u2010]?\s*{lx.TP_UNIT}\b|\b{lx.TP}[\-\u2010\s]+{lx.TP_UNIT}\s+rates?\b",
    re.I,
)
_RATE_WORD_RE = re.compile(r"\brates?\b|probabilit|\bsurviv|\balive\b", re.I)
_TP_BEFORE_RE = re.compile(
    rf"\b(?:at|by|after|and)\s+(?P<tp>{lx.TP})\s*(?P<tpu>{lx.TP_UNIT})?\s*[(:,]?\s*$", re.I
)
_TP_UNIT_RE = re.compile(rf"\b{lx.TP_UNIT}\b", re.I)
_TP_ANYWHERE_RE = re.compile(
    rf"\b(?:at|by|after)\s+(?P<tp>{lx.TP})\s*[\-\u2010]?\s*(?P<tpu>{lx.TP_UNIT})\b", re.I
)
_PCT_RE = re.compile(r"\d\s*%")
_LEVEL_IN_LABEL_RE = re.compile(r"(\d{2}(?:\.\d+)?)\s*%")
_THAN_WITHOUT_RE = re.compile(r"(?P<a>.+?)\s+than\s+(?:in\s+)?(?:those|patients)\s+without\s+(?P<b>.+)", re.I)
_IN_SUBGROUP_NAME_RE = re.compile(
    r"\b(?:patients|those|participants|subjects|cases)\s+(?:with|without|who\s+(?:had|achieved|showed))\s+"
    r"(?:an?\s+|the\s+)?[^,;()]{0,30}$",
    re.I,
)
# after the second number (its unit and CI): "in A and B patients, respectively"
_TWO_SUBGROUPS_AFTER_RE = re.compile(
    r"[^;]{0,60}?\s(?:in|among|for)\s+(?:the\s+)?(?P<a>[\w\-+/\u2265\u2264<> ]{2,30}?)\s+and\s+"
    r"(?P<b>[\w\-+/\u2265\u2264<> ]{2,30}?)\s+(?:patients|cases|subgroups|cohorts|tumou?rs)"
    r"\s*,?\s*respectively",
    re.I,
)
_HISTORY_SUFFIX_RE = re.compile(
    r"[\-\u2010\u2011]\s*(?:na[i\u00ef]ve|experienced|pre-?treated|refractory|resistant|intolerant|exposed|failed|failure)\b",
    re.I,
)
_LABEL_BEFORE_RE = re.compile(
    r"[(;]\s*(?P<label>(?:ECOG|PS|ECOG\s+PS)\s*\d(?:\s*[\-\u2013/]\s*\d)?|[A-Z][A-Za-z0-9\-]{1,7})\s*[,:]\s*$"
)
# abbreviations that are not subgroups when they stand before a number
_NOT_A_LABEL_RE = re.compile(
    r"(?:m?OS|m?PFS|TTP|DFS|RFS|D[oO]R|ORR|DCR|HR|CI|OR|RR|IQR|SD|SE|NR|NE|P|N|n|Median|Range|Mean|Total|All|Overall)",
)
# between a percentage and its timepoint: only the other arm's percentage ("in the X group
# versus 22% in the Y group ")
_PCT_ONLY_VS_RE = re.compile(
    r"(?:\s+(?:in|with|for)\s+(?:the\s+)?[\w\-+/]+(?:\s+[\w\-+/]+){0,3}?)?\s*,?\s*(?:vs\.?|versus|and|compared\s+with)\s+"
    r"\d+(?:[.\u00b7]\d+)?\s*%(?:\s+(?:in|with|for)\s+(?:the\s+)?[\w\-+/]+(?:\s+[\w\-+/]+){0,3}?)?\s*",
    re.I,
)
_FOLLOW_UP_BEFORE_RE = re.compile(r"follow|cut-?off|data\s+cut", re.I)
_PCT_IN_PAREN_RE = re.compile(r"\s*\(\s*\d+(?:[.\u00b7]\d+)?\s*%")
_AT_PAIR_RE = re.compile(
    r"\s*(?:months?|mo)?\s*(?:\([^()]{0,40}\)\s*)?(?:vs\.?|versus)\s*\d+(?:[.\u00b7]\d+)?\s*(?:months?|mo|weeks?|days?)\b",
    re.I,
)
_PERCENT_WORD_RE = re.compile(r"\s+(?:percent|per\s+cent)\b(?!\s*(?:CI|confidence|credible))", re.I)
_NOT_ESTIMABLE_RE = re.compile(
    r"not\s+(?:estimable|evaluable|calculable|available|applicable)|NE\b|NA\b|N/A", re.I
)
_TP_RATE_OF_RE = re.compile(
    rf"\b(?P<tp>{lx.TP})[\s\-\u2010]*(?P<tpu>{lx.TP_UNIT})\s+(?:survival\s+)?(?:rates?|probabilit\w*|estimates?)"
    r"\s*(?:of|was|were|is|=|:)?\s*$",
    re.I,
)
_ARM_WORD_RE = re.compile(r"\b(?:arm|group|cohort)\b", re.I)
_LIST_OF_TIMES_RE = re.compile(r",|\band\b")
_RESTATED_RE = re.compile(r"\s*(?:rates?|times?)?\s*[(\[]\s*", re.I)
# between two listed times or rates: "rate (RR), ", " rate (", ", the median "
_LISTED_GAP_RE = re.compile(
    r"\s*(?:rates?|times?)?\s*(?:[(\[]|[(\[][^()\[\]]{1,10}[)\]])?\s*[)\]]?\s*(?:,|and|or|/|,\s*and)?\s*(?:the\s+)?(?:median\s+)?",
    re.I,
)
_WORSE_RE = re.compile(r"\b(?:shorter|inferior|worse|poorer|reduced|decreased|lower)\b", re.I)
_BETTER_RE = re.compile(
    r"\b(?:longer|improved|improving|improves?|improvement|prolong\w*|better|superior|extended|lengthened|increased|"
    r"higher|greater|favou?rable|advantage)\b",
    re.I,
)
# the same, tried as lowercase twins where the lowered clause holds one of their words (fastre.Gated)
_WORSE_GATED = Gated(lx.CI(_WORSE_RE.pattern, _WORSE_RE.flags & ~re.I))
_BETTER_GATED = Gated(lx.CI(_BETTER_RE.pattern, _BETTER_RE.flags & ~re.I))
_FROM_RE = re.compile(r"\b(?:from|since)\s+(?:the\s+)?(?:start\s+of\s+|time\s+of\s+|date\s+of\s+)?$", re.I)
_CLAUSE_LEAD_RE = re.compile(r"\s*(?:in|among|for|with|on)\s+(?:the\s+|those\s+|patients\s+)*", re.I)
_WITH_OR_WITHOUT = re.compile(r"\bwith\s+or\s+without\s+", re.I)
_WOW_RE = re.compile(
    r"\s*(?:\b(?:alone\s+)?with\s+or\s+without|\balone\s+or\s+(?:with|in\s+combination\s+with|combined\s+with|plus)"
    r"|\bplus\s+or\s+minus|\u00b1|\+/-|\+/\u2212)\s*",
    re.I,
)
# the same, tried only where the lowered title holds "without", "alone", "minus", "±", ... (fastre.Gated)
_WOW_GATED = Gated(lx.CI(_WOW_RE.pattern, _WOW_RE.flags & ~re.I))
_N_EQ_AFTER = re.compile(r"\s*(?:arm|group|cohort)?\s*[\[(,;:]\s*n\s*=\s*\d+", re.I)
# a word with a hyphen or dash inside: where a hyphenated combination ("gemcitabine-cisplatin") may start
# (possessive runs: a word run is always followed by a dash, so giving characters back never helps)
_HYPHEN_WORD_RE = re.compile(r"(?<![\w\-])\w[\w/]*+(?:[\-\u2010\u2011][\w/]++)*[\-\u2010\u2011\u2013]\w")
# the same matches, looked for after the characters that may stand before one (fastre.AfterBoundary)
_HYPHEN_WORD_AT = AfterBoundary(_HYPHEN_WORD_RE)
# lx.ARM_GENERIC_RE's matches in lowered text, found the same way
_ARM_GENERIC_AT = AfterBoundary(lx.ARM_GENERIC_RE.low) if lx.ARM_GENERIC_RE.low is not None else None
# lx.ARM_NAMED_RE, tried only where "(", "the", "in", "for", ... starts (fastre.starts_gated)
_ARM_NAMED_AT = starts_gated_ci(lx.ARM_NAMED_RE, front=True)
# "the FOLFOX arm", "fluoropyrimidine doublets", "S-1-based doublet": the words that finish an arm's name
_ARM_SUFFIX_RE = re.compile(
    r"\s+(?:arm|group|cohort)\b|(?:[\s\-]+based)?[\s\-]+(?:doublets?|triplets?|combinations?)\b"
    r"|[\s\-]+based[\s\-]+(?:chemotherapy|regimens?|therapy|treatment)(?:\s+(?:arm|group|cohort))?\b",
    re.I,
)
_ROLE_CANON = {
    "doublets": "doublet",
    "triplets": "triplet",
    "combinations": "combination",
    "combination therapy": "combination",
    "combination chemotherapy": "combination",
    "combination treatment": "combination",
    "single agent therapy": "monotherapy",
    "single-agent therapy": "monotherapy",
    "single agent chemotherapy": "monotherapy",
    "single-agent chemotherapy": "monotherapy",
}
_NOT_ARM_NAME = re.compile(
    r"\d|\b(?:overall|whole|entire|total|same|two|both|all|each|either|other|age|ITT|intention|safety|study|"
    r"treatment|this|that|these|first|second|latter|former|respective|subgroup|population|analysis|weighted|"
    r"unweighted|matched|unmatched|propensity|adjusted|full|pooled|"
    r"experimental|investigational|intervention|control|comparator|placebo|combination|monotherapy|standard|"
    r"chemotherapy|triplet|doublet|patients?|[A-D])$|^(?:the|a|an|each|both|entire|whole|overall|total|all|full)\b",
    re.I,
)


def _label_key(label: str) -> str:
    return _LABEL_NOISE_RE.sub(" ", label.lower()).strip()


_LABEL_NOISE_RE = re.compile(r"\b(?:the|arms?|groups?|cohorts?)\b|\s+")


# where lx.SUBGROUP_RE / lx.CLAUSE_START_RE may match: both start with one of a few words
# (fastre.StartScan); SUBGROUP_RE's are looked for in the lowered text, with its lowercase twin
_SUBGROUP_LOW = lx.lower_pattern(lx.SUBGROUP_RE.pattern)
_SUBGROUP_SCAN = (
    StartScan(re.compile(_SUBGROUP_LOW, lx.SUBGROUP_RE.flags & ~re.I)) if _SUBGROUP_LOW is not None else None
)
_CLAUSE_START_SCAN = StartScan(lx.CLAUSE_START_RE)


def _any_subgroup(seg: str, lseg: str | None) -> bool:
    """bool(lx.SUBGROUP_RE.search(seg)), on the lowered text where there is one (`lseg`): the
    lowercase twin found through its starts (_SUBGROUP_SCAN)."""
    if lseg is None or _SUBGROUP_SCAN is None:
        return lx.SUBGROUP_RE.search(seg) is not None
    return next(_SUBGROUP_SCAN.finditer(lseg), None) is not None


def _subgroup_matches(text: str, low: str | None, s: int, e: int) -> list[re.Match]:
    """list(lx.SUBGROUP_RE.finditer(text, s, e)): each match found on the lowered text is taken
    again from `text` itself, where it starts (the same match, with the groups as written)."""
    if low is None or _SUBGROUP_SCAN is None:
        return list(lx.SUBGROUP_RE.finditer(text, s, e))
    return [lx.SUBGROUP_RE.match(text, m.start(), e) for m in _SUBGROUP_SCAN.finditer(low, s, e)]


def _subgroup_n(text: str, subgroup: str, s: int, before: int) -> int | None:
    """The size of a subgroup when the sentence gives it: "in the 17 patients with FGFR2 fusions",
    "patients with FGFR2 fusions (n = 17)"."""
    at = text.rfind(subgroup, s, before)
    if at < 0:
        return None
    m = _SUB_N_AFTER_RE.match(text, at + len(subgroup))
    if m is None:
        m = _SUB_N_BEFORE_RE.search(text, max(s, at - 60), at)
    return int(m.group("n")) if m else None


_SUB_N_AFTER_RE = re.compile(r"\s*[(\[,]\s*n\s*=\s*(?P<n>\d+)")
_SUB_N_BEFORE_RE = re.compile(
    rf"\b(?P<n>\d+)\s+(?:{_PEOPLE}\s+)?(?:with|who|whose|harbou?ring|having|carrying|aged)\b[^,;()]{{0,12}}$",
    re.I,
)


def _subject_arm(arms: list[ArmMention], s: int, e: int, previous: ArmMention | None) -> ArmMention | None:
    """The lettered or numbered arm ("Arm B", "cohort 2", "group A") a sentence is about: named
    near its start and the only arm it names. A sentence that names no arm keeps the previous
    subject; one that names others ends it. `arms`: in order of start."""
    here = _arms_in(arms, s, e)
    if not here:
        return previous
    first = here[0]
    lettered = not first.family and len(first.generic) == 1 and first.generic.isalnum()
    if lettered and first.start - s <= 25 and all(a.label.lower() == first.label.lower() for a in here):
        return first
    return None


# the whole population named before a value ("overall survival" is an endpoint, not that)
_WHOLE_POPULATION_RE = re.compile(
    r"\b(?:overall(?![\s\-]+survival)|all\s+(?:\d+\s+)?patients|entire|whole|pooled|intention[\s\-]+to[\s\-]+treat|ITT)\b",
    re.I,
)


_SCORE_WORDS = ("ECOG", "PS", "ps", "KPS", "status", "Ecog")  # (as written; most windows hold none)
_CROSSOVER_WORDS = ("djust", "RPSFT", "IPCW", "preserving", "nverse")  # one is in every match
_CROSSOVER_ADJUSTED_RE = re.compile(
    r"\b(?:adjust\w*\s+for\s+(?:the\s+)?cross[\s\-]?over|cross[\s\-]?over[\s\-]+adjusted|RPSFTM?|rank[\s\-]+preserving"
    r"|IPCW|inverse\s+probability\s+of\s+censoring)",
    re.I,
)
_PERFORMANCE_STATUS_RE = re.compile(r"\b(?:ECOG|PS|KPS|performance\s+status)\b", re.I)


def _sub_what(m: re.Match) -> str | None:
    for g, value in m.groupdict().items():
        if g.startswith("what") and value:
            return value
    return None


def _may_carry(carry_ep: str | None, sent: str, lsent: str) -> bool:
    """Whether _sentence may give a value the endpoint of the sentence before: only after these
    cues ("Their rate at 6 months was ...", "median", "they were", see the values part)."""
    return bool(carry_ep) and (
        _RX31.search(sent) is not None or ("rate" in lsent and _CARRIED_RATE_RE.search(sent) is not None)
    )


def _sentence_arms(ctx: dict) -> list[tuple[str, str | None]]:
    """Distinct arms of the outcomes already read in this sentence, in order."""
    ex, start = ctx.get("ex"), ctx.get("sent_start", 0)
    if ex is None:
        return []
    return list(dict.fromkeys((o.arm, o.regimen) for o in ex.outcomes[start:] if o.arm))


_BRACKET_RE = re.compile(r"[()\[\]]")


def _paren_depth(text: str, s: int, e: int):
    """pos -> True when pos lies inside parentheses opened within text[s:e]."""
    inside: list[tuple[int, int]] = []
    stack: list[int] = []
    for m in _BRACKET_RE.finditer(text, s, e):  # visits the brackets only, not every character
        i = m.start()
        if text[i] in "([":
            stack.append(i)
        elif stack:
            inside.append((stack.pop(), i))
    return lambda pos: any(a < pos < b for a, b in inside)


_PEOPLE_RE = lx.CI(_PEOPLE)
# the same matches, found with str.find (each starts with one of its words)
_PEOPLE_AT = Anchored(_PEOPLE_RE)


# a digit or a number word: a cheap test before the (slow) count patterns
_MAY_COUNT = lx.CI(r"\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|teen|ty\b|hundred")
# bool(_MAY_COUNT.search(...)), its words as `in` tests (fastre.AnyMatch)
_MAY_COUNT_ANY = AnyMatch(_MAY_COUNT)


def _total_n(text: str) -> int | None:
    """The number of patients in the study: a sentence that says so ("146 patients were
    enrolled", "a total of 88 patients", "included 103 patients"), else the first 'N patients'."""
    weak = None
    low = lowered(text)
    for pm in _PEOPLE_AT.finditer(text, low):
        lo = max(0, pm.start() - 80)
        # (_MAY_COUNT.search(text, low, lo, pm.start()): on the window itself, the same answer)
        may_count = _MAY_COUNT_ANY(text[lo : pm.start()], low[lo : pm.start()] if low is not None else None)
        m = _N_BEFORE_PEOPLE_AT.search(text, low, lo, pm.start()) if may_count else None
        if not m:
            continue
        n = lx.parse_count(m.group("n"))
        if n is None or not 5 <= n <= 1000000:
            continue
        if _N_STRONG_BEFORE.search(text, low, max(0, m.start() - 30), m.start()) or _N_STRONG_AFTER.match(
            text, low, pm.end()
        ):
            return n
        if weak is None:
            weak = n
    return weak


_N_BEFORE_PEOPLE = lx.CI(rf"(?<![\w.,:\-])(?P<n>{lx.COUNT})\s+{_N_ADJ}$")
# the same, tried only where a digit or a number word starts (fastre.starts_gated)
_N_BEFORE_PEOPLE_AT = starts_gated_ci(_N_BEFORE_PEOPLE)
_N_STRONG_BEFORE = lx.CI(r"(?:total\s+of|included|enrolled|recruited|comprised|among|overall,?|of\s+the)\s+$")
_N_STRONG_AFTER = lx.CI(
    r"\s+(?:were|was)\s+(?:\w+\s+)?(?:enrolled|randomi[sz]ed|included|treated|recruited|analy[sz]ed|evaluable|"
    r"eligible|assigned|allocated|identified|registered|pooled)"
)


_ARM_N_AFTER = re.compile(
    # "(n = 49)", "(XELIRI 31, ...)" - not "capecitabine 1,000 mg/m2", where the comma groups thousands
    r"(?:\s+(?:alone|monotherapy))?\s*(?:arm|group|cohort)?\s*(?:(?:[\[(,;:]\s*|\s+)n\s*=\s*(?P<n>\d+)|[(:]?\s*(?P<n2>\d+)\s*(?:patients\s*)?(?=[),;](?!\d)))",
    re.I,
)
_ARM_N_BEFORE = lx.CI(
    rf"(?:(?<![\w:.,])(?P<n>{lx.COUNT})\s+(?:{_PEOPLE}\s+)?(?:were\s+|was\s+)?(?:randomi[sz]ed\s+|assigned\s+|allocated\s+)?"
    r"(?:to|received|receiving|in\s+the|on|given|treated\s+with)\s+(?:receive\s+)?(?:the\s+)?"
    r"|[(,;]\s*(?P<n2>\d+)\s+(?:the\s+)?|\band\s+(?P<n3>\d+)\s+(?:the\s+)?)$"
)
# A match ends the window with white space after one of these words or after digits: most
# windows end otherwise and are settled without the pattern (kept only while it reads as here)
_ARM_N_BEFORE_LAST = frozenset(("to", "received", "receiving", "the", "on", "given", "with", "receive"))
# the same, tried only where a count, "(", ",", ";" or "and" starts (fastre.starts_gated)
_ARM_N_BEFORE_AT = starts_gated_ci(_ARM_N_BEFORE)
_ARM_N_BEFORE_KNOWN = _ARM_N_BEFORE.ci.pattern == (
    rf"(?:(?<![\w:.,])(?P<n>{lx.COUNT})\s+(?:{_PEOPLE}\s+)?(?:were\s+|was\s+)?(?:randomi[sz]ed\s+|assigned\s+|allocated\s+)?"
    r"(?:to|received|receiving|in\s+the|on|given|treated\s+with)\s+(?:receive\s+)?(?:the\s+)?"
    r"|[(,;]\s*(?P<n2>\d+)\s+(?:the\s+)?|\band\s+(?P<n3>\d+)\s+(?:the\s+)?)$"
)


def _arm_n_before(window: str, lwin: str | None):
    """_ARM_N_BEFORE.search(window, lwin), settled first on the window's last word, then on
    whether the window holds a digit or a number word at all (_MAY_COUNT)."""
    if _ARM_N_BEFORE_KNOWN and lwin is not None:
        t = lwin.rstrip()  # \s and str.isspace() agree
        if len(t) == len(lwin):
            return None  # a match ends in white space
        i = len(t)
        while i and (t[i - 1].isalnum() or t[i - 1] == "_"):  # \w: str.isalnum() or "_"
            i -= 1
        word = t[i:]
        if word not in _ARM_N_BEFORE_LAST and not (word and word.isdecimal()):
            return None
    if not _MAY_COUNT_ANY(window, lwin):
        return None
    return _ARM_N_BEFORE_AT.search(window, lwin)


# "<X> and 44 patients treated with <Y>", "<X> group and 141 in the <Y>": two cohorts sized in turn
_SIZED_PAIR_RE = re.compile(
    rf"\s*(?:arm|group|cohort)?\s*(?:\(\s*n\s*=\s*\d+\s*\))?\s*,?\s*and\s+(?:{lx.COUNT})\s+"
    rf"(?:{_PEOPLE}\s+)?(?:were\s+)?(?:in\s+the|treated\s+with|received|receiving|on|given|with)\s+(?:the\s+)?",
    re.I,
)


def _arm_n(text: str, a: ArmMention) -> int | None:
    """'X (n = 49)', '(XELIRI 31, ...)', '49 patients received X', 'assigned 88 to X', '(379 X, 194 Y)'."""
    m = _ARM_N_AFTER.match(text, a.end, min(len(text), a.end + 24))
    if m:
        return int(m.group("n") or m.group("n2"))
    window = text[max(0, a.start - 60) : a.start]
    lwin = lx.lower_text(window)
    m = _arm_n_before(window, lwin)
    if m:
        raw = m.group("n") or m.group("n2") or m.group("n3")
        n = lx.parse_count(raw)
        if n is not None and n >= 2:
            return n
    return None


# What stands between a lettered arm and the regimen it names: "arm A (X", "arm A: X", "arm A
# (n = 40) received X", "group 2 was treated with X", "arm B, X"; and between a regimen and the
# letter after it: "X (arm A)", "X group [group A]"
_LETTER_THEN_AGENT_RE = re.compile(
    r"(?:\s*\(\s*n\s*=\s*\d+\s*\))?"
    r"(?:\s*[(\[:=,]\s*|\s*[\-\u2013\u2014]\s+"
    r"|,?\s+(?:patients\s+)?(?:who\s+)?(?:received|receiving|(?:was|were)\s+given|(?:was|were)\s+treated\s+with|"
    r"treated\s+with|consisted\s+of|comprised)\s+|\s+(?:chemotherapy|treatment|therapy)\s+with\s+)"
    r"(?:the\s+|a\s+)?(?:combination\s+of\s+)?",
    re.I,
)
_AGENT_THEN_LETTER_RE = re.compile(r"(?:[\s\-]+(?:arm|group|cohort))?\s*[(\[]\s*(?:the\s+)?", re.I)


def _letter_families(text: str, arms: list[ArmMention]) -> dict[str, str]:
    """Which regimen each lettered arm stands for, where the text binds the two (first binding
    wins): without it "arm B" would be given the study's most-named regimen."""
    bound: dict[str, str] = {}
    for i, a in enumerate(arms):
        letter = a.generic
        if len(letter) != 1 or letter in bound or a.family:
            continue
        nxt = arms[i + 1] if i + 1 < len(arms) else None
        prev = arms[i - 1] if i else None
        if nxt is not None and nxt.family and _LETTER_THEN_AGENT_RE.fullmatch(text, a.end, nxt.start):
            bound[letter] = nxt.family
        elif prev is not None and prev.family and _AGENT_THEN_LETTER_RE.fullmatch(text, prev.end, a.start):
            bound[letter] = prev.family
    return bound


def _arm_n_once(text: str, a: ArmMention, ctx: dict) -> int | None:
    """_arm_n(text, a), worked out once per mention of the abstract (`ctx`: extract's, one per
    abstract, with the sizes design worked out): the outcomes of one arm ask for it again and again."""
    return _arm_n_cached(text, a, ctx.setdefault("arm_n", {}))


def _arm_n_cached(text: str, a: ArmMention, sizes: dict) -> int | None:
    """_arm_n(text, a), kept in `sizes` by (start, end): the same mention of the same text."""
    key = (a.start, a.end)
    if key not in sizes:
        sizes[key] = _arm_n(text, a)
    return sizes[key]


def _sentence_arm_mentions(text: str, arms: list[ArmMention], s: int, e: int) -> list[ArmMention]:
    """The arms named in a sentence, without treatments named as history ("in patients with prior
    bevacizumab", "after progression on gemcitabine"): those describe patients, not arms.
    `arms`: in order of start."""
    return [
        a
        for a in _arms_in(arms, s, e)
        if not (a.family and (_background(text, a.start, s) or _time_origin(text, a, s)))
    ]


_START = operator.attrgetter("start")


def _arms_in(arms: list[ArmMention], s: int, e: int) -> list[ArmMention]:
    """[a for a in arms if s <= a.start < e] for arms in order of start (as arm_mentions gives
    them): one slice found by bisection instead of a test of every arm of the abstract."""
    return arms[bisect.bisect_left(arms, s, key=_START) : bisect.bisect_left(arms, e, key=_START)]


def _may_hold_hr(sent: str) -> bool:
    """Whether a sentence may name a hazard ratio (a lx.HR_HEAD_RE match holds one of these)."""
    return "HR" in sent or "hr" in sent or "azard" in sent or "Hr" in sent


def _holds_any(text: str, words) -> bool:
    """any(w in text for w in words), without a generator per call."""
    for w in words:
        if w in text:
            return True
    return False


def _clause_start(text: str, lo: int, hi: int) -> int:
    """Where the clause holding position `hi` starts: after the last ';' or ', and / while /
    whereas / but' in text[lo:hi], else `lo`."""
    start = lo
    for b in _CLAUSE_BREAK_RE.finditer(text, lo, hi):
        start = b.end()
    return start


def _time_origin(text: str, a: ArmMention, s: int) -> bool:
    """ "median OS counted from GemCis initiation", "from the start of nivolumab": a treatment named as
    the time origin of a survival figure, not as the arm the figure belongs to."""
    before = _ORIGIN_BEFORE_RE.search(text, max(s, a.start - 40), a.start)
    if before is None:
        return False
    return bool(before.group("what")) or _ORIGIN_AFTER_RE.match(text, a.end) is not None


_ORIGIN_BEFORE_RE = re.compile(
    r"\b(?:from|since)\s+(?:the\s+)?(?:(?P<what>start|initiation|beginning|commencement|first\s+dose)\s+of\s+)?$",
    re.I,
)
_ORIGIN_AFTER_RE = re.compile(
    r"\s*(?:initiation|start|administration|commencement|treatment\s+start)\b", re.I
)


def _dedupe_arms(arms: list[ArmMention]) -> list[ArmMention]:
    out: list[ArmMention] = []
    for a in arms:
        if out and a.family and a.family == out[-1].family:
            continue
        out.append(a)
    return out


def _parallel_timepoint(outcomes: list[Outcome], anc: Mention, s: int, members: list, i: int) -> float | None:
    """'OS was a% at 6 months and b% at 12 months in X, against c% and d% in Y': a list of as
    many percentages as the sentence gave the endpoint rates before it takes their timepoints,
    in order."""
    before = [
        o.timepoint_months
        for o in outcomes
        if o.statistic == "rate" and o.endpoint == anc.value and s <= o.span[0] < members[0].start
    ]
    if len(before) == len(members) > 1 and len(set(before)) == len(before):
        return before[i]
    return None


_BARE_WITHOUT_RE = re.compile(
    r"(?:\s*(?:months?|mo|weeks?|days?))?(?:\s*[(\[][^()\[\]]*[)\]])?\s*without\b(?=\s*(?:[(,;.]|$))"
)


def _bare_without(text: str, outcomes: list[Outcome], design: Design) -> None:
    """'a months with X versus b months without': the second number is the arm without X, not
    X's (the design's other arm where it has one, else no regimen)."""
    for prev, o in itertools.pairwise(outcomes):
        if prev.endpoint != o.endpoint or not prev.arm or o.arm:
            continue
        if not _BARE_WITHOUT_RE.match(text, o.span[1]):
            continue
        others = [(label, fam) for label, fam in design.arms if fam != prev.regimen]
        o.arm = f"without {prev.arm}"
        o.regimen = others[0][1] if len(design.arms) == 2 and len(others) == 1 else None


def _rated(outcomes: list[Outcome], anc: Mention, s: int) -> bool:
    """Whether this sentence (from `s`) already gave the anchor's endpoint a rate."""
    return any(o.statistic == "rate" and o.endpoint == anc.value and o.span[0] >= s for o in outcomes)


def _rate_endpoint(word: str) -> str:
    w = _RX0.sub(" ", word.lower())
    if w.startswith("progression") or "free of progression" in w or "without progression" in w or w == "pfs":
        return "PFS"
    if w.startswith("disease") or w == "dfs":
        return "DFS"
    if w.startswith(("relapse", "recurrence")) or w == "rfs":
        return "RFS"
    if w == "ttp":
        return "TTP"
    return "OS"


def _hr_endpoint(between: str) -> str | None:
    b = between.lower()
    if _RX1.search(b):
        return "TTP"
    if _RX2.search(b):
        return "PFS"
    if _RX3.search(b):
        return "RFS"
    if _RX4.search(b):
        return "DFS"
    if _RX5.search(b):
        return "OS"
    return None


# patterns of the inline re.* calls above, compiled once
_RX0 = re.compile(r"[\s\-\u2010\u2011]+")
_RX1 = re.compile(r"time\s+to\s+(?:tumou?r\s+)?progression|\bttp\b")
_RX2 = re.compile(r"progression|pfs")
_RX3 = re.compile(r"recurrence|relapse|rfs")
_RX4 = re.compile(r"dfs|disease[\s\-]free")
_RX5 = re.compile(r"death|dying|\bos\b|surviv|mortality")
_RX6 = re.compile(r"\bversus\b|\bvs\.?\b|\bor\b|\bcompared\b|\bwith or without\b", re.I)
_RX7 = re.compile(r"\s*%")
_RX8 = re.compile(
    # "66.7 and 44.4%, respectively, in the multidrug group": the list's arm after its "respectively"
    r"\s*(?:,?\s*p\s*[=<>\u2264]\s*0?[.\u00b7]\d+\s*\)?)?"  # "(95% CI 4.0–7.7, p = 0.03) in the X group"
    r"\s*,?\s*(?:respectively\s*,\s*)?(?:\(|\bin\b|\bwith\b|\bfor\b|\bamong\b|\bon\b|\breceiving\b|\bof\b|\bunder\b)\s*"
    r"(?:the\s+|those\s+|\d+\s+(?=patients)|patients\s+|all\s+)*(?:(?:treated|given|randomi[sz]ed|assigned|allocated)\s+"
    r"(?:with|to)\s+|receiving\s+|who\s+received\s+|on\s+)?",
    re.I,
)
_RX9 = re.compile(r"\bpooled\b", re.I)
_RX10 = re.compile(
    r"[\s,]*(?:each\s+|both\s+|all\s+)?(?:given\s+)?(?:added\s+to|in\s+combination\s+with|plus|with|"
    r"combined\s+with|\+|on\s+top\s+of|and|together\s+with|in\s+addition\s+to)\s*"
    r"(?:standard\s+|background\s+)?(?:chemotherapy\s+with\s+)?",
    re.I,
)
_RX11 = re.compile(
    r"\s*[,;]?\s*with\s+(?:the\s+)?([A-Za-z][\w\-/+ ]{1,40}?)"
    r"(?=\s*(?:[,;.)]|\band\b|\bversus\b|\bvs\b|$))",
    re.I,
)
_RX12 = re.compile(r"\s*(?:[,;]\s*)?")
# what ends a background phrase: a sentence break, or the verb that starts the study's own
# treatment ("progressing after gemcitabine received FOLFOX")
_RX13 = re.compile(
    r"[.;]|\b(?:received|receiving|were\s+(?:treated|given|randomi[sz]ed|assigned|allocated|enrolled)|"
    r"was\s+given|underwent|then\s+(?:received|given))\b",
    re.I,
)
_RX14 = re.compile(lx.TP, re.I)
_RX15 = re.compile(r"\s*(?:,\s*)?(?:and|or|vs\.?|versus)?\s*,?\s*", re.I)
_RX16 = re.compile(r"^\s*(?:,\s*)?(?:vs\.?|versus|compared\s+with)\s*$", re.I)
_RX17 = re.compile(r"\bfrom\s*$")
_RX18 = re.compile(r"\s*[\-\u2010\u2011](?=\s*(?:" + lx.UNIT_WORDS + r")\b)", re.I)
# between a value and its CI: "of patients", the unit echoed "(m)", the arm "for arm B"
_RX19 = re.compile(
    r"\s*(?:\(\s*(?:m|mo|mos|months)\s*\)\s*)?(?:of\s+(?:the\s+)?patients\s*)?"
    r"(?:(?:for|in)\s+(?:arm|group|cohort)\s+[A-D1-4]\s*)?[,;:]?\s*(?:with\s+an?\s+)?[\[(]?\s*"
)
# "12.2 months with FOLFOX (95% CI, 10.1 to 14.0)": the CI after a one-word arm
_ARM_THEN_CI_RE = re.compile(
    r"\s+(?:with|in|for)\s+(?:the\s+)?[A-Za-z][\w\-+/]{0,11}(?:\s+(?:arm|group))?\s*[\[(]\s*"
)
# "(6.0, 7.0, " between an endpoint and a value: a list of values in parentheses
_PAREN_LIST_RE = re.compile(r"\s*\((?:\s*\d+(?:[.\u00b7]\d+)?\s*,)*\s*")
_RX20 = re.compile(r"\s*(?:percent\b|per\s+cent\b)?\s*[\])]?\s*(?:(" + lx.UNIT_WORDS + r")(?![\w]))?", re.I)
_RX21 = re.compile(r"\s*[(\[]\s*")
_RX22 = re.compile(r"\s*[)\]]?\s*(?:,|and|or|/|,\s*and|as\s+well\s+as)?\s*(?:the\s+)?(?:median\s+)?", re.I)
_RX23 = re.compile(r"\s*[(\[]?\s*")
_RX24 = re.compile(r"(?:[A-Za-z\-]+\s+){1,2}")
_RX25 = re.compile(r"\d+\s+patients")
_RX26 = re.compile(r"(?:and\s+)?\d{2}\s*%\s*CI")
_RX27 = re.compile(r"\.\s")
_RX28 = re.compile(r"\s*[(:,]?\s*(?:\d+\s*)?\(?\s*")
_RX29 = re.compile(r"[\s\-]*(?:alone\s+)?(?:arms|groups|cohorts)\b|\s*(?:alone\b)?\s*,?\s*respectively", re.I)
_RX30 = re.compile(r"\s*\(\s*(?:NR|NE)\s*\)")
_RX31 = _CARRY_CUE
_RX32 = re.compile(r"^\s*(?:\(|for|in\s+terms\s+of)\s*(?:the\s+)?(?:median\s+)?")
_RX33 = re.compile(r"\b(?:and|or|versus|vs|than|median|patients)\b", re.I)
_RX34 = re.compile(r"\d|median|follow|range|respectively", re.I)
_RX35 = re.compile(r"\b(?:arm|group)\b", re.I)
_RX36 = re.compile(r"\s*[,;:]?\s*[\[(]?\s*")
_RX37 = re.compile(
    r"[\s\])]*[;,:]?\s*(?:(?:one|two|1|2)[\s\-]*sided\s*|log[\s\-]*rank\s*|stratified\s*|"
    r"(?:for\s+)?(?:superiority|non-?inferiority|interaction)\s*)?",
    re.I,
)
_RX38 = re.compile(r"\s*(?:,|and)\s*")
_RX39 = re.compile(r"median|mean", re.I)
_PAREN_MEDIAN_RE = re.compile(r"\(\s*median\b", re.I)
# between the arms of a three-arm list: ", ", " monotherapy, or ", " (n = 117), and "
_THREE_ARM_GAP_RE = re.compile(
    r"(?:\s+(?:alone|monotherapy))?(?:\s*\(\s*n\s*=\s*\d+\s*\))?\s*(?:,\s*(?:or\s+|and\s+)?|(?:or|and)\s+)(?:to\s+)?(?:the\s+)?",
    re.I,
)
_BETWEEN_END_RE = re.compile(r"\bbetween\s+(?:the\s+)?$", re.I)
# words a time of another kind may be named with, written before a sentence's first endpoint
_OTHER_BEFORE_WORDS_RE = re.compile(r"\b(?:rw)?(?:ttd|tntd|ttnt|ttf)\d?\b|time\s+to\s+(?!progression)")
_HR_DASH_RE = re.compile(r"\s*[\])]?\s*[\-\u2013](?=\d)")
_COMPARED_WITH_LEAD_RE = re.compile(
    r"\s*(?:(?:as\s+)?compared\s+(?:with|to)|in\s+comparison\s+(?:with|to)|relative\s+to|versus|vs\.?)\s+(?:the\s+)?",
    re.I,
)
_VS_NAME_RE = re.compile(r"\s*(?:vs\.?|versus)\s+[A-Za-z][\w\-+/]*(?:\s+[A-Za-z][\w\-+/]*){0,2}\s*:?\s*")
_ARM_THEN_NEXT_RE = re.compile(
    r"\s*(?:in|for|with|among)\s+(?:the\s+)?[\w\-+/]+(?:\s+[\w\-+/]+){0,3}?\s+(?:group|arm|cohort)\s*,?\s*"
    r"(?:and|vs\.?|versus|compared\s+with|whereas|while)\s+",
    re.I,
)
_ARM_PHRASE_AFTER_RE = re.compile(r"\s*(?:in|for|with)\s+the\s+", re.I)
_HEAD_VERSUS_RE = re.compile(
    r"(?:\s+(?:alone|monotherapy))?(?:\s*\(\s*n\s*=\s*\d+\s*\))?[^.;:\d()]{0,60}?"
    r"\b(?:vs\.?|versus|compared\s+(?:with|to))\s+(?:the\s+)?",
    re.I,
)
_RX40 = re.compile(r"[\s\-\u2010]*(?:,|vs\.?|versus|or|compared\s+(?:with|to))\s*(?:the\s+)?", re.I)
_RX41 = re.compile(r"\beach\b", re.I)
_RX42 = re.compile(r"\d")
_RX43 = re.compile(r"range|IQR|interquartile", re.I)
_RX44 = re.compile(r"\bgrade\b", re.I)
_RX45 = re.compile(r"\s*")
