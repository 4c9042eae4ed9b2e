"""Studies, not papers: one set of numbers per study x arm x endpoint x measure.

Several PubMed records can report one trial (conference abstract, full paper, updated
analysis). Records are grouped into studies by

1. registry id (ClinicalTrials.gov NCT, ISRCTN, JapicCTI, EudraCT) — `study_key` puts it in
   evidence.study for machine rows, and evidence.registry links seed rows to it;
2. a known trial acronym in the title (seed study names plus `KNOWN_ACRONYMS`);
3. a reviewer's "same study as" link (table study_links);
otherwise the caller uses "pmid:<pmid>" (one record, one study).

Precedence (`select`): within one study x arm (regimen family) x endpoint x measure, the
pool uses one row: verified > seed > machine; within a status, the most recent report
(year, then pmid, then evidence id — a later report of the same trial, such as an updated
analysis, replaces an earlier one). A maintainer who wants an older report uses a verified
row, which outranks everything. Rows for a subgroup (evidence.subgroup set) are not pooled.

Pure functions; no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

REGISTRY_PATTERNS = (
    (re.compile(r"\bNCT\s?(\d{8})\b", re.I), "NCT{}"),
    (re.compile(r"\bISRCTN\s?(\d{8})\b", re.I), "ISRCTN{}"),
    (re.compile(r"\bJapicCTI[-\s]?(\d{6})\b", re.I), "JapicCTI-{}"),
    (re.compile(r"\bEudraCT(?:\s+(?:number|no\.?))?[:\s]*(\d{4}-\d{6}-\d{2})\b", re.I), "EudraCT-{}"),
)
_BARE_EUDRACT = re.compile(r"^(\d{4}-\d{6}-\d{2})$")

# Trial acronyms seen in second-line BTC (the seed's trials and other named BTC trials).
# Cohort labels such as "Kim-nivolumab" are not acronyms and are deliberately absent.
KNOWN_ACRONYMS = (
    "ABC-06", "NIFTY", "NALIRICC", "FIReFOX", "TreeTopp", "GB-SELECT", "ClarIDHy",
    "FIGHT-202", "KEYNOTE-158", "KEYNOTE-028", "FOENIX-CCA2", "HERIZON-BTC-01",
    "DESTINY-PanTumor02", "ROAR", "ReACHIN", "SWOG S1310", "TOPAZ-1", "KEYNOTE-966",
    "ABC-02", "PRODIGE", "AdvanTIG-202",
)

STATUS_RANK = {"verified": 3, "seed": 2, "machine": 1}


def normalise_registry(text: str) -> str:
    """'nct 01926236' -> 'NCT01926236'; '' when `text` holds no registry id."""
    text = (text or "").strip()
    for pattern, fmt in REGISTRY_PATTERNS:
        m = pattern.search(text)
        if m:
            return fmt.format(m.group(1))
    m = _BARE_EUDRACT.match(text)
    return f"EudraCT-{m.group(1)}" if m else ""


def _acronym_pattern(acronym: str) -> re.Pattern[str]:
    parts = [re.escape(p) for p in re.split(r"[-\s]+", acronym)]
    return re.compile(r"(?<![\w-])" + r"[-\s]?".join(parts) + r"(?![\w-])", re.I)


_ACRONYMS = tuple((a, _acronym_pattern(a)) for a in sorted(KNOWN_ACRONYMS, key=len, reverse=True))


def study_key(registry_ids: list[str], title: str, abstract: str) -> str:
    """The study a record reports: its first registry id (from the record's registry list,
    else one written in the title or abstract), else a known trial acronym in the title,
    else "" (the caller then uses "pmid:<pmid>")."""
    for rid in registry_ids or []:
        key = normalise_registry(rid)
        if key:
            return key
    key = normalise_registry(f"{title}\n{abstract}")
    if key:
        return key
    for acronym, pattern in _ACRONYMS:
        if pattern.search(title or ""):
            return acronym
    return ""


def _is_anonymous(key: str) -> bool:
    return key.startswith("pmid:") or bool(normalise_registry(key)) and normalise_registry(key) == key


class StudyResolver:
    """Union-find over study keys: a row's study and its registry id are one study, and so
    are the two sides of every reviewer link. `canonical(key)` names the study: a
    human-readable name (seed/acronym) before a registry id before a 'pmid:' key."""

    def __init__(self, rows: Iterable[Mapping], links: Iterable[tuple[str, str]] = ()):
        self._parent: dict[str, str] = {}
        for row in rows:
            study = row["study"]
            self._add(study)
            registry = normalise_registry(row.get("registry") or "")
            if registry:
                self._union(study, registry)
        for a, b in links:
            self._union(a, b)
        members: dict[str, list[str]] = {}
        for key in self._parent:
            members.setdefault(self._find(key), []).append(key)
        self._name = {
            root: min(keys, key=lambda k: (k.startswith("pmid:"), _is_anonymous(k), k.lower(), k))
            for root, keys in members.items()
        }

    def _add(self, key: str) -> None:
        self._parent.setdefault(key, key)

    def _find(self, key: str) -> str:
        self._add(key)
        while self._parent[key] != key:
            self._parent[key] = self._parent[self._parent[key]]
            key = self._parent[key]
        return key

    def _union(self, a: str, b: str) -> None:
        ra, rb = self._find(a), self._find(b)
        if ra != rb:
            self._parent[max(ra, rb)] = min(ra, rb)

    def canonical(self, key: str) -> str:
        return self._name.get(self._find(key), key)

    def aliases(self, key: str) -> list[str]:
        root = self._find(key)
        return sorted(k for k in self._parent if self._find(k) == root)


@dataclass(frozen=True)
class Selection:
    """The rows the pool uses (`chosen`) and the rows they outranked (`outranked`, each
    with the id of the chosen row)."""

    chosen: list[dict]
    outranked: list[tuple[dict, int]]


def arm_key(row: Mapping) -> str:
    """Arms are matched across reports by regimen family (labels differ between papers)."""
    return (row.get("regimen") or row.get("arm") or "").strip().lower()


def precedence(row: Mapping) -> tuple:
    """Sort key: higher wins. verified > seed > machine, then year, pmid, id."""
    pmid = row.get("pmid") or ""
    return (
        STATUS_RANK[row["status"]],
        row.get("year") or 0,
        int(pmid) if str(pmid).isdigit() else -1,
        row.get("id") or 0,
    )


def select(rows: Iterable[Mapping], resolver: StudyResolver) -> Selection:
    """One row per (study, arm, endpoint, measure) by `precedence`; each chosen row is a
    copy with `study` set to the canonical study name and `aliases` listing its keys."""
    groups: dict[tuple, list[dict]] = {}
    for row in rows:
        if row.get("subgroup"):
            continue
        study = resolver.canonical(row["study"])
        key = (study, arm_key(row), row["endpoint"], row["measure"])
        groups.setdefault(key, []).append({**row, "study": study})
    chosen, outranked = [], []
    for key in sorted(groups):
        ranked = sorted(groups[key], key=precedence, reverse=True)
        best = ranked[0]
        best["aliases"] = resolver.aliases(key[0])
        best["outranked_ids"] = [r.get("id") for r in ranked[1:]]
        chosen.append(best)
        outranked.extend((r, best.get("id")) for r in ranked[1:])
    return Selection(chosen, outranked)
