"""A supervised ranker that learns from the reviewers' verdicts (issue 25): the rows reviewers
confirmed as anomalies (이상 확인) or cleared (정상) in earlier months train a gradient-boosted
classifier, and the month's review queue is ranked by a mix of the detector's score and the
learned probability, with a share of the queue spent on exploration.

The work is split so that a simulation can score every month once and rank it many times:

- expensive, once per month: `prospective_features` scores a month with the detector knowing only
  the months up to it (`operations.known_at`) and turns its rows into ranker features
  (`month_features`, `row_features`);
- cheap: `HybridRanker.fit` on the features and labels of reviewed rows of earlier months
  (`training_frame` assembles them, `labels_of` turns verdicts into labels), then
  `HybridRanker.rank` selects a month's queue of a given size and says why each row is in it;
  `select_rows` does both in one call.

With too few verdicts (`MIN_VERDICTS` in all, `MIN_PER_CLASS` of each kind) the ranker is not
trained: `HybridRanker.note_` says so and the queue is the detector's ranking exactly (the top rows
by score, ties in row order, as `thresholds.budget_flags` breaks them).

Label columns of the panel (`config.ALL_LABEL_COLUMNS`) are never read: the features are built
from the panel after `features.strip_labels`. The module imports the detectors only where it scores
a month, so that the command line reads its defaults for `monthly --help` at no cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from customs_anomaly import config
from customs_anomaly.features import strip_labels
from customs_anomaly.items import ITEM_GROUPS, OTHER_GROUP, item_group
from customs_anomaly.thresholds import budget_flags
from customs_anomaly.verdicts import STATUSES

if TYPE_CHECKING:
    from customs_anomaly.detectors import Detector

KEY = list(config.PANEL_KEY)
LABEL = "label"
# 이상 확인 (anomaly confirmed) = 1, 정상 (normal) = 0; 확인 필요 (to check) is a row nobody
# reviewed and is left out.
LABEL_OF_STATUS = {STATUSES[1]: 1, STATUSES[2]: 0}

# Enough verdicts to learn from: in all, and of each kind (confirmed anomalies and normals).
MIN_VERDICTS = 20
MIN_PER_CLASS = 5
# hybrid = (1 - LEARNED_WEIGHT) x the detector score's percentile rank in the month
#        + LEARNED_WEIGHT x the learned probability (`hybrid_scores`)
LEARNED_WEIGHT = 0.5
# The share of the queue (round(share x queue size) rows) spent on exploration, and how those rows
# are chosen: "uncertain", the rows whose learned probability is closest to 0.5; "random", rows
# drawn at random (seeded) among those the hybrid left out.
EXPLORATION_SHARE = 0.1
UNCERTAIN, RANDOM = "uncertain", "random"
EXPLORATION = UNCERTAIN
# A learned pick's reason counts how many of its nearest reviewed rows (in the standardised feature
# space) were confirmed anomalies.
SIMILAR_ROWS = 10
# The classifier: small trees and a fixed seed (no early stopping, no subsampling: deterministic);
# classes weighted equally, so that 0.5 is the boundary "uncertain" exploration looks at.
MODEL_PARAMS = {
    "learning_rate": 0.1,
    "max_iter": 100,
    "max_leaf_nodes": 8,
    "min_samples_leaf": 5,
    "l2_regularization": 1.0,
    "class_weight": "balanced",
    "early_stopping": False,
    "random_state": 0,
}
# Threads the classifier may use: its training sets are small (hundreds of rows), where OpenMP's
# team of threads costs many times the work itself (measured: 0.07 s of CPU for a fit on one
# thread, 1.6 s on two busy cores).
MODEL_THREADS = 1

# The ranker's features of a row, from its own month and panel row only (never a label column):
# the detector's score as a percentile rank in its month, log weight, log declared value, log unit
# price and log unit price against the median of the same HSK code's rows that month (all
# countries), and two categories: the item group and the freight region.
NUMERIC_FEATURES = ("score_rank", "log_weight", "log_value", "log_unit_price", "log_price_to_peers")
CATEGORIES = {
    "item_group": tuple(dict.fromkeys([*ITEM_GROUPS.values(), OTHER_GROUP])),
    "region": config.REGIONS,
}
FEATURES = (*NUMERIC_FEATURES, *CATEGORIES)

# Why a row is in the queue (`rank`'s `selected_by`), and how the queue file says it.
BY_DETECTOR, BY_LEARNED = "detector", "learned"
SELECTION_LABELS = {
    BY_DETECTOR: "탐지기 점수",
    BY_LEARNED: "검토 결과 학습",
    UNCERTAIN: "탐색: 불확실",
    RANDOM: "탐색: 무작위",
}
# What a learned or exploration pick adds to the detector's reason (Korean, for the reviewer).
LEARNED_REASON = "검토 결과로 학습한 모형이 위험을 높게 봄: 비슷한 행 {reviewed}건 중 {confirmed}건이 이상 확인"
EXPLORATION_REASONS = {UNCERTAIN: "탐색: 모형이 확신하지 못하는 행", RANDOM: "탐색: 무작위 선택"}
REASON_SEPARATOR = " · "
# The columns `rank` returns, and those the monthly queue carries (in the scores and the queue file).
RANKING_COLUMNS = (
    "selected",
    "selected_by",
    "learned_probability",
    "hybrid_score",
    "similar_reviewed",
    "similar_confirmed",
)
QUEUE_RANKER_COLUMNS = ("learned_probability", "hybrid_score", "selected_by")


# verdicts and features -------------------------------------------------------------------------
def labels_of(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The reviewed rows of verdicts (`verdicts.read_verdicts`) with their label.

    Parameters
    ----------
    verdicts : pandas.DataFrame
        Verdicts with the panel key and ``status``.

    Returns
    -------
    pandas.DataFrame
        The panel key and ``label``: 1 for 이상 확인, 0 for 정상; rows still 확인 필요 are left out.
    """
    reviewed = verdicts[verdicts["status"].isin(list(LABEL_OF_STATUS))]
    return reviewed[KEY].assign(**{LABEL: reviewed["status"].map(LABEL_OF_STATUS).astype(int)}).reset_index(drop=True)


