"""Tables for the exploratory chapter (03): pure functions of the panel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config, items
from customs_anomaly.items import item_group

SERIES_KEY = ["hsk_code", "country_code"]


def freight_by_region(panel: pd.DataFrame) -> pd.DataFrame:
    """Month x region freight per container in 천원/2TEU (one value per region-month)."""
    return (panel.groupby(["month", "region"])["freight_krw_per_2teu"].median() / 1000).unstack("region")


def top_items(panel: pd.DataFrame, n: int = 10, by: list[str] | None = None) -> pd.DataFrame:
    """Top-n items by total import value (optionally within groups, e.g. by region)."""
    by = by or []
    totals = panel.groupby([*by, "hsk_code", "item_name"])["value_usd"].sum().rename("value_usd").reset_index()
    totals["share"] = (
        totals["value_usd"] / totals.groupby(by)["value_usd"].transform("sum")
        if by
        else (totals["value_usd"] / totals["value_usd"].sum())
    )
    ranked = totals.sort_values([*by, "value_usd"], ascending=[True] * len(by) + [False])
    return ranked.groupby(by).head(n).reset_index(drop=True) if by else ranked.head(n).reset_index(drop=True)


def monthly_weight_of_top_items(panel: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Month x item total import weight (tonnes) of the n items with the largest total weight."""
    leaders = panel.groupby("hsk_code")["weight_kg"].sum().nlargest(n).index
    subset = panel[panel["hsk_code"].isin(leaders)]
    tonnes = (subset.groupby(["month", "hsk_code"])["weight_kg"].sum() / 1000).unstack("hsk_code")[list(leaders)]
    names = subset.drop_duplicates("hsk_code").set_index("hsk_code")["item_name"].reindex(leaders)
    return tonnes.set_axis(items.short_names(names.index.to_series(), names).to_list(), axis=1)


def seasonality(panel: pd.DataFrame) -> pd.DataFrame:
    """Mean monthly import weight (tonnes) and value (million USD) by calendar month."""
    monthly = panel.groupby("month")[["weight_kg", "value_usd"]].sum()
    by_calendar = monthly.groupby(monthly.index.month).mean()
    return pd.DataFrame(
        {"weight_t": by_calendar["weight_kg"] / 1000, "value_musd": by_calendar["value_usd"] / 1e6}
    ).rename_axis("calendar_month")


def unit_prices_by_group(panel: pd.DataFrame) -> pd.DataFrame:
    """Unit prices of rows with weight > 0 with their item group."""
    priced = panel[panel["weight_kg"] > 0]
    return pd.DataFrame(
        {
            "item_group": item_group(priced["hsk_code"]).to_numpy(),
            "unit_price": priced["unit_price_usd_per_kg"].to_numpy(),
        }
    )


def zero_weight_by_calendar_month(panel: pd.DataFrame) -> pd.Series:
    """Share of rows with 0 kg this month, by calendar month (grows through the year)."""
    return (panel["weight_kg"] == 0).groupby(panel["month"].dt.month).mean().rename_axis("calendar_month")


def _longest_consecutive_run(months: pd.Series) -> int:
    index = months.dt.year * 12 + months.dt.month
    values = np.sort(index.to_numpy())
    if len(values) == 0:
        return 0
    breaks = np.flatnonzero(np.diff(values) != 1)
    edges = np.r_[-1, breaks, len(values) - 1]
    return int(np.diff(edges).max())


def series_lengths(panel: pd.DataFrame) -> pd.DataFrame:
    """Per series (HSK code x country): months present, months with weight > 0, the longest run
    of consecutive months present (any weight) and of consecutive months with weight > 0."""
    grouped = panel.groupby(SERIES_KEY)
    positive = panel[panel["weight_kg"] > 0].groupby(SERIES_KEY)
    table = (
        pd.DataFrame(
            {
                "months_present": grouped.size(),
                "months_positive": positive.size(),
                "longest_run_present": grouped["month"].apply(_longest_consecutive_run),
                "longest_run_positive": positive["month"].apply(_longest_consecutive_run),
            }
        )
        .fillna(0)
        .astype(int)
    )
    return table.reset_index()


def macro_correlations(panel: pd.DataFrame) -> pd.DataFrame:
    """Correlation of monthly macro series with the monthly median log unit price and the mean
    per-kg freight (one value per month)."""
    priced = panel[panel["weight_kg"] > 0]
    monthly = pd.DataFrame(
        {
            "단가 중앙값(로그)": np.log(priced.groupby("month")["unit_price_usd_per_kg"].median()),
            "kg당 운임": panel.groupby("month")["freight_krw_per_kg"].mean(),
            "원/달러 환율": panel.groupby("month")["usd_krw"].first(),
            "두바이유": panel.groupby("month")["dubai_usd"].first(),
            "소비자물가지수": panel.groupby("month")["cpi"].first(),
            "생산자물가지수": panel.groupby("month")["ppi"].first(),
        }
    )
    return monthly.corr()


def macro_series(panel: pd.DataFrame) -> pd.DataFrame:
    """Month x macro series (one value per month)."""
    return panel.groupby("month")[["usd_krw", "dubai_usd", "cpi", "ppi"]].first()


def quality_audit(panel: pd.DataFrame) -> pd.DataFrame:
    """Counts of data-quality problems, each with the rule that defines it."""
    priced = panel["weight_kg"] > 0
    price = panel["unit_price_usd_per_kg"]
    numeric = panel.select_dtypes("number")
    checks = [
        (
            "결측값(단가 제외, 모든 열)",
            "단가 외 열의 빈 값",
            int(panel.drop(columns="unit_price_usd_per_kg").isna().sum().sum()),
        ),
        ("단가 결측(중량 0)", "중량 0 → 단가 없음 (정상)", int(price.isna().sum())),
        ("단가 결측(중량 > 0)", "중량이 있는데 단가 없음", int((price.isna() & priced).sum())),
        ("중복 키", "월 × HSK × 국가가 두 번 이상", int(panel.duplicated(list(config.PANEL_KEY)).sum())),
        ("음수 값", "숫자 열의 음수", int((numeric < 0).sum().sum())),
        ("단가 < 0.01 USD/kg", "중량 > 0 행", int((price < 0.01).sum())),
        ("단가 > 5,000 USD/kg", "중량 > 0 행", int((price > 5000).sum())),
        (
            "누계 중량 < 당월 중량",
            "연간 누계가 당월보다 작음",
            int((panel["ytd_weight_kg"] < panel["weight_kg"] - 1e-6).sum()),
        ),
        (
            "누계 금액 < 당월 금액",
            "연간 누계가 당월보다 작음",
            int((panel["ytd_value_usd"] < panel["value_usd"] - 1e-6).sum()),
        ),
        ("중량 > 0, 금액 0", "무상 반입 등", int(((panel["value_usd"] == 0) & priced).sum())),
    ]
    return pd.DataFrame(checks, columns=["점검 항목", "규칙", "행 수"])
