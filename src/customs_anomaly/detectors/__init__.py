"""Detectors by name. Every detector fits on the training months and scores every panel row."""

from __future__ import annotations

import json
from pathlib import Path

from customs_anomaly.detectors.base import Detector
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
    if name not in DETECTORS:
        raise ValueError(f"unknown detector '{name}'; choose one of {', '.join(DETECTOR_NAMES)}")
    cls = DETECTORS[name]
    if "epochs" not in cls.defaults:
        params.pop("epochs", None)  # the CLI's --epochs only concerns the neural detectors
    return cls(**params)


def load_detector(model_dir: str | Path) -> Detector:
    model_dir = Path(model_dir)
    meta_path = model_dir / "detector.json"
    if not meta_path.is_file():
        raise InputError(model_dir, "no detector.json: not a model directory written by `fit`")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    detector = make_detector(meta["name"], **meta["params"])
    detector._load_state(model_dir)
    detector.fit_seconds_ = meta.get("fit_seconds")
    return detector
