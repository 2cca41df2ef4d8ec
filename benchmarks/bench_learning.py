"""Rerun chapter 06-3's simulated operation (reviewers' verdicts teaching the ranker) with more
seeds, print its tables and write them under benchmarks/results/.

Usage: .venv/bin/python benchmarks/bench_learning.py [--profile full|quick] [--root DIR] [--seed N]
       [--seeds K]

It runs `customs_anomaly.studies.learning_study` (the same function chapter 06-3 calls) with the
profile's `learning_seeds` replaced by K (default 8) on the panel under ROOT/data (the project's own
by default; the fit of `lstm-plus` that `make book` stored for the chapter is loaded, not trained
again; without a panel the replica is written and merged first). It prints every policy's totals,
the quarters, the new scheme's delays and the targets, and writes them to
benchmarks/results/learning_{totals,quarters,new_scheme,targets}.csv and the per-month records to
benchmarks/results/learning_per_month.csv (git-ignored), with the time it took.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import pandas as pd

from customs_anomaly import config, studies
from customs_anomaly.pipeline import BuildOptions, ensure_raw_data
from customs_anomaly.profiles import PROFILES, get_profile
from customs_anomaly.storage import read_table, write_table
from customs_anomaly.studies.learning import PER_MONTH_FILE

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SEEDS = 8


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--root", default=str(config.PROJECT_ROOT), help="folder holding data/ and models/")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="planting seeds (from --seed on)")
    args = parser.parse_args()
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    root = Path(args.root)
    profile = get_profile(args.profile, learning_seeds=args.seeds)
    context = studies.Context.of(data_dir=root / "data", models_dir=root / "models", seed=args.seed, profile=profile)
    started = time.perf_counter()
    if not context.paths.panel.is_file():
        ensure_raw_data(BuildOptions(root=root, seed=args.seed))
        studies.merge_study(context)
    result = studies.learning_study(context)
    pd.set_option("display.width", 200)
    numbers, tables = result.numbers, result.tables
    period = f"{numbers['sim_start']}~{numbers['sim_end']}"
    print(f"\n{numbers['n_seeds']} seeds, {period}, new scheme from {numbers['new_arrival']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    for name, title in (
        ("totals", "every policy over the simulated months (seed means):"),
        ("quarters", "anomalies found per quarter (seed means):"),
        ("new_scheme", "months from the new scheme's arrival to its first row in a queue:"),
        ("targets", "targets:"),
    ):
        table = tables[f"table_learning_{name}"]
        print(f"\n{title}")
        print(table.to_string(index=False))
        write_table(table, RESULTS / f"learning_{name}.csv")
    write_table(read_table(context.paths.processed / PER_MONTH_FILE), RESULTS / PER_MONTH_FILE)
    print(f"\nwritten to {RESULTS}/learning_*.csv; {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
