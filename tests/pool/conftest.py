"""Shared fixtures for the pooling tests."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture
def rscript() -> str:
    """Path to Rscript; skips when R is missing, except under CI where that is a failure."""
    path = shutil.which("Rscript")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but Rscript is not installed: install r-cran-metafor")
        pytest.skip("Rscript not installed (set CI=1 to make this a failure)")
    return path
