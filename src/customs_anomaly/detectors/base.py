"""The one interface every detector follows: fit on the training months, score every row."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import __version__, config
from customs_anomaly.features import FEATURE_LABELS, FREIGHT_FEATURES, strip_labels
from customs_anomaly.thresholds import budget_flags

SCORE_COLUMNS = ["month", "hsk_code", "country_code", "score", "flag", "reason", "reason_group"]


class Detector:
    """Subclasses set `name`, accept their parameters as keyword arguments (stored in `params`),
    and implement `_fit(train_panel)`, `_score(panel) -> DataFrame` and the state helpers.
    `_score` gives `score`, `flag` (at the detector's own operating threshold), and a `reason`
    and `reason_group` for every row with a score, flagged or not: `score` keeps them for the
    flagged rows only, whichever way the flags were set."""

    name = "base"
    defaults: dict = {}

    def __init__(self, **params) -> None:
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError(
                f"detector '{self.name}' has no parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(self.defaults)) or 'none'}"
            )
        self.params = {**self.defaults, **params}

    def fit(self, panel: pd.DataFrame, train_until: pd.Timestamp = config.TRAIN_UNTIL) -> Detector:
        panel = strip_labels(panel)
        self.train_until_ = pd.Timestamp(train_until)
        train = panel[panel["month"] <= self.train_until_]
        if train.empty:
            raise ValueError(f"no panel rows up to {self.train_until_:%Y-%m} to train on")
        self._fit(train.reset_index(drop=True))
        return self

    def score(self, panel: pd.DataFrame, budget_share: float | None = None) -> pd.DataFrame:
        """One row per panel row. `budget_share` replaces the operating threshold by a review
        budget per month: exactly the top `budget_share` of each month's scored rows are flagged
        (at least one), so the monthly review volume is fixed in advance."""
        panel = strip_labels(panel).reset_index(drop=True)
        out = self._score(panel)
        base = panel[["month", "hsk_code", "country_code"]].copy()
        for column in out.columns:
            base[column] = out[column].to_numpy()
        if budget_share is not None:
            base["flag"] = budget_flags(base["score"], base["month"], budget_share).to_numpy()
        base["flag"] = base["flag"].astype(bool)
        base["reason"] = np.where(base["flag"], base["reason"].fillna(""), "")
        base["reason_group"] = np.where(base["flag"], base["reason_group"].fillna(""), "")
        return base

    # persistence -------------------------------------------------------------------------
    def save(self, model_dir: str | Path) -> Path:
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        meta = {
            "name": self.name,
            "params": self.params,
            "version": __version__,
            "train_until": f"{self.train_until_:%Y-%m}",
        }
        self._save_state(model_dir)
        (model_dir / "detector.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return model_dir

    def _save_state(self, model_dir: Path) -> None:
        import joblib

        joblib.dump(self._state(), model_dir / "state.joblib")

    def _load_state(self, model_dir: Path) -> None:
        import joblib

        self._restore(joblib.load(model_dir / "state.joblib"))

    def _state(self) -> dict:
        raise NotImplementedError

    def _restore(self, state: dict) -> None:
        raise NotImplementedError

    def _fit(self, train: pd.DataFrame) -> None:
        raise NotImplementedError

    def _score(self, panel: pd.DataFrame) -> pd.DataFrame:
        raise NotImplementedError


def feature_reason(contributions: np.ndarray, columns: list[str], what: str) -> tuple[np.ndarray, np.ndarray]:
    """Korean reason per row: the feature with the largest share of the row's error, and its group."""
    totals = contributions.sum(axis=1)
    top = np.nanargmax(np.where(np.isfinite(contributions), contributions, -np.inf), axis=1)
    share = np.divide(contributions[np.arange(len(top)), top], totals, out=np.zeros(len(top)), where=totals > 0)
    labels = np.array([FEATURE_LABELS.get(c, c) for c in columns])[top]
    reasons = np.array([f"{label} {what} 최대 (기여 {s:.0%})" for label, s in zip(labels, share)], dtype=object)
    groups = np.where(np.isin(np.array(columns)[top], list(FREIGHT_FEATURES)), "운임", "단가")
    return reasons, groups
