"""Baselines that customs practitioners and auditors use, as detectors with the common interface.
All of them look at the declared unit price only; none of them sees freight.

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
from customs_anomaly.detectors.series import (
    SERIES_KEY,
    group_ids,
    leave_one_out_quantiles,
    month_numbers,
    neighbour_price_z,
    price_reason,
)


def unit_prices(panel: pd.DataFrame) -> np.ndarray:
    """USD per kg where something was imported, NaN elsewhere."""
    return panel["unit_price_usd_per_kg"].where(panel["weight_kg"] > 0).to_numpy(dtype=float)


def band_distance(price: np.ndarray, q1: np.ndarray, q3: np.ndarray) -> np.ndarray:
    """Distance outside [q1, q3] in IQR units (0 inside; NaN without a price or a band)."""
    iqr = np.maximum(q3 - q1, 1e-9 * np.maximum(np.abs(q3), 1.0))
    return np.maximum(np.maximum(q1 - price, price - q3), 0.0) / iqr


class PriceBandDetector(Detector):
    """Pak & Zdanowicz's price filter (``price-band``): a unit price outside the interquartile range
    of the same HSK code x country in the training months is flagged, scored by its distance from
    the band in IQR units (0 inside it). It reads the unit price only, never freight.

    Parameters
    ----------
    min_peers : int, default 4
        Training months with imports a series needs for a band; a series with fewer is not
        scored (NaN).

    Attributes
    ----------
    threshold_ : float
        0.0: any unit price outside the band is flagged.
    bands_ : pandas.DataFrame
        Per series with a band: ``hsk_code``, ``country_code``, the quartiles ``q1`` and ``q3``
        of its training unit prices and their count ``n``.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import PriceBandDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = PriceBandDetector(min_peers=6).fit(panel, train_until="2024-04")
    >>> detector.threshold_, len(detector.bands_)
    (0.0, 8)
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '단가가 같은 품목·국가의 학습 기간 사분위 범위 상한의 1.09배 (범위 밖 IQR 0.5개)'
    """

    name = "price-band"
    defaults = {"min_peers": 4}
    band_reference = "같은 품목·국가의 학습 기간"

    def _fit(self, train: pd.DataFrame) -> None:
        priced = train[train["weight_kg"] > 0]
        grouped = priced.groupby(SERIES_KEY)["unit_price_usd_per_kg"]
        bands = grouped.quantile([0.25, 0.75]).unstack()
        bands.columns = ["q1", "q3"]
        bands["n"] = grouped.count()
        self.bands_ = bands[bands["n"] >= self.params["min_peers"]].reset_index()

    def _threshold(self) -> float:
        return 0.0  # any distance outside the band

    def _bands(self, panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        bands = panel[SERIES_KEY].merge(self.bands_, on=SERIES_KEY, how="left")
        return bands["q1"].to_numpy(dtype=float), bands["q3"].to_numpy(dtype=float)

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        q1, q3 = self._bands(panel)
        price = unit_prices(panel)
        score = band_distance(price, q1, q3)
        return pd.DataFrame(
            {
                "score": score,
                "freight_reason": False,
                "price": price,
                "q1": q1,
                "q3": q3,
            }
        )

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        where = self.band_reference
        return [
            price_reason(
                p / (b if p < b else t), f"{where} 사분위 범위 {'하한' if p < b else '상한'}", f"범위 밖 IQR {s:.1f}개"
            )
            if s > 0
            else f"단가가 {where} 사분위 범위 안"
            for p, b, t, s in zip(analysis["price"], analysis["q1"], analysis["q3"], analysis["score"])
        ]

    def _state(self) -> dict:
        return {"bands": self.bands_, "train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.bands_, self.train_until_ = state["bands"], state["train_until"]


class CrossCountryPriceBandDetector(PriceBandDetector):
    """The cross-country price filter (``price-band-xc``): a unit price outside the interquartile
    range of the same HSK code's other countries in the same month is flagged, scored by its
    distance from that band in IQR units. Nothing is learned from the training months: the band
    is drawn from the scored month's own rows.

    Parameters
    ----------
    min_peers : int, default 3
        Other countries with imports of the code that month a row needs for a band; a row with
        fewer is not scored (NaN).

    Attributes
    ----------
    threshold_ : float
        0.0: any unit price outside the band is flagged.
    bands_ : None
        No band is learned.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    The tiny panel has two countries per HSK code at most; four copies of it under other country
    codes give every code peers in every month:

    >>> import pandas as pd
    >>> from customs_anomaly.detectors import CrossCountryPriceBandDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> copies = []
    >>> for seed in range(4):
    ...     copy = tiny_panel(seed)
    ...     copy["country_code"] += str(seed)
    ...     copies.append(copy)
    >>> panel = pd.concat(copies, ignore_index=True)
    >>> detector = CrossCountryPriceBandDetector().fit(panel, train_until="2024-04")
    >>> detector.threshold_
    0.0
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '단가가 같은 품목·같은 달 다른 국가들의 사분위 범위 상한의 1.23배 (범위 밖 IQR 2.3개)'
    """

    name = "price-band-xc"
    defaults = {"min_peers": 3}
    band_reference = "같은 품목·같은 달 다른 국가들의"

    def _fit(self, train: pd.DataFrame) -> None:
        self.bands_ = None  # the band is drawn from the scored month's own rows

    def _bands(self, panel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Quartiles of the other countries' unit prices, same HSK code and month."""
        groups = group_ids(panel["hsk_code"], panel["month"])
        quartiles = leave_one_out_quantiles(unit_prices(panel), groups, (0.25, 0.75), self.params["min_peers"])
        return quartiles[:, 0], quartiles[:, 1]


