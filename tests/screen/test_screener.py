"""Loading the screener (skops, trusted types, hash and feature-version checks) and deciding."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from evidencebot.errors import ModelError
from evidencebot.screen import ScreenDecision, load_screener
from evidencebot.screen.features import FEATURE_VERSION
from evidencebot.screen.screener import META_FILE, MODEL_FILE, TRUSTED_TYPES, Screener

BTC_TITLE = "Second-line FOLFOX after gemcitabine-cisplatin in advanced cholangiocarcinoma"
BTC_ABSTRACT = (
    "Patients with advanced biliary tract cancer who progressed on first-line gemcitabine and "
    "cisplatin received FOLFOX. Median overall survival was 6.2 months; median progression-free "
    "survival was 4.0 months."
)


def copy_model(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"no screening model at .*screener.skops.*evidencebot train"):
        load_screener(tmp_path / "nowhere")


def test_missing_metadata(tiny_model_dir: Path, tmp_path: Path) -> None:
    d = copy_model(tiny_model_dir, tmp_path / "m")
    (d / META_FILE).unlink()
    with pytest.raises(ModelError, match="metadata .* is missing"):
        load_screener(d)


def test_altered_model_file_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    d = copy_model(tiny_model_dir, tmp_path / "m")
    data = bytearray((d / MODEL_FILE).read_bytes())
    data[-10] ^= 0xFF
    (d / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="SHA-256 .* was altered"):
        load_screener(d)


def test_other_feature_version_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    d = copy_model(tiny_model_dir, tmp_path / "m")
    meta = json.loads((d / META_FILE).read_text())
    meta["feature_version"] = "screen-features.v0"
    (d / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="trained for features 'screen-features.v0'"):
        load_screener(d)


def test_untrusted_types_are_refused(tmp_path: Path) -> None:
    import hashlib
    from fractions import Fraction

    import skops.io as sio

    archive = sio.dumps({"weights": Fraction(1, 3)})
    d = tmp_path / "m"
    d.mkdir()
    (d / MODEL_FILE).write_bytes(archive)
    meta = {"feature_version": FEATURE_VERSION, "model_sha256": hashlib.sha256(archive).hexdigest()}
    (d / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="not trusted"):
        load_screener(d)


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    import hashlib

    d = tmp_path / "m"
    d.mkdir()
    (d / MODEL_FILE).write_bytes(b"not a zip at all")
    meta = {
        "feature_version": FEATURE_VERSION,
        "model_sha256": hashlib.sha256(b"not a zip at all").hexdigest(),
    }
    (d / META_FILE).write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="not a readable skops archive"):
        load_screener(d)


def test_trusted_types_are_explicit_and_cover_the_archive(tiny_model_dir: Path) -> None:
    import skops.io as sio

    found = set(sio.get_untrusted_types(file=tiny_model_dir / MODEL_FILE))
    assert found <= set(TRUSTED_TYPES)
    assert "evidencebot.screen.model.ThreeWayScreener" in TRUSTED_TYPES


def test_decide_returns_a_full_decision(tiny_screener: Screener) -> None:
    d = tiny_screener.decide(BTC_TITLE, BTC_ABSTRACT, ["Journal Article", "Clinical Trial"], [])
    assert isinstance(d, ScreenDecision)
    assert d.decision in {"include", "exclude", "review"}
    assert 0.0 <= d.probability <= 1.0
    assert d.has_metadata is True
    assert d.model_version == tiny_screener.model_version
    assert d.model_version.startswith("screen.v1-")
    assert d.cues and all(isinstance(f, str) and isinstance(w, float) for f, w in d.cues)
    assert d.decision != "exclude" or d.reason is not None


def test_decision_reason_only_when_excluded(tiny_screener: Screener) -> None:
    ds = tiny_screener.decide_many(
        [
            (BTC_TITLE, BTC_ABSTRACT, (), ()),
            (
                "Gemcitabine inhibits cholangiocarcinoma cell lines and xenografts",
                "In vitro, gemcitabine reduced cell viability of cholangiocarcinoma cell lines; "
                "in mice, xenograft growth slowed.",
                (),
                (),
            ),
        ]
    )
    assert ds[0].decision == "include"
    assert ds[1].decision == "exclude" and ds[1].reason == "preclinical"
    assert ds[0].reason is None


def test_publication_type_settles_the_reason(tiny_screener: Screener) -> None:
    d = tiny_screener.decide(
        "Pemigatinib inhibits cholangiocarcinoma cell lines and xenografts",
        "In vitro, pemigatinib reduced cell viability of cholangiocarcinoma cell lines.",
        ["Case Reports"],
        [],
    )
    assert d.decision == "exclude"
    assert d.reason == "case_report"


def test_decide_many_accepts_mappings_objects_and_json(tiny_screener: Screener) -> None:
    class Rec:
        title = BTC_TITLE
        abstract = BTC_ABSTRACT
        publication_types = ("Journal Article",)
        mesh_terms = ("Cholangiocarcinoma",)

    ds = tiny_screener.decide_many(
        [
            {
                "title": BTC_TITLE,
                "abstract": BTC_ABSTRACT,
                "publication_types": '["Journal Article"]',
                "mesh_terms": "[]",
            },
            Rec(),
        ]
    )
    assert [d.has_metadata for d in ds] == [True, True]
    assert tiny_screener.decide_many([]) == []


@pytest.mark.parametrize(
    "title, abstract",
    [
        ("", ""),
        (None, None),
        ("", "   \n  "),
        (
            "Ein Fallbericht",
            "Die Patienten wurden mit einer Chemotherapie behandelt und die "
            "Überlebenszeit war kurz, aber die Verträglichkeit war gut und es gab keine Todesfälle "
            "in der Gruppe der älteren Patienten mit Gallengangskarzinom.",
        ),
        ("Title", "x" * 1_000_000),
        ("Title " * 5000, "word " * 300_000),
        ("\x00\x01\x02", "\ud800 broken surrogate"),
        ("<b>HTML</b>", "<script>alert(1)</script> &amp; &#x3C;"),
    ],
)
def test_garbage_input_gives_a_decision(tiny_screener: Screener, title: object, abstract: object) -> None:
    d = tiny_screener.decide(title, abstract, None, None)  # type: ignore[arg-type]
    assert d.decision in {"include", "exclude", "review"}
    assert 0.0 <= d.probability <= 1.0


def test_empty_and_non_english_go_to_review(tiny_screener: Screener) -> None:
    assert tiny_screener.decide("", "", [], []).decision == "review"
    german = (
        "Die Patienten wurden mit einer Chemotherapie behandelt und die Überlebenszeit war "
        "kurz, aber die Verträglichkeit war gut und es gab keine Todesfälle in der Gruppe."
    )
    d = tiny_screener.decide("Gallengangskarzinom", german, [], [])
    assert d.decision == "review"
    assert d.cues[0] == ("text:non_english", 0.0)


def test_no_abstract_is_never_auto_included(tiny_screener: Screener) -> None:
    d = tiny_screener.decide(BTC_TITLE, "", [], [])
    assert d.decision in {"review", "exclude"}


def test_skops_round_trip_gives_identical_probabilities(tiny_model_dir: Path) -> None:
    a = load_screener(tiny_model_dir)
    b = load_screener(tiny_model_dir)
    texts = [(BTC_TITLE, BTC_ABSTRACT, (), ()), ("Adjuvant capecitabine", "After resection.", (), ())]
    assert [d.probability for d in a.decide_many(texts)] == [d.probability for d in b.decide_many(texts)]
