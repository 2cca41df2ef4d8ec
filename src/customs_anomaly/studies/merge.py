"""Chapter 02: six public sources merged into one monthly panel, and what is dropped on the way."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config, plots, realism
from customs_anomaly.merge import before_after_example, build_panel, region_mapping_table, source_summary
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.sources import load_raw
from customs_anomaly.storage import write_table
from customs_anomaly.studies.common import Context, StudyResult, merged
from customs_anomaly.studies.periods import period_numbers
from customs_anomaly.synth import noise_figures
from customs_anomaly.synth import reference_figures as real


def merge_study(context: Context) -> StudyResult:
    """Load the raw sources, build and save the panel and its row accounting, and describe both:
    chapter 02, section by section (the raw sources and the panel are loaded and built once)."""
    raw = load_raw(context.raw)
    built = build_panel(raw)
    panel = sample_items(built.panel, context.profile.item_share, context.seed)
    write_table(panel, context.paths.panel)
    write_table(built.accounting, context.paths.row_accounting)
    return merged(
        sources_section(context, raw),
        merge_steps_section(),
        accounting_section(built, panel, context.profile.item_share),
        region_mapping_section(raw.trade),
        before_after_section(raw, panel),
        trade_noise_section(panel),
        comparison_with_real_releases(raw),
        price_noise_comparison(raw),
    )


def sources_section(context: Context, raw) -> StudyResult:
    """Section 1 (reading the six sources) and the chapter's opening: where the data come from,
    each source, the first raw trade rows, and the monthly imports the introduction cites."""
    imports = raw.trade[raw.trade["trade_flow"] == "I"]
    monthly_import_musd = imports.groupby("month")["value_usd"].sum() / 1e6
    numbers = {
        "data_label": describe_raw_data(context.raw).detail,
        "n_trade_files": raw.trade["source_file"].nunique(),
        "n_trade_rows": len(raw.trade),
        "import_musd_low": float(monthly_import_musd.min()),  # cited by the introduction
        "import_musd_high": float(monthly_import_musd.max()),
    }
    tables = {
        "table_sources": source_summary(raw),
        "table_raw_rows": imports.head(8).drop(columns=["source_file"]),
    }
    return StudyResult(numbers, tables)


def merge_steps_section() -> StudyResult:
    """Section 2 (the merge's steps): the study period and the container payload."""
    numbers = {
        # the period labels 02 and the introduction cite
        **period_numbers(
            "study_start", "study_end", "n_study_months", "train_until", "test_start", "test_end", "n_test_months"
        ),
        "payload_kg": config.CONTAINER_PAYLOAD_KG,
    }
    return StudyResult(numbers)


def accounting_section(built, panel: pd.DataFrame, item_share: float) -> StudyResult:
    """Section 3 (row accounting): the rows each step drops and the panel that remains."""
    counts = built.accounting.set_index("reason")["rows"]
    rows_per_month = panel.groupby("month").size()
    numbers = {
        **{f"rows_{reason}": int(n) for reason, n in counts.items()},
        "recovered_codes": built.recovered_country_codes,
        "item_share": item_share,
        "panel_months": panel["month"].nunique(),
        "panel_series": panel.groupby(["hsk_code", "country_code"]).ngroups,
        "panel_hsk_codes": panel["hsk_code"].nunique(),
        "rows_per_month_min": int(rows_per_month.min()),
        "rows_per_month_max": int(rows_per_month.max()),
        "zero_weight_share": float((panel["weight_kg"] == 0).mean()),
    }
    table = built.accounting[["label", "rows"]].rename(columns={"label": "구분", "rows": "행 수"})
    return StudyResult(numbers, {"table_accounting": table}, {"fig_rows_by_region": plots.panel_rows_by_region(panel)})


def region_mapping_section(trade: pd.DataFrame) -> StudyResult:
    """Section 4 (the freight region mapping): the partners mapped to the EU, those the original's
    country names missed, and the countries outside every freight region."""
    mapping = region_mapping_table(trade)
    missed = mapping[(mapping["region"] == "유럽연합") & ~mapping["eu_by_original_names"]]
    numbers = {
        "eu_missed_countries": ", ".join(missed["country_name"]) if len(missed) else "없음",
        "eu_missed_rows": int(missed["rows"].sum()),
        "eu_missed_n": len(missed),
        "eu_partners": int((mapping["region"] == "유럽연합").sum()),
        "n_partner_countries": int((mapping["country_code"] != "").sum()),
        "n_outside_countries": int(mapping["region"].isna().sum()),
    }
    table = mapping[mapping["region"] == "유럽연합"].rename(
        columns={
            "country_code": "국가코드",
            "country_name": "국가명",
            "rows": "수입 행 수",
            "region": "운임 지역",
            "eu_by_original_names": "원 출품작 목록상 EU",
        }
    )
    return StudyResult(numbers, {"table_region_mapping": table})


def before_after_section(raw, panel: pd.DataFrame) -> StudyResult:
    """Section 5 (before and after the merge): one series' raw rows and panel rows, and the
    freight routes."""
    before, after = before_after_example(raw.trade, panel)
    return StudyResult(
        tables={"table_before": before, "table_after": after},
        figures={"fig_freight_routes": plots.freight_routes(raw.freight)},
    )


def trade_noise_section(panel: pd.DataFrame) -> StudyResult:
    """Section 6 (the noise of trade statistics): how far the panel's unit prices move from month
    to month, overall and by flow size."""
    noise = noise_figures(panel)
    numbers = {
        "noise_median_change": noise["median_abs_dlog_price"],
        "noise_small_change": noise["median_abs_dlog_price_smallest_quarter"],
        "noise_large_change": noise["median_abs_dlog_price_largest_quarter"],
        "noise_far_share": noise["share_beyond_factor_2"],
    }
    return StudyResult(numbers, figures={"fig_price_noise": plots.price_change_by_flow_size(panel)})


def sample_items(panel: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """The panel restricted to a seeded random `share` of its HSK codes (all of them at 1)."""
    if share >= 1.0:
        return panel
    codes = np.sort(panel["hsk_code"].unique())
    rng = np.random.default_rng(seed)
    kept = rng.choice(codes, size=max(1, round(share * len(codes))), replace=False)
    return panel[panel["hsk_code"].isin(kept)].reset_index(drop=True)


def comparison_month(trade) -> pd.Timestamp:
    """The latest month of the build's data in the calendar month of the real release."""
    month_of_year = pd.Timestamp(real.TRADE_RELEASE_MONTH).month
    months = trade.loc[trade["month"].dt.month == month_of_year, "month"]
    return months.max()


def comparison_with_real_releases(raw) -> StudyResult:
    """The build's data beside the real releases the replica is calibrated to: the structural
    figures of one July release, the partners per code, the regional mix, unit prices per code
    and the freight paths."""
    month = comparison_month(raw.trade)
    structure = realism.structure_table(raw.trade, month)
    freight = realism.freight_checks(raw.freight)
    prices = realism.unit_price_comparison(raw.trade, month)
    numbers = {
        "real_release": real.TRADE_RELEASE,
        "freight_release": real.FREIGHT_RELEASE,
        "comparison_month": f"{month:%Y-%m}",
        "structure_within": int(structure["within"].sum()),
        "structure_total": len(structure),
        "structure_outside": ", ".join(structure.loc[~structure["within"], "label"]) or "없음",
        "freight_routes_within": int(freight["within"].sum()),
        "freight_routes": len(freight),
        "freight_min_correlation": float(freight["correlation"].min()),
        "freight_max_peak_gap": int(freight["peak_month_gap"].max()),
        "freight_min_correlation_target": realism.FREIGHT_MIN_CORRELATION,
        "freight_peak_tolerance": realism.FREIGHT_PEAK_TOLERANCE,
        "freight_peak_months": realism.FREIGHT_PEAK_MONTHS,
        "unit_price_factor": realism.UNIT_PRICE_FACTOR,
        "unit_price_codes": len(prices),
        "unit_price_within_share": float(prices["within"].mean()) if len(prices) else float("nan"),
    }
    source = realism.replica_label(month)
    tables = {
        "table_real_structure": structure.assign(within=structure["within"].map({True: "예", False: "아니오"}))[
            ["label", "real", "replica", "tolerance", "within"]
        ]
        .rename(
            columns={
                "label": "지표",
                "real": f"실제 ({real.TRADE_RELEASE_MONTH})",
                "replica": source,
                "tolerance": "허용 범위",
                "within": "범위 안",
            }
        )
        .round(3),
        "table_real_freight": freight.assign(
            real_peak_month=freight["real_peak_month"].dt.strftime("%Y-%m"),
            replica_peak_month=freight["replica_peak_month"].dt.strftime("%Y-%m"),
            within=freight["within"].map({True: "예", False: "아니오"}),
        )[["route", "correlation", "real_peak", "replica_peak", "real_peak_month", "replica_peak_month", "within"]]
        .rename(
            columns={
                "route": "항로",
                "correlation": "상관계수",
                "real_peak": "실제 정점(천원)",
                "replica_peak": "이 빌드 정점(천원)",
                "real_peak_month": "실제 정점 월",
                "replica_peak_month": "이 빌드 정점 월",
                "within": "범위 안",
            }
        )
        .round(3),
    }
    figures = {
        "fig_real_countries_per_code": plots.countries_per_code_bars(
            realism.countries_per_code_table(raw.trade, month)
        ),
        "fig_real_region_mix": plots.region_mix_bars(realism.region_mix_table(raw.trade, month)),
        "fig_real_unit_prices": plots.unit_price_real_vs_replica(prices, realism.UNIT_PRICE_FACTOR),
        "fig_real_freight": plots.freight_real_vs_replica(realism.freight_paths(raw.freight)),
    }
    return StudyResult(numbers, tables, figures)


def _noise_display(table: pd.DataFrame, real_label: str) -> pd.DataFrame:
    """A realism comparison as the chapter shows it (Korean headers; '예'/'아니오'/'' for within)."""
    within = table["within"].map({True: "예", False: "아니오"}).fillna("")
    counts = table["figure"].str.replace("item_", "").isin(["rows", "series", "changes"])

    def shown(values: pd.Series) -> list[str]:
        return [f"{v:,.0f}" if count else f"{v:.3f}" for v, count in zip(values, counts)]

    return table.assign(within=within, real=shown(table["real"]), replica=shown(table["replica"]))[
        ["label", "real", "replica", "tolerance", "within"]
    ].rename(
        columns={
            "label": "지표",
            "real": real_label,
            "replica": "이 빌드",
            "tolerance": "허용 범위",
            "within": "범위 안",
        }
    )


def price_noise_comparison(raw) -> StudyResult:
    """How far legitimate prices stray, real and this build: the year-to-date deviation of July
    releases by country (and of October by item) against the real releases, by flow size, and the
    month-to-month dynamics of well-traded series against the weekly import prices."""
    ytd = realism.ytd_table(raw.trade)
    dynamics = realism.dynamics_table(raw.trade)
    figures = ytd.set_index("figure")
    moves = dynamics.set_index("figure")
    checked = ytd[ytd["within"].notna()]
    dynamics_checked = dynamics[dynamics["within"].notna()]
    months = realism.pooled_months(raw.trade, realism.YTD_MONTH_BY_COUNTRY)
    numbers = {
        "item_release": real.ITEM_RELEASE,
        "weekly_release": real.WEEKLY_RELEASE,
        "ytd_months": ", ".join(f"{m:%Y-%m}" for m in months),
        "ytd_real_rows": int(figures.loc["rows", "real"]),
        "ytd_rows": int(figures.loc["rows", "replica"]),
        **{
            f"ytd_{side}_{name}": float(figures.loc[name, side])
            for side in ("real", "replica")
            for name in ("median", "p90", "beyond_2", "beyond_3", "small_beyond_2", "small_median", "large_median")
        },
        "ytd_real_item_beyond_2": float(figures.loc["item_beyond_2", "real"]),
        "ytd_replica_item_beyond_2": float(figures.loc["item_beyond_2", "replica"]),
        "ytd_within": int(checked["within"].astype(bool).sum()),
        "ytd_checked": len(checked),
        "dynamics_within": int(dynamics_checked["within"].astype(bool).sum()),
        "dynamics_checked": len(dynamics_checked),
        "dynamics_series": int(moves.loc["series", "replica"]),
        "well_traded_months": realism.WELL_TRADED_MONTHS,
        "well_traded_median_usd": realism.WELL_TRADED_MEDIAN_USD,
        **{
            f"dynamics_{side}_{name}": float(moves.loc[name, side])
            for side in ("real", "replica")
            for name in ("beyond_1_5", "revert_share", "lag1_autocorrelation")
        },
    }
    labels = {size: realism.FLOW_SIZE_LABELS[size] for size in ("small", "middle", "large", "all")}
    return StudyResult(
        numbers,
        {
            "table_real_ytd": _noise_display(ytd, f"실제 ({real.TRADE_RELEASE_MONTH} / 품목별 2025-10)"),
            "table_real_dynamics": _noise_display(dynamics, "실제 (주간 단가 2015-12~2020-12)"),
        },
        {"fig_real_ytd": plots.ytd_deviation_survival(realism.survival_table(raw.trade), labels)},
    )
