-- Screening decisions: one current decision per record. A person's decision
-- (decided_by LIKE 'review:%') is never overwritten by the model; history is in audit.
CREATE TABLE screening (
    pmid TEXT PRIMARY KEY REFERENCES records(pmid),
    decision TEXT NOT NULL CHECK (decision IN ('include', 'exclude', 'review')),
    probability REAL,
    reason TEXT,                 -- PRISMA exclusion reason when excluded (or predicted)
    cues TEXT NOT NULL DEFAULT '[]',   -- JSON: top features that drove the decision
    has_metadata INTEGER NOT NULL DEFAULT 1,  -- publication types / MeSH present?
    model_version TEXT,
    decided_by TEXT NOT NULL,    -- 'model:<version>' or 'review:<who>'
    decided_at TEXT NOT NULL,
    content_hash TEXT            -- records.content_hash that was screened
);
CREATE INDEX screening_decision ON screening(decision);
