"""The review protocol: the shipped file loads, bad values are named, regimens normalise."""

from __future__ import annotations

import tomllib

import pytest

from evidencebot.errors import ProtocolError
from evidencebot.protocol import NCBI_EUTILS_URL, eutils_url, load_protocol, protocol_from_dict
from tests.conftest import REPO


def raw() -> dict:
    return tomllib.loads((REPO / "evidencebot.toml").read_text())


def test_shipped_protocol_loads_with_a_real_query(protocol):
    assert "cholangiocarcinoma" in protocol.search.query.lower()
    assert "second-line" in protocol.search.query
    assert protocol.search.batch_size == 500 and protocol.search.max_ids == 9999
    assert protocol.pool.method == "REML" and protocol.pool.ci_method == "knha"
    assert len(protocol.sha256) == 64


@pytest.mark.parametrize("written,family", [
    ("mFOLFIRINOX", "FOLFIRINOX"), ("modified FOLFIRINOX", "FOLFIRINOX"),
    ("5-FU/leucovorin/irinotecan/oxaliplatin", "FOLFIRINOX"),
    ("Onivyde", "nal-IRI + 5-FU/LV"), ("liposomal  irinotecan", "nal-IRI + 5-FU/LV"),
    ("MM-398", "nal-IRI + 5-FU/LV"), ("mFOLFOX6", "FOLFOX"), ("CAPOX", "XELOX"),
    ("5-FU/LV", "5-FU/LV"), ("gemcitabine rechallenge", "gemcitabine rechallenge"),
    ("something else", None),
])
def test_regimen_dictionary(protocol, written, family):
    assert protocol.normalise_regimen(written) == family


def test_longer_synonyms_are_tried_first(protocol):
    synonyms = [s for _, s in protocol.regimen_synonyms()]
    assert synonyms.index("nal-IRI + 5-FU/LV") < synonyms.index("5-FU/LV")


@pytest.mark.parametrize("section,key,value,message", [
    ("search", "batch_size", 0, "batch_size = 0: must be between 1 and 10000"),
    ("search", "start_date", "2020-01-01", "start_date = '2020-01-01': use YYYY/MM/DD"),
    ("search", "max_attempts", 0, "max_attempts = 0: must be at least 1"),
    ("pool", "method", "BAYES", "method = 'BAYES': choose one of"),
    ("pool", "ci_method", "t", "ci_method = 't': use 'z' or 'knha'"),
    ("pool", "median_scale", "sqrt", "median_scale = 'sqrt': use 'log' or 'raw'"),
    ("pool", "proportion_transform", "arcsine", "proportion_transform = 'arcsine'"),
    ("pool", "median_without_ci", "guess", "median_without_ci = 'guess'"),
])
def test_bad_values_are_named(section, key, value, message):
    data = raw()
    data[section][key] = value
    with pytest.raises(ProtocolError, match=message.replace("(", r"\(").replace("[", r"\[")):
        protocol_from_dict(data)


def test_missing_query_is_named():
    data = raw()
    del data["search"]["query"]
    with pytest.raises(ProtocolError, match="missing the required key 'query'"):
        protocol_from_dict(data)


def test_not_toml_is_a_clear_error(tmp_path):
    bad = tmp_path / "p.toml"
    bad.write_text("[search\nquery = ")
    with pytest.raises(ProtocolError, match="is not valid TOML"):
        load_protocol(bad)


def test_email_from_environment_and_endpoint_resolution(monkeypatch):
    monkeypatch.setenv("NCBI_EMAIL", "someone@example.org")
    assert protocol_from_dict(raw()).search.email == "someone@example.org"
    monkeypatch.delenv("EVIDENCEBOT_EUTILS_URL", raising=False)
    assert eutils_url() == NCBI_EUTILS_URL
    monkeypatch.setenv("EVIDENCEBOT_EUTILS_URL", "http://127.0.0.1:8765/entrez/eutils")
    assert eutils_url() == "http://127.0.0.1:8765/entrez/eutils/"
    assert eutils_url("http://x/") == "http://x/"
