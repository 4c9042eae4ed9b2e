"""Unit tests: conclusion-changing events, published matches, the missed-schedule note,
the search log, the methods paragraph, Markdown escaping and the `digest` command."""

from __future__ import annotations

from click.testing import CliRunner

from evidencebot.cli import main
from evidencebot.digest import compare, methods, prisma, render
from tests.digest.conftest import crawl_run, period_one


def a(regimen="FOLFOX", endpoint="OS", measure="median", k=2, est=6.5, lo=5.0, hi=8.0,
      analysis="primary", **kw):
    return {"analysis": analysis, "regimen": regimen, "endpoint": endpoint, "measure": measure,
            "k": k, "estimate": est, "ci_low": lo, "ci_high": hi, "pi_low": None,
            "pi_high": None, "tau2": 0.0, **kw}


def events(now, before, **kw):
    rows = compare.estimate_rows(now, before, [])
    return compare.threshold_events(rows, kw.get("hr", 1.0), kw.get("medians", {"OS": 6.0}))


def test_hazard_ratio_ci_that_now_excludes_one_is_an_event_and_back_again():
    before = [a("X vs Y", measure="hazard_ratio", est=0.8, lo=0.6, hi=1.1)]
    now = [a("X vs Y", measure="hazard_ratio", k=3, est=0.7, lo=0.55, hi=0.9)]
    [e] = events(now, before)
    assert "now lies entirely below HR 1" in e.text and "(primary analysis)" in e.text
    [e] = events(before, now)
    assert "no longer excludes HR 1" in e.text
    assert events(now, now) == []


def test_median_threshold_comes_from_the_protocol_per_endpoint():
    before = [a(lo=5.0, hi=8.0)]
    now = [a(k=3, lo=6.2, hi=8.0)]
    assert "above the protocol threshold of 6 months" in events(now, before)[0].text
    assert events(now, before, medians={}) == []           # no threshold set: no event
    assert events([a(measure="proportion", lo=0.1, hi=0.2)], [a(measure="proportion")]) == []


def test_sensitivity_analysis_is_checked_too():
    before = [a(analysis="sensitivity", lo=5.0)]
    now = [a(analysis="sensitivity", lo=6.5)]
    [e] = events(now, before)
    assert "verified-only sensitivity analysis" in e.text


def test_longest_median_change():
    before = [a("A", est=7.0), a("B", est=6.0)]
    now = [a("A", est=7.0), a("B", est=8.0)]
    [e] = compare.longest_median_events(now, before, ["OS"])
    assert e.text.startswith("OS: the longest pooled median is now B")
    assert compare.longest_median_events(before, before, ["OS"]) == []
    assert compare.longest_median_events(now, [], ["OS"]) == []


def test_changed_means_k_estimate_ci_pi_or_tau2_moved():
    assert not compare.differs(a(), a())
    assert compare.differs(a(), a(k=3))
    assert compare.differs(a(), a(hi=8.1))
    assert compare.differs(a(), None) and not compare.differs(a(k=0, est=None), None)


def test_published_estimate_matches_regimen_endpoint_and_measure():
    published = [
        {"regimen": "FOLFOX vs control", "endpoint": "OS", "measure": "hazard_ratio",
         "estimate": 0.69, "year": 2024, "source": "NMA"},
        {"regimen": "FOLFOX", "endpoint": "PFS (likely)", "measure": "median", "estimate": None,
         "year": 2025, "source": "Leem"},
        {"regimen": "FOLFOX", "endpoint": "OS", "measure": "median (raw scale)", "estimate": 6.43,
         "year": 2024, "source": "Digklia"},
    ]
    rows = compare.estimate_rows([a("FOLFOX vs active symptom control", measure="hazard_ratio"),
                                  a("FOLFOX"), a("FOLFOX", endpoint="PFS")], [], published)
    assert [r.published and r.published["source"] for r in rows] == ["NMA", "Digklia", None]


