"""Scoring the extractor against the gold corpus (corpus/abstracts/*.yaml).

A tuple is right when endpoint, arm/regimen, value, unit and both CI bounds all match.
Arm/regimen match when the regimen families agree (protocol dictionary first, then the set
of agents), when the arm labels as written agree, or when both name the whole population
("" for one study's whole population or "pooled" for a meta-analysis estimate; see
`WHOLE_POPULATION`). Per-field figures align each predicted outcome
with a gold outcome written with the same number, then count a field right when it agrees:
precision = right / predicted, recall = right / gold. Toxicities match on proportion and
event, events compared by name or by the lexicon's synonyms (`event_key`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from evidencebot.corpus import CorpusEntry
from evidencebot.extract import extract_abstract

FIELDS = (
    "endpoint",
    "statistic",
    "value",
    "unit",
    "not_reached",
    "ci_level",
    "ci_low",
    "ci_high",
    "arm/regimen",
    "n",
    "subgroup",
    "timepoint_months",
)
_SPLIT = re.compile(r"\s*(?:\+|\bplus\b|\band\b|\bwith\b|,|/|\bthen\b|(?<=[a-z]{3})-(?=[a-z]{3}))\s*", re.I)


def _num_eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-6


_SAME = {
    "surveillance": "observation",
    "surgery alone": "observation",
    "observation alone": "observation",
    "best supportive care": "active symptom control",
    "bsc": "active symptom control",
    "5-fu": "fluorouracil",
    "5-fluorouracil": "fluorouracil",
    "folinic acid": "leucovorin",
    "lv": "leucovorin",
}


_TOX_KEY_RE = None


def event_key(event: str) -> str:
    """A toxicity event as a canonical name: the lexicon's synonyms ("anorexia" = "decreased
    appetite", "palmar-plantar erythrodysesthesia" = "hand-foot syndrome"), else the words."""
    global _TOX_KEY_RE
    from evidencebot.extract import lexicon as lx

    if _TOX_KEY_RE is None:
        _TOX_KEY_RE = re.compile("|".join(f"(?P<T{i}>{p})" for i, (_, p) in enumerate(lx.TOX_EVENTS)), re.I)
    t = re.sub(r"[\s\-\u2010-\u2014]+", " ", event.lower())
    m = _TOX_KEY_RE.search(t)
    if m:
        return lx.TOX_EVENTS[int(m.lastgroup[1:])][0]
    return t.strip()


def regimen_key(protocol, text: str | None) -> frozenset[str]:
    """A regimen as a set of parts: the protocol family, else its agents (abbreviations expanded)."""
    from evidencebot.extract.agents import ABBREVIATIONS

    if not text:
        return frozenset()
    fam = protocol.normalise_regimen(text)
    if fam:
        return frozenset({fam.lower()})
    abbr = {k.lower(): v for k, v in ABBREVIATIONS.items()}
    text = abbr.get(text.strip().lower(), text)
    text = _BASED.sub("", text)  # "fluoropyrimidine-based" chemotherapy is named by its agent
    out = set()
    for p in (p.strip().lower() for p in _SPLIT.split(text) if p and p.strip()):
        p = abbr.get(p, p)
        if p != text.lower() and p in abbr:
            p = abbr[p]
        p = _SAME.get(p, p)
        out.add((protocol.normalise_regimen(p) or p).lower())
    return _as_acronym(protocol, frozenset(out))


_BASED = re.compile(r"[\s\-]+based\b", re.I)


def _as_acronym(protocol, parts: frozenset[str]) -> frozenset[str]:
    """Agents spelled out are their acronym ("capecitabine + oxaliplatin" is XELOX), as the
    extractor names such arms (rules_v1 `_acronym_for`)."""
    from evidencebot.extract.agents import AGENTS_OF, FLUOROURACIL_SPELLINGS, cytotoxic_core

    agents = {"fluorouracil" if p in FLUOROURACIL_SPELLINGS else p for p in parts} - {"leucovorin"}
    if len(agents) < 2:
        return parts
    for acronym in AGENTS_OF:
        if agents == cytotoxic_core(acronym):
            fam = protocol.normalise_regimen(acronym)
            return frozenset({fam.lower()}) if fam else parts
    return parts


