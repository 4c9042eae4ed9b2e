"""Two digests over a database built in the test: the second reports exactly the studies
and pooled estimates that changed between them, and --since-last picks up where the first
one ended."""

from __future__ import annotations

import json
import re

import pytest

from evidencebot.digest import build, render
from evidencebot.errors import DigestError
from evidencebot.store import now_iso
from tests.digest.conftest import SCRIPT_TITLE, period_one, period_two

pytestmark = pytest.mark.usefixtures("no_smtp")


def _digest_rows(db):
    return list(db.query("SELECT * FROM digests ORDER BY id"))


def test_second_digest_reports_exactly_the_new_studies_and_changed_estimates(db, protocol, tmp_path):
    period_one(db, protocol)
    first = build.write_digest(db, protocol, tmp_path / "out")
    assert [p.suffix for p in first] == [".html", ".md"] and all(p.exists() for p in first)
    [row1] = _digest_rows(db)
    assert row1["status"] == "written" and row1["snapshot_id"] == 1 and row1["period_start"] is None

    period_two(db, protocol)
    start, previous_snapshot, previous = build.resolve_period(db, since_last=True, since=None,
                                                              now=None)
    assert (start, previous_snapshot) == (row1["period_end"], 1)
    digest = build.collect(db, protocol, period_start=start, period_end=now_iso(),
                           previous_snapshot_id=previous_snapshot, previous_digest=previous,
                           day=None, with_figures=False)
    assert [s["study"] for s in digest.new_studies] == ["NCT22222222", "ZANI-1"]
    zani = digest.new_studies[1]
    assert zani["statuses"] == ["verified"] and zani["records"][0]["pmid"] == "40000011"
    assert [(r["value"], r["ci_low"], r["ci_high"]) for r in zani["rows"]] == [(25.0, 20.0, 31.0)]
    assert digest.new_studies[0]["statuses"] == ["machine"]

    changed = {(r.endpoint, r.measure, r.regimen): r for r in digest.changed_estimates}
    assert set(changed) == {
        ("OS", "median", "pembrolizumab"),
        ("OS", "median", "zanidatamab"),
        ("PFS", "hazard_ratio", "varlitinib + capecitabine vs capecitabine"),
        ("OS", "hazard_ratio", "varlitinib + capecitabine vs capecitabine"),
    }
    pembro = changed[("OS", "median", "pembrolizumab")]
    assert (pembro.primary_before["k"], pembro.primary["k"]) == (4, 5)
    # The new pembrolizumab row is machine-extracted: the verified-only analysis is unchanged.
    assert pembro.sensitivity["k"] == pembro.sensitivity_before["k"] == 4
    assert pembro.changes == ["primary: k = 4: 5.92 [3.91, 8.98] → k = 5: 6.49 [4.51, 9.34]"]
    zanidatamab = changed[("OS", "median", "zanidatamab")]
    assert zanidatamab.primary_before is None and zanidatamab.sensitivity["k"] == 1

    kinds = [e.kind for e in digest.events]
    assert kinds == ["threshold", "threshold", "longest_median", "retraction"]
    assert "now lies entirely above the protocol threshold of 6 months" in digest.events[0].text
    assert "longest pooled median is now zanidatamab" in digest.events[2].text
    assert "pemigatinib" in digest.events[2].text
    assert digest.events[3].text.startswith("PMID 34922298 (TreeTopp) was retracted")

    p = digest.prisma_period
    assert (p.searches, p.identified, p.duplicates_removed, p.screened, p.excluded) == (1, 7, 2, 5, 2)
    assert p.excluded_by_reason == {"first-line": 1, "retracted": 1}
    assert (p.awaiting_review, p.reports_assessed, p.reports_included) == (1, 2, 2)
    assert (p.studies_new, p.studies_removed, p.studies_previous) == (2, 1, 18)
    o = digest.prisma_overall
    assert (o.searches, o.identified, o.screened, o.awaiting_review) == (2, 10, 8, 2)
    assert o.identified_other == 17  # seed studies

    # The files of the second digest say the same.
    second = build.write_digest(db, protocol, tmp_path / "out")
    assert second[0].name != first[0].name  # a second digest on one day does not overwrite
    md = second[1].read_text()
    assert "### New studies since the last digest (2)" in md
    assert "**NCT22222222**" in md and "**ZANI-1**" in md and "NCT11111111" not in md.split(
        "### Pooled estimates")[0]
    assert md.count("| **△** ") == 4
    assert "[PMID 40000011](https://pubmed.ncbi.nlm.nih.gov/40000011/)" in md
    assert "A scheduled run was missed" not in md
    rows = _digest_rows(db)
    assert [r["snapshot_id"] for r in rows] == [1, 2] and rows[1]["previous_snapshot_id"] == 1
    assert json.loads(rows[1]["headline"])[1].startswith("2 new studies; 19 studies in the pool; "
                                                         "4 pooled estimates changed")


