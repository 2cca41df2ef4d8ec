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
    name = "rules"
    defaults = {"deviation_limit": 1.0, "oil_ratio_percentile": 85.0}

    def _fit(self, train: pd.DataFrame) -> None:
        self.oil_ratio_limit_ = float(np.nanpercentile(freight_to_oil(train), self.params["oil_ratio_percentile"]))

    def _score(self, panel: pd.DataFrame) -> pd.DataFrame:
        deviation = freight_deviation(panel)
        ratio = freight_to_oil(panel)
        deviation_score = deviation / self.params["deviation_limit"]
        ratio_score = ratio / self.oil_ratio_limit_
        fires_deviation, fires_ratio = deviation_score > 1, ratio_score > 1
        # the rule that fires (the deviation first); for a row that fires neither, the nearer one
        says_deviation = fires_deviation | (~fires_ratio & (deviation_score >= ratio_score))
        score = np.fmax(deviation_score, ratio_score).to_numpy()
        reason = np.where(
            says_deviation,
            [f"운임/kg가 지역·월 평균에서 {d:.0%} 벗어남" for d in deviation],
            [
                f"운임/유가 비율이 학습 기간 {self.params['oil_ratio_percentile']:.0f}백분위의 {r:.2f}배"
                for r in ratio_score
            ],
        )
        scored = np.isfinite(score)
        return pd.DataFrame(
            {
                "score": score,
                "flag": (fires_deviation | fires_ratio).to_numpy(),
                "reason": np.where(scored, reason, ""),
                "reason_group": np.where(scored, "운임", ""),
            }
        )

    def _state(self) -> dict:
        return {"oil_ratio_limit": self.oil_ratio_limit_, "train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.oil_ratio_limit_ = state["oil_ratio_limit"]
        self.train_until_ = state["train_until"]