# labels for the whole study population (corpus/README.md, "Arm labels"): "" (one study's
# whole population) and "pooled" (a meta-analysis estimate) both name no arm, so they agree
WHOLE_POPULATION = frozenset(
    {
        "",
        "pooled",
        "whole cohort",
        "whole population",
        "all patients",
        "overall",
        "overall population",
        "entire cohort",
        "entire population",
        "intention-to-treat population",
        "itt population",
    }
)


def arm_match(protocol, gold: dict, pred: dict) -> bool:
    g_arm, p_arm = (gold.get("arm") or "").strip().lower(), (pred.get("arm") or "").strip().lower()
    if g_arm in WHOLE_POPULATION and p_arm in WHOLE_POPULATION:
        return True
    if g_arm and g_arm == p_arm:
        return True
    gk, pk = regimen_key(protocol, gold.get("regimen")), regimen_key(protocol, pred.get("regimen"))
    return bool(gk) and gk == pk


def tuple_match(protocol, gold: dict, pred: dict) -> bool:
    return (
        gold["endpoint"] == pred["endpoint"]
        and (gold.get("unit") or "") == (pred.get("unit") or "")
        and _num_eq(gold.get("value"), pred.get("value"))
        and _num_eq(gold.get("ci_low"), pred.get("ci_low"))
        and _num_eq(gold.get("ci_high"), pred.get("ci_high"))
        and arm_match(protocol, gold, pred)
    )


def _field_eq(protocol, f: str, g: dict, p: dict) -> bool:
    if f == "arm/regimen":
        return arm_match(protocol, g, p)
    if f == "subgroup":
        return (g.get("subgroup") is None) == (p.get("subgroup") is None)
    if f in ("value", "ci_low", "ci_high", "ci_level", "n", "timepoint_months"):
        return _num_eq(g.get(f), p.get(f))
    return (g.get(f) or None) == (p.get(f) or None)


@dataclass
class Counts:
    tp: int = 0
    n_pred: int = 0
    n_gold: int = 0

    @property
    def precision(self) -> float:
        return self.tp / self.n_pred if self.n_pred else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_gold if self.n_gold else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Report:
    outcomes: Counts = field(default_factory=Counts)
    hazard_ratios: Counts = field(default_factory=Counts)
    toxicities: Counts = field(default_factory=Counts)
    fields: dict[str, Counts] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    n_entries: int = 0

    def lines(self) -> list[str]:
        out = [f"entries: {self.n_entries}"]
        for name, c in (
            ("outcome tuples", self.outcomes),
            ("hazard ratios", self.hazard_ratios),
            ("toxicities", self.toxicities),
        ):
            out.append(
                f"{name:16s} P={c.precision:.3f} R={c.recall:.3f} F1={c.f1:.3f} "
                f"(tp={c.tp} pred={c.n_pred} gold={c.n_gold})"
            )
        out.append("per-field (outcomes):")
        for f in FIELDS:
            c = self.fields[f]
            out.append(f"  {f:16s} P={c.precision:.3f} R={c.recall:.3f}")
        return out


def _greedy(gold: list[dict], pred: list[dict], ok) -> list[tuple[int, int]]:
    pairs, used = [], set()
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            if j not in used and ok(g, p):
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


