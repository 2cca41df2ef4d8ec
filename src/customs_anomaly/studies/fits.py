"""The detectors every chapter and benchmark uses, with the parameters of the build profile: one
definition, so chapters 05, 06 and 06-2 and the benchmarks load exactly the same fits.

A build of the book fits them all before the chapters run (`fit_for_book`, two at a time, see
`pipeline.fit_stage`); a chapter run alone fits whatever the model store lacks."""

from __future__ import annotations

import time

import pandas as pd

from customs_anomaly import config, experiments
from customs_anomaly.detectors import DETECTOR_NAMES, DETECTORS, Detector
from customs_anomaly.learning import FIT_UNTIL as LEARNING_FIT_UNTIL
from customs_anomaly.model_store import fitted_detector, model_dir, training_fingerprint
from customs_anomaly.storage import read_panel
from customs_anomaly.studies.common import Context, progress

IMPROVED = "lstm-plus"
ORIGINAL_NEURAL = ("lstm-a", "lstm-b")
SEEDED = ("iforest", "elliptic")
# The improved detector in its prospective form (chapter 06-2): a target month at the end of its
# window, so that nothing after the month is read.
PROSPECTIVE_FORM = {"alignment": "trailing"}
# The same form trained on the months before chapter 06-3's simulated period (so that no simulated
# month is in its training): `build_detector` takes `train_until` beside the parameters.
LEARNING_FORM = {**PROSPECTIVE_FORM, "train_until": f"{LEARNING_FIT_UNTIL:%Y-%m}"}
# Fits that take longest first, so that two side by side finish close together (the rest follow
# in DETECTOR_NAMES order): model B, the improved detector and its variants, model A.
LONGEST_FIRST = ("lstm-b", IMPROVED, "lstm-a")


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


def build_detector(
    context: Context, panel: pd.DataFrame, name: str, train_until=config.TRAIN_UNTIL, **changes
) -> Detector:
    """The detector fitted on the panel's months up to `train_until` (the training months by
    default): from the model store when this exact fit exists, else fitted and stored."""
    parameters = fit_parameters(context, name, **changes)
    return fitted_detector(name, panel, context.paths.models, parameters, pd.Timestamp(train_until))


def build_detectors(context: Context, panel: pd.DataFrame, names=DETECTOR_NAMES) -> dict[str, Detector]:
    return {name: build_detector(context, panel, name) for name in progress(names, "detectors")}


def trains_again(name: str, changes: dict) -> bool:
    """Whether a variant needs its own training; a change of scoring parameters only is derived
    from the stored fit in seconds (`Detector.derive`)."""
    return bool(set(changes) - DETECTORS[name].SCORING_PARAMS)


def book_fits() -> list[tuple[str, dict]]:
    """Every fit the chapters load, as (detector, changes to the build's parameters, with
    ``train_until`` where the fit ends before the training months do), longest first: every
    detector (chapters 05, 06, 06-2), the improved detector's prospective form (06-2), that form
    trained before the simulated period (06-3) and each ablation variant that trains a network of
    its own (06)."""
    variants = [(IMPROVED, PROSPECTIVE_FORM), (IMPROVED, LEARNING_FORM)]
    variants += [(IMPROVED, change) for change in experiments.ABLATIONS.values() if change]
    fits = [(name, {}) for name in DETECTOR_NAMES] + [(name, c) for name, c in variants if trains_again(name, c)]
    order = {name: rank for rank, name in enumerate(LONGEST_FIRST)}
    return sorted(fits, key=lambda fit: order.get(fit[0], len(order)))


def fit_for_book(parameters: dict, name: str, changes: dict) -> dict:
    """Fit one of `book_fits()` into the model store of the build whose chapter parameters are
    `parameters` (or find it there); its record."""
    context = Context.from_parameters(parameters)
    started = time.perf_counter()
    panel = read_panel(context.paths.panel)
    detector = build_detector(context, panel, name, **changes)
    return {
        "folder": model_dir(context.paths.models, detector, training_fingerprint(panel, detector.train_until_)).name,
        "detector": name,
        "changes": ", ".join(f"{k}={v}" for k, v in changes.items()),
        "fit_seconds": round(detector.fit_seconds_ or 0.0, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }
