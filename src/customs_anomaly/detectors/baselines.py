"""Baselines that customs practitioners and auditors use, as detectors with the common interface.
All three look at the declared unit price only; none of them sees freight.

- `price-band` (Pak & Zdanowicz's price filter): a unit price outside the interquartile range
  of its peers, scored by the distance from the band in IQR units. Peers are the same HSK code x
  country in the training months; `price-band-xc` is the cross-country version (the same HSK code
  in the same month, every other country).
- `fair-price` (the EU anti-fraud office's "fair price" screening): a unit price below 50% or
  above 200% of a robust average price of the HSK code (the weight-weighted median over all
  countries in the trailing 12 months, the month itself excluded).
- `robust`: each series' unit price against the median of its neighbouring months (k before and
  k after), scaled by the series' typical deviation (1.4826 x MAD). Flags beyond `z_limit`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly.detectors.base import Detector
from customs_anomaly.detectors.series import SERIES_KEY, neighbour_price_z, price_reason

PRICE_GROUP = "단가"


def _price_output(score: np.ndarray, flag: np.ndarray, reasons) -> pd.DataFrame:
    """Reasons are given for every row with a score (Detector.score keeps the flagged ones)."""
    scored = np.isfinite(score)
    return pd.DataFrame(
        {
            "score": score,
            "flag": flag,
            "reason": np.where(scored, list(reasons), ""),
            "reason_group": np.where(scored, PRICE_GROUP, ""),
        }
    )


def band_distance(price: np.ndarray, q1: np.ndarray, q3: np.ndarray) -> np.ndarray:
    """Distance outside [q1, q3] in IQR units (0 inside; NaN without a price or a band)."""
    iqr = np.maximum(q3 - q1, 1e-9 * np.maximum(np.abs(q3), 1.0))
    return np.maximum(np.maximum(q1 - price, price - q3), 0.0) / iqr


class PriceBandDetector(Detector):
    name = "price-band"
    defaults = {"min_peers": 4}
    cross_country = False

    def _fit(self, train: pd.DataFrame) -> None:
        priced = train[train["weight_kg"] > 0]
        quartiles = priced.groupby(SERIES_KEY)["unit_price_usd_per_kg"].agg(
            q1=lambda s: s.quantile(0.25), q3=lambda s: s.quantile(0.75), n="count"
        )
        self.bands_ = quartiles[quartiles["n"] >= self.params["min_peers"]].reset_index()

    def _bands(self, panel: pd.DataFrame) -> pd.DataFrame:
        return panel[SERIES_KEY].merge(self.bands_, on=SERIES_KEY, how="left")

    def _score(self, panel: pd.DataFrame) -> pd.DataFrame:
        bands = self._bands(panel)
        price = panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0).to_numpy(dtype=float)
        q1, q3 = bands["q1"].to_numpy(dtype=float), bands["q3"].to_numpy(dtype=float)
        score = band_distance(price, q1, q3)
        flag = np.nan_to_num(score) > 0
        where = "같은 품목·국가의 학습 기간" if not self.cross_country else "같은 품목·같은 달 다른 국가들의"
        reasons = [
            price_reason(
                p / (b if p < b else t), f"{where} 사분위 범위 {'하한' if p < b else '상한'}", f"범위 밖 IQR {s:.1f}개"
            )
            if s > 0
            else f"단가가 {where} 사분위 범위 안"
            for p, b, t, s in zip(price, q1, q3, score)
        ]
        return _price_output(score, flag, reasons)

    def _state(self) -> dict:
        return {"bands": self.bands_, "train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.bands_, self.train_until_ = state["bands"], state["train_until"]


class CrossCountryPriceBandDetector(PriceBandDetector):
    name = "price-band-xc"
    defaults = {"min_peers": 3}
    cross_country = True

    def _fit(self, train: pd.DataFrame) -> None:
        self.bands_ = None  # the band is drawn from the scored month's own rows

    def _bands(self, panel: pd.DataFrame) -> pd.DataFrame:
        """Quartiles of the other countries' unit prices, same HSK code and month."""
        price = panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0)
        frame = pd.DataFrame({"hsk_code": panel["hsk_code"], "month": panel["month"], "price": price})
        q1 = np.full(len(frame), np.nan)
        q3 = np.full(len(frame), np.nan)
        for _, group in frame.dropna(subset=["price"]).groupby(["hsk_code", "month"], sort=False):
            if len(group) - 1 < self.params["min_peers"]:
                continue
            values = group["price"].to_numpy()
            others = np.where(~np.eye(len(values), dtype=bool), values[None, :], np.nan)
            positions = group.index.to_numpy()
            q1[positions], q3[positions] = np.nanquantile(others, [0.25, 0.75], axis=1)
        return pd.DataFrame({"q1": q1, "q3": q3})


class FairPriceDetector(Detector):
    name = "fair-price"
    defaults = {"low": 0.5, "high": 2.0, "months": 12}

    def _fit(self, train: pd.DataFrame) -> None:
        pass  # the fair price is recomputed each month from the trailing months of the scored panel

    def fair_prices(self, panel: pd.DataFrame) -> pd.Series:
        """Per row: weight-weighted median unit price of its HSK code over all countries in the
        `months` months before the row's month."""
        priced = panel[panel["weight_kg"] > 0]
        months = pd.date_range(panel["month"].min(), panel["month"].max(), freq="MS")
        fair = {}
        for code, group in priced.groupby("hsk_code", sort=False):
            month_pos = months.get_indexer(group["month"])
            price, weight = group["unit_price_usd_per_kg"].to_numpy(), group["weight_kg"].to_numpy()
            for position, month in enumerate(months):
                window = (month_pos < position) & (month_pos >= position - self.params["months"])
                if window.any():
                    fair[(code, month)] = weighted_median(price[window], weight[window])
        index = pd.MultiIndex.from_frame(panel[["hsk_code", "month"]])
        return pd.Series(index.map(lambda key: fair.get(key, np.nan)).to_numpy(dtype=float), index=panel.index)

    def _score(self, panel: pd.DataFrame) -> pd.DataFrame:
        fair = self.fair_prices(panel).to_numpy()
        price = panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0).to_numpy(dtype=float)
        ratio = price / fair
        # 1.0 at the 50% or 200% limit; log-symmetric so that x0.5 and x2 score the same
        score = np.abs(np.log(ratio)) / np.where(ratio < 1, -np.log(self.params["low"]), np.log(self.params["high"]))
        flag = np.nan_to_num(score) > 1.0
        reasons = [price_reason(r, "품목 공정가격(직전 12개월 가중 중앙값)") for r in ratio]
        return _price_output(score, flag, reasons)

    def _state(self) -> dict:
        return {"train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.train_until_ = state["train_until"]


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


class RobustNeighbourDetector(Detector):
    name = "robust"
    defaults = {"k": 6, "z_limit": 3.5, "scale_floor": 0.02}

    def _fit(self, train: pd.DataFrame) -> None:
        pass  # references come from the scored series' own neighbouring months

    def _score(self, panel: pd.DataFrame) -> pd.DataFrame:
        deviation, score = neighbour_price_z(panel, self.params["k"], self.params["scale_floor"], weight_aware=False)
        flag = np.nan_to_num(score) > self.params["z_limit"]
        reasons = [
            price_reason(np.exp(d), f"이 시계열 앞뒤 {self.params['k']}개월 중앙값", f"평소 변동폭의 {z:.1f}배")
            for d, z in zip(deviation, score)
        ]
        return _price_output(score, flag, reasons)

    def _state(self) -> dict:
        return {"train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.train_until_ = state["train_until"]
