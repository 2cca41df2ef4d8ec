"""Chapter 06: every detector on the same injections, the improved detector against its targets
and against an oracle, its parts, its reasons, the monthly alert volume, magnitude curves and
ablations. `benchmarks/bench_targets.py` runs this same study and prints its targets table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import ceiling, experiments, plots, synth
from customs_anomaly.anomaly_types import ALL_TYPES, FREIGHT_GROUP, GROUP_OF_TYPE, PRICE_GROUP
from customs_anomaly.detectors.lstm_plus import FREIGHT_PRIORITY
from customs_anomaly.original import REPORTED
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult, merged, progress
from customs_anomaly.studies.fits import IMPROVED, build_detector, build_detectors
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.tables import KEY_COLUMN_LABELS, with_formats

METRIC_LABELS = {
    "ap": "AP",
    "p_at_100": "P@100",
    "r_at_5pct": "R@5%",
    "value_capture_1pct": "금액 포착률 1%",
    "value_capture_5pct": "금액 포착률 5%",
}
TARGET_METRICS = list(experiments.HEADLINE_METRICS)
RIVALS = ["price-band", "fair-price", "iforest", "robust"]
# The magnitude curves: the improved detector, the original's model A and the rivals it must beat.
MAGNITUDE_DETECTORS = (IMPROVED, "lstm-a", *RIVALS)
BASELINES = ["robust", "price-band", "fair-price", "iforest", "lstm-a"]
FRESH_SEED_BASE = 100  # injection seeds never used while the improved detector was designed
WIN_FACTORS = (0.5, 0.7, 0.85, 1.2, 1.5, 2.0)  # the unit-price factors where lstm-plus must lead
REASON_EXAMPLES = {"freight": 3, "price": 3, "clean": 3}
NOT_COMPUTED = "계산하지 않음"
# Glued as formatted text, so that a build on real data (no oracle) can glue NOT_COMPUTED instead.
CEILING_KEYS = (
    "oracle_ap",
    "oracle_vc1",
    "plus_share_of_oracle_ap",
    "oracle_wide_seeds",
    "oracle_wide_ap",
    "oracle_wide_se",
    "gap_known_levels",
    "gap_detector_expected",
    "gap_no_odd",
    "gap_odd_from_weight",
    "gap_expected_share",
    "tiny_month_share",
    "structure_oracle_change",
)
TARGET_LABELS = {
    "ap_share_of_oracle": "AP가 오라클 AP에 이르는 비율",
    "ap_share_of_oracle_fresh": "AP가 오라클 AP에 이르는 비율(새 주입 시드)",
    "value_capture_1pct": "상위 1% 금액 포착률",
    "lead_ap": "AP: 가장 나은 다른 탐지기보다 높음",
    "lead_value_capture_1pct": "상위 1% 금액 포착률: 가장 나은 다른 탐지기보다 높음",
}
REPLICA_LABELS = {
    "tidy": "정돈된 초기 복제본",
    "structure": "구조를 실제에 맞춘 복제본",
}


def key(name: str) -> str:
    """A detector name as part of a glue key."""
    return name.replace("-", "_")


def mean_std_table(summary: pd.DataFrame, metrics: dict[str, str]) -> pd.DataFrame:
    """Detectors x metrics as 'mean ± std' text."""
    return pd.DataFrame(
        {
            label: summary.xs(metric, level="metric").apply(lambda r: f"{r['mean']:.3f} ± {r['std']:.3f}", axis=1)
            for metric, label in metrics.items()
        }
    )


def targets_display(targets: pd.DataFrame) -> pd.DataFrame:
    """The improved detector's targets as the chapter and bench_targets print them: what, the
    goal, the measured value, the best other detector where it applies, met or not."""
    goal = np.where(
        targets["target"].str.startswith("lead_"),
        "앞섬(차이 > 0)",
        targets["goal"].map("≥ {:.0%}".format),
    )
    measured = [
        ("+" if t.startswith("lead_") and m > 0 else "") + (f"{m:.3f}" if np.isfinite(m) else NOT_COMPUTED)
        for t, m in zip(targets["target"], targets["measured"])
    ]
    met = targets["met"].map({True: "예", False: "아니오"}).fillna(NOT_COMPUTED)
    return pd.DataFrame(
        {
            "목표": targets["target"].map(TARGET_LABELS),
            "기준": goal,
            "측정(시드 평균)": measured,
            "비교한 탐지기": targets["rival"].replace("", "—"),
            "달성": met,
        }
    )


def original_comparison(summary: pd.DataFrame, detectors) -> pd.DataFrame:
    """Precision and recall at each detector's own threshold next to the original's report."""
    reported = pd.DataFrame(
        {
            "운임 정밀도": [np.nan, REPORTED["model_b_freight_precision"]],
            "운임 재현율": [
                REPORTED["model_a_freight_found"] / REPORTED["freight_anomalies"],
                REPORTED["model_b_freight_recall"],
            ],
            "단가 정밀도": [np.nan, REPORTED["model_b_price_precision"]],
            "단가 재현율": [np.nan, REPORTED["model_b_price_recall"]],
            "지적 행 수": [np.nan, np.nan],
        },
        index=["원 보고서: 모델 A", "원 보고서: 모델 B"],
    )
    ours = pd.DataFrame(
        {
            name: {
                "운임 정밀도": summary.loc[(name, "freight_precision"), "mean"],
                "운임 재현율": summary.loc[(name, "freight_recall"), "mean"],
                "단가 정밀도": summary.loc[(name, "price_precision"), "mean"],
                "단가 재현율": summary.loc[(name, "price_recall"), "mean"],
                "지적 행 수": summary.loc[(name, "all_flagged"), "mean"],
            }
            for name in detectors
        }
    ).T
    return with_formats(pd.concat([reported, ours]).round(3), {"지적 행 수": ",.0f"})


def replica_history(plus: pd.Series, oracle_ap: str) -> pd.DataFrame:
    """The headline metrics of lstm-plus and the oracle's AP on the book's earlier replicas and on
    this build, one row each."""
    rows = {
        REPLICA_LABELS[key]: {
            **{METRIC_LABELS[m]: values[m] for m in TARGET_METRICS},
            "오라클 AP": f"{values['oracle_ap']:.3f}",
            "lstm-plus 점수 방식": f"예상 변동폭 단위(z), {values['plus_epochs']} 에폭",
        }
        for key, values in experiments.EARLIER_REPLICAS.items()
    }
    rows["이 빌드"] = {
        **{METRIC_LABELS[m]: plus[m] for m in TARGET_METRICS},
        "오라클 AP": oracle_ap,
        "lstm-plus 점수 방식": "규모별 잡음 모형의 가능도비",
    }
    return pd.DataFrame(rows).T.round(3)


def reason_examples(detector, analysis: pd.DataFrame, result) -> pd.DataFrame:
    """The highest-scoring flagged injected rows of each group (운임, 단가) and flagged clean rows
    of one seed, with reasons."""
    flagged = analysis[analysis["flag"]].assign(anomaly_type=result.panel["anomaly_type"])
    flagged = flagged.sort_values("score", ascending=False)
    group = flagged["anomaly_type"].map(GROUP_OF_TYPE).fillna("")
    chosen = pd.concat(
        [
            flagged[group == FREIGHT_GROUP].head(REASON_EXAMPLES["freight"]),
            flagged[group == PRICE_GROUP].head(REASON_EXAMPLES["price"]),
            flagged[flagged["anomaly_type"] == ""].head(REASON_EXAMPLES["clean"]),
        ]
    )
    keys = result.panel.loc[chosen.index, ["month", "hsk_code", "country_code"]]
    return keys.assign(
        month=keys["month"].dt.strftime("%Y-%m"),
        anomaly_type=chosen["anomaly_type"],
        score=chosen["score"].round(2),
        reason=detector.explain_analysis(chosen),
    ).rename(columns={**KEY_COLUMN_LABELS, "anomaly_type": "주입 유형", "score": "점수", "reason": "이유"})


def evaluation_study(context: Context) -> StudyResult:
    """Chapter 06, section by section. What several sections share is computed once here: the
    panel, the injections, every detector's fit and its runs on them, the improved detector's runs
    on the fresh seeds, and the oracle (which the targets need)."""
    panel = read_panel(context.paths.panel)
    seeds = list(range(context.seed, context.seed + context.profile.injection_seeds))
    injections = experiments.injected_panels(panel, seeds)
    detectors = build_detectors(context, panel)
    runs = {name: experiments.evaluate_detector(detectors[name], injections) for name in progress(detectors, "score")}
    summary = experiments.summary_table(runs)
    write_table(summary.reset_index(), context.paths.processed / "evaluation_summary.csv")
    plus, plus_model, plus_run = summary.xs(IMPROVED, level="detector")["mean"], detectors[IMPROVED], runs[IMPROVED]
    fresh_seeds = [FRESH_SEED_BASE + i for i in range(context.profile.fresh_seeds)]
    fresh_injections = experiments.injected_panels(panel, fresh_seeds)
    fresh_mean = experiments.evaluate_detector(plus_model, fresh_injections).summary()["mean"]
    oracle, oracle_means, fresh_oracle = ceiling_section(
        context, panel, injections, summary, plus_run, fresh_injections
    )
    return merged(
        budget_metrics_section(summary, runs, len(seeds)),
        type_recall_section(summary, runs),
        original_metrics_section(summary, runs),
        targets_section(context, summary, plus, oracle_means, fresh_mean, fresh_oracle),
        history_section(plus, oracle.numbers["oracle_ap"]),
        fresh_seeds_section(plus, fresh_mean, fresh_oracle, len(fresh_seeds)),
        flow_size_section(plus_run, injections),
        oracle,
        parts_section(context, plus_model, plus_run, injections),
        reasons_section(plus_model, plus_run, injections),
        alert_volume_section(panel, plus_model, plus_run, injections),
        magnitude_section(context, panel, detectors, seeds),
        ablation_section(context, panel, injections, plus_run),
        timing_section(context, detectors, runs),
    )


def budget_metrics_section(summary: pd.DataFrame, runs: dict, n_seeds: int) -> StudyResult:
    """Section 1 (budget metrics) and the chapter's opening: every detector's metrics at the review
    budget, the test year and its anomalies, the best detector and model A."""
    first = runs[IMPROVED].per_seed[0]
    best = summary.xs("ap", level="metric")["mean"].idxmax()
    numbers = {
        **period_numbers("test_start", "test_end"),
        "n_seeds": n_seeds,
        "n_test_rows": int(first["test_rows"]),
        "n_anomalies": int(first["anomalies"]),
        "random_ap": first["anomalies"] / first["test_rows"],
        "best_detector": best,
        "best_ap": summary.loc[(best, "ap"), "mean"],
        "best_p100": summary.loc[(best, "p_at_100"), "mean"],
        "best_r5": summary.loc[(best, "r_at_5pct"), "mean"],
        "lstm_a_ap": summary.loc[("lstm-a", "ap"), "mean"],
        "lstm_a_r5": summary.loc[("lstm-a", "r_at_5pct"), "mean"],
    }
    figure = plots.metric_bars(summary, {m: METRIC_LABELS[m] for m in ("p_at_100", "r_at_5pct", "ap")})
    return StudyResult(numbers, {"table_budget": mean_std_table(summary, METRIC_LABELS)}, {"fig_budget": figure})


def type_recall_section(summary: pd.DataFrame, runs: dict) -> StudyResult:
    """Section 2 (recall by type): each detector's recall at 5% of the rows for each anomaly type."""
    type_recall = pd.DataFrame(
        {name: {kind: summary.loc[(name, f"recall_5pct_{kind}"), "mean"] for kind in ALL_TYPES} for name in runs}
    ).T
    return StudyResult(
        numbers={"rules_price_recall": summary.loc[("rules", "recall_5pct_d"), "mean"]},
        figures={"fig_types": plots.type_recall_heatmap(type_recall)},
    )


