"""A simulated period of operation in which the reviewers' verdicts teach a ranker (issue 25, parts
2 and 3; chapter 06-3). Pure functions: a panel and a fitted detector in, tables out.

The protocol (`SimulationSpec`):

- **Planting.** In each of the panel's last `months` months, a share `rate` of the month's rows with
  imports become anomalies (`plant`): the one-month types of the default protocol (`inject.py`),
  planted month by month with `inject_anomalies` (``InjectionSpec.monthly_counts``), so that every
  derived and year-to-date column stays consistent. One type, `new_type`, is held back: it appears
  only from `arrival` on (a new scheme), as `new_share` of each month's planted rows; the other rows
  take the other types in the default protocol's proportions.
- **Scoring.** Every simulated month is scored by the detector knowing only the months up to it
  (`month_rows`: `ranker.prospective_features`, one analysis per month; a causal detector's
  analysis of the whole period gives the same scores, so it is analysed once).
- **Reviewing.** Each month every policy (`POLICIES`) fills a queue of the same size (the month's
  review budget, `ranker.budget_size`); the simulated reviewers confirm the planted rows in it and
  clear the others. The verdicts of month m return at month m + `lag`; the ranker trains afresh every
  month on the verdicts of the latest `window` months returned (`verdict_positions`).
- **Measuring.** Per policy, seed and month: rows reviewed, anomalies found, the misdeclared value
  found (`experiments.misdeclared_by_row`), and the rows of the new type found (`simulate`); the
  summaries (`totals`, `cumulative`, `quarterly`, `new_type_delays`) are computed from them.

The policies: the detector's ranking alone ("unsupervised"); the hybrid of the detector's score and
the learned probability (`ranker.HybridRanker`) without exploration and with exploration shares;
a ranker that learns from verdicts alone, without the detector, from a cold start (random queues
until its verdicts are enough to learn from, `ranker.MIN_VERDICTS`, then the learned probability
alone, with the detector's score removed from its features: `blind`); random queues. Reviewers'
verdicts are the planted labels: nobody reads a label column before the queue is chosen, and a
policy's training rows are only the rows it put in its own queues.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from customs_anomaly import config, ranker
from customs_anomaly.anomaly_types import ALL_TYPES
from customs_anomaly.experiments import misdeclared_by_row
from customs_anomaly.features import strip_labels
from customs_anomaly.inject import InjectionResult, InjectionSpec, candidate_rows, inject_anomalies

if TYPE_CHECKING:
    from customs_anomaly.detectors import Detector

KEY = list(config.PANEL_KEY)
SIMULATED_MONTHS = 24  # the panel's last months, each planted and reviewed
PLANT_RATE = 0.01  # share of a month's rows with imports planted (the default protocol: 100 of about 9,000 a year)
NEW_TYPE = "f"  # the new scheme: 품목 위장, a type no detector was built around
NEW_TYPE_AFTER = 12  # months after the first simulated month: the new scheme arrives with the second year
NEW_TYPE_SHARE = 0.2  # of each month's planted rows from its arrival on (at least one row)
VERDICT_LAG = 1  # months after its queue a month's verdicts return
VERDICT_WINDOW = 12  # months of returned verdicts the ranker trains on
# A ranker learns only from rows that were in a queue, the rows the detector ranks high; the planted
# rows among the detector's top k x budget rows of a month (``reach_{k}x``, for each k here) say how
# many a ranking that reorders those rows could find at most.
REACH_MULTIPLES = (1, 3, 5)
# The default protocol's proportions of the other types (`InjectionSpec().counts`).
TYPE_WEIGHTS = dict(InjectionSpec().counts)
# The planting draws its counts from a stream of its own, apart from `inject_anomalies`'s.
PLANTING_STREAM = 25
# Columns the simulated reviewers and the evaluation read (never a ranker).
TRUTH = ("is_anomaly", "anomaly_type", "misdeclared_usd")
DETECTOR, HYBRID, SUPERVISED, RANDOM = "detector", "hybrid", "supervised", "random"


@dataclass(frozen=True)
class SimulationSpec:
    """The simulation's protocol (module docstring): the months, the planting and the reviewing."""

    months: int = SIMULATED_MONTHS
    rate: float = PLANT_RATE
    new_type: str = NEW_TYPE
    new_after: int = NEW_TYPE_AFTER
    new_share: float = NEW_TYPE_SHARE
    lag: int = VERDICT_LAG
    window: int = VERDICT_WINDOW
    end: pd.Timestamp = config.STUDY_END
    weights: dict = field(default_factory=lambda: dict(TYPE_WEIGHTS))

    @property
    def period(self) -> pd.DatetimeIndex:
        """The simulated months, the last `months` months up to `end`."""
        return pd.date_range(end=pd.Timestamp(self.end), periods=self.months, freq="MS")

    @property
    def arrival(self) -> pd.Timestamp:
        """The first month of the new scheme."""
        return self.period[self.new_after]

    @property
    def fit_until(self) -> pd.Timestamp:
        """The last month a detector may train on: the month before the simulated period."""
        return self.period[0] - pd.DateOffset(months=1)


