"""fit_subsets (all leave-one-out / cumulative refits at once) gives exactly what refitting each
subset alone gives; the alone path is itself checked against metafor in test_metafor_agreement."""

from __future__ import annotations

import numpy as np
import pytest

from evidencebot.pool import engine

FIELDS = ("beta", "se", "ci_low", "ci_high", "pval", "weights", "tau2", "se_tau2", "q", "q_p",
          "i2", "h2", "s2w", "crit", "k", "q_df", "iterations")


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = np.ravel(np.asarray(a, float)), np.ravel(np.asarray(b, float))
    both_nan = np.isnan(a) & np.isnan(b)
    # relative 1e-9, or absolute 1e-13 for values at the tau^2 = 0 boundary
    ok = np.isclose(a, b, rtol=1e-9, atol=1e-13) | both_nan
    return bool(ok.all())


@pytest.mark.parametrize("method", engine.METHODS)
@pytest.mark.parametrize("test", engine.TESTS)
def test_batched_refits_equal_one_by_one(method, test):
    rng = np.random.default_rng(20261125)
    for _ in range(25):
        k = int(rng.integers(2, 16))
        y = rng.normal(0, rng.uniform(0.05, 1.5), k)
        v = rng.uniform(0.005, 0.3, k)
        for masks in (~np.eye(k, dtype=bool), np.tri(k, dtype=bool)):
            try:
                alone = [engine.fit(y[m], v[m], method, test) for m in masks]
            except engine.ConvergenceError:
                with pytest.raises(engine.ConvergenceError):
                    engine.fit_subsets(y, v, masks, method, test)
                continue
            for a, b in zip(engine.fit_subsets(y, v, masks, method, test), alone, strict=True):
                for name in FIELDS:
                    assert same(getattr(a, name), getattr(b, name)), (method, test, name)