def score(entries: Iterable[CorpusEntry], protocol) -> Report:
    rep = Report(fields={f: Counts() for f in FIELDS})
    for e in entries:
        rep.n_entries += 1
        ex = extract_abstract(e.abstract, protocol, title=e.title)
        ann = ex.to_annotation()
        gold, pred = list(e.outcomes), ann["outcomes"]
        pairs = _greedy(gold, pred, lambda g, p: tuple_match(protocol, g, p))
        rep.outcomes.tp += len(pairs)
        rep.outcomes.n_pred += len(pred)
        rep.outcomes.n_gold += len(gold)
        matched_g = {i for i, _ in pairs}
        matched_p = {j for _, j in pairs}
        for i, g in enumerate(gold):
            if i not in matched_g:
                rep.errors.append(
                    f"{e.id} FN {g['endpoint']} {g.get('arm')!r}/{g.get('regimen')} {g.get('value')} "
                    f"{g.get('unit')} [{g.get('ci_low')}, {g.get('ci_high')}] :: {g.get('text')!r}"
                )
        for j, p in enumerate(pred):
            if j not in matched_p:
                s, t = p["span"]
                rep.errors.append(
                    f"{e.id} FP {p['endpoint']} {p.get('arm')!r}/{p.get('regimen')} {p.get('value')} "
                    f"{p.get('unit')} [{p.get('ci_low')}, {p.get('ci_high')}] :: "
                    f"{e.abstract[max(0, s - 40) : t + 40]!r}"
                )
        # per-field: align on the number as written (value + statistic), prefer the same endpoint
        align = _greedy(
            gold,
            pred,
            lambda g, p: (
                _num_eq(g.get("value"), p.get("value"))
                and g.get("statistic") == p.get("statistic")
                and g["endpoint"] == p["endpoint"]
            ),
        )
        ga = {i for i, _ in align}
        pa = {j for _, j in align}
        align += _greedy(
            [g if i not in ga else {"value": object()} for i, g in enumerate(gold)],
            [p if j not in pa else {"value": object()} for j, p in enumerate(pred)],
            lambda g, p: (
                isinstance(g.get("value"), (int, float, type(None)))
                and "endpoint" in g
                and "endpoint" in p
                and _num_eq(g.get("value"), p.get("value"))
            ),
        )
        for f in FIELDS:
            c = rep.fields[f]
            c.n_pred += len(pred)
            c.n_gold += len(gold)
            c.tp += sum(1 for i, j in align if _field_eq(protocol, f, gold[i], pred[j]))
        # hazard ratios: endpoint, value and CI bounds
        hg, hp = list(e.hazard_ratios), ann["hazard_ratios"]
        hpairs = _greedy(
            hg,
            hp,
            lambda g, p: (
                g["endpoint"] == p["endpoint"]
                and _num_eq(g["value"], p["value"])
                and _num_eq(g.get("ci_low"), p.get("ci_low"))
                and _num_eq(g.get("ci_high"), p.get("ci_high"))
            ),
        )
        rep.hazard_ratios.tp += len(hpairs)
        rep.hazard_ratios.n_pred += len(hp)
        rep.hazard_ratios.n_gold += len(hg)
        for i, g in enumerate(hg):
            if i not in {a for a, _ in hpairs}:
                rep.errors.append(
                    f"{e.id} HR-FN {g['endpoint']} {g['value']} [{g.get('ci_low')}, {g.get('ci_high')}]"
                    f" :: {g.get('text')!r}"
                )
        for j, p in enumerate(hp):
            if j not in {b for _, b in hpairs}:
                s, t = p["span"]
                rep.errors.append(
                    f"{e.id} HR-FP {p['endpoint']} {p['value']} [{p.get('ci_low')}, {p.get('ci_high')}]"
                    f" :: {e.abstract[max(0, s - 40) : t + 40]!r}"
                )
        # toxicities: event and proportion
        tg, tp = list(e.toxicities), ann["toxicities"]
        tpairs = _greedy(
            tg,
            tp,
            lambda g, p: (
                _num_eq(g["proportion"], p["proportion"])
                and (
                    g["event"].lower().startswith(p["event"][:6].lower())
                    or p["event"][:6].lower() in g["event"].lower()
                    or event_key(g["event"]) == event_key(p["event"])
                )
            ),
        )
        for i, g in enumerate(tg):
            if i not in {a for a, _ in tpairs}:
                rep.errors.append(
                    f"{e.id} TOX-FN {g['event']} {g['proportion']} {g.get('arm')!r} :: {g.get('text')!r}"
                )
        for j, p in enumerate(tp):
            if j not in {b for _, b in tpairs}:
                s, t = p["span"]
                rep.errors.append(
                    f"{e.id} TOX-FP {p['event']} {p['proportion']} {p.get('arm')!r}"
                    f" :: {e.abstract[max(0, s - 60) : t + 20]!r}"
                )
        rep.toxicities.tp += len(tpairs)
        rep.toxicities.n_pred += len(tp)
        rep.toxicities.n_gold += len(tg)
    return rep
