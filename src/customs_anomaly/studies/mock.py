"""Chapter 04: labelled mock anomalies injected into the test year."""

from __future__ import annotations

from customs_anomaly import plots
from customs_anomaly.anomaly_types import FREIGHT_TYPES, PRICE_GROUP, PRICE_TYPES
from customs_anomaly.inject import (
    InjectionSpec,
    inject_anomalies,
    inject_fixed,
    protocol_table,
    region_level_freight_share,
    separability_check,
)
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.periods import period_numbers

FIXED_EXAMPLE = {"anomaly_type": "d", "factor": 0.7, "n": 100}  # 30% under-declaration, 100 rows


def injection_log_path(context: Context):
    return context.paths.injected_panel.with_name("panel_injected_log.parquet")


def mock_study(context: Context, spec: InjectionSpec = InjectionSpec()) -> StudyResult:
    panel = read_panel(context.paths.panel)
    result = inject_anomalies(panel, seed=context.seed, spec=spec)
    write_table(result.panel, context.paths.injected_panel)
    write_table(result.log, injection_log_path(context))
    test = panel["month"].between(spec.test_start, spec.test_end)
    eligible = test & (panel["weight_kg"] > 0)
    separability = separability_check(result, spec).set_index("비교 항목")
    fixed = inject_fixed(panel, seed=context.seed, **FIXED_EXAMPLE)
    numbers = {
        **period_numbers(),
        "seed_used": context.seed,
        "n_injected": int(result.panel["is_anomaly"].sum()),
        "n_freight_anomalies": sum(spec.counts.get(kind, 0) for kind in FREIGHT_TYPES),
        "n_price_anomalies": sum(spec.counts.get(kind, 0) for kind in PRICE_TYPES),
        "n_test_rows": int(test.sum()),
        "n_eligible_rows": int(eligible.sum()),
        "injected_share": float(result.panel["is_anomaly"].sum() / eligible.sum()),
        "misdeclared_total_musd": float(result.log["misdeclared_usd"].sum() / 1e6),
        "misdeclared_price_musd": float(
            result.log.loc[result.log["group"] == PRICE_GROUP, "misdeclared_usd"].sum() / 1e6
        ),
        "ks_weight_p": float(separability.loc["log 중량", "p값"]),
        "ks_month_p": float(separability.loc["월 순번", "p값"]),
        "freight_identical_share": region_level_freight_share(panel, spec),
        "fixed_n": int(fixed.panel["is_anomaly"].sum()),
        "fixed_factor": FIXED_EXAMPLE["factor"],
        "fixed_cut": 1 - FIXED_EXAMPLE["factor"],
    }
    summary = result.log.groupby("anomaly_type").agg(
        건수=("factor", "size"),
        최소_배율=("factor", "min"),
        최대_배율=("factor", "max"),
        부정_신고액_USD=("misdeclared_usd", "sum"),
    )
    tables = {
        "table_protocol": protocol_table(spec),
        "table_injected": summary,
        "table_separability": separability.reset_index(),
        "table_fixed_example": fixed.log[
            ["month", "hsk_code", "country_code", "item_name", "factor", "original_value_usd", "injected_value_usd"]
        ].head(),
    }
    figures = {"fig_injection_examples": plots.injection_before_after(panel, result.panel, result.log)}
    return StudyResult(numbers, tables, figures)
