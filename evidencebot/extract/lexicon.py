"""Regular expressions for the surface forms of survival reporting (rule set v1).

Kept apart from the assembly logic so a `.v2` rule set can reuse or replace them.
Every pattern is compiled once at import; nothing here is mutable.
"""

from __future__ import annotations

import re

# ---------------------------------------------------------------- case-insensitive matching, fast
# `re` never skips ahead on a re.I pattern that starts with a letter (each position is tried
# in full), but it does for a plain alternation of lowercase literals. So the hot re.I patterns
# also exist in a lowercase form that runs on `text.lower()`. That is exact: for text without
# "İ" (whose lower() is two characters), "ı" or "ſ" (which re.I folds onto "i" and "s"),
# str.lower() keeps every offset and every \w / \d / \s class, and re.I matching of a pattern
# whose cased characters are ASCII equals plain matching of the lowercased pattern on the
# lowered text. Match positions are the same; group *text* from the lowered form is lowercase.
_LOWER_UNSAFE = ("\u0130", "\u0131", "\u017f")


def lower_text(text: str) -> str | None:
    """text.lower() when the lowercase patterns may run on it, else None (use the re.I form)."""
    for ch in _LOWER_UNSAFE:
        if ch in text:
            return None
    return text.lower()


def lower_pattern(pattern: str) -> str | None:
    """The pattern for lowered text (escapes and group names kept), or None when a cased
    non-ASCII character (written or escaped) would make the lowercase form inexact."""
    for m in re.finditer(r"\\(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|U([0-9a-fA-F]{8})|N)", pattern):
        if m.group(0) == "\\N":
            return None
        ch = chr(int(m.group(1) or m.group(2) or m.group(3), 16))
        if not ch.isascii() and ch.lower() != ch.upper():
            return None
    out, i, n = [], 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif pattern.startswith(("(?P<", "(?P="), i):
            j = pattern.index(">" if pattern[i + 3] == "<" else ")", i)
            out.append(pattern[i : j + 1])
            i = j + 1
        else:
            if not c.isascii() and c.lower() != c.upper():
                return None
            out.append(c.lower())
            i += 1
    return "".join(out)


class CI:
    """A case-insensitive pattern with its lowercase twin: every method takes the text and its
    lower_text() (None -> the re.I form on the text itself); arguments and results as in `re`."""

    __slots__ = ("ci", "low")

    def __init__(self, pattern: str, flags: int = 0):
        self.ci = re.compile(pattern, flags | re.I)
        lp = lower_pattern(pattern)
        self.low = re.compile(lp, flags & ~re.I) if lp is not None else None

    def _pick(self, text: str, low: str | None):
        if low is None or self.low is None:
            return self.ci, text
        return self.low, low

    def search(self, text: str, low: str | None, *pos):
        rx, t = self._pick(text, low)
        return rx.search(t, *pos)

    def match(self, text: str, low: str | None, *pos):
        rx, t = self._pick(text, low)
        return rx.match(t, *pos)

    def finditer(self, text: str, low: str | None, *pos):
        rx, t = self._pick(text, low)
        return rx.finditer(t, *pos)


DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"  # - ‐ ‑ ‒ – — −
NUM = r"(?:\d+(?:[.\u00b7]\d+)?|[.\u00b7]\d+)"
# a number standing alone (not part of a word, a decimal or an identifier)
NUM_RE = re.compile(
    rf"(?<![\w.\u00b7/{DASH}])(?<![\w][{DASH}])({NUM})(?![\w\u00b7]|[.\u00b7]\d|[{DASH}/][A-Za-z])"
)
CI_MENTION_RE = re.compile(
    r"\d{2}(?:[.\u00b7]\d+)?\s*(?:%|per\s*cent\b)\s*[\-\u2010]?\s*"
    r"(?:CIs?\b|C\.I\.|confidence|credible|CrI)",
    re.I,
)
NR_WORDS = (
    r"not\s+(?:yet\s+)?(?:been\s+)?reached|not\s+estimable|not\s+evaluable|not\s+calculable"
    r"|not\s+mature|\bNR\b|\bNE\b|\bNA\b|\bN/A\b"
)
NR_RE = re.compile(rf"\b(?=[nN])(?:{NR_WORDS})")
BOUND = (
    rf"(?:{NUM}|not\s+reached|not\s+estimable|not\s+evaluable|not\s+available|not\s+applicable"
    rf"|NR\b|NE\b|NA\b|N/A|\u221e|infinity|inf\b)"
)
UNIT_WORDS = (
    r"months?|mos?\.?|mths?|m(?![\w/])|weeks?|wks?|w(?![\w/])|days?|d(?![\w/])|years?|yrs?|y(?![\w/])"
)
CI_WORD = r"(?:CIs?|C\.I\.|confidence\s+intervals?|confidence\s+limits?|CrI|credible\s+intervals?)"
LEVEL = r"(?P<lvl>\d{2}(?:[.\u00b7]\d+)?)\s*(?:%|per\s*cent\b)"  # "95%", "95 percent"
CI_HEAD = (
    rf"(?:{LEVEL}\s*[{DASH}]?\s*{CI_WORD}(?:\s*[\[({{]\s*(?:\d{{2}}\s*%\s*)?(?:CI|CrI)\s*[\])}}]|\s*,\s*(?:CI|CrI)\b)?"
    rf"|{CI_WORD}\s*(?:[\[(]\s*(?:CI|CrI)\s*[\])])?\s*(?:{LEVEL.replace('lvl', 'lvl2')})?)"
)
RANGE_SEP = rf"\s*(?:[{DASH}]|to\b|,|~|\.\.\.?|\u2009)\s*"
CI_RE = re.compile(
    rf"(?<![\w.])(?=\d\d|[Cc])(?:{CI_HEAD})\s*(?:[:;,=]|(?<=[A-Za-z])[{DASH}](?=\d)|\bof\b|\bwas\b|\bwere\b|\bis\b)?\s*[\[(]?\s*"
    # a lower bound may be negative where the interval came from a normal approximation; a
    # sign right after the label is a separator ("95%CI-0.50-0.97")
    rf"(?P<low>(?:(?<=[\s:(\[])[\-\u2212](?=\d))?{BOUND})\s*(?:%|(?:{UNIT_WORDS})\b)?{RANGE_SEP}(?P<high>{BOUND})"
    rf"(?P<tail>\s*(?:%|(?:{UNIT_WORDS})(?![\w])))?",
    re.I,
)
CI_LABEL_RE = re.compile(rf"\(\s*{CI_HEAD}\s*\)", re.I)  # "median OS (95% CI) was 6.3 (4.1-8.3)"
BARE_RANGE_RE = re.compile(
    rf"\s*(?:(?:{UNIT_WORDS})\b\s*)?[\[(]\s*(?P<low>{BOUND})\s*(?:%)?{RANGE_SEP}(?P<high>{BOUND})\s*%?\s*[\])]",
    re.I,
)
RANGE_RE = re.compile(
    rf"(?:\brange|\bIQR|\binterquartile\s+range)\s*(?:[:,=]|\bof\b|\bwas\b)?\s*[\[(]?\s*{BOUND}\s*(?:%|(?:{UNIT_WORDS})\b)?"
    rf"{RANGE_SEP}{BOUND}",
    re.I,
)
P_RE = re.compile(
    rf"(?<![\w])(?:P|p)\s*(?:[{DASH}]?\s*values?)?\s*(?P<op>[=<>\u2264\u2265]|&lt;|&gt;|<=|>=)\s*"
    rf"(?P<p>(?:0?[.\u00b7]\d+|\d(?:[.\u00b7]\d+)?)(?:\s*[x\u00d7*]\s*10\s*[{DASH}^]*\s*\d+|\s*[eE]\s*[{DASH}]\s*\d+)?)",
)
HR_HEAD_RE = re.compile(
    r"\b(?=[ashpuHA])(?:(?:adjusted|stratified|unstratified|pooled)\s+)?(?:hazard\s+ratios?(?:\s*[\[(]\s*a?HRs?\s*[\])])?|\ba?HRs?\b)",
    re.I,
)
UNIT_RE = re.compile(rf"\s*({UNIT_WORDS})(?![\w])", re.I)
UNIT_CANON = {
    "m": "months",
    "mo": "months",
    "mos": "months",
    "month": "months",
    "months": "months",
    "mth": "months",
    "mths": "months",
    "mo.": "months",
    "mos.": "months",
    "w": "weeks",
    "wk": "weeks",
    "wks": "weeks",
    "week": "weeks",
    "weeks": "weeks",
    "d": "days",
    "day": "days",
    "days": "days",
    "y": "years",
    "yr": "years",
    "yrs": "years",
    "year": "years",
    "years": "years",
}
TO_MONTHS = {"months": 1.0, "weeks": 7 / 30.4375, "days": 1 / 30.4375, "years": 12.0}

