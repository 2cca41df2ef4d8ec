"""The one interface every detector follows: fit on the training months, score the rows asked for.

Scoring is split the way PyOD splits `decision_function` and `predict`:

- `analyse(panel, rows)` computes the numbers behind the scores (vectorised, no text): `score`
  (higher = more suspicious, NaN where the detector cannot score a row), `flag` at the detector's
  own operating threshold, `reason_group` (운임/단가) and the detector's numeric details. Only the
  rows in `rows` are scored; the whole panel is read as context (neighbouring months, peers).
- `decision_function(panel, rows)` is the score alone: what evaluation loops need.
- `score(panel, budget_share, rows)` is the contract of the `score` command: one row per panel
  row with `score`, `flag`, `reason`, `reason_group`; the Korean `reason` is written for the
  flagged rows only.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import __version__, config
from customs_anomaly.anomaly_types import FREIGHT_GROUP, PRICE_GROUP
from customs_anomaly.features import FEATURE_LABELS, FREIGHT_FEATURES, strip_labels
from customs_anomaly.thresholds import budget_flags

KEY_COLUMNS = list(config.PANEL_KEY)
SCORE_COLUMNS = [*KEY_COLUMNS, "score", "flag", "reason", "reason_group"]
REASON_GROUPS = ("", FREIGHT_GROUP, PRICE_GROUP)
# Parameters that change how a fit is reported, never what is fitted.
UNFINGERPRINTED_PARAMS = frozenset({"verbose"})


class Detector:
    """Subclasses set `name` and `defaults`, accept their parameters as keyword arguments (stored
    in `params`), and implement `_fit(train_panel)`, `_analyse(panel, rows) -> DataFrame` (columns
    `score`, `flag`, `freight_reason` (bool: the reason is about freight, else the unit price) and
    numeric details), `_reasons(analysis) -> sequence of str` and the state helpers."""

    name = "base"
    defaults: dict = {}
    # Parameters that only change what is computed after the trained part (see `derive`).
    SCORING_PARAMS: frozenset = frozenset()
    # Whether a row's score reads only its own month and earlier ones: then scoring the whole
    # panel gives every month its prospective score (tested against the cut panel).
    causal: bool = True

    def __init__(self, **params) -> None:
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError(
                f"detector '{self.name}' has no parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(self.defaults)) or 'none'}"
            )
        self.params = {**self.defaults, **params}
        self.fit_seconds_: float | None = None

    def fingerprint(self, training_only: bool = False) -> str:
        """Name and the parameters that shape the fitted model (with `training_only`, those that
        shape its trained part), as a short stable hash."""
        left_out = UNFINGERPRINTED_PARAMS | (self.SCORING_PARAMS if training_only else frozenset())
        shaping = {k: v for k, v in sorted(self.params.items()) if k not in left_out}
        text = json.dumps({"name": self.name, "params": shaping, "version": __version__}, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    def derive(self, panel: pd.DataFrame, **changes) -> Detector:
        """A copy of this fitted detector with scoring parameters changed, recalibrated on the
        panel's training months without training again (the trained part is shared)."""
        unknown = sorted(set(changes) - self.SCORING_PARAMS)
        if unknown:
            raise ValueError(f"'{self.name}' must be refitted to change {', '.join(unknown)}")
        derived = copy.copy(self)
        derived.params = {**self.params, **changes}
        panel = strip_labels(panel)
        derived._recalibrate(panel[panel["month"] <= self.train_until_].reset_index(drop=True))
        return derived

    def fit(self, panel: pd.DataFrame, train_until: pd.Timestamp = config.TRAIN_UNTIL) -> Detector:
        panel = strip_labels(panel)
        self.train_until_ = pd.Timestamp(train_until)
        train = panel[panel["month"] <= self.train_until_]
        if train.empty:
            raise ValueError(f"no panel rows up to {self.train_until_:%Y-%m} to train on")
        self._fit(train.reset_index(drop=True))
        return self

    # scoring -------------------------------------------------------------------------------
    def analyse(self, panel: pd.DataFrame, rows=None) -> pd.DataFrame:
        """The numbers behind the scores, one row per panel row (positional index). `rows` is a
        boolean mask aligned with the panel (default: every row); rows outside it get a NaN score,
        no flag and no reason group."""
        panel = strip_labels(panel).reset_index(drop=True)
        mask = np.ones(len(panel), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
        if len(mask) != len(panel):
            raise ValueError(f"rows mask has {len(mask)} entries for a panel of {len(panel)} rows")
        out = self._analyse(panel, mask).reset_index(drop=True)
        out["score"] = np.where(mask, out["score"].to_numpy(dtype=float), np.nan)
        scored = np.isfinite(out["score"].to_numpy())
        out["flag"] = out["flag"].to_numpy(dtype=bool) & scored
        group = np.where(out.pop("freight_reason").to_numpy(dtype=bool), 1, 2)
        out["reason_group"] = pd.Categorical.from_codes(np.where(scored, group, 0), categories=REASON_GROUPS)
        return out

    def decision_function(self, panel: pd.DataFrame, rows=None) -> np.ndarray:
        """Score per panel row (NaN outside `rows` and where the detector cannot score)."""
        return np.array(self.analyse(panel, rows)["score"], dtype=float)

    def explain(self, analysis: pd.DataFrame) -> np.ndarray:
        """Korean reasons for the rows of an `analyse` result (pass only the rows you need)."""
        if analysis.empty:
            return np.array([], dtype=object)
        return np.asarray(list(self._reasons(analysis)), dtype=object)

    def score(self, panel: pd.DataFrame, budget_share: float | None = None, rows=None) -> pd.DataFrame:
        """One row per panel row: the key, `score`, `flag`, `reason` (flagged rows only) and
        `reason_group`, plus the detector's numeric details. `budget_share` replaces the operating
        threshold by a review budget per month: exactly the top `budget_share` of each month's
        scored rows are flagged (at least one), so the monthly review volume is fixed in advance."""
        return self.report(panel, self.analyse(panel, rows), budget_share)

    def report(self, panel: pd.DataFrame, analysis: pd.DataFrame, budget_share: float | None = None, rows=None):
        """`score`'s output from an `analyse` result: flags (the detector's own or a monthly budget,
        only inside `rows` when given, whose scores alone are kept) and the reasons of the flagged
        rows. The details of every analysed row are kept (a review page draws their history)."""
        keys = strip_labels(panel).reset_index(drop=True)[KEY_COLUMNS]
        out = pd.concat([keys, analysis.reset_index(drop=True)], axis=1)
        if rows is not None:
            inside = np.asarray(rows, dtype=bool)
            out["score"] = np.where(inside, out["score"], np.nan)
            out["flag"] = out["flag"].to_numpy(dtype=bool) & inside
        if budget_share is not None:
            out["flag"] = budget_flags(out["score"], out["month"], budget_share).to_numpy()
        flags = out["flag"].to_numpy(dtype=bool)
        reasons = np.full(len(out), "", dtype=object)
        reasons[flags] = self.explain(analysis.reset_index(drop=True).loc[flags])
        out["reason"] = reasons
        out["reason_group"] = np.where(flags, out["reason_group"].astype(str), "")
        return out[SCORE_COLUMNS + [c for c in out.columns if c not in SCORE_COLUMNS]]

    # persistence -------------------------------------------------------------------------
    def save(self, model_dir: str | Path) -> Path:
        model_dir = Path(model_dir)
        model_dir.mkdir(parents=True, exist_ok=True)
        meta = {
            "name": self.name,
            "params": self.params,
            "version": __version__,
            "train_until": f"{self.train_until_:%Y-%m}",
            "fit_seconds": self.fit_seconds_,
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

    def _recalibrate(self, train: pd.DataFrame) -> None:
        raise NotImplementedError

    def _analyse(self, panel: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
        raise NotImplementedError

    def _reasons(self, analysis: pd.DataFrame):
        raise NotImplementedError


def top_feature(contributions: np.ndarray, columns: list[str]) -> pd.DataFrame:
    """Per row: the feature with the largest share of the row's error (`top_feature`, an index
    into `columns`), that share (`top_share`) and whether it is a freight feature."""
    totals = contributions.sum(axis=1)
    top = np.nanargmax(np.where(np.isfinite(contributions), contributions, -np.inf), axis=1)
    share = np.divide(contributions[np.arange(len(top)), top], totals, out=np.zeros(len(top)), where=totals > 0)
    freight = np.isin(np.array(columns)[top], list(FREIGHT_FEATURES))
    return pd.DataFrame({"top_feature": top, "top_share": share, "freight_reason": freight})


def feature_reasons(analysis: pd.DataFrame, columns: list[str], what: str) -> list[str]:
    """'단가 재구성 오차 최대 (기여 64%)' for each row of a `top_feature` result."""
    labels = [FEATURE_LABELS.get(c, c) for c in columns]
    return [
        f"{labels[int(top)]} {what} 최대 (기여 {share:.0%})"
        for top, share in zip(analysis["top_feature"], analysis["top_share"])
    ]
