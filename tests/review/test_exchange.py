"""Decisions as files: export → import onto a fresh database reproduces the review; a second
import changes nothing; bad files are refused naming the entry; the CLI round-trip."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from evidencebot.cli import main
from evidencebot.errors import ReviewError
from evidencebot.review import decisions as d
from evidencebot.review import exchange
from tests.review.builder import build
from tests.review.conftest import REPO

STATE_SQL = {
    "screening": "SELECT pmid, decision, reason, decided_by FROM screening ORDER BY pmid",
    "evidence": """SELECT pmid, endpoint, measure, arm, regimen, n, value, ci_low, ci_high, status, source,
                          active FROM evidence WHERE pmid IS NOT NULL
                   ORDER BY pmid, endpoint, measure, arm, status, active, value""",
    "links": "SELECT study, same_as, linked_by FROM study_links ORDER BY study",
    "dismissals": "SELECT kind, item_key, dismissed_by FROM review_dismissals ORDER BY item_key",
    "notes": "SELECT pmid, reviewer, text FROM review_notes ORDER BY pmid, id",
}


def state(db):
    return {k: db.execute(sql).fetchall() for k, sql in STATE_SQL.items()}


def review_everything(db, ids, protocol):
    d.apply(db, [d.Decide("40000002", "exclude", "wrong_line"), d.Note("40000002", "first line only")],
            "alice", "web", protocol)
    d.apply(db, [d.Decide("40000001", "include"), d.Correct(ids["a_os"], {"ci_high": "9.4"}, "typo"),
                 d.Correct(ids["a_pfs"], {}),  # confirmed as extracted
                 d.Delete(ids["a_orr"], "not a response rate"),
                 d.Add("40000001", {"endpoint": "OS", "measure": "rate", "value": "33", "arm": "FOLFOX",
                                    "regimen": "FOLFOX"}, "12-month OS")], "bob", "web", protocol)
    d.apply(db, [d.Link("40000004", "ABC-06"), d.Dismiss("retraction", "40000005", "40000005"),
                 d.Decide("40000003", "unsure")], "carol", "web", protocol)
    d.apply(db, [d.Correct(ids["x_os"], {"value": "NR", "ci_high": ""})], "carol", "web", protocol)


@pytest.mark.parametrize("fmt", ["yaml", "csv"])
def test_round_trip_reproduces_the_review_and_is_idempotent(tmp_path, demo, protocol, fmt):
    db, ids, _ = demo
    review_everything(db, ids, protocol)
    text = exchange.dumps(exchange.export_entries(db), fmt)
    fresh, _ = build(tmp_path / "fresh.db")
    result = exchange.import_entries(fresh, exchange.loads(text, fmt), "importer", protocol)
    assert len(result.changes) >= 10 and result.snapshot_after is not None
    assert state(fresh) == state(db)
    again = exchange.import_entries(fresh, exchange.loads(text, fmt), "importer", protocol)
    assert again.changes == [] and again.save_id is None
    assert state(fresh) == state(db)
    # Exported again, the fresh database says the same thing.
    strip = [{k: v for k, v in e.items() if k != "at"} for e in exchange.export_entries(fresh)]
    assert strip == [{k: v for k, v in e.items() if k != "at"} for e in exchange.export_entries(db)]


def test_a_bad_entry_refuses_the_whole_file(tmp_path, demo, protocol):
    db, _, _ = demo
    entries = [{"kind": "screen", "pmid": "40000001", "decision": "include", "reviewer": "x"},
               {"kind": "evidence", "pmid": "40000001", "endpoint": "OS", "measure": "median",
                "arm": "FOLFOX", "regimen": "FOLFOX", "value": "7.9", "ci_low": "9", "ci_high": "6"}]
    with pytest.raises(ReviewError) as err:
        exchange.import_entries(db, entries, "importer", protocol)
    assert str(err.value) == ("decision 2 (evidence PMID 40000001): CI low 9 is greater than CI high 6; "
                              "swap them or fix the typo")
    assert db.execute("SELECT decided_by FROM screening WHERE pmid = '40000001'").fetchone()[0].startswith(
        "model:")
    with pytest.raises(ReviewError, match=r"decision 1 \(vote PMID 1\): kind 'vote' is not one of"):
        exchange.import_entries(db, [{"kind": "vote", "pmid": "1"}], "importer", protocol)
    with pytest.raises(ReviewError, match="unknown column"):
        exchange.loads("kind,pmid,colour\n", "csv")
    with pytest.raises(ReviewError, match="not valid YAML"):
        exchange.loads("decisions: [", "yaml")


def test_an_entry_refused_while_applying_is_named_by_its_place_in_the_file(demo, protocol):
    # Entry 1 is skipped (nothing to delete), so the failing entry is the file's second one,
    # not the first operation applied.
    db, _, _ = demo
    entries = [{"kind": "delete", "pmid": "40000001", "endpoint": "OS", "measure": "median",
                "arm": "nobody", "value": "1.0"},
               {"kind": "screen", "pmid": "49999999", "decision": "include"}]
    with pytest.raises(ReviewError) as err:
        exchange.import_entries(db, entries, "importer", protocol)
    assert str(err.value) == ("decision 2 (screen PMID 49999999): no record with PMID '49999999' "
                              "in the database")


def test_cli_export_import_round_trip(tmp_path, demo, protocol):
    db, ids, path = demo
    review_everything(db, ids, protocol)
    runner = CliRunner()
    proto = str(REPO / "evidencebot.toml")
    out = tmp_path / "decisions.yaml"
    r = runner.invoke(main, ["review", "export", "--db", str(path), "--out", str(out)])
    assert r.exit_code == 0, r.output
    fresh_path = tmp_path / "fresh.db"
    fresh, _ = build(fresh_path)
    args = ["review", "import", str(out), "--db", str(fresh_path), "--protocol", proto, "--reviewer", "ci"]
    r = runner.invoke(main, args)
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Import: 11 decisions in {out}\nSaved (")
    assert state(fresh) == state(db)
    r = runner.invoke(main, args)
    assert r.exit_code == 0
    assert r.output == (f"Import: 11 decisions in {out}\n"
                        "Nothing to change: the database already holds these decisions.\n")
    csv_out = tmp_path / "decisions.csv"
    assert runner.invoke(main, ["review", "export", "--db", str(path), "--out", str(csv_out)]).exit_code == 0
    r = runner.invoke(main, ["review", "import", str(csv_out), "--db", str(fresh_path), "--protocol", proto])
    assert r.exit_code == 0 and "Nothing to change" in r.output


def test_cli_decide_list_show_and_errors(tmp_path, demo):
    _, _, path = demo
    runner = CliRunner()
    proto = str(REPO / "evidencebot.toml")
    base = ["--db", str(path), "--protocol", proto]
    r = runner.invoke(main, ["review", "decide", "40000002", "exclude", *base, "--reviewer", "dana"])
    assert r.exit_code == 1
    assert r.output.strip().endswith("Error: an exclusion needs a reason: one of case_report, no_efficacy, "
                                     "not_systemic, preclinical, protocol_no_results, secondary, "
                                     "wrong_disease, wrong_line")
    r = runner.invoke(main, ["review", "decide", "40000002", "exclude", "--reason", "wrong_line", *base],
                      env={"EVIDENCEBOT_REVIEWER": "dana"})
    assert r.exit_code == 0 and "PMID 40000002: exclude (wrong_line)" in r.output
    r = runner.invoke(main, ["review", "list", "--db", str(path)])
    assert r.exit_code == 0 and "40000002" not in r.output and r.output.startswith("Queue: 4 records")
    r = runner.invoke(main, ["review", "show", "40000001", "--db", str(path)])
    assert r.exit_code == 0 and "7.9 months (6.1–94)" in r.output and "W202" in r.output
    r = runner.invoke(main, ["review", "show", "123", "--db", str(path)])
    assert r.exit_code == 1 and r.output.strip() == "Error: no record with PMID '123' in the database"
    r = runner.invoke(main, ["review", "serve", "--db", str(path), "--protocol", proto, "--host", "0.0.0.0"])
    assert r.exit_code == 1 and "pass --allow-remote" in r.output


def test_every_review_command_has_help():
    runner = CliRunner()
    for cmd in ("list", "show", "decide", "export", "import", "serve"):
        r = runner.invoke(main, ["review", cmd, "--help"])
        assert r.exit_code == 0 and len(r.output.splitlines()) > 3
