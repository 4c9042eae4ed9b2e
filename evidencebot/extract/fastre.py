"""Faster ways to ask the same questions of the rule set's patterns (answers unchanged).

`re` tries a pattern at every position unless it can skip ahead on a literal prefix; for a
yes/no question a plain `in` test on the lowered text settles the literal alternatives of a
pattern far sooner. Everything here is derived from the patterns themselves at import, so a
change to a pattern carries over.
"""

from __future__ import annotations

import re
from re import _constants as sre  # opcodes of re's parsed form (SUBPATTERN, BRANCH, ...)
from re import _parser

from evidencebot.extract import lexicon as lx


def split_alternatives(pattern: str) -> list[str] | None:
    """The top-level alternatives of `pattern` (None when it has inline flags)."""
    if pattern.startswith("(?") and not pattern.startswith(("(?:", "(?P", "(?=", "(?!", "(?<")):
        return None
    alts, depth, cls, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if cls:
            if c == "]":
                cls = False
        elif c == "[":
            cls = True
            if pattern.startswith(("[]", "[^]"), i):  # a leading "]" is a literal
                i += 2 if pattern[i + 1] == "]" else 3
                continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            alts.append(pattern[start:i])
            start = i + 1
        i += 1
    alts.append(pattern[start:])
    return alts


def required_part(pattern: str, part: str) -> bool:
    """True when `part` (a run of whole pattern elements) appears in `pattern` outside any
    group or alternation and without a quantifier after it, so that every match of `pattern`
    contains a match of `part`."""
    i = pattern.find(part)
    if i < 0 or split_alternatives(pattern) != [pattern]:
        return False
    depth, cls, j = 0, False, 0
    while j < i:
        c = pattern[j]
        if c == "\\":
            j += 2
            continue
        if cls:
            cls = c != "]"
        elif c == "[":
            cls = True
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        j += 1
    return (
        j == i
        and depth == 0
        and not cls
        and pattern[i + len(part) : i + len(part) + 1] not in ("?", "*", "+", "{")
    )


_PLAIN = re.compile(r"[a-z0-9]+")


class AnyMatch:
    """`bool(ci.search(text, low))` for a case-insensitive pattern (lx.CI): on lowered text, the
    alternatives that are plain lowercase words are `in` tests, each other alternative a pattern
    of its own, tried only when the text holds one of its required_literals (a yes/no answer does
    not depend on which alternative matches first)."""

    __slots__ = ("ci", "literals", "rest", "classes")

    def __init__(self, ci: lx.CI):
        self.ci = ci
        self.literals: tuple[str, ...] | None = None
        self.rest: tuple[tuple[frozenset[str] | None, CoreFirst], ...] = ()
        # alternatives that are one character class (\\d): one quick scan each, tried first
        self.classes: tuple[re.Pattern, ...] = ()
        alts = split_alternatives(ci.low.pattern) if ci.low is not None else None
        if alts is None:
            return
        lits = [a for a in alts if _PLAIN.fullmatch(a)]
        rest = [a for a in alts if not _PLAIN.fullmatch(a)]
        classes = [a for a in rest if _one_class(a, ci.low.flags)]
        self.literals = tuple(dict.fromkeys(lits))
        self.classes = tuple(re.compile(a, ci.low.flags) for a in dict.fromkeys(classes))
        self.rest = tuple(
            (required_literals(a, ci.low.flags), CoreFirst(re.compile(a, ci.low.flags)))
            for a in dict.fromkeys(rest)
            if a not in classes
        )

    def __call__(self, text: str, low: str | None) -> bool:
        if low is None or self.literals is None:
            return self.ci.search(text, low) is not None
        for rx in self.classes:
            if rx.search(low) is not None:
                return True
        for w in self.literals:
            if w in low:
                return True
        for words, rx in self.rest:
            if words is not None:
                for w in words:  # (a loop, not any(<generator>): this runs for most sentences)
                    if w in low:
                        break
                else:
                    continue
            if rx.search(low) is not None:
                return True
        return False


def _one_class(pattern: str, flags: int) -> bool:
    """Whether `pattern` is one character class (\\d, [0-9]) and nothing else."""
    try:
        items = _parser.parse(pattern, flags)
    except Exception:  # an unknown form: not one class
        return False
    return len(items) == 1 and items[0][0] in (sre.IN, sre.LITERAL)


_HEAD = re.compile(r"(?:\\b)*([A-Za-z0-9/ ]*)")


