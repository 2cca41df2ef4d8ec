"""Turning anomaly scores into flags: percentile, IQR, dynamic (per series) and review-budget thresholds."""

from __future__ import annotations

import numpy as np
import pandas as pd


def percentile_threshold(errors, q: float) -> float:
    """The q-th percentile (0-100) of the finite errors: flag errors above it."""
    values = np.asarray(errors, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("no finite errors to set a threshold on")
    return float(np.percentile(values, q))


def iqr_threshold(errors, k: float = 1.5) -> float:
    """Q3 + k * IQR of the finite errors (Tukey's fence)."""
    values = np.asarray(errors, dtype=float)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise ValueError("no finite errors to set a threshold on")
    q1, q3 = np.percentile(values, [25, 75])
    return float(q3 + k * (q3 - q1))


def dynamic_flags(errors: pd.Series, series_keys: pd.Series, k: float = 3.0, min_history: int = 6) -> pd.Series:
    """Flag an error above mean + k * std of the preceding errors of the same series (in the
    given order; sort by month first). Rows with fewer than `min_history` earlier errors are not
    flagged."""
    errors = pd.Series(errors, dtype=float)
    grouped = errors.groupby(pd.Series(series_keys).to_numpy())
    mean = grouped.transform(lambda s: s.shift().expanding().mean())
    std = grouped.transform(lambda s: s.shift().expanding().std(ddof=0))
    history = grouped.cumcount()
    return (history >= min_history) & (errors > mean + k * std)


def budget_flags(scores: pd.Series, months: pd.Series, share: float) -> pd.Series:
    """Flag the top `share` of rows of every month (at least one row per month with a score)."""
    if not 0 < share <= 1:
        raise ValueError(f"share must be in (0, 1], got {share}")
    scores = pd.Series(scores, dtype=float)
    months = pd.Series(months).to_numpy()
    rank = scores.groupby(months).rank(ascending=False, method="first")
    counts = scores.groupby(months).transform("count")
    allowed = np.maximum(1, np.floor(counts * share))
    return (rank <= allowed) & scores.notna()
