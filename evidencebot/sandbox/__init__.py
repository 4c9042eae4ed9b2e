"""A local PubMed: an HTTP server speaking NCBI E-utilities over PubMed XML files.

NCBI cannot be reached from here, so crawls, tests and demos run against this sandbox. It
implements the part of the protocol evidencebot uses, with PubMed's behaviour where a client
depends on it, and can inject the faults a client must survive.

Layout: corpus (records and indexes) -> query (the query language) -> eutils (E-utility
responses) -> server (HTTP, faults, admin endpoints); config holds SandboxConfig, dates the
date helpers, generate the synthetic corpus generator.
"""

from evidencebot.errors import PubmedParseError, SandboxError
from evidencebot.sandbox.config import FAIL_STATUSES, SandboxConfig
from evidencebot.sandbox.corpus import Corpus, Record, load_records, parse_record, tokenize
from evidencebot.sandbox.dates import parse_date
from evidencebot.sandbox.eutils import (
    EFETCH_MAX,
    EINFO_DOCTYPE,
    ESEARCH_DOCTYPE,
    ESUMMARY_DOCTYPE,
    PUBMED_DOCTYPE,
    XML_DECLARATION,
    EUtilities,
    Reply,
)
from evidencebot.sandbox.generate import (
    MESH_UI,
    PUBLICATION_TYPE_UI,
    article_set,
    build_article,
    generate_corpus,
)
from evidencebot.sandbox.query import (
    DATE_FIELDS,
    FIELD_LABELS,
    FIELD_TAGS,
    BoolOp,
    Node,
    QuerySyntaxError,
    Term,
    parse_query,
)
from evidencebot.sandbox.server import (
    ENDPOINTS,
    EUTILS_PATH,
    SCRIPT_WORDS,
    SandboxServer,
    make_server,
)

__all__ = [
    "DATE_FIELDS", "EFETCH_MAX", "EINFO_DOCTYPE", "ENDPOINTS", "ESEARCH_DOCTYPE",
    "ESUMMARY_DOCTYPE", "EUTILS_PATH", "FAIL_STATUSES", "FIELD_LABELS", "FIELD_TAGS", "MESH_UI",
    "PUBLICATION_TYPE_UI", "PUBMED_DOCTYPE", "SCRIPT_WORDS", "XML_DECLARATION",
    "BoolOp", "Corpus", "EUtilities", "Node", "PubmedParseError", "QuerySyntaxError", "Record",
    "Reply", "SandboxConfig", "SandboxError", "SandboxServer", "Term",
    "article_set", "build_article", "generate_corpus", "load_records", "make_server",
    "parse_date", "parse_query", "parse_record", "tokenize",
]  # fmt: skip
