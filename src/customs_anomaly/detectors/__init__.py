"""Detectors by name: `make_detector(name, **params)` makes one, `load_detector(folder)` reads one
that `save` wrote. Every detector follows `Detector`'s interface (scikit-learn's and PyOD's
conventions): `fit` on the training months, then `decision_function`, `predict` and `explain`
for the rows of any panel.

Examples
--------
>>> from customs_anomaly.detectors import DETECTOR_NAMES, make_detector
>>> DETECTOR_NAMES
('lstm-plus', 'rules', 'lstm-a', 'lstm-b', 'iforest', 'lof', 'elliptic',
 'price-band', 'price-band-xc', 'fair-price', 'robust')
>>> make_detector("lof", n_neighbors=10)
LocalOutlierFactorDetector(n_neighbors=10)
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly.detectors.base import (
    MODEL_META,
    STATE_FILE,
    TRAINING_SCORES_FILE,
    Detector,
    NotFittedError,
)
from customs_anomaly.detectors.baselines import (
    CrossCountryPriceBandDetector,
    FairPriceDetector,
    PriceBandDetector,
    RobustNeighbourDetector,
)
from customs_anomaly.detectors.classical import (
    EllipticEnvelopeDetector,
    IsolationForestDetector,
    LocalOutlierFactorDetector,
)
from customs_anomaly.detectors.lstm_autoencoder import LSTMAutoencoderDetector, LSTMEmbeddingDetector
from customs_anomaly.detectors.lstm_plus import LSTMPlusDetector
from customs_anomaly.detectors.rules import RulesDetector
from customs_anomaly.errors import InputError
from customs_anomaly.storage import verify_checksums

__all__ = [
    "DEFAULT_DETECTOR",
    "DETECTORS",
    "DETECTOR_NAMES",
    "CrossCountryPriceBandDetector",
    "Detector",
    "EllipticEnvelopeDetector",
    "FairPriceDetector",
    "IsolationForestDetector",
    "LSTMAutoencoderDetector",
    "LSTMEmbeddingDetector",
    "LSTMPlusDetector",
    "LocalOutlierFactorDetector",
    "NotFittedError",
    "PriceBandDetector",
    "RobustNeighbourDetector",
    "RulesDetector",
    "load_detector",
    "make_detector",
]

DETECTORS: dict[str, type[Detector]] = {
    cls.name: cls
    for cls in (
        LSTMPlusDetector,
        RulesDetector,
        LSTMAutoencoderDetector,
        LSTMEmbeddingDetector,
        IsolationForestDetector,
        LocalOutlierFactorDetector,
        EllipticEnvelopeDetector,
        PriceBandDetector,
        CrossCountryPriceBandDetector,
        FairPriceDetector,
        RobustNeighbourDetector,
    )
}
DETECTOR_NAMES = tuple(DETECTORS)
DEFAULT_DETECTOR = "lstm-plus"


def make_detector(name: str, **params) -> Detector:
    """The detector `name` (one of `DETECTOR_NAMES`) with `params` by keyword, not fitted yet.
    `epochs` is dropped for a detector without it (the CLI passes it to every detector)."""
    if name not in DETECTORS:
        raise ValueError(f"unknown detector '{name}'; choose one of {', '.join(DETECTOR_NAMES)}")
    cls = DETECTORS[name]
    if "epochs" not in cls.defaults:
        params.pop("epochs", None)  # the CLI's --epochs only concerns the neural detectors
    return cls(**params)


NETWORK_FILE = "model.keras"
KERAS_CONFIG = "config.json"  # every .keras archive holds it
NEURAL_DETECTORS = (LSTMAutoencoderDetector, LSTMPlusDetector)


def required_files(cls: type[Detector]) -> tuple[str, ...]:
    """The files a model folder of a detector class must hold, besides detector.json (`save` also
    writes the training rows' scores, which folders saved before them lack)."""
    return (STATE_FILE, NETWORK_FILE) if issubclass(cls, NEURAL_DETECTORS) else (STATE_FILE,)


def read_model_meta(model_dir: Path) -> tuple[type[Detector], dict]:
    """The detector class and parameters recorded in detector.json; one-line errors naming the
    folder for a missing, corrupt or unknown record."""
    if not model_dir.is_dir():
        what = "is a file" if model_dir.exists() else "model folder not found"
        raise InputError(model_dir, f"{what}: give the folder `fit` wrote (it holds {MODEL_META})")
    meta_path = model_dir / MODEL_META
    if not meta_path.is_file():
        raise InputError(model_dir, f"no {MODEL_META}: not a model folder written by `fit`")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        name, params = meta["name"], meta["params"]
    except (ValueError, KeyError, TypeError):  # bad JSON or bytes, or not the record `fit` writes
        raise InputError(model_dir, f"{MODEL_META} is not a detector record written by `fit`") from None
    if name not in DETECTORS or not isinstance(params, dict):
        raise InputError(model_dir, f"{MODEL_META} names an unknown detector {name!r}")
    return DETECTORS[name], params


def check_model_files(model_dir: Path, cls: type[Detector]) -> None:
    """Every file the detector needs is present and, where a checksum record exists, unchanged;
    the network file is a .keras (zip) archive."""
    verify_checksums(model_dir)
    for name in required_files(cls):
        if not (model_dir / name).is_file():
            raise InputError(model_dir, f"{name} is missing: the folder is incomplete or of another detector")
    if issubclass(cls, NEURAL_DETECTORS) and not is_keras_archive(model_dir / NETWORK_FILE):
        raise InputError(model_dir, f"{NETWORK_FILE} is not a saved Keras model (corrupt)")


def is_keras_archive(path: Path) -> bool:
    """A .keras file is a zip archive holding the model's config.json (checked without TensorFlow)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return KERAS_CONFIG in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def read_state(model_dir: Path) -> dict:
    """The saved state: a dict, or one line naming the folder when the file cannot be unpickled."""
    import joblib

    try:
        state = joblib.load(model_dir / STATE_FILE)
    except Exception:  # unpickling corrupt bytes raises many types, with messages that mean little
        raise InputError(model_dir, f"{STATE_FILE} cannot be read (corrupt, or not a saved state)") from None
    if not isinstance(state, dict):
        raise InputError(model_dir, f"{STATE_FILE} is not a detector state")
    return state


def read_training_scores(model_dir: Path) -> np.ndarray | None:
    """The scores of the training rows `save` wrote; None for a folder saved without them."""
    path = model_dir / TRAINING_SCORES_FILE
    if not path.is_file():
        return None
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError):
        raise InputError(model_dir, f"{TRAINING_SCORES_FILE} cannot be read (corrupt)") from None


def load_detector(model_dir: str | Path) -> Detector:
    """A fitted detector from the folder `fit` wrote. A folder whose files are missing, corrupt or
    of another detector is one InputError naming the folder."""
    model_dir = Path(model_dir)
    cls, params = read_model_meta(model_dir)
    check_model_files(model_dir, cls)
    read_state(model_dir)
    try:
        detector = make_detector(cls.name, **params)
        detector._load_state(model_dir)
    except KeyError as exc:
        raise InputError(model_dir, f"{STATE_FILE} lacks {exc}: the state of another detector") from None
    except Exception as exc:  # unpickling and Keras raise many types; all mean the same to the user
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(model_dir, f"cannot load the '{cls.name}' model: {reason}") from None
    if not isinstance(getattr(detector, "train_until_", None), pd.Timestamp):
        raise InputError(model_dir, f"{STATE_FILE} is not the state of a fitted '{cls.name}' detector")
    missing = [key for key in getattr(detector, "_STATE", ()) if not hasattr(detector, key)]
    if missing:
        raise InputError(model_dir, f"{STATE_FILE} lacks {missing[0]}: the state of another detector")
    detector._set_fitted(decision_scores=read_training_scores(model_dir))
    detector.fit_seconds_ = json.loads((model_dir / MODEL_META).read_text(encoding="utf-8")).get("fit_seconds")
    return detector