def test_digest_after_nothing_changed_has_no_events(db, protocol, tmp_path):
    period_one(db, protocol)
    build.write_digest(db, protocol, tmp_path)
    start, snap, previous = build.resolve_period(db, since_last=True, since=None, now=None)
    digest = build.collect(db, protocol, period_start=start, period_end=now_iso(),
                           previous_snapshot_id=snap, previous_digest=previous, day=None,
                           with_figures=False)
    assert digest.new_studies == [] and digest.changed_estimates == [] and digest.events == []
    assert digest.changes == [] and digest.prisma_period.searches == 0
    md = render.render_markdown(digest)
    assert "No conclusion-changing event" in md and "None." in md


def test_first_digest_reports_every_study_as_new(db, protocol, tmp_path):
    period_one(db, protocol)
    digest = build.collect(db, protocol, period_start=None, period_end=now_iso(),
                           previous_snapshot_id=None, previous_digest=None, day=None,
                           with_figures=False)
    assert len(digest.new_studies) == 18 and digest.previous_snapshot is None
    assert digest.events == []  # nothing to compare with: no "conclusion change"


def test_html_escapes_text_from_abstracts(db, protocol, tmp_path):
    period_one(db, protocol)
    build.write_digest(db, protocol, tmp_path)
    period_two(db, protocol)
    html_path, md_path = build.write_digest(db, protocol, tmp_path)
    html = html_path.read_text()
    assert "<script" not in html.lower()
    assert "Zanidatamab &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; HER2" in html
    md = md_path.read_text()
    assert "<script" not in md.lower() and "&lt;script&gt;" in md
    assert "&#64;team" in md and "\\*cancer\\*" in md and "HER2 \\| biliary" in md
    assert SCRIPT_TITLE not in md
    # The HTML is self-contained: every image is inline, nothing is fetched.
    assert re.findall(r'<img src="data:image/png;base64,', html)
    assert not re.search(r'(src|href)="(?!data:|https://pubmed\.ncbi\.nlm\.nih\.gov/\d+/)', html)
    assert len(md) < render.MARKDOWN_LIMIT


def test_since_date_compares_with_the_snapshot_before_it(db, protocol, tmp_path):
    from datetime import date, timedelta

    period_one(db, protocol)
    start, snap, previous = build.resolve_period(db, since_last=False,
                                                 since=date.today() + timedelta(days=1), now=None)
    assert snap == 1 and previous is None and start.endswith("T00:00:00.000000Z")
    start, snap, _ = build.resolve_period(db, since_last=False, since=date(2000, 1, 1), now=None)
    assert snap is None
    with pytest.raises(DigestError, match="is in the future"):
        build.write_digest(db, protocol, tmp_path, since=date.today() + timedelta(days=30))


def test_markdown_is_cut_to_fit_a_github_issue(db, protocol):
    period_one(db, protocol)
    digest = build.collect(db, protocol, period_start=None, period_end=now_iso(),
                           previous_snapshot_id=None, previous_digest=None, day=None,
                           with_figures=False)
    full = render.render_markdown(digest)
    assert len(full) > 5000
    cut = render.render_markdown(digest, limit=5000)
    assert len(cut) <= 5000 and cut.rstrip().endswith("has everything)")