def original_metrics_section(summary: pd.DataFrame, runs: dict) -> StudyResult:
    """Section 3 (beside the original's metrics): the original report's precision and recall next
    to every detector's at its own threshold."""
    numbers = {
        "b_freight_recall": summary.loc[("lstm-b", "freight_recall"), "mean"],
        "b_price_recall": summary.loc[("lstm-b", "price_recall"), "mean"],
        "b_flagged": summary.loc[("lstm-b", "all_flagged"), "mean"],
        "reported_a_found": REPORTED["model_a_freight_found"],
        "reported_freight_anomalies": REPORTED["freight_anomalies"],
        "reported_b_freight_precision": REPORTED["model_b_freight_precision"],
        "reported_b_freight_recall": REPORTED["model_b_freight_recall"],
        "reported_b_price_precision": REPORTED["model_b_price_precision"],
        "reported_b_price_recall": REPORTED["model_b_price_recall"],
    }
    return StudyResult(numbers, {"table_original": original_comparison(summary, runs)})


def targets_section(
    context: Context, summary: pd.DataFrame, plus: pd.Series, oracle_means, fresh_mean: pd.Series, fresh_oracle
) -> StudyResult:
    """Section 4, the targets: the improved detector's metrics, its targets met or missed (written
    to targets.csv) and its lead over the baselines. The oracle's means are None on real data."""
    targets = experiments.targets_table(
        summary, IMPROVED, oracle_means, fresh=(fresh_mean, fresh_oracle) if fresh_oracle is not None else None
    )
    write_table(targets, context.paths.processed / "targets.csv")
    checked = targets[targets["met"].notna()]
    by_target = targets.set_index("target")
    numbers = {
        "plus_ap": plus["ap"],
        "plus_p100": plus["p_at_100"],
        "plus_r5": plus["r_at_5pct"],
        "plus_vc1": plus["value_capture_1pct"],
        "plus_vc5": plus["value_capture_5pct"],
        "ap_gain_over_a": plus["ap"] / summary.loc[("lstm-a", "ap"), "mean"],
        "target_oracle_share": experiments.ORACLE_SHARE_TARGET,
        "target_value_capture": experiments.VALUE_CAPTURE_TARGET,
        **{f"ap_{key(name)}": summary.loc[(name, "ap"), "mean"] for name in BASELINES},
        **{f"vc1_{key(name)}": summary.loc[(name, "value_capture_1pct"), "mean"] for name in BASELINES},
        "targets_met": int(checked["met"].astype(bool).sum()),
        "targets_total": len(checked),
        "targets_missed": ", ".join(checked.loc[~checked["met"].astype(bool), "target"].map(TARGET_LABELS)) or "없음",
        "ap_rival": by_target.loc["lead_ap", "rival"],
        "ap_lead": by_target.loc["lead_ap", "measured"],
        "vc1_rival": by_target.loc["lead_value_capture_1pct", "rival"],
        "vc1_lead": by_target.loc["lead_value_capture_1pct", "measured"],
    }
    return StudyResult(numbers, {"table_targets": targets_display(targets)})