# Endpoints, longest spellings first (case-insensitive long forms, exact abbreviations).
ENDPOINT_LONG = [
    ("PFS", r"progression[\s\-\u2010\u2011]*free[\s\-\u2010\u2011]+survival"),
    ("PFS", r"progression[\s\-\u2010\u2011]*free(?![\s\-]*(?:at|rate))"),
    ("TTP", r"times?[\s\-]+to[\s\-]+(?:tumou?r[\s\-]+|disease[\s\-]+)?progression"),
    ("DFS", r"disease[\s\-\u2010\u2011]*free[\s\-]+survival"),
    ("RFS", r"(?:relapse|recurrence)[\s\-\u2010\u2011]*free[\s\-]+survival"),
    (
        "DoR",
        r"duration[\s\-]+of[\s\-]+(?:the[\s\-]+)?(?:objective[\s\-]+|overall[\s\-]+|tumou?r[\s\-]+)?(?:response|remission)",
    ),
    (
        "DoR",
        r"response[\s\-]+duration|responses?\s+(?:lasting|lasted|that\s+lasted)|duration\s+of\s+responses?",
    ),
    ("OS", r"overall[\s\-]+survival"),
    # "the overall and progression-free survival estimates were 7.15 and 2.90 months"
    ("OS", r"overall(?=\s+and\s+progression[\s\-\u2010\u2011]*free[\s\-]+survival)"),
    # "survival probabilities reached 41.0% vs 33.5% at 12 months"
    ("OS", r"probabilit(?:y|ies)\s+of\s+survival|survival\s+probabilit(?:y|ies)"),
    # "older patients survived markedly shorter (5.9 vs. 10.4 months)", "survived a median of"
    (
        "OS",
        r"(?<![\w\-])survived(?=\s+(?:(?:significantly|markedly|slightly|numerically)\s+)?"
        r"(?:longer|shorter|less|a\s+median|for\s+a\s+median|median))",
    ),
    # "The survival rate was 35% ... at 1 year": a rate whose timepoint comes after the numbers
    ("OS", r"(?<![\w\-])(?<!free\s)survival(?=[\s\-]+rates?\s+(?:was|were|is)\b)"),
    # bare "survival" (last: the rules treat the last entry as the bare word)
    ("OS", r"(?<![\w\-])(?<!free\s)survival(?![\s\-]+rate)"),
]
ENDPOINT_ABBR = [
    ("OS", r"\b(?:m|rw)?OS\d?\b"),  # "OS2": survival from the start of second-line therapy
    ("PFS", r"\b(?:m|rw)?PFS\d?\b"),
    ("TTP", r"\bm?TTP\b"),
    ("DFS", r"\bDFS\b"),
    ("RFS", r"\bRFS\b"),
    ("DoR", r"\bm?D[oO]R\b"),
    # lower-case abbreviations, as some abstracts write them; a bare "os" only where it cannot be
    # a word of its own: "median os", "pfs and os", "os and pfs", "(os)"
    ("PFS", r"\bm?pfs\b"),
    (
        "OS",
        r"(?<=median\s)os\b|(?<=\()os(?=\))|(?<=pfs\sand\s)os\b|(?<=pfs,\s)os\b"
        r"|\bos(?=\s+(?:and|or|&)\s+m?pfs\b)",
    ),
]
# Time concepts that are not endpoints: a value nearest to one of these is not a survival number.
OTHER_ANCHORS = [
    r"follow[\s\-\u2010]*ups?",
    r"followed[\s\-]+up",
    r"\bage[ds]?\b",
    r"years?[\s\-]+old",
    r"duration[\s\-]+of[\s\-]+(?:treatment|therapy|exposure|follow)",
    r"treatment[\s\-]+duration",
    r"time[\s\-]+on[\s\-]+(?:treatment|therapy|study)",
    r"\bexposure\b",
    r"treated[\s\-]+for",
    r"\bon[\s\-]+(?:treatment|therapy)\b",
    r"\bPPS\b",
    r"\blandmarks?\b",  # "survival was longer at landmarks of 12 and 18 months"
    # endpoints outside this review's set, whose numbers are no OS or PFS
    r"event[\s\-]*free[\s\-]+survival|\bEFS\b|failure[\s\-]*free[\s\-]+survival|\bFFS\b",
    r"post[\s\-]*progression[\s\-]+survival",
    r"duration[\s\-]+of[\s\-]+disease[\s\-]+control",
    r"time[\s\-]+to[\s\-]+(?:(?:definitive|first|confirmed)[\s\-]+)?(?:response|worsening|treatment[\s\-]+failure|next[\s\-]+treatment|deterioration|onset|first|objective|strategy)",
    r"\bTTR\b",
    r"\bTTF\d?\b",
    r"\bTTNT\d?\b",
    r"\b(?:rw)?TTD\d?\b",
    r"\b(?:rw)?TNTD\d?\b",
    r"(?:since|from|after)[\s\-]+(?:the[\s\-]+)?(?:initial[\s\-]+)?diagnosis",
    r"\bdiagnos\w*",
    r"(?<!confidence\s)(?<!credible\s)\binterval\b",
    # (not a value's own spread: "8.4 months (range: 1.5-20.2 months)")
    r"(?<![(\[])\brange\b",
    r"(?<![(\[])\bIQR\b",
    r"(?<![(\[])\binterquartile\b",
    r"\bcycles?\b",
    r"\bdoses?\b",
    r"\binfusions?\b",
    r"first[\s\-]+line",
    r"\bprior\b",
    r"\bprevious\w*",
    r"\bhospital\w*",
    r"response[\s\-]+rates?",
    r"\bORR\b",
    r"\bDCR\b",
    r"\bCBR\b",
    r"disease[\s\-]+control",
    r"objective[\s\-]+response",
    r"(?:partial|complete)[\s\-]+response",
    r"\bresponses?\b",
    r"\bgrade\b",
    r"adverse",
    r"toxicit\w*",
    r"quality[\s\-]+of[\s\-]+life",
    r"\bQoL\b",
    r"\bodds\b",
    r"\bsurgery\b",
    r"\bresection\b",
    # enrolment as a time ("from enrolment", "the enrolment period"), not "all patients enrolled"
    r"(?:(?<=from\s)|(?<=since\s)|(?<=after\s)|(?<=at\s)|(?<=time\sof\s)|(?<=date\sof\s))(?:recruit|enrol)\w*",
    r"\b(?:recruit|enrol)\w*\s+(?:to|until|period|date|window|between|from)\b",
    r"\baccrual\b",
    r"\bdata[\s\-]+cut",
    r"\bcut[\s\-]*off\b",
    r"\bwindow\b",
    r"\bstudy[\s\-]+period\b",
    r"\bfirst[\s\-]+treatment",
    r"\bmedian[\s\-]+time[\s\-]+(?:from|since|between)",
    # ages ("patients older than 70 years"), but not the name of a compared group ("in the
    # elderly group", "in younger patients (<60 years) (190 vs. 240 days)")
    r"\b(?:younger|older|elderly)\b(?![\s\-]+(?:and\s+(?:non[\s\-]*elderly|younger|older)\s+)?"
    r"(?:groups?|patients|cohorts?|arms?|population|subgroups?|cases|adults|individuals))",
    r"\bpatency\b",
    r"\bstent\w*",
    r"\bhospital\w*",
    r"\bstay\b",
    # "pain-free survival", "symptom-free interval": other time-to-event measures
    r"(?:pain|symptom|treatment|chemotherapy|therapy|hospitali[sz]ation|transfusion|stent|catheter|opioid)"
    r"[\s\-\u2010]+free[\s\-]+(?:survival|interval|period)",
]
RATE_NOUN_REQUIRED = r"(?:[\s\-]+(?:rates?|probabilit(?:y|ies)|estimates?|proportions?|percentages?))"
RATE_NOUN = RATE_NOUN_REQUIRED + "?"
TP_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "nine": 9,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
    "half": 0.5,
}
TP = r"(?:\d+(?:[.\u00b7]\d+)?|one|two|three|four|five|six|nine|twelve|eighteen|twenty-four)"
TP_UNIT = r"(?:months?|mo|years?|yrs?|weeks?|wks?)"
# a rate's timepoint written after the percentage: "survival rates of 46% at 6 months"
RATE_TP_AFTER_RE = re.compile(
    rf"\s*(?:at|after|by)\s+(?P<tp>{TP})\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\b", re.I
)
# "61.0% (6 mo) and 35.5% (12 mo)": the timepoint in parentheses after the rate
RATE_TP_PAREN_RE = re.compile(
    rf"\s*\(\s*(?:at\s+)?(?P<tp>{TP})\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\s*\)", re.I
)
# "30.1% at year 5": the timepoint written unit first
RATE_AT_YEAR_RE = re.compile(
    r"\s*(?:at|after|by)\s+(?P<tpu>years?|months?)\s+(?P<tp>\d+)\b(?![.\u00b7]\d)", re.I
)
RATE_WORD_RE = re.compile(r"\brates?\b|\bsurvival\b|\balive\b|\bsurvivors?\b", re.I)


