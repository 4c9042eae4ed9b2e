"""The PubMed query language, the subset the sandbox understands: a lexer, a recursive-descent
parser (see _Parser) and the parsed tree of Term and BoolOp nodes. Boolean operators are
evaluated left to right with equal precedence, as PubMed does."""

from __future__ import annotations

import re
from dataclasses import dataclass


class QuerySyntaxError(ValueError):
    """A search term the sandbox's query parser cannot read (answered as <ERROR> in a 200)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} at position {position}")
        self.position = position


# field tag as written (lower case, before any ":") -> canonical field
FIELD_TAGS = {
    "tiab": "tiab", "title/abstract": "tiab",
    "ti": "ti", "title": "ti",
    "ab": "ab", "abstract": "ab",
    "mh": "mh", "mesh": "mh", "mesh terms": "mh",
    "majr": "majr", "mesh major topic": "majr",
    "pt": "pt", "publication type": "pt",
    "ot": "kw", "other term": "kw", "kw": "kw", "keyword": "kw", "keywords": "kw",
    "all": "all", "all fields": "all",
    "pmid": "pmid", "uid": "pmid", "sb": "sb", "subset": "sb",
    "edat": "edat", "entrez date": "edat", "entrez": "edat", "crdt": "edat",
    "create date": "edat",
    "dp": "pdat", "pdat": "pdat", "publication date": "pdat",
    "mdat": "mdat", "modification date": "mdat", "lr": "mdat",
}  # fmt: skip
FIELD_LABELS = {
    "tiab": "Title/Abstract", "ti": "Title", "ab": "Abstract", "mh": "MeSH Terms",
    "majr": "MeSH Major Topic", "pt": "Publication Type", "kw": "Other Term",
    "all": "All Fields", "pmid": "UID", "sb": "Filter", "edat": "EDAT", "pdat": "PDAT", "mdat": "MDAT",
}  # fmt: skip
DATE_FIELDS = {"edat": "edat", "pdat": "pdat", "mdat": "mdat"}


@dataclass(frozen=True)
class Term:
    """One search term: `text` as written (quotes removed) in a canonical field."""

    text: str
    field: str = "all"
    quoted: bool = False
    position: int = 0

    def translation(self) -> str:
        shown = f'"{self.text}"' if self.quoted or " " in self.text else self.text
        return f"{shown}[{FIELD_LABELS[self.field]}]"


@dataclass(frozen=True)
class BoolOp:
    """`left op right`, op one of AND, OR, NOT (NOT meaning AND NOT)."""

    op: str
    left: Node
    right: Node

    def translation(self) -> str:
        parts: list[str] = []
        node: Node = self
        while isinstance(node, BoolOp) and node.op == self.op:
            parts.append(node.right.translation())
            node = node.left
        parts.append(node.translation())
        return "(" + f" {self.op} ".join(reversed(parts)) + ")"


Node = Term | BoolOp

_QUERY_TOKEN = re.compile(r'(\s+)|(\()|(\))|("[^"]*"?)|(\[[^\]]*\]?)|([^\s()"\[\]]+)|(.)')
_OPERATORS = {"AND", "OR", "NOT"}


def _lex(query: str) -> list[tuple[str, str, int]]:
    tokens: list[tuple[str, str, int]] = []
    for match in _QUERY_TOKEN.finditer(query):
        _space, lparen, rparen, quoted, tag, word, other = match.groups()
        pos = match.start()
        if lparen:
            tokens.append(("(", lparen, pos))
        elif rparen:
            tokens.append((")", rparen, pos))
        elif quoted is not None:
            if len(quoted) < 2 or not quoted.endswith('"'):
                raise QuerySyntaxError("unterminated quoted phrase", pos)
            tokens.append(("phrase", quoted[1:-1], pos))
        elif tag is not None:
            if not tag.endswith("]"):
                raise QuerySyntaxError("unterminated field tag", pos)
            tokens.append(("tag", tag[1:-1], pos))
        elif word is not None:
            kind = "op" if word.upper() in _OPERATORS else "word"
            tokens.append((kind, word.upper() if kind == "op" else word, pos))
        elif other is not None:
            raise QuerySyntaxError(f"unexpected {other!r}", pos)
    return tokens


def canonical_field(tag: str) -> str:
    """Canonical field of a tag; an unknown tag searches All Fields, as PubMed does."""
    key = " ".join(tag.lower().split())
    return FIELD_TAGS.get(key) or FIELD_TAGS.get(key.split(":")[0].strip(), "all")


class _Parser:
    """Recursive descent over the lexed query:

        query   := operand (operator? operand)*      left to right, no precedence
        operand := "(" query ")" | phrase tag? | word+ tag?

    A missing operator is AND. Several unquoted words with a tag are one phrase; without a
    tag each word is its own All Fields term, ANDed.
    """

    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.at = 0

    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _next(self) -> tuple[str, str, int]:
        token = self._peek()
        if token is None:
            raise QuerySyntaxError("query ends where a term was expected", len(self.query))
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise QuerySyntaxError("empty query", 0)
        node = self._query()
        token = self._peek()
        if token is not None:
            raise QuerySyntaxError("unbalanced ')'", token[2])
        return node

    def _query(self) -> Node:
        node = self._operand()
        while (token := self._peek()) is not None and token[0] != ")":
            op = "AND"
            if token[0] == "op":
                op = self._next()[1]
            node = BoolOp(op, node, self._operand())
        return node

    def _tag(self) -> str | None:
        token = self._peek()
        if token is not None and token[0] == "tag":
            self.at += 1
            return canonical_field(token[1])
        return None

    def _operand(self) -> Node:
        kind, value, pos = self._next()
        if kind == "(":
            node = self._query()
            closing = self._peek()
            if closing is None or closing[0] != ")":
                raise QuerySyntaxError("missing ')' for '('", pos)
            self.at += 1
            after = self._peek()
            if after is not None and after[0] == "tag":
                raise QuerySyntaxError("a field tag must follow a term, not ')'", after[2])
            return node
        if kind == "phrase":
            return Term(value, self._tag() or "all", quoted=True, position=pos)
        if kind == "word":
            words = [value]
            while (token := self._peek()) is not None and token[0] == "word":
                words.append(self._next()[1])
            field = self._tag()
            if field is not None:
                return Term(" ".join(words), field, position=pos)
            node: Node = Term(words[0], position=pos)
            for word in words[1:]:
                node = BoolOp("AND", node, Term(word, position=pos))
            return node
        if kind == "op":
            raise QuerySyntaxError(f"operator {value} where a term was expected", pos)
        if kind == ")":
            raise QuerySyntaxError("unbalanced ')'", pos)
        raise QuerySyntaxError("field tag without a term", pos)


def parse_query(query: str) -> Node:
    """Parse a PubMed search term (the subset documented in _Parser). Raises
    QuerySyntaxError with the position of the problem."""
    return _Parser(query).parse()