FIT_UNTIL = SimulationSpec().fit_until  # the book's fit for chapter 06-3 (`studies.fits.LEARNING_FORM`)


@dataclass(frozen=True)
class Policy:
    """How a month's queue is chosen: `kind` one of DETECTOR, HYBRID, SUPERVISED, RANDOM; a hybrid's
    exploration share (`ranker.HybridRanker`); a Korean `label` for tables and figures."""

    name: str
    kind: str
    label: str
    exploration_share: float = 0.0


# The hybrid explores the ranker's default share (`ranker.EXPLORATION_SHARE`, what `monthly
# --verdicts` does) and a larger one.
EXPLORATION_SHARES = (ranker.EXPLORATION_SHARE, 0.3)


def exploring(share: float) -> Policy:
    """The hybrid that spends `share` of its queue on exploration."""
    return Policy(f"hybrid+explore {share:.0%}", HYBRID, f"혼합+탐색 {share:.0%}", share)


POLICIES = (
    Policy("unsupervised", DETECTOR, "비지도 탐지기만"),
    Policy("hybrid", HYBRID, "혼합(탐색 없음)"),
    *(exploring(share) for share in EXPLORATION_SHARES),
    Policy("supervised", SUPERVISED, "지도 학습만(냉시작)"),
    Policy("random", RANDOM, "무작위"),
)


# planting -------------------------------------------------------------------------------------------
def planting_counts(panel: pd.DataFrame, seed: int, spec: SimulationSpec = SimulationSpec()) -> dict:
    """How many rows of each type to plant in each simulated month: round(`rate` x the month's rows
    with imports); from `arrival` on round(`new_share` x that) of them (at least one) of the new
    type; the rest drawn (seeded) among the other types in `weights`' proportions. A type with
    fewer candidates in a month than drawn (c: calm region-months; f: rows dear enough to disguise)
    gives the rest to d.

    Returns
    -------
    dict
        {month: {type: count}}, the form `InjectionSpec.monthly_counts` takes.
    """
    rng = np.random.default_rng([PLANTING_STREAM, seed])
    window = InjectionSpec(test_start=spec.period[0], test_end=spec.period[-1])
    clean = strip_labels(panel)
    candidates, _ = candidate_rows(clean, window)
    months = clean["month"]
    available = {kind: months.loc[candidates[kind]].value_counts() for kind in ("f", "c")}
    others = [kind for kind in ALL_TYPES if kind != spec.new_type and spec.weights.get(kind, 0) > 0]
    weights = np.array([spec.weights[kind] for kind in others], dtype=float)
    plan = {}
    for month in spec.period:
        n = round(spec.rate * int(((months == month) & (clean["weight_kg"] > 0)).sum()))
        new = max(1, round(spec.new_share * n)) if month >= spec.arrival and n else 0
        drawn = rng.choice(others, size=n - new, p=weights / weights.sum())
        counts = {kind: int((drawn == kind).sum()) for kind in others}
        counts[spec.new_type] = new
        for kind in ("f", "c"):  # the constrained types, picked first (`inject_anomalies`)
            room = int(available[kind].get(month, 0)) - (counts.get("f", 0) if kind == "c" else 0)
            extra = max(counts.get(kind, 0) - max(room, 0), 0)
            counts[kind] = counts.get(kind, 0) - extra
            counts["d"] = counts.get("d", 0) + extra
        plan[month] = {kind: count for kind, count in counts.items() if count}
    return plan