def literal_heads(pattern: str) -> tuple[str, ...] | None:
    """Literal texts one of which starts every match of `pattern` (case-sensitive), from the
    leading characters of its top-level alternatives; None when an alternative has none."""
    alts = split_alternatives(pattern)
    if alts is None:
        return None
    heads = []
    for alt in alts:
        m = _HEAD.match(alt)
        head = m.group(1)
        if alt[m.end() : m.end() + 1] in ("?", "*", "+", "{"):
            head = head[:-1]  # the quantifier makes the last character optional
        if not head:
            return None
        heads.append(head)
    return tuple(dict.fromkeys(heads))


_WORD_ALT = re.compile(r"(?:\(\?<![^()]*\))*\\b(?:[a-z]+\\s\+)*([a-z]+)")  # (?<!x\s)\bat\s+least
_PREFIX_ALT = re.compile(r"\\b([a-z]+)\\w\*")  # \bexceed\w*
_CLASS_ALT = re.compile(r"\[(?:[^\]\\]|\\u[0-9a-f]{4})+\]")  # [\u2265\u2264><]
_TRAILING_WS = r")\s*$"


class EndsWithWord:
    """`bool(ci.search(text, low))` for a lx.CI pattern `(?:A|B|...)\\s*$` whose alternatives
    each end in a word (`\\bat\\s+least`, `\\bexceed\\w*`) or are one character class: a match
    needs the text, trailing white space stripped, to end in such a word (its whole last word
    run) or character, which is settled before the pattern is tried (most texts do not). The
    pattern is searched with a lookahead for its alternatives' starts (starts_gated)."""

    __slots__ = ("ci", "words", "prefixes", "chars", "gated")

    def __init__(self, ci: lx.CI):
        self.ci = ci
        # the pattern as searched: with a lookahead for what its alternatives start with (many
        # begin with \\b, so re tries each at every position of the window otherwise)
        self.gated = starts_gated_ci(ci, front=True)
        self.words: frozenset[str] | None = None
        self.prefixes: tuple[str, ...] = ()
        self.chars: list[re.Pattern] = []
        p = ci.low.pattern if ci.low is not None else ""
        if not (p.startswith("(?:") and p.endswith(_TRAILING_WS)):
            return
        inner = p[3 : -len(_TRAILING_WS)]
        alts = split_alternatives(inner)
        if alts is None or split_alternatives(p) != [p] or "(?:" + inner + ")" != p[: -len(_TRAILING_WS) + 1]:
            return
        words, prefixes, chars = set(), [], []
        for alt in alts:
            if m := _WORD_ALT.fullmatch(alt):
                words.add(m.group(1))
            elif m := _PREFIX_ALT.fullmatch(alt):
                prefixes.append(m.group(1))
            elif _CLASS_ALT.fullmatch(alt):
                chars.append(re.compile(alt))
            else:
                return
        self.words, self.prefixes, self.chars = frozenset(words), tuple(prefixes), chars

    def __call__(self, text: str, low: str | None) -> bool:
        if low is not None and self.words is not None:
            t = low.rstrip()  # \s and str.isspace() agree
            if not t:
                return False
            i = len(t)
            while i and (t[i - 1].isalnum() or t[i - 1] == "_"):  # \w: str.isalnum() or "_"
                i -= 1
            word = t[i:]
            if not (
                word in self.words
                or (word and word.startswith(self.prefixes))
                or any(c.fullmatch(t[-1]) for c in self.chars)
            ):
                return False
        return self.gated.search(text, low) is not None  # self.ci.search(text, low)


def _parse_case_sensitive(pattern: str, flags: int = 0):
    """`re`'s parse of a case-sensitive pattern (its internal parser: the readers below walk the
    parsed form), or None for a case-insensitive one or a form the parser does not take."""
    if flags & re.I:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except Exception:  # an unknown form: nothing to read
        return None
    return None if parsed.state.flags & re.I else parsed


