"""The extraction scorer: when a predicted outcome counts as the gold one."""

import pytest

from evidencebot.extract.score import Counts, arm_match, regimen_key, tuple_match
from evidencebot.protocol import load_protocol


@pytest.fixture(scope="module")
def protocol():
    return load_protocol("evidencebot.toml")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("capecitabine + oxaliplatin", "XELOX"),
        ("CAPOX", "XELOX"),
        ("oxaliplatin + 5-FU/LV", "FOLFOX"),
        ("irinotecan + fluorouracil + leucovorin", "FOLFIRI"),
        ("fluoropyrimidine-based", "fluoropyrimidine"),
        ("Gemcitabine-based", "gemcitabine"),
        ("GemCis", "gemcitabine + cisplatin"),
        ("mFOLFIRINOX", "FOLFIRINOX"),
    ],
)
def test_spellings_of_one_regimen_share_a_key(protocol, a, b):
    assert regimen_key(protocol, a) == regimen_key(protocol, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("FOLFOX", "FOLFIRI"),
        ("capecitabine", "XELOX"),  # one agent of a doublet is not the doublet
        ("oxaliplatin + fluoropyrimidine", "XELOX"),  # a class is not a named agent
        ("nal-IRI + 5-FU/LV", "5-FU/LV"),
        ("gemcitabine", "gemcitabine + cisplatin"),
    ],
)
def test_different_regimens_keep_different_keys(protocol, a, b):
    assert regimen_key(protocol, a) != regimen_key(protocol, b)


def test_arms_match_by_label_regimen_or_whole_population(protocol):
    assert arm_match(protocol, {"arm": "Arm A", "regimen": "x"}, {"arm": "arm a", "regimen": "y"})
    assert arm_match(protocol, {"arm": "GBC", "regimen": "CAPOX"}, {"arm": "", "regimen": "XELOX"})
    assert arm_match(protocol, {"arm": "", "regimen": ""}, {"arm": "overall", "regimen": None})
    assert not arm_match(protocol, {"arm": "Arm A", "regimen": "FOLFOX"}, {"arm": "", "regimen": "FOLFIRI"})


def test_a_tuple_needs_every_field(protocol):
    gold = dict(endpoint="OS", arm="", regimen="FOLFOX", value=6.2, unit="months", ci_low=5.1, ci_high=7.4)
    assert tuple_match(protocol, gold, dict(gold, regimen="oxaliplatin + 5-FU/LV"))
    wrong_fields = [("endpoint", "PFS"), ("value", 6.3), ("unit", "days"), ("ci_low", None), ("ci_high", 8)]
    for field, wrong in wrong_fields:
        assert not tuple_match(protocol, gold, dict(gold, **{field: wrong})), field


def test_counts():
    c = Counts(tp=3, n_pred=4, n_gold=6)
    assert (c.precision, c.recall) == (0.75, 0.5)
    assert c.f1 == pytest.approx(0.6)
    assert Counts().f1 == 1.0  # nothing to find and nothing found
    assert Counts(tp=0, n_pred=2, n_gold=3).f1 == 0.0
