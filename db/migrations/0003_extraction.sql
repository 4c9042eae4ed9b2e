-- Which record was extracted by which extractor version, so a changed record or a new
-- rule set re-extracts, and an unchanged one does not. Extracted numbers live in evidence.
CREATE TABLE extractions (
    pmid TEXT PRIMARY KEY REFERENCES records(pmid),
    extractor_version TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    extracted_at TEXT NOT NULL,
    n_outcomes INTEGER NOT NULL DEFAULT 0,
    n_hazard_ratios INTEGER NOT NULL DEFAULT 0,
    n_toxicities INTEGER NOT NULL DEFAULT 0,
    flags TEXT NOT NULL DEFAULT '[]'   -- JSON: consistency-check warnings (codes + messages)
);