def plant(panel: pd.DataFrame, seed: int, spec: SimulationSpec = SimulationSpec()) -> InjectionResult:
    """The panel with anomalies planted in every simulated month (`planting_counts`), by
    `inject_anomalies` with per-month counts: labels in ``is_anomaly`` and ``anomaly_type``, the log
    of what was changed beside it."""
    counts = planting_counts(panel, seed, spec)
    injection = InjectionSpec(test_start=spec.period[0], test_end=spec.period[-1], monthly_counts=counts)
    return inject_anomalies(panel, seed, injection)


# scoring ----------------------------------------------------------------------------------------------
def month_rows(detector: Detector, panel: pd.DataFrame, months) -> pd.DataFrame:
    """Every row of the months with the detector's score and the ranker's features, each month
    scored knowing only the months up to it (`ranker.prospective_features`). A causal detector
    (``detector.causal``: its scores never read a later month) is analysed once on the panel cut
    after the last month, which gives the same scores. Label columns are never read.

    Returns
    -------
    pandas.DataFrame
        ``position`` (the month's place among `months`), the panel key, ``score`` and
        `ranker.FEATURES`, the months in order and each month's rows in the panel's order.
    """
    from customs_anomaly.operations import known_at  # imports the detectors

    months = pd.DatetimeIndex(months)
    if detector.causal:
        _, known, _ = known_at(strip_labels(panel), months[-1])
        wanted = known["month"].isin(months).to_numpy()
        analysis = detector.analyse(known, rows=wanted)
        frames = [ranker.month_features(known, analysis, (known["month"] == m).to_numpy()) for m in months]
    else:
        frames = [ranker.prospective_features(detector, panel, month) for month in months]
    return pd.concat([f.assign(position=i) for i, f in enumerate(frames)], ignore_index=True)[
        ["position", *KEY, "score", *ranker.FEATURES]
    ]


def with_truth(rows: pd.DataFrame, result: InjectionResult) -> pd.DataFrame:
    """`month_rows` with what the simulated reviewers know of each row (`TRUTH`): planted or not,
    its type, its misdeclared value (USD, 0 for a normal row)."""
    truth = result.panel[KEY].assign(
        is_anomaly=result.panel["is_anomaly"].to_numpy(dtype=bool),
        anomaly_type=result.panel["anomaly_type"].to_numpy(),
        misdeclared_usd=misdeclared_by_row(result.panel, result.log).to_numpy(),
    )
    return rows.merge(truth, on=KEY, how="left", validate="one_to_one")


# reviewing ----------------------------------------------------------------------------------------------
def verdict_positions(position: int, lag: int = VERDICT_LAG, window: int = VERDICT_WINDOW) -> range:
    """The months (positions in the simulated period) whose verdicts the ranker trains on when it
    ranks month `position`: a month's verdicts return `lag` months after it, and only the latest
    `window` months of returned verdicts are used."""
    last = position - lag
    return range(max(0, last - window + 1), last + 1)


