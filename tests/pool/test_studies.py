"""Studies, not papers: study keys, "same study as" resolution and precedence."""

from __future__ import annotations

from evidencebot.pool.studies import StudyResolver, normalise_registry, select, study_key


def test_study_key_prefers_registry_then_acronym():
    assert study_key(["nct 01926236"], "ABC-06: FOLFOX", "") == "NCT01926236"
    assert study_key([], "Final results", "Registered at ClinicalTrials.gov, NCT03524508.") == "NCT03524508"
    assert study_key([], "Nivolumab in BTC", "JapicCTI-153098") == "JapicCTI-153098"
    assert study_key(["ISRCTN12345678"], "", "") == "ISRCTN12345678"
    assert study_key([], "", "EudraCT number 2017-001234-56") == "EudraCT-2017-001234-56"
    assert study_key([], "Updated survival in the NIFTY trial", "") == "NIFTY"
    assert study_key([], "ABC 06 quality of life", "") == "ABC-06"
    assert study_key([], "KEYNOTE-158 biliary cohort", "") == "KEYNOTE-158"
    assert study_key([], "A retrospective FOLFIRI series", "") == ""
    assert normalise_registry("not a registry") == ""


def row(id, study, status, year, pmid=None, registry=None, regimen="FOLFOX", value=1.0):
    return {"id": id, "study": study, "status": status, "year": year, "pmid": pmid,
            "registry": registry, "regimen": regimen, "arm": regimen, "endpoint": "OS",
            "measure": "median", "value": value}


def test_registry_and_links_unite_records_under_the_readable_name():
    rows = [row(1, "ABC-06", "seed", 2021, registry="NCT01926236"),
            row(2, "NCT01926236", "machine", 2022, pmid="2"),
            row(3, "pmid:3", "machine", 2020, pmid="3")]
    resolver = StudyResolver(rows, links=[("pmid:3", "NCT01926236")])
    assert {resolver.canonical(r["study"]) for r in rows} == {"ABC-06"}
    assert resolver.aliases("pmid:3") == ["ABC-06", "NCT01926236", "pmid:3"]


def test_precedence_verified_then_seed_then_machine_then_most_recent():
    rows = [row(1, "X", "machine", 2024, pmid="9", value=1.0),
            row(2, "X", "seed", 2021, value=2.0),
            row(3, "X", "seed", 2023, value=3.0),
            row(4, "X", "verified", 2019, pmid="1", value=4.0)]
    sel = select(rows, StudyResolver(rows))
    assert [r["id"] for r in sel.chosen] == [4]
    sel = select(rows[:3], StudyResolver(rows))
    assert [r["id"] for r in sel.chosen] == [3]  # seed beats a newer machine row
    sel = select([rows[0], row(5, "X", "machine", 2024, pmid="10")], StudyResolver(rows))
    assert [r["id"] for r in sel.chosen] == [5]  # same year: the later pmid


def test_arms_and_subgroups():
    rows = [row(1, "X", "seed", 2021, regimen="FOLFOX"), row(2, "X", "seed", 2021, regimen="ASC"),
            {**row(3, "X", "seed", 2021), "subgroup": "IDH1-mutant"}]
    assert sorted(r["id"] for r in select(rows, StudyResolver(rows)).chosen) == [1, 2]
