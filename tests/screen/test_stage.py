"""The screening stage on a temporary database: what is scored, what is never overwritten."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evidencebot.protocol import ScreenSettings
from evidencebot.screen import stage
from evidencebot.screen.screener import Screener
from evidencebot.store import now_iso, open_db

RELEVANT = (
    "Second-line FOLFOX after gemcitabine-cisplatin in advanced cholangiocarcinoma: a phase II trial",
    "Patients with advanced biliary tract cancer who progressed on first-line gemcitabine and cisplatin "
    "received FOLFOX. Median overall survival was 6.1 months and median progression-free survival "
    "3.2 months; the objective response rate was 9%.",
)
PRECLINICAL = (
    "Ivosidenib inhibits growth of cholangiocarcinoma cell lines and xenografts",
    "In vitro, ivosidenib reduced cell viability of cholangiocarcinoma cell lines; in mice, xenograft "
    "growth slowed.",
)


class FakeProtocol:
    def __init__(self, model: Path) -> None:
        self.screen = ScreenSettings(model=str(model))


def add_record(db, pmid: str, title: str, abstract: str, content_hash: str = "h1", **extra) -> None:
    row = {
        "pmid": pmid,
        "title": title,
        "abstract": abstract,
        "content_hash": content_hash,
        "publication_types": json.dumps(["Journal Article"]),
        "mesh_terms": "[]",
        "updated_at": now_iso(),
    }
    row.update(extra)
    db["records"].upsert(row, pk="pmid")


@pytest.fixture
def db(tmp_path: Path):
    db = open_db(tmp_path / "e.db")
    add_record(db, "1", *RELEVANT)
    add_record(db, "2", *PRECLINICAL)
    return db


def screening(db) -> dict[str, dict]:
    return {r["pmid"]: r for r in db.query("SELECT * FROM screening")}


def test_scores_every_new_record(db, tiny_model_dir: Path, tiny_screener: Screener) -> None:
    outcome = stage.run(db, FakeProtocol(tiny_model_dir))
    rows = screening(db)
    assert outcome.scored == 2 and set(rows) == {"1", "2"}
    assert rows["1"]["decision"] == "include" and rows["1"]["reason"] is None
    assert rows["2"]["decision"] == "exclude" and rows["2"]["reason"] == "preclinical"
    version = tiny_screener.model_version
    for r in rows.values():
        assert r["decided_by"] == f"model:{version}"
        assert r["model_version"] == version
        assert r["content_hash"] == "h1"
        assert 0 <= r["probability"] <= 1
        cues = json.loads(r["cues"])
        assert cues and all(isinstance(name, str) for name, _ in cues)
        assert r["has_metadata"] == 1
    audits = list(db.query("SELECT * FROM audit WHERE table_name = 'screening' ORDER BY row_key"))
    assert [a["row_key"] for a in audits] == ["1", "2"]
    assert audits[0]["actor"] == f"screen:{version}"
    assert json.loads(audits[0]["after"])["decision"] == "include"


def test_second_run_does_nothing(db, tiny_model_dir: Path) -> None:
    stage.run(db, FakeProtocol(tiny_model_dir))
    again = stage.run(db, FakeProtocol(tiny_model_dir))
    assert again.scored == 0


def test_changed_content_is_rescored_but_a_person_decision_is_kept(db, tiny_model_dir: Path) -> None:
    stage.run(db, FakeProtocol(tiny_model_dir))
    db.execute(
        "UPDATE screening SET decision = 'exclude', reason = 'wrong_line', "
        "decided_by = 'review:ana' WHERE pmid = '1'"
    )
    add_record(db, "1", *RELEVANT, content_hash="h2")
    add_record(db, "2", PRECLINICAL[0], PRECLINICAL[1] + " Erratum.", content_hash="h2")
    outcome = stage.run(db, FakeProtocol(tiny_model_dir))
    rows = screening(db)
    assert outcome.scored == 1 and outcome.rescored_changed == 1
    assert outcome.kept_reviewer_decisions == 1
    assert rows["1"]["decided_by"] == "review:ana" and rows["1"]["decision"] == "exclude"
    assert rows["2"]["content_hash"] == "h2"
    audit = list(db.query("SELECT * FROM audit WHERE row_key = '2' ORDER BY id"))[-1]
    assert json.loads(audit["before"])["content_hash"] == "h1"
    assert audit["reason"] == "content changed"


def test_retracted_records_and_notices_are_excluded(db, tiny_model_dir: Path) -> None:
    add_record(db, "3", *RELEVANT, retracted=1)
    add_record(db, "4", "Retraction notice: " + RELEVANT[0], "", is_retraction_notice=1)
    outcome = stage.run(db, FakeProtocol(tiny_model_dir))
    rows = screening(db)
    assert outcome.retracted == 2
    assert (rows["3"]["decision"], rows["3"]["reason"]) == ("exclude", "retracted")
    assert (rows["4"]["decision"], rows["4"]["reason"]) == ("exclude", "secondary")
    assert rows["3"]["probability"] is None


def test_a_model_decision_is_replaced_when_the_record_is_retracted(db, tiny_model_dir: Path) -> None:
    stage.run(db, FakeProtocol(tiny_model_dir))
    db.execute("UPDATE records SET retracted = 1 WHERE pmid = '1'")  # same content hash
    stage.run(db, FakeProtocol(tiny_model_dir))
    assert screening(db)["1"]["reason"] == "retracted"
    db.execute("UPDATE records SET retracted = 1 WHERE pmid = '2'")
    db.execute("UPDATE screening SET decided_by = 'review:bo', decision = 'include' WHERE pmid = '2'")
    stage.run(db, FakeProtocol(tiny_model_dir))
    assert screening(db)["2"]["decided_by"] == "review:bo"


def test_records_without_metadata_are_marked(db, tiny_model_dir: Path) -> None:
    add_record(db, "5", *RELEVANT, publication_types="[]", mesh_terms="[]")
    stage.run(db, FakeProtocol(tiny_model_dir))
    assert screening(db)["5"]["has_metadata"] == 0


def test_a_failing_batch_rolls_back(
    db, tiny_model_dir: Path, tiny_screener: Screener, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_audit(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stage, "audit", broken_audit)
    with pytest.raises(RuntimeError):
        stage.run(db, FakeProtocol(tiny_model_dir), screener=tiny_screener)
    assert screening(db) == {}


def test_batches_are_separate_transactions(db, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(10, 15):
        add_record(db, str(i), *RELEVANT)
    monkeypatch.setattr(stage, "BATCH_SIZE", 3)
    outcome = stage.run(db, FakeProtocol(tiny_model_dir))
    assert outcome.batches == 3 and outcome.scored == 7


def test_empty_database(tmp_path: Path, tiny_model_dir: Path) -> None:
    outcome = stage.run(open_db(tmp_path / "empty.db"), FakeProtocol(tiny_model_dir))
    assert outcome.scored == 0 and "screened 0 records" in outcome.summary()
