"""Fixtures for the review tests: a demo database built row by row, the app and its client."""

from __future__ import annotations

from pathlib import Path

import pytest

from evidencebot.protocol import load_protocol
from evidencebot.review import decisions as d
from evidencebot.review.web import create_app
from tests.review.builder import build

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def protocol():
    return load_protocol(REPO / "evidencebot.toml")


@pytest.fixture
def demo(tmp_path, protocol):
    """(db, ids, path): the demo database, pooled once so saves show movement."""
    path = tmp_path / "evidence.db"
    db, ids = build(path)
    d.repool(db, protocol)
    return db, ids, path


@pytest.fixture
def app(demo, protocol):
    _, _, path = demo
    app = create_app(path, protocol, reviewer="alice")
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def token(app):
    return app.config["CSRF_TOKEN"]


def count(db, sql, params=()):
    return db.execute(sql, list(params)).fetchone()[0]