def history_section(plus: pd.Series, oracle_ap: str) -> StudyResult:
    """Section 4, the earlier replicas: the improved detector and the oracle on the book's earlier
    replicas beside this build (`oracle_ap` as the ceiling section glues it)."""
    structure = experiments.EARLIER_REPLICAS["structure"]
    numbers = {
        "structure_ap": structure["ap"],
        "structure_vc1": structure["value_capture_1pct"],
        "structure_oracle_ap": structure["oracle_ap"],
        "ap_change_vs_structure": plus["ap"] - structure["ap"],
    }
    return StudyResult(numbers, {"table_history": replica_history(plus, oracle_ap)})


def fresh_seeds_section(plus: pd.Series, fresh_mean: pd.Series, fresh_oracle, n_fresh_seeds: int) -> StudyResult:
    """Section 4, the fresh seeds: the improved detector's target metrics on injection seeds never
    used while it was designed, and its share of the oracle's AP there (None on real data)."""
    numbers = {
        "n_fresh_seeds": n_fresh_seeds,
        "fresh_ap": fresh_mean["ap"],
        "fresh_r5": fresh_mean["r_at_5pct"],
        "fresh_oracle_ap": f"{fresh_oracle['ap']:.3f}" if fresh_oracle is not None else NOT_COMPUTED,
        "fresh_share_of_oracle": f"{fresh_mean['ap'] / fresh_oracle['ap']:.0%}"
        if fresh_oracle is not None
        else NOT_COMPUTED,
    }
    table = (
        pd.DataFrame({"개발에 쓴 시드": plus, "새 시드": fresh_mean})
        .loc[TARGET_METRICS]
        .rename(index=METRIC_LABELS)
        .round(3)
    )
    return StudyResult(numbers, {"table_fresh": table})


