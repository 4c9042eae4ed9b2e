-- Core evidence database: crawled records, crawl log, evidence rows, audit trail.
-- Later migrations add their own tables; never edit a migration that has shipped.

CREATE TABLE records (
    pmid TEXT PRIMARY KEY,
    version INTEGER NOT NULL DEFAULT 1,          -- PubMed's own version attribute
    revision INTEGER NOT NULL DEFAULT 1,         -- how many distinct contents we have seen
    content_hash TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    abstract TEXT NOT NULL DEFAULT '',            -- plain text; sections joined by newlines
    abstract_sections TEXT NOT NULL DEFAULT '[]', -- JSON [{label, text}]
    journal TEXT NOT NULL DEFAULT '',
    pub_year INTEGER,
    pub_date TEXT,
    entry_date TEXT,                              -- PubMed [edat], YYYY-MM-DD
    publication_types TEXT NOT NULL DEFAULT '[]',
    mesh_terms TEXT NOT NULL DEFAULT '[]',
    keywords TEXT NOT NULL DEFAULT '[]',
    doi TEXT,
    registry_ids TEXT NOT NULL DEFAULT '[]',
    language TEXT,
    comments_corrections TEXT NOT NULL DEFAULT '[]', -- JSON [{ref_type, pmid, source}]
    retracted INTEGER NOT NULL DEFAULT 0,
    has_erratum INTEGER NOT NULL DEFAULT 0,
    expression_of_concern INTEGER NOT NULL DEFAULT 0,
    is_retraction_notice INTEGER NOT NULL DEFAULT 0,
    first_run_id INTEGER,
    last_run_id INTEGER,
    updated_at TEXT NOT NULL
);
CREATE INDEX records_entry_date ON records(entry_date);

-- Earlier contents of a record that PubMed later changed (erratum, retraction, new version).
CREATE TABLE record_versions (
    pmid TEXT NOT NULL,
    revision INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    data TEXT NOT NULL,                          -- JSON of the records row as it was
    superseded_at TEXT NOT NULL,
    PRIMARY KEY (pmid, revision)
);

CREATE TABLE crawl_runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    eutils_url TEXT NOT NULL,
    query TEXT NOT NULL,
    mindate TEXT NOT NULL,
    maxdate TEXT NOT NULL,
    n_found INTEGER NOT NULL DEFAULT 0,           -- sum of esearch counts over leaf windows
    n_fetched INTEGER NOT NULL DEFAULT 0,
    n_new INTEGER NOT NULL DEFAULT 0,
    n_updated INTEGER NOT NULL DEFAULT 0,
    n_unchanged INTEGER NOT NULL DEFAULT 0,
    n_requests INTEGER NOT NULL DEFAULT 0,
    error TEXT
);

-- One row per date window searched; a window is completed only when all its batches
-- are stored, so a crashed run resumes from the last completed window.
CREATE TABLE crawl_windows (
    run_id INTEGER NOT NULL REFERENCES crawl_runs(id),
    mindate TEXT NOT NULL,
    maxdate TEXT NOT NULL,
    count INTEGER NOT NULL,
    n_stored INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
    completed_at TEXT,
    PRIMARY KEY (run_id, mindate, maxdate)
);

-- Every number the pool may use: seed rows, machine extractions, verified corrections.
-- A row is never updated in place by a machine; a correction supersedes it.
CREATE TABLE evidence (
    id INTEGER PRIMARY KEY,
    pmid TEXT,                                   -- source record; NULL for seed rows without one
    study TEXT NOT NULL,                         -- study key (see pool/studies.py)
    status TEXT NOT NULL CHECK (status IN ('machine', 'verified', 'seed')),
    source TEXT NOT NULL,                        -- 'seed:<file>', 'extract:<version>', 'review:<who>'
    design TEXT,
    line TEXT,
    year INTEGER,
    registry TEXT,
    arm TEXT NOT NULL DEFAULT '',
    regimen TEXT,                                -- family from the protocol's regimen dictionary
    n INTEGER,
    endpoint TEXT NOT NULL,                      -- PFS, OS, TTP, DoR, ORR, grade3plus_neutropenia, ...
    measure TEXT NOT NULL CHECK (measure IN ('median', 'hazard_ratio', 'proportion', 'rate')),
    value REAL,
    unit TEXT,                                   -- as written: months, weeks, days, years
    value_months REAL,
    not_reached INTEGER NOT NULL DEFAULT 0,
    ci_level REAL,
    ci_low REAL,
    ci_high REAL,
    ci_high_not_reached INTEGER NOT NULL DEFAULT 0,
    events INTEGER,
    comparison TEXT,                             -- hazard ratios: "A vs B"
    p_value TEXT,
    subgroup TEXT,                               -- NULL = main population
    span_start INTEGER,
    span_end INTEGER,
    confidence REAL,
    flags TEXT NOT NULL DEFAULT '[]',            -- JSON list of consistency warnings
    note TEXT,
    active INTEGER NOT NULL DEFAULT 1,           -- 0 once superseded or deleted by a reviewer
    superseded_by INTEGER REFERENCES evidence(id),
    created_at TEXT NOT NULL
);
CREATE INDEX evidence_pool ON evidence(active, endpoint, measure, regimen);
CREATE INDEX evidence_pmid ON evidence(pmid);

-- Who changed what, when and why: every write a person makes, and every machine
-- decision that a person may later need to explain.
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,                         -- 'crawl', 'screen:<model>', 'review:<who>', ...
    action TEXT NOT NULL,
    table_name TEXT,
    row_key TEXT,
    before TEXT,                                 -- JSON
    after TEXT,                                  -- JSON
    reason TEXT
);
CREATE INDEX audit_row ON audit(table_name, row_key);
