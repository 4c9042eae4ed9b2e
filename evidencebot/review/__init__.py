"""Review: the queue of what the bot is unsure of, a local web page and CLI to settle it,
and decisions that are audited, re-pooled and become training labels.

Modules: `queue` (what to review, in order), `decisions` (validation and the writes),
`view` (what a record's page shows), `exchange` (decisions as YAML/CSV), `web` (Flask).
"""