def timepoint_after(text: str, pos: int, parenthesised: bool = False) -> float | None:
    """The months of a rate's timepoint written right at `pos`: " at 6 months", " at year 5",
    and with `parenthesised` also " (6 mo)"; None when there is none."""
    m = RATE_TP_AFTER_RE.match(text, pos) or RATE_AT_YEAR_RE.match(text, pos)
    if m is None and parenthesised:
        m = RATE_TP_PAREN_RE.match(text, pos)
    return timepoint_months(m.group("tp"), m.group("tpu")) if m is not None else None
EP_FOR_RATE = (
    # two endpoints sharing the timepoints: "1-year OS and PFS rates", "OS and DFS rates at 1 and 3 years"
    r"(?:(?P<ep0>overall(?:[\s\-]+survival)?|progression[\s\-\u2010\u2011]*free(?:[\s\-]+survival)?"
    r"|disease[\s\-]*free(?:[\s\-]+survival)?|(?:rw)?OS|(?:rw)?PFS|DFS|RFS|TTP)\s*(?:and|&|/)\s*)?"
    r"(?P<ep>overall[\s\-]+survival|progression[\s\-\u2010\u2011]*free[\s\-]+survival|progression[\s\-\u2010\u2011]*free|"
    r"disease[\s\-]*free[\s\-]+survival|(?:relapse|recurrence)[\s\-]*free[\s\-]+survival|survival|(?:rw)?OS|(?:rw)?PFS|DFS|RFS|TTP)"
)
# "6- and 12-month OS rates", "12-month OS rate", "1-year overall survival"
RATE_PRE_RE = re.compile(
    # (the unit may be joined to each timepoint: "3-month and 6-month PFS rates")
    rf"\b(?=[\dotfsnheOTFSNHE])(?P<tps>{TP}(?:\s*(?:[\-\u2010\u2013]\s*{TP_UNIT}\s*|[\-\u2010\u2013]\s*)?(?:,|and|or)\s*{TP})*)"
    rf"\s*[\-\u2010\u2013]?\s*(?P<tpu>{TP_UNIT})"
    # "6-month progression-free survival (PFS) rate": the abbreviation may stand before "rate"
    rf"[\s\-\u2010\u2013]+{EP_FOR_RATE}(?:\s*\((?:OS|PFS|DFS|RFS|TTP)\)(?={RATE_NOUN_REQUIRED}))?{RATE_NOUN}",
    re.I,
)
# "OS rate at 12 months", "PFS at 6 and 12 months", "survival rate at 1 year"
RATE_POST_RE = re.compile(
    rf"\b(?=[opdrsOPDRST]){EP_FOR_RATE}(?:{RATE_NOUN}[\s,]+(?:at|after)|{RATE_NOUN_REQUIRED}[\s,]+of)\s+(?P<tps>{TP}(?:\s*(?:{TP_UNIT}\s*)?(?:,|and|or)\s*{TP})*)\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\b",
    re.I,
)
# "alive at 12 months", "progression-free at 6 months"
RATE_STATE_RE = re.compile(
    rf"\b(?=[apfwsAPFWS])(?P<ep>alive|progression[\s\-\u2010]*free|free\s+of\s+progression|without\s+progression"
    rf"|surviv(?:ing|ed)(?=\s+(?:beyond|past)))"
    rf"\s+(?:at|after|beyond|past)\s+(?P<tps>{TP}(?:\s*(?:,|and|or)\s*{TP})*)\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\b",
    re.I,
)
# "At 12 months, 26.6% of nivolumab recipients ... were alive"
RATE_AT_ALIVE_RE = re.compile(
    rf"\b(?=[aA])(?P<ep>at|after)\s+(?P<tps>{TP}(?:\s*(?:,|and|or)\s*{TP})*)\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\b"
    # (a decimal point is not a sentence end: "At 12 months, 22.7% of patients were alive")
    r"(?=,?(?:[^.;]|(?<=\d)\.(?=\d)){0,160}?\b(?:were|was|remained|being|still)\s+"
    r"(?P<state>alive|free\s+of\s+progression|progression[\s\-]*free)\b)",
    re.I,
)
# "49% of patients were alive at 6 months" (the rate before its anchor)
ALIVE_AFTER_RE = re.compile(
    rf"\s*(?:of\s+(?:the\s+)?(?:[\w\-]+\s+){{0,3}}?)?(?:were|was|remained)\s+(?:still\s+)?alive\s+(?:at|after)\s+"
    rf"(?P<tp>{TP})\s*[\-\u2010]?\s*(?P<tpu>{TP_UNIT})\b",
    re.I,
)
N_RE = re.compile(r"\b[nN]\s*=\s*(?P<n>\d+)")
ARM_GENERIC_RE = CI(
    # ("the first-line treatment group" is a subgroup named by its line, not the treatment arm)
    r"\b(?=[eitscpmdagbw1-4])(?<!line\s)(?<!line-)(?:(?P<kind>experimental|investigational|intervention|treatment|study|combination|control|comparator|"
    r"placebo|monotherapy|standard|chemotherapy|triplet|doublet|maintenance)[\s\-]+(?:arm|group|cohort)s?"
    r"|(?:arm|group|cohort)\s+(?P<letter>[A-D1-4])\b|(?P<letter2>[A-D])[\s\-]+(?:arm|group|cohort)\b"
    r"|the\s(?P<kind2>combination|control|doublets?|triplets?|comparator|monotherapy|placebo)\b"
    r"(?![\s\-]+(?:arm|group|cohort|of|with|plus|was|were|is|prolonged|improved|reduced)\b)"
    r"|with\s(?P<kind3>doublets|triplets|monotherapy|combination\s+(?:therapy|chemotherapy|treatment)"
    r"|single[\s\-]+agent\s+(?:therapy|chemotherapy)|combinations)\b"
    # groups named by the kind of treatment: "combination chemotherapy (n = 41) and single agent
    # chemotherapy (n = 9)", "the multidrug chemotherapy group"
    r"|(?P<kind4>(?:combination|single[\s\-]+agent|multi[\s\-]?(?:drug|agent)|mono|triple|dual)[\s\-]*"
    r"(?:chemotherapy|therapy|treatment|regimen)(?:[\s\-]+(?:arm|group|cohort)s?)?)\b)",
)
# an arm outside the regimen dictionary, named with its group: "in the RFA group", "in the stent-only arm"
ARM_NAMED_RE = CI(
    # "in the RFA group", and a group named in parentheses after its treatment: "(dual-regimen group)"
    r"(?:\b(?=[iotf])(?:in|to|on|of|for)\sthe\s|\("
    # and a group that is the subject of its sentence: "The switch group had a longer median PFS"
    r"|\bthe\s(?=[\w\-/+]+(?:\s+[\w\-/+]+){0,2}?\s+(?:group|arm|cohort)\s+(?:had|showed|achieved|experienced|"
    r"demonstrated|reached|obtained)\b))"
    r"(?P<name>[\w\-/+]+(?:\s+[\w\-/+]+){0,2}?)\s+(?:group|arm|cohort)\b",
)
SUBGROUP_RE = re.compile(
    r"\b(?=[iafwIAFW])(?:(?:in|among|for|within)\s+(?:the\s+)?(?:\d+\s+)?(?:patients|those|participants|subjects|cases|tumou?rs|people)\s+"
    r"(?:with|harbou?ring|having|who\s+had|whose|carrying|bearing)\s+(?P<what>[^,;:()]{2,60}?)"
    r"(?=\s*(?:[,;:()]|\bwas\b|\bwere\b|\bthe\b|\bmedian\b|\bmOS\b|\bmPFS\b|\bOS\b|\bPFS\b|$)|\s+and\s+[\d(]|\.(?:\s|$))"
    r"|\b(?:in|among|for|within)\s+(?:the\s+)?(?P<what2>[\w\-+/ ]{2,40}?)\s+(?:subgroup|subset|population|patients|tumou?rs|disease|cohort)\b"  # noqa: E501
    r"|\b(?:in|among)\s+(?P<what3>(?:intrahepatic|extrahepatic|perihilar|distal|hilar|gallbladder|ampullary)[\w\- ]{0,30}?)(?=\s*[,;(]|\s+(?:was|were|the|median)))"  # noqa: E501
    r"|\b(?:in|among)\s+(?P<what4>cohort\s+(?:[A-D1-4]|\d)\b)"
    # age bands: "for patients <40 and \u226540 years", "among those aged 70 years or older"
    r"|\b(?:in|among|for)\s+(?:the\s+)?(?:patients|those|participants|subjects|people)\s+(?:aged\s+)?"
    r"(?P<what8>(?:[<>\u2264\u2265]=?\s*\d+(?:\s*(?:,|and|or|vs\.?|versus)\s*[<>\u2264\u2265]=?\s*\d+)*\s*(?:years?|yrs?)"
    r"|\d+\s*(?:years?\s+)?(?:or|and)\s+(?:older|over|above|younger))\b(?:\s+(?:old|of\s+age))?)"
    # "longer in responders (a vs b months)"
    r"|\b(?:in|among|for)\s+(?:the\s+)?(?P<what10>(?:non-?)?responders)\b",
    re.I,
)
# performance status: "the median PFS of patients with ECOG 0-1 was a months versus b for ECOG 2"
# (its own pattern: "of" starts too many places to be one of SUBGROUP_RE's heads)
PS_SUBGROUP_RE = re.compile(
    r"\b(?:in|among|for|of)\s+(?:the\s+)?(?:(?:patients|those|participants)\s+(?:with|having)\s+(?:an?\s+)?)?"
    r"(?P<what9>(?:ECOG(?:\s+PS|\s+performance\s+status)?|PS|performance\s+status|KPS)\s*(?:score\s*)?(?:of\s+)?"
    r"(?:[\u2265\u2264<>]=?\s*)?\d{1,3}(?:\s*(?:[\-\u2013/]|or|and|to)\s*\d{1,3})?)\b",
    re.I,
)
PS_WORDS = ("ECOG", "PS", "KPS", "erformance")  # one is in every PS_SUBGROUP_RE match
# a clause that opens by naming its subgroup: "HER2-low patients had ...", "Patients with ECOG 0-1 had ...",
# "Responders had ..." (tried only at clause starts)
SUBGROUP_LEAD_RE = re.compile(
    r"(?P<what5>[A-Z][\w\-+/\u2265\u2264 ]{1,40}?)\s+(?:patients|participants|cases)"
    r"(?:\s*\(\s*n\s*=\s*\d+\s*\))?\s+(?:had|showed|achieved|reached)\b"
    r"|(?:Patients|Those|Participants)\s+(?:with|who\s+had|whose)\s+(?P<what6>[^,;:()]{2,50}?)"
    r"(?:\s*\(\s*n\s*=\s*\d+\s*\))?\s+(?:had|showed|achieved|reached)\b"
    r"|(?P<what7>(?:Non-?)?[Rr]esponders)(?:\s*\(\s*n\s*=\s*\d+\s*\))?\s+had\b",
)
CLAUSE_START_RE = re.compile(r";\s+|,\s+(?:and|but)\s+|\bwhereas\s+")
MAIN_POPULATION_RE = re.compile(
    r"\b(?:overall|whole|entire|total|intention[\s\-]+to[\s\-]+treat|ITT|full[\s\-]+analysis|efficacy[\s\-]+evaluable"
    r"|evaluable|all|enrolled|treated|safety|study|primary[\s\-]+efficacy|randomi[sz]ed|per[\s\-]+protocol"
    r"|weighted|unweighted|matched|this|these|their|its|our|monotherapy|combination|control|placebo|chemotherapy"
    r"|expansion|both|each|most|many|few|some|several)\b",
    re.I,
)
EXCLUDED_PRECEDING_RE = CI(
    r"(?:\bexceed\w*|\bgreater\s+than|\bof\s+at\s+least|\bevery|\beach|\bq|\bper|\bwithin|\bafter|\bbefore|\bup\s+to|\buntil|\bover|\bthan|\bbeyond|\blast|\bfor"
    r"|\bat\s+least|\bat|(?<!improved\s)(?<!increased\s)(?<!prolonged\s)(?<!extended\s)(?<!rose\s)(?<!went\s)(?<!rising\s)(?<!improving\s)(?<!increasing\s)(?<!lengthened\s)\bfrom|\bduring|\bapproximately\s+every|\bfor\s+up\s+to|\bmore\s+than|\bless\s+than|\bat\s+most"
    r"|[\u2265\u2264><]|\bonly|\bexceeding|\blonger\s+than|\bshorter\s+than|\bby|\bnearly|\bearly|\bday|\bdays|\bweek|\bweeks|\bcycle"
    # labels with a number: "ECOG 0, 9.1 months; ECOG 1, 5.2 months", "cohort 2", "stage 3"
    r"|\becog|\bps|\bstatus|\bgrade|\bstage|\bphase|\bcohort|\barm|\bpart)\s*$",
)
# a performance-status score, not a value: "a PS of 0 or 1", "ECOG score of 2" (tried only where
# the window names a score, so that EXCLUDED_PRECEDING_RE keeps its one-word endings)
SCORE_PRECEDING_RE = re.compile(
    r"(?:\becog|\bps|\bkps|\bperformance\s+status)(?:\s+(?:of|score(?:\s+of)?))?(?:\s*\d\s*(?:or|and|to|[\-\u2013/]))?\s*$",
    re.I,
)
EXCLUDED_FOLLOWING_RE = re.compile(
    r"^\s*(?:cycles?|schedule|courses?|intervals?|after|later|prior|before|post|of\s+(?:treatment|therapy|follow)"
    r"|on\s+(?:treatment|therapy|study)"
    r"|from|since|follow|apart|earlier|longer|shorter|more|less|improvement|gain|increase|extension|benefit|difference|old"
    r"|or\s+(?:longer|more|shorter|less|greater))\b",
    re.I,
)
RESPECTIVELY_RE = re.compile(r"\brespectively\b", re.I)
LIST_CONNECTOR_RE = re.compile(
    r"^\s*(?:,\s*)?(?:and|or|vs\.?|versus|v\.?|compared\s+(?:with|to)|against|over|to|as\s+compared\s+(?:with|to)|with|"
    r"in\s+comparison\s+(?:with|to)|relative\s+to)?\s*,?\s*$|^\s*[,/;]\s*$",
    re.I,
)
TOX_GRADE_RE = re.compile(
    r"\b(?=[gGsShH])(?:grades?\s*(?:\u2265|>=|>\s*|\u2267|3\s*(?:or|and|to)\s*(?:higher|greater|more|worse|above|4|5|iv)|3\s*[\-\u2013/\u2010]\s*[45]"
    r"|iii\s*(?:or|and|to|[\-\u2013/])\s*(?:higher|greater|more|worse|iv|v)|\u2265\s*iii|3\+|3\s*\+|three\s+or\s+(?:higher|more|worse))"
    r"|(?:severe|high[\s\-]+grade)\s+(?:adverse|toxicit|treatment)|grade\s*3\b|grade\s*iii\b)",
    re.I,
)
TOX_EVENTS = [
    ("febrile neutropenia", r"febrile\s+neutropenia"),
    (
        "neutropenia",
        r"neutropenia|neutrophil\s+count\s+decrease[d]?|decreased\s+neutrophil\s+count|neutropaenia|low\s+neutrophil\s+count"
        # a laboratory value named for its event: "(leucocytes 29%, neutrophils 61%, platelets 12%)"
        r"|neutrophils(?=\s+\d)",
    ),
    (
        "thrombocytopenia",
        r"thrombocytopenia|platelet\s+count\s+decrease[d]?|decreased\s+platelet\s+count|platelets(?=\s+\d)",
    ),
    (
        "anaemia",
        r"an(?:a)?emia|ha?emoglobin\s+(?:decrease[d]?|decline)|(?:decreased|low)\s+ha?emoglobin|ha?emoglobin(?=\s+\d)",
    ),
    ("leukopenia", r"leu[ck]openia|white\s+blood\s+cell\s+count\s+decrease[d]?|leu[ck]ocytes(?=\s+\d)"),
    ("lymphopenia", r"lymphopenia|lymphocyte\s+count\s+decrease[d]?"),
    ("myelosuppression", r"myelosuppression|(?:bone\s+)?marrow\s+suppression|myelotoxicity"),
    ("fatigue", r"fatigue|asthenia"),
    ("diarrhoea", r"diarrho?ea|diarrhea"),
    ("nausea", r"nausea"),
    ("vomiting", r"vomiting|emesis"),
    ("stomatitis", r"stomatitis|mucositis"),
    ("hypophosphataemia", r"hypophosphat(?:a)?emia"),
    ("hyperphosphataemia", r"hyperphosphat(?:a)?emia"),
    ("cholangitis", r"cholangitis"),
    ("biliary obstruction", r"biliary\s+obstruction"),
    ("infection", r"infections?|sepsis|septic\s+shock"),
    ("hypertension", r"hypertension"),
    (
        "hand-foot syndrome",
        r"hand[\s\-\u2010-\u2013]+foot\s+(?:skin\s+)?(?:syndrome|reaction)|(?:palmar|palmo)[\s\-\u2010-\u2013]+plantar\s+"
        r"(?:erythrodys(?:a)?esthesia|erythrodysaesthesia|syndrome)",
    ),
    ("peripheral neuropathy", r"(?:peripheral\s+)?(?:sensory\s+)?neuropathy|neurotoxicity"),
    (
        "increased AST",
        r"(?:(?:increased|elevated|raised)\s+)?(?:AST|aspartate\s+(?:aminotransferase|transaminase))(?:\s+(?:increased?|elevation))?",
    ),
    ("hyponatraemia", r"hyponatr(?:a)?emia"),
    ("decreased appetite", r"decreased\s+appetite|anorexia"),
    ("hyperbilirubinaemia", r"hyperbilirubin(?:a)?emia|increased\s+bilirubin|blood\s+bilirubin\s+increased"),
    (
        "increased ALT",
        r"(?:(?:increased|elevated|raised)\s+)?(?:ALT|alanine\s+(?:aminotransferase|transaminase))(?:\s+(?:increased?|elevation))?",
    ),
    (
        "increased transaminases",
        r"(?:(?:increased|elevated|raised)\s+|increases?\s+in\s+)(?:liver\s+enzymes|transaminases|aminotransferases?)|transaminitis"
        r"|aminotransferase\s+(?:increase[d]?|elevation)",
    ),
    (
        "increased GGT",
        r"(?:(?:increased|elevated|raised)\s+)?(?:GGT|(?:gamma|\u03b3)[\s\-]*(?:glutamyl[\s\-]*transferase|GTP))(?:\s+increased?)?",
    ),
    (
        "increased CPK",
        r"(?:increased|elevated|raised)\s+(?:blood\s+)?(?:creatine\s+(?:phospho)?kinase|CPK|CK)(?:\s+level)?",
    ),
    ("proteinuria", r"proteinuria"),
    ("rash", r"(?:acneiform\s+|maculopapular\s+)?(?:rash|dermatitis)(?:\s+acneiform)?"),
    ("hepatitis", r"(?:immune[\s\-]+(?:related|mediated)\s+)?hepatitis"),
    ("colitis", r"colitis"),
    ("pneumonitis", r"pneumonitis|interstitial\s+lung\s+disease"),
    ("pyrexia", r"pyrexia|fever"),
    ("hypothyroidism", r"hypothyroidism"),
    ("bleeding", r"bleeding(?:\s+events?)?|ha?emorrhage"),
    ("nail disorders", r"nail\s+(?:disorders?|toxicit(?:y|ies)|changes)|paronychia|onycholysis"),
    ("decreased ejection fraction", r"(?:decreased|reduced)\s+(?:left\s+ventricular\s+)?ejection\s+fraction"),
    ("abdominal pain", r"abdominal\s+pain"),
    ("hypokalaemia", r"hypokal(?:a)?emia"),
    (
        "immune-related adverse event",
        r"immune[\s\-]+(?:related|mediated)\s+(?:adverse\s+(?:events?|effects?)|events?|AEs?|toxicit(?:y|ies))|irAEs?",
    ),
    (
        "haematological toxicity",
        r"(?:ha?ematolog\w*|blood)\s+(?:adverse\s+events?|toxicit(?:y|ies)|AEs?)",
    ),
    (
        "any adverse event",
        r"(?:(?:treatment|drug|therapy|study[\s\-]+drug)[\s\-]+(?:related|emergent|associated)\s+|serious\s+)?"
        r"(?:adverse\s+(?:events?|effects?|reactions?)|TRAEs?|TEAEs?|AEs|toxicit(?:y|ies)|complications?)",
    ),
]
PCT_RE = re.compile(rf"(?<![\w.\u00b7])({NUM})\s*%")


