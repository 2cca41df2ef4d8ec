"""Rerun the scheme protocol of chapter 06-2 (section 6) and print what became of the schemes.

Usage: .venv/bin/python benchmarks/bench_schemes.py [--profile full|quick] [--root DIR] [--seed N]

It runs `customs_anomaly.studies.schemes_study` (the same `schemes_section` that chapter 06-2's
study merges as its section 6) on the panel under ROOT/data (the project's own by default; fits
stored by `make book` are loaded, not trained again; without a panel the replica is written and
merged first): the multi-month schemes of every injection seed, each month scored from the months
up to it, the monthly review budget. It prints every detector's share of schemes caught, median
delay to the first flag, share of the misdeclared value recoverable from the first flag on and
row AP, the improved detector's result per scheme type, its targets, and the time it took.
"""

from __future__ import annotations

import sys
import time

import pandas as pd
from study_runner import run_study

from customs_anomaly import studies


def main() -> int:
    context, result, started = run_study(__doc__, studies.schemes_study)
    pd.set_option("display.width", 200)
    print(f"\nschemes ({result.numbers['n_schemes']} a seed, {context.profile.injection_seeds} seeds, prospective):")
    print(result.tables["table_schemes"].to_string())
    print("\nlstm-plus (prospective form) by scheme type:")
    print(result.tables["table_scheme_types"].to_string(index=False))
    print("\ntargets:")
    print(result.tables["table_scheme_targets"].to_string(index=False))
    print(f"one-month oracle (types {result.numbers['scheme_oracle_types']}): {result.numbers['scheme_oracle_caught']}")
    print(f"\n{time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
