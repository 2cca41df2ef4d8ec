"""Chapter 06-3: learning from the reviewers' verdicts. Anomalies are planted in every month of the
last 24 months, every month each policy fills a queue of the monthly budget, simulated reviewers
return the planted labels of the queued rows after a lag, and the ranker retrains
(`customs_anomaly.learning`). One function per section; `benchmarks/bench_learning.py` runs the
same study with more seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import learning, plots_learning, ranker
from customs_anomaly.inject import ANOMALY_TYPES
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult, merged, progress
from customs_anomaly.studies.fits import IMPROVED, LEARNING_FORM, build_detector

# The targets of issue 25 (stated whatever the result): over the simulated months, at the same
# budget, the hybrid with the default exploration share finds at least FOUND_RATIO_TARGET times the
# anomalies the detector's ranking alone finds and is never behind it in a quarter; it puts the new
# scheme in the queue within NEW_TYPE_DELAY_TARGET months of its arrival in every seed.
TARGET_POLICY = learning.exploring(ranker.EXPLORATION_SHARE).name
BASELINE_POLICY = "unsupervised"
FOUND_RATIO_TARGET = 1.3
NEW_TYPE_DELAY_TARGET = 2
POLICY_LABELS = {policy.name: policy.label for policy in learning.POLICIES}
POLICY_RULES = {
    learning.DETECTOR: "탐지기 점수 순(판정을 쓰지 않음)",
    learning.HYBRID: "혼합 점수 순",
    learning.SUPERVISED: "판정이 모일 때까지 무작위, 그 뒤 학습 확률 순(탐지기 점수 없이)",
    learning.RANDOM: "무작위",
}


def policy_rule(policy: learning.Policy) -> str:
    """How a policy fills its queue (Korean, for the policies table)."""
    rule = POLICY_RULES[policy.kind]
    return f"{rule}, 목록의 {policy.exploration_share:.0%}는 탐색" if policy.exploration_share else rule


PER_MONTH_FILE, NEW_SCHEME_FILE = "learning_per_month.csv", "learning_new_scheme.csv"


def simulation(context: Context, panel: pd.DataFrame, seeds, spec: learning.SimulationSpec) -> pd.DataFrame:
    """Every seed's simulation (`learning.run`) with the improved detector's prospective form
    trained on the months before the simulated period (`studies.fits.LEARNING_FORM`)."""
    detector = build_detector(context, panel, IMPROVED, **LEARNING_FORM)
    share = context.profile.budget_share
    frames = [learning.run(detector, panel, [seed], share, spec=spec) for seed in progress(seeds, "learning")]
    return pd.concat(frames, ignore_index=True)


def learning_study(context: Context) -> StudyResult:
    """Chapter 06-3, section by section. The simulation runs once here (every seed of the profile's
    `learning_seeds`) and is written to learning_per_month.csv; its new-scheme delays to
    learning_new_scheme.csv (chapter 08 judges the flexibility claim from them)."""
    panel = read_panel(context.paths.panel)
    spec = learning.SimulationSpec()
    seeds = list(range(context.seed, context.seed + context.profile.learning_seeds))
    per_month = simulation(context, panel, seeds, spec)
    delays = learning.new_type_delays(per_month, spec)
    write_table(per_month, context.paths.processed / PER_MONTH_FILE)
    write_table(delays, context.paths.processed / NEW_SCHEME_FILE)
    return merged(
        protocol_section(context, spec, per_month, seeds),
        results_section(per_month, spec),
        new_scheme_section(per_month, delays, spec),
        targets_section(per_month, delays, spec),
    )


def protocol_section(context: Context, spec: learning.SimulationSpec, per_month: pd.DataFrame, seeds) -> StudyResult:
    """Section 1 (the simulated operation) and the chapter's opening: the months, the planting, the
    verdicts' lag and window, the budget, the seeds, and the policies compared."""
    names = dict(zip(ANOMALY_TYPES["type"], ANOMALY_TYPES["name"]))
    first = per_month[per_month["policy"] == BASELINE_POLICY]
    policies = pd.DataFrame(
        {
            "정책": [policy.label for policy in learning.POLICIES],
            "심사 목록을 고르는 방법": [policy_rule(policy) for policy in learning.POLICIES],
        }
    )
    numbers = {
        "sim_start": f"{spec.period[0]:%Y-%m}",
        "sim_end": f"{spec.period[-1]:%Y-%m}",
        "sim_months": spec.months,
        "fit_until": f"{spec.fit_until:%Y-%m}",
        "plant_rate": spec.rate,
        "new_type": spec.new_type,
        "new_type_name": names[spec.new_type],
        "new_arrival": f"{spec.arrival:%Y-%m}",
        "new_share": spec.new_share,
        "verdict_lag": spec.lag,
        "verdict_window": spec.window,
        "budget_share": context.profile.budget_share,
        "n_seeds": len(seeds),
        "planted_per_month": float(first["anomalies"].mean()),
        "reviews_per_month": float(first["budget"].mean()),
        "n_policies": len(learning.POLICIES),
        "n_features": len(ranker.FEATURES),
        "min_verdicts": ranker.MIN_VERDICTS,
        "min_per_class": ranker.MIN_PER_CLASS,
        "learned_weight": ranker.LEARNED_WEIGHT,
    }
    return StudyResult(numbers, {"table_learning_policies": policies})