def percentile_ranks(values) -> np.ndarray:
    """Percentile rank of each value among the values that are not NaN (ties share their average
    rank; the largest is 1); NaN stays NaN."""
    return pd.Series(np.asarray(values, dtype=float)).rank(pct=True, method="average").to_numpy()


def row_features(rows: pd.DataFrame, scores) -> pd.DataFrame:
    """The ranker's features of the panel rows of one month (`FEATURES`).

    Parameters
    ----------
    rows : pandas.DataFrame
        Panel rows of a single month (label columns, if any, are dropped unread).
    scores : array-like
        The detector's score of each row (NaN where it scores none), read knowing only the months
        up to this one.

    Returns
    -------
    pandas.DataFrame
        The panel key, ``score`` and every feature, one row per given row (same order). The
        categories are integer codes of `CATEGORIES` (NaN for a value outside them).
    """
    rows = strip_labels(rows).reset_index(drop=True)
    if rows["month"].nunique() > 1:
        raise ValueError("row_features takes the rows of one month (percentile ranks are within a month)")
    scores = np.asarray(scores, dtype=float)
    priced = (rows["weight_kg"] > 0) & (rows["unit_price_usd_per_kg"] > 0)
    log_price = np.log(rows["unit_price_usd_per_kg"].where(priced))
    features = {
        "score": scores,
        "score_rank": percentile_ranks(scores),
        "log_weight": np.log1p(rows["weight_kg"].astype(float)),
        "log_value": np.log1p(rows["value_usd"].astype(float)),
        "log_unit_price": log_price,
        "log_price_to_peers": log_price - log_price.groupby(rows["hsk_code"]).transform("median"),
        "item_group": category_codes(item_group(rows["hsk_code"]), "item_group"),
        "region": category_codes(rows["region"], "region"),
    }
    return pd.concat([rows[KEY], pd.DataFrame(features, index=rows.index)], axis=1)


