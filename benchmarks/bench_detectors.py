"""Time fit and score of every detector on a panel.

Usage: .venv/bin/python benchmarks/bench_detectors.py [PANEL] [--epochs N] [--detectors a,b]
PANEL defaults to data/processed/panel_injected.parquet (run `make book` or the CLI first).
Prints a table and writes benchmarks/results/detectors.csv (git-ignored).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.detectors import DETECTOR_NAMES, load_detector, make_detector
from customs_anomaly.storage import read_panel

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("panel", nargs="?", default=str(config.Paths.from_root().injected_panel))
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--detectors", default=",".join(DETECTOR_NAMES))
    args = parser.parse_args()
    panel = read_panel(args.panel)
    rows = []
    for name in args.detectors.split(","):
        params = {"epochs": args.epochs, "verbose": 0} if name.startswith("lstm") else {}
        started = time.perf_counter()
        detector = make_detector(name, **params).fit(panel)
        fit_s = time.perf_counter() - started
        with tempfile.TemporaryDirectory() as tmp:
            detector.save(tmp)
            detector = load_detector(tmp)
        started = time.perf_counter()
        detector.score(panel)
        score_s = time.perf_counter() - started
        rows.append(
            {"detector": name, "epochs": params.get("epochs"), "fit_s": fit_s, "score_s": score_s, "rows": len(panel)}
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "detectors.csv", index=False)
    print(table.round(2).to_string(index=False))


if __name__ == "__main__":
    main()
