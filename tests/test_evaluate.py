"""Metrics on a hand-made ranking with known P@k, R@k and AP."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import average_precision_score

from customs_anomaly.evaluate import (
    average_precision,
    evaluate_scores,
    precision_at_k,
    recall_at_share,
    rows_for_recall,
    summarise_over_seeds,
    value_capture,
)

SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.0])
LABELS = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1], dtype=bool)


def test_precision_recall_and_average_precision_by_hand():
    assert precision_at_k(SCORES, LABELS, 2) == 0.5
    assert precision_at_k(SCORES, LABELS, 3) == pytest.approx(2 / 3)
    assert recall_at_share(SCORES, LABELS, 0.3) == pytest.approx(2 / 3)  # top 3 rows
    # positives at ranks 1, 3, 10: (1/1 + 2/3 + 3/10) / 3
    assert average_precision(SCORES, LABELS) == pytest.approx((1 + 2 / 3 + 0.3) / 3)
    assert average_precision(SCORES, LABELS) == pytest.approx(average_precision_score(LABELS, SCORES))


def test_nan_scores_rank_last():
    scores = np.array([np.nan, 0.5, 0.1])
    labels = np.array([True, False, False])
    assert average_precision(scores, labels) == pytest.approx(1 / 3)


def test_value_capture_counts_misdeclared_dollars_in_the_budget():
    value = np.array([100, 0, 300, 0, 0, 0, 0, 0, 0, 600], dtype=float)
    assert value_capture(SCORES, value, 0.3) == pytest.approx(0.4)


def test_evaluate_scores_on_a_small_injected_panel():
    months = pd.to_datetime(["2024-04-01"] * 2 + ["2024-05-01"] * 4)
    panel = pd.DataFrame(
        {
            "month": months,
            "is_anomaly": [False, False, True, False, True, False],
            "anomaly_type": ["", "", "d", "", "a", ""],
        }
    )
    scores = pd.DataFrame({"score": [9, 9, 3, 2, 1, 0], "flag": [True, True, True, False, False, False]})
    result = evaluate_scores(scores, panel)
    assert result["test_rows"] == 4 and result["anomalies"] == 2
    assert result["ap"] == pytest.approx((1 + 2 / 3) / 2)
    assert result["price_recall"] == 1.0 and result["freight_recall"] == 0.0
    assert result["recall_flag_d"] == 1.0 and result["recall_flag_a"] == 0.0
    summary = summarise_over_seeds([{"seed": 0, **result}, {"seed": 1, **result}])
    assert summary.loc["ap", "std"] == 0.0


def test_rows_for_recall_counts_the_review_queue_needed():
    scores = [0.9, 0.8, np.nan, 0.7, 0.1]
    labels = [True, False, True, False, True]
    assert rows_for_recall(scores, labels, 1 / 3) == 1
    assert rows_for_recall(scores, labels, 0.6) == 4  # order 0.9, 0.8, 0.7, 0.1, NaN: the second positive is 4th
    assert rows_for_recall(scores, labels, 1.0) == 5  # the NaN-scored positive comes last
    assert np.isnan(rows_for_recall(scores, [False] * 5, 0.75))
