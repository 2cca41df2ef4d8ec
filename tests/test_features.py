"""Window building: no mixing of series, correct slicing, gaps never crossed unnoticed."""

import numpy as np
import pandas as pd

from customs_anomaly.features import build_windows, original_buggy_windows


def two_series_panel():
    months_a = pd.date_range("2020-01-01", periods=14, freq="MS")
    months_b = pd.date_range("2020-01-01", periods=14, freq="MS").delete(6)  # a gap in July
    panel = (
        pd.concat(
            [
                pd.DataFrame({"hsk_code": "0303550000", "country_code": "CN", "month": months_a}),
                pd.DataFrame({"hsk_code": "0303550000", "country_code": "VN", "month": months_b}),
            ],
            ignore_index=True,
        )
        .sample(frac=1.0, random_state=0)
        .reset_index(drop=True)
    )
    matrix = np.arange(len(panel), dtype=float).reshape(-1, 1)
    return panel, matrix


def test_windows_are_consecutive_months_of_one_series():
    panel, matrix = two_series_panel()
    windows = build_windows(panel, matrix, length=12)
    assert len(windows.values) == 3  # CN: 14 - 12 + 1; VN: none without crossing the gap
    assert windows.skipped_gaps == 2  # VN's two 12-row runs both cross July
    for rows in windows.rows:
        assert panel.loc[rows, "country_code"].nunique() == 1
        months = panel.loc[rows, "month"]
        assert (months.diff().dropna().dt.days.between(28, 31)).all()
    first = windows.rows[0]
    assert panel.loc[first, "month"].iloc[0] == pd.Timestamp("2020-01-01")
    np.testing.assert_array_equal(windows.values[0, :, 0], matrix[first, 0])  # data[i:i+12]


def test_original_buggy_slicing_is_measured():
    panel, matrix = two_series_panel()
    counts = original_buggy_windows(panel, matrix, time_steps=12)
    total = len(panel) - 12
    assert counts["full_length"] == 1  # only i = 0 yields 12 rows
    assert counts["shorter"] == 11 and counts["empty"] == total - 12
    assert counts["mixing_countries"] == 1  # the per-HSK sequence interleaves CN and VN