def blind(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows as a ranker without the detector sees them: the detector's score set to 0 and its
    percentile rank to 0.5 for every scored row (NaN kept: a row without a score is never queued)."""
    unscored = np.isnan(rows["score"].to_numpy(dtype=float))
    return rows.assign(score=np.where(unscored, np.nan, 0.0), score_rank=np.where(unscored, np.nan, 0.5))


def random_queue(scored: np.ndarray, budget: int, seed: int, position: int) -> np.ndarray:
    """`budget` positions drawn at random among the `scored` mask's rows (seeded by seed and month)."""
    candidates = np.flatnonzero(scored)
    rng = np.random.default_rng([seed, position])
    return np.sort(rng.choice(candidates, size=min(budget, len(candidates)), replace=False))


def fitted_ranker(training: pd.DataFrame, cache: dict | None = None, **params) -> ranker.HybridRanker:
    """`ranker.HybridRanker(**params)` fitted on `training`. With a `cache` (a dict), a fit on the same
    verdicts with the same learned weight is reused: the classifier is deterministic and the
    exploration parameters are read when ranking, not when fitting."""
    if cache is None:
        return ranker.HybridRanker(**params).fit(training)
    columns = [*ranker.FEATURES, ranker.LABEL]
    digest = hashlib.sha1(pd.util.hash_pandas_object(training[columns], index=False).to_numpy().tobytes())
    key = (params.get("learned_weight", ranker.LEARNED_WEIGHT), digest.hexdigest())
    if key not in cache:
        cache[key] = ranker.HybridRanker(**params).fit(training)
    learner = copy.copy(cache[key])
    for name, value in params.items():
        setattr(learner, name, value)
    return learner


def choose(
    policy: Policy,
    rows: pd.DataFrame,
    training: pd.DataFrame,
    budget: int,
    seed: int,
    position: int,
    cache: dict | None = None,
):
    """One month's queue under a policy.

    Parameters
    ----------
    policy : Policy
    rows : pandas.DataFrame
        The month's rows: ``score`` and `ranker.FEATURES` (no truth column is read).
    training : pandas.DataFrame
        The policy's reviewed rows of the months `verdict_positions` gives: features,
        ``position`` (the month reviewed) and `ranker.LABEL`.
    budget, seed, position : int
        The queue's size; the simulation's seed and the month's position (random draws).
    cache : dict, optional
        Fits to reuse (`fitted_ranker`).

    Returns
    -------
    selected : numpy.ndarray
        Boolean mask of the month's rows in the queue.
    learned : bool
        Whether a trained ranker chose it (False: the detector's ranking or random draws).
    """
    score = rows["score"].to_numpy(dtype=float)
    scored = ~np.isnan(score)
    selected = np.zeros(len(rows), dtype=bool)
    if policy.kind == RANDOM:
        selected[random_queue(scored, budget, seed, position)] = True
        return selected, False
    if policy.kind == DETECTOR:
        selected[ranker.top_positions(score, np.zeros(len(rows)), scored, budget)] = True
        return selected, False
    if policy.kind == SUPERVISED:
        learner = fitted_ranker(blind(training), cache, learned_weight=1.0, exploration_share=0.0, seed=seed)
        if not learner.learned:  # a cold start: nothing to learn from yet
            selected[random_queue(scored, budget, seed, position)] = True
            return selected, False
        return learner.rank(blind(rows), budget)["selected"].to_numpy(), True
    learner = fitted_ranker(training, cache, exploration_share=policy.exploration_share, seed=seed)
    return learner.rank(rows, budget)["selected"].to_numpy(), learner.learned


def simulate(
    rows: pd.DataFrame,
    budget_share: float = config.REVIEW_BUDGET_SHARE,
    policies=POLICIES,
    spec: SimulationSpec = SimulationSpec(),
    seed: int = config.DEFAULT_SEED,
) -> pd.DataFrame:
    """Run every policy over the simulated months on rows scored once (`with_truth(month_rows(...))`).

    Returns
    -------
    pandas.DataFrame
        One row per policy and month: ``policy``, ``position``, ``month``, ``seed``, ``budget`` (the queue's
        size), ``found`` (planted rows in it), ``anomalies`` (planted rows that month),
        ``found_value`` and ``value`` (their misdeclared USD), ``found_new`` and ``new`` (the same
        for the new type), ``verdicts`` (reviewed rows the ranker was given), ``learned``, and
        ``reach_{k}x`` for each k of `REACH_MULTIPLES` (`pool_reach`: the same for every policy).
    """
    months = spec.period
    by_month = [part.reset_index(drop=True) for _, part in rows.groupby("position", sort=True)]
    if len(by_month) != len(months):
        raise ValueError(f"rows of {len(by_month)} months for a simulation of {len(months)}")
    columns = ["score", *ranker.FEATURES]
    features = [part[columns] for part in by_month]  # what a policy reads of a month: no truth column
    budgets = [ranker.budget_size(part["score"], budget_share) for part in by_month]
    verdicts = [part["is_anomaly"].astype(int).to_numpy() for part in by_month]  # the simulated reviewers'
    reach = [pool_reach(part, budget) for part, budget in zip(by_month, budgets)]
    records, cache = [], {}
    for policy in policies:
        reviewed: list[pd.DataFrame] = []  # each month's queue with its verdicts
        for position, month_part in enumerate(by_month):
            visible = [reviewed[m] for m in verdict_positions(position, spec.lag, spec.window)]
            training = pd.concat(visible, ignore_index=True) if visible else _no_verdicts()
            budget = budgets[position]
            selected, learned = choose(policy, features[position], training, budget, seed, position, cache)
            queue = features[position][selected]
            reviewed.append(queue.assign(position=position, **{ranker.LABEL: verdicts[position][selected]}))
            records.append(_month_record(policy, position, months[position], month_part, selected, spec))
            records[-1].update(seed=seed, budget=budget, verdicts=len(training), learned=learned, **reach[position])
    return pd.DataFrame(records)


def pool_reach(rows: pd.DataFrame, budget: int, multiples=REACH_MULTIPLES) -> dict[str, int]:
    """Planted rows among the month's top k x `budget` rows by the detector's score, for each k of
    `multiples` (ties in row order, as the detector's own queue breaks them): ``{"reach_3x": n, ...}``."""
    score = rows["score"].to_numpy(dtype=float)
    planted = rows["is_anomaly"].to_numpy(dtype=bool)
    no_tiebreak = np.zeros(len(rows))
    return {
        f"reach_{k}x": int(planted[ranker.top_positions(score, no_tiebreak, ~np.isnan(score), k * budget)].sum())
        for k in multiples
    }


def _no_verdicts() -> pd.DataFrame:
    return pd.DataFrame(columns=["score", *ranker.FEATURES, "position", ranker.LABEL], dtype=float)


def _month_record(policy: Policy, position: int, month, rows: pd.DataFrame, selected, spec) -> dict:
    planted = rows["is_anomaly"].to_numpy(dtype=bool)
    new = planted & (rows["anomaly_type"].to_numpy() == spec.new_type)
    value = rows["misdeclared_usd"].to_numpy(dtype=float)
    return {
        "policy": policy.name,
        "position": position,
        "month": month,
        "found": int((selected & planted).sum()),
        "anomalies": int(planted.sum()),
        "found_value": float(value[selected & planted].sum()),
        "value": float(value[planted].sum()),
        "found_new": int((selected & new).sum()),
        "new": int(new.sum()),
    }


def run(
    detector: Detector,
    panel: pd.DataFrame,
    seeds,
    budget_share: float = config.REVIEW_BUDGET_SHARE,
    policies=POLICIES,
    spec: SimulationSpec = SimulationSpec(),
) -> pd.DataFrame:
    """`simulate` for every seed: planted (`plant`), scored once (`month_rows`), every policy run.
    The detector must not have trained on a simulated month. One frame, with a ``seed`` column."""
    if detector.train_until_ >= spec.period[0]:
        raise ValueError(
            f"the detector trained up to {detector.train_until_:%Y-%m}: a simulated month "
            f"({spec.period[0]:%Y-%m} on) would be in its training"
        )
    frames = []
    for seed in seeds:
        planted = plant(panel, seed, spec)
        rows = with_truth(month_rows(detector, planted.panel, spec.period), planted)
        frames.append(simulate(rows, budget_share, policies, spec, seed))
    return pd.concat(frames, ignore_index=True)


# measuring --------------------------------------------------------------------------------------------
REACH_COUNTS = tuple(f"reach_{k}x" for k in REACH_MULTIPLES)
COUNTS = ("budget", "found", "anomalies", "found_value", "value", "found_new", "new", *REACH_COUNTS)


def rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Precision (found / reviewed), recall (found / planted) and value capture (misdeclared value
    found / planted) of summed counts (NaN where nothing was reviewed or planted)."""
    return frame.assign(
        precision=frame["found"] / frame["budget"].where(frame["budget"] > 0),
        recall=frame["found"] / frame["anomalies"].where(frame["anomalies"] > 0),
        value_capture=frame["found_value"] / frame["value"].where(frame["value"] > 0),
    )


def totals(per_month: pd.DataFrame, positions=None) -> pd.DataFrame:
    """Per policy and seed: the counts summed over the months (all, or those at `positions`) and
    their `rates`."""
    frame = per_month if positions is None else per_month[per_month["position"].isin(list(positions))]
    return rates(frame.groupby(["policy", "seed"], sort=False)[list(COUNTS)].sum().reset_index())


def cumulative(per_month: pd.DataFrame) -> pd.DataFrame:
    """Per policy, seed and month: the counts summed from the first simulated month, with their
    `rates` (anomalies found against reviews spent: the active-learning curve)."""
    ordered = per_month.sort_values(["policy", "seed", "position"], kind="stable")
    sums = ordered.groupby(["policy", "seed"], sort=False)[list(COUNTS)].cumsum()
    return rates(ordered[["policy", "seed", "position", "month"]].join(sums))


def quarter_labels(months: pd.DatetimeIndex) -> list[str]:
    """'2023-05~2023-07' for each month: quarters of three months from the first simulated month."""
    first, last = months[::3], [months[min(start + 2, len(months) - 1)] for start in range(0, len(months), 3)]
    return [f"{first[i // 3]:%Y-%m}~{last[i // 3]:%Y-%m}" for i in range(len(months))]


def quarterly(per_month: pd.DataFrame, spec: SimulationSpec = SimulationSpec()) -> pd.DataFrame:
    """Anomalies found per policy, seed and quarter of the simulated period (`quarter_labels`)."""
    labels = np.asarray(quarter_labels(spec.period))
    frame = per_month.assign(quarter=labels[per_month["position"].to_numpy()])
    return frame.groupby(["policy", "seed", "quarter"], sort=False)["found"].sum().reset_index()


def new_type_delays(per_month: pd.DataFrame, spec: SimulationSpec = SimulationSpec()) -> pd.DataFrame:
    """Per policy and seed: months from the new scheme's arrival to the first month whose queue held
    a row of it (0: the month it arrived; NaN: never within the simulated period), and the share of
    its planted rows the policy's queues held."""
    after = per_month[per_month["position"] >= spec.new_after]
    rows = []
    for (policy, seed), part in after.groupby(["policy", "seed"], sort=False):
        hits = part.loc[part["found_new"] > 0, "position"]
        rows.append(
            {
                "policy": policy,
                "seed": seed,
                "delay": float(hits.min() - spec.new_after) if len(hits) else np.nan,
                "found_new": int(part["found_new"].sum()),
                "new": int(part["new"].sum()),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.assign(new_recall=frame["found_new"] / frame["new"].where(frame["new"] > 0))
