"""Chapter 03: what the panel looks like before any model."""

from __future__ import annotations

import pandas as pd

from customs_anomaly import explore, items, plots
from customs_anomaly.storage import read_panel
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.periods import period_numbers

WINDOW_MONTHS = 12  # the original's LSTM window
TABLE_NAME_LENGTH = 24  # item names in a table (the full tariff names run to 100 characters)


def explore_study(context: Context) -> StudyResult:
    panel = read_panel(context.paths.panel)
    freight = explore.freight_by_region(panel)
    us, eu = freight["미국"], freight["유럽연합"]
    near = freight[["중국", "일본", "베트남"]]
    by_region = explore.top_items(panel, n=3, by=["region"])
    top10 = explore.top_items(panel, n=10)
    weights = explore.monthly_weight_of_top_items(panel, n=5)
    season = explore.seasonality(panel)
    prices = explore.unit_prices_by_group(panel)
    zero = explore.zero_weight_by_calendar_month(panel)
    lengths = explore.series_lengths(panel)
    corr = explore.macro_correlations(panel)
    audit = explore.quality_audit(panel).set_index("점검 항목")["행 수"]
    numbers = {
        **period_numbers("study_start", "study_end", "test_start", "test_end"),
        "freight_us_start": float(us.iloc[0]),
        "freight_us_peak": float(us.max()),
        "freight_us_peak_month": us.idxmax().strftime("%Y-%m"),
        "freight_us_ratio": float(us.max() / us.iloc[0]),
        "freight_us_end": float(us.iloc[-1]),
        "freight_eu_peak_month": eu.idxmax().strftime("%Y-%m"),
        "freight_far_swing": float((freight[["미국", "유럽연합"]].max() / freight[["미국", "유럽연합"]].min()).mean()),
        "freight_near_swing": float((near.max() / near.min()).mean()),
        "top1_item": top10["item_name"].iloc[0],
        "top10_share": float(top10["share"].sum()),
        "season_q1_vs_q3": float(season.loc[[1, 2, 3], "weight_t"].mean() / season.loc[[7, 8, 9], "weight_t"].mean()),
        "price_median": float(prices["unit_price"].median()),
        "price_min": float(prices["unit_price"].min()),
        "price_max": float(prices["unit_price"].max()),
        "zero_share": float((panel["weight_kg"] == 0).mean()),
        "zero_jan": float(zero.loc[1]),
        "zero_dec": float(zero.loc[12]),
        "zero_peak_month": int(zero.idxmax()),
        "zero_peak": float(zero.max()),
        "n_series": len(lengths),
        "window_months": WINDOW_MONTHS,
        "n_series_12_present": int((lengths["longest_run_present"] >= WINDOW_MONTHS).sum()),
        "n_series_12_positive": int((lengths["longest_run_positive"] >= WINDOW_MONTHS).sum()),
        "median_months_present": float(lengths["months_present"].median()),
        "corr_freight_dubai": float(corr.loc["kg당 운임", "두바이유"]),
        "corr_price_fx": float(corr.loc["단가 중앙값(로그)", "원/달러 환율"]),
        "audit_duplicates": int(audit["중복 키"]),
        "audit_price_missing_positive": int(audit["단가 결측(중량 > 0)"]),
    }
    tables = {
        "table_top_by_region": pd.DataFrame(
            {
                "지역": by_region["region"],
                "HSK 코드": by_region["hsk_code"],
                "품목": items.short_names(by_region["hsk_code"], by_region["item_name"], limit=TABLE_NAME_LENGTH),
                "수입액(백만 USD)": (by_region["value_usd"] / 1e6).round(1),
                "지역 내 비중(%)": (by_region["share"] * 100).round(1),
            }
        ).set_index("지역"),
        "table_audit": explore.quality_audit(panel),
    }
    figures = {
        "fig_eda_freight": plots.freight_by_region(freight),
        "fig_eda_top_by_region": plots.top_items_by_region(by_region),
        "fig_eda_top10": plots.top_items_bar(top10),
        "fig_eda_top5_weight": plots.monthly_weight_lines(weights),
        "fig_eda_season": plots.seasonality_bars(season),
        "fig_eda_price_groups": plots.unit_price_by_group(prices),
        "fig_eda_series_length": plots.series_length_histogram(lengths, window=WINDOW_MONTHS),
        "fig_eda_macro": plots.macro_panels(explore.macro_series(panel)),
        "fig_eda_corr": plots.correlation_heatmap(corr),
    }
    return StudyResult(numbers, tables, figures)
