"""Monthly operation: score the month that has just arrived, knowing nothing of the months after it.

`score_month` cuts the panel after the month *before* any detector sees it, so later rows in the
input cannot change a month's scores by construction (prospective scoring, what the original
entry calls identifying suspicious imports in advance). Scoring a whole year at once, with the
months on both sides of each row, is the retrospective audit of the other chapters.

`backtest` replays the test year month by month, as the customs-selection simulations of the
DATE / concept-drift literature do: for each month, score it prospectively (with the detector
fitted once on the training months, or refitted every k months on everything before the month),
put the top share of its rows in the month's review queue, and record what the queue held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.detectors import Detector
from customs_anomaly.evaluate import evaluate_scores
from customs_anomaly.features import strip_labels
from customs_anomaly.thresholds import budget_flags

KEY = list(config.PANEL_KEY)
PROSPECTIVE, RETROSPECTIVE = "prospective", "retrospective"
STALE_MODEL_MONTHS = 12  # the monthly run warns when its model was trained longer ago than this


def month_start(month) -> pd.Timestamp:
    return pd.Timestamp(month).to_period("M").to_timestamp()


def known_at(panel: pd.DataFrame, month) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """What was known when `month` arrived: the mask of the panel's rows of months up to it, those
    rows (re-indexed), and the mask of the month's own rows among them."""
    month = month_start(month)
    known_mask = (panel["month"] <= month).to_numpy()
    known = panel[known_mask].reset_index(drop=True)
    return known_mask, known, (known["month"] == month).to_numpy()


def score_month(detector: Detector, panel: pd.DataFrame, month, budget_share: float | None = None) -> pd.DataFrame:
    """The rows of `month` scored prospectively (only months up to it are read), with flags at the
    detector's threshold or the top `budget_share` of the month, and a reason for every flag."""
    _, known, rows = known_at(panel, month)
    if not rows.any():
        raise ValueError(f"the panel has no row in {month_start(month):%Y-%m}")
    return detector.score(known, budget_share=budget_share, rows=rows)[rows].reset_index(drop=True)


def monthly_scores(detector: Detector, panel: pd.DataFrame, month, budget_share: float) -> pd.DataFrame:
    """What the monthly run writes: every row of the months up to `month` with the detector's
    details (the history a review page draws), and scores, flags and reasons for the rows of
    `month` only, flagged as the top `budget_share` of them. Nothing after the month is read."""
    _, known, in_month = known_at(panel, month)
    return detector.report(known, detector.analyse(known), budget_share, rows=in_month)


def analyse_month(detector: Detector, panel: pd.DataFrame, month: pd.Timestamp) -> tuple[np.ndarray, pd.DataFrame]:
    """Positions of the panel's rows of `month` and the detector's prospective analysis of them."""
    known_mask, known, rows = known_at(panel, month)
    analysis = detector.analyse(strip_labels(known), rows=rows)
    return np.flatnonzero(known_mask)[rows], analysis[rows].reset_index(drop=True)


def previous_month(month: pd.Timestamp) -> pd.Timestamp:
    return month - pd.DateOffset(months=1)


@dataclass
class Backtest:
    """One detector replayed month by month over the injections of several seeds."""

    name: str
    mode: str
    refit_every: int  # 0: fitted once on the training months
    per_month: pd.DataFrame  # seed, month, rows, anomalies, reviewed, found, precision, recall
    per_seed: list[dict]  # the usual metrics over the test year, per seed
    flags: dict  # per seed: the review queue's flags, aligned with that seed's panel

    def summary(self) -> pd.Series:
        return pd.DataFrame(self.per_seed).drop(columns="seed").mean()


def monthly_queue(scores: np.ndarray, months: pd.Series, labels: np.ndarray, flags: np.ndarray) -> pd.DataFrame:
    """Per month: rows scored, anomalies, the review queue (`flags`: e.g. the top share of the
    month's rows, `budget_flags`), the anomalies in it, and its precision and recall."""
    frame = pd.DataFrame(
        {
            "month": months.to_numpy(),
            "scored": np.isfinite(scores),
            "anomaly": labels,
            "queued": flags,
            "found": flags & labels,
        }
    )
    table = frame.groupby("month").agg(
        rows=("scored", "sum"), anomalies=("anomaly", "sum"), reviewed=("queued", "sum"), found=("found", "sum")
    )
    table["precision"] = table["found"] / table["reviewed"].where(table["reviewed"] > 0)
    table["recall"] = table["found"] / table["anomalies"].where(table["anomalies"] > 0)
    return table.reset_index()


def backtest(
    fit: Callable[[pd.DataFrame, pd.Timestamp], Detector],
    injections: dict,
    months: pd.DatetimeIndex,
    share: float,
    mode: str = PROSPECTIVE,
    refit_every: int = 0,
    misdeclared: Callable | None = None,
) -> Backtest:
    """Replay `months` for every injection seed. `fit(panel, train_until)` returns a fitted
    detector (called once with the training cut-off, and again every `refit_every` months with the
    month before when refitting). Prospective: each month is scored from the rows up to it (for a
    causal detector, whose scores never read a later month, one pass over the panel gives the same
    scores); retrospective: the whole panel is read and only the months are scored (an audit after
    the fact). The queue of each month is its top `share` of rows."""
    months = pd.DatetimeIndex(months)
    per_month, per_seed, all_flags = [], [], {}
    for seed, result in injections.items():
        panel = result.panel
        scores = np.full(len(panel), np.nan)
        in_months = panel["month"].isin(months).to_numpy()
        detector = fit(panel, config.TRAIN_UNTIL)
        # a causal detector's whole-panel scores are its prospective ones (tested): one pass
        if mode == RETROSPECTIVE or (detector.causal and not refit_every):
            scores[in_months] = detector.analyse(strip_labels(panel), rows=in_months)["score"].to_numpy()[in_months]
        else:
            for i, month in enumerate(months):
                if refit_every and i and i % refit_every == 0:
                    detector = fit(panel, previous_month(month))
                positions, analysis = analyse_month(detector, panel, month)
                scores[positions] = analysis["score"].to_numpy()
        labels = panel["is_anomaly"].to_numpy(dtype=bool)
        flags = np.zeros(len(panel), dtype=bool)
        flags[in_months] = budget_flags(pd.Series(scores[in_months]), panel.loc[in_months, "month"], share).to_numpy()
        all_flags[seed] = flags
        queue = monthly_queue(scores[in_months], panel.loc[in_months, "month"], labels[in_months], flags[in_months])
        per_month.append(queue.assign(seed=seed))
        metrics = evaluate_scores(
            pd.DataFrame({"score": scores, "flag": np.zeros(len(panel), dtype=bool)}),
            panel,
            misdeclared_usd=misdeclared(result) if misdeclared else None,
            test_start=months.min(),
            test_end=months.max(),
        )
        per_seed.append({"seed": seed, **metrics})
    return Backtest(detector.name, mode, refit_every, pd.concat(per_month, ignore_index=True), per_seed, all_flags)