TOTAL_COLUMNS = {
    "found": "찾은 이상치(건)",
    "spread": "시드 범위",
    "ratio": "비지도 대비(배)",
    "precision": "정밀도",
    "recall": "재현율",
    "value_capture": "금액 포착률",
}


def policy_totals(per_month: pd.DataFrame, positions=None) -> pd.DataFrame:
    """Per policy (in `learning.POLICIES` order): anomalies found (seed mean and range), the ratio to
    the detector's ranking alone (of the seed means), precision, recall and value capture (seed
    means)."""
    totals = learning.totals(per_month, positions)
    grouped = totals.groupby("policy", sort=False)
    table = grouped[["found", "precision", "recall", "value_capture"]].mean()
    table["spread"] = grouped["found"].agg(lambda found: f"{found.min():,.0f}~{found.max():,.0f}")
    table["ratio"] = table["found"] / table.loc[BASELINE_POLICY, "found"]
    return table.reindex([policy.name for policy in learning.POLICIES])


def results_section(per_month: pd.DataFrame, spec: learning.SimulationSpec) -> StudyResult:
    """Section 2 (what each policy found at the same budget): totals over the simulated months and
    over its second year, the active-learning curve (anomalies found against reviews spent) and the
    monthly precision, recall and cumulative value capture."""
    table = policy_totals(per_month)
    second = policy_totals(per_month, range(spec.new_after, spec.months))
    shown = table[list(TOTAL_COLUMNS)].rename(columns=TOTAL_COLUMNS, index=POLICY_LABELS)
    shown.index.name = "정책"
    cumulative = learning.cumulative(per_month)
    supervised = per_month[(per_month["policy"] == "supervised") & per_month["learned"]]
    learned = supervised.groupby("seed")["month"].min()
    numbers = {
        "unsup_found": table.loc[BASELINE_POLICY, "found"],
        "target_found": table.loc[TARGET_POLICY, "found"],
        "hybrid_found": table.loc["hybrid", "found"],
        "random_found": table.loc["random", "found"],
        "supervised_found": table.loc["supervised", "found"],
        "planted_total": float(learning.totals(per_month).groupby("policy")["anomalies"].mean().iloc[0]),
        "best_policy": ", ".join(POLICY_LABELS[name] for name in table.index[table["found"] == table["found"].max()]),
        "best_ratio": table["found"].max() / table.loc[BASELINE_POLICY, "found"],
        "unsup_value_capture": table.loc[BASELINE_POLICY, "value_capture"],
        "target_value_capture": table.loc[TARGET_POLICY, "value_capture"],
        "second_ratio": second.loc[TARGET_POLICY, "ratio"],
        "supervised_learned": (
            f"시드 {len(learned)}개에서 {learned.min():%Y-%m}부터" if len(learned) else "어느 시드에서도 없음"
        ),
    }
    figures = {
        "fig_learning_curve": plots_learning.learning_curve(cumulative, POLICY_LABELS, spec.new_after),
        "fig_learning_monthly": plots_learning.monthly_lines(per_month, cumulative, POLICY_LABELS),
    }
    return StudyResult(numbers, {"table_learning_totals": shown.reset_index()}, figures)


def delay_text(delays: pd.Series) -> str:
    """Per-seed delays as the chapter writes them: '0개월, 1개월'; '못 넣음' for a seed whose queues
    never held the new scheme within the simulated period."""
    return ", ".join("못 넣음" if np.isnan(delay) else f"{delay:.0f}개월" for delay in delays)


def longest_delay(delays: pd.Series) -> float:
    """The longest delay over the seeds (NaN when a seed's queues never held the new scheme)."""
    return float(delays.max()) if delays.notna().all() else np.nan