def required_literals(pattern: str, flags: int = 0, lookbehind: bool = True) -> frozenset[str] | None:
    """Literal texts one of which the searched text holds wherever `pattern` matches (None when
    no such set is found), read from the parsed pattern: a run of literal characters, a group, a
    repeat of at least one, a positive lookaround, or a branch all of whose alternatives have
    such a set (lookbehinds only with `lookbehind`: they may read before a search's start).
    Case-sensitive: use it on a pattern without re.I (a lowercase twin, tested on lowered text)."""
    parsed = _parse_case_sensitive(pattern, flags)
    if parsed is None:
        return None

    def seq(items) -> frozenset[str] | None:
        best: frozenset[str] | None = None
        run: list[str] = []

        def consider(found: frozenset[str] | None) -> None:
            nonlocal best
            if found and (best is None or min(map(len, found)) > min(map(len, best))):
                best = found

        for op, av in items:
            if op is sre.LITERAL:
                run.append(chr(av))
                continue
            if run:
                consider(frozenset(["".join(run)]))
                run = []
            if op is sre.SUBPATTERN:
                if not av[1] & re.I:  # no (?i:...) inside
                    consider(seq(av[-1]))
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT) and av[0] >= 1:
                consider(seq(av[2]))
            elif op is sre.BRANCH:
                alts = [seq(alt) for alt in av[1]]
                if all(alts):
                    consider(frozenset().union(*alts))
            elif op is sre.ATOMIC_GROUP:
                consider(seq(av))
            elif op is sre.ASSERT and (lookbehind or av[0] > 0):  # (?=...), (?<=...): the text holds it too
                consider(seq(av[1]))
        if run:
            consider(frozenset(["".join(run)]))
        return best

    return seq(parsed)


class Gated:
    """A lx.CI pattern that is tried only where the lowered text (between `pos` and `endpos`)
    holds one of the texts every match consumes or looks ahead to (required_literals of its
    lowercase form, lookbehinds left out); same results as the pattern's own search/finditer."""

    __slots__ = ("ci", "words")

    def __init__(self, ci: lx.CI):
        self.ci = ci
        self.words = required_literals(ci.low.pattern, lookbehind=False) if ci.low is not None else None

    def _absent(self, low: str | None, pos: int, endpos: int) -> bool:
        if low is None or self.words is None:
            return False
        part = low[pos:endpos]  # one slice: `in` tests are quicker than find() with bounds
        for w in self.words:
            if w in part:
                return False
        return True

    def search(self, text: str, low: str | None, pos: int = 0, endpos: int = 2**62):
        return None if self._absent(low, pos, endpos) else self.ci.search(text, low, pos, endpos)


def _zero_width(items) -> bool:
    """Whether parsed pattern items read no character (\\b, lookarounds, groups of such)."""
    for op, av in items:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        if op is sre.SUBPATTERN and not av[1] & re.I and _zero_width(av[-1]):
            continue
        if op is sre.BRANCH and all(_zero_width(alt) for alt in av[1]):
            continue
        return False
    return True


def _literal_run(items: list, k: int) -> str:
    """The run of literal characters from parsed item k on ("cycles?" parses as c, y, c, l, e and
    a repeat of s: the run is "cycle")."""
    run = []
    for op, av in items[k:]:
        if op is not sre.LITERAL:
            break
        run.append(chr(av))
    return "".join(run)