def trailing_weighted_median(
    groups: np.ndarray,
    month: np.ndarray,
    value: np.ndarray,
    weight: np.ndarray,
    months: int,
    targets: np.ndarray | None = None,
) -> np.ndarray:
    """(group, target month) table of the weight-weighted median of `value` over the group's rows
    in the `months` months before the target (the target month itself excluded). `month` holds
    non-negative month positions; the table has `months` columns beyond the last one and is NaN
    where a window is empty, and for target months outside `targets` when given. The lower
    weighted median: the first value, in ascending order, at which the cumulative weight reaches
    half the window's total."""
    n_targets = int(month.max()) + months + 1 if len(month) else months + 1
    table = np.full((int(groups.max()) + 1 if len(groups) else 0, n_targets), np.nan)
    if len(month) == 0:
        return table
    # rows in ascending value order, each repeated once per lag; a stable sort by target cell then
    # keeps the value order inside every cell (a radix sort when the cell numbers fit 16 bits)
    by_value = np.argsort(value, kind="stable")
    lags = np.arange(1, months + 1, dtype=np.int64)
    cells = (groups[by_value].astype(np.int64) * n_targets + month[by_value])[:, None] + lags[None, :]
    rows = np.broadcast_to(by_value[:, None], cells.shape)
    if targets is not None:
        wanted = np.isin(cells % n_targets, targets)
        cells, rows = cells[wanted], rows[wanted]
    cells, rows = cells.ravel(), rows.ravel()
    key_type = np.uint16 if table.size <= np.iinfo(np.uint16).max else np.int64
    order = np.argsort(cells.astype(key_type), kind="stable")
    cell, row = cells[order], rows[order]
    weights = weight[row]
    starts = np.flatnonzero(np.r_[True, cell[1:] != cell[:-1]])
    cumulative = np.cumsum(weights)  # non-decreasing: the first row of a cell past its half-way weight
    half_way = cumulative[starts] - weights[starts] + 0.5 * np.add.reduceat(weights, starts)
    first = np.searchsorted(cumulative, half_way, side="left")
    table.ravel()[cell[starts]] = value[row[first]]
    return table


class FairPriceDetector(Detector):
    """The EU anti-fraud office's "fair price" screening (``fair-price``): a unit price below
    `low` or above `high` times the HSK code's fair price, the weight-weighted median unit price
    over every country in the `months` months before the row's month, is flagged. Nothing is
    learned from the training months.

    The score is ``abs(log(price / fair price))`` over log(1 / `low`) below the fair price and over
    log(`high`) above it: 1 at either limit, so that x0.5 and x2 score the same.

    Parameters
    ----------
    low : float, default 0.5
        Lower limit, as a multiple of the fair price.
    high : float, default 2.0
        Upper limit, as a multiple of the fair price.
    months : int, default 12
        Trailing months the fair price is computed over (the row's own month excluded).

    Attributes
    ----------
    threshold_ : float
        1.0: a unit price beyond either limit is flagged.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import FairPriceDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = FairPriceDetector(low=0.7, high=1.5).fit(panel, train_until="2024-04")
    >>> detector.threshold_
    1.0
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '단가가 품목 공정가격(직전 12개월 가중 중앙값)의 1.61배'
    """

    name = "fair-price"
    defaults = {"low": 0.5, "high": 2.0, "months": 12}

    def _fit(self, train: pd.DataFrame) -> None:
        pass  # the fair price is recomputed each month from the trailing months of the scored panel

    def _threshold(self) -> float:
        return 1.0  # the score is 1 at the `low` or `high` limit

    def fair_prices(self, panel: pd.DataFrame, rows: np.ndarray | None = None) -> pd.Series:
        """Per row: weight-weighted median unit price of its HSK code over all countries in the
        `months` months before the row's month (computed for the months of `rows` only, if given)."""
        codes = pd.factorize(panel["hsk_code"])[0]
        number = month_numbers(panel["month"])
        month = number - number.min()
        priced = (panel["weight_kg"] > 0).to_numpy()
        table = trailing_weighted_median(
            codes[priced],
            month[priced],
            panel["unit_price_usd_per_kg"].to_numpy(dtype=float)[priced],
            panel["weight_kg"].to_numpy(dtype=float)[priced],
            self.params["months"],
            targets=None if rows is None or rows.all() else np.unique(month[rows]),
        )
        fair = np.full(len(panel), np.nan)
        known = codes < table.shape[0]
        fair[known] = table[codes[known], month[known]]
        return pd.Series(fair, index=panel.index)

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        ratio = unit_prices(panel) / self.fair_prices(panel, rows).to_numpy()
        # 1.0 at the 50% or 200% limit; log-symmetric so that x0.5 and x2 score the same
        with np.errstate(divide="ignore", invalid="ignore"):
            limit = np.where(ratio < 1, -np.log(self.params["low"]), np.log(self.params["high"]))
            score = np.abs(np.log(ratio)) / limit
        return pd.DataFrame({"score": score, "freight_reason": False, "fair_ratio": ratio})

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        return [price_reason(r, "품목 공정가격(직전 12개월 가중 중앙값)") for r in analysis["fair_ratio"]]

    def _state(self) -> dict:
        return {"train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.train_until_ = state["train_until"]


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """The lower weighted median of one sample (the reference `trailing_weighted_median` follows)."""
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, 0.5 * cumulative[-1])])


