"""Features from one Doc per record equal those from a title Doc and an abstract Doc.

`parse_many` tokenizes title and abstract as one Doc joined by a newline (half the work) and
matches cues in each part separately. The reference below is the two-Doc computation it
replaced; each case is a join where a token, a phrase, a context window or a number-unit pair
could leak from one part into the other, or where joining would change the whitespace tokens.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import spacy
from spacy.attrs import IS_ALPHA, LIKE_NUM, LOWER

from evidencebot.screen.cues import CUE_LABELS, cue_pipeline, match_doc, tokenizer
from evidencebot.screen.features import (
    _CUE_INDEX,
    MAX_ABSTRACT_CHARS,
    MAX_TITLE_CHARS,
    ScreenFeaturizer,
    ScreenInput,
    _word_hashes,
    parse_many,
)

CASES = [
    ("Second-line FOLFOX in biliary tract cancer", "Patients progressed on first-line GemCis. OS 6 months."),
    ("Results of first-line", "treatment failure was rare in BTC."),  # failure after the title
    ("Survival after progression", "First-line gemcitabine-cisplatin was given."),  # context before
    ("Advanced biliary", "tract cancer treated with nal-IRI."),  # a phrase across the join
    ("Median survival was 6", "months with FOLFOX."),  # a number-unit pair across the join
    ("Title ending in a space ", "Abstract after it."),
    ("Title", "\nAbstract after a newline."),
    ("Title with\nnewline inside", "  Abstract with two leading spaces."),
    ("", "Only an abstract: pretreated cholangiocarcinoma, ORR 10%."),
    ("Only a title: salvage chemotherapy in BTC", ""),
    ("", ""),
    ("Smile :", ") and 8"),  # special cases ':)' and '8)' must not form across the join
    ("e.g. vs. i.e.", "(e.g. 8) vs. (95% CI 0.5–0.8) :) n't"),
    ("Ends with a tab\t", "x"),
    ("Non-breaking\xa0", "\xa0space"),
]


def reference(x: ScreenInput) -> tuple[np.ndarray, np.ndarray, bool, bool, bool]:
    """The two-Doc computation: (dense text features, tokens, has_abstract, english, empty)."""
    nlp = tokenizer()
    title, abstract = nlp(x.title[:MAX_TITLE_CHARS]), nlp(x.abstract[:MAX_ABSTRACT_CHARS])
    n = len(CUE_LABELS)
    counts, in_title = np.zeros(n), np.zeros(n)
    for label, _, _ in match_doc(title):
        in_title[_CUE_INDEX[label]] = 1.0
        counts[_CUE_INDEX[label]] += 1
    for label, _, _ in match_doc(abstract):
        counts[_CUE_INDEX[label]] += 1
    arrays = [d.to_array([LOWER, IS_ALPHA, LIKE_NUM]) for d in (title, abstract) if len(d)]
    arr = np.concatenate(arrays) if arrays else np.zeros((0, 3), dtype=np.uint64)
    alpha = arr[:, 1] == 1
    tokens = arr[alpha, 0]
    english_words, units, will_hash = _word_hashes("evidencebot.screen_cues.v1")
    share = float(np.isin(tokens, english_words).mean()) if len(tokens) else 1.0
    english = len(tokens) < 20 or share >= 0.08
    num = arr[:, 2] == 1
    number_time = int(np.sum(num[:-1] & np.isin(arr[1:, 0], units))) if len(arr) > 1 else 0
    will = int(np.sum(arr[:, 0] == will_hash))
    n_abs = len(abstract)

    def has(label: str) -> bool:
        return counts[_CUE_INDEX[label]] > 0

    derived = [
        has("disease_btc") and not has("disease_other"),
        has("disease_other") and not has("disease_btc"),
        not has("disease_btc"),
        has("line_later") and not has("line_first"),
        has("line_first") and not has("line_later"),
        not (has("line_later") or has("line_first") or has("line_perioperative")),
        not (has("outcome_survival") or has("outcome_response")),
        not has("agent_systemic"),
        has("agent_local") and not has("agent_systemic"),
    ]
    text = [
        float(n_abs == 0),
        float(0 < n_abs < 80),
        math.log1p(n_abs) / 6.0,
        float(not english),
        math.log1p(number_time) / 2.0,
        math.log1p(will) / 2.0,
    ]
    dense = np.concatenate([np.log1p(counts) / 2.0, in_title, np.array(derived, float), text])
    return dense, tokens, n_abs > 0, english, len(title) == 0 and n_abs == 0


@pytest.mark.parametrize("title, abstract", CASES)
def test_one_doc_per_record_gives_the_two_doc_features(title: str, abstract: str) -> None:
    x = ScreenInput(title, abstract)
    (got,) = parse_many([x])
    dense, tokens, has_abstract, english, empty = reference(x)
    names = [f"cue:{g}" for g in CUE_LABELS] + [f"title:{g}" for g in CUE_LABELS]
    assert dict(zip(names, got.cues.tolist(), strict=False)) == dict(zip(names, dense.tolist(), strict=False))
    np.testing.assert_array_equal(got.cues, dense)
    np.testing.assert_array_equal(got.tokens, tokens)
    assert (got.has_abstract, got.english, got.empty) == (has_abstract, english, empty)


def test_a_batch_gives_what_each_record_gives_alone() -> None:
    records = [ScreenInput(t, a) for t, a in CASES]
    batch = parse_many(records)
    for x, p in zip(records, batch, strict=True):
        (alone,) = parse_many([x])
        np.testing.assert_array_equal(p.cues, alone.cues)
        np.testing.assert_array_equal(p.tokens, alone.tokens)


def test_batch_transform_equals_row_by_row() -> None:
    records = [ScreenInput(t, a, ("Journal Article",) if i % 2 else (), ()) for i, (t, a) in enumerate(CASES)]
    featurizer = ScreenFeaturizer(min_df=1).fit(records)
    together = featurizer.transform(records)
    for i, x in enumerate(records):
        row = featurizer.transform([x])
        assert (row != together[i]).nnz == 0
    assert featurizer.transform([]).shape == (0, featurizer.n_features_out_)


def test_cached_chunks_tokenize_as_a_fresh_tokenizer_does() -> None:
    texts = [t + "\n" + a for t, a in CASES] + [a for _, a in CASES]
    fresh = spacy.blank("en").tokenizer
    for doc in cue_pipeline("evidencebot.screen_cues.v1").tokenize(texts * 2):
        ref = fresh(doc.text)
        assert [(t.text, t.whitespace_) for t in doc] == [(t.text, t.whitespace_) for t in ref]