def flow_size_section(plus_run, injections: dict) -> StudyResult:
    """Section 4, recall by flow size: the improved detector's recall of unit-price anomalies in
    each quartile of the flow size."""
    by_size = experiments.recall_by_flow_size(plus_run, injections)
    numbers = {
        "recall_small": by_size["recall"].iloc[0],
        "recall_large": by_size["recall"].iloc[-1],
        "lowest_quartile": int(by_size["recall"].idxmin()),
        "lowest_recall": float(by_size["recall"].min()),
        "by_size_fewest": float(by_size["anomalies"].min()),
    }
    table = by_size.rename(
        index=lambda q: f"{q}사분위", columns={"recall": "R@5% (단가 이상치)", "anomalies": "이상치 수(시드 평균)"}
    ).round(3)
    return StudyResult(numbers, {"table_by_size": table})


def ceiling_section(context: Context, panel, injections, summary, plus_run, fresh_injections: dict):
    """Section 4, the ceiling: the oracle's ceiling and where lstm-plus loses against it. Synthetic
    data only: real data have no generator to ask, and every number is then glued as NOT_COMPUTED.
    Returns the section's result and the oracle's mean metrics on the paired seeds and on the
    fresh seeds (both None on real data)."""
    provenance = describe_raw_data(context.raw)
    if not provenance.is_synthetic:
        numbers = dict.fromkeys(CEILING_KEYS, NOT_COMPUTED)
        (context.paths.processed / "ceiling.csv").unlink(missing_ok=True)
        (context.paths.processed / "knowledge_gaps.csv").unlink(missing_ok=True)
        return StudyResult(numbers, {"table_ceiling": pd.DataFrame(), "table_gaps": pd.DataFrame()}), None, None
    latent = synth.latent_price_model(provenance.seed)
    wide_seeds = list(range(context.seed, context.seed + context.profile.ceiling_seeds))
    extra = experiments.injected_panels(panel, [s for s in wide_seeds if s not in injections])
    everything = ceiling.noise_ceiling(panel, {**injections, **extra, **fresh_injections}, latent)
    oracle, oracle_wide = everything.restricted(list(injections)), everything.restricted(wide_seeds)
    table = ceiling.ceiling_table(summary, oracle, IMPROVED, TARGET_METRICS, wide=oracle_wide)
    gaps = ceiling.knowledge_gaps(panel, injections, latent, plus_run)
    write_table(table, context.paths.processed / "ceiling.csv")
    write_table(gaps.reset_index(), context.paths.processed / "knowledge_gaps.csv")
    tables = {
        "table_ceiling": ceiling_display(table),
        "table_gaps": gaps.rename(columns=METRIC_LABELS).rename_axis("순위를 매긴 것").round(3),
    }
    fresh = everything.restricted(list(fresh_injections)).summary()["mean"]
    return StudyResult(ceiling_numbers(table, gaps), tables), oracle.summary()["mean"], fresh


