"""The original's rules: per-kg freight far from its region-month mean, or a freight-to-oil ratio
above its 85th percentile; a row is flagged when either fires."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly.detectors.base import Detector


def freight_deviation(panel: pd.DataFrame) -> pd.Series:
    """Relative deviation of per-kg freight from its region-month mean (1.0 = 100%)."""
    mean = panel.groupby(["region", "month"])["freight_krw_per_kg"].transform("mean")
    return (panel["freight_krw_per_kg"] / mean - 1.0).abs()


def freight_to_oil(panel: pd.DataFrame) -> pd.Series:
    return panel["freight_krw_per_kg"] / panel["dubai_usd"]


class RulesDetector(Detector):
    """The original's rules on per-kg freight (``rules``): a row is flagged when its freight per
    kg strays from its region-month mean by more than `deviation_limit`, or when its freight per
    kg over the Dubai crude price exceeds the training months' `oil_ratio_percentile`-th
    percentile.

    The score is the larger of the two rules' values in units of their limits (the deviation over
    `deviation_limit`, the ratio over its percentile), so a rule fires above 1. Every reason is
    about freight.

    Parameters
    ----------
    deviation_limit : float, default 1.0
        Relative deviation of per-kg freight from its region-month mean at which the first rule
        fires (1.0 = 100%).
    oil_ratio_percentile : float, default 85.0
        Percentile (0-100) of the training months' freight-to-oil ratios at which the second rule
        fires.

    Attributes
    ----------
    threshold_ : float
        1.0: a row is flagged when either rule fires.
    oil_ratio_limit_ : float
        The training months' freight-to-oil ratio at `oil_ratio_percentile`.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import RulesDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = RulesDetector(oil_ratio_percentile=90.0).fit(panel, train_until="2024-04")
    >>> detector.threshold_, round(detector.oil_ratio_limit_, 2)
    (1.0, 0.97)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '운임/유가 비율이 학습 기간 90백분위의 1.02배'
    """

    name = "rules"
    defaults = {"deviation_limit": 1.0, "oil_ratio_percentile": 85.0}

    def _fit(self, train: pd.DataFrame) -> None:
        self.oil_ratio_limit_ = float(np.nanpercentile(freight_to_oil(train), self.params["oil_ratio_percentile"]))

    def _threshold(self) -> float:
        return 1.0  # both scores are in units of their rule's limit: a rule fires above 1

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        deviation = freight_deviation(panel).to_numpy()
        ratio_score = freight_to_oil(panel).to_numpy() / self.oil_ratio_limit_
        deviation_score = deviation / self.params["deviation_limit"]
        fires_deviation, fires_ratio = deviation_score > 1, ratio_score > 1
        # the rule that fires (the deviation first); for a row that fires neither, the nearer one
        says_deviation = fires_deviation | (~fires_ratio & (deviation_score >= ratio_score))
        return pd.DataFrame(
            {
                "score": np.fmax(deviation_score, ratio_score),
                "freight_reason": True,
                "freight_deviation": deviation,
                "oil_ratio_score": ratio_score,
                "says_deviation": says_deviation,
            }
        )

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        percentile = self.params["oil_ratio_percentile"]
        return [
            f"운임/kg가 지역·월 평균에서 {deviation:.0%} 벗어남"
            if says_deviation
            else f"운임/유가 비율이 학습 기간 {percentile:.0f}백분위의 {ratio:.2f}배"
            for deviation, ratio, says_deviation in zip(
                analysis["freight_deviation"], analysis["oil_ratio_score"], analysis["says_deviation"]
            )
        ]

    def _state(self) -> dict:
        return {"oil_ratio_limit": self.oil_ratio_limit_, "train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.oil_ratio_limit_ = state["oil_ratio_limit"]
        self.train_until_ = state["train_until"]
