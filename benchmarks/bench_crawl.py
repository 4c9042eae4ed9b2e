"""Crawl benchmark: a generated corpus served by the sandbox (in a separate process) over HTTP.

Prints, for N = 2,500 / 5,000 / 10,000 records all entered in 2020 (one date window at first,
so the 9,999-id cap forces splitting at N = 10,000):
- HTTP requests made, against the target of 1 esearch per leaf window + ceil(N / 500) efetch;
- records parsed and stored per second;
- peak Python memory of the crawling process (tracemalloc), which must stay flat in N because
  the crawl holds one batch at a time.

Run: python benchmarks/bench_crawl.py [--sizes 2500,5000,10000]
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import date
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from evidencebot.crawl import client_for, crawl  # noqa: E402
from evidencebot.protocol import load_protocol  # noqa: E402
from evidencebot.sandbox import generate_corpus  # noqa: E402
from evidencebot.store import open_db  # noqa: E402


def start_sandbox(corpus: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-m", "evidencebot", "sandbox", "serve", "--corpus", str(corpus),
         "--port", str(port), "--rate-limit", "0"],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/entrez/eutils/"
    for _ in range(600):
        try:
            requests.get(url + "einfo.fcgi", timeout=1)
            return proc
        except requests.ConnectionError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("sandbox did not start")


def bench(n: int, workdir: Path, port: int) -> dict:
    corpus = workdir / f"corpus_{n}.xml"
    corpus.write_bytes(generate_corpus(n, entry_dates=("2020/01/01", "2020/12/31"), seed=n))
    proc = start_sandbox(corpus, port)
    try:
        protocol = load_protocol(REPO / "evidencebot.toml")
        # Every generated record must be found, so the benchmark searches the whole sandbox.
        protocol = replace(protocol, search=replace(protocol.search, start_date="2020/01/01",
                                                    query="all[sb]"))
        client = client_for(protocol, f"http://127.0.0.1:{port}/entrez/eutils/", None)
        client.limiter.interval = 0.0      # the sandbox runs unthrottled here
        db = open_db(workdir / f"bench_{n}.db")
        tracemalloc.start()
        tracemalloc.reset_peak()
        started = time.perf_counter()
        summary = crawl(db, client, protocol, date(2020, 12, 31))
        seconds = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        proc.terminate()
        proc.wait()
    efetch_target = math.ceil(summary.n_found / protocol.search.batch_size)
    return {
        "n": n, "stored": summary.n_new, "windows": summary.n_windows,
        "esearch": summary.requests.get("esearch.fcgi", 0),
        "efetch": summary.requests.get("efetch.fcgi", 0), "efetch_target": efetch_target,
        "per_second": summary.n_fetched / seconds, "seconds": seconds, "peak_mib": peak / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2500,5000,10000")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    print(f"{'N':>6} {'stored':>6} {'windows':>7} {'esearch':>7} {'efetch':>6} {'target':>6} "
          f"{'rec/s':>7} {'seconds':>7} {'peak MiB':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            r = bench(n, Path(tmp), args.port)
            print(f"{r['n']:>6} {r['stored']:>6} {r['windows']:>7} {r['esearch']:>7} "
                  f"{r['efetch']:>6} {r['efetch_target']:>6} {r['per_second']:>7.0f} "
                  f"{r['seconds']:>7.1f} {r['peak_mib']:>8.1f}")
    print("target: efetch == ceil(N/500); esearch == 1 per window searched (a window at the cap "
          "costs one extra esearch before it is split); peak memory flat in N")


if __name__ == "__main__":
    main()
