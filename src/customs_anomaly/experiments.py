"""Evaluation runs that combine stages: score panels with anomalies injected by several seeds with
detectors fitted once, and summarise the metrics over seeds.

Training months are identical in the clean and the injected panels (injections are confined to
the test year), so one fit per detector serves every injection seed; and every metric is computed
on the test year, so only its rows are scored (the other months are read as context).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.anomaly_types import GROUP_OF_TYPE, PRICE_TYPES
from customs_anomaly.detectors import Detector
from customs_anomaly.evaluate import average_precision, evaluate_scores, summarise_over_seeds
from customs_anomaly.features import strip_labels
from customs_anomaly.inject import InjectionResult, InjectionSpec, inject_anomalies, inject_fixed
from customs_anomaly.storage import NUMERIC_PANEL_COLUMNS
from customs_anomaly.thresholds import budget_flags

KEY = list(config.PANEL_KEY)
# The improved detector's targets on the calibrated replica (default protocol, test year, mean
# over injection seeds): its AP at least ORACLE_SHARE_TARGET of the noise ceiling's on the same
# seeds, at least VALUE_CAPTURE_TARGET of the misdeclared value in the top 1% of the test rows,
# and ahead of every other detector on both metrics of LEAD_METRICS.
ORACLE_SHARE_TARGET = 0.90
VALUE_CAPTURE_TARGET = 0.90
LEAD_METRICS = ("ap", "value_capture_1pct")
HEADLINE_METRICS = ("ap", "p_at_100", "r_at_5pct", "value_capture_1pct")
REASON_AGREEMENT_TARGET = 0.90  # share of detected anomalies whose reason group matches their type
NARROW_LEAD = 0.05  # a lead under 5% of the best rival's AP is a tie in practice
# The same protocol measured on the book's earlier replicas (default full build of each, injection
# seeds 0-4, lstm-plus as it then was: z scoring; the oracle on the same seeds). The tidy replica
# had fewer, fuller series with more partners per code; the structure-calibrated one (commit
# 3e88180) matched the real releases in codes, partners, regional mix and 0-kg rows but its
# legitimate prices were about four times too calm beyond x2 (chapter 02, section 8).
EARLIER_REPLICAS = {
    "tidy": {
        "ap": 0.814,
        "p_at_100": 0.746,
        "r_at_5pct": 0.898,
        "value_capture_1pct": 0.962,
        "oracle_ap": 0.893,
        "plus_epochs": 30,
    },
    "structure": {
        "ap": 0.840,
        "p_at_100": 0.768,
        "r_at_5pct": 0.954,
        "value_capture_1pct": 0.998,
        "oracle_ap": 0.935,
        "plus_epochs": 10,
    },
}


def in_test_year(panel: pd.DataFrame, start: pd.Timestamp = config.TEST_START, end: pd.Timestamp = config.STUDY_END):
    """Boolean mask of the panel's test-year rows."""
    return panel["month"].between(start, end).to_numpy()


@dataclass
class DetectorRun:
    """One detector's metrics per injection seed, and its analysis of each seed's panel (scores,
    flags, reason groups and details of the test-year rows; no reason text)."""

    name: str
    fit_seconds: float
    score_seconds: float
    per_seed: list[dict]
    analyses: dict[int, pd.DataFrame]

    def summary(self) -> pd.DataFrame:
        return summarise_over_seeds(self.per_seed)

    def restricted(self, seeds) -> DetectorRun:
        """The same run on a subset of its seeds."""
        seeds = list(seeds)
        per_seed = [row for row in self.per_seed if row["seed"] in seeds]
        analyses = {seed: self.analyses[seed] for seed in seeds if seed in self.analyses}
        return DetectorRun(self.name, self.fit_seconds, self.score_seconds, per_seed, analyses)


def misdeclared_by_row(panel: pd.DataFrame, log: pd.DataFrame) -> pd.Series:
    """Misdeclared USD per panel row (0 where nothing was injected), aligned to the panel's index."""
    merged = panel[KEY].merge(log[[*KEY, "misdeclared_usd"]], on=KEY, how="left")
    return pd.Series(merged["misdeclared_usd"].fillna(0.0).to_numpy(), index=panel.index)


def injected_panels(panel: pd.DataFrame, seeds, spec: InjectionSpec = InjectionSpec()) -> dict:
    """Injection results by seed."""
    return {seed: inject_anomalies(panel, seed=seed, spec=spec) for seed in seeds}


def without_labels(result: InjectionResult) -> pd.DataFrame:
    return strip_labels(result.panel)


