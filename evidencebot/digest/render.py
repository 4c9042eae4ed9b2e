"""Render a `Digest` as self-contained HTML and as Markdown for a GitHub issue body.

Safe by construction:
- HTML: Jinja with autoescape on and no `|safe`; figures are `data:` URIs of base64 PNG
  (only [A-Za-z0-9+/=], nothing to escape); PubMed links are built from all-digit PMIDs only.
- Markdown: every `{{ … }}` passes through `finalize=md_escape`, which escapes HTML (`<`, `>`,
  `&`) and Markdown punctuation, turns newlines into spaces (table cells) and defuses
  @-mentions; only `MdSafe` fragments built here (links to PubMed) pass unchanged.
The Markdown is kept under MARKDOWN_LIMIT characters (GitHub's issue body limit is 65,536):
first by a compact form (only changed estimates, shorter lists), then by cutting with a note.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from evidencebot.digest.compare import EstimateRow

TEMPLATES = Path(__file__).resolve().parent / "templates"
MARKDOWN_LIMIT = 60_000
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|~])")


class MdSafe(str):
    """A Markdown fragment built by this module from escaped parts."""


def md_escape(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, MdSafe):
        return value
    text = str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MD_SPECIAL.sub(r"\\\1", text)
    text = text.replace("@", "&#64;")
    return " ".join(text.split()) if ("\n" in text or "\r" in text) else text


def md_code(text: object) -> str:
    """A fenced code block (contents shown verbatim, so not escaped), with a fence longer
    than any run of backticks inside."""
    body = str(text or "")
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return MdSafe(f"{fence}\n{body}\n{fence}")


def pmid_url(pmid: object) -> str | None:
    text = str(pmid or "")
    return PUBMED.format(text) if re.fullmatch(r"\d{1,9}", text) else None


def md_pubmed(pmid: object) -> str:
    url = pmid_url(pmid)
    return MdSafe(f"[PMID {pmid}]({url})") if url else md_escape(pmid)


# --- number formatting (shared by both templates) -------------------------------------------


def num(x: float | None, measure: str = "") -> str:
    if x is None:
        return "NA"
    if measure == "proportion":
        return f"{100 * x:.1f}%"
    return f"{x:.2f}"


def est(a: dict | None) -> str:
    if a is None:
        return "—"
    if not a.get("k") or a.get("estimate") is None:
        return "not pooled"
    m = a["measure"]
    return f"{num(a['estimate'], m)} [{num(a['ci_low'], m)}, {num(a['ci_high'], m)}]"


def pi(a: dict | None) -> str:
    if a is None or a.get("pi_low") is None:
        return "—"
    return f"[{num(a['pi_low'], a['measure'])}, {num(a['pi_high'], a['measure'])}]"


def i2(a: dict | None) -> str:
    return "—" if a is None or a.get("i2") is None else f"{a['i2']:.0f}%"


def tau2(a: dict | None) -> str:
    return "—" if a is None or a.get("tau2") is None else f"{a['tau2']:.3f}"


def k(a: dict | None) -> str:
    return "—" if a is None else str(a["k"])


def published(p: dict | None, measure: str = "") -> str:
    if not p:
        return "—"
    k_text = f", k = {p['k']}" if p.get("k") else ""
    ci = (f" [{num(p['ci_low'], measure)}, {num(p['ci_high'], measure)}]"
          if p.get("ci_low") is not None else "")
    return f"{num(p['estimate'], measure)}{ci} ({p['source']}, {p['year']}{k_text})"


def input_value(r: dict) -> str:
    """An extracted number as the pool used it: '6.2 months (95% CI 5.1–7.5)'."""
    m = r["measure"]
    if r.get("not_reached"):
        return "not reached"
    if r.get("value") is None:
        return "—"
    unit = " months" if m == "median" else ""
    value = num(r["value"], m) if m == "proportion" else f"{r['value']:g}{unit}"
    lo, hi = r.get("ci_low"), r.get("ci_high")
    if lo is None and hi is None:
        return value
    level = int(round(100 * (r.get("ci_level") or 0.95)))
    hi_text = "NR" if r.get("ci_high_not_reached") or hi is None else (
        num(hi, m) if m == "proportion" else f"{hi:g}")
    lo_text = "NA" if lo is None else (num(lo, m) if m == "proportion" else f"{lo:g}")
    return f"{value} ({level}% CI {lo_text}–{hi_text})"


def when(iso: str | None) -> str:
    if not iso:
        return "the start of the review"
    return iso[:16].replace("T", " ") + " UTC"


def measure_name(m: str) -> str:
    return {"hazard_ratio": "hazard ratio"}.get(m, m)


def subject(digest) -> str:
    events = f", {len(digest.events)} conclusion-changing" if digest.events else ""
    return (f"evidencebot digest {digest.day.isoformat()}: {len(digest.new_studies)} new studies, "
            f"{len(digest.changed_estimates)} changed estimates{events}")


def _by_endpoint(rows: list[EstimateRow]) -> list[tuple[str, list[EstimateRow]]]:
    groups: dict[str, list[EstimateRow]] = {}
    for r in rows:
        if not any(a is not None and a["k"] for a in (r.primary, r.primary_before, r.sensitivity,
                                                       r.sensitivity_before)):
            continue
        groups.setdefault(f"{r.endpoint} — {measure_name(r.measure)}", []).append(r)
    return list(groups.items())


FILTERS = {"est": est, "pi": pi, "i2": i2, "tau2": tau2, "k": k, "num": num,
           "published": published, "input_value": input_value, "when": when,
           "measure_name": measure_name, "pmid_url": pmid_url}


def _environment(**kwargs) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             **kwargs)
    env.filters.update(FILTERS)
    return env


def render_html(digest) -> str:
    env = _environment(autoescape=True)
    return env.get_template("digest.html.j2").render(
        d=digest, groups=_by_endpoint(digest.estimates), subject=subject(digest))


def render_markdown(digest, limit: int = MARKDOWN_LIMIT) -> str:
    env = _environment(autoescape=False, finalize=md_escape)
    env.filters["pubmed"] = md_pubmed
    env.filters["code"] = md_code
    template = env.get_template("digest.md.j2")
    text = ""
    for compact in (False, True):
        text = template.render(d=digest, groups=_by_endpoint(digest.estimates), compact=compact,
                               subject=subject(digest))
        if len(text) <= limit:
            return text
    note = "\n\n… (cut to fit a GitHub issue; the attached HTML digest has everything)\n"
    cut = text[: limit - len(note)]
    return cut[: cut.rfind("\n")] + note
