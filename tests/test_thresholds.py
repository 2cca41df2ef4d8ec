"""Thresholds on hand-made error series with known answers."""

import numpy as np
import pandas as pd
import pytest

from customs_anomaly.thresholds import budget_flags, dynamic_flags, iqr_threshold, percentile_threshold


def test_percentile_and_iqr_thresholds():
    errors = np.arange(1, 101, dtype=float)  # 1..100
    assert percentile_threshold(errors, 90) == pytest.approx(90.1)
    assert percentile_threshold([1.0, np.nan, 3.0], 50) == 2.0
    # Q1 = 25.75, Q3 = 75.25, IQR = 49.5 -> fence 75.25 + 74.25
    assert iqr_threshold(errors) == pytest.approx(149.5)
    with pytest.raises(ValueError, match="no finite errors"):
        iqr_threshold([np.nan])


def test_dynamic_threshold_uses_only_preceding_errors_of_the_same_series():
    errors = pd.Series([1, 1, 1, 1, 9, 1, 1, 1, 1, 1], dtype=float)
    series = pd.Series(["a"] * 5 + ["b"] * 5)
    flags = dynamic_flags(errors, series, k=3, min_history=3)
    # a: history [1,1,1,1] has std 0, so 9 > 1 is flagged; b starts afresh and never deviates
    assert flags.tolist() == [False, False, False, False, True, False, False, False, False, False]
    assert not dynamic_flags(errors, series, k=3, min_history=5).any()  # not enough history


def test_budget_flags_take_the_top_share_of_each_month():
    scores = pd.Series([5, 4, 3, 2, 1, 10, 9, 8, 7, 6], dtype=float)
    months = pd.Series(["m1"] * 5 + ["m2"] * 5)
    assert budget_flags(scores, months, 0.4).tolist() == [
        True,
        True,
        False,
        False,
        False,
        True,
        True,
        False,
        False,
        False,
    ]
    assert budget_flags(scores, months, 0.01).sum() == 2  # at least one per month
    with pytest.raises(ValueError):
        budget_flags(scores, months, 0)
