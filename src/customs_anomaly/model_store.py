"""Train once, score many: fitted detectors kept under a key of their name, the parameters that
shape them and a hash of their training rows.

A build of the book fits every detector its chapters use before running them
(`pipeline.fit_stage`); the chapters, the benchmarks and a re-run of a chapter load the same fit
instead of training it again. Change a parameter, a seed or one training row and the key changes, so a
stale model can never be picked up.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.detectors import Detector, load_detector, make_detector
from customs_anomaly.features import strip_labels
from customs_anomaly.storage import write_folder

STORE_FOLDER = "store"
# Fits loaded in this process, by folder: a chapter that needs the same fit twice loads it once.
_LOADED: dict[Path, Detector] = {}


def training_fingerprint(panel: pd.DataFrame, train_until: pd.Timestamp = config.TRAIN_UNTIL) -> str:
    """Hash of the rows a detector trains on (labels never included), in the panel's order."""
    train = strip_labels(panel)
    train = train[train["month"] <= pd.Timestamp(train_until)]
    hashed = pd.util.hash_pandas_object(train, index=False).to_numpy()
    digest = hashlib.sha256(hashed.tobytes())
    digest.update(",".join(train.columns).encode("utf-8"))
    digest.update(f"{pd.Timestamp(train_until):%Y-%m}".encode())
    return digest.hexdigest()[:16]


def model_dir(models_dir: Path, detector: Detector, training: str) -> Path:
    """Folder of a fit: named by detector, trained-part parameters, all parameters, training rows."""
    name = f"{detector.name}-{detector.fingerprint(training_only=True)}-{detector.fingerprint()}-{training}"
    return Path(models_dir) / STORE_FOLDER / name


def same_training(models_dir: Path, detector: Detector, training: str) -> list[Path]:
    """Stored fits of the same detector whose trained part is the one `detector` would train."""
    pattern = f"{detector.name}-{detector.fingerprint(training_only=True)}-*-{training}"
    return sorted(p for p in (Path(models_dir) / STORE_FOLDER).glob(pattern) if (p / "detector.json").is_file())


def fitted_detector(
    name: str,
    panel: pd.DataFrame,
    models_dir: Path,
    params: dict | None = None,
    train_until: pd.Timestamp = config.TRAIN_UNTIL,
) -> Detector:
    """The detector `name` with `params`, fitted on the panel's months up to `train_until`: loaded
    when the store holds that exact fit; derived from a stored fit that differs only in scoring
    parameters (the trained network is reused and the rest recalibrated); else fitted, timed
    (`fit_seconds_`, the whole training) and stored."""
    detector = make_detector(name, **(params or {}))
    training = training_fingerprint(panel, train_until)
    target = model_dir(models_dir, detector, training)
    if target in _LOADED:
        return _LOADED[target]
    if (target / "detector.json").is_file():
        _LOADED[target] = load_detector(target)
        return _LOADED[target]
    started = time.perf_counter()
    relatives = same_training(models_dir, detector, training)
    if relatives:
        base = load_detector(relatives[0])
        detector = base.derive(panel, **{k: v for k, v in detector.params.items() if k in base.SCORING_PARAMS})
        detector.fit_seconds_ = (base.fit_seconds_ or 0.0) + time.perf_counter() - started
    else:
        detector.fit(panel, train_until=train_until)
        detector.fit_seconds_ = time.perf_counter() - started
    write_folder(target, detector.save)  # atomic, with the checksums `load_detector` verifies
    _LOADED[target] = detector
    return detector
