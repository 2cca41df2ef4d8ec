"""The classical detectors the original tried, on the same numeric features, one row at a time:
Isolation Forest, Local Outlier Factor (novelty mode) and EllipticEnvelope."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.covariance import EllipticEnvelope
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import LocalOutlierFactor
from sklearn.preprocessing import MinMaxScaler

from customs_anomaly.detectors.base import Detector, feature_reasons, top_feature
from customs_anomaly.features import ORIGINAL_FEATURES, numeric_matrix

REASON_WHAT = "편차(학습 기간 대비)"


class ClassicalDetector(Detector):
    """What the three classical detectors share: the original's numeric features of a row, scaled
    to [0, 1] on the training months, scored by a scikit-learn novelty detector (the score is the
    negated `decision_function`, positive where scikit-learn's `predict` says outlier); the
    reason names the feature furthest from its training median in units of its MAD."""

    defaults = {"seed": 0, "contamination": 0.1}

    def _model(self):
        raise NotImplementedError

    def _fit(self, train: pd.DataFrame) -> None:
        matrix = numeric_matrix(train)
        self.scaler_ = MinMaxScaler().fit(matrix)
        scaled = self.scaler_.transform(matrix)
        self.median_ = np.median(scaled, axis=0)
        self.mad_ = np.median(np.abs(scaled - self.median_), axis=0) + 1e-9
        self.model_ = self._model().fit(scaled)

    def _threshold(self) -> float:
        return 0.0  # sklearn's predict() flags a negative decision function, whose negation is the score

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """Only the rows asked for are passed through the model (each row is scored alone)."""
        score = np.full(len(panel), np.nan)
        scaled = self.scaler_.transform(numeric_matrix(panel))
        if rows.any():
            score[rows] = -self.model_.decision_function(scaled[rows])
        explained = top_feature(np.abs(scaled - self.median_) / self.mad_, ORIGINAL_FEATURES)
        return explained.assign(score=score)

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        return feature_reasons(analysis, ORIGINAL_FEATURES, REASON_WHAT)

    def _state(self) -> dict:
        return {
            "scaler": self.scaler_,
            "model": self.model_,
            "median": self.median_,
            "mad": self.mad_,
            "train_until": self.train_until_,
        }

    def _restore(self, state: dict) -> None:
        self.scaler_, self.model_ = state["scaler"], state["model"]
        self.median_, self.mad_, self.train_until_ = state["median"], state["mad"], state["train_until"]


class IsolationForestDetector(ClassicalDetector):
    """Isolation Forest (``iforest``) on the original's numeric features, one row at a time: 200
    trees; a row isolated in few splits scores high.

    Parameters
    ----------
    seed : int, default 0
        Random state of the forest.
    contamination : float, default 0.1
        Expected share of outliers among the training rows: sets scikit-learn's offset, hence
        the share of training rows flagged.

    Attributes
    ----------
    threshold_ : float
        0.0: a row is flagged where scikit-learn's `predict` says outlier (its decision function
        is negative).
    scaler_ : sklearn.preprocessing.MinMaxScaler
        The features' scaling, fitted on the training rows.
    model_ : sklearn.ensemble.IsolationForest
        The fitted scikit-learn detector.
    median_, mad_ : numpy.ndarray
        Per scaled feature: the training rows' median and median absolute deviation (the
        reasons' reference).
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import IsolationForestDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = IsolationForestDetector(contamination=0.05).fit(panel, train_until="2024-04")
    >>> detector.threshold_, round(float(detector.labels_.mean()), 2)
    (0.0, 0.05)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '금액 편차(학습 기간 대비) 최대 (기여 46%)'
    """

    name = "iforest"

    def _model(self):
        return IsolationForest(
            n_estimators=200, contamination=self.params["contamination"], random_state=self.params["seed"]
        )


class LocalOutlierFactorDetector(ClassicalDetector):
    """Local Outlier Factor (``lof``) in novelty mode on the original's numeric features, one row
    at a time: a row in a sparser region than its nearest training rows scores high.

    Parameters
    ----------
    seed : int, default 0
        Unused (the method draws nothing at random); kept so that every classical
        detector takes the same parameters.
    contamination : float, default 0.1
        Expected share of outliers among the training rows: sets scikit-learn's offset, hence
        the share of training rows flagged.
    n_neighbors : int, default 20
        Training rows each row is compared with.

    Attributes
    ----------
    threshold_ : float
        0.0: a row is flagged where scikit-learn's `predict` says outlier (its decision function
        is negative).
    scaler_ : sklearn.preprocessing.MinMaxScaler
        The features' scaling, fitted on the training rows.
    model_ : sklearn.neighbors.LocalOutlierFactor
        The fitted scikit-learn detector.
    median_, mad_ : numpy.ndarray
        Per scaled feature: the training rows' median and median absolute deviation (the
        reasons' reference).
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import LocalOutlierFactorDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = LocalOutlierFactorDetector(n_neighbors=10).fit(panel, train_until="2024-04")
    >>> detector.threshold_, round(float(detector.labels_.mean()), 2)
    (0.0, 0.09)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '중량 편차(학습 기간 대비) 최대 (기여 53%)'
    """

    name = "lof"
    defaults = {"seed": 0, "contamination": 0.1, "n_neighbors": 20}

    def _model(self):
        return LocalOutlierFactor(
            n_neighbors=self.params["n_neighbors"], novelty=True, contamination=self.params["contamination"]
        )


class EllipticEnvelopeDetector(ClassicalDetector):
    """EllipticEnvelope (``elliptic``) on the original's numeric features, one row at a time: a
    robust Gaussian fit (minimum covariance determinant over 90% of the training rows); a row far
    from it in Mahalanobis distance scores high.

    Parameters
    ----------
    seed : int, default 0
        Random state of the minimum covariance determinant.
    contamination : float, default 0.1
        Expected share of outliers among the training rows: sets scikit-learn's offset, hence
        the share of training rows flagged.

    Attributes
    ----------
    threshold_ : float
        0.0: a row is flagged where scikit-learn's `predict` says outlier (its decision function
        is negative).
    scaler_ : sklearn.preprocessing.MinMaxScaler
        The features' scaling, fitted on the training rows.
    model_ : sklearn.covariance.EllipticEnvelope
        The fitted scikit-learn detector.
    median_, mad_ : numpy.ndarray
        Per scaled feature: the training rows' median and median absolute deviation (the
        reasons' reference).
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import EllipticEnvelopeDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = EllipticEnvelopeDetector(contamination=0.05).fit(panel, train_until="2024-04")
    >>> detector.threshold_, round(float(detector.labels_.mean()), 2)
    (0.0, 0.05)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '총 운임 편차(학습 기간 대비) 최대 (기여 52%)'
    """

    name = "elliptic"

    def _model(self):
        return EllipticEnvelope(
            contamination=self.params["contamination"], random_state=self.params["seed"], support_fraction=0.9
        )
