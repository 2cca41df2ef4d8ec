"""Per-series building blocks shared by the price detectors: a series x month grid of the panel,
log unit prices, peer and neighbour references, per-kg freight against its region-month level,
and the Korean wording of a price or freight reason.

A series is one HSK code x country. The grid has one cell per series and calendar month; a month
without imports (weight 0) or without a panel row is NaN, so windows never need to skip gaps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_KEY = ["hsk_code", "country_code"]


@dataclass(frozen=True)
class SeriesGrid:
    """Where every panel row sits in a (series, month) grid."""

    keys: pd.DataFrame  # one row per series: hsk_code, country_code
    months: pd.DatetimeIndex  # consecutive calendar months from the first to the last panel month
    row_series: np.ndarray  # per panel row: series position
    row_month: np.ndarray  # per panel row: month position

    @classmethod
    def of(cls, panel: pd.DataFrame) -> SeriesGrid:
        keys = panel[SERIES_KEY].drop_duplicates().sort_values(SERIES_KEY).reset_index(drop=True)
        position = pd.MultiIndex.from_frame(keys).get_indexer(pd.MultiIndex.from_frame(panel[SERIES_KEY]))
        months = pd.date_range(panel["month"].min(), panel["month"].max(), freq="MS")
        return cls(
            keys=keys, months=months, row_series=position, row_month=months.get_indexer(pd.to_datetime(panel["month"]))
        )

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.keys), len(self.months)

    def to_grid(self, values) -> np.ndarray:
        grid = np.full(self.shape, np.nan)
        grid[self.row_series, self.row_month] = np.asarray(values, dtype=float)
        return grid

    def to_rows(self, grid: np.ndarray) -> np.ndarray:
        return grid[self.row_series, self.row_month]


def log_unit_price(panel: pd.DataFrame) -> pd.Series:
    """log(USD per kg); NaN where nothing was imported that month."""
    priced = panel["weight_kg"] > 0
    return np.log(panel["unit_price_usd_per_kg"].where(priced & (panel["unit_price_usd_per_kg"] > 0)))


def peer_median_log_price(panel: pd.DataFrame) -> pd.Series:
    """Median log unit price of the same HSK code in the same month over the OTHER countries
    (leave-one-out, so that a row's own price never sets its reference); NaN without peers."""
    log_price = log_unit_price(panel)
    frame = pd.DataFrame(
        {
            "hsk_code": panel["hsk_code"].to_numpy(),
            "month": panel["month"].to_numpy(),
            "log_price": log_price.to_numpy(),
        }
    )
    result = np.full(len(frame), np.nan)
    for _, group in frame.dropna(subset=["log_price"]).groupby(["hsk_code", "month"], sort=False):
        if len(group) < 2:
            continue
        values = group["log_price"].to_numpy()
        others = np.where(~np.eye(len(values), dtype=bool), values[None, :], np.nan)
        result[group.index.to_numpy()] = np.nanmedian(others, axis=1)
    return pd.Series(result, index=panel.index)


def shifted(grid: np.ndarray, offset: int) -> np.ndarray:
    """grid shifted along months: out[:, t] = grid[:, t + offset] (NaN beyond the edges)."""
    out = np.full_like(grid, np.nan)
    if offset > 0:
        out[:, :-offset] = grid[:, offset:]
    elif offset < 0:
        out[:, -offset:] = grid[:, :offset]
    else:
        out[:] = grid
    return out


def neighbour_median(grid: np.ndarray, k: int) -> np.ndarray:
    """Median of the available values in the k months before and the k months after each cell
    (the cell itself excluded, so an anomaly never sets its own reference)."""
    import warnings

    stack = np.stack([shifted(grid, offset) for offset in range(-k, k + 1) if offset != 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN neighbourhoods stay NaN
        return np.nanmedian(stack, axis=0)


def robust_scale(grid: np.ndarray, floor: float) -> np.ndarray:
    """Per series (row): 1.4826 x median absolute deviation of the finite values, at least `floor`;
    series without values get the median scale of the others."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmedian(grid, axis=1, keepdims=True)
        scale = 1.4826 * np.nanmedian(np.abs(grid - centre), axis=1)
    fallback = np.nanmedian(scale) if np.isfinite(scale).any() else floor
    return np.maximum(np.where(np.isfinite(scale), scale, fallback), floor)


def neighbour_price_z(panel: pd.DataFrame, k: int, floor: float, weight_aware: bool) -> tuple[np.ndarray, np.ndarray]:
    """Per row: log unit price minus the median of the series' k months before and after, and
    that deviation in units of the series' typical deviation (1.4826 x MAD over the panel's
    months). With `weight_aware`, a month lighter than the series' median weight gets a wider
    scale, by sqrt(median weight / weight): the price of a few shipments averages less product
    mix than that of many (heavier months keep the series' scale)."""
    grid = SeriesGrid.of(panel)
    log_price = grid.to_grid(log_unit_price(panel))
    deviation = log_price - neighbour_median(log_price, k)
    scale = robust_scale(deviation, floor)[:, None] * np.ones_like(deviation)
    if weight_aware:
        weight = grid.to_grid(panel["weight_kg"].where(panel["weight_kg"] > 0))
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            usual = np.nanmedian(weight, axis=1, keepdims=True)
        scale = scale * np.sqrt(np.clip(usual / weight, 1.0, 1e4))
    deviation_rows = grid.to_rows(deviation)
    return deviation_rows, np.abs(deviation_rows) / grid.to_rows(scale)


def freight_log_ratio(panel: pd.DataFrame) -> pd.Series:
    """log(per-kg freight / its region-month median). In the public aggregates freight is one
    figure per region and month, so a legitimate row has exactly 0."""
    level = panel.groupby(["region", "month"])["freight_krw_per_kg"].transform("median")
    ratio = panel["freight_krw_per_kg"] / level
    return np.log(ratio.where(ratio > 0))


def price_reason(ratio: float, reference: str, extra: str = "") -> str:
    """'단가가 {reference}의 0.31배' with an optional clause."""
    text = f"단가가 {reference}의 {_times(ratio)}"
    return f"{text} ({extra})" if extra else text


def freight_reason(ratio: float) -> str:
    return f"kg당 운임이 같은 지역·월 수준의 {_times(ratio)}"


def _times(ratio: float) -> str:
    if not np.isfinite(ratio):
        return "비교 불가"
    return f"{ratio:.2f}배" if ratio < 10 else f"{ratio:.0f}배"