def category_codes(values: pd.Series, name: str) -> np.ndarray:
    """Positions of the values in `CATEGORIES[name]` as floats (NaN for an unknown value)."""
    codes = pd.Categorical(values, categories=CATEGORIES[name]).codes.astype(float)
    return np.where(codes >= 0, codes, np.nan)


def month_features(known: pd.DataFrame, analysis: pd.DataFrame, rows) -> pd.DataFrame:
    """`row_features` of the rows of a month from an analysis already made.

    Parameters
    ----------
    known : pandas.DataFrame
        The panel's rows up to the month (`operations.known_at`).
    analysis : pandas.DataFrame
        The detector's `analyse` of `known` (aligned with it), at least for the month's rows.
    rows : numpy.ndarray
        Boolean mask of the month's rows in `known`.
    """
    rows = np.asarray(rows, dtype=bool)
    return row_features(known[rows], analysis["score"].to_numpy(dtype=float)[rows])


def prospective_features(detector: Detector, panel: pd.DataFrame, month) -> pd.DataFrame:
    """The features of every row of `month`, scored by the fitted detector knowing only the months
    up to it (the expensive step: one detector analysis; a simulation computes it once per month)."""
    from customs_anomaly.operations import known_at  # imports the detectors: not needed for the defaults

    _, known, rows = known_at(panel, month)
    if not rows.any():
        raise ValueError(f"the panel has no row in {pd.Timestamp(month):%Y-%m}")
    return month_features(known, detector.analyse(strip_labels(known), rows=rows), rows)


