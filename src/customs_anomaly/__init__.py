"""customs_anomaly: unsupervised detection of suspicious seafood imports in Korean customs open data.

The public API, importable from the package itself:

- `read_panel(path)`: a panel file (parquet or CSV), checked against the panel contract;
- `inject_anomalies(panel, seed)`: the panel with labelled anomalies planted in its test year;
- `make_detector(name, **params)`, `load_detector(folder)`, `DETECTOR_NAMES`, `Detector`,
  `NotFittedError`: the detectors, in scikit-learn's and PyOD's conventions (`fit`,
  `decision_function`, `predict`, `explain`, `threshold_`, `decision_scores_`, `labels_`);
- `evaluate_scores(scores, injected_panel)`: the metrics of a detector's scores on the test year.

They are imported on first use, so that ``import customs_anomaly`` stays light (no scikit-learn,
no TensorFlow).

Examples
--------
>>> from customs_anomaly import evaluate_scores, inject_anomalies, make_detector
>>> from customs_anomaly.examples import tiny_panel
>>> from customs_anomaly.inject import InjectionSpec
>>> spec = InjectionSpec(counts={"a": 2, "b": 1, "c": 1, "d": 4, "e": 2, "f": 1})
>>> injected = inject_anomalies(tiny_panel(seed=1), seed=0, spec=spec).panel
>>> detector = make_detector("rules").fit(injected, train_until="2024-04")
>>> metrics = evaluate_scores(detector.score(injected), injected)
>>> metrics["anomalies"]
11
"""

from __future__ import annotations

import importlib

__version__ = "0.3.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "read_panel": "customs_anomaly.storage",
    "inject_anomalies": "customs_anomaly.inject",
    "evaluate_scores": "customs_anomaly.evaluate",
    "make_detector": "customs_anomaly.detectors",
    "load_detector": "customs_anomaly.detectors",
    "DETECTOR_NAMES": "customs_anomaly.detectors",
    "Detector": "customs_anomaly.detectors",
    "NotFittedError": "customs_anomaly.detectors",
}
__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'customs_anomaly' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
