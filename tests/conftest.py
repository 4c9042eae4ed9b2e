"""Shared fixtures. Each test gets its own database and protocol; nothing global."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencebot.protocol import Protocol, load_protocol
from evidencebot.store import open_db

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def protocol() -> Protocol:
    return load_protocol(REPO / "evidencebot.toml")


@pytest.fixture
def db(tmp_path):
    return open_db(tmp_path / "evidence.db")