_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen "
        "seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * (i + 2) for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SMALL = r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[\s\-]+(?:one|two|three|four|five|six|seven|eight|nine))?|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen)"  # noqa: E501
NUMBER_WORDS = rf"(?:{_SMALL}[\s\-]+hundred(?:[\s\-]+(?:and[\s\-]+)?{_SMALL})?|{_SMALL})"
# a count as written: "146", "1,238", "Thirty-two", "One hundred and twenty"
COUNT = rf"(?:\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+|{NUMBER_WORDS})"


_COUNT_SPLIT_RE = re.compile(r"[\s\-]+")


def parse_count(text: str) -> int | None:
    """'1,238' -> 1238, 'Thirty-two' -> 32, 'one hundred and twenty' -> 120."""
    t = text.strip().lower().replace(",", "")
    if t.isdigit():
        return int(t)
    total, cur = 0, 0
    for w in _COUNT_SPLIT_RE.split(t):
        if w == "and" or not w:
            continue
        if w in _UNITS:
            cur += _UNITS[w]
        elif w in _TENS:
            cur += _TENS[w]
        elif w == "hundred":
            cur = (cur or 1) * 100
        else:
            return None
    return total + cur


def parse_num(text: str) -> float:
    """'11·4' -> 11.4, '.002' -> 0.002."""
    t = text.replace("\u00b7", ".").replace("\u2212", "-").strip()
    if t.startswith("."):
        t = "0" + t
    return float(t)


_IS_NR_RE = re.compile(rf"\s*(?:{NR_WORDS}|\u221e|infinity|inf)\s*", re.I)


def is_nr(text: str) -> bool:
    return bool(_IS_NR_RE.fullmatch(text))


def canon_unit(text: str) -> str | None:
    return UNIT_CANON.get(text.lower().rstrip(".") if text.lower() not in UNIT_CANON else text.lower())


def to_months(value: float | None, unit: str | None) -> float | None:
    if value is None or unit not in TO_MONTHS:
        return None
    return round(value * TO_MONTHS[unit], 4)


def timepoint_months(tp: str, tpu: str) -> float:
    v = TP_WORDS.get(tp.lower()) if tp.lower() in TP_WORDS else parse_num(tp)
    u = canon_unit(tpu) or "months"
    return round(float(v) * TO_MONTHS[u], 4)
