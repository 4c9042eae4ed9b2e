"""Every error evidencebot raises on purpose. The CLI turns each into `Error: <message>`, exit 1.

Messages name the bad value and say how to fix it.
"""


class EvidencebotError(Exception):
    """Base class: an expected failure with a message fit for the user."""


class ProtocolError(EvidencebotError):
    """The review protocol file is missing, malformed or inconsistent."""


class DatabaseError(EvidencebotError):
    """The evidence database cannot be opened, migrated or written."""


class DatabaseLocked(DatabaseError):
    """Another evidencebot run holds the database lock."""


class EntrezError(EvidencebotError):
    """NCBI E-utilities (or the sandbox) failed after every retry, or answered with an error."""


class PubmedParseError(EvidencebotError):
    """A PubMed XML document cannot be parsed (unknown DTD, malformed XML)."""


class SeedError(EvidencebotError):
    """A seed evidence file is malformed; nothing from it was loaded."""


class ModelError(EvidencebotError):
    """A shipped model is missing, untrusted or was trained for another feature set."""


class ReviewError(EvidencebotError):
    """A reviewer's decision or correction is invalid; nothing was saved."""


class DigestError(EvidencebotError):
    """A digest cannot be built or delivered."""


class SandboxError(EvidencebotError):
    """The PubMed sandbox cannot start or was given an invalid setting."""


class CorpusError(EvidencebotError):
    """A corpus file cannot be read (not YAML, or not a list of entries)."""
