"""Measure the improved detector against its targets, as chapter 06 does, and print them.

Usage: .venv/bin/python benchmarks/bench_targets.py [--panel PANEL] [--quick] [--epochs N]

Without --panel it writes the synthetic replica (seed 0) to a temporary folder and merges it, as
`make book` does. It fits `lstm-plus` and the rivals named in the targets (price-band, fair-price,
iforest, robust) on the training months, scores the default injection protocol for seeds 0-4 and
the fixed-magnitude injections (value x0.5 ... x2, seeds 0-1), and prints:
- the protocol targets (AP, P@100, R@5%, value capture in the top 1%): mean, std, met or not;
- the AP of every detector at every unit-price magnitude and whether lstm-plus is ahead;
- the share of detected anomalies whose reason group matches the injected type's group;
- on the replica (no --panel), the noise ceiling: what an oracle that knows the generator reaches
  on the same seeds, and over 20 injection seeds (4 with --quick) where each target lies against it;
  and the oracle without one piece of its knowledge at a time (ceiling.knowledge_gaps).
With the default parameters the numbers equal chapter 06 of a `make book` build (same seeds,
deterministic training). Results also go to benchmarks/results/targets*.csv (git-ignored).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from customs_anomaly import config, experiments
from customs_anomaly.detectors import load_detector
from customs_anomaly.storage import read_panel

RESULTS = Path(__file__).resolve().parent / "results"
RIVALS = ["price-band", "fair-price", "iforest", "robust"]


def replica_panel(seed: int = config.DEFAULT_SEED) -> pd.DataFrame:
    from customs_anomaly.merge import build_panel
    from customs_anomaly.sources import load_raw
    from customs_anomaly.synth import write_replica

    with tempfile.TemporaryDirectory() as tmp:
        write_replica(Path(tmp), seed=seed)
        return build_panel(load_raw(Path(tmp))).panel


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--panel", default=None, help="a merged panel (default: the replica, seed 0)")
    parser.add_argument("--quick", action="store_true", help="2 epochs, 2 seeds, factors x0.5 and x2, 1 magnitude seed")
    parser.add_argument("--epochs", type=int, default=30, help="lstm-plus epochs (chapter 05's plus_epochs)")
    args = parser.parse_args()
    epochs = 2 if args.quick else args.epochs
    seeds = [0, 1] if args.quick else [0, 1, 2, 3, 4]
    magnitude_seeds = [0] if args.quick else [0, 1]
    factors = (0.5, 2.0) if args.quick else tuple(f for f in experiments.VALUE_FACTORS if 0.5 <= f <= 2.0)

    started = time.perf_counter()
    panel = read_panel(args.panel) if args.panel else replica_panel()
    injections = experiments.injected_panels(panel, seeds)
    names = ["lstm-plus", *RIVALS]
    params = {"lstm-plus": {"epochs": epochs, "seed": 0, "verbose": 0}, "iforest": {"seed": 0}}
    with tempfile.TemporaryDirectory() as models:
        runs = {
            name: experiments.run_detector(name, panel, injections, Path(models), params.get(name, {}))
            for name in names
        }
        detectors = {name: load_detector(Path(models) / name) for name in names}
        curves = experiments.magnitude_curves(
            detectors, experiments.magnitude_injections(panel, magnitude_seeds, factors, freight_factors=())
        )
    summary = experiments.summary_table(runs)
    targets = experiments.targets_table(summary, "lstm-plus")
    wins = experiments.wins_at_every_factor(curves, "lstm-plus", RIVALS, factors=factors)
    agreement = [experiments.reason_agreement(runs["lstm-plus"].scores[s], injections[s].panel) for s in seeds]
    reason_share = sum(a["matching"] for a in agreement) / max(sum(a["detected"] for a in agreement), 1)

    pd.set_option("display.width", 160)
    print(f"\nlstm-plus ({epochs} epochs) on the default protocol, seeds {seeds}:")
    print(targets.drop(columns="지표").to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    print(f"\nAP by unit-price magnitude (mean over seeds {magnitude_seeds}); wins = lstm-plus ahead of all rivals:")
    print(wins.to_string(float_format=lambda v: f"{v:.3f}"))
    narrow = experiments.narrow_leads(wins, "lstm-plus")
    if not narrow.empty:
        print("narrow leads (less than 5% of the best rival's AP, a tie in practice):")
        print(narrow.to_string(float_format=lambda v: f"{v:.4f}"))
    print(f"\nreason group matches the injected type for {reason_share:.1%} of detected anomalies (target >= 90%)")
    RESULTS.mkdir(exist_ok=True)
    if args.panel is None:  # the replica's generator is known: print the noise ceiling
        from customs_anomaly import ceiling, synth

        latent = synth.latent_price_model(config.DEFAULT_SEED)
        wide_seeds = range(4 if args.quick else 20)
        wide_injections = {
            **injections,
            **experiments.injected_panels(panel, [s for s in wide_seeds if s not in injections]),
        }
        table = ceiling.ceiling_table(
            summary,
            ceiling.noise_ceiling(panel, injections, latent),
            "lstm-plus",
            experiments.TARGETS,
            wide=ceiling.noise_ceiling(panel, wide_injections, latent),
        )
        print("\nnoise ceiling (an oracle that knows the replica's expected prices and noise; see ceiling.py):")
        print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        table.to_csv(RESULTS / "targets_ceiling.csv", index=False)
        gaps = ceiling.knowledge_gaps(panel, injections, latent, runs["lstm-plus"])
        print("\nwhere lstm-plus loses against the oracle (the oracle without one piece of its knowledge):")
        print(gaps.to_string(float_format=lambda v: f"{v:.3f}"))
        gaps.to_csv(RESULTS / "targets_knowledge_gaps.csv")
    met = int(targets["달성"].sum()) + bool(wins["wins"].all()) + (reason_share >= 0.9)
    print(f"\ntargets met: {met} of {len(targets) + 2}; {time.perf_counter() - started:.0f} s")

    targets.to_csv(RESULTS / "targets.csv", index=False)
    wins.to_csv(RESULTS / "targets_magnitude.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
