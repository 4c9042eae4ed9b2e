"""The HTML digest in a real browser: headless Chromium renders it to a PNG that is not blank."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from matplotlib import image as mpimg

from evidencebot.digest import build
from tests.digest.conftest import period_one, period_two

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("no_smtp")]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI is set but /usr/bin/chromium is missing: apt-get install chromium")
        pytest.skip("chromium not installed (set CI=1 to make this a failure)")
    return CHROMIUM


def test_html_digest_renders_in_headless_chromium(db, protocol, tmp_path, chromium, artifacts):
    period_one(db, protocol)
    build.write_digest(db, protocol, tmp_path / "out")
    period_two(db, protocol)
    html, _ = build.write_digest(db, protocol, tmp_path / "out")
    shot = tmp_path / "digest.png"
    subprocess.run(
        [str(chromium), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--no-first-run",
         "--disable-sync", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1280,5000", html.resolve().as_uri()],
        check=True, timeout=120, capture_output=True,
    )
    (artifacts / "digest-page.png").write_bytes(shot.read_bytes())
    img = mpimg.imread(shot)[..., :3]
    assert img.shape[:2] == (5000, 1280)
    not_white = img.min(axis=2) < 0.95
    assert not_white.mean() > 0.02          # text, tables and figures, not an empty page
    assert not_white[4000:].mean() > 0.005   # the page goes on: the figures have height
    assert np.unique((img * 8).astype(int).reshape(-1, 3), axis=0).shape[0] > 20  # colour, images