def new_scheme_section(per_month: pd.DataFrame, delays: pd.DataFrame, spec: learning.SimulationSpec) -> StudyResult:
    """Section 3 (a new scheme arrives): per policy, the months from the new type's arrival to its
    first row in a queue (every seed) and the share of its rows the queues held."""
    by_policy = delays.groupby("policy", sort=False)
    table = pd.DataFrame(
        {
            "정책": [POLICY_LABELS[name] for name in by_policy.groups],
            "시드별 지연": [delay_text(part["delay"]) for _, part in by_policy],
            "가장 긴 지연(개월)": [longest_delay(part["delay"]) for _, part in by_policy],
            "새 수법 행 중 목록에 든 비율": by_policy["new_recall"].mean().to_numpy(),
        }
    )

    def of(policy: str, column: str) -> pd.Series:
        return delays.loc[delays["policy"] == policy, column]

    numbers = {
        "target_delays": delay_text(of(TARGET_POLICY, "delay")),
        "unsup_delays": delay_text(of(BASELINE_POLICY, "delay")),
        "hybrid_delays": delay_text(of("hybrid", "delay")),
        "supervised_delays": delay_text(of("supervised", "delay")),
        "target_new_recall": float(of(TARGET_POLICY, "new_recall").mean()),
        "unsup_new_recall": float(of(BASELINE_POLICY, "new_recall").mean()),
        "supervised_new_recall": float(of("supervised", "new_recall").mean()),
        "new_rows": float(delays.groupby("seed")["new"].first().mean()),
    }
    figure = plots_learning.new_scheme_lines(per_month, POLICY_LABELS, spec.new_after, spec.new_type)
    return StudyResult(numbers, {"table_learning_new_scheme": table}, {"fig_learning_new_scheme": figure})


def targets_section(per_month: pd.DataFrame, delays: pd.DataFrame, spec: learning.SimulationSpec) -> StudyResult:
    """Section 4 (the targets): the hybrid with the default exploration share against the
    detector's ranking alone over the whole simulated period and quarter by quarter (seed means),
    and how soon it put the new scheme in a queue (every seed)."""
    quarters = learning.quarterly(per_month, spec).groupby(["quarter", "policy"], sort=False)["found"].mean()
    by_quarter = quarters.unstack("policy")[[policy.name for policy in learning.POLICIES]]
    ratio = policy_totals(per_month).loc[TARGET_POLICY, "ratio"]
    behind = by_quarter[by_quarter[TARGET_POLICY] < by_quarter[BASELINE_POLICY]].index.tolist()
    delay = longest_delay(delays.loc[delays["policy"] == TARGET_POLICY, "delay"])
    met = {
        "ratio": bool(ratio >= FOUND_RATIO_TARGET),
        "quarters": not behind,
        "new": bool(np.isfinite(delay) and delay <= NEW_TYPE_DELAY_TARGET),
    }
    targets = pd.DataFrame(
        [
            ("찾은 이상치: 비지도 대비", f"≥ {FOUND_RATIO_TARGET:g}배", f"{ratio:.2f}배", met["ratio"]),
            (
                "비지도보다 적게 찾은 분기",
                "없음",
                f"{len(by_quarter)}개 중 {len(behind)}개",
                met["quarters"],
            ),
            (
                "새 수법이 처음 목록에 들기까지(모든 시드)",
                f"≤ {NEW_TYPE_DELAY_TARGET}개월",
                "못 넣은 시드 있음" if np.isnan(delay) else f"{delay:.0f}개월",
                met["new"],
            ),
        ],
        columns=["목표", "기준", "측정", "달성"],
    )
    reach = learning.totals(per_month).query("policy == @BASELINE_POLICY")[list(learning.REACH_COUNTS)].mean()
    _, near, far = learning.REACH_MULTIPLES
    numbers = {
        "target_policy": POLICY_LABELS[TARGET_POLICY],
        "found_ratio": ratio,
        # planted rows among the detector's top near (far) x budget rows of each month, and the
        # first as a multiple of what the detector's ranking found: the most a ranking that
        # reorders those rows can find
        "reach_near": near,
        "reach_far": far,
        "reach_near_found": reach[f"reach_{near}x"],
        "reach_far_found": reach[f"reach_{far}x"],
        "reach_near_ratio": reach[f"reach_{near}x"] / reach[f"reach_{learning.REACH_MULTIPLES[0]}x"],
        "found_ratio_target": FOUND_RATIO_TARGET,
        "n_quarters": len(by_quarter),
        "quarters_behind": len(behind),
        "new_delay_target": NEW_TYPE_DELAY_TARGET,
        "targets_met": sum(met.values()),
        "targets_total": len(met),
    }
    shown = by_quarter.rename(columns=POLICY_LABELS).rename_axis("분기").reset_index()
    return StudyResult(numbers, {"table_learning_quarters": shown, "table_learning_targets": targets})