def ceiling_numbers(table: pd.DataFrame, gaps: pd.DataFrame) -> dict:
    """The ceiling's glued numbers (formatted text, see CEILING_KEYS) from its table and the AP
    the knowledge variants reach."""
    ap = table.set_index("metric").loc["ap"]
    ap_gaps = gaps["ap"].rename(index={v: k for k, v in ceiling.KNOWLEDGE_VARIANTS.items()})
    gap = ap_gaps["all"] - ap_gaps[IMPROVED]
    expected_share = min((ap_gaps["all"] - ap_gaps["detector_expected"]) / gap, 1.0) if gap > 0 else float("nan")
    return {
        "oracle_ap": f"{ap['oracle']:.3f}",
        "oracle_vc1": f"{table.set_index('metric').loc['value_capture_1pct', 'oracle']:.3f}",
        "plus_share_of_oracle_ap": f"{ap['share_of_oracle']:.0%}",
        "oracle_wide_seeds": f"{int(table['wide_seeds'].iloc[0])}",
        "oracle_wide_ap": f"{ap['oracle_wide']:.3f}",
        "oracle_wide_se": f"{ap['oracle_wide_se']:.3f}",
        "gap_known_levels": f"{ap_gaps['known_levels']:.3f}",
        "gap_detector_expected": f"{ap_gaps['detector_expected']:.3f}",
        "gap_no_odd": f"{ap_gaps['no_odd']:.3f}",
        "gap_odd_from_weight": f"{ap_gaps['odd_from_weight']:.3f}",
        "gap_expected_share": f"{expected_share:.0%}",
        "tiny_month_share": f"{ceiling.TINY_MONTH_SHARE:.0%}",
        "structure_oracle_change": f"{ap['oracle'] - experiments.EARLIER_REPLICAS['structure']['oracle_ap']:+.3f}",
    }


