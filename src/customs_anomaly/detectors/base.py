"""The one interface every detector follows, in scikit-learn's and PyOD's conventions.

A detector is made with its parameters as keywords (`get_params`, `set_params` and
`sklearn.base.clone` work), learns from the training months with `fit`, and then scores any panel:

- `decision_function(panel, rows)`: the score per panel row (higher = more suspicious, NaN where
  the detector cannot score a row or outside `rows`);
- `predict(panel, rows)`: 0/1 flags, 1 where the score is above `threshold_`;
- `explain(panel, rows)`: the Korean reason of each row asked for;
- `analyse(panel, rows)`: the numbers behind the scores (vectorised, no text): `score`, `flag`,
  `reason_group` (운임/단가) and the detector's numeric details, one row per panel row. Only the
  rows in `rows` are scored; the whole panel is read as context (neighbouring months, peers);
- `score(panel, budget_share, rows)`: the contract of the `score` command: one row per panel row
  with `score`, `flag`, `reason`, `reason_group`, the Korean `reason` written for flagged rows.

After `fit` (and after `load_detector`) every detector has `threshold_`, `decision_scores_` and
`labels_`, set in one place (`Detector._set_fitted`). Using a detector before `fit` raises
`NotFittedError`.
"""

from __future__ import annotations

import copy
import hashlib
import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import exceptions as sklearn_exceptions

from customs_anomaly import __version__, config
from customs_anomaly.anomaly_types import FREIGHT_GROUP, PRICE_GROUP
from customs_anomaly.features import FEATURE_LABELS, FREIGHT_FEATURES, strip_labels
from customs_anomaly.thresholds import budget_flags

KEY_COLUMNS = list(config.PANEL_KEY)
SCORE_COLUMNS = [*KEY_COLUMNS, "score", "flag", "reason", "reason_group"]
REASON_GROUPS = ("", FREIGHT_GROUP, PRICE_GROUP)
# Parameters that change how a fit is reported, never what is fitted.
UNFINGERPRINTED_PARAMS = frozenset({"verbose"})
# The files `save` writes into a model folder (a network detector adds its network).
MODEL_META = "detector.json"
STATE_FILE = "state.joblib"
TRAINING_SCORES_FILE = "training_scores.npy"


class NotFittedError(sklearn_exceptions.NotFittedError):
    """A detector used before `fit`; scikit-learn's `NotFittedError`, so code written for
    scikit-learn estimators catches it too."""


def above_threshold(scores, threshold: float) -> np.ndarray:
    """Where a score flags its row: finite and above the threshold (a NaN score never flags)."""
    scores = np.asarray(scores, dtype=float)
    return np.isfinite(scores) & (scores > threshold)


