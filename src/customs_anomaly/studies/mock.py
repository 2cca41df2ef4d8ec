"""Chapter 04: labelled mock anomalies injected into the test year."""

from __future__ import annotations

from customs_anomaly import plots
from customs_anomaly.anomaly_types import FREIGHT_TYPES, PRICE_GROUP, PRICE_TYPES
from customs_anomaly.inject import (
    InjectionSpec,
    SchemeSpec,
    inject_anomalies,
    inject_fixed,
    inject_schemes,
    protocol_table,
    region_level_freight_share,
    scheme_protocol_table,
    separability_check,
)
from customs_anomaly.storage import read_panel, write_table
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.tables import with_formats

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
        **period_numbers("train_until", "test_start", "test_end"),
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
        "ks_weight_p": float(separability.loc["중량 (kg, 중앙값)", "p값"]),
        "ks_month_p": float(separability.loc["시험 연도의 몇째 달 (중앙값)", "p값"]),
        "freight_identical_share": region_level_freight_share(panel, spec),
        "fixed_n": int(fixed.panel["is_anomaly"].sum()),
        "fixed_factor": FIXED_EXAMPLE["factor"],
        "fixed_cut": 1 - FIXED_EXAMPLE["factor"],
    }
    summary = (
        result.log.groupby("anomaly_type")
        .agg(count=("factor", "size"), low=("factor", "min"), high=("factor", "max"), usd=("misdeclared_usd", "sum"))
        .rename_axis("유형")
        .rename(columns={"count": "건수", "low": "최소 배율", "high": "최대 배율", "usd": "부정 신고액 (USD)"})
    )
    summary = with_formats(summary, {"부정 신고액 (USD)": ",.0f"})
    tables = {
        "table_protocol": protocol_table(spec),
        "table_injected": summary,
        "table_separability": separability.reset_index(),
        "table_fixed_example": fixed.log[
            ["month", "hsk_code", "country_code", "item_name", "factor", "original_value_usd", "injected_value_usd"]
        ]
        .head()
        .rename(
            columns={
                "month": "달",
                "hsk_code": "HSK 코드",
                "country_code": "국가",
                "item_name": "품목명",
                "factor": "배율",
                "original_value_usd": "원래 금액 (USD)",
                "injected_value_usd": "주입한 금액 (USD)",
            }
        ),
    }
    figures = {"fig_injection_examples": plots.injection_before_after(panel, result.panel, result.log)}
    return StudyResult(numbers, tables, figures).merge(scheme_protocol_study(context, panel))


def scheme_protocol_study(context: Context, panel, spec: SchemeSpec = SchemeSpec()) -> StudyResult:
    """The scheme protocol: its table, one seed's schemes and two of them drawn."""
    result = inject_schemes(panel, seed=context.seed, spec=spec)
    schemes = result.schemes
    numbers = {
        "n_schemes": len(schemes),
        "scheme_rows": int(result.panel["is_anomaly"].sum()),
        "scheme_months_median": float(schemes["months"].median()),
        "scheme_months_max": int(schemes["months"].max()),
        "scheme_misdeclared_musd": float(schemes["misdeclared_usd"].sum() / 1e6),
        "scheme_min_months": spec.min_months,
        "scheme_new_rows": len(result.panel) - len(panel),
    }
    shown = schemes.assign(
        start=schemes["start"].dt.strftime("%Y-%m"),
        end=schemes["end"].dt.strftime("%Y-%m"),
        misdeclared_usd=schemes["misdeclared_usd"].round(0),
    ).rename(
        columns={
            "scheme_id": "수법",
            "anomaly_type": "유형",
            "hsk_code": "HS코드",
            "country_code": "국가",
            "start": "시작",
            "end": "끝",
            "months": "수입한 달 수",
            "misdeclared_usd": "부정 신고액(USD)",
        }
    )
    tables = {"table_scheme_protocol": scheme_protocol_table(spec), "table_schemes_injected": shown}
    figures = {"fig_scheme_examples": plots.scheme_examples(panel, result)}
    return StudyResult(numbers, tables, figures)
