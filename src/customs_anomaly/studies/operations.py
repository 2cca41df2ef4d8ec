"""Chapter 06-2: the test year replayed month by month, as a customs service would run the
detectors: each month scored knowing only the months up to it, its top share reviewed. Every
detector prospectively and retrospectively on the same injections as chapter 06; refitting; the
improved detector's prospective form; what an analyst sees in an ordinary month.
`benchmarks/bench_operations.py` runs this study and prints its targets table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from customs_anomaly import ceiling, config, experiments, plots, synth
from customs_anomaly.anomaly_types import SCHEME_TYPES
from customs_anomaly.detectors import DETECTOR_NAMES, make_detector
from customs_anomaly.evaluate import case_outcomes, case_summary
from customs_anomaly.features import strip_labels
from customs_anomaly.inject import SCHEME_TYPES_TABLE, SchemeSpec, inject_schemes
from customs_anomaly.operations import PROSPECTIVE, RETROSPECTIVE, STALE_MODEL_MONTHS, backtest, score_month
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult, merged, progress
from customs_anomaly.studies.evaluation import METRIC_LABELS, NOT_COMPUTED
from customs_anomaly.studies.fits import (
    IMPROVED,
    PROSPECTIVE_FORM,
    build_detector,
    build_detectors,
    fit_parameters,
)
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.thresholds import budget_flags

RETRO_LABEL, CUT_LABEL, FORM_LABEL = (
    f"{IMPROVED} (사후 감사)",
    f"{IMPROVED} (감사용 모형, 미래를 자름)",
    f"{IMPROVED} (사전 식별용 모형)",
)
REFIT_DETECTORS = ("rules", "price-band")  # cheap detectors with a learned state, refitted every month
BASELINES = ("robust", "price-band", "fair-price", "iforest")
# The targets of monthly operation (default protocol): the prospective AP against the audit's,
# and the misdeclared value the top 1% of each month's rows captures.
PROSPECTIVE_AP_SHARE = 0.95
PROSPECTIVE_VALUE_CAPTURE = 0.90
ORDINARY_MONTH_ROWS = 10


def refit_with(context: Context, name: str, **changes):
    """A `fit(panel, train_until)` for the backtest: the build's parameters, fitted again."""

    def fit(panel: pd.DataFrame, train_until: pd.Timestamp):
        return make_detector(name, **fit_parameters(context, name, **changes)).fit(panel, train_until=train_until)

    return fit


def fitted(detector):
    """A `fit(panel, train_until)` for the backtest that keeps the detector fitted once on the
    training months."""
    return lambda panel, until: detector


def misdeclared(result):
    """The misdeclared value of each row of an injection result (the backtest's value capture)."""
    return experiments.misdeclared_by_row(result.panel, result.log)


def test_months() -> pd.DatetimeIndex:
    """The months the backtests replay: the test year."""
    return pd.date_range(config.TEST_START, config.STUDY_END, freq="MS")


def operations_study(context: Context) -> StudyResult:
    """Chapter 06-2, section by section. What several sections share is computed once here: the
    panel, the injections, the fits, every detector's backtests and their summary (written to
    operations_summary.csv), and the better of the improved detector's two prospective forms."""
    panel = read_panel(context.paths.panel)
    seeds = list(range(context.seed, context.seed + context.profile.injection_seeds))
    injections = experiments.injected_panels(panel, seeds)
    detectors = build_detectors(context, panel)
    form_model = build_detector(context, panel, IMPROVED, **PROSPECTIVE_FORM)
    runs = backtests(context, injections, detectors, form_model)
    summary = operations_summary(runs)
    write_table(summary, context.paths.processed / "operations_summary.csv")
    forms = prospective_forms(summary)
    best_label = max(forms, key=lambda label: forms[label]["ap"])
    best_model = form_model if best_label == FORM_LABEL else detectors[IMPROVED]
    best_run, share = runs[(best_label, PROSPECTIVE)], context.profile.budget_share
    return merged(
        monthly_loop_section(context, detectors, len(seeds)),
        prospective_cost_section(summary, forms, best_label),
        monthly_queue_section(runs, forms[best_label]),
        refit_section(context, injections, runs),
        ordinary_month_section(panel, best_model, injections[seeds[0]], best_run, share),
        schemes_section(context, panel, detectors, form_model, seeds),
    )


