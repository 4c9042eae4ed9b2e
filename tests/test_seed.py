"""Seed evidence: loading, idempotence, malformed files (line and column, nothing loaded),
and the `seed`/`pool` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidencebot.cli import main
from evidencebot.errors import SeedError
from evidencebot.seed import load_seed, parse_seed
from evidencebot.store import open_db

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "db" / "seed_outcomes.csv"
HEADER = SEED.read_text().splitlines()[0]


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "evidence.db")


def count(db):
    return db.execute("SELECT count(*) FROM evidence").fetchone()[0]


def test_shipped_seed_is_the_shared_one():
    shared = Path("/work/shared/evidence/seed_outcomes.csv")
    if shared.exists():
        assert SEED.read_bytes() == shared.read_bytes()


def test_load_seed_rows_and_idempotence(db):
    assert load_seed(db, SEED) == 55
    assert load_seed(db, SEED) == 0
    assert count(db) == 55
    row = db.execute(
        "SELECT status, source, study, registry, ci_high_not_reached FROM evidence "
        "WHERE study = 'Kim-nivolumab' AND endpoint = 'OS'").fetchone()
    assert row == ("seed", "seed:seed_outcomes.csv", "Kim-nivolumab", "NCT02829918", 1)
    assert db.execute("SELECT count(*) FROM audit WHERE action = 'load_seed'").fetchone()[0] == 1


def write(tmp_path, *lines):
    path = tmp_path / "bad.csv"
    path.write_text("\n".join((HEADER, *lines)) + "\n")
    return path


GOOD = ("X,2021,123,NCT00000001,RCT,second-line,FOLFOX,FOLFOX,50,OS,median,6.0,5.0,7.0,0.95,"
        "months,,,,http://example.org")


@pytest.mark.parametrize("bad,message", [
    (GOOD.replace(",6.0,", ",six,"), "line 3, column value: 'six' is not a number"),
    (GOOD.replace(",median,", ",mean,"), "line 3, column measure: 'mean': use one of"),
    (GOOD.replace(",2021,", ",21,"), "line 3, column year: 21 is not a plausible publication year"),
    (GOOD.replace(",5.0,7.0,", ",8.0,7.0,"), "line 3, column ci_low: lower bound 8.0 is above"),
    (GOOD.replace(",0.95,", ",95,"), "line 3, column ci_level: 95 must be a fraction"),
    (GOOD.replace(",123,", ",PMID123,"), "line 3, column pmid: 'PMID123' is not a PubMed id"),
    (GOOD.replace(",months,", ",fortnights,"), "line 3, column unit: 'fortnights'"),
    (GOOD + ",extra", "line 3, column source: 21 fields where the header has 20"),
    (GOOD.replace("X,", ",", 1), "line 3, column study: study is required"),
])
def test_malformed_file_names_line_and_column_and_loads_nothing(db, tmp_path, bad, message):
    path = write(tmp_path, GOOD, bad)  # line 2 is fine, line 3 is at fault
    with pytest.raises(SeedError) as info:
        load_seed(db, path)
    assert str(info.value).startswith(message), str(info.value)
    assert count(db) == 0


def test_missing_column_in_header(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text(HEADER.replace(",events", ",evnts") + "\n")
    with pytest.raises(SeedError, match="line 1, column events: missing column 'events'"):
        parse_seed(path)


def test_hazard_ratio_needs_a_comparison(tmp_path):
    bad = GOOD.replace(",median,6.0,5.0,7.0,0.95,months,", ",hazard_ratio,0.7,0.5,0.9,0.95,,")
    with pytest.raises(SeedError, match="line 2, column comparison"):
        parse_seed(write(tmp_path, bad))


def test_cli_seed_and_pool(tmp_path):
    runner = CliRunner()
    dbp = str(tmp_path / "e.db")
    proto = str(REPO / "evidencebot.toml")
    res = runner.invoke(main, ["seed", str(SEED), "--db", dbp])
    assert res.exit_code == 0 and res.output == f"Seed: 55 rows loaded from {SEED}\n"
    res = runner.invoke(main, ["pool", "--db", dbp, "--protocol", proto])
    assert res.exit_code == 0 and res.output.startswith("Pool: snapshot 1 created, 78 analyses\n")
    res = runner.invoke(main, ["pool", "--db", dbp, "--protocol", proto, "--json"])
    doc = json.loads(res.output)
    assert doc["snapshot"] == 1 and doc["analyses"]


def test_cli_seed_error_line_and_exit_code(tmp_path):
    path = write(tmp_path, GOOD.replace(",6.0,", ",six,"))
    res = CliRunner().invoke(main, ["seed", str(path), "--db", str(tmp_path / "e.db")])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == "Error: line 2, column value: 'six' is not a number"


def test_commands_have_help():
    for name in ("seed", "pool"):
        assert main.commands[name].help
