"""Time fit and scoring of every detector on a panel, and print rows per second.

Usage: .venv/bin/python benchmarks/bench_detectors.py [PANEL] [--profile full|quick] [--epochs N]
       [--detectors a,b] [--repeat R]

PANEL defaults to data/processed/panel.parquet (run `make book` or `make data` first). The neural
detectors train for the epochs of the build profile (the book's `full` by default), or --epochs.
For each detector: the fit time on the training months, then the best of R timings of
`decision_function` on the whole panel and on the test year only (the other months read as
context), as seconds and panel rows per second, and `score` with the reasons of the flagged rows.
Prints a table and writes benchmarks/results/detectors.csv (git-ignored).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.detectors import DETECTOR_NAMES, make_detector
from customs_anomaly.experiments import in_test_year
from customs_anomaly.profiles import PROFILES, get_profile
from customs_anomaly.storage import read_panel

RESULTS = Path(__file__).resolve().parent / "results"


def best_seconds(action, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        timings.append(time.perf_counter() - started)
    return min(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("panel", nargs="?", default=str(config.Paths.from_root().panel))
    parser.add_argument("--profile", choices=sorted(PROFILES), default="full", help="whose epochs to train")
    parser.add_argument("--epochs", type=int, default=None, help="epochs of every neural detector (overrides)")
    parser.add_argument("--detectors", default=",".join(DETECTOR_NAMES))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    profile = get_profile(args.profile)
    panel = read_panel(args.panel)
    test = in_test_year(panel)
    rows = []
    for name in args.detectors.split(","):
        params = {}
        if name.startswith("lstm"):
            epochs = profile.plus_epochs if name == "lstm-plus" else profile.original_epochs
            params = {"verbose": 0, "epochs": args.epochs or epochs}
        detector = make_detector(name, **params)
        started = time.perf_counter()
        detector.fit(panel, train_until=config.TRAIN_UNTIL)
        fit_seconds = time.perf_counter() - started
        detector.decision_function(panel, rows=test)  # warm up (graph tracing of the neural detectors)
        whole = best_seconds(lambda d=detector: d.decision_function(panel), args.repeat)
        test_year = best_seconds(lambda d=detector: d.decision_function(panel, rows=test), args.repeat)
        with_reasons = best_seconds(lambda d=detector: d.score(panel), 1)
        rows.append(
            {
                "detector": name,
                "epochs": detector.params.get("epochs"),
                "fit_s": round(fit_seconds, 2),
                "panel_rows": len(panel),
                "score_panel_s": round(whole, 4),
                "panel_rows_per_s": round(len(panel) / whole),
                "score_test_year_s": round(test_year, 4),
                "test_year_rows_per_s": round(int(test.sum()) / test_year),
                "score_with_reasons_s": round(with_reasons, 3),
            }
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "detectors.csv", index=False)
    pd.set_option("display.width", 200)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