def backtests(context: Context, injections: dict, detectors: dict, form_model) -> dict:
    """Every detector's year replayed as an audit and prospectively, keyed by (label, mode); the
    improved detector's audit model cut at each month and its prospective form stand for it
    prospectively."""
    months, share = test_months(), context.profile.budget_share
    runs = {}
    for name in progress(DETECTOR_NAMES, "backtest"):
        label = RETRO_LABEL if name == IMPROVED else name
        audit = backtest(fitted(detectors[name]), injections, months, share, RETROSPECTIVE, misdeclared=misdeclared)
        runs[(label, RETROSPECTIVE)] = audit
        # a causal detector never reads a later month: its audit is its prospective run (tested)
        runs[(label, PROSPECTIVE)] = (
            replace(audit, mode=PROSPECTIVE)
            if detectors[name].causal
            else backtest(fitted(detectors[name]), injections, months, share, PROSPECTIVE, misdeclared=misdeclared)
        )
    runs[(CUT_LABEL, PROSPECTIVE)] = runs.pop((RETRO_LABEL, PROSPECTIVE))
    runs[(FORM_LABEL, PROSPECTIVE)] = backtest(
        fitted(form_model), injections, months, share, PROSPECTIVE, misdeclared=misdeclared
    )
    return runs


def operations_summary(runs: dict) -> pd.DataFrame:
    """One row per backtest: detector, mode, the headline metrics and the budget queue's totals."""
    return pd.DataFrame(
        [
            {
                "detector": label,
                "mode": mode,
                **run.summary()[["ap", "p_at_100", "r_at_5pct", "value_capture_1pct"]],
                **queue_totals(run),
            }
            for (label, mode), run in runs.items()
        ]
    )


def prospective_forms(summary: pd.DataFrame) -> dict:
    """The operations summary's rows of the improved detector's two prospective forms, by label."""
    rows = summary.set_index(["detector", "mode"])
    return {label: rows.loc[(label, PROSPECTIVE)] for label in (CUT_LABEL, FORM_LABEL)}


def monthly_loop_section(context: Context, detectors: dict, n_seeds: int) -> StudyResult:
    """Section 1 (a month at a time) and the chapter's opening: the monthly loop, the seeds, the
    test year, the review budget and how many detectors are causal."""
    numbers = {
        **period_numbers("test_start", "test_end"),
        "n_seeds": n_seeds,
        "budget_share": context.profile.budget_share,
        "robust_k": make_detector("robust").params["k"],
        "n_causal": sum(detectors[name].causal for name in DETECTOR_NAMES),
        "n_detectors": len(DETECTOR_NAMES),
    }
    return StudyResult(numbers, figures={"fig_monthly_loop": plots.monthly_loop_diagram()})


def prospective_cost_section(summary: pd.DataFrame, forms: dict, best_label: str) -> StudyResult:
    """Section 2 (the cost of not seeing the future): every detector's AP as an audit and
    prospectively, the improved detector's prospective forms against the targets of monthly
    operation."""
    ap = summary.pivot(index="detector", columns="mode", values="ap")
    retro_ap = ap.loc[RETRO_LABEL, RETROSPECTIVE]
    baseline_ap = ap.loc[list(BASELINES), PROSPECTIVE]
    targets = targets_table(forms, retro_ap, float(baseline_ap.max()))
    numbers = {
        "retro_ap": retro_ap,
        "form_ap": forms[FORM_LABEL]["ap"],
        "cut_ap": forms[CUT_LABEL]["ap"],
        "form_share_of_retro": forms[FORM_LABEL]["ap"] / retro_ap,
        "cut_share_of_retro": forms[CUT_LABEL]["ap"] / retro_ap,
        "best_form": best_label,
        "best_form_vc1": forms[best_label]["value_capture_1pct"],
        "best_baseline": baseline_ap.idxmax(),
        "best_baseline_prospective_ap": float(baseline_ap.max()),
        "robust_retro_ap": ap.loc["robust", RETROSPECTIVE],
        "robust_prospective_ap": ap.loc["robust", PROSPECTIVE],
        "targets_met_cut": int(targets[CUT_LABEL].eq("예").sum()),
        "targets_met_form": int(targets[FORM_LABEL].eq("예").sum()),
        "targets_total": len(targets),
        "target_ap_share": PROSPECTIVE_AP_SHARE,
        "target_value_capture": PROSPECTIVE_VALUE_CAPTURE,
    }
    tables = {"table_operations": operations_display(summary), "table_operation_targets": targets}
    return StudyResult(
        numbers, tables, {"fig_prospective_cost": plots.prospective_cost_bars(prospective_cost(ap, forms))}
    )


