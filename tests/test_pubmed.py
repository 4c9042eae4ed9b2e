"""PubMed XML parsing: fields, retraction logic, and refusal of what Biopython would download."""

from __future__ import annotations

import pytest

from evidencebot.errors import PubmedParseError
from evidencebot.pubmed import parse_pubmed_xml
from tests.fixtures.make_xml import article, pubmed_xml


def _with_comments(xml: bytes, comments: str) -> bytes:
    return xml.replace(b"<MedlineJournalInfo>", comments.encode() + b"<MedlineJournalInfo>", 1)


def test_fields_are_parsed():
    xml = pubmed_xml(article("90000001", registry_ids=("NCT01926236",),
                             abstract="BACKGROUND: Why.\nRESULTS: Median OS 6.2 months (NCT03524508)."))
    [record] = parse_pubmed_xml(xml)
    assert record.pmid == "90000001"
    assert record.version == 1
    assert record.title.startswith("A phase II trial of FOLFOX")
    assert [s.label for s in record.abstract_sections] == ["BACKGROUND", "RESULTS"]
    assert record.abstract == "BACKGROUND: Why.\nRESULTS: Median OS 6.2 months (NCT03524508)."
    assert record.entry_date == "2021-03-04"
    assert record.pub_year == 2021
    assert record.mesh_terms == ("Cholangiocarcinoma",)
    # From DataBankList and from the text, each once, DataBankList first.
    assert record.registry_ids == ("NCT01926236", "NCT03524508")
    assert record.language == "eng"
    assert not record.retracted and not record.is_retraction_notice


def test_retracted_by_publication_type():
    [record] = parse_pubmed_xml(pubmed_xml(article("1", publication_types=(
        "Journal Article", "Retracted Publication"))))
    assert record.retracted and not record.is_retraction_notice


def test_retraction_in_link_retracts_but_erratum_and_concern_only_flag():
    xml = _with_comments(pubmed_xml(article("2")), (
        '<CommentsCorrectionsList>'
        '<CommentsCorrections RefType="ErratumIn"><RefSource>J 2022;1:2</RefSource></CommentsCorrections>'
        '<CommentsCorrections RefType="ExpressionOfConcernIn"><RefSource>J 2022</RefSource>'
        '<PMID Version="1">99</PMID></CommentsCorrections>'
        '</CommentsCorrectionsList>'))
    [record] = parse_pubmed_xml(xml)
    assert record.has_erratum and record.expression_of_concern and not record.retracted
    xml = _with_comments(pubmed_xml(article("3")), (
        '<CommentsCorrectionsList><CommentsCorrections RefType="RetractionIn">'
        '<RefSource>J 2023</RefSource><PMID Version="1">98</PMID></CommentsCorrections>'
        '</CommentsCorrectionsList>'))
    [record] = parse_pubmed_xml(xml)
    assert record.retracted
    assert record.comments_corrections[0].pmid == "98"


def test_retraction_notice_is_not_a_study():
    [record] = parse_pubmed_xml(pubmed_xml(article("4", publication_types=(
        "Retraction of Publication",))))
    assert record.is_retraction_notice and not record.retracted


def test_content_hash_changes_with_content_only():
    a = parse_pubmed_xml(pubmed_xml(article("5")))[0]
    b = parse_pubmed_xml(pubmed_xml(article("5")))[0]
    c = parse_pubmed_xml(pubmed_xml(article("5", title="Changed title")))[0]
    assert a.content_hash() == b.content_hash() != c.content_hash()


def test_unknown_dtd_is_refused_before_any_download():
    xml = pubmed_xml(article("6")).replace(b"pubmed_250101.dtd", b"pubmed_990101.dtd")
    with pytest.raises(PubmedParseError, match="pubmed_990101.dtd.*does not bundle"):
        parse_pubmed_xml(xml)


def test_missing_doctype_is_a_clear_error():
    with pytest.raises(PubmedParseError, match="no DOCTYPE"):
        parse_pubmed_xml(b"<PubmedArticleSet></PubmedArticleSet>")


@pytest.mark.parametrize("cut", [200, 900, -40])
def test_truncated_or_broken_xml_is_a_parse_error(cut):
    xml = pubmed_xml(article("7"), article("8"))
    with pytest.raises(PubmedParseError):
        parse_pubmed_xml(xml[:cut])


def test_a_bug_while_parsing_is_not_relabelled_as_a_bad_document(monkeypatch):
    # A PubmedParseError makes the crawl fetch the batch again; a programming error must
    # surface as itself instead of being retried and reported as unparseable XML.
    from Bio import Entrez

    def broken(*args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'attributes'")

    monkeypatch.setattr(Entrez, "read", broken)
    with pytest.raises(AttributeError):
        parse_pubmed_xml(pubmed_xml(article("90000001")))


def test_empty_set_parses_to_nothing():
    assert parse_pubmed_xml(pubmed_xml()) == []


def test_inline_formatting_is_removed_from_title_and_abstract():
    xml = pubmed_xml(article("9", title="TITLEMARK", abstract="RESULTS: ABSTRACTMARK"))
    xml = xml.replace(b"TITLEMARK", b"Second-line &lt;i&gt;FGFR2&lt;/i&gt; inhibition")
    xml = xml.replace(b"ABSTRACTMARK", b"Median OS was 6.2 months in &lt;i&gt;IDH1&lt;/i&gt;-mutant "
                      b"disease (10&lt;sup&gt;3&lt;/sup&gt; cells).")
    # The corpus writer escapes markup; real PubMed XML carries it as elements.
    xml = xml.replace(b"&lt;", b"<").replace(b"&gt;", b">")
    [record] = parse_pubmed_xml(xml)
    assert record.title == "Second-line FGFR2 inhibition"
    assert record.abstract == "RESULTS: Median OS was 6.2 months in IDH1-mutant disease (103 cells)."
