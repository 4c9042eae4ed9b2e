"""Pooling: studies from records, effect sizes, the random-effects engine and pool snapshots.

Modules: `engine` (meta-analysis, pure numpy/scipy), `effects` (effect sizes from reported
numbers), `studies` (study keys, "same study as" links, precedence), `analysis` (which
analyses to run and their result dicts; pure), `published` (published pooled estimates),
`stage` (the database side: `run(db, protocol)` stores snapshots).
"""