def operations_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The operations summary as the chapter shows it (Korean headers and modes)."""
    return (
        summary.assign(mode=summary["mode"].map({RETROSPECTIVE: "사후 감사", PROSPECTIVE: "사전 식별"}))
        .rename(columns={"detector": "탐지기", "mode": "방식", **METRIC_LABELS, **QUEUE_LABELS})
        .round(3)
    )


def prospective_cost(ap: pd.DataFrame, forms: dict) -> pd.DataFrame:
    """Each detector's AP as an audit and prospectively (the improved detector's audit model cut at
    each month), and the improved detector's prospective form on a row of its own."""
    cost = pd.DataFrame(
        {
            name: {
                "retrospective": ap.loc[RETRO_LABEL if name == IMPROVED else name, RETROSPECTIVE],
                "prospective": ap.loc[CUT_LABEL if name == IMPROVED else name, PROSPECTIVE],
            }
            for name in DETECTOR_NAMES
        }
    ).T
    cost.loc[f"{IMPROVED}\n(사전 식별용)"] = [np.nan, forms[FORM_LABEL]["ap"]]
    return cost


def monthly_queue_section(runs: dict, best: pd.Series) -> StudyResult:
    """Section 3 (each month's review queue): precision, recall and rows reviewed month by month
    for the improved detector's audit and its two prospective forms; the better form's totals."""
    per_month = pd.concat(
        [
            monthly_means(runs[(RETRO_LABEL, RETROSPECTIVE)]).assign(mode="사후 감사"),
            monthly_means(runs[(CUT_LABEL, PROSPECTIVE)]).assign(mode="감사용 모형, 미래를 자름"),
            monthly_means(runs[(FORM_LABEL, PROSPECTIVE)]).assign(mode="사전 식별용 모형"),
        ]
    )
    numbers = {
        "best_form_queue_precision": best["queue_precision"],
        "best_form_queue_recall": best["queue_recall"],
        "best_form_alerts_per_month": best["reviewed_per_month"],
    }
    return StudyResult(numbers, figures={"fig_monthly_queue": plots.monthly_queue_lines(per_month)})


def refit_section(context: Context, injections: dict, runs: dict) -> StudyResult:
    """Section 4 (does refitting help): the cheap detectors with a learned state refitted every
    month against their prospective run fitted once."""
    months, share = test_months(), context.profile.budget_share
    refits = {
        name: backtest(
            refit_with(context, name), injections, months, share, PROSPECTIVE, refit_every=1, misdeclared=misdeclared
        )
        for name in REFIT_DETECTORS
    }
    table = pd.DataFrame(
        [
            {
                "탐지기": name,
                "한 번 학습 AP": runs[(name, PROSPECTIVE)].summary()["ap"],
                "매달 재학습 AP": run.summary()["ap"],
            }
            for name, run in refits.items()
        ]
    )
    numbers = {"refit_best_gain": float((table["매달 재학습 AP"] - table["한 번 학습 AP"]).max())}
    return StudyResult(numbers, {"table_refit": table.round(3)})


def ordinary_month_section(panel: pd.DataFrame, model, result, run, share: float) -> StudyResult:
    """Section 5 (what an analyst sees in an ordinary month): the review queue of the better
    prospective form in the month with the median number of anomalies (first seed)."""
    ordinary, month = ordinary_month(model, result, run, share)
    numbers = {
        "ordinary_month": f"{month:%Y-%m}",
        "ordinary_rows": int((panel["month"] == month).sum()),
        "ordinary_queue": len(ordinary),
        "ordinary_found": int((ordinary["주입 유형"] != "").sum()),
        "stale_model_months": STALE_MODEL_MONTHS,
    }
    return StudyResult(numbers, {"table_ordinary_month": ordinary.head(ORDINARY_MONTH_ROWS)})


QUEUE_LABELS = {
    "reviewed_per_month": "월 심사 행",
    "queue_precision": "목록 정밀도",
    "queue_recall": "목록 재현율",
}


def queue_totals(run) -> dict:
    """The budget queue over the year, mean over seeds: rows a month, precision and recall."""
    per_seed = run.per_month.groupby("seed")[["reviewed", "found", "anomalies"]].sum()
    months = run.per_month["month"].nunique()
    return {
        "reviewed_per_month": float(per_seed["reviewed"].mean() / months),
        "queue_precision": float((per_seed["found"] / per_seed["reviewed"]).mean()),
        "queue_recall": float((per_seed["found"] / per_seed["anomalies"]).mean()),
    }


