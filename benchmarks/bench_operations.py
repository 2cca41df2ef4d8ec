"""Replay the test year month by month with the study chapter 06-2 runs, and print its targets.

Usage: .venv/bin/python benchmarks/bench_operations.py [--profile full|quick] [--root DIR] [--seed N]

It runs `customs_anomaly.studies.operations_study` (the same function chapter 06-2 calls) on the
panel under ROOT/data (the project's own by default; fits stored by `make book` are loaded, not
trained again). Without a panel there it writes the replica and merges it first. It prints every
detector's AP in the audit and prospectively, the targets of monthly operation, the refits, and
the time it took.
"""

from __future__ import annotations

import sys
import time

import pandas as pd
from study_runner import run_study

from customs_anomaly import studies


def main() -> int:
    _, result, started = run_study(__doc__, studies.operations_study)
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
