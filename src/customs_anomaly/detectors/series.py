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
        code_ids, codes = pd.factorize(panel["hsk_code"], sort=True)
        country_ids, countries = pd.factorize(panel["country_code"], sort=True)
        combined = code_ids.astype(np.int64) * len(countries) + country_ids
        unique, row_series = np.unique(combined, return_inverse=True)  # sorted by (hsk_code, country_code)
        keys = pd.DataFrame(
            {
                "hsk_code": np.asarray(codes)[unique // len(countries)],
                "country_code": np.asarray(countries)[unique % len(countries)],
            }
        )
        number = month_numbers(panel["month"])
        first = int(number.min())
        months = pd.date_range(panel["month"].min(), panel["month"].max(), freq="MS")
        return cls(keys=keys, months=months, row_series=row_series, row_month=number - first)

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


def month_numbers(months: pd.Series) -> np.ndarray:
    """Calendar months as consecutive integers (year * 12 + month - 1)."""
    months = pd.to_datetime(months)
    return (months.dt.year.to_numpy() * 12 + months.dt.month.to_numpy() - 1).astype(np.int64)


def group_ids(*keys) -> np.ndarray:
    """One integer per distinct combination of the key arrays."""
    combined = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        codes, uniques = pd.factorize(key)
        combined = combined * (len(uniques) + 1) + codes
    return pd.factorize(combined)[0]


def leave_one_out_quantiles(values, groups, quantiles: tuple[float, ...], min_others: int = 1) -> np.ndarray:
    """Per row, the quantiles (numpy's linear method) of the finite values of the OTHER rows of
    its group: shape (rows, len(quantiles)); NaN for rows without a finite value or with fewer than
    `min_others` others. Vectorised: one sort, no per-group Python."""
    values = np.asarray(values, dtype=float)
    groups = np.asarray(groups)
    out = np.full((len(values), len(quantiles)), np.nan)
    rows = np.flatnonzero(np.isfinite(values))
    if len(rows) == 0:
        return out
    order = rows[np.lexsort((values[rows], groups[rows]))]
    sorted_values, sorted_groups = values[order], groups[order]
    starts = np.r_[0, np.flatnonzero(sorted_groups[1:] != sorted_groups[:-1]) + 1]
    sizes = np.diff(np.r_[starts, len(order)])
    start = np.repeat(starts, sizes)
    others = np.repeat(sizes, sizes) - 1
    rank = np.arange(len(order)) - start
    usable = others >= max(min_others, 1)
    order, start, others, rank = order[usable], start[usable], others[usable], rank[usable]
    for j, q in enumerate(quantiles):
        position = q * (others - 1)
        low = np.floor(position).astype(int)
        high = np.minimum(low + 1, others - 1)
        fraction = position - low
        # the i-th value among the others skips the row's own place in its sorted group
        low_value = sorted_values[start + low + (low >= rank)]
        high_value = sorted_values[start + high + (high >= rank)]
        out[order, j] = low_value + fraction * (high_value - low_value)
    return out


def peer_median_log_price(panel: pd.DataFrame) -> pd.Series:
    """Median log unit price of the same HSK code in the same month over the OTHER countries
    (leave-one-out, so that a row's own price never sets its reference); NaN without peers."""
    groups = group_ids(panel["hsk_code"], panel["month"])
    median = leave_one_out_quantiles(log_unit_price(panel).to_numpy(), groups, (0.5,))[:, 0]
    return pd.Series(median, index=panel.index)


def peer_range_log_price(panel: pd.DataFrame) -> np.ndarray:
    """Per row: the lowest and highest log unit price of the same HSK code in the same month over
    the OTHER countries, shape (rows, 2); NaN without peers."""
    groups = group_ids(panel["hsk_code"], panel["month"])
    return leave_one_out_quantiles(log_unit_price(panel).to_numpy(), groups, (0.0, 1.0))


def outside_range(value: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """How far a value lies outside [low, high]: negative below, positive above, 0 inside."""
    return np.minimum(value - low, 0.0) + np.maximum(value - high, 0.0)


def nanmedian_axis0(stack: np.ndarray) -> np.ndarray:
    """np.nanmedian(stack, axis=0) by one sort (NaN sorts last): all-NaN positions give NaN."""
    ordered = np.sort(stack, axis=0)
    count = np.isfinite(ordered).sum(axis=0)
    low = np.take_along_axis(ordered, np.maximum((count - 1) // 2, 0)[None], axis=0)[0]
    high = np.take_along_axis(ordered, np.maximum(count // 2, 0)[None], axis=0)[0]
    high = np.where(count > 1, high, low)
    return np.where(count > 0, 0.5 * (low + high), np.nan)


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


NEIGHBOUR_SIDES = ("both", "past")


def neighbour_median(grid: np.ndarray, k: int, side: str = "both") -> np.ndarray:
    """Median of the available values in the k months before and (side "both") the k months
    after each cell; the cell itself is excluded, so an anomaly never sets its own reference.
    Side "past" reads only earlier months: what is known when the month arrives."""
    if side not in NEIGHBOUR_SIDES:
        raise ValueError(f"side must be one of {', '.join(NEIGHBOUR_SIDES)}, got {side!r}")
    last = k if side == "both" else -1
    return nanmedian_axis0(np.stack([shifted(grid, offset) for offset in range(-k, last + 1) if offset != 0]))


def lagged_median(grid: np.ndarray, near: int, far: int, min_count: int = 1) -> np.ndarray:
    """Median of the available values from `far` to `near` months before each cell (inclusive),
    NaN with fewer than `min_count` of them: a reference a scheme that began within the last
    `near` months cannot move."""
    stack = np.stack([shifted(grid, -offset) for offset in range(near, far + 1)])
    median = nanmedian_axis0(stack)
    return np.where(np.isfinite(stack).sum(axis=0) >= min_count, median, np.nan)


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


def neighbour_price_z(
    panel: pd.DataFrame, k: int, floor: float, weight_aware: bool, side: str = "both"
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: log unit price minus the median of the series' k months before and after, and
    that deviation in units of the series' typical deviation (1.4826 x MAD over the panel's
    months). With `weight_aware`, a month lighter than the series' median weight gets a wider
    scale, by sqrt(median weight / weight): the price of a few shipments averages less product
    mix than that of many (heavier months keep the series' scale)."""
    grid = SeriesGrid.of(panel)
    log_price = grid.to_grid(log_unit_price(panel))
    deviation = log_price - neighbour_median(log_price, k, side)
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
    groups = group_ids(panel["region"], month_numbers(panel["month"]))
    freight = panel["freight_krw_per_kg"].to_numpy(dtype=float)
    level = pd.Series(freight).groupby(groups).transform("median").to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = freight / level
        return pd.Series(np.log(np.where(ratio > 0, ratio, np.nan)), index=panel.index)


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