def training_frame(detector: Detector, panel: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The features and label of every reviewed row: each reviewed month scored prospectively (only
    the months up to it are read), joined with the labels (`labels_of`) on the panel key."""
    frames = []
    for month, reviewed in labels.groupby("month", sort=True):
        features = prospective_features(detector, panel, month)
        frames.append(reviewed.merge(features, on=KEY, how="inner", validate="one_to_one"))
    if not frames:
        return pd.DataFrame(columns=[*KEY, LABEL, "score", *FEATURES])
    return pd.concat(frames, ignore_index=True)


def verdict_tally(labels) -> tuple[int, int, int]:
    """(reviewed rows, confirmed anomalies, normals) of 0/1 labels."""
    labels = np.asarray(labels, dtype=int)
    return len(labels), int((labels == 1).sum()), int((labels == 0).sum())


def too_few_verdicts(labels, min_verdicts: int = MIN_VERDICTS, min_per_class: int = MIN_PER_CLASS) -> str:
    """Why the labels are too few to learn from ('' when they are enough)."""
    total, confirmed, normal = verdict_tally(labels)
    if total >= min_verdicts and min(confirmed, normal) >= min_per_class:
        return ""
    return (
        f"{total:,} reviewed verdicts ({STATUSES[1]} {confirmed:,}, {STATUSES[2]} {normal:,}) are too few to learn "
        f"from: the ranker needs at least {min_verdicts:,}, with at least {min_per_class:,} of each"
    )


def budget_size(scores, share: float) -> int:
    """The rows a month's queue holds at a review budget `share`: `thresholds.budget_flags`'s count
    (the top share of the scored rows, at least one)."""
    scores = pd.Series(np.asarray(scores, dtype=float))
    return int(budget_flags(scores, pd.Series(np.zeros(len(scores))), share).sum())


def encoded(features: pd.DataFrame) -> np.ndarray:
    """The feature matrix the classifier reads (`FEATURES` in order, categories as codes)."""
    return features[list(FEATURES)].to_numpy(dtype=float)


def neighbour_space(features: pd.DataFrame, mean: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Rows in the space of `similar` rows: numeric features standardised by the training rows'
    mean and scale (a missing value at the mean), categories one-hot."""
    numeric = (features[list(NUMERIC_FEATURES)].to_numpy(dtype=float) - mean) / scale
    parts = [np.nan_to_num(numeric, nan=0.0)]
    for name, categories in CATEGORIES.items():
        codes = features[name].to_numpy(dtype=float)
        parts.append((codes[:, None] == np.arange(len(categories))[None, :]).astype(float))
    return np.hstack(parts)


def hybrid_scores(score, probability, learned_weight: float = LEARNED_WEIGHT) -> np.ndarray:
    """The hybrid of a month's rows: ``(1 - learned_weight) x`` the detector score's percentile rank
    among the month's scored rows ``+ learned_weight x`` the learned probability, both in [0, 1].

    The detector's score enters as a rank because detectors score on scales of their own; the
    probability enters as it is, because its rank would turn tiny differences among rows the
    ranker finds equally unlikely into large ones. NaN where the detector gives no score.
    """
    return (1 - learned_weight) * percentile_ranks(score) + learned_weight * np.asarray(probability, dtype=float)


def top_positions(values: np.ndarray, tiebreak: np.ndarray, among: np.ndarray, count: int) -> np.ndarray:
    """Positions of the `count` largest `values` among the rows of the mask `among`: ties by the
    larger `tiebreak`, then by row order."""
    positions = np.flatnonzero(among)
    order = np.lexsort((positions, -tiebreak[positions], -values[positions]))
    return positions[order[:count]]


# the ranker -----------------------------------------------------------------------------------------
class HybridRanker:
    """Rank a month's rows by the detector's score and what reviewers confirmed in earlier months.

    Parameters
    ----------
    learned_weight : float, default LEARNED_WEIGHT
        Weight of the learned probability in the hybrid score (the detector score's percentile
        rank in the month gets ``1 - learned_weight``; see `hybrid_scores`).
    exploration_share : float, default EXPLORATION_SHARE
        Share of the queue spent on exploration: ``round(exploration_share * budget)`` rows.
    exploration : {"uncertain", "random"}, default EXPLORATION
        How exploration rows are chosen among the rows the hybrid left out: the learned
        probability closest to 0.5, or at random (seeded).
    min_verdicts, min_per_class : int, default MIN_VERDICTS, MIN_PER_CLASS
        Fewer reviewed rows in all, or fewer confirmed anomalies or normals, and the ranker is not
        trained: `rank` gives the detector's ranking exactly.
    similar_rows : int, default SIMILAR_ROWS
        How many nearest reviewed rows a learned pick's reason counts.
    seed : int, default config.DEFAULT_SEED
        Seed of random exploration.

    Attributes
    ----------
    model_ : sklearn.ensemble.HistGradientBoostingClassifier or None
        The classifier, None when the verdicts were too few.
    note_ : str
        Why the ranker was not trained ('' when it was).
    tally_ : tuple of int
        Reviewed rows, confirmed anomalies and normals it was given.

    Examples
    --------
    Reviewed rows where heavy imports (``log_weight`` above 0.5) were confirmed, and a new month:

    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> def rows(n):
    ...     frame = pd.DataFrame({f: rng.normal(size=n) for f in NUMERIC_FEATURES})
    ...     return frame.assign(item_group=0.0, region=0.0, score=rng.normal(size=n))
    >>> training = rows(40).assign(label=lambda f: (f["log_weight"] > 0.5).astype(int))
    >>> ranker = HybridRanker(exploration_share=0.25).fit(training)
    >>> ranker.learned, ranker.tally_
    (True, (40, 18, 22))
    >>> ranking = ranker.rank(rows(30), budget=4)
    >>> ranking.loc[ranking["selected"], ["selected_by", "similar_confirmed"]]
       selected_by  similar_confirmed
    0      learned                  8
    1    uncertain                  6
    9      learned                  9
    25     learned                  4
    >>> added_reasons(ranking)[0]
    '검토 결과로 학습한 모형이 위험을 높게 봄: 비슷한 행 10건 중 8건이 이상 확인'
    """

    def __init__(
        self,
        *,
        learned_weight: float = LEARNED_WEIGHT,
        exploration_share: float = EXPLORATION_SHARE,
        exploration: str = EXPLORATION,
        min_verdicts: int = MIN_VERDICTS,
        min_per_class: int = MIN_PER_CLASS,
        similar_rows: int = SIMILAR_ROWS,
        seed: int = config.DEFAULT_SEED,
    ) -> None:
        if not 0 <= learned_weight <= 1:
            raise ValueError(f"learned_weight must be in [0, 1], got {learned_weight}")
        if not 0 <= exploration_share < 1:
            raise ValueError(f"exploration_share must be in [0, 1), got {exploration_share}")
        if exploration not in EXPLORATION_REASONS:
            raise ValueError(f"exploration must be one of {', '.join(EXPLORATION_REASONS)}, got {exploration!r}")
        self.learned_weight = learned_weight
        self.exploration_share = exploration_share
        self.exploration = exploration
        self.min_verdicts = min_verdicts
        self.min_per_class = min_per_class
        self.similar_rows = similar_rows
        self.seed = seed

    @property
    def learned(self) -> bool:
        """Whether the classifier was trained (enough verdicts)."""
        return getattr(self, "model_", None) is not None

    def fit(self, training: pd.DataFrame) -> HybridRanker:
        """Learn from reviewed rows: `FEATURES` and ``label`` (1 confirmed anomaly, 0 normal), e.g.
        `training_frame`. With too few of them nothing is trained (the features are not read) and
        `note_` says why."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        labels = training[LABEL].to_numpy(dtype=int)
        self.tally_ = verdict_tally(labels)
        self.note_ = too_few_verdicts(labels, self.min_verdicts, self.min_per_class)
        self.model_ = None
        if self.note_:
            return self
        categorical = [name in CATEGORIES for name in FEATURES]
        model = HistGradientBoostingClassifier(**MODEL_PARAMS, categorical_features=categorical)
        with threadpool_limits(MODEL_THREADS):
            self.model_ = model.fit(encoded(training), labels)
        numeric = training[list(NUMERIC_FEATURES)].astype(float)
        self.mean_ = numeric.mean().fillna(0.0).to_numpy()
        scale = numeric.std(ddof=0).fillna(0.0).to_numpy()
        self.scale_ = np.where(scale > 0, scale, 1.0)
        self.reference_ = neighbour_space(training, self.mean_, self.scale_)
        self.reference_labels_ = labels
        return self

    def predict_proba(self, rows: pd.DataFrame) -> np.ndarray:
        """The learned probability that each row is a confirmed anomaly (NaN when not trained)."""
        if not self.learned:
            return np.full(len(rows), np.nan)
        with threadpool_limits(MODEL_THREADS):
            return self.model_.predict_proba(encoded(rows))[:, 1]

    def similar(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """For each row: how many nearest reviewed rows were looked at (`similar_rows`, at most the
        reviewed rows) and how many of them were confirmed anomalies."""
        reviewed = min(self.similar_rows, len(self.reference_labels_))
        if len(rows) == 0 or reviewed == 0:
            return np.zeros(len(rows), dtype=int), np.zeros(len(rows), dtype=int)
        points = neighbour_space(rows, self.mean_, self.scale_)
        distances = ((points[:, None, :] - self.reference_[None, :, :]) ** 2).sum(axis=2)
        nearest = np.argsort(distances, axis=1, kind="stable")[:, :reviewed]
        return np.full(len(rows), reviewed), self.reference_labels_[nearest].sum(axis=1).astype(int)

    def rank(self, rows: pd.DataFrame, budget: int) -> pd.DataFrame:
        """Select a month's queue of `budget` rows and say why each row is in it.

        Parameters
        ----------
        rows : pandas.DataFrame
            The month's rows with ``score`` (the detector's; NaN: not scored, never selected, as
            `thresholds.budget_flags` counts them) and `FEATURES` (`row_features`).
        budget : int
            Rows in the queue (at most the scored rows).

        Returns
        -------
        pandas.DataFrame
            Aligned with `rows` (same index): `RANKING_COLUMNS`. ``selected_by`` is 'detector' (it
            would be in the queue by the detector's score alone), 'learned' (the hybrid score put
            it in), 'uncertain' or 'random' (exploration), '' for a row left out. Untrained, the
            queue is the top `budget` rows by score (ties in row order), every one 'detector', and
            the learned columns are NaN.
        """
        score = rows["score"].to_numpy(dtype=float)
        scored = ~np.isnan(score)
        budget = min(int(budget), int(scored.sum()))
        by_score = top_positions(score, np.zeros(len(rows)), scored, budget)
        why = np.full(len(rows), "", dtype=object)
        probability = hybrid = np.full(len(rows), np.nan)
        reviewed = pd.array([pd.NA] * len(rows), dtype="Int64")
        confirmed = reviewed.copy()
        if not self.learned:
            why[by_score] = BY_DETECTOR
        else:
            probability = np.where(scored, self.predict_proba(rows), np.nan)
            hybrid = hybrid_scores(score, probability, self.learned_weight)
            explored = round(self.exploration_share * budget)
            picked = top_positions(np.nan_to_num(hybrid, nan=-np.inf), score, scored, budget - explored)
            left = scored.copy()
            left[picked] = False
            extra = self.explore(probability, left, explored)
            why[picked] = np.where(np.isin(picked, by_score), BY_DETECTOR, BY_LEARNED)
            why[extra] = self.exploration
            chosen = np.flatnonzero(why != "")
            reviewed[chosen], confirmed[chosen] = self.similar(rows.iloc[chosen])
        return pd.DataFrame(
            {
                "selected": why != "",
                "selected_by": why,
                "learned_probability": probability,
                "hybrid_score": hybrid,
                "similar_reviewed": reviewed,
                "similar_confirmed": confirmed,
            },
            index=rows.index,
        )[list(RANKING_COLUMNS)]

    def explore(self, probability: np.ndarray, left: np.ndarray, count: int) -> np.ndarray:
        """`count` positions among the mask `left` by the ranker's `exploration` rule."""
        positions = np.flatnonzero(left)
        count = min(count, len(positions))
        if self.exploration == RANDOM:
            return np.sort(np.random.default_rng(self.seed).choice(positions, size=count, replace=False))
        doubt = -np.abs(probability - 0.5)  # the closer to 0.5, the less sure the ranker is
        return top_positions(doubt, np.zeros(len(probability)), left, count)


