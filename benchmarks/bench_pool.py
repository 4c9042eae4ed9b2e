"""Time to re-pool 300 studies across 20 analyses, in-process, and metafor on the same inputs.

    python benchmarks/bench_pool.py [--repeat 5] [--no-r]

Inputs: 20 analyses x 15 studies of log median survival with 95% CIs (seeded RNG; true
tau^2 = 0.04). Timed, best of --repeat:
  core  : rma(REML, test="knha") + predict() + Q-profile confint() per analysis
  full  : core + leave1out() + cumul() + regtest() (Egger, k >= 10), as the pool stage does
  stage : evidencebot.pool.analysis.run_analyses on the same rows as evidence dicts (effect
          sizes from CIs, fallback handling, result dicts) — what `evidencebot pool` computes
          for one input set (the stage runs it twice: primary and sensitivity)
metafor runs the same core/full calls in one R process (timed inside R with proc.time, so
R's start-up and package loading are excluded; they are reported separately).
"""

from __future__ import annotations

import argparse
import csv
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from evidencebot.pool import analysis, engine
from evidencebot.protocol import PoolSettings  # noqa: E402

N_ANALYSES, K = 20, 15

R_SCRIPT = r"""
suppressPackageStartupMessages(library(metafor))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1]); reps <- as.integer(args[2])
ctrl <- list(threshold = 1e-10, tol = 1e-12)
run <- function(full) {
  for (a in unique(d$analysis)) {
    s <- d[d$analysis == a, ]
    res <- rma(s$yi, s$vi, method = "REML", test = "knha", control = ctrl)
    predict(res); confint(res)
    if (full) { leave1out(res); cumul(res, order = s$year); regtest(res) }
  }
}
best <- function(full) min(replicate(reps, system.time(run(full))[["elapsed"]]))
cat(sprintf("%.6f %.6f\n", best(FALSE), best(TRUE)))
"""


def make_inputs(seed: int = 20260101) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for a in range(N_ANALYSES):
        mu = np.log(rng.uniform(2, 12))
        for i in range(K):
            n = int(rng.integers(25, 200))
            se = 1.6 / np.sqrt(n)
            y = mu + rng.normal(0, 0.2) + rng.normal(0, se)
            rows.append({"analysis": a, "study": f"S{a}-{i}", "year": 2005 + i, "yi": y,
                         "vi": se**2, "value": float(np.exp(y)),
                         "ci_low": float(np.exp(y - 1.959964 * se)),
                         "ci_high": float(np.exp(y + 1.959964 * se)), "n": n})
    return rows


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def engine_run(groups, full: bool) -> None:
    for y, v in groups:
        res = engine.fit(y, v, "REML", "knha")
        engine.prediction_interval(res)
        engine.tau2_ci(y, v)
        if full:
            engine.leave_one_out(y, v, "REML", "knha")
            engine.cumulative(y, v, "REML", "knha")
            engine.egger_test(y, v, "REML", "knha")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-r", action="store_true", help="skip the metafor comparison")
    args = parser.parse_args()
    rows = make_inputs()
    groups = [(np.array([r["yi"] for r in rows if r["analysis"] == a]),
               np.array([r["vi"] for r in rows if r["analysis"] == a])) for a in range(N_ANALYSES)]
    evidence = [{"study": r["study"], "arm": "X", "regimen": f"regimen {r['analysis']:02d}",
                 "endpoint": "OS", "measure": "median", "status": "seed", "year": r["year"],
                 "pmid": None, "n": r["n"], "value": r["value"], "ci_low": r["ci_low"],
                 "ci_high": r["ci_high"], "ci_level": 0.95} for r in rows]
    settings = PoolSettings()
    core = best_of(lambda: engine_run(groups, False), args.repeat)
    full = best_of(lambda: engine_run(groups, True), args.repeat)
    stage = best_of(lambda: analysis.run_analyses(evidence, settings, lambda s: None),
                    args.repeat)
    print(f"evidencebot: {len(rows)} studies, {N_ANALYSES} analyses (REML + Hartung-Knapp)")
    print(f"  core  (fit + PI + Q-profile tau^2 CI)          {1000 * core:8.1f} ms")
    print(f"  full  (+ leave-one-out, cumulative, Egger)     {1000 * full:8.1f} ms")
    print(f"  stage (analysis layer, result dicts, full)     {1000 * stage:8.1f} ms")
    rscript = shutil.which("Rscript")
    if args.no_r or rscript is None:
        print("metafor: skipped" + ("" if args.no_r else " (Rscript not found)"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        data, script = Path(tmp) / "d.csv", Path(tmp) / "bench.R"
        with open(data, "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["analysis", "year", "yi", "vi"])
            w.writeheader()
            w.writerows({k: r[k] for k in ("analysis", "year", "yi", "vi")} for r in rows)
        script.write_text(R_SCRIPT)
        t = time.perf_counter()
        out = subprocess.run([rscript, str(script), str(data), str(args.repeat)],
                             capture_output=True, text=True, check=True)
        wall = time.perf_counter() - t
    r_core, r_full = (float(x) for x in out.stdout.split())
    print(f"metafor 3.8 in one R process (best of {args.repeat}, start-up excluded)")
    print(f"  core  {1000 * r_core:8.1f} ms   ratio metafor/evidencebot {r_core / core:6.1f}x")
    print(f"  full  {1000 * r_full:8.1f} ms   ratio metafor/evidencebot {r_full / full:6.1f}x")
    print(f"  (whole Rscript process incl. start-up and {2 * args.repeat} runs: {wall:.1f} s)")


if __name__ == "__main__":
    main()
