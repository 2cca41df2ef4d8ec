"""Time the data stages on the synthetic replica: synth, load (the six loaders) and merge.

Usage: .venv/bin/python benchmarks/bench_pipeline.py [--seed 0] [--repeat 3]
Prints a table and writes benchmarks/results/pipeline.csv (git-ignored).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from customs_anomaly.merge import build_panel
from customs_anomaly.sources import load_raw
from customs_anomaly.synth import write_replica

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for run in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw"
            started = time.perf_counter()
            write_replica(raw, seed=args.seed)
            synth_s = time.perf_counter() - started
            started = time.perf_counter()
            sources = load_raw(raw)
            load_s = time.perf_counter() - started
            started = time.perf_counter()
            result = build_panel(sources)
            merge_s = time.perf_counter() - started
        rows.append(
            {
                "run": run,
                "synth_s": synth_s,
                "load_s": load_s,
                "merge_s": merge_s,
                "trade_rows": len(sources.trade),
                "panel_rows": len(result.panel),
            }
        )
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "pipeline.csv", index=False)
    print(table.to_string(index=False))
    print("median seconds:", table[["synth_s", "load_s", "merge_s"]].median().round(3).to_dict())


if __name__ == "__main__":
    main()
