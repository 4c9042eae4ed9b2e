-- Digests: one row per digest written, so `evidencebot digest --since-last` knows where the
-- last one ended and which pool snapshot it reported (its estimates are "at the last digest").

CREATE TABLE digests (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    period_start TEXT,                           -- NULL = from the beginning of the review
    period_end TEXT NOT NULL,                    -- the next --since-last digest starts here
    snapshot_id INTEGER REFERENCES pool_snapshots(id),       -- estimates reported as "now"
    previous_snapshot_id INTEGER REFERENCES pool_snapshots(id), -- ... and as "at the last digest"
    files TEXT NOT NULL DEFAULT '[]',            -- JSON list of paths written
    headline TEXT NOT NULL DEFAULT '[]',         -- JSON list of headline lines
    status TEXT NOT NULL CHECK (status IN ('written', 'sent', 'mail_failed')),
    recipients INTEGER NOT NULL DEFAULT 0,       -- how many addresses the e-mail went to
    error TEXT                                   -- why the e-mail failed (never the password)
);
CREATE INDEX digests_status ON digests(status, period_end);
