"""The detectors every chapter and benchmark uses, with the parameters of the build profile: one
definition, so chapter 06 and the benchmarks load exactly the fits chapter 05 made."""

from __future__ import annotations

import pandas as pd

from customs_anomaly.detectors import DETECTOR_NAMES, Detector
from customs_anomaly.model_store import fitted_detector
from customs_anomaly.studies.common import Context, progress

IMPROVED = "lstm-plus"
ORIGINAL_NEURAL = ("lstm-a", "lstm-b")
SEEDED = ("iforest", "elliptic")


def fit_parameters(context: Context, name: str, **changes) -> dict:
    """Parameters of detector `name` in this build (epochs from the profile, the build's seed)."""
    if name == IMPROVED:
        params = {"epochs": context.profile.plus_epochs, "seed": context.seed, "verbose": 0}
    elif name in ORIGINAL_NEURAL:
        params = {"epochs": context.profile.original_epochs, "seed": context.seed, "verbose": 0}
    elif name in SEEDED:
        params = {"seed": context.seed}
    else:
        params = {}
    return {**params, **changes}


def build_detector(context: Context, panel: pd.DataFrame, name: str, **changes) -> Detector:
    """The detector fitted on the panel's training months: from the model store when this exact
    fit exists, else fitted and stored."""
    return fitted_detector(name, panel, context.paths.models, fit_parameters(context, name, **changes))


def build_detectors(context: Context, panel: pd.DataFrame, names=DETECTOR_NAMES) -> dict[str, Detector]:
    return {name: build_detector(context, panel, name) for name in progress(names, "detectors")}
