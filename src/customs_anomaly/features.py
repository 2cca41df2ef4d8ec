"""Model inputs from the panel: numeric feature matrices and 12-month windows per series."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from customs_anomaly import config

SERIES_KEY = ["hsk_code", "country_code"]
# The original's numeric inputs. Unit price is NaN where weight is 0; it is filled with 0 there,
# as the original did, so the network sees "no import this month" as a distinct pattern.
ORIGINAL_FEATURES = [
    "weight_kg",
    "value_usd",
    "unit_price_usd_per_kg",
    "freight_krw_per_kg",
    "total_freight_krw",
    "usd_krw",
    "dubai_usd",
    "cpi",
    "ppi",
]
FEATURE_LABELS = {
    "weight_kg": "중량",
    "value_usd": "금액",
    "unit_price_usd_per_kg": "단가",
    "freight_krw_per_kg": "kg당 운임",
    "total_freight_krw": "총 운임",
    "usd_krw": "환율",
    "dubai_usd": "두바이유",
    "cpi": "CPI",
    "ppi": "PPI",
}
FREIGHT_FEATURES = {"freight_krw_per_kg", "total_freight_krw", "dubai_usd"}


def strip_labels(panel: pd.DataFrame) -> pd.DataFrame:
    """The panel without label columns: detectors never read them."""
    return panel.drop(columns=[c for c in config.ALL_LABEL_COLUMNS if c in panel.columns])


def numeric_matrix(panel: pd.DataFrame, columns: list[str] = ORIGINAL_FEATURES) -> np.ndarray:
    return panel[columns].astype(float).fillna(0.0).to_numpy()


def month_index(months: pd.Series) -> np.ndarray:
    months = pd.to_datetime(months)
    return (months.dt.year * 12 + months.dt.month - 1).to_numpy()


@dataclass
class Windows:
    """Windows of `length` consecutive months of one series each."""

    values: np.ndarray  # (n_windows, length, n_features)
    rows: np.ndarray  # (n_windows, length): panel row positions of each step
    series: np.ndarray  # (n_windows,): series id
    skipped_gaps: int  # windows that would have crossed a gap (missing month) and were not built

    @property
    def last_rows(self) -> np.ndarray:
        return self.rows[:, -1]


def build_windows(panel: pd.DataFrame, matrix: np.ndarray, length: int = 12) -> Windows:
    """Sliding windows data[i:i+length] per (HSK code, country) series over consecutive months.

    A window never mixes two series and never crosses a gap: positions whose `length` months are
    not consecutive calendar months are skipped and counted.
    """
    ordered = panel.reset_index(drop=True).sort_values([*SERIES_KEY, "month"], kind="stable")
    positions = ordered.index.to_numpy()
    series_ids = ordered.groupby(SERIES_KEY, sort=False).ngroup().to_numpy()
    months = month_index(ordered["month"])
    starts = np.arange(max(len(ordered) - length + 1, 0))
    ends = starts + length - 1
    same_series = series_ids[starts] == series_ids[ends]
    consecutive = months[ends] - months[starts] == length - 1
    valid = starts[same_series & consecutive]
    rows = positions[valid[:, None] + np.arange(length)[None, :]].reshape(-1, length)
    values = matrix[rows] if len(rows) else np.empty((0, length, matrix.shape[1]))
    skipped = int((same_series & ~consecutive).sum())
    return Windows(values=values, rows=rows, series=series_ids[valid], skipped_gaps=skipped)


def original_buggy_windows(panel: pd.DataFrame, matrix: np.ndarray, time_steps: int = 12) -> dict:
    """What the original code built: one sequence per HSK code (all countries interleaved, in
    month order) sliced as data[i:time_steps] instead of data[i:i+time_steps]. For i = 0 that is
    the first 12 rows; for i >= 1 it is shorter and for i >= 12 empty. Returns the counts the
    chapter reports."""
    full = short = empty = mixed = 0
    ordered = panel.assign(_pos=np.arange(len(panel))).sort_values(["hsk_code", "month"])
    for _, group in ordered.groupby("hsk_code", sort=False):
        data = matrix[group["_pos"].to_numpy()]
        countries = group["country_code"].to_numpy()
        for i in range(len(data) - time_steps):
            window = data[i:time_steps]
            if len(window) == time_steps:
                full += 1
                mixed += len(set(countries[i:time_steps])) > 1
            elif len(window) == 0:
                empty += 1
            else:
                short += 1
    return {"full_length": full, "shorter": short, "empty": empty, "mixing_countries": mixed}
