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

import sys
import time

import pandas as pd
from study_runner import run_study

from customs_anomaly import studies


def main() -> int:
    context, result, started = run_study(__doc__, studies.evaluation_study)
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
