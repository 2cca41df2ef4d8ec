"""Every detector used exactly as a user of scikit-learn or PyOD would (after PyOD's
`test_save_load_clone.py`), as its docstring example fits it on the tiny panel: `clone` gives an
unfitted detector with equal parameters, `get_params`/`set_params` round-trip, an unfitted
detector raises `NotFittedError`, `decision_scores_`, `threshold_` and `labels_` agree with
`decision_function` and `predict`, a flagged row has a Korean reason, and `save`/`load_detector`
round-trip. Also: the model store's fingerprints are those of the stored fits, the package's
exports, and the docstring examples of the modules."""

from __future__ import annotations

import importlib
import inspect
import re
import subprocess
import sys

import numpy as np
import pytest
import sklearn.exceptions
from doc_examples import by_detector, example_fit, run_examples
from panel_builders import tiny_panel
from sklearn.base import clone

import customs_anomaly
from customs_anomaly.detectors import DETECTOR_NAMES, DETECTORS, NotFittedError, load_detector, make_detector

NETWORKS = ("lstm-a", "lstm-b", "lstm-plus")
# `fingerprint()` and `fingerprint(training_only=True)` of every detector with its default
# parameters, computed before the public API existed: the model store's folders are named by
# them, so stored fits stay valid only while they stay the same.
FINGERPRINTS = {
    "lstm-plus": ("ae947b944d4a345e", "0feb7ec2f5f611ad"),
    "rules": ("2f5415b78831141e", "2f5415b78831141e"),
    "lstm-a": ("1a2cbff8a9bded09", "1a2cbff8a9bded09"),
    "lstm-b": ("91f36c1b33f2e7df", "91f36c1b33f2e7df"),
    "iforest": ("05328bd0e0fae42e", "05328bd0e0fae42e"),
    "lof": ("3740ffe2dfacbbf6", "3740ffe2dfacbbf6"),
    "elliptic": ("b35512b2669f6546", "b35512b2669f6546"),
    "price-band": ("c14da100bd1daa8a", "c14da100bd1daa8a"),
    "price-band-xc": ("f15ce73e60ba8dda", "f15ce73e60ba8dda"),
    "fair-price": ("103215946f62732a", "103215946f62732a"),
    "robust": ("57400637b788d22d", "57400637b788d22d"),
}
# Under `make test` (pytest-xdist, --dist loadgroup) the tests that read a docstring example's fit
# share a worker (and test_detectors' contract tests too), so that each network is fitted once.
NAMES = by_detector(DETECTOR_NAMES)
UNFITTED_CALLS = {
    "decision_function": lambda d, panel, folder: d.decision_function(panel),
    "predict": lambda d, panel, folder: d.predict(panel),
    "analyse": lambda d, panel, folder: d.analyse(panel),
    "explain": lambda d, panel, folder: d.explain(panel),
    "score": lambda d, panel, folder: d.score(panel),
    "save": lambda d, panel, folder: d.save(folder),
}
HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="module")
def fitted():
    """(detector, panel) of a name as the class's docstring example leaves them (`example_fit`)."""
    return example_fit


def assert_same_scores(first: np.ndarray, second: np.ndarray) -> None:
    np.testing.assert_array_equal(first, second)  # NaN where both are NaN


@pytest.mark.parametrize("name", NAMES)
def test_clone_gives_an_unfitted_detector_with_equal_params(name, fitted):
    detector, panel = fitted(name)
    cloned = clone(detector)
    assert type(cloned) is type(detector) and cloned is not detector
    assert cloned.get_params() == detector.get_params()
    assert getattr(cloned, "decision_scores_", None) is None and not hasattr(cloned, "threshold_")
    if name not in NETWORKS:  # refitted, the clone scores as the original (networks: test_detectors)
        cloned.fit(panel, train_until=detector.train_until_)
        assert_same_scores(cloned.decision_function(panel), detector.decision_function(panel))


@pytest.mark.parametrize("name", NAMES)
def test_set_params_and_get_params_round_trip(name):
    cls = DETECTORS[name]
    detector = make_detector(name)
    assert detector.get_params() == cls.defaults
    assert list(inspect.signature(cls).parameters) == list(cls.defaults)  # explicit keywords
    first, value = next(iter(cls.defaults.items()))
    assert detector.set_params(**{first: value + 1}) is detector
    assert detector.get_params()[first] == value + 1
    again = cls(**detector.get_params())
    assert again.get_params() == detector.get_params()
    assert again.fingerprint() == detector.fingerprint() != make_detector(name).fingerprint()
    with pytest.raises(ValueError, match=rf"detector '{name}' has no parameter\(s\) depth"):
        detector.set_params(depth=3)
    assert detector.get_params()[first] == value + 1  # a refused change changes nothing