def ceiling_display(table: pd.DataFrame) -> pd.DataFrame:
    """The ceiling table as the chapter shows it (Korean headers)."""
    shown = table.assign(metric=table["metric"].map(METRIC_LABELS)).rename(
        columns={
            "metric": "지표",
            "measured": IMPROVED,
            "oracle": "오라클(같은 시드)",
            "share_of_oracle": "오라클 대비",
            "oracle_wide": "오라클(시드 확장)",
            "oracle_wide_se": "표준오차",
            "wide_seeds": "시드 수",
        }
    )
    return shown.round(3)


def parts_section(context: Context, plus_model, plus_run, injections: dict) -> StudyResult:
    """Section 5 (the improved detector's parts): the metrics of each source of the expected unit
    price alone and of their combination (written to components.csv)."""
    components = experiments.component_metrics(plus_run, injections, plus_model.combine_parts)
    write_table(components.reset_index(), context.paths.processed / "components.csv")
    lstm_part, stat_part = components.loc["LSTM 예측만", "ap"], components.loc["이웃 달 중앙값만", "ap"]
    numbers = {
        "ap_lstm_part": lstm_part,
        "ap_stat_part": stat_part,
        "ap_combined": components.loc["둘의 평균(기본값)", "ap"],
        "combined_gain": components.loc["둘의 평균(기본값)", "ap"] - max(lstm_part, stat_part),
    }
    table = components[TARGET_METRICS].rename(columns=METRIC_LABELS).rename_axis("기대 단가의 출처").round(3)
    return StudyResult(numbers, {"table_components": table})


def reasons_section(plus_model, plus_run, injections: dict) -> StudyResult:
    """Section 6 (reasons): how often the reason's group matches the injected type, and examples
    of flagged rows with their reasons from the first seed."""
    seeds = list(injections)
    agreement = pd.DataFrame(
        [{"seed": s, **experiments.reason_agreement(plus_run.analyses[s], injections[s].panel)} for s in seeds]
    )
    numbers = {
        "reason_target": experiments.REASON_AGREEMENT_TARGET,
        "freight_priority": FREIGHT_PRIORITY,
        "reason_share": agreement["matching"].sum() / max(agreement["detected"].sum(), 1),
        "reason_detected": int(agreement["detected"].sum()),
    }
    table = reason_examples(plus_model, plus_run.analyses[seeds[0]], injections[seeds[0]])
    return StudyResult(numbers, {"table_reasons": table})