def literal_starts(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Literal texts one of which every match of `pattern` starts with (None when no such set
    is found), read from the parsed pattern past what reads no character (\\b, lookarounds): a
    run of literal characters, a set of single characters ([Pp]), a group or branch all of whose
    alternatives have such a set, or an optional part (its set and that of what follows it).
    Case-sensitive: use it on a pattern without re.I (a lowercase twin, tested on lowered text)."""
    parsed = _parse_case_sensitive(pattern, flags)
    if parsed is None:
        return None

    def starts(items) -> frozenset[str] | None:
        items = list(items)
        for k, (op, av) in enumerate(items):
            if op is sre.LITERAL:
                return frozenset([_literal_run(items, k)])
            if _zero_width([(op, av)]):
                continue
            if op is sre.IN and all(op2 is sre.LITERAL for op2, _ in av):  # [Pp]: its characters
                return frozenset(chr(ch) for _, ch in av)
            if op is sre.SUBPATTERN:
                return None if av[1] & re.I else starts(av[-1])
            if op is sre.BRANCH:
                alts = [starts(alt) for alt in av[1]]
                return frozenset().union(*alts) if all(alts) else None
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                body = starts(av[2])
                if body is None or av[0] >= 1:
                    return body
                after = starts(items[k + 1 :])
                return body | after if after else None
            return None
        return None

    return starts(parsed)


def prefix_trie(words) -> str:
    """One alternation for literal words as a prefix trie (a longer word before its prefix)."""
    return _trie(words)


def _trie(words) -> str:
    """One alternation for many literal words, factored as a prefix trie: `re` settles a
    position on its first character instead of trying every word."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return build(trie)


_CATEGORY_SOURCE = {
    sre.CATEGORY_DIGIT: r"\d",
    sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s",
    sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w",
    sre.CATEGORY_NOT_WORD: r"\W",
}


def _class_source(items) -> str | None:
    """A character class of re's parsed form written back as a pattern ([...]), or None."""
    out = []
    for op, av in items:
        if op is sre.NEGATE and not out:
            out.append("^")
        elif op is sre.LITERAL:
            out.append(re.escape(chr(av)))
        elif op is sre.RANGE:
            out.append(re.escape(chr(av[0])) + "-" + re.escape(chr(av[1])))
        elif op is sre.CATEGORY and av in _CATEGORY_SOURCE:
            out.append(_CATEGORY_SOURCE[av])
        else:
            return None
    return "[" + "".join(out) + "]"


def start_patterns(pattern: str, flags: int = 0) -> tuple[frozenset[str], frozenset[str]] | None:
    """What every match of `pattern` starts with: (literal texts, character classes written as
    patterns), read as literal_starts reads them but taking any character class ([(,;], \\d) as
    a start too; None when no such sets are found. Case-sensitive reading: a caller that tests
    them under re.I compares them ignoring case, as the pattern does."""
    parsed = _parse_case_sensitive(pattern, flags)
    if parsed is None:
        return None

    def merge(parts):
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p[0] for p in parts)), frozenset().union(*(p[1] for p in parts))

    def starts(items):
        items = list(items)
        for k, (op, av) in enumerate(items):
            if op is sre.LITERAL:
                return frozenset([_literal_run(items, k)]), frozenset()
            if _zero_width([(op, av)]):
                continue
            if op is sre.IN:
                if all(op2 is sre.LITERAL for op2, _ in av):
                    return frozenset(chr(ch) for _, ch in av), frozenset()
                source = _class_source(av)
                return None if source is None else (frozenset(), frozenset([source]))
            if op is sre.SUBPATTERN:
                return None if av[1] & re.I else starts(av[-1])
            if op is sre.BRANCH:
                return merge([starts(alt) for alt in av[1]])
            if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
                body = starts(av[2])
                if body is None or av[0] >= 1:
                    return body
                return merge([body, starts(items[k + 1 :])])
            return None
        return None

    found = starts(parsed)
    return found if found and (found[0] or found[1]) else None


# a pattern's leading part that reads no character: \b and lookarounds without groups inside
# (checked with re's parser before use: see _lead_zero_width)
_LEAD_ZERO_WIDTH = re.compile(r"(?:\\b|\(\?<?[=!](?:[^()\\\[]|\\.|\[\^?\]?(?:[^\]\\]|\\.)*\])*\))*")


def _lead_zero_width(pattern: str, flags: int) -> str:
    """The leading \\b and lookarounds of `pattern` as written ("" when unsure): a part that re
    parses by itself into items that read no character, followed by a part it also parses."""
    lead = _LEAD_ZERO_WIDTH.match(pattern).group(0)
    if not lead:
        return ""
    try:
        items = _parser.parse(lead, flags)
        _parser.parse(pattern[len(lead) :], flags)
    except Exception:  # not a whole part of the pattern
        return ""
    return lead if all(op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT) for op, _ in items) else ""


def starts_gated(rx: re.Pattern, front: bool = False) -> re.Pattern:
    """The same pattern with a lookahead for what its matches start with (start_patterns: a
    prefix trie of its literal starts and its starting classes, compared as the pattern compares
    them: ignoring case under re.I) placed after its leading \\b and lookarounds (`front`: before
    them). Where a pattern of many alternatives is tried at every position or word (`re` rules an
    alternative out on its first character only when nothing, such as a group's start, comes
    before that), one quick test rules out most places first. Same matches and groups: every
    match starts with one of those texts or classes."""
    found = start_patterns(rx.pattern, rx.flags & ~re.I)
    if found is None:
        return rx
    words, classes = found
    gate = "|".join(([_trie(sorted(words))] if words else []) + sorted(classes))
    lead = "" if front else _lead_zero_width(rx.pattern, rx.flags)
    return re.compile(lead + "(?=" + gate + ")" + rx.pattern[len(lead) :], rx.flags)