def monthly_means(run) -> pd.DataFrame:
    return run.per_month.groupby("month", as_index=False)[["precision", "recall", "reviewed"]].mean()


def targets_table(forms: dict, retro_ap: float, best_baseline_ap: float) -> pd.DataFrame:
    """The targets of monthly operation for each prospective form of the improved detector: its
    measured value and whether it meets the goal."""
    goals = [
        (f"AP ≥ 사후 감사 AP × {PROSPECTIVE_AP_SHARE:g}", "ap", PROSPECTIVE_AP_SHARE * retro_ap),
        ("AP > 가장 나은 기준선의 사전 식별 AP", "ap", best_baseline_ap),
        ("상위 1% 금액 포착률", "value_capture_1pct", PROSPECTIVE_VALUE_CAPTURE),
    ]
    rows = []
    for label, metric, goal in goals:
        row = {"목표": label, "기준": round(goal, 3)}
        for form, summary in forms.items():
            row[f"{form} 측정"] = round(float(summary[metric]), 3)
            row[form] = "예" if summary[metric] >= goal else "아니오"
        rows.append(row)
    return pd.DataFrame(rows)


def ordinary_month(detector, result, run, share: float) -> tuple[pd.DataFrame, pd.Timestamp]:
    """The review queue an analyst would open in an ordinary month (the month whose number of
    injected anomalies is the median, first seed): its top rows, reasons, and what was injected."""
    first = run.per_month[run.per_month["seed"] == run.per_month["seed"].min()]
    month = first.sort_values(["anomalies", "month"]).iloc[len(first) // 2]["month"]
    scores = score_month(detector, experiments.without_labels(result), month, budget_share=share)
    labels = result.panel.loc[result.panel["month"] == month, [*experiments.KEY, "item_name", "anomaly_type"]]
    queue = scores[scores["flag"]].merge(labels, on=experiments.KEY).sort_values("score", ascending=False)
    shown = queue.assign(month=queue["month"].dt.strftime("%Y-%m"), score=queue["score"].round(2))
    shown = shown[["hsk_code", "item_name", "country_code", "score", "reason", "anomaly_type"]]
    return shown.reset_index(drop=True).rename(
        columns={
            "hsk_code": "HS코드",
            "item_name": "품목명",
            "country_code": "국가",
            "score": "점수",
            "reason": "이유",
            "anomaly_type": "주입 유형",
        }
    ), month


# The scheme protocol's targets for the improved detector (prospective, the monthly budget).
SCHEME_CAUGHT_TARGET = 0.90
SCHEME_DELAY_TARGET = 1.0  # months from a scheme's first month to its first flag (median)
SCHEME_TYPE_TARGET = 0.75  # every type of scheme
SCHEME_LABELS = {
    "caught_share": "잡은 수법 비율",
    "median_delay": "첫 지적까지 지연 중앙값(개월)",
    "recovered_share": "첫 지적 이후 회수 가능 금액 비율",
    "ap": "행 단위 AP",
}


def schemes_section(context: Context, panel: pd.DataFrame, detectors: dict, form_model, seeds: list) -> StudyResult:
    """Section 6 (multi-month schemes): the scheme protocol replayed month by month, every detector
    prospectively (the improved detector in its prospective form, and its audit beside it), the
    monthly review budget, and what became of each scheme: caught or not, how soon, how much of
    its value from the first flag on (written to scheme_summary.csv and scheme_targets.csv)."""
    spec = SchemeSpec()
    injections = {seed: inject_schemes(panel, seed, spec) for seed in seeds}
    runs = scheme_backtests(context, injections, detectors, form_model)
    outcomes = {label: scheme_outcomes(run, injections) for label, run in runs.items()}
    summary = pd.DataFrame(
        {label: {**case_summary(outcomes[label]), "ap": run.summary()["ap"]} for label, run in runs.items()}
    ).T
    write_table(summary.reset_index(names="detector"), context.paths.processed / "scheme_summary.csv")
    rivals = scheme_rivals(summary)
    targets = scheme_targets(summary, rivals)
    write_table(targets, context.paths.processed / "scheme_targets.csv")
    reference = one_month_oracle_catch(context, panel, injections, context.profile.budget_share)
    tables = {
        "table_schemes": summary[list(SCHEME_LABELS)].rename(columns=SCHEME_LABELS).round(3),
        "table_scheme_types": scheme_types_table(outcomes[FORM_LABEL]),
        "table_scheme_targets": targets.assign(
            측정=targets["측정"].round(3), 달성=targets["달성"].map({True: "예", False: "아니오"})
        ),
    }
    figures = {"fig_schemes": plots.scheme_bars(summary[["caught_share", "recovered_share"]])}
    numbers = scheme_numbers(summary, targets, rivals, reference, context.profile.budget_share, len(seeds))
    return StudyResult(numbers, tables, figures)


def scheme_backtests(context: Context, injections: dict, detectors: dict, form_model) -> dict:
    """The scheme injections replayed by every detector prospectively (the improved detector in its
    prospective form) and by the improved detector's audit, by label."""
    months, share = test_months(), context.profile.budget_share
    runs = {
        (FORM_LABEL if name == IMPROVED else name): backtest(
            fitted(form_model if name == IMPROVED else detectors[name]),
            injections,
            months,
            share,
            PROSPECTIVE,
            misdeclared=misdeclared,
        )
        for name in progress(DETECTOR_NAMES, "schemes")
    }
    runs[RETRO_LABEL] = backtest(
        fitted(detectors[IMPROVED]), injections, months, share, RETROSPECTIVE, misdeclared=misdeclared
    )
    return runs


def scheme_outcomes(run, injections: dict) -> pd.DataFrame:
    """What became of each scheme of every seed under one backtest's flags."""
    return pd.concat(
        [
            case_outcomes(result.panel, run.flags[seed], misdeclared(result)).assign(seed=seed)
            for seed, result in injections.items()
        ],
        ignore_index=True,
    )


def scheme_rivals(summary: pd.DataFrame) -> tuple[str, str, str]:
    """The improved detector's least caught scheme type (its column), and the other detectors (its
    audit left out) that catch the most schemes and recover the most value."""
    plus, others = summary.loc[FORM_LABEL], summary.drop(index=[FORM_LABEL, RETRO_LABEL])
    lowest_type = min([f"caught_{kind}" for kind in SCHEME_TYPES], key=lambda column: plus[column])
    return lowest_type, others["caught_share"].idxmax(), others["recovered_share"].idxmax()


def scheme_targets(summary: pd.DataFrame, rivals: tuple[str, str, str]) -> pd.DataFrame:
    """The scheme protocol's targets for the improved detector's prospective form: what, the goal,
    the measured value, met or not (`rivals` as `scheme_rivals` gives them)."""
    lowest_type, rival_caught, rival_value = rivals
    plus, others = summary.loc[FORM_LABEL], summary.drop(index=[FORM_LABEL, RETRO_LABEL])
    return pd.DataFrame(
        [
            (
                "잡은 수법 비율",
                f"≥ {SCHEME_CAUGHT_TARGET:.0%}",
                plus["caught_share"],
                plus["caught_share"] >= SCHEME_CAUGHT_TARGET,
            ),
            (
                "첫 지적까지 지연 중앙값(개월)",
                f"≤ {SCHEME_DELAY_TARGET:g}",
                plus["median_delay"],
                plus["median_delay"] <= SCHEME_DELAY_TARGET,
            ),
            (
                "가장 덜 잡힌 유형의 비율",
                f"≥ {SCHEME_TYPE_TARGET:.0%}",
                plus[lowest_type],
                plus[lowest_type] >= SCHEME_TYPE_TARGET,
            ),
            (
                f"잡은 수법 비율: 가장 나은 다른 탐지기({rival_caught})보다",
                "높음",
                plus["caught_share"] - others.loc[rival_caught, "caught_share"],
                plus["caught_share"] > others.loc[rival_caught, "caught_share"],
            ),
            (
                f"회수 가능 금액 비율: 가장 나은 다른 탐지기({rival_value})보다",
                "높음",
                plus["recovered_share"] - others.loc[rival_value, "recovered_share"],
                plus["recovered_share"] > others.loc[rival_value, "recovered_share"],
            ),
        ],
        columns=["목표", "기준", "측정", "달성"],
    )


def scheme_numbers(
    summary: pd.DataFrame, targets: pd.DataFrame, rivals: tuple, reference: float | None, share: float, n_seeds: int
) -> dict:
    """The scheme section's glued numbers: the improved detector's and its rivals' results (`rivals`
    as `scheme_rivals` gives them), the targets met, the monthly budget `share`, and the one-month
    oracle's reference (None on real data)."""
    lowest_type, rival_caught, rival_value = rivals
    plus, others = summary.loc[FORM_LABEL], summary.drop(index=[FORM_LABEL, RETRO_LABEL])
    return {
        "n_schemes": int(summary.loc[FORM_LABEL, "schemes"] / n_seeds),
        "scheme_budget_share": share,
        "scheme_caught": plus["caught_share"],
        "scheme_delay": plus["median_delay"],
        "scheme_recovered": plus["recovered_share"],
        "scheme_row_ap": plus["ap"],
        "scheme_audit_caught": summary.loc[RETRO_LABEL, "caught_share"],
        "scheme_audit_recovered": summary.loc[RETRO_LABEL, "recovered_share"],
        "scheme_lowest_type": lowest_type.removeprefix("caught_"),
        "scheme_lowest_type_caught": plus[lowest_type],
        "scheme_rival_caught": rival_caught,
        "scheme_rival_caught_share": others.loc[rival_caught, "caught_share"],
        "scheme_rival_value": rival_value,
        "scheme_rival_recovered": others.loc[rival_value, "recovered_share"],
        "scheme_targets_met": int(targets["달성"].sum()),
        "scheme_targets_total": len(targets),
        "scheme_caught_target": SCHEME_CAUGHT_TARGET,
        "scheme_type_target": SCHEME_TYPE_TARGET,
        "scheme_delay_target": SCHEME_DELAY_TARGET,
        "scheme_oracle_caught": f"{reference:.0%}" if reference is not None else NOT_COMPUTED,
        "scheme_oracle_types": ", ".join(ORACLE_SCHEME_TYPES),
    }


def scheme_types_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The improved detector's schemes by type: how many, the share caught, the median delay and
    the share of the value recoverable."""
    by_type = outcomes.groupby("anomaly_type").agg(
        schemes=("caught", "size"),
        caught=("caught", "mean"),
        delay=("delay_months", "median"),
        value=("value_usd", "sum"),
        recovered=("recovered_usd", "sum"),
    )
    by_type["recovered"] = by_type["recovered"] / by_type["value"]
    names = dict(zip(SCHEME_TYPES_TABLE["type"], SCHEME_TYPES_TABLE["name"]))
    return pd.DataFrame(
        {
            "유형": [f"{kind} {names[kind]}" for kind in by_type.index],
            "수법 수(시드 합)": by_type["schemes"].to_numpy(),
            "잡은 비율": by_type["caught"].round(2).to_numpy(),
            "지연 중앙값(개월)": by_type["delay"].to_numpy(),
            "회수 가능 금액 비율": by_type["recovered"].round(2).to_numpy(),
        }
    )


# The schemes an oracle can score: a new partner's rows are not in the generator's latent model.
ORACLE_SCHEME_TYPES = ("g", "h", "i", "j")


def one_month_oracle_catch(context: Context, panel: pd.DataFrame, injections: dict, share: float) -> float | None:
    """A reference for the scheme protocol: the share of the schemes of ORACLE_SCHEME_TYPES that
    reach the monthly budget when every month is ranked by the oracle told the generator's
    expected price, level shifts and noise (`ceiling.oracle_scores(known_levels=True)`), each
    month judged alone. None on real data (no generator)."""
    provenance = describe_raw_data(context.raw)
    if not provenance.is_synthetic:
        return None
    latent = synth.latent_price_model(provenance.seed)
    prior = ceiling.price_factor_prior(panel)
    caught = []
    for result in injections.values():
        kept = ~result.panel["anomaly_type"].isin(set(SCHEME_TYPES) - set(ORACLE_SCHEME_TYPES)).to_numpy()
        scored = result.panel[kept].reset_index(drop=True)
        scores = ceiling.oracle_scores(strip_labels(scored), latent, prior, known_levels=True)["score"]
        flags = budget_flags(scores.where(experiments.in_test_year(scored)), scored["month"], share).to_numpy()
        ids = scored[config.SCHEME_COLUMN].to_numpy()
        caught += [flags[ids == scheme].any() for scheme in sorted(set(ids) - {""})]
    return float(np.mean(caught))


def schemes_study(context: Context) -> StudyResult:
    """The scheme protocol alone (what chapter 06-2 section 6 shows), with the build's fits:
    `benchmarks/bench_schemes.py` runs it."""
    panel = read_panel(context.paths.panel)
    seeds = list(range(context.seed, context.seed + context.profile.injection_seeds))
    detectors = build_detectors(context, panel)
    form_model = build_detector(context, panel, IMPROVED, **PROSPECTIVE_FORM)
    return schemes_section(context, panel, detectors, form_model, seeds)