def evaluate_detector(detector: Detector, injections: dict) -> DetectorRun:
    """Score the test year of every injection seed and compute the metrics."""
    per_seed, analyses, seconds = [], {}, 0.0
    for seed, result in injections.items():
        started = time.perf_counter()
        analysis = detector.analyse(without_labels(result), rows=in_test_year(result.panel))
        seconds += time.perf_counter() - started
        metrics = evaluate_scores(analysis, result.panel, misdeclared_usd=misdeclared_by_row(result.panel, result.log))
        per_seed.append({"seed": seed, **metrics})
        analyses[seed] = analysis
    return DetectorRun(
        detector.name, detector.fit_seconds_ or 0.0, seconds / max(len(injections), 1), per_seed, analyses
    )


def summary_table(runs: dict[str, DetectorRun]) -> pd.DataFrame:
    """(detector, metric) x (mean, std)."""
    return pd.concat({name: run.summary() for name, run in runs.items()}, names=["detector", "metric"])


def targets_table(
    summary: pd.DataFrame, name: str, oracle: pd.Series | None = None, fresh: tuple | None = None
) -> pd.DataFrame:
    """The improved detector's targets: its AP against the oracle's mean AP on the same seeds
    (`oracle`: metric -> mean; None where no oracle exists, then the target is not computed), its
    value capture in the top 1%, and its lead over the best other detector on each LEAD_METRICS.
    `fresh` = (the detector's, the oracle's mean metrics on injection seeds never used while the
    detector was designed) adds the AP share on those seeds. Columns: target (key), metric, goal,
    measured, std (over seeds, NaN where it does not apply), rival (the best other detector, ''
    where none), met (bool, NaN when not computed)."""
    means = summary["mean"].unstack("metric")
    stds = summary["std"].unstack("metric")
    own, others = means.loc[name], means.drop(index=name)
    rows = []
    if oracle is not None and float(oracle["ap"]) > 0:
        share = float(own["ap"] / oracle["ap"])
        rows.append(("ap_share_of_oracle", "ap", ORACLE_SHARE_TARGET, share, np.nan, "", share >= ORACLE_SHARE_TARGET))
    else:
        rows.append(("ap_share_of_oracle", "ap", ORACLE_SHARE_TARGET, np.nan, np.nan, "", np.nan))
    if fresh is not None:
        share = float(fresh[0]["ap"] / fresh[1]["ap"])
        rows.append(
            ("ap_share_of_oracle_fresh", "ap", ORACLE_SHARE_TARGET, share, np.nan, "", share >= ORACLE_SHARE_TARGET)
        )
    capture = float(own["value_capture_1pct"])
    rows.append(
        (
            "value_capture_1pct",
            "value_capture_1pct",
            VALUE_CAPTURE_TARGET,
            capture,
            float(stds.loc[name, "value_capture_1pct"]),
            "",
            capture >= VALUE_CAPTURE_TARGET,
        )
    )
    for metric in LEAD_METRICS:
        rival = str(others[metric].idxmax())
        lead = float(own[metric] - others.loc[rival, metric])
        rows.append((f"lead_{metric}", metric, 0.0, lead, np.nan, rival, lead > 0))
    return pd.DataFrame(rows, columns=["target", "metric", "goal", "measured", "std", "rival", "met"])


MAGNITUDE_N = 100  # anomalies per fixed-magnitude injection


def magnitude_injections(panel: pd.DataFrame, seeds, value_factors, freight_factors, n: int = MAGNITUDE_N) -> dict:
    """Fixed-factor injections keyed by (group, factor, seed): value factors below 1 are
    under-declaration (type d), above 1 over-declaration (type e); freight factors below 1 are
    type b, above 1 type a."""
    from customs_anomaly.anomaly_types import FREIGHT_GROUP, PRICE_GROUP

    plan = [(PRICE_GROUP, f, "d" if f < 1 else "e") for f in value_factors]
    plan += [(FREIGHT_GROUP, f, "b" if f < 1 else "a") for f in freight_factors]
    return {
        (group, factor, seed): inject_fixed(panel, seed=seed, anomaly_type=kind, factor=factor, n=n)
        for group, factor, kind in plan
        for seed in seeds
    }


FREIGHT_COLUMNS = ("freight_krw_per_kg", "freight_krw_per_2teu", "total_freight_krw")


def changed_rows(clean: pd.DataFrame, other: pd.DataFrame, columns) -> np.ndarray:
    """Rows (aligned panels) where any of `columns` differs."""
    differs = np.zeros(len(clean), dtype=bool)
    for column in columns:
        a, b = clean[column].to_numpy(dtype=float), other[column].to_numpy(dtype=float)
        differs |= ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return differs


