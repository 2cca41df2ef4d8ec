"""What bench_targets.py and bench_operations.py share: the same arguments, and a study run on
the panel under ROOT/data exactly as the book runs it (the replica written and merged first when
there is no panel; fits stored by `make book` loaded, not trained again)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from customs_anomaly import config, studies
from customs_anomaly.pipeline import BuildOptions, ensure_raw_data
from customs_anomaly.profiles import PROFILES, get_profile


def run_study(description: str, study) -> tuple[studies.Context, studies.StudyResult, float]:
    """Parse --profile/--root/--seed and run `study(context)`. Returns the context, the study's
    result and the run's start (a perf_counter reading) for the caller's elapsed time."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    return context, study(context), started
