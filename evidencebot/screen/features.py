"""Screening features: domain cues, word n-grams and bibliographic metadata.

`ScreenFeaturizer` is a scikit-learn transformer. Its input is a sequence of `ScreenInput`
(title, abstract, publication types, MeSH terms) or of already `Parsed` records; its output
is one sparse row per record made of three blocks:

* ``cue:*`` / ``title:*`` / ``text:*`` — counts of the versioned domain cues (see `cues.py`)
  in title and abstract, a few combinations of them (BTC without another disease, later
  line without first line, ...) and text properties (no abstract, not English);
* ``word:*`` — sublinear TF-IDF of lower-cased alphabetic unigrams and bigrams seen in at
  least `min_df` training records (numbers and punctuation are dropped, so invented
  numbers cannot be learned);
* ``meta:*`` / ``pt:*`` / ``mesh:*`` — publication-type and MeSH groups mapped by hand
  (stable across indexers) plus the publication types and MeSH descriptors seen in training.

The tokenizer is spaCy's blank English tokenizer; n-grams are built from its LOWER hashes with
numpy, so the whole transform runs at thousands of abstracts per second on one core.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from spacy.attrs import IDX, IS_ALPHA, LIKE_NUM, LOWER
from spacy.tokens import Doc

from evidencebot.screen.cues import CUE_LABELS, DEFAULT_RULES, cue_pipeline, match_doc, match_parts, tokenizer

FEATURE_VERSION = "screen-features.v1"
MAX_TITLE_CHARS = 2_000
MAX_ABSTRACT_CHARS = 20_000
_BIGRAM_PRIME = np.uint64(1_000_003)

ENGLISH_FUNCTION_WORDS = frozenset(
    """the of and in with was were to a an for or by on at from as is are be been this that
    these those we our than not no after between among which who had has have patients""".split()
)

# Publication types (NLM's controlled list) and MeSH descriptors grouped by what they say
# about relevance. Matching is on the descriptor, case-insensitive, qualifiers ignored.
PT_GROUPS: Mapping[str, frozenset[str]] = {
    "pt_rct": frozenset(
        {
            "randomized controlled trial",
            "clinical trial, phase iii",
            "controlled clinical trial",
            "equivalence trial",
            "pragmatic clinical trial",
        }
    ),
    "pt_trial": frozenset(
        {
            "clinical trial",
            "clinical trial, phase ii",
            "clinical trial, phase i",
            "multicenter study",
            "clinical study",
            "adaptive clinical trial",
        }
    ),
    "pt_phase1": frozenset({"clinical trial, phase i"}),
    "pt_observational": frozenset(
        {"observational study", "comparative study", "evaluation study", "validation study"}
    ),
    "pt_secondary": frozenset(
        {
            "review",
            "systematic review",
            "meta-analysis",
            "scoping review",
            "practice guideline",
            "guideline",
            "consensus development conference",
            "network meta-analysis",
            "historical article",
        }
    ),
    "pt_comment": frozenset(
        {
            "comment",
            "editorial",
            "letter",
            "news",
            "interview",
            "lecture",
            "published erratum",
            "expression of concern",
            "retraction of publication",
            "retracted publication",
            "congress",
            "biography",
        }
    ),
    "pt_case": frozenset({"case reports"}),
    "pt_protocol": frozenset({"clinical trial protocol"}),
}
MESH_GROUPS: Mapping[str, frozenset[str]] = {
    "mesh_btc": frozenset(
        {
            "biliary tract neoplasms",
            "cholangiocarcinoma",
            "bile duct neoplasms",
            "gallbladder neoplasms",
            "klatskin tumor",
            "common bile duct neoplasms",
            "ampulla of vater",
            "bile ducts, intrahepatic",
            "bile ducts, extrahepatic",
            "bile duct neoplasms, intrahepatic",
        }
    ),
    "mesh_other_disease": frozenset(
        {
            "pancreatic neoplasms",
            "carcinoma, pancreatic ductal",
            "stomach neoplasms",
            "colorectal neoplasms",
            "colonic neoplasms",
            "rectal neoplasms",
            "carcinoma, hepatocellular",
            "lung neoplasms",
            "carcinoma, non-small-cell lung",
            "breast neoplasms",
            "esophageal neoplasms",
            "melanoma",
            "ovarian neoplasms",
            "prostatic neoplasms",
        }
    ),
    "mesh_preclinical": frozenset(
        {
            "animals",
            "mice",
            "mice, nude",
            "rats",
            "cell line, tumor",
            "xenograft model antitumor assays",
            "cell proliferation",
            "apoptosis",
            "mice, inbred balb c",
            "disease models, animal",
            "organoids",
            "cell survival",
            "cell movement",
        }
    ),
    "mesh_local": frozenset(
        {
            "radiotherapy",
            "radiosurgery",
            "stents",
            "drainage",
            "hepatectomy",
            "chemoembolization, therapeutic",
            "embolization, therapeutic",
            "liver transplantation",
            "brachytherapy",
            "photochemotherapy",
            "radiofrequency ablation",
            "infusions, intra-arterial",
            "cholangiopancreatography, endoscopic retrograde",
            "yttrium radioisotopes",
            "chemoradiotherapy",
            "proton therapy",
        }
    ),
    "mesh_systemic": frozenset(
        {
            "antineoplastic combined chemotherapy protocols",
            "antineoplastic agents",
            "immune checkpoint inhibitors",
            "protein kinase inhibitors",
            "antineoplastic agents, immunological",
            "antibodies, monoclonal, humanized",
            "antibodies, monoclonal",
        }
    ),
    "mesh_secondary": frozenset(
        {
            "meta-analysis as topic",
            "randomized controlled trials as topic",
            "clinical trials as topic",
            "review literature as topic",
        }
    ),
    "mesh_survival": frozenset(
        {
            "progression-free survival",
            "survival analysis",
            "survival rate",
            "disease-free survival",
            "kaplan-meier estimate",
            "treatment outcome",
            "proportional hazards models",
        }
    ),
    "mesh_retrospective": frozenset({"retrospective studies", "cohort studies"}),
    "mesh_prospective": frozenset({"prospective studies"}),
}


@dataclass(frozen=True)
class ScreenInput:
    """What the screener reads of a record."""

    title: str = ""
    abstract: str = ""
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()

    @property
    def has_metadata(self) -> bool:
        return bool(self.publication_types or self.mesh_terms)

    def without_metadata(self) -> ScreenInput:
        return ScreenInput(self.title, self.abstract, (), ())


def as_input(obj: Any) -> ScreenInput:
    """A ScreenInput from a ScreenInput, a mapping, an object with those attributes or a tuple.

    Missing or None fields become empty; non-string values are converted; JSON lists of
    publication types or MeSH terms (as stored in the records table) are accepted.
    """
    if isinstance(obj, ScreenInput):
        return obj
    if isinstance(obj, Mapping):
        get = obj.get
    elif isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        padded = tuple(obj) + ((),) * max(0, 4 - len(obj))
        return make_input(*padded[:4])
    else:

        def get(name: str, default: Any = None) -> Any:
            return getattr(obj, name, default)

    return make_input(get("title"), get("abstract"), get("publication_types"), get("mesh_terms"))


def make_input(title: Any, abstract: Any, publication_types: Any, mesh_terms: Any) -> ScreenInput:
    return ScreenInput(_text(title), _text(abstract), _terms(publication_types), _terms(mesh_terms))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    # Lone surrogates (from broken decoders) cannot be tokenized: replace them.
    return str(value).encode("utf-8", errors="replace").decode("utf-8")


def _terms(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        import json

        try:
            parsed = json.loads(value)
        except ValueError:
            parsed = [value]
        value = parsed if isinstance(parsed, list) else [value]
    if isinstance(value, Mapping):
        value = list(value.values())
    return tuple(str(v).strip() for v in value if v is not None and str(v).strip())


@dataclass
class Parsed:
    """The tokenized, cue-matched form of one record (text part); metadata kept as given."""

    cues: np.ndarray  # dense text-cue features, DENSE_TEXT_NAMES order
    tokens: np.ndarray  # uint64 LOWER hashes of alphabetic tokens, title then abstract
    publication_types: tuple[str, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    has_abstract: bool = True
    english: bool = True
    empty: bool = False
    rules: str = DEFAULT_RULES  # the cue rule set (and tokenizer vocab) it was parsed with

    @property
    def has_metadata(self) -> bool:
        return bool(self.publication_types or self.mesh_terms)

    def without_metadata(self) -> Parsed:
        return Parsed(self.cues, self.tokens, (), (), self.has_abstract, self.english, self.empty, self.rules)


_DERIVED = (
    "btc_without_other",
    "other_without_btc",
    "no_btc",
    "later_without_first",
    "first_without_later",
    "no_line_cue",
    "no_outcome",
    "no_systemic",
    "local_without_systemic",
)
_TEXT = ("no_abstract", "short_abstract", "log_length", "non_english", "number_time", "will")
DENSE_TEXT_NAMES: tuple[str, ...] = (
    *(f"cue:{g}" for g in CUE_LABELS),
    *(f"title:{g}" for g in CUE_LABELS),
    *(f"cue:{d}" for d in _DERIVED),
    *(f"text:{t}" for t in _TEXT),
)
DENSE_META_NAMES: tuple[str, ...] = (
    "meta:none",
    "meta:no_publication_types",
    "meta:no_mesh",
    *(f"meta:{g}" for g in PT_GROUPS),
    *(f"meta:{g}" for g in MESH_GROUPS),
)
_CUE_INDEX = {g: i for i, g in enumerate(CUE_LABELS)}


def parse_many(items: Iterable[Any], rules: str = DEFAULT_RULES) -> list[Parsed]:
    """Tokenize and match cues for many records at once; already `Parsed` ones pass through."""
    inputs = [x if isinstance(x, Parsed) else as_input(x) for x in items]
    todo = [x for x in inputs if not isinstance(x, Parsed)]
    other = {x.rules for x in inputs if isinstance(x, Parsed)} - {rules}
    if other:
        raise ValueError(f"records parsed with cue rules {sorted(other)} cannot be featurized with {rules!r}")
    parsed_new = iter(_parse_batch(todo, rules) if todo else [])
    return [x if isinstance(x, Parsed) else next(parsed_new) for x in inputs]


_TIME_UNITS = ("months", "month", "mo", "weeks", "week", "days", "years", "year")
# Title and abstract are tokenized as one Doc, joined by a newline: a whitespace token of its
# own, so no token, special case or cue can span the two, and every other token is the one the
# title or abstract gives on its own. Cues are matched in each part separately (`match_parts`).
_JOIN = "\n"
_ATTRS = [LOWER, IS_ALPHA, LIKE_NUM]


@lru_cache(maxsize=4)
def _word_hashes(rules: str) -> tuple[np.ndarray, np.ndarray, int]:
    """LOWER hashes of English function words, time units and 'will'."""
    strings = tokenizer(rules).vocab.strings
    english = np.array(sorted(strings.add(w) for w in ENGLISH_FUNCTION_WORDS), dtype=np.uint64)
    units = np.array(sorted(strings.add(u) for u in _TIME_UNITS), dtype=np.uint64)
    return english, units, strings.add("will")


def _split_docs(todo: Sequence[ScreenInput], rules: str) -> list[tuple[Doc, int, Doc | None]]:
    """(doc, title tokens, None) when one Doc holds title, joining newline and abstract, or
    (title doc, -1, abstract doc). A title ending or an abstract starting with whitespace would
    tokenize differently when joined, so such a record (or one with either part empty) gets two."""
    pipe = cue_pipeline(rules)
    texts: list[str] = []
    plan: list[tuple[int, int]] = []  # (index of the first text, title chars or -1)
    for x in todo:
        t, a = x.title[:MAX_TITLE_CHARS], x.abstract[:MAX_ABSTRACT_CHARS]
        if t and a and not t[-1].isspace() and not a[0].isspace():
            plan.append((len(texts), len(t)))
            texts.append(t + _JOIN + a)
        else:
            plan.append((len(texts), -1))
            texts += [t, a]
    docs = pipe.tokenize(texts)
    out: list[tuple[Doc, int, Doc | None]] = []
    for i, chars in plan:
        if chars < 0:
            out.append((docs[i], -1, docs[i + 1]))
            continue
        doc = docs[i]
        n_title = int(np.searchsorted(doc.to_array(IDX), chars))
        if n_title < len(doc) and doc[n_title].text == _JOIN:
            out.append((doc, n_title, None))
        else:  # cannot happen with spaCy's English tokenizer; two Docs are right whatever it does
            title, abstract = pipe.tokenize([doc.text[:chars], doc.text[chars + 1 :]])
            out.append((title, -1, abstract))
    return out


def _parse_batch(todo: Sequence[ScreenInput], rules: str) -> list[Parsed]:
    """Cue counts, text properties and word tokens of many records, vectorised over the batch.

    Equal, value for value, to matching and counting title and abstract as two Docs."""
    n, n_labels = len(todo), len(CUE_LABELS)
    counts = np.zeros((n, n_labels))
    in_title = np.zeros((n, n_labels))
    arrays: list[np.ndarray] = []
    n_title_tokens = np.zeros(n, dtype=np.int64)
    n_abs = np.zeros(n, dtype=np.int64)
    for row, (first, n_title, second) in enumerate(_split_docs(todo, rules)):
        if second is None:  # one Doc: title, newline, abstract
            arr = first.to_array(_ATTRS)
            parts = ((0, n_title), (n_title + 1, len(first)))
            title_cues, abstract_cues = match_parts(first, parts, rules, arr[:, 0].tolist())
            arrays += [arr[:n_title], arr[n_title + 1 :]]
            n_abs[row] = len(first) - n_title - 1
        else:
            n_title = len(first)
            title_cues = match_doc(first, rules)
            abstract_cues = match_doc(second, rules)
            arrays += [d.to_array(_ATTRS).reshape(-1, len(_ATTRS)) for d in (first, second)]
            n_abs[row] = len(second)
        n_title_tokens[row] = n_title
        for label, _, _ in title_cues:
            j = _CUE_INDEX[label]
            in_title[row, j] = 1.0
            counts[row, j] += 1
        for label, _, _ in abstract_cues:
            counts[row, _CUE_INDEX[label]] += 1
    # The token arrays of the whole batch, one record after the other; `rec` is each token's record.
    arr = np.concatenate(arrays) if arrays else np.zeros((0, len(_ATTRS)), dtype=np.uint64)
    rec = np.repeat(np.arange(n), n_title_tokens + n_abs)
    english_words, units, will_hash = _word_hashes(rules)
    alpha = arr[:, 1] == 1
    tokens = arr[alpha, 0]
    tok_rec = rec[alpha]
    n_alpha = np.bincount(tok_rec, minlength=n)
    n_english = np.bincount(tok_rec, weights=np.isin(tokens, english_words), minlength=n)
    num = arr[:, 2] == 1
    same = rec[:-1] == rec[1:]
    time_pairs = num[:-1] & np.isin(arr[1:, 0], units) & same
    number_time = np.bincount(rec[:-1][time_pairs], minlength=n)
    will = np.bincount(rec[arr[:, 0] == will_hash], minlength=n)
    bounds = np.concatenate([[0], np.cumsum(n_alpha)])

    has = counts > 0

    def col(label: str) -> np.ndarray:
        return has[:, _CUE_INDEX[label]]

    btc, other = col("disease_btc"), col("disease_other")
    later, first_line = col("line_later"), col("line_first")
    systemic, local = col("agent_systemic"), col("agent_local")
    derived = np.column_stack(
        [
            btc & ~other,
            other & ~btc,
            ~btc,
            later & ~first_line,
            first_line & ~later,
            ~(later | first_line | col("line_perioperative")),
            ~(col("outcome_survival") | col("outcome_response")),
            ~systemic,
            local & ~systemic,
        ]
    ).astype(float)
    english = [
        k < 20 or float(e / k) >= 0.08 for k, e in zip(n_alpha.tolist(), n_english.tolist(), strict=True)
    ]
    text = np.array(
        [
            [
                float(k == 0),
                float(0 < k < 80),
                math.log1p(k) / 6.0,
                float(not eng),
                math.log1p(t) / 2.0,
                math.log1p(w) / 2.0,
            ]
            for k, eng, t, w in zip(n_abs.tolist(), english, number_time.tolist(), will.tolist(), strict=True)
        ]
    ).reshape(n, len(_TEXT))
    dense = np.hstack([np.log1p(counts) / 2.0, in_title, derived, text])
    starts, abs_len, title_len = bounds.tolist(), n_abs.tolist(), n_title_tokens.tolist()
    return [
        Parsed(
            row,
            tokens[a:b],
            x.publication_types,
            x.mesh_terms,
            k_abs > 0,
            eng,
            k_abs == k_title == 0,
            rules=rules,
        )
        for x, row, a, b, k_abs, k_title, eng in zip(
            todo, dense, starts[:-1], starts[1:], abs_len, title_len, english, strict=True
        )
    ]


def ngram_keys(tokens: np.ndarray, ngram_max: int) -> np.ndarray:
    """Unigram keys are the LOWER hashes; bigram keys combine two (wrapping uint64 arithmetic)."""
    if ngram_max < 2 or len(tokens) < 2:
        return tokens
    bigrams = (tokens[:-1] * _BIGRAM_PRIME) ^ tokens[1:]
    return np.concatenate([tokens, bigrams])


def _descriptor(term: str) -> str:
    return term.split("/")[0].strip().lstrip("*").lower()


def _meta_tokens(pts: Sequence[str], mesh: Sequence[str]) -> list[str]:
    out = [f"pt:{p.strip().lower()}" for p in pts]
    out += [f"mesh:{_descriptor(m)}" for m in mesh]
    return sorted(set(out))


def meta_dense(pts: Sequence[str], mesh: Sequence[str]) -> np.ndarray:
    pt_set = {p.strip().lower() for p in pts}
    mesh_set = {_descriptor(m) for m in mesh}
    values = [float(not pt_set and not mesh_set), float(not pt_set), float(not mesh_set)]
    values += [float(bool(pt_set & g)) for g in PT_GROUPS.values()]
    values += [float(bool(mesh_set & g)) for g in MESH_GROUPS.values()]
    return np.array(values)


class ScreenFeaturizer(TransformerMixin, BaseEstimator):
    """Records → sparse features (cues, TF-IDF word n-grams, metadata). See module docstring.

    Parameters are stored as given; learned state ends in an underscore.
    """

    def __init__(
        self,
        rules: str = DEFAULT_RULES,
        ngram_max: int = 2,
        min_df: int = 2,
        max_df: float = 0.95,
        cue_weight: float = 1.0,
        text_weight: float = 1.0,
        meta_weight: float = 1.0,
    ) -> None:
        self.rules = rules
        self.ngram_max = ngram_max
        self.min_df = min_df
        self.max_df = max_df
        self.cue_weight = cue_weight
        self.text_weight = text_weight
        self.meta_weight = meta_weight

    def fit(self, X: Sequence[Any], y: Any = None) -> ScreenFeaturizer:
        parsed = parse_many(X, self.rules)
        # The tokenizer's string store knows every word it has seen: hash → word.
        strings = tokenizer(self.rules).vocab.strings
        n = len(parsed)
        df: Counter[int] = Counter()
        names: dict[int, str] = {}
        meta_df: Counter[str] = Counter()
        for p in parsed:
            keys = ngram_keys(p.tokens, self.ngram_max)
            df.update(np.unique(keys).tolist())
            meta_df.update(_meta_tokens(p.publication_types, p.mesh_terms))
            toks = p.tokens
            for h in toks.tolist():
                if h not in names:
                    names[h] = strings[h]
            if self.ngram_max >= 2 and len(toks) > 1:
                bigrams = ngram_keys(toks, 2)[len(toks) :]
                for k, a, b in zip(bigrams.tolist(), toks[:-1].tolist(), toks[1:].tolist(), strict=True):
                    if k not in names:
                        names[k] = f"{strings[a]} {strings[b]}"
        max_count = self.max_df * n
        kept = sorted((names[k], c) for k, c in df.items() if self.min_df <= c <= max_count and names.get(k))
        self.vocabulary_ = [w for w, _ in kept]
        self.idf_ = np.array([math.log((1 + n) / (1 + c)) + 1.0 for _, c in kept])
        self.meta_vocabulary_ = sorted(t for t, c in meta_df.items() if c >= self.min_df)
        self.n_features_out_ = (
            len(DENSE_TEXT_NAMES) + len(DENSE_META_NAMES) + len(self.meta_vocabulary_) + len(self.vocabulary_)
        )
        self._lookup = None
        return self

    # Lookup tables are rebuilt from the stored strings (not persisted), so a model file holds
    # words, not tokenizer-specific hashes.
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_lookup", None)
        return state

    def _tables(self) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        lookup = getattr(self, "_lookup", None)
        if lookup is None:
            strings = tokenizer(self.rules).vocab.strings
            first = np.zeros(len(self.vocabulary_), dtype=np.uint64)
            second = np.zeros(len(self.vocabulary_), dtype=np.uint64)
            is_bigram = np.zeros(len(self.vocabulary_), dtype=bool)
            for i, gram in enumerate(self.vocabulary_):
                parts = gram.split(" ")
                first[i] = strings.add(parts[0])
                if len(parts) > 1:
                    second[i] = strings.add(parts[1])
                    is_bigram[i] = True
            keys = np.where(is_bigram, (first * _BIGRAM_PRIME) ^ second, first)
            order = np.argsort(keys, kind="stable")
            meta_index = {t: i for i, t in enumerate(self.meta_vocabulary_)}
            lookup = (keys[order], order, meta_index)
            self._lookup = lookup
        return lookup

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(
            [
                *DENSE_TEXT_NAMES,
                *DENSE_META_NAMES,
                *self.meta_vocabulary_,
                *(f"word:{w}" for w in self.vocabulary_),
            ],
            dtype=object,
        )

    def transform(self, X: Sequence[Any]) -> sp.csr_matrix:
        """One sparse row per record; the blocks are built for the whole batch at once."""
        parsed = parse_many(X, self.rules)
        n = len(parsed)
        sorted_keys, order, meta_index = self._tables()
        n_meta = len(self.meta_vocabulary_)
        if n == 0:
            return sp.csr_matrix((0, self.n_features_out_))
        dense = np.hstack(
            [
                np.vstack([p.cues for p in parsed]) * self.cue_weight,
                np.vstack([meta_dense(p.publication_types, p.mesh_terms) for p in parsed]) * self.meta_weight,
            ]
        )
        meta_rows = [
            sorted(meta_index[t] for t in _meta_tokens(p.publication_types, p.mesh_terms) if t in meta_index)
            for p in parsed
        ]
        meta_cols = np.array([c for row in meta_rows for c in row], dtype=np.int64)
        meta = sp.csr_matrix(
            (
                np.full(len(meta_cols), float(self.meta_weight)),
                meta_cols,
                np.concatenate([[0], np.cumsum([len(row) for row in meta_rows])]),
            ),
            shape=(n, n_meta),
        )
        blocks = [sp.csr_matrix(dense), meta, self._word_block(parsed, sorted_keys, order)]
        return sp.hstack(blocks, format="csr")

    def _word_block(self, parsed: list[Parsed], sorted_keys: np.ndarray, order: np.ndarray) -> sp.csr_matrix:
        """Sublinear TF-IDF of the vocabulary's n-grams, each row scaled to norm `text_weight`."""
        n, n_vocab = len(parsed), len(self.vocabulary_)
        lengths = np.array([len(p.tokens) for p in parsed], dtype=np.int64)
        tokens = np.concatenate([p.tokens for p in parsed]).astype(np.uint64, copy=False)
        rows = np.repeat(np.arange(n), lengths)
        keys, key_rows = tokens, rows
        if self.ngram_max >= 2 and len(tokens) > 1:
            same = rows[:-1] == rows[1:]  # bigrams inside one record only
            bigrams = ((tokens[:-1] * _BIGRAM_PRIME) ^ tokens[1:])[same]
            keys = np.concatenate([tokens, bigrams])
            key_rows = np.concatenate([rows, rows[:-1][same]])
        if not len(keys) or not n_vocab:
            return sp.csr_matrix((n, n_vocab))
        pos = np.searchsorted(sorted_keys, keys)
        pos[pos >= len(sorted_keys)] = 0
        hit = sorted_keys[pos] == keys
        cells, counts = np.unique(key_rows[hit] * n_vocab + order[pos[hit]], return_counts=True)
        cell_rows, cols = np.divmod(cells, n_vocab)
        weights = (1.0 + np.log(counts)) * self.idf_[cols]
        indptr = np.searchsorted(cell_rows, np.arange(n + 1))
        scale = np.zeros(n)
        for i, (a, b) in enumerate(zip(indptr[:-1].tolist(), indptr[1:].tolist(), strict=True)):
            if b > a:
                w = weights[a:b]
                scale[i] = self.text_weight / np.sqrt(w.dot(w))  # = text_weight / np.linalg.norm(w)
        weights *= scale[cell_rows]
        return sp.csr_matrix((weights, cols, indptr), shape=(n, n_vocab))
