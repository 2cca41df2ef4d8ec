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

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        """Only the rows asked for are passed through the model (each row is scored alone)."""
        score = np.full(len(panel), np.nan)
        flag = np.zeros(len(panel), dtype=bool)
        scaled = self.scaler_.transform(numeric_matrix(panel))
        if rows.any():
            decision = self.model_.decision_function(scaled[rows])
            score[rows] = -decision
            flag[rows] = decision < 0  # sklearn's predict(): -1 where the decision function is negative
        explained = top_feature(np.abs(scaled - self.median_) / self.mad_, ORIGINAL_FEATURES)
        return explained.assign(score=score, flag=flag)

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
    name = "iforest"

    def _model(self):
        return IsolationForest(
            n_estimators=200, contamination=self.params["contamination"], random_state=self.params["seed"]
        )


class LocalOutlierFactorDetector(ClassicalDetector):
    name = "lof"
    defaults = {"seed": 0, "contamination": 0.1, "n_neighbors": 20}

    def _model(self):
        return LocalOutlierFactor(
            n_neighbors=self.params["n_neighbors"], novelty=True, contamination=self.params["contamination"]
        )


class EllipticEnvelopeDetector(ClassicalDetector):
    name = "elliptic"

    def _model(self):
        return EllipticEnvelope(
            contamination=self.params["contamination"], random_state=self.params["seed"], support_fraction=0.9
        )