def starts_gated_ci(ci: lx.CI, front: bool = False) -> lx.CI:
    """A lx.CI whose two forms are starts_gated."""
    gated = lx.CI.__new__(lx.CI)
    gated.ci = starts_gated(ci.ci, front)
    gated.low = starts_gated(ci.low, front) if ci.low is not None else None
    return gated


class CoreFirst:
    """`rx.search(text, pos, endpos)` for a pattern whose leading \\b or lookarounds hide the
    literal its core starts with (\\bit\\s+was): `re` tries such a pattern at every position, but
    finds the core alone by its literal quickly. The core is searched, and the whole pattern
    tried where the core matches: the pattern matches only where its core does, so the first
    position where it matches, and its match there, are the same."""

    __slots__ = ("rx", "core")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.core: re.Pattern | None = None
        lead = _lead_zero_width(rx.pattern, rx.flags)
        if lead:
            core = _parse_case_sensitive(rx.pattern[len(lead) :], rx.flags)
            if core is not None and core.data and core.data[0][0] is sre.LITERAL:
                self.core = re.compile(rx.pattern[len(lead) :], rx.flags)

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        endpos = len(text) if endpos is None else endpos
        if self.core is None:
            return self.rx.search(text, pos, endpos)
        find, match = self.core.search, self.rx.match
        while (c := find(text, pos, endpos)) is not None:
            m = match(text, c.start(), endpos)
            if m is not None:
                return m
            pos = c.start() + 1
        return None


# a lead that lets only a character outside its class stand before a match: (?<![\w\-]), maybe
# followed by more lookarounds
_NOT_AFTER = re.compile(r"\(\?<!(\[(?:[^\]\\]|\\.)*\])\)")
# \b followed by a lookahead for letters or digits: a word starts there (\b(?=[eitsc1-4])),
# maybe followed by more lookarounds
_WORD_START = re.compile(r"\\b\(\?=\[(?:[A-Za-z0-9]-[A-Za-z0-9]|[A-Za-z0-9])+\]\)")


class AfterBoundary:
    """`rx.finditer(text)` for a pattern that starts at a word: its lead starts with (?<![class])
    or with \\b before a letter or digit, so the character before a match (if any) is not in the
    class (or not a word character). `re` tries such a pattern at every position, and checking the lead
    takes a Unicode class lookup each time. Here one pattern finds a character that may stand
    before a match (an ASCII character outside the class, or any non-ASCII one: a quick test
    per character) followed by the pattern's core, and the pattern itself is tried where that
    core starts. Same matches: every match (but one at 0, tried first) follows such a
    character, and a match can start right where the last one ended."""

    __slots__ = ("rx", "finder")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.finder: re.Pattern | None = None
        lead = _lead_zero_width(rx.pattern, rx.flags)
        if (m := _NOT_AFTER.match(lead)) is not None:
            cls, core = re.compile(m.group(1), rx.flags), rx.pattern[m.end() :]
        elif _WORD_START.match(lead) is not None:
            cls, core = re.compile(r"\w", rx.flags), rx.pattern[2:]  # \b dropped
        else:
            return
        before = "".join(re.escape(c) for c in map(chr, range(128)) if not cls.match(c))
        if split_alternatives(core) is None or _parser.parse(rx.pattern, rx.flags).getwidth()[0] == 0:
            return  # (inline flags; or a pattern that may match empty: finditer steps on past those)
        self.finder = re.compile(f"[{before}\u0080-\U0010ffff](?:{core})", rx.flags)

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        """`rx.finditer(text, pos, endpos)`."""
        endpos = len(text) if endpos is None else min(endpos, len(text))
        if self.finder is None:
            yield from self.rx.finditer(text, pos, endpos)
            return
        find, match = self.finder.search, self.rx.match
        if (m := match(text, pos, endpos)) is not None:  # (the lead reads what stands before pos)
            yield m
            pos = m.end() - 1  # (a character the match ends with may stand before the next)
        while (c := find(text, pos, endpos)) is not None:
            at = c.start() + 1
            m = match(text, at, endpos)
            if m is None:
                pos = at  # a character outside the class may come later, inside this core's match
                continue
            yield m
            pos = m.end() - 1

