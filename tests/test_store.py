"""Database discipline: migrations recorded once, transactions all-or-nothing, one run at a time."""

from __future__ import annotations

import multiprocessing

import pytest

from evidencebot.errors import DatabaseLocked
from evidencebot.store import apply_migrations, migration_files, open_db, run_lock, transaction


def test_migrations_are_recorded_and_applied_once(tmp_path):
    db = open_db(tmp_path / "a.db")
    names = [r[0] for r in db.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert names == [f.name for f in migration_files()]
    assert apply_migrations(db) == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_failed_write_rolls_back(db):
    with pytest.raises(RuntimeError):
        with transaction(db):
            db["audit"].insert({"at": "t", "actor": "test", "action": "a"})
            raise RuntimeError("boom")
    assert db["audit"].count == 0


def _try_lock(path, queue):
    try:
        with run_lock(path):
            queue.put("acquired")
    except DatabaseLocked as exc:
        queue.put(str(exc))


def test_second_run_is_refused_clearly(tmp_path):
    path = tmp_path / "e.db"
    with run_lock(path):
        queue = multiprocessing.get_context("fork").Queue()
        proc = multiprocessing.get_context("fork").Process(target=_try_lock, args=(path, queue))
        proc.start()
        proc.join(10)
        message = queue.get(timeout=5)
    assert "another evidencebot run is using" in message
    with run_lock(path):   # released: can be taken again
        pass