def test_missed_schedule_when_the_last_two_runs_are_more_than_8_days_apart(db):
    crawl_run(db, n_fetched=1, n_new=1, started_at="2026-01-01T06:00:00.000000Z")
    assert prisma.missed_schedule(db) is None  # one run: nothing to compare
    crawl_run(db, n_fetched=1, n_new=1, started_at="2026-01-08T06:00:00.000000Z")
    assert prisma.missed_schedule(db) is None  # weekly: on time
    crawl_run(db, n_fetched=1, n_new=1, started_at="2026-01-22T06:00:00.000000Z")
    crawl_run(db, n_fetched=0, n_new=0, status="failed", started_at="2026-01-23T06:00:00.000000Z")
    missed = prisma.missed_schedule(db)
    assert missed["gap_days"] == 14.0 and missed["previous_run"] == 2 and missed["last_run"] == 3


def test_search_log_has_the_exact_query_and_windows(db):
    crawl_run(db, n_fetched=4, n_new=4, query='"cholangiocarcinoma"[tiab] AND "second-line"[tiab]',
              started_at="2026-01-01T06:00:00.000000Z")
    [run] = prisma.search_log(db, "2025-12-31T00:00:00.000000Z", "2026-01-02T00:00:00.000000Z")
    assert run["query"] == '"cholangiocarcinoma"[tiab] AND "second-line"[tiab]'
    assert run["windows"] == [{"mindate": "2026/01/01", "maxdate": "2026/01/08", "count": 4,
                               "n_stored": 4, "status": "completed"}]
    assert prisma.search_log(db, "2026-01-02T00:00:00.000000Z", "2026-02-01T00:00:00.000000Z") == []


def test_methods_paragraph_follows_the_settings_and_lists_approximations():
    settings = {"method": "REML", "ci_method": "knha", "fallback_method": "DL",
                "median_scale": "log", "proportion_transform": "logit",
                "median_without_ci": "exclude"}
    text = methods.methods_paragraph(
        settings, [a(notes=["ABC-06 excluded — W301: median reported without a CI",
                            "X: W305: upper CI bound not reached"], converged=False)],
        engine_version="evidencebot.pool.v1", protocol_version="2026.1", protocol_sha256="ab" * 32)
    assert "restricted maximum likelihood (REML" in text and "Hartung–Knapp" in text
    assert "falling back to the DerSimonian–Laird" in text and "log scale" in text
    assert "(W301, 1×)" in text and "(W305, 1×)" in text and "fallback estimator was used in 1" in text
    dl = methods.methods_paragraph({**settings, "method": "DL", "ci_method": "z"}, [],
                                   engine_version="v", protocol_version="", protocol_sha256="")
    assert "falling back" not in dl and "Wald-type" in dl and "exclusions in the current primary " \
        "analyses: none" in dl


def test_markdown_escaping():
    assert render.md_escape("<b>*x*</b> | [y](z) @me\nnext") == \
        "&lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\[y\\](z) &#64;me next"
    assert render.md_pubmed("123") == "[PMID 123](https://pubmed.ncbi.nlm.nih.gov/123/)"
    assert render.md_pubmed("javascript:x") == "javascript:x"
    assert render.md_code("a ``` b").startswith("````\n")


def test_cli_digest_writes_files_and_rejects_both_since_options(tmp_path, protocol, no_smtp):
    from evidencebot.store import open_db

    path = tmp_path / "e.db"
    period_one(open_db(path), protocol)
    runner = CliRunner()
    result = runner.invoke(main, ["digest", "--db", str(path), "--protocol", str(protocol.path),
                                  "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert result.output.count("Digest: wrote ") == 2
    result = runner.invoke(main, ["digest", "--db", str(path), "--since", "2026-01-01",
                                  "--since-last"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: give either --since DATE or --since-last, not both"
    result = runner.invoke(main, ["digest", "--db", str(path), "--since", "last week"])
    assert (result.exit_code, result.output.strip()) == (
        1, "Error: --since 'last week' is not a date; use YYYY-MM-DD")
    assert "Write a dated digest" in runner.invoke(main, ["digest", "--help"]).output
