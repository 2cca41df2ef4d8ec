"""Replay the test year month by month with the study chapter 06-2 runs, and print its targets.

Usage: .venv/bin/python benchmarks/bench_operations.py [--profile full|quick] [--root DIR] [--seed N]

It runs `customs_anomaly.studies.operations_study` (the same function chapter 06-2 calls) on the
panel under ROOT/data (the project's own by default; fits stored by `make book` are loaded, not
trained again). Without a panel there it writes the replica and merges it first. It prints every
detector's AP in the audit and prospectively, the targets of monthly operation, the refits, and
the time it took.
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full")
    parser.add_argument("--root", default=str(config.PROJECT_ROOT), help="folder holding data/ and models/")
    parser.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    args = parser.parse_args()
    root = Path(args.root)
    context = studies.Context.of(
        data_dir=root / "data", models_dir=root / "models", seed=args.seed, profile=get_profile(args.profile)
    )
    started = time.perf_counter()
    if not context.paths.panel.is_file():
        ensure_raw_data(BuildOptions(root=root, seed=args.seed))
        studies.merge_study(context)
    result = studies.operations_study(context)
    pd.set_option("display.width", 200)
    print(f"\nevery detector, audit and prospective ({result.numbers['n_seeds']} injection seeds):")
    print(result.tables["table_operations"].to_string(index=False))
    print("\ntargets of monthly operation:")
    print(result.tables["table_operation_targets"].to_string(index=False))
    print("\nrefitting:")
    print(result.tables["table_refit"].to_string(index=False))
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
