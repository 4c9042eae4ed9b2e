"""End-to-end fixtures: a real HTTP sandbox on 127.0.0.1 and the real `evidencebot` CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from evidencebot.sandbox import SandboxConfig, make_server

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "corpus" / "sandbox" / "demo.xml"
API_KEY = "TESTKEY-0f9e8d7c6b5a4f3e2d1c"


@pytest.fixture
def sandbox():
    server = make_server([DEMO], config=SandboxConfig(rate_limit=0, seed=1)).start()
    yield server
    server.shutdown()


def small_batch_protocol(tmp_path: Path, batch_size: int = 25, max_attempts: int = 6,
                         max_ids: int = 9999) -> Path:
    """The real protocol with smaller batches (many batches to interrupt) and a retry budget."""
    text = (REPO / "evidencebot.toml").read_text()
    text = text.replace("batch_size = 500", f"batch_size = {batch_size}")
    text = text.replace("max_attempts = 6", f"max_attempts = {max_attempts}")
    text = text.replace("max_ids = 9999", f"max_ids = {max_ids}")
    path = tmp_path / "protocol.toml"
    path.write_text(text)
    return path


def cli(*args: str, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    full_env = {k: v for k, v in full_env.items() if v is not None}   # None: unset it
    return subprocess.run([sys.executable, "-m", "evidencebot", *args], capture_output=True,
                          text=True, timeout=timeout, env=full_env, cwd=REPO)


def expected_pmids(server, term: str, today: str) -> set[str]:
    """What the sandbox itself says the query finds up to `today` (one large esearch)."""
    reply = requests.post(server.url + "esearch.fcgi", data={
        "db": "pubmed", "term": term, "retmax": 5000, "retmode": "json", "datetype": "edat",
        "mindate": "1900/01/01", "maxdate": today.replace("-", "/")}, timeout=30)
    return set(reply.json()["esearchresult"]["idlist"])