def affected_rows(clean: pd.DataFrame, injected: pd.DataFrame) -> np.ndarray:
    """Rows whose score can differ between a clean panel and an injected copy of it (same rows, same
    order). Every detector scores a row from its own row, its series, the other countries of its
    HSK code and the freight level of its region-month, so the affected rows are every row of a
    code with a changed row, and every row of a region-month whose freight changed."""
    if not clean[KEY].reset_index(drop=True).equals(injected[KEY].reset_index(drop=True)):
        raise ValueError("the injected panel must hold the clean panel's rows in the same order")
    changed = changed_rows(clean, injected, NUMERIC_PANEL_COLUMNS)
    codes = pd.unique(injected.loc[changed, "hsk_code"])
    freight = changed_rows(clean, injected, FREIGHT_COLUMNS)
    region_months = pd.MultiIndex.from_frame(injected.loc[freight, ["region", "month"]])
    in_region_month = pd.MultiIndex.from_frame(injected[["region", "month"]]).isin(region_months)
    return injected["hsk_code"].isin(codes).to_numpy() | in_region_month


def magnitude_curves(
    detectors: dict[str, Detector], clean_panel: pd.DataFrame, injections: dict, progress=lambda items, _: items
) -> pd.DataFrame:
    """AP of every detector on every fixed-factor injection: (detector, group, factor, seed, ap).
    An injection changes a hundred rows of a panel whose other rows were scored once: only the
    rows it can affect (`affected_rows`) are scored again."""
    in_test = in_test_year(clean_panel)
    clean_scores = {name: d.decision_function(clean_panel, rows=in_test) for name, d in detectors.items()}
    rows = []
    for (group, factor, seed), result in progress(injections.items(), "magnitude curves"):
        labels = result.panel["is_anomaly"].to_numpy(dtype=bool)[in_test]
        injected = without_labels(result)
        again = affected_rows(clean_panel, injected) & in_test
        for name, detector in detectors.items():
            score = clean_scores[name].copy()
            score[again] = detector.decision_function(injected, rows=again)[again]
            rows.append(
                {
                    "detector": name,
                    "group": group,
                    "factor": factor,
                    "seed": seed,
                    "ap": average_precision(score[in_test], labels),
                }
            )
    return pd.DataFrame(rows)


def wins_at_every_factor(curves: pd.DataFrame, name: str, rivals: list[str], group: str, factors) -> pd.DataFrame:
    """Mean AP per factor of `name` and each rival, the best rival, and whether `name` is ahead."""
    mean = curves[curves["group"] == group].groupby(["factor", "detector"])["ap"].mean().unstack()
    mean = mean.loc[[f for f in factors if f in mean.index], [name] + [r for r in rivals if r in mean.columns]]
    mean["best_rival"] = mean[rivals].max(axis=1)
    mean["wins"] = mean[name] > mean["best_rival"]
    return mean


def narrow_leads(wins: pd.DataFrame, name: str, relative: float = NARROW_LEAD) -> pd.DataFrame:
    """The factors of `wins_at_every_factor` where `name` is ahead of the best rival by less than
    `relative` of the rival's AP (a tie in practice), with the lead."""
    ahead = wins[wins["wins"]]
    lead = ahead[name] - ahead["best_rival"]
    frame = pd.DataFrame({"lead": lead, name: ahead[name], "best_rival": ahead["best_rival"]})
    return frame[lead < relative * ahead["best_rival"]]


def alert_volume(analysis: pd.DataFrame, months: pd.Series) -> pd.DataFrame:
    """Flagged rows per month (count and share of the month's scored rows)."""
    scored = analysis["score"].notna().to_numpy()
    grouped = pd.Series(analysis["flag"].to_numpy()[scored]).groupby(months.to_numpy()[scored])
    return pd.DataFrame({"rows": grouped.size(), "flagged": grouped.sum().astype(int), "share": grouped.mean()})