def neighbour_reference(before: int, after: int) -> str:
    """What a row's reference median read, in the reason's words: the months on each side that the
    panel held (a month scored prospectively has none after it)."""
    if before == after:
        return f"이 시계열 앞뒤 {before}개월 중앙값"
    if after == 0:
        return f"이 시계열 직전 {before}개월 중앙값"
    if before == 0:
        return f"이 시계열 직후 {after}개월 중앙값"
    return f"이 시계열 앞 {before}개월·뒤 {after}개월 중앙값"


class RobustNeighbourDetector(Detector):
    """Each series' unit price against its neighbouring months (``robust``): the log unit price
    minus the median of the series' `k` months before and `k` after, in units of the series'
    typical deviation (1.4826 x MAD, at least `scale_floor`), is the score. Nothing is learned
    from the training months; the score reads later months too (not causal).

    Parameters
    ----------
    k : int, default 6
        Months on each side of a month that its reference median reads.
    z_limit : float, default 3.5
        Score (robust z) above which a row is flagged.
    scale_floor : float, default 0.02
        Smallest typical deviation of a series, in log units: keeps a very calm series from
        turning tiny moves into large scores.

    Attributes
    ----------
    threshold_ : float
        `z_limit`.
    decision_scores_, labels_, train_until_
        As for every detector (see `Detector`).

    Examples
    --------
    >>> from customs_anomaly.detectors import RobustNeighbourDetector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = RobustNeighbourDetector(z_limit=2.5).fit(panel, train_until="2024-04")
    >>> detector.threshold_
    2.5
    >>> flags = detector.predict(panel)
    >>> detector.explain(panel, flags == 1)[0]
    '단가가 이 시계열 앞 4개월·뒤 6개월 중앙값의 1.39배 (평소 변동폭의 2.5배)'
    """

    name = "robust"
    causal = False  # the median of the k months after the row, too
    defaults = {"k": 6, "z_limit": 3.5, "scale_floor": 0.02}

    def _fit(self, train: pd.DataFrame) -> None:
        pass  # references come from the scored series' own neighbouring months

    def _threshold(self) -> float:
        return float(self.params["z_limit"])

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        k = self.params["k"]
        deviation, score = neighbour_price_z(panel, k, self.params["scale_floor"], weight_aware=False)
        position = panel["month"].dt.to_period("M").astype("int64")
        return pd.DataFrame(
            {
                "score": score,
                "freight_reason": False,
                "deviation": deviation,
                # the months the panel holds on each side (scored prospectively: none after)
                "months_before": np.minimum(position - position.min(), k).to_numpy(),
                "months_after": np.minimum(position.max() - position, k).to_numpy(),
            }
        )

    def _reasons(self, analysis: pd.DataFrame) -> list[str]:
        return [
            price_reason(np.exp(d), neighbour_reference(before, after), f"평소 변동폭의 {z:.1f}배")
            for d, z, before, after in zip(
                analysis["deviation"], analysis["score"], analysis["months_before"], analysis["months_after"]
            )
        ]

    def _state(self) -> dict:
        return {"train_until": self.train_until_}

    def _restore(self, state: dict) -> None:
        self.train_until_ = state["train_until"]
