"""Measure what unrolling the recurrent loops changes in training the LSTM detectors.

Usage: .venv/bin/python benchmarks/bench_unroll.py [PANEL] [--epochs N] [--detectors a,b]

Fits each neural detector twice on the panel's training months with the same seed and epochs,
once with Keras' loop over the months (`unroll=False`) and once unrolled into plain operations
(what the package does from `UNROLL_MIN_EPOCHS` epochs on), and prints the fit seconds and the
largest difference between the two fits' test-year scores (unrolling is the same model: the
difference is floating-point order only). Writes benchmarks/results/unroll.csv (git-ignored).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.detectors import lstm_autoencoder, lstm_plus, make_detector
from customs_anomaly.experiments import in_test_year
from customs_anomaly.storage import read_panel

RESULTS = Path(__file__).resolve().parent / "results"


def fit_and_score(name: str, panel: pd.DataFrame, epochs: int, unroll: bool) -> tuple[float, np.ndarray]:
    for module in (lstm_autoencoder, lstm_plus):
        module.unrolled = lambda _epochs, value=unroll: value
    detector = make_detector(name, epochs=epochs, verbose=0)
    started = time.perf_counter()
    detector.fit(panel, train_until=config.TRAIN_UNTIL)
    seconds = time.perf_counter() - started
    return seconds, detector.decision_function(panel, rows=in_test_year(panel))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("panel", nargs="?", default=str(config.Paths.from_root().panel))
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--detectors", default="lstm-plus,lstm-a,lstm-b")
    args = parser.parse_args()
    panel = read_panel(args.panel)
    rows = []
    for name in args.detectors.split(","):
        loop_s, loop_scores = fit_and_score(name, panel, args.epochs, unroll=False)
        unrolled_s, unrolled_scores = fit_and_score(name, panel, args.epochs, unroll=True)
        finite = np.isfinite(loop_scores) & np.isfinite(unrolled_scores)
        rows.append(
            {
                "detector": name,
                "epochs": args.epochs,
                "fit_loop_s": round(loop_s, 1),
                "fit_unrolled_s": round(unrolled_s, 1),
                "speed_up": round(loop_s / unrolled_s, 2),
                "max_score_difference": float(np.max(np.abs(loop_scores[finite] - unrolled_scores[finite]))),
                "rank_correlation": float(
                    pd.Series(loop_scores[finite]).corr(pd.Series(unrolled_scores[finite]), method="spearman")
                ),
            }
        )
        print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "unroll.csv", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