class StartScan:
    """`rx.finditer(text, pos, endpos)` for a pattern every match of which starts with one of a
    few literal words (literal_starts): `re` cannot skip ahead on a pattern that opens with a
    lookbehind, so one alternation of those words finds the places where a match may start, and
    the pattern is tried there only (same matches, in the same order)."""

    __slots__ = ("rx", "starts")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        words = literal_starts(rx.pattern, rx.flags)
        self.starts = re.compile(_trie(words)) if words else None

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None):
        endpos = len(text) if endpos is None else min(endpos, len(text))
        if self.starts is None:
            yield from self.rx.finditer(text, pos, endpos)
            return
        find, match = self.starts.search, self.rx.match
        while True:
            c = find(text, pos, endpos)
            if c is None:
                return
            m = match(text, c.start(), endpos)
            if m is None:
                pos = c.start() + 1
                continue
            yield m
            pos = m.end()


class Anchored:
    """`ci.finditer(text, low)` for a lx.CI pattern every match of which starts with one of a few
    literal texts (literal_starts of its lowercase form, each at least `min_len` characters): the
    pattern is tried only where the lowered text holds one of them (found with str.find) instead
    of at every position. Same matches: finditer's next match is the first position from the end
    of the last one where the pattern matches, and it can only match where one of them starts.
    The pattern still sees the whole text (a lookbehind reads before the position tried)."""

    __slots__ = ("ci", "heads", "on_text")

    def __init__(self, ci: lx.CI, min_len: int = 3):
        self.ci = ci
        # without a lowercase twin (a cased non-ASCII letter in the pattern: "na\u00efve"), the
        # pattern itself is tried on the text where the lowered text holds one of its heads,
        # lowered: for ASCII heads that finds every place re.I matches them (the letters that
        # re.I also folds onto ASCII ones, dotted and dotless i and long s, leave no lowered text)
        self.on_text = ci.low is None
        if ci.low is not None:
            heads = literal_starts(ci.low.pattern)
        else:
            heads = literal_starts(ci.ci.pattern, ci.ci.flags & ~re.I)
            heads = frozenset(h.lower() for h in heads) if heads and all(h.isascii() for h in heads) else None
        # short heads occur everywhere: then the pattern's own scan is quicker
        self.heads = tuple(sorted(heads)) if heads and min(map(len, heads)) >= min_len else None

    def finditer(self, text: str, low: str | None):
        if low is None or self.heads is None:
            return self.ci.finditer(text, low)
        return self._at_heads(text, low)

    def search(self, text: str, low: str | None):
        """`ci.search(text, low)`: the first match finditer gives."""
        return next(iter(self.finditer(text, low)), None)

    def _at_heads(self, text: str, low: str):
        starts = set()
        for head in self.heads:
            i = low.find(head)
            while i >= 0:
                starts.add(i)
                i = low.find(head, i + 1)
        if self.on_text:  # the pattern as written (re.I), on the text: ci.finditer(text, None)
            match, subject = self.ci.ci.match, text
        else:
            match, subject = self.ci.low.match, low
        end = 0
        for i in sorted(starts):
            if i >= end and (m := match(subject, i)) is not None:
                yield m
                end = m.end()  # never empty: a match consumes its head


class AtLineStarts:
    """`rx.finditer(text)` for a pattern that starts with ^ under re.M and never matches empty:
    every match starts a line, so the pattern is tried at the line starts only (an abstract has
    a handful) instead of at every position."""

    __slots__ = ("rx", "anchored")

    def __init__(self, rx: re.Pattern):
        self.rx = rx
        self.anchored = bool(
            rx.flags & re.M and rx.pattern.startswith("^") and split_alternatives(rx.pattern) == [rx.pattern]
        )

    def search(self, text: str, pos: int = 0):
        """`rx.search(text, pos)`, tried at the line starts from `pos` on (^ matches only at a
        line's start, also in a search that starts elsewhere)."""
        if not self.anchored:
            return self.rx.search(text, pos)
        if pos == 0 or (pos <= len(text) and text[pos - 1] == "\n"):
            p = pos
        elif (p := text.find("\n", pos)) < 0:
            return None
        else:
            p += 1
        while (m := self.rx.match(text, p)) is None:
            if (p := text.find("\n", p)) < 0:
                return None
            p += 1
        return m

    def finditer(self, text: str):
        if not self.anchored:
            yield from self.rx.finditer(text)
            return
        end, p = 0, 0
        while p >= 0:
            if p >= end and (m := self.rx.match(text, p)) is not None:
                yield m
                end = m.end()
            p = text.find("\n", p)
            p = p + 1 if p >= 0 else -1
