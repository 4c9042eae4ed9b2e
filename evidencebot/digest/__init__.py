"""The digest: what the living review found since the last one.

Modules: `build` (`write_digest`, the pipeline's entry point; `collect` gathers a `Digest`),
`compare` (estimates now vs at the last digest, conclusion-changing events), `prisma`
(PRISMA 2020 counts, the search log, the missed-schedule check), `methods` (the methods
paragraph), `plots` (forest, cumulative and PRISMA figures; matplotlib Agg), `render`
(Jinja: HTML with autoescape, Markdown with escaping by construction), `mail` (SMTP).
"""