def alert_volume_section(panel: pd.DataFrame, plus_model, plus_run, injections: dict) -> StudyResult:
    """Section 7 (operating threshold and alert volume): the improved detector's monthly alerts on
    the clean panel against its budget share, and the budget queue on the injected panels."""
    in_test = experiments.in_test_year(panel)
    clean = plus_model.analyse(panel, rows=in_test)
    volume = experiments.alert_volume(clean[in_test], panel.loc[in_test, "month"])
    share = volume["flagged"].sum() / volume["rows"].sum()
    budget_share = plus_model.params["budget_share"]
    queue = experiments.budget_queue(plus_run, injections, budget_share)
    numbers = {
        "budget_share": budget_share,
        "alerts_mean": volume["flagged"].mean(),
        "alerts_share": share,
        "alerts_max": int(volume["flagged"].max()),
        "alerts_max_share": volume["share"].max(),
        "alerts_months": len(volume),
        "alerts_months_over": int((volume["share"] > budget_share).sum()),
        "queue_reviewed": queue["reviewed"].mean(),
        "queue_recall": queue["recall"].mean(),
        "queue_precision": queue["precision"].mean(),
    }
    table = queue.rename(
        columns={
            "seed": "주입 시드",
            "reviewed": "심사 행",
            "found": "그중 이상치",
            "precision": "정밀도",
            "recall": "재현율",
        }
    ).round(3)
    return StudyResult(numbers, {"table_queue": table}, {"fig_alerts": plots.alert_volume_bars(volume, budget_share)})


def magnitude_section(context: Context, panel: pd.DataFrame, detectors: dict, seeds: list) -> StudyResult:
    """Section 8 (detection by injection size): AP against the size of a fixed injection (written
    to magnitude_curves.csv), and the unit-price factors where the improved detector leads."""
    profile = context.profile
    magnitude_seeds = seeds[: profile.magnitude_seeds]
    curves = experiments.magnitude_curves(
        {name: detectors[name] for name in MAGNITUDE_DETECTORS},
        panel,
        experiments.magnitude_injections(panel, magnitude_seeds, profile.value_factors, profile.freight_factors),
        progress,
    )
    write_table(curves, context.paths.processed / "magnitude_curves.csv")
    win_factors = tuple(f for f in profile.value_factors if f in WIN_FACTORS)
    wins = experiments.wins_at_every_factor(curves, IMPROVED, RIVALS, PRICE_GROUP, win_factors)
    narrow = experiments.narrow_leads(wins, IMPROVED)
    lost = wins.index[~wins["wins"]]
    numbers = {
        "value_factors": ", ".join(f"{f:g}" for f in profile.value_factors),
        "freight_factors": ", ".join(f"{f:g}" for f in profile.freight_factors),
        "n_magnitude_seeds": len(magnitude_seeds),
        "magnitude_n": experiments.MAGNITUDE_N,
        "win_range": f"×{min(win_factors):g}~×{max(win_factors):g}",
        "wins_count": int(wins["wins"].sum()),
        "wins_total": len(wins),
        "lost_factors": ", ".join(f"×{f:g}" for f in lost) or "없음",
        "narrow_factors": ", ".join(f"×{f:g}" for f in narrow.index) or "없음",
        "narrow_share": experiments.NARROW_LEAD,
    }
    table = (
        wins.rename(columns={IMPROVED: IMPROVED, "best_rival": "가장 나은 기준선", "wins": f"{IMPROVED}가 앞섬"})
        .rename_axis("단가 배율")
        .rename(index=lambda factor: f"×{factor:g}")
        .round(3)
    )
    return StudyResult(
        numbers, {"table_wins": table}, {"fig_magnitude": plots.magnitude_curves(curves, highlight=IMPROVED)}
    )


