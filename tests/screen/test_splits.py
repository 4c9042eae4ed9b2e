"""corpus/splits.yaml: stratified, fixed once written, new entries by hash."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from evidencebot.corpus import CorpusEntry, hash_split, load_splits
from evidencebot.screen.splits import stratified_splits, update_splits


def entries(n_rel: int, n_irr: int, prefix: str = "x") -> list[CorpusEntry]:
    out = []
    for i in range(n_rel + n_irr):
        rel = i < n_rel
        out.append(
            CorpusEntry(
                id=f"{prefix}-{i:03d}",
                pmid=str(i),
                title="t",
                abstract="a",
                label="relevant" if rel else "irrelevant",
                reason=None if rel else ("case_report" if i % 2 else "secondary"),
            )
        )
    return out


def test_stratified_60_20_20_within_each_label_and_reason() -> None:
    es = entries(100, 100)
    splits = stratified_splits(es)
    for stratum in ({"relevant/None"}, {"irrelevant/case_report"}, {"irrelevant/secondary"}):
        members = [e for e in es if f"{e.label}/{e.reason}" in stratum]
        counts = Counter(splits[e.id] for e in members)
        n = len(members)
        assert abs(counts["train"] - 0.6 * n) <= 1
        assert abs(counts["dev"] - 0.2 * n) <= 1
        assert abs(counts["test"] - 0.2 * n) <= 1


def test_existing_entries_never_move(tmp_path: Path) -> None:
    path = tmp_path / "splits.yaml"
    first, added = update_splits(entries(30, 30), path)
    assert added == 60 and load_splits(path) == first
    more = entries(30, 30) + entries(5, 5, prefix="new")
    second, added = update_splits(more, path)
    assert added == 10
    assert all(second[k] == v for k, v in first.items())
    assert all(second[e.id] == hash_split(e.id) for e in more if e.id.startswith("new"))