def select_rows(
    rows: pd.DataFrame,
    training: pd.DataFrame,
    budget: int,
    exploration_share: float = EXPLORATION_SHARE,
    seed: int = config.DEFAULT_SEED,
    **params,
) -> tuple[pd.DataFrame, str]:
    """One month's queue from features computed beforehand (the cheap step of a simulation).

    Parameters
    ----------
    rows : pandas.DataFrame
        The month's rows: ``score`` and `FEATURES` (`prospective_features`).
    training : pandas.DataFrame
        Reviewed rows of earlier months: `FEATURES` and ``label`` (`training_frame`).
    budget : int
        Rows in the queue.
    exploration_share, seed, **params
        As `HybridRanker` takes them.

    Returns
    -------
    ranking : pandas.DataFrame
        `HybridRanker.rank`'s frame, aligned with `rows`.
    note : str
        Why the detector's ranking was kept ('' when the hybrid ranked the month).
    """
    ranker = HybridRanker(exploration_share=exploration_share, seed=seed, **params).fit(training)
    return ranker.rank(rows, budget), ranker.note_


def added_reasons(ranking: pd.DataFrame) -> pd.Series:
    """What each selected row's reason gains (Korean): the learned part's evidence for a learned
    pick, the rule for an exploration pick; '' otherwise (the detector's reason stands alone)."""
    added = pd.Series("", index=ranking.index, dtype=object)
    learned = ranking["selected_by"] == BY_LEARNED
    added[learned] = [
        LEARNED_REASON.format(reviewed=int(n), confirmed=int(m))
        for n, m in zip(ranking.loc[learned, "similar_reviewed"], ranking.loc[learned, "similar_confirmed"])
    ]
    for rule, text in EXPLORATION_REASONS.items():
        added[ranking["selected_by"] == rule] = text
    return added


