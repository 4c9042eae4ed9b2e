-- Pooling: reviewer "same study as" links and pool snapshots.

-- A reviewer's statement that two study keys (registry id, acronym, 'pmid:<pmid>', seed
-- name) name one study. Resolved at pool time together with evidence.registry.
CREATE TABLE study_links (
    study TEXT NOT NULL,
    same_as TEXT NOT NULL,
    linked_by TEXT NOT NULL,                     -- 'review:<who>'
    reason TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (study, same_as),
    CHECK (study <> same_as)
);

-- One row per distinct pool: a new one only when the inputs hash changes.
CREATE TABLE pool_snapshots (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    inputs_hash TEXT NOT NULL,                   -- sha256 of inputs + settings + engine version
    engine_version TEXT NOT NULL,
    protocol_sha256 TEXT NOT NULL DEFAULT '',
    settings TEXT NOT NULL,                      -- JSON: method, ci_method, scales, ...
    inputs TEXT NOT NULL,                        -- JSON: pooled input rows and retracted pmids
    results TEXT NOT NULL,                       -- JSON: {"analyses": [...], "subgroup_tests": [...]}
    changes TEXT NOT NULL DEFAULT '[]'           -- JSON list of human-readable changes
);
CREATE INDEX pool_snapshots_hash ON pool_snapshots(inputs_hash);

-- The snapshot's analyses, one row each, for the digest and the web layer to query.
CREATE TABLE pool_results (
    snapshot_id INTEGER NOT NULL REFERENCES pool_snapshots(id),
    analysis TEXT NOT NULL CHECK (analysis IN ('primary', 'sensitivity')),
    endpoint TEXT NOT NULL,
    measure TEXT NOT NULL,
    regimen TEXT NOT NULL,
    k INTEGER NOT NULL,
    estimate REAL,
    ci_low REAL,
    ci_high REAL,
    result TEXT NOT NULL,                        -- JSON: the full result dict
    PRIMARY KEY (snapshot_id, analysis, endpoint, measure, regimen)
);
