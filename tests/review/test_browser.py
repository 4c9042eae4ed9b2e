"""The flow a person does, in a real headless Chromium driven by Playwright: open the queue,
open a record, see the numbers highlighted, correct a CI bound, exclude another record with a
reason (by keyboard), then check the database, the audit rows and the new pool snapshot.
Saves a 1280x800 screenshot of the record page to artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from evidencebot.review.web import create_app, make_server
from tests.review.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]
SCREENSHOTS = REPO / "artifacts" / "screenshots"

pytestmark = pytest.mark.browser


@pytest.fixture
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {CHROMIUM} is missing: apt-get install chromium")
        pytest.skip(f"{CHROMIUM} not installed (set CI=1 to make this a failure)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def server(demo, protocol):
    _, _, path = demo
    app = create_app(path, protocol, reviewer="dr.alice")
    srv = make_server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.port}"
    srv.shutdown()
    srv.server_close()


def test_review_flow_in_chromium(browser, server, demo):
    db, ids, _ = demo
    snapshots_before = db.execute("SELECT max(id) FROM pool_snapshots").fetchone()[0]
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    dialogs: list[str] = []
    page.on("dialog", lambda dlg: (dialogs.append(dlg.message), dlg.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(server + "/")
    assert page.locator("table.queue tbody tr").count() == 5
    page.get_by_role("link", name="40000001").click()
    page.wait_for_url("**/record/40000001")
    marks = page.locator("#abstract mark")
    assert marks.all_inner_texts() == ["4.2", "7.9", "10"]
    assert page.locator(f"#m-{ids['a_os']}").is_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "review_record.png"))

    # Include the record (key i): only included records feed the pool.
    page.keyboard.press("i")
    page.wait_for_selector("#saved")
    assert page.locator("#current-decision").inner_text() == "include"

    # Correct the misread upper bound of the OS CI (94 -> 9.4) in place.
    row = page.locator(f"#ev-{ids['a_os']}")
    row.locator("input[name=ci_high]").fill("9.4")
    row.get_by_role("button", name="Verify").click()
    page.wait_for_selector("#saved")
    assert "ci_high 94 → 9.4" in page.locator("#saved").inner_text()
    assert page.locator("#movement").is_visible()
    assert "OS median" in page.locator("#movement").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "review_record_saved.png"))

    # Exclude another record by keyboard: 8 = the 8th reason (wrong_line).
    page.goto(server + "/record/40000002")
    assert page.locator("#reason option").nth(8).get_attribute("value") == "wrong_line"
    page.keyboard.press("8")
    page.wait_for_selector("#saved")
    assert page.locator("#current-decision").inner_text() == "exclude"

    # An abstract with <script> and <img onerror> stays text.
    page.goto(server + "/record/40000003")
    assert "<script>window.__xss = 1</script>" in page.locator("#abstract").inner_text()
    assert page.evaluate("window.__xss") is None
    assert dialogs == [] and errors == []

    s = db.execute("SELECT decision, reason, decided_by, model_version FROM screening WHERE pmid = '40000002'"
                   ).fetchone()
    assert s == ("exclude", "wrong_line", "review:dr.alice", "screen-test-1")
    old = dict(db["evidence"].get(ids["a_os"]))
    new = dict(db["evidence"].get(old["superseded_by"]))
    assert (old["active"], new["status"], new["source"], new["ci_high"]) == (
        0, "verified", "review:dr.alice", 9.4)
    actions = [(a, r) for a, r in db.execute(
        "SELECT action, row_key FROM audit WHERE actor = 'review:dr.alice' ORDER BY id")]
    assert actions == [("review_decide", "40000001"),
                       ("review_correct", f"{ids['a_os']}->{new['id']}"), ("review_decide", "40000002"),
                       ("review_withhold", "40000002")]
    saves = db.execute(
        "SELECT origin, snapshot_before, snapshot_after FROM review_saves ORDER BY id").fetchall()
    # Including 40000001 brings its rows into the pool, the correction moves it again, and
    # excluding 40000002 (which was waiting in the review band, so never pooled) changes nothing.
    assert saves == [("web", snapshots_before, snapshots_before + 1),
                     ("web", snapshots_before + 1, snapshots_before + 2),
                     ("web", snapshots_before + 2, snapshots_before + 2)]
    latest = json.loads(
        db.execute("SELECT inputs FROM pool_snapshots ORDER BY id DESC LIMIT 1").fetchone()[0])
    assert new["id"] in {r["evidence_id"] for r in latest["primary"]}
    assert ids["b_os"] not in {r["evidence_id"] for r in latest["primary"]}
