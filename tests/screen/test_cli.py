"""The screening commands: annotate (JSON lines, clear errors on garbage), screen, train, help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidencebot.cli import main
from evidencebot.corpus import CorpusEntry, entries_to_pubmed_xml
from evidencebot.store import now_iso, open_db

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = str(REPO / "evidencebot.toml")


def entry(pmid: str, title: str, abstract: str, **kw) -> CorpusEntry:
    return CorpusEntry(
        id=f"t-{pmid}",
        pmid=pmid,
        title=title,
        abstract=abstract,
        label="relevant",
        reason=None,
        journal="J",
        year=2024,
        entry_date="2024-01-02",
        **kw,
    )


@pytest.fixture
def xml_file(tmp_path: Path) -> Path:
    entries = [
        entry(
            "90000001",
            "Second-line FOLFOX after gemcitabine-cisplatin in advanced cholangiocarcinoma",
            "Patients with advanced biliary tract cancer who progressed on first-line gemcitabine and "
            "cisplatin received FOLFOX. Median overall survival was 6.2 months (95% CI 4.1-8.0); "
            "median progression-free survival was 4.0 months.",
            publication_types=("Journal Article", "Clinical Trial"),
        ),
        entry("90000002", "Empty abstract", ""),
        entry(
            "90000003",
            "Ein Fallbericht",
            "Die Patienten wurden mit einer Chemotherapie behandelt und die Überlebenszeit war kurz, "
            "aber die Verträglichkeit war gut und es gab keine Todesfälle in der Gruppe.",
        ),
        entry("90000004", "Long", "Median overall survival was 6 months. " * 20000),
    ]
    path = tmp_path / "in.xml"
    path.write_bytes(entries_to_pubmed_xml(entries))
    return path


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_annotate_prints_one_json_object_per_article(xml_file: Path, tiny_model_dir: Path) -> None:
    result = run("annotate", str(xml_file), "--protocol", PROTOCOL, "--model", str(tiny_model_dir))
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [x["pmid"] for x in lines] == ["90000001", "90000002", "90000003", "90000004"]
    for x in lines:
        assert set(x) == {"pmid", "screen", "outcomes", "hazard_ratios"}
        assert set(x["screen"]) == {"decision", "probability", "reason"}
        assert x["screen"]["decision"] in {"include", "exclude", "review"}
        assert 0 <= x["screen"]["probability"] <= 1
        assert isinstance(x["outcomes"], list) and isinstance(x["hazard_ratios"], list)
    assert lines[0]["screen"]["decision"] == "include"
    assert lines[2]["screen"]["decision"] == "review"  # not English


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"<PubmedArticleSet><PubmedArticle>",  # broken XML
        b"x" * 1_000_000,
        "\u00ff\u00fe garbage".encode("latin-1"),
        b'<?xml version="1.0"?><!DOCTYPE html><html></html>',
    ],
)
def test_annotate_garbage_is_one_error_line(tmp_path: Path, tiny_model_dir: Path, content: bytes) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    result = run("annotate", str(path), "--protocol", PROTOCOL, "--model", str(tiny_model_dir))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_annotate_without_a_model_is_one_error_line(xml_file: Path, tmp_path: Path) -> None:
    result = run("annotate", str(xml_file), "--protocol", PROTOCOL, "--model", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: no screening model at")


def test_screen_command_on_a_temporary_database(tmp_path: Path, tiny_model_dir: Path) -> None:
    protocol = tmp_path / "p.toml"
    text = Path(PROTOCOL).read_text()
    text = re.sub(r'(?m)^model = "models/screen"$', f"model = {json.dumps(str(tiny_model_dir))}", text)
    protocol.write_text(text)
    db = open_db(tmp_path / "e.db")
    db["records"].insert(
        {
            "pmid": "1",
            "title": "Second-line FOLFOX in cholangiocarcinoma",
            "abstract": "Median overall survival was 6 months.",
            "content_hash": "h",
            "updated_at": now_iso(),
        }
    )
    result = run("screen", "--db", str(tmp_path / "e.db"), "--protocol", str(protocol))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Screen: screened 1 records with screen.v1-")


@pytest.mark.parametrize("command", ["train", "screen", "annotate"])
def test_commands_have_help(command: str) -> None:
    result = run(command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output and len(result.output.splitlines()) > 4
