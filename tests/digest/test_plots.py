"""Figures from plain data: forest plots (RevMan / metafor layout), cumulative plots and the
PRISMA diagram. The PNGs are saved to artifacts/digest/ for a person to look at."""

from __future__ import annotations

import io
import math

import numpy as np
from matplotlib import image as mpimg

from evidencebot.digest import build, plots
from evidencebot.digest.prisma import PrismaCounts
from tests.digest.conftest import period_one, period_two


def pixels(png: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(png), format="png")


def ink(png: bytes) -> float:
    """Share of pixels that are not white."""
    img = pixels(png)[..., :3]
    return float((img.min(axis=2) < 0.95).mean())


def analysis(regimen, studies, **kw):
    base = {"analysis": "primary", "regimen": regimen, "endpoint": "OS", "measure": "median",
            "scale": "log", "level": 0.95, "method": "REML", "k": len(studies), "studies": studies,
            "excluded": [], "estimate": None, "ci_low": None, "ci_high": None, "pi_low": None,
            "pi_high": None, "i2": None, "tau2": None, "cumulative": []}
    return {**base, **kw}


def study(name, value, lo, hi, weight, status="seed", year=2020, n=50):
    z = 1.959963984540054
    yi, se = math.log(value), (math.log(hi) - math.log(lo)) / (2 * z)
    return {"study": name, "arm": "x", "regimen": "x", "status": status, "year": year, "n": n,
            "value": value, "ci_low": lo, "ci_high": hi, "yi": yi, "vi": se**2, "weight": weight}


def test_forest_rows_follow_the_pool_result():
    a = analysis("FOLFIRI", [study("A", 6.6, 4.9, 8.8, 27.2), study("B", 5.7, 4.8, 6.8, 72.8,
                                                                      status="machine")],
                 estimate=5.93, ci_low=2.59, ci_high=13.58, i2=0.0, tau2=0.0,
                 excluded=[{"study": "C", "status": "seed", "code": "W301"}])
    rows = plots.forest_rows([a, analysis("empty", [], excluded=[{"study": "D", "code": "W301"}])])
    assert [r.kind for r in rows] == ["header", "study", "study", "study", "pooled"]
    # From (yi, vi), what was pooled: the reported 4.9-8.8 made symmetric on the log scale.
    assert rows[1].right == "6.60 [4.92, 8.84]"
    assert rows[2].status == "machine" and rows[2].extra == "72.8%"
    assert rows[3].note == "not pooled: W301" and rows[3].estimate is None
    assert rows[4].label == "Pooled, REML (k = 2; I² = 0%, τ² = 0.000)"
    assert plots.not_pooled_note([a, analysis("empty", [], excluded=[{"study": "D", "code": "W301"}])]) \
        == "Not pooled, no usable estimate: empty (W301)"


def test_single_study_has_no_diamond_and_prediction_interval_only_from_k3():
    one = analysis("pemigatinib", [study("FIGHT-202", 21.1, 14.8, 30.1, 100.0)], estimate=21.1,
                   ci_low=14.8, ci_high=30.1)
    three = analysis("p", [study(s, 6, 4, 9, 33.3) for s in "ABC"], estimate=6.0, ci_low=5.0,
                     ci_high=7.2, pi_low=4.0, pi_high=9.0, i2=10.0, tau2=0.01)
    assert [r.kind for r in plots.forest_rows([one])] == ["header", "study"]
    rows = plots.forest_rows([three])
    assert rows[-2].pi_low == 4.0 and rows[-1].label == "95% prediction interval"


def test_forest_and_cumulative_plots_of_a_real_pool_are_saved_for_people(db, protocol, artifacts):
    period_one(db, protocol)
    period_two(db, protocol)
    digest = build.collect(db, protocol, period_start=None, period_end="9999-12-31T00:00:00.000000Z",
                           previous_snapshot_id=1, previous_digest=None)
    kinds = {f.kind for f in digest.figures}
    assert kinds == {"forest", "cumulative", "prisma"}
    names = [f.filename for f in digest.figures]
    assert {"forest-os-median.png", "forest-os-hazard-ratio.png", "forest-orr-proportion.png",
            "cumulative-os-median.png", "prisma-period.png", "prisma-overall.png"} <= set(names)
    for figure in digest.figures:
        (artifacts / figure.filename).write_bytes(figure.png)
        assert figure.png.startswith(b"\x89PNG") and 0.01 < ink(figure.png) < 0.6, figure.filename
    forest = pixels(next(f.png for f in digest.figures if f.filename == "forest-os-median.png"))
    # One row per line: a tall figure for many studies, a short one for few.
    hr = pixels(next(f.png for f in digest.figures if f.filename == "forest-os-hazard-ratio.png"))
    assert forest.shape[0] > 2 * hr.shape[0] and forest.shape[1] == hr.shape[1]


def test_nothing_to_plot_gives_no_figure():
    spec = plots.spec_for("OS", "median", title="t")
    assert plots.forest_plot([analysis("x", [], excluded=[{"study": "D", "code": "W301"}])], spec) is None
    assert plots.cumulative_plot([analysis("x", [study("A", 6, 4, 9, 100.0)])], spec) is None


def test_reference_lines_come_from_the_protocol():
    assert plots.spec_for("OS", "hazard_ratio", title="t").ref == 1.0
    assert plots.spec_for("OS", "median", title="t", median_threshold=6.0).ref_label == \
        "protocol threshold 6 months"
    assert plots.spec_for("ORR", "proportion", title="t").percent


def test_prisma_diagram_draws_the_numbers(artifacts):
    counts = PrismaCounts(searches=2, identified=120, identified_other=17, duplicates_removed=20,
                          screened=100, excluded=80, excluded_by_reason={"first-line": 50,
                                                                         "not BTC": 30},
                          awaiting_review=5, reports_assessed=15, reports_no_data=3,
                          reports_included=12, studies_included=25, studies_new=4,
                          studies_previous=21)
    png = plots.prisma_diagram(counts.as_dict(), "PRISMA 2020 flow: test")
    (artifacts / "prisma-example.png").write_bytes(png)
    assert 0.01 < ink(png) < 0.5
