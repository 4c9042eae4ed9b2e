"""Every CLI command has help text and is documented in the README; errors are one clear line."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from evidencebot.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def commands(group: click.Group = main, prefix: tuple[str, ...] = ()):
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if isinstance(command, click.Group):
            yield from commands(command, path)
        else:
            yield path, command


ALL = list(commands())


def test_there_are_commands_for_every_stage():
    names = {" ".join(p) for p, _ in ALL}
    assert {"run", "crawl", "screen", "extract", "pool", "digest", "seed", "annotate", "train",
            "review serve", "sandbox serve"} <= names


@pytest.mark.parametrize("path", [p for p, _ in ALL], ids=[" ".join(p) for p, _ in ALL])
def test_command_has_help_and_is_in_the_readme(path):
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    command = dict(ALL)[path]
    assert command.help and len(command.help.strip()) > 20
    # Documented: the command (its group and name) appears in the README's commands table.
    top = path[0]
    assert f"`evidencebot {top}" in README, f"evidencebot {' '.join(path)} is not in the README"
    if len(path) > 1:
        assert path[-1] in README


def test_bad_protocol_is_one_error_line_and_exit_1(tmp_path):
    missing = tmp_path / "nope.toml"
    result = CliRunner().invoke(main, ["crawl", "--db", str(tmp_path / "e.db"), "--protocol",
                                       str(missing)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: protocol file {str(missing)!r} not found; pass --protocol PATH or run from the "
        "repository root")


def test_unreadable_corpus_file_is_one_error_not_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("not: [a list")
    result = CliRunner().invoke(main, ["corpus", "check", str(bad)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {bad}: cannot be read as YAML")
    assert "Traceback" not in result.output


def test_eval_extract_scores_a_gold_file():
    """`eval-extract --file` scores any gold file in the corpus format (here the challenge set)."""
    gold = Path(__file__).resolve().parents[1] / "corpus" / "extraction" / "challenge.yaml"
    result = CliRunner().invoke(main, ["eval-extract", "--file", str(gold)])
    assert result.exit_code == 0, result.output
    assert "entries: 40" in result.output
    assert "outcome tuples" in result.output and "per-field" in result.output