@pytest.mark.parametrize("name", NAMES)
def test_an_unfitted_detector_says_to_call_fit_first(name, tmp_path):
    detector, panel = make_detector(name), tiny_panel()
    for method, call in UNFITTED_CALLS.items():
        with pytest.raises(NotFittedError) as raised:
            call(detector, panel, tmp_path / name)
        message = str(raised.value)
        assert isinstance(raised.value, sklearn.exceptions.NotFittedError), method
        assert f"'{name}'" in message and "call fit(panel) first" in message and "\n" not in message, method
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name", NAMES)
def test_fitted_attributes_agree_with_decision_function_and_predict(name, fitted):
    detector, panel = fitted(name)
    train = (panel["month"] <= detector.train_until_).to_numpy()
    scores, threshold = detector.decision_scores_, detector.threshold_
    assert isinstance(threshold, float) and len(scores) == len(detector.labels_) == train.sum()
    expected = (np.isfinite(scores) & (np.nan_to_num(scores, nan=-np.inf) > threshold)).astype(int)
    np.testing.assert_array_equal(detector.labels_, expected)
    assert set(np.unique(detector.labels_)) <= {0, 1}
    training_panel = panel[train].reset_index(drop=True)
    assert_same_scores(detector.decision_function(training_panel), scores)
    whole = detector.decision_function(panel)
    flags = detector.predict(panel)
    assert flags.dtype.kind == "i" and set(np.unique(flags)) <= {0, 1}
    np.testing.assert_array_equal(flags, (np.nan_to_num(whole, nan=-np.inf) > threshold).astype(int))
    np.testing.assert_array_equal(flags.astype(bool), detector.analyse(panel)["flag"].to_numpy())
    test = ~train
    np.testing.assert_array_equal(detector.predict(panel, rows=test), np.where(test, flags, 0))


@pytest.mark.parametrize("name", NAMES)
def test_a_flagged_row_has_a_korean_reason(name, fitted):
    detector, panel = fitted(name)
    flagged = detector.predict(panel) == 1
    assert flagged.any()
    reasons = detector.explain(panel, flagged)
    assert len(reasons) == flagged.sum()
    assert all(HANGUL.search(reason) for reason in reasons)
    assert list(reasons) == list(detector.score(panel).loc[flagged, "reason"])  # what `score` writes


@pytest.mark.parametrize("name", NAMES)
def test_save_and_load_round_trip(name, fitted, tmp_path):
    detector, panel = fitted(name)
    loaded = load_detector(detector.save(tmp_path / name))
    assert type(loaded) is type(detector) and loaded.get_params() == detector.get_params()
    assert loaded.threshold_ == detector.threshold_ and loaded.train_until_ == detector.train_until_
    assert_same_scores(loaded.decision_scores_, detector.decision_scores_)
    np.testing.assert_array_equal(loaded.labels_, detector.labels_)
    assert_same_scores(loaded.decision_function(panel), detector.decision_function(panel))


@pytest.mark.parametrize("name", NAMES)
def test_fingerprints_are_those_of_the_stored_fits(name):
    detector = make_detector(name)
    assert (detector.fingerprint(), detector.fingerprint(training_only=True)) == FINGERPRINTS[name]


def test_fit_without_train_until_trains_on_every_month():
    panel = tiny_panel()
    detector = make_detector("price-band").fit(panel)
    assert detector.train_until_ == panel["month"].max() and len(detector.decision_scores_) == len(panel)


def test_the_package_exports_the_api_and_imports_light():
    for name in customs_anomaly.__all__:
        assert getattr(customs_anomaly, name) is not None
    assert all(issubclass(cls, customs_anomaly.Detector) for cls in DETECTORS.values())
    assert customs_anomaly.NotFittedError is NotFittedError
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        customs_anomaly.nope  # noqa: B018
    code = "import sys, customs_anomaly; print(sorted(m for m in sys.modules if m.split('.')[0] in {0}))"
    heavy = {"tensorflow", "keras", "sklearn", "pandas"}
    loaded = subprocess.run([sys.executable, "-c", code.format(heavy)], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"


# Modules whose docstring examples are not a detector class's (those run in `fitted`).
DOCUMENTED = [
    "customs_anomaly",
    "customs_anomaly.examples",
    "customs_anomaly.detectors",
    "customs_anomaly.detectors.base",
]


@pytest.mark.parametrize("module", DOCUMENTED)
def test_docstring_examples_run(module):
    assert run_examples(importlib.import_module(module))
