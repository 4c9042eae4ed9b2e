"""Screening: is a record a study of second-line (or later) systemic therapy in advanced BTC?

* `load_screener(path)` → `Screener`; `Screener.decide(title, abstract, publication_types,
  mesh_terms)` → `ScreenDecision` (include / exclude / review, probability, reason, cues);
* `evidencebot.screen.stage.run(db, protocol)` screens every new or changed record;
* `evidencebot.screen.train.train(...)` rebuilds the shipped model (`evidencebot train`).

See `cues.py` for the domain rules, `features.py` for the features and `model.py` for the
estimator.
"""

from evidencebot.screen.features import ScreenInput
from evidencebot.screen.screener import ScreenDecision, Screener, load_screener

__all__ = ["ScreenDecision", "ScreenInput", "Screener", "load_screener"]
