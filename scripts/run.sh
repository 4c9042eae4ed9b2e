#!/usr/bin/env bash
# Install evidencebot and run the main job: crawl PubMed, screen, extract, pool, digest.
# When NCBI cannot be reached, the run goes to the bundled PubMed sandbox (demo corpus,
# database db/sandbox.db) and says so; pass --eutils-url or --db to choose yourself.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e .
exec evidencebot run --sandbox-if-offline --digest-dir out/digest "$@"
