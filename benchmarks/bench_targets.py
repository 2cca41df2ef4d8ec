"""Measure the improved detector against its targets with the study chapter 06 runs, and print them.

Usage: .venv/bin/python benchmarks/bench_targets.py [--profile full|quick] [--root DIR] [--seed N]

It runs `customs_anomaly.studies.evaluation_study` (the same function chapter 06 calls) on the
panel under ROOT/data (the project's own by default: after `make book` the fits are loaded from
ROOT/models/store instead of trained again). Without a panel there, it writes the synthetic
replica and merges it first, as the book does. It prints the targets table (the same table chapter
06 shows), the magnitude wins, the reason agreement, the noise ceiling and the knowledge gaps
(synthetic data only), and the time it took.
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
    result = studies.evaluation_study(context)
    numbers, tables = result.numbers, result.tables
    pd.set_option("display.width", 200)
    print(f"\nlstm-plus targets ({context.profile.name} profile, {numbers['n_seeds']} injection seeds):")
    print(tables["table_targets"].to_string(index=False))
    print(f"\nAP by unit-price factor (mean over {numbers['n_magnitude_seeds']} seeds):")
    print(tables["table_wins"].to_string())
    print(f"narrow leads (under {numbers['narrow_share']:.0%} of the best rival's AP): {numbers['narrow_factors']}")
    print(
        f"\nreason group matches the injected type for {numbers['reason_share']:.1%} of "
        f"{numbers['reason_detected']} detected anomalies (target >= {numbers['reason_target']:.0%})"
    )
    if not tables["table_ceiling"].empty:
        print("\nnoise ceiling (an oracle that knows the replica's generator):")
        print(tables["table_ceiling"].to_string(index=False))
        print("\nwhere lstm-plus loses against the oracle:")
        print(tables["table_gaps"].to_string())
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
