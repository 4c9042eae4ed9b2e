"""Numerical tolerances for the pooling tests, named by kind of quantity, in one place.

Worst errors observed against metafor 3.8.1 (R 4.2.2) on tests/reference/metafor/, recorded
when the tolerance was set (python -m pytest tests/pool -q, then REPORT=1 for the figures):
"""

# Closed-form quantities (FE/DL/HE/SJ fits, Q, I^2, escalc yi/vi, HKSJ, prediction
# intervals): exact up to floating-point rounding. Worst observed relative error: 4.5e-13.
CLOSED_FORM_REL = 1e-10

# Iterative quantities (REML Fisher scoring to a change of 1e-10 in tau^2; PM and Q-profile
# roots to xtol 1e-12 on both sides). The acceptance criterion of issue 3 is 1e-6.
# Worst observed relative error: 3.7e-13 (16,500 comparisons in all).
ITERATIVE_REL = 1e-6

# Absolute floor for quantities that are 0 or near it (tau^2 = 0, log HR of ~0, p ~ 1e-167).
ABS_FLOOR = 1e-12

# Numbers as published (2 decimals): compared after rounding to the published precision.
PUBLISHED_DECIMALS = 2


def close(a: float, b: float, rel: float) -> bool:
    """|a - b| <= rel * |b| (or ABS_FLOOR when b is ~0)."""
    return abs(a - b) <= max(rel * abs(b), ABS_FLOOR)