class Detector:
    """Base class of every detector: parameters as keywords, `fit` on the training months, then
    score, flag and explain the rows of any panel.

    A subclass sets `name` and `defaults` (every parameter with its default value) and implements
    `_fit(train)`; `_analyse(panel, rows)`, a DataFrame with one row per panel row: `score`,
    `freight_reason` (bool: the reason is about freight, else about the unit price) and the
    numeric details its reasons read; `_reasons(analysis)`, the Korean reason of each analysed
    row; `_threshold()`, unless `_fit` learns `threshold_` itself; and the state helpers
    (`_state` and `_restore`, or `_save_state` and `_load_state`).

    Parameters
    ----------
    **params
        The detector's parameters by keyword, any of the class's `defaults` (the others keep
        their default). An unknown name is a ValueError naming it.

    Attributes
    ----------
    params : dict
        Every parameter's value: the defaults updated by the keywords given (`get_params`).
    threshold_ : float
        The operating threshold: a row whose score is above it is flagged (`predict`).
    decision_scores_ : numpy.ndarray or None
        The scores of the training rows, in the panel's order, read with the training months
        alone as context. None for a detector loaded from a folder saved without them.
    labels_ : numpy.ndarray or None
        0/1 flags of the training rows: 1 where `decision_scores_` is above `threshold_` (0 where
        it is NaN).
    train_until_ : pandas.Timestamp
        The last training month.
    fit_seconds_ : float or None
        Seconds the training took, when timed (`model_store` times the fits it stores).

    Examples
    --------
    >>> from customs_anomaly import make_detector
    >>> from customs_anomaly.examples import tiny_panel
    >>> panel = tiny_panel()
    >>> detector = make_detector("robust", z_limit=2.5)
    >>> detector
    RobustNeighbourDetector(z_limit=2.5)
    >>> detector.get_params()
    {'k': 6, 'z_limit': 2.5, 'scale_floor': 0.02}
    >>> detector.fit(panel, train_until="2024-04")
    RobustNeighbourDetector(z_limit=2.5)
    >>> detector.threshold_, len(detector.decision_scores_), int(detector.labels_.sum())
    (2.5, 384, 3)
    >>> scores = detector.decision_function(panel)
    >>> flags = detector.predict(panel)
    >>> bool((flags == (scores > detector.threshold_)).all())
    True
    >>> detector.explain(panel, flags == 1)
    array(['단가가 이 시계열 앞 4개월·뒤 6개월 중앙값의 1.39배 (평소 변동폭의 2.5배)',
           '단가가 이 시계열 앞뒤 6개월 중앙값의 0.68배 (평소 변동폭의 2.9배)'], dtype=object)
    """

    name = "base"
    defaults: dict = {}
    # Parameters that only change what is computed after the trained part (see `derive`).
    SCORING_PARAMS: frozenset = frozenset()
    # Whether a row's score reads only its own month and earlier ones: then scoring the whole
    # panel gives every month its prospective score (tested against the cut panel).
    causal: bool = True

    def __init__(self, **params) -> None:
        self.params = dict(self.defaults)
        self.fit_seconds_: float | None = None
        self.set_params(**params)

    def __init_subclass__(cls, **kwargs) -> None:
        """Every detector class gets the signature of its parameters, so that `inspect.signature`,
        `help` and the API reference show `IsolationForestDetector(*, seed=0, contamination=0.1)`."""
        super().__init_subclass__(**kwargs)
        keyword = inspect.Parameter.KEYWORD_ONLY
        cls.__signature__ = inspect.Signature(
            [inspect.Parameter(name, keyword, default=value) for name, value in cls.defaults.items()]
        )

    def __repr__(self) -> str:
        changed = ", ".join(f"{k}={v!r}" for k, v in self.params.items() if v != self.defaults[k])
        return f"{type(self).__name__}({changed})"

    # parameters (scikit-learn's convention) ----------------------------------------------------
    def get_params(self, deep: bool = True) -> dict:
        """Every parameter by name, as `__init__` takes them (`deep` is accepted as scikit-learn
        passes it: a detector holds no nested estimators)."""
        return dict(self.params)

    def set_params(self, **params) -> Detector:
        """Change parameters by keyword and return the detector; an unknown name is a ValueError
        naming it. A fitted detector keeps its fit: call `fit` again after changing parameters."""
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise ValueError(
                f"detector '{self.name}' has no parameter(s) {', '.join(unknown)}; "
                f"known: {', '.join(sorted(self.defaults)) or 'none'}"
            )
        self.params = self._checked_params({**self.params, **params})
        return self

    def _checked_params(self, params: dict) -> dict:
        """The parameters, validated (a ValueError otherwise) and normalised where needed. A value
        that needs no change is returned as the same object: `sklearn.base.clone` checks it."""
        return params

    def fingerprint(self, training_only: bool = False) -> str:
        """Name and the parameters that shape the fitted model (with `training_only`, those that
        shape its trained part), as a short stable hash."""
        left_out = UNFINGERPRINTED_PARAMS | (self.SCORING_PARAMS if training_only else frozenset())
        shaping = {k: v for k, v in sorted(self.params.items()) if k not in left_out}
        text = json.dumps({"name": self.name, "params": shaping, "version": __version__}, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

    # fitting -----------------------------------------------------------------------------------
    def fit(self, panel: pd.DataFrame, train_until=None) -> Detector:
        """Learn from the panel's rows up to the month `train_until` (every month given when None)
        and return the detector. Label columns are never read.

        Parameters
        ----------
        panel : pandas.DataFrame
            A panel (`config.PANEL_COLUMNS`), for example from `read_panel`.
        train_until : str or pandas.Timestamp, optional
            The last training month ("2024-04" or a Timestamp); None: the panel's last month.
        """
        panel = strip_labels(panel)
        self.train_until_ = panel["month"].max() if train_until is None else pd.Timestamp(train_until)
        train = panel[panel["month"] <= self.train_until_].reset_index(drop=True)
        if train.empty:
            raise ValueError(f"no panel rows up to {self.train_until_:%Y-%m} to train on")
        self._fit(train)
        self._set_fitted(train)
        return self

    def derive(self, panel: pd.DataFrame, **changes) -> Detector:
        """A copy of this fitted detector with scoring parameters changed, recalibrated on the
        panel's training months without training again (the trained part is shared)."""
        self._check_fitted()
        unknown = sorted(set(changes) - self.SCORING_PARAMS)
        if unknown:
            raise ValueError(f"'{self.name}' must be refitted to change {', '.join(unknown)}")
        derived = copy.copy(self).set_params(**changes)
        panel = strip_labels(panel)
        train = panel[panel["month"] <= self.train_until_].reset_index(drop=True)
        derived._recalibrate(train)
        derived._set_fitted(train)
        return derived

    def _set_fitted(self, train: pd.DataFrame | None = None, decision_scores=None) -> None:
        """The one place that sets what every fitted detector has: `threshold_`, then
        `decision_scores_` (the scores of the `train` rows after `fit` and `derive`; as saved
        after `load_detector`, None for a folder saved without them) and `labels_`."""
        self.threshold_ = float(self._threshold())
        if train is not None:
            decision_scores = self.decision_function(train)
        self.decision_scores_ = decision_scores
        self.labels_ = None
        if decision_scores is not None:
            self.labels_ = above_threshold(decision_scores, self.threshold_).astype(int)

    def _threshold(self) -> float:
        """The operating threshold of the fitted detector. A detector whose threshold is fixed by
        its method returns it; one that learns it (the networks) sets `threshold_` in `_fit`."""
        return self.threshold_

    def _check_fitted(self) -> None:
        if not hasattr(self, "threshold_"):
            raise NotFittedError(
                f"detector '{self.name}' is not fitted yet: call fit(panel) first (or load_detector(folder))"
            )

    # scoring -------------------------------------------------------------------------------
    def analyse(self, panel: pd.DataFrame, rows=None) -> pd.DataFrame:
        """The numbers behind the scores, one row per panel row (positional index). `rows` is a
        boolean mask aligned with the panel (default: every row); rows outside it get a NaN score,
        no flag and no reason group."""
        self._check_fitted()
        panel = strip_labels(panel).reset_index(drop=True)
        mask = rows_mask(panel, rows)
        out = self._analyse(panel, mask).reset_index(drop=True)
        score = np.where(mask, out["score"].to_numpy(dtype=float), np.nan)
        out["score"] = score
        out.insert(out.columns.get_loc("score") + 1, "flag", above_threshold(score, self.threshold_))
        group = np.where(out.pop("freight_reason").to_numpy(dtype=bool), 1, 2)
        out["reason_group"] = pd.Categorical.from_codes(
            np.where(np.isfinite(score), group, 0), categories=REASON_GROUPS
        )
        return out

    def decision_function(self, panel: pd.DataFrame, rows=None) -> np.ndarray:
        """Score per panel row, higher = more suspicious (NaN outside `rows`, a boolean mask
        aligned with the panel, and where the detector cannot score a row)."""
        return np.array(self.analyse(panel, rows)["score"], dtype=float)

    def predict(self, panel: pd.DataFrame, rows=None) -> np.ndarray:
        """0/1 flag per panel row: 1 where the score is above `threshold_` (0 where it is NaN,
        and outside `rows`)."""
        return above_threshold(self.decision_function(panel, rows), self.threshold_).astype(int)

    def explain(self, panel: pd.DataFrame, rows=None) -> np.ndarray:
        """The Korean reason of each row in `rows` (a boolean mask aligned with the panel;
        default every row), in the panel's order; empty for a row the detector cannot score."""
        analysis = self.analyse(panel, rows)
        reasons = np.full(len(analysis), "", dtype=object)
        scored = np.isfinite(analysis["score"].to_numpy())
        reasons[scored] = self.explain_analysis(analysis[scored])
        return reasons[rows_mask(analysis, rows)]

    def explain_analysis(self, analysis: pd.DataFrame) -> np.ndarray:
        """Korean reasons for the rows of an `analyse` result (pass only the rows you need): what
        `explain` and `score` use, for a caller that has analysed the panel already."""
        self._check_fitted()
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
        reasons[flags] = self.explain_analysis(analysis.reset_index(drop=True).loc[flags])
        out["reason"] = reasons
        out["reason_group"] = np.where(flags, out["reason_group"].astype(str), "")
        return out[SCORE_COLUMNS + [c for c in out.columns if c not in SCORE_COLUMNS]]

    # persistence -------------------------------------------------------------------------
    def save(self, model_dir: str | Path) -> Path:
        """Write the fitted detector into a folder, which `load_detector` reads back: its record
        (`detector.json`: name, parameters, last training month), its state and the scores of its
        training rows."""
        self._check_fitted()
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
        if self.decision_scores_ is not None:
            np.save(model_dir / TRAINING_SCORES_FILE, self.decision_scores_, allow_pickle=False)
        (model_dir / MODEL_META).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        return model_dir

    def _save_state(self, model_dir: Path) -> None:
        import joblib

        joblib.dump(self._state(), model_dir / STATE_FILE)

    def _load_state(self, model_dir: Path) -> None:
        import joblib

        self._restore(joblib.load(model_dir / STATE_FILE))

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


def rows_mask(panel: pd.DataFrame, rows) -> np.ndarray:
    """`rows` as a boolean mask aligned with the panel (None: every row)."""
    mask = np.ones(len(panel), dtype=bool) if rows is None else np.asarray(rows, dtype=bool)
    if len(mask) != len(panel):
        raise ValueError(f"rows mask has {len(mask)} entries for a panel of {len(panel)} rows")
    return mask


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
