"""Chapter 06-2: the test year replayed month by month, as a customs service would run the
detectors: each month scored knowing only the months up to it, its top share reviewed. Every
detector prospectively and retrospectively on the same injections as chapter 06; refitting; the
improved detector's prospective form; what an analyst sees in an ordinary month.
`benchmarks/bench_operations.py` runs this study and prints its targets table."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from customs_anomaly import config, experiments, plots
from customs_anomaly.detectors import DETECTOR_NAMES, make_detector
from customs_anomaly.operations import PROSPECTIVE, RETROSPECTIVE, STALE_MODEL_MONTHS, backtest, score_month
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult, progress
from customs_anomaly.studies.evaluation import METRIC_LABELS
from customs_anomaly.studies.fits import IMPROVED, build_detector, build_detectors, fit_parameters
from customs_anomaly.studies.periods import period_numbers

PROSPECTIVE_FORM = {"alignment": "trailing"}
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


def operations_study(context: Context) -> StudyResult:
    profile = context.profile
    panel = read_panel(context.paths.panel)
    seeds = list(range(context.seed, context.seed + profile.injection_seeds))
    injections = experiments.injected_panels(panel, seeds)
    months = pd.date_range(config.TEST_START, config.STUDY_END, freq="MS")
    share = profile.budget_share
    detectors = build_detectors(context, panel)
    form_model = build_detector(context, panel, IMPROVED, **PROSPECTIVE_FORM)

    def misdeclared(result):
        return experiments.misdeclared_by_row(result.panel, result.log)

    def fitted(detector):
        return lambda panel, until: detector  # fitted once on the training months

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
    refits = {
        name: backtest(
            refit_with(context, name), injections, months, share, PROSPECTIVE, refit_every=1, misdeclared=misdeclared
        )
        for name in REFIT_DETECTORS
    }
    table = pd.DataFrame(
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
    write_table(table, context.paths.processed / "operations_summary.csv")
    ap = table.pivot(index="detector", columns="mode", values="ap")
    retro_ap = ap.loc[RETRO_LABEL, RETROSPECTIVE]
    baseline_ap = ap.loc[list(BASELINES), PROSPECTIVE]
    rows = table.set_index(["detector", "mode"])
    forms = {label: rows.loc[(label, PROSPECTIVE)] for label in (CUT_LABEL, FORM_LABEL)}
    targets = targets_table(forms, retro_ap, float(baseline_ap.max()))
    best_label = max(forms, key=lambda label: forms[label]["ap"])
    best = forms[best_label]
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
    numbers = {
        **period_numbers(),
        "n_seeds": len(seeds),
        "budget_share": share,
        "retro_ap": retro_ap,
        "form_ap": forms[FORM_LABEL]["ap"],
        "cut_ap": forms[CUT_LABEL]["ap"],
        "form_share_of_retro": forms[FORM_LABEL]["ap"] / retro_ap,
        "cut_share_of_retro": forms[CUT_LABEL]["ap"] / retro_ap,
        "best_form": best_label,
        "best_form_vc1": best["value_capture_1pct"],
        "best_form_queue_precision": best["queue_precision"],
        "best_form_queue_recall": best["queue_recall"],
        "best_form_alerts_per_month": best["reviewed_per_month"],
        "best_baseline": baseline_ap.idxmax(),
        "best_baseline_prospective_ap": float(baseline_ap.max()),
        "robust_k": make_detector("robust").params["k"],
        "stale_model_months": STALE_MODEL_MONTHS,
        "robust_retro_ap": ap.loc["robust", RETROSPECTIVE],
        "robust_prospective_ap": ap.loc["robust", PROSPECTIVE],
        "n_causal": sum(detectors[name].causal for name in DETECTOR_NAMES),
        "n_detectors": len(DETECTOR_NAMES),
        "targets_met_cut": int(targets[CUT_LABEL].eq("예").sum()),
        "targets_met_form": int(targets[FORM_LABEL].eq("예").sum()),
        "targets_total": len(targets),
        "target_ap_share": PROSPECTIVE_AP_SHARE,
        "target_value_capture": PROSPECTIVE_VALUE_CAPTURE,
    }
    refit_table = pd.DataFrame(
        [
            {
                "탐지기": name,
                "한 번 학습 AP": runs[(name, PROSPECTIVE)].summary()["ap"],
                "매달 재학습 AP": run.summary()["ap"],
            }
            for name, run in refits.items()
        ]
    )
    numbers["refit_best_gain"] = float((refit_table["매달 재학습 AP"] - refit_table["한 번 학습 AP"]).max())

    per_month = pd.concat(
        [
            monthly_means(runs[(RETRO_LABEL, RETROSPECTIVE)]).assign(mode="사후 감사"),
            monthly_means(runs[(CUT_LABEL, PROSPECTIVE)]).assign(mode="감사용 모형, 미래를 자름"),
            monthly_means(runs[(FORM_LABEL, PROSPECTIVE)]).assign(mode="사전 식별용 모형"),
        ]
    )
    best_model = form_model if best_label == FORM_LABEL else detectors[IMPROVED]
    ordinary, month = ordinary_month(best_model, injections[seeds[0]], runs[(best_label, PROSPECTIVE)], share)
    numbers.update(
        ordinary_month=f"{month:%Y-%m}",
        ordinary_rows=int((panel["month"] == month).sum()),
        ordinary_queue=len(ordinary),
        ordinary_found=int((ordinary["주입 유형"] != "").sum()),
    )
    tables = {
        "table_operations": table.assign(mode=table["mode"].map({RETROSPECTIVE: "사후 감사", PROSPECTIVE: "사전 식별"}))
        .rename(columns={"detector": "탐지기", "mode": "방식", **METRIC_LABELS, **QUEUE_LABELS})
        .round(3),
        "table_operation_targets": targets,
        "table_refit": refit_table.round(3),
        "table_ordinary_month": ordinary.head(ORDINARY_MONTH_ROWS),
    }
    figures = {
        "fig_monthly_loop": plots.monthly_loop_diagram(),
        "fig_monthly_queue": plots.monthly_queue_lines(per_month),
        "fig_prospective_cost": plots.prospective_cost_bars(cost),
    }
    return StudyResult(numbers, tables, figures)


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
