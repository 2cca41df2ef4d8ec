"""Chapter 02: six public sources merged into one monthly panel, and what is dropped on the way."""

from __future__ import annotations

from customs_anomaly import config, plots
from customs_anomaly.merge import before_after_example, build_panel, region_mapping_table, source_summary
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.sources import load_raw
from customs_anomaly.storage import write_table
from customs_anomaly.studies.common import Context, StudyResult
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.synth import noise_figures


def merge_study(context: Context) -> StudyResult:
    """Load the raw sources, build and save the panel and its row accounting, and describe both."""
    provenance = describe_raw_data(context.raw)
    raw = load_raw(context.raw)
    merged = build_panel(raw)
    panel = merged.panel
    write_table(panel, context.paths.panel)
    write_table(merged.accounting, context.paths.row_accounting)

    imports = raw.trade[raw.trade["trade_flow"] == "I"]
    monthly_import_musd = imports.groupby("month")["value_usd"].sum() / 1e6
    counts = merged.accounting.set_index("reason")["rows"]
    rows_per_month = panel.groupby("month").size()
    mapping = region_mapping_table(raw.trade)
    missed = mapping[(mapping["region"] == "유럽연합") & ~mapping["eu_by_original_names"]]
    noise = noise_figures(panel)
    numbers = {
        **period_numbers(),
        "data_label": provenance.detail,
        "data_kind": "합성" if provenance.is_synthetic else "실제",
        "n_trade_files": raw.trade["source_file"].nunique(),
        "n_trade_rows": len(raw.trade),
        "import_musd_low": float(monthly_import_musd.min()),
        "import_musd_high": float(monthly_import_musd.max()),
        "payload_kg": config.CONTAINER_PAYLOAD_KG,
        **{f"rows_{reason}": int(n) for reason, n in counts.items()},
        "recovered_codes": merged.recovered_country_codes,
        "panel_rows": len(panel),
        "panel_months": panel["month"].nunique(),
        "panel_series": panel.groupby(["hsk_code", "country_code"]).ngroups,
        "panel_hsk_codes": panel["hsk_code"].nunique(),
        "rows_per_month_min": int(rows_per_month.min()),
        "rows_per_month_max": int(rows_per_month.max()),
        "zero_weight_share": float((panel["weight_kg"] == 0).mean()),
        "eu_missed_countries": ", ".join(missed["country_name"]) if len(missed) else "없음",
        "eu_missed_rows": int(missed["rows"].sum()),
        "n_partner_countries": int((mapping["country_code"] != "").sum()),
        "n_outside_countries": int(mapping["region"].isna().sum()),
        "noise_median_change": noise["median_abs_dlog_price"],
        "noise_small_change": noise["median_abs_dlog_price_smallest_quarter"],
        "noise_large_change": noise["median_abs_dlog_price_largest_quarter"],
        "noise_far_share": noise["share_beyond_factor_2"],
    }
    before, after = before_after_example(raw.trade, panel)
    tables = {
        "table_sources": source_summary(raw),
        "table_raw_rows": imports.head(8).drop(columns=["source_file"]),
        "table_accounting": merged.accounting[["label", "rows"]].rename(columns={"label": "구분", "rows": "행 수"}),
        "table_region_mapping": mapping.rename(
            columns={
                "country_code": "국가코드",
                "country_name": "국가명",
                "rows": "수입 행 수",
                "region": "운임 지역",
                "eu_by_original_names": "원 출품작 목록상 EU",
            }
        ),
        "table_before": before,
        "table_after": after,
    }
    figures = {
        "fig_rows_by_region": plots.panel_rows_by_region(panel),
        "fig_freight_routes": plots.freight_routes(raw.freight),
        "fig_price_noise": plots.price_change_by_flow_size(panel),
    }
    return StudyResult(numbers, tables, figures)
