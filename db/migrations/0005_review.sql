-- Review: what maintainers decide on the review page, the CLI or an imported decisions file.
-- Screening decisions go to screening (decided_by 'review:<who>'), corrections and additions
-- to evidence (status 'verified', source 'review:<who>'), "same study as" links to
-- study_links; every write is also in audit. These tables hold the rest.

-- A reviewer's free-text note on a record.
CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY,
    pmid TEXT NOT NULL,
    reviewer TEXT NOT NULL,                      -- 'review:<who>'
    text TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX review_notes_pmid ON review_notes(pmid);

-- A flag a reviewer looked at and set aside: "not the same study", "retraction seen".
CREATE TABLE review_dismissals (
    kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'retraction')),
    item_key TEXT NOT NULL,                      -- duplicate: '<pmid>|<study>'; retraction: pmid
    pmid TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (kind, item_key)
);

-- Evidence rows a reviewer deleted (evidence.active = 0 without superseded_by).
CREATE TABLE review_deletions (
    evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id),
    pmid TEXT,
    deleted_by TEXT NOT NULL,
    reason TEXT,
    created_at TEXT NOT NULL
);

-- Evidence rows withheld from the pool because a reviewer excluded their record; they
-- come back (active = 1) if the record is included again.
CREATE TABLE review_withheld (
    evidence_id INTEGER PRIMARY KEY REFERENCES evidence(id),
    pmid TEXT NOT NULL,
    withheld_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- One row per save (web form, `review decide`, `review import`): what changed and which
-- pool snapshots it sat between, so the page can show how the pooled estimates moved.
CREATE TABLE review_saves (
    id INTEGER PRIMARY KEY,
    pmid TEXT,                                   -- NULL for an import touching many records
    reviewer TEXT NOT NULL,                      -- 'review:<who>'
    origin TEXT NOT NULL CHECK (origin IN ('web', 'cli', 'import')),
    at TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '[]',          -- JSON list of human-readable changes
    snapshot_before INTEGER,
    snapshot_after INTEGER,
    pool_error TEXT
);
CREATE INDEX review_saves_pmid ON review_saves(pmid);
