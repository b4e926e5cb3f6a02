#!/usr/bin/env python3
"""The cold iteration's peak memory and wall, side by side: mlloop (this checkout, and optionally a
built base checkout) against the scikit-learn script, fresh processes interleaved round by round,
each measured from outside by bench/measure.py (peak RSS of the largest process in the tree).

Usage: /usr/bin/python3 bench/cold-memory.py [--rounds 5] [--base DIR] [--json]
Each round runs, in order: base (when given), this checkout, scikit-learn; the store is deleted
before each mlloop run (`run examples/spam/baseline.yaml --no-cache --json`). Prints per-run lines,
then medians and the ratios to scikit-learn's medians of the same rounds. Load averages (`uptime`)
at the start and the end are printed: the machine is shared, read ratios, not absolute figures.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
STORE = "/tmp/mlloop-cold-memory.db"


def measure(cmd, cwd):
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "measure.py"), "--cwd", cwd, "--", *cmd],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    r = json.loads(out)
    if r["exit_code"] != 0:
        sys.exit(f"{' '.join(cmd)} in {cwd} failed ({r['exit_code']}): {r['stderr'][-2000:]}")
    return {"rss_mb": r["max_rss_kb"] / 1024, "wall_s": r["wall_s"], "cpu_s": r["cpu_s"]}


def mlloop(checkout):
    for suffix in ("", "-wal", "-shm"):
        try:
            os.remove(STORE + suffix)
        except FileNotFoundError:
            pass
    cmd = ["node", "bin/mlloop.js", "--store", STORE, "run", "examples/spam/baseline.yaml", "--no-cache", "--json"]
    return measure(cmd, checkout)


def sklearn():
    return measure(["/usr/bin/python3", "bench/sklearn_iteration.py", "--out", "/tmp/skl-out"], ROOT)


def load():
    return os.getloadavg()[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--base", help="a built checkout to measure as 'base' in the same rounds")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    sides = (["base"] if args.base else []) + ["mlloop", "sklearn"]
    runs = {s: [] for s in sides}
    loads = [load()]
    for k in range(args.rounds):
        for side in sides:
            r = sklearn() if side == "sklearn" else mlloop(args.base if side == "base" else ROOT)
            runs[side].append(r)
            if not args.json:
                print(f"round {k + 1} {side:8} {r['rss_mb']:6.1f} MB  {r['wall_s']:5.2f} s wall  {r['cpu_s']:5.2f} s CPU", flush=True)
        loads.append(load())
    med = {s: {m: statistics.median(r[m] for r in runs[s]) for m in ("rss_mb", "wall_s", "cpu_s")} for s in sides}
    ref = med["sklearn"]
    summary = {
        "load": [round(x, 2) for x in loads],
        "median": med,
        "vs_sklearn": {s: {m: med[s][m] / ref[m] for m in ("rss_mb", "wall_s")} for s in sides if s != "sklearn"},
        "runs": runs,
    }
    if args.json:
        json.dump(summary, sys.stdout)
        print()
        return
    print(f"load average (1 min) from {loads[0]:.2f} to {loads[-1]:.2f}, range {min(loads):.2f}-{max(loads):.2f}")
    for s in sides:
        ratio = "" if s == "sklearn" else (
            f"   {summary['vs_sklearn'][s]['rss_mb']:.2f}x memory, {summary['vs_sklearn'][s]['wall_s']:.2f}x wall"
        )
        print(f"median {s:8} {med[s]['rss_mb']:6.1f} MB  {med[s]['wall_s']:5.2f} s wall  {med[s]['cpu_s']:5.2f} s CPU{ratio}")


if __name__ == "__main__":
    main()