# the monthly run -----------------------------------------------------------------------------------
def ranked_monthly_scores(
    detector: Detector, panel: pd.DataFrame, month, budget_share: float, ranker: HybridRanker
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the monthly run writes (`operations.monthly_scores`) with the queue chosen by a fitted
    ranker, and the ranking of the month's rows.

    The flagged rows are the ranker's selection of `budget_size` rows; each keeps the detector's
    reason, and a learned or exploration pick's reason gains `added_reasons`. The month's rows carry
    `QUEUE_RANKER_COLUMNS` (``selected_by`` as `SELECTION_LABELS` words it). An untrained ranker
    gives `operations.monthly_scores` unchanged: the detector's queue exactly.
    """
    from customs_anomaly.operations import known_at, monthly_scores  # imports the detectors

    _, known, in_month = known_at(panel, month)
    positions = np.flatnonzero(in_month)
    if not ranker.learned:  # the detector's queue, as without verdicts; the ranking reads the score only
        scores = monthly_scores(detector, panel, month, budget_share)
        month_scores = scores.loc[positions, ["score"]].reset_index(drop=True)
        return scores, ranker.rank(month_scores, budget_size(month_scores["score"], budget_share))
    analysis = detector.analyse(known)
    features = month_features(known, analysis, in_month)
    ranking = ranker.rank(features, budget_size(features["score"], budget_share))
    flags = np.zeros(len(known), dtype=bool)
    flags[positions[ranking["selected"].to_numpy()]] = True
    scores = detector.report(known, analysis.assign(flag=flags), None, rows=in_month)
    added = added_reasons(ranking).to_numpy()
    reasons = scores["reason"].to_numpy(dtype=object)
    extended = [r + REASON_SEPARATOR + a if r and a else r or a for r, a in zip(reasons[positions], added)]
    reasons[positions] = extended
    scores["reason"] = reasons
    carried = ranking.assign(selected_by=ranking["selected_by"].map(SELECTION_LABELS).fillna(""))
    scores = scores.join(carried[list(QUEUE_RANKER_COLUMNS)].set_axis(positions))  # NaN outside the month
    scores["selected_by"] = scores["selected_by"].fillna("")
    return scores, ranking


def verdict_ranked_queue(detector, panel: pd.DataFrame, month: pd.Timestamp, budget: float, files: list) -> tuple:
    """`monthly --verdicts`: the month's scores with the queue chosen by the ranker learned from the
    verdicts files (or the detector's queue, with a note, when they are too few), and the one-line
    summary to print."""
    from customs_anomaly.verdicts import read_verdict_files

    verdicts = read_verdict_files(files, panel)
    labels = labels_of(verdicts)
    ranker = HybridRanker()
    enough = not too_few_verdicts(labels[LABEL], ranker.min_verdicts, ranker.min_per_class)
    # the reviewed months are scored (the expensive part) only when there is enough to learn from
    ranker.fit(training_frame(detector, panel, labels) if enough else labels)
    scores, ranking = ranked_monthly_scores(detector, panel, month, budget, ranker)
    reviewed, confirmed, _ = verdict_tally(labels[LABEL])
    read = (
        f"read {len(verdicts):,} verdicts of {len(files)} month(s) ({reviewed:,} reviewed, "
        f"{confirmed:,} confirmed anomalies)"
    )
    if not ranker.learned:
        return scores, f"note: {read}; {ranker.note_}; the queue is the detector's ranking alone"
    picks = ranking["selected_by"].value_counts()
    explored = int(picks.drop([BY_DETECTOR, BY_LEARNED, ""], errors="ignore").sum())
    return scores, (
        f"{read}; the hybrid of the detector's score and the learned ranker chose the queue: "
        f"{int(picks.get(BY_LEARNED, 0)):,} row(s) raised by the ranker, {explored:,} exploration pick(s) "
        f"({ranker.exploration})"
    )
