"""The evidence database: opening, migrating, locking and transactions.

Stage modules own their own queries; this module owns only the connection discipline:
WAL mode, numbered migrations recorded in the database, one run at a time, and writes
that either happen whole or not at all.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from evidencebot.errors import DatabaseError, DatabaseLocked

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "db" / "migrations"


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def open_db(path: str | os.PathLike[str], migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the evidence database and bring its schema up to date."""
    path = Path(path)
    if path.parent and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=30)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"cannot open database {str(path)!r}: {exc}") from None
    db = sqlite_utils.Database(conn)
    if migrate:
        apply_migrations(db)
    return db


def migration_files(directory: Path = MIGRATIONS_DIR) -> list[Path]:
    files = sorted(directory.glob("[0-9][0-9][0-9][0-9]_*.sql"))
    numbers = [f.name[:4] for f in files]
    if len(numbers) != len(set(numbers)):
        raise DatabaseError(f"two migrations share a number in {directory}: {numbers}")
    return files


def apply_migrations(db: sqlite_utils.Database, directory: Path = MIGRATIONS_DIR) -> list[str]:
    """Apply each migration not yet recorded, each in its own transaction. Returns names applied."""
    db.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    done = {row[0] for row in db.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    for file in migration_files(directory):
        if file.name in done:
            continue
        with transaction(db):
            for statement in _split_sql(file.read_text(encoding="utf-8")):
                db.execute(statement)
            db.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                [file.name, now_iso()],
            )
        applied.append(file.name)
    return applied


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about quotes)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not all(
        ln.strip().startswith("--") or not ln.strip() for ln in buffer.splitlines()
    ):
        raise DatabaseError(f"migration ends with an incomplete statement: {buffer.strip()[:80]!r}")
    return statements


@contextmanager
def transaction(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """BEGIN IMMEDIATE … COMMIT; any exception rolls everything back and propagates."""
    conn = db.conn
    if conn.in_transaction:
        # Nested use joins the outer transaction: the outer one decides.
        yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


@dataclass
class RunLock:
    """An exclusive, non-blocking lock beside the database. The OS drops it if the process dies."""

    path: Path
    _fd: int | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseLocked(
                f"another evidencebot run is using {str(self.path.with_suffix(''))!r} "
                f"(lock file {str(self.path)!r}); wait for it to finish"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def run_lock(path: str | os.PathLike[str]) -> RunLock:
    """The lock that keeps two runs from writing one database at once."""
    return RunLock(Path(str(path) + ".lock"))


def audit(
    db: sqlite_utils.Database,
    actor: str,
    action: str,
    *,
    table_name: str | None = None,
    row_key: str | None = None,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> None:
    """Append one audit row (inside the caller's transaction)."""
    db["audit"].insert(
        {
            "at": now_iso(),
            "actor": actor,
            "action": action,
            "table_name": table_name,
            "row_key": row_key,
            "before": None if before is None else json.dumps(before, sort_keys=True, default=str),
            "after": None if after is None else json.dumps(after, sort_keys=True, default=str),
            "reason": reason,
        }
    )