def ablation_section(context: Context, panel: pd.DataFrame, injections: dict, plus_run) -> StudyResult:
    """Section 9 (ablations): the improved detector with one switch changed at a time (written to
    ablation_summary.csv and ablation_std.csv); the default variant is the fit chapter 05 made."""
    ablation_runs = {
        # the default variant is the fit already scored
        label: experiments.evaluate_detector(build_detector(context, panel, IMPROVED, **change), injections)
        if change
        else plus_run
        for label, change in progress(experiments.ABLATIONS.items(), "ablations")
    }
    ablation = pd.DataFrame({label: run.summary()["mean"] for label, run in ablation_runs.items()}).T
    ablation_std = pd.DataFrame({label: run.summary()["std"] for label, run in ablation_runs.items()}).T
    write_table(ablation.reset_index(names="variant"), context.paths.processed / "ablation_summary.csv")
    write_table(ablation_std.reset_index(names="variant"), context.paths.processed / "ablation_std.csv")
    ablation_metrics = {m: METRIC_LABELS[m] for m in ("ap", "p_at_100", "r_at_5pct")}
    return StudyResult(
        ablation_numbers(ablation, ablation_std),
        {"table_ablation": ablation[TARGET_METRICS].rename(columns=METRIC_LABELS).rename_axis("변형").round(3)},
        {"fig_ablation": plots.ablation_bars(ablation, ablation_metrics)},
    )


def ablation_numbers(ablation: pd.DataFrame, ablation_std: pd.DataFrame) -> dict:
    """The ablations' glued numbers: each variant's metrics, the macro variables' change in units
    of the seeds' spread, the largest drop in AP."""
    base, macro = "기본값", "거시 변수 추가"
    macro_diff = ablation.loc[macro, "p_at_100"] - ablation.loc[base, "p_at_100"]
    macro_noise = max(ablation_std.loc[base, "p_at_100"], ablation_std.loc[macro, "p_at_100"])
    drops = (ablation.loc[base, "ap"] - ablation["ap"]).drop(base)
    return {
        "abl_base_ap": ablation.loc[base, "ap"],
        "abl_base_p100": ablation.loc[base, "p_at_100"],
        "abl_macro_ap": ablation.loc[macro, "ap"],
        "abl_macro_p100": ablation.loc[macro, "p_at_100"],
        "abl_window6_ap": ablation.loc[experiments.SHORT_WINDOW_VARIANT, "ap"],
        "abl_short_window": experiments.SHORT_WINDOW_MONTHS,
        "abl_z_ap": ablation.loc[experiments.Z_SCORING_VARIANT, "ap"],
        "abl_z_vc1": ablation.loc[experiments.Z_SCORING_VARIANT, "value_capture_1pct"],
        "abl_one_noise_ap": ablation.loc[experiments.ONE_NOISE_VARIANT, "ap"],
        "abl_no_memory_ap": ablation.loc[experiments.NO_MEMORY_VARIANT, "ap"],
        "abl_memory_cost": ablation.loc[experiments.NO_MEMORY_VARIANT, "ap"] - ablation.loc[base, "ap"],
        "abl_ap_spread": ablation_std.loc[base, "ap"],
        "abl_base_vc1": ablation.loc[base, "value_capture_1pct"],
        "macro_diff": macro_diff,
        "macro_sd_base": ablation_std.loc[base, "p_at_100"],
        "macro_sd_macro": ablation_std.loc[macro, "p_at_100"],
        "macro_diff_in_sd": abs(macro_diff) / macro_noise if macro_noise > 0 else float("nan"),
        "largest_drop_label": drops.idxmax(),
        "largest_drop": drops.max(),
    }


def timing_section(context: Context, detectors: dict, runs: dict) -> StudyResult:
    """Section 10 (training and scoring time): each detector's fit and scoring time on this build's
    machine (written to timing.csv)."""
    test_rows = runs[IMPROVED].per_seed[0]["test_rows"]
    timing = pd.DataFrame(
        {
            "학습 시간(초)": {name: d.fit_seconds_ or 0.0 for name, d in detectors.items()},
            "채점 시간(초, 시드당)": {name: run.score_seconds for name, run in runs.items()},
            "채점 속도(시험 연도 행/초)": {
                name: test_rows / max(run.score_seconds, 1e-9) for name, run in runs.items()
            },
        }
    )
    write_table(
        pd.DataFrame(
            {
                "detector": list(runs),
                "fit_seconds": [detectors[n].fit_seconds_ or 0.0 for n in runs],
                "score_seconds": [r.score_seconds for r in runs.values()],
            }
        ),
        context.paths.processed / "timing.csv",
    )
    return StudyResult({"slowest_fit": timing["학습 시간(초)"].idxmax()}, {"table_timing": timing.round(2)})