def budget_queue(run: DetectorRun, injections: dict, share: float) -> pd.DataFrame:
    """Per seed, the test year's review queue under a monthly budget (the top `share` of each
    month's rows, as `score --budget`): rows reviewed, anomalies in it, precision and recall."""
    rows = []
    for seed, result in injections.items():
        in_test = in_test_year(result.panel)
        flags = budget_flags(run.analyses[seed]["score"], result.panel["month"], share).to_numpy() & in_test
        labels = result.panel["is_anomaly"].to_numpy(dtype=bool) & in_test
        queued, found = int(flags.sum()), int((flags & labels).sum())
        rows.append(
            {
                "seed": seed,
                "reviewed": queued,
                "found": found,
                "precision": found / queued if queued else float("nan"),
                "recall": found / int(labels.sum()) if labels.any() else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def reason_agreement(analysis: pd.DataFrame, injected_panel: pd.DataFrame) -> dict:
    """Among flagged injected anomalies, the share whose reason group (운임/단가) matches the
    injected type's group."""
    detected = analysis["flag"].to_numpy(dtype=bool) & injected_panel["is_anomaly"].to_numpy(dtype=bool)
    expected = injected_panel["anomaly_type"].map(GROUP_OF_TYPE).to_numpy()[detected]
    given = analysis["reason_group"].astype(str).to_numpy()[detected]
    return {
        "detected": int(detected.sum()),
        "matching": int((given == expected).sum()),
        "share": float((given == expected).mean()) if detected.any() else float("nan"),
    }


# Ablations of the improved detector: each changes one switch of the default.
SHORT_WINDOW_MONTHS = 6
SHORT_WINDOW_VARIANT = f"{SHORT_WINDOW_MONTHS}개월 창"
Z_SCORING_VARIANT = "예상 변동폭 단위 점수(이전 방식)"
ONE_NOISE_VARIANT = "규모 구분 없는 잡음 모형"
NO_MEMORY_VARIANT = "기억·동료 부분 없음"
ABLATIONS = {
    "기본값": {},
    "거시 변수 추가": {"macro": True},
    SHORT_WINDOW_VARIANT: {"window": SHORT_WINDOW_MONTHS},
    Z_SCORING_VARIANT: {"scoring": "z"},
    ONE_NOISE_VARIANT: {"noise_bins": (1, 1)},
    NO_MEMORY_VARIANT: {"memory": False},
}
COMPONENT_PARTS = {
    "LSTM 예측만": "lstm_price_score",
    "이웃 달 중앙값만": "statistical_price_score",
    "둘의 평균(기본값)": "price_score",
}


def component_metrics(run: DetectorRun, injections: dict, combine) -> pd.DataFrame:
    """What each part of the improved detector contributes: the metrics of its LSTM part alone,
    its statistical part alone and their combination (each with the same freight score, joined
    by `combine(price_score, freight_score)`, the detector's own rule), mean over seeds."""
    rows = []
    for seed, result in injections.items():
        analysis = run.analyses[seed]
        misdeclared = misdeclared_by_row(result.panel, result.log)
        for label, column in COMPONENT_PARTS.items():
            score = combine(analysis[column].to_numpy(float), analysis["freight_score"].to_numpy(float))
            metrics = evaluate_scores(analysis.assign(score=score), result.panel, misdeclared_usd=misdeclared)
            rows.append({"part": label, "seed": seed, **metrics})
    frame = pd.DataFrame(rows)
    return frame.drop(columns="seed").groupby("part", sort=False).mean(numeric_only=True)


def recall_by_flow_size(run: DetectorRun, injections: dict, share: float = 0.05, groups: int = 4) -> pd.DataFrame:
    """Recall of unit-price anomalies within the top `share` of test rows, by the size of the
    injected row's series (quartiles of the series' median monthly weight over the clean test
    rows; 1 = smallest flows), mean over seeds; also the count per group."""
    rows = []
    for seed, result in injections.items():
        panel = result.panel
        in_test = in_test_year(panel)
        size = panel[in_test & (panel["weight_kg"] > 0).to_numpy()].groupby(KEY[1:])["weight_kg"].median()
        quartile = pd.qcut(size, groups, labels=False) + 1
        score = run.analyses[seed]["score"].to_numpy(dtype=float)
        ranked = np.zeros(len(panel), dtype=bool)
        test_positions = np.flatnonzero(in_test)
        order = test_positions[np.argsort(-np.nan_to_num(score[in_test], nan=-np.inf), kind="stable")]
        ranked[order[: int(np.floor(share * in_test.sum()))]] = True
        price = panel["anomaly_type"].isin(PRICE_TYPES).to_numpy()
        keys = pd.MultiIndex.from_frame(panel.loc[price, KEY[1:]])
        rows.append(pd.DataFrame({"group": quartile.reindex(keys).to_numpy(), "found": ranked[price], "seed": seed}))
    frame = pd.concat(rows)
    per_seed = frame.groupby(["group", "seed"])["found"].agg(["mean", "size"])
    return per_seed.groupby(level="group").agg(recall=("mean", "mean"), anomalies=("size", "mean"))
