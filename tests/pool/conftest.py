"""Shared fixtures for the pooling tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from evidencebot.protocol import load_protocol
from evidencebot.store import open_db

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def rscript() -> str:
    """Path to Rscript; skips when R is missing, except under CI where that is a failure."""
    path = shutil.which("Rscript")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but Rscript is not installed: install r-cran-metafor")
        pytest.skip("Rscript not installed (set CI=1 to make this a failure)")
    return path


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated evidence database."""
    return open_db(tmp_path / "evidence.db")


@pytest.fixture
def protocol():
    """The repository's review protocol."""
    return load_protocol(REPO / "evidencebot.toml")


@pytest.fixture
def seed_path() -> Path:
    return REPO / "db" / "seed_outcomes.csv"
