"""How close the replica is to the real releases: the same figures computed from any trade frame.

Every function takes a loaded trade frame (``read_trade`` / ``load_raw(...).trade`` of real or
replica files, or ``synth.trade_records``) and a month, and computes one figure the same way for
both sides. The real side of the comparisons comes from ``synth.reference_figures``: aggregates
of the real releases written into the package (the real files are not part of the repository),
which a test recomputes from the real files with these same functions whenever they are at hand.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.countries import code_from_name, region_of
from customs_anomaly.synth import reference_figures as real

ROWS_TOLERANCE = 0.20  # relative: rows, HSK codes and the mean countries per code
MEDIAN_COUNTRIES_TOLERANCE = 0.5  # the median number of partner countries per code
REGION_SHARE_TOLERANCE = 0.04  # each region's share of the rows, absolute
ZERO_WEIGHT_TOLERANCE = 0.05  # share of rows with 0 kg this month, absolute
VALUE_SHARE_TOLERANCE = 0.10  # the five regions' share of the import value, absolute
PRICE_SPREAD_TOLERANCE = 0.25  # relative: spread of unit prices across countries within a code
UNIT_PRICE_FACTOR = 3.0  # a code's unit price is near the real one within this factor ...
UNIT_PRICE_MIN_SHARE = 0.70  # ... for at least this share of the codes both sides trade
FREIGHT_MIN_CORRELATION = 0.8
FREIGHT_PEAK_TOLERANCE = 0.30  # relative
FREIGHT_PEAK_MONTHS = 4

REAL_LABEL = f"실제 ({real.TRADE_RELEASE_MONTH})"
FREIGHT_REAL_LABEL = "실제"
FREIGHT_REPLICA_LABEL = "복제"

FIGURE_LABELS = {
    "import_rows": "수입 행 수 (건)",
    "hsk_codes": "HSK 품목 수 (개)",
    "countries": "상대국 수 (개국)",
    "zero_weight_share": "당월 중량 0인 행 비율",
    "countries_per_code_median": "품목당 상대국 수 중앙값 (중량>0, 개국)",
    "countries_per_code_mean": "품목당 상대국 수 평균 (중량>0, 개국)",
    **{f"region_share_{region}": f"지역별 행 비율: {region}" for region in config.REGIONS},
    "value_share_five_regions": "5개 지역의 수입 금액 비율",
    "price_spread": "품목 내 국가 간 단가 차이 중앙값 (|log 비|)",
    "unit_price_share_within": f"품목 단가가 실제의 {UNIT_PRICE_FACTOR:g}배 이내인 품목 비율",
}


def month_imports(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """Import rows of one month with 10-digit HSK codes, country codes (a blank code recovered
    from the Korean name) and the freight region (None outside the five regions)."""
    frame = trade[(trade["trade_flow"] == "I") & (trade["month"] == pd.Timestamp(month))]
    code = frame["country_code"].fillna("").astype(str)
    code = code.where(code != "", frame["country_name"].map(code_from_name))
    return frame.assign(
        hsk_code=frame["hsk_code"].astype(str).str.zfill(10),
        country_code=code,
        region=code.map(region_of),
    )


def regional_imports(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """Import rows of one month in the five freight regions (the rows the merge keeps)."""
    imports = month_imports(trade, month)
    return imports[imports["region"].notna()]


def unit_price_by_code(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.Series:
    """Per HSK code: total value over total weight of its five-region rows with kg > 0 (USD/kg)."""
    rows = regional_imports(trade, month)
    rows = rows[(rows["weight_kg"] > 0) & (rows["value_usd"] > 0)]
    totals = rows.groupby("hsk_code")[["value_usd", "weight_kg"]].sum()
    return (totals["value_usd"] / totals["weight_kg"]).rename("unit_price_usd_per_kg")


def price_spread(trade: pd.DataFrame, month: str | pd.Timestamp) -> float:
    """Median over five-region rows with kg > 0 of |log(row unit price / its code's unit price)|,
    for codes with at least two such rows: how far apart countries' prices of one item are."""
    rows = regional_imports(trade, month)
    rows = rows[(rows["weight_kg"] > 0) & (rows["value_usd"] > 0)]
    shared = rows.groupby("hsk_code")["country_code"].transform("size") >= 2
    rows = rows[shared]
    code_price = rows["hsk_code"].map(unit_price_by_code(trade, month))
    deviation = np.log(rows["value_usd"] / rows["weight_kg"]) - np.log(code_price)
    return float(deviation.abs().median())


def countries_per_code(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """Distribution of the number of partner countries (five regions, kg > 0) per HSK code:
    columns countries, codes, share."""
    rows = regional_imports(trade, month)
    counts = rows[rows["weight_kg"] > 0].groupby("hsk_code")["country_code"].nunique()
    table = counts.value_counts().sort_index().rename_axis("countries").rename("codes").reset_index()
    return table.assign(share=table["codes"] / table["codes"].sum())


def region_mix(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """Rows (five regions, 0-kg rows included) by freight region: columns region, rows, share."""
    rows = regional_imports(trade, month)
    counts = rows.groupby("region").size().reindex(list(config.REGIONS), fill_value=0)
    table = counts.rename_axis("region").rename("rows").reset_index()
    return table.assign(share=table["rows"] / table["rows"].sum())


def structure_figures(trade: pd.DataFrame, month: str | pd.Timestamp) -> dict[str, float]:
    """The structural figures of one monthly release, five freight regions unless named "all_":
    rows, HSK codes, countries, share of rows with 0 kg, partner countries per code (kg > 0:
    median, mean), each region's share of the rows, the regions' share of the import value, the
    spread of unit prices across countries within a code; and rows, countries, codes and 0-kg
    share of the whole import release."""
    imports = month_imports(trade, month)
    regional = imports[imports["region"].notna()]
    per_code = countries_per_code(trade, month)
    counts = np.repeat(per_code["countries"].to_numpy(), per_code["codes"].to_numpy())
    mix = region_mix(trade, month).set_index("region")["share"]
    return {
        "import_rows": len(regional),
        "hsk_codes": int(regional["hsk_code"].nunique()),
        "countries": int(regional["country_code"].nunique()),
        "zero_weight_share": float((regional["weight_kg"] == 0).mean()),
        "countries_per_code_median": float(np.median(counts)),
        "countries_per_code_mean": float(counts.mean()),
        **{f"region_share_{region}": float(mix[region]) for region in config.REGIONS},
        "value_share_five_regions": float(regional["value_usd"].sum() / imports["value_usd"].sum()),
        "price_spread": price_spread(trade, month),
        "all_import_rows": len(imports),
        "all_countries": int(imports["country_code"].nunique()),
        "all_hsk_codes": int(imports["hsk_code"].nunique()),
        "all_zero_weight_share": float((imports["weight_kg"] == 0).mean()),
    }


def replica_label(month: str | pd.Timestamp) -> str:
    """Legend label of the replica's month, e.g. "복제 (2024-07)"."""
    return f"복제 ({pd.Timestamp(month):%Y-%m})"


def unit_price_comparison(
    replica_trade: pd.DataFrame, replica_month: str | pd.Timestamp, real_prices: pd.Series | None = None
) -> pd.DataFrame:
    """Per HSK code traded (five regions, kg > 0) in both the real release and the replica's
    month: hsk_code, real and replica unit price (USD/kg), log_ratio (replica over real) and
    within (inside the factor UNIT_PRICE_FACTOR). The real side is the package's
    ``UNIT_PRICE_BY_CODE`` unless ``real_prices`` (``unit_price_by_code`` of a real release) is given."""
    replica = unit_price_by_code(replica_trade, replica_month)
    reference = pd.Series(real.UNIT_PRICE_BY_CODE if real_prices is None else real_prices, name="real", dtype=float)
    both = pd.concat([reference, replica.rename("replica")], axis=1, join="inner").rename_axis("hsk_code")
    both = both.reset_index()
    both["log_ratio"] = np.log(both["replica"] / both["real"])
    both["within"] = both["log_ratio"].abs() <= np.log(UNIT_PRICE_FACTOR)
    return both


def _relative(value: float, target: float, tolerance: float) -> bool:
    return abs(value - target) <= tolerance * abs(target)


def structure_table(
    replica_trade: pd.DataFrame,
    replica_month: str | pd.Timestamp,
    real_figures: dict[str, float] | None = None,
    real_prices: pd.Series | None = None,
) -> pd.DataFrame:
    """The replica's month beside the real release: figure, label (Korean), real, replica,
    tolerance (Korean text) and within (bool). The real side is the package's ``STRUCTURE`` and
    ``UNIT_PRICE_BY_CODE`` unless ``real_figures`` (``structure_figures`` of a real release) and
    ``real_prices`` (its ``unit_price_by_code``) are given."""
    replica = structure_figures(replica_trade, replica_month)
    prices = unit_price_comparison(replica_trade, replica_month, real_prices)
    replica["unit_price_share_within"] = float(prices["within"].mean()) if len(prices) else float("nan")
    reference = {**(real.STRUCTURE if real_figures is None else real_figures), "unit_price_share_within": 1.0}
    checks = {
        "import_rows": (f"±{ROWS_TOLERANCE:.0%}", lambda v, r: _relative(v, r, ROWS_TOLERANCE)),
        "hsk_codes": (f"±{ROWS_TOLERANCE:.0%}", lambda v, r: _relative(v, r, ROWS_TOLERANCE)),
        "zero_weight_share": (
            f"±{ZERO_WEIGHT_TOLERANCE * 100:.0f}%p",
            lambda v, r: abs(v - r) <= ZERO_WEIGHT_TOLERANCE,
        ),
        "countries_per_code_median": (
            f"±{MEDIAN_COUNTRIES_TOLERANCE:g}",
            lambda v, r: abs(v - r) <= MEDIAN_COUNTRIES_TOLERANCE,
        ),
        "countries_per_code_mean": (f"±{ROWS_TOLERANCE:.0%}", lambda v, r: _relative(v, r, ROWS_TOLERANCE)),
        **{
            f"region_share_{region}": (
                f"±{REGION_SHARE_TOLERANCE * 100:.0f}%p",
                lambda v, r: abs(v - r) <= REGION_SHARE_TOLERANCE,
            )
            for region in config.REGIONS
        },
        "value_share_five_regions": (
            f"±{VALUE_SHARE_TOLERANCE * 100:.0f}%p",
            lambda v, r: abs(v - r) <= VALUE_SHARE_TOLERANCE,
        ),
        "price_spread": (f"±{PRICE_SPREAD_TOLERANCE:.0%}", lambda v, r: _relative(v, r, PRICE_SPREAD_TOLERANCE)),
        "unit_price_share_within": (f"≥ {UNIT_PRICE_MIN_SHARE:.0%}", lambda v, r: v >= UNIT_PRICE_MIN_SHARE),
    }
    rows = [
        {
            "figure": figure,
            "label": FIGURE_LABELS[figure],
            "real": reference[figure],
            "replica": replica[figure],
            "tolerance": tolerance,
            "within": bool(check(replica[figure], reference[figure])),
        }
        for figure, (tolerance, check) in checks.items()
    ]
    return pd.DataFrame(rows)


def real_countries_per_code() -> pd.DataFrame:
    """``countries_per_code`` of the real release, from the package's aggregates."""
    table = pd.DataFrame({"countries": list(real.COUNTRIES_PER_CODE), "codes": list(real.COUNTRIES_PER_CODE.values())})
    return table.assign(share=table["codes"] / table["codes"].sum())


def real_region_mix() -> pd.DataFrame:
    """``region_mix`` of the real release, from the package's aggregates."""
    table = pd.DataFrame({"region": list(config.REGIONS), "rows": [real.REGION_ROWS[r] for r in config.REGIONS]})
    return table.assign(share=table["rows"] / table["rows"].sum())


def countries_per_code_table(replica_trade: pd.DataFrame, replica_month: str | pd.Timestamp) -> pd.DataFrame:
    """Real and replica ``countries_per_code`` in one long frame with a ``source`` column."""
    return pd.concat(
        [
            real_countries_per_code().assign(source=REAL_LABEL),
            countries_per_code(replica_trade, replica_month).assign(source=replica_label(replica_month)),
        ],
        ignore_index=True,
    )


def region_mix_table(replica_trade: pd.DataFrame, replica_month: str | pd.Timestamp) -> pd.DataFrame:
    """Real and replica ``region_mix`` in one long frame with a ``source`` column."""
    return pd.concat(
        [
            real_region_mix().assign(source=REAL_LABEL),
            region_mix(replica_trade, replica_month).assign(source=replica_label(replica_month)),
        ],
        ignore_index=True,
    )


def freight_paths(replica_freight: pd.DataFrame) -> pd.DataFrame:
    """Real and replica freight per route and month (천원 per 2 TEU), long: month, route, source
    (FREIGHT_REAL_LABEL or FREIGHT_REPLICA_LABEL), freight. ``replica_freight`` is wide (month and the six routes, as
    ``synth.freight_series`` returns) or long (month, route, freight_kkrw_per_2teu, as
    ``read_freight`` returns)."""
    wide = _wide_freight(replica_freight)
    real_wide = real.freight_path()
    frames = [
        frame.reset_index().melt(id_vars="month", var_name="route", value_name="freight").assign(source=source)
        for source, frame in ((FREIGHT_REAL_LABEL, real_wide), (FREIGHT_REPLICA_LABEL, wide))
    ]
    return pd.concat(frames, ignore_index=True)[["month", "route", "source", "freight"]]


def _wide_freight(freight: pd.DataFrame) -> pd.DataFrame:
    if "route" in freight.columns:
        freight = freight.pivot_table(index="month", columns="route", values="freight_kkrw_per_2teu", aggfunc="first")
        return freight[list(config.FREIGHT_ROUTES)].rename_axis(columns=None)
    return freight.set_index("month")[list(config.FREIGHT_ROUTES)]


def freight_checks(replica_freight: pd.DataFrame, real_freight: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per route over the real file's months: correlation of the replica with the real series,
    real and replica peak (level and month), peak ratio and month gap, and whether each is within
    its tolerance (correlation, peak level, peak month) and all three are. The real side is the
    package's ``FREIGHT_PATH`` unless ``real_freight`` (wide or long, like the replica) is given."""
    replica = _wide_freight(replica_freight)
    reference = real.freight_path() if real_freight is None else _wide_freight(real_freight)
    replica = replica.reindex(reference.index)
    rows = []
    for route in config.FREIGHT_ROUTES:
        both = pd.concat([reference[route].rename("real"), replica[route].rename("replica")], axis=1).dropna()
        real_peak_month, replica_peak_month = both["real"].idxmax(), both["replica"].idxmax()
        gap = abs(
            (replica_peak_month.year - real_peak_month.year) * 12 + replica_peak_month.month - real_peak_month.month
        )
        ratio = both["replica"].max() / both["real"].max()
        correlation = float(both["real"].corr(both["replica"]))
        rows.append(
            {
                "route": route,
                "correlation": correlation,
                "real_peak": float(both["real"].max()),
                "replica_peak": float(both["replica"].max()),
                "peak_ratio": float(ratio),
                "real_peak_month": real_peak_month,
                "replica_peak_month": replica_peak_month,
                "peak_month_gap": int(gap),
                "correlation_within": correlation >= FREIGHT_MIN_CORRELATION,
                "peak_within": abs(ratio - 1.0) <= FREIGHT_PEAK_TOLERANCE,
                "peak_month_within": gap <= FREIGHT_PEAK_MONTHS,
            }
        )
    table = pd.DataFrame(rows)
    table["within"] = table[["correlation_within", "peak_within", "peak_month_within"]].all(axis=1)
    return table


# ---------------------------------------------------------------------------------------------
# Legitimate price noise: the year-to-date deviation and the month-to-month dynamics
# ---------------------------------------------------------------------------------------------

YTD_MONTH_BY_COUNTRY = 7  # the by-country release's month (July against January-June)
YTD_MONTH_BY_ITEM = 10  # the by-item release's month (October against January-September)
FLOW_SIZE_LABELS = {
    "small": "소량(중량 하위 25%)",
    "middle": "중간(25~75%)",
    "large": "대량(중량 상위 25%)",
    "all": "전체",
}
SURVIVAL_FACTORS = (1.1, 1.25, 1.5, 2.0, 3.0, 5.0, 10.0)  # "beyond x k" for the survival figure
# Tolerances of the year-to-date figures (the targets).
YTD_TOLERANCES = {
    "beyond_2": ("abs", 0.04),
    "beyond_3": ("abs", 0.03),
    "p90": ("rel", 0.25),
    "small_beyond_2": ("abs", 0.08),
    "large_median": ("factor", (0.7, 1.4)),
}
ITEM_TOLERANCES = {"beyond_2": ("abs", 0.04)}
# A replica series comparable with a species-level series of the weekly file: traded in at least
# WELL_TRADED_MONTHS months with a median traded month of at least WELL_TRADED_MEDIAN_USD (where
# the product mix of an HSK code has averaged out).
WELL_TRADED_MONTHS = 24
WELL_TRADED_MEDIAN_USD = 300_000.0
JUMP_FACTOR = 1.5  # a month-to-month change beyond x1.5 is a jump
DYNAMICS_TOLERANCES = {
    "median_change": ("factor", (0.7, 1.4)),
    "p90_change": ("rel", 0.3),
    "beyond_1_5": ("abs", 0.02),
    "revert_share": ("abs", 0.10),
    "lag1_autocorrelation": ("abs", 0.10),
}
YTD_LABELS = {
    "rows": "행 수",
    "median": "중앙값",
    "p75": "75백분위수",
    "p90": "90백분위수",
    "p95": "95백분위수",
    "beyond_2": "2배 넘게 벗어난 비율",
    "beyond_3": "3배 넘게 벗어난 비율",
    "small_median": "소량 25%: 중앙값",
    "small_beyond_2": "소량 25%: 2배 넘게 벗어난 비율",
    "large_median": "대량 25%: 중앙값",
    "large_beyond_2": "대량 25%: 2배 넘게 벗어난 비율",
}
DYNAMICS_LABELS = {
    "series": "시계열 수",
    "changes": "연속 두 달 쌍",
    "median_change": "월간 |Δlog 단가| 중앙값",
    "p90_change": "월간 |Δlog 단가| 90백분위수",
    "p99_change": "월간 |Δlog 단가| 99백분위수",
    "beyond_1_5": "1.5배 넘는 월간 변화 비율",
    "beyond_2": "2배 넘는 월간 변화 비율",
    "revert_share": "1.5배 넘는 변화 중 다음 달 절반 이상 되돌아간 비율",
    "lag1_autocorrelation": "시계열 중앙값 대비 편차의 1개월 자기상관",
}


def ytd_deviation(rows: pd.DataFrame) -> pd.DataFrame:
    """Per row of a release: |log(this month's unit price / the year's earlier unit price)|, where
    the earlier unit price is (ytd value - value) / (ytd weight - weight). Rows with kg and USD this
    month and earlier in the year only. Columns: weight_kg (this month's) and deviation."""
    weight, value = rows["weight_kg"].astype(float), rows["value_usd"].astype(float)
    earlier_weight = rows["ytd_weight_kg"].astype(float) - weight
    earlier_value = rows["ytd_value_usd"].astype(float) - value
    kept = (weight > 0) & (value > 0) & (earlier_weight > 0) & (earlier_value > 0)
    ratio = (value[kept] / weight[kept]) / (earlier_value[kept] / earlier_weight[kept])
    return pd.DataFrame({"weight_kg": weight[kept].to_numpy(), "deviation": np.abs(np.log(ratio)).to_numpy()})


def country_ytd_deviation(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """``ytd_deviation`` of one by-country release's import rows in the five freight regions."""
    return ytd_deviation(regional_imports(trade, month))


def item_ytd_deviation(trade: pd.DataFrame, month: str | pd.Timestamp) -> pd.DataFrame:
    """``ytd_deviation`` by item: one month's import rows summed over every country per HSK code
    (a by-item release holds exactly these sums; a by-country one is summed here)."""
    imports = trade[(trade["trade_flow"] == "I") & (trade["month"] == pd.Timestamp(month))]
    columns = ["weight_kg", "value_usd", "ytd_weight_kg", "ytd_value_usd"]
    return ytd_deviation(imports.groupby(imports["hsk_code"].astype(str).str.zfill(10))[columns].sum())


def pooled_months(trade: pd.DataFrame, month_of_year: int) -> list[pd.Timestamp]:
    """The trade frame's months of that calendar month whose January is in the frame too (so the
    year-to-date columns start in January)."""
    months = pd.DatetimeIndex(trade["month"].drop_duplicates())
    januaries = set(months[months.month == 1].year)
    return sorted(m for m in months if m.month == month_of_year and m.year in januaries)


def pooled_deviation(trade: pd.DataFrame, by: str = "country") -> pd.DataFrame:
    """The deviation of every July (by country) or October (by item) of the frame, each month
    computed on its own, then concatenated (how the replica's years are compared with one release)."""
    month_of_year, measure = (
        (YTD_MONTH_BY_COUNTRY, country_ytd_deviation) if by == "country" else (YTD_MONTH_BY_ITEM, item_ytd_deviation)
    )
    return pd.concat([measure(trade, m) for m in pooled_months(trade, month_of_year)], ignore_index=True)


def flow_size(deviation: pd.DataFrame) -> pd.Series:
    """'small' (weight at or below the 25th percentile), 'large' (at or above the 75th) or 'middle'."""
    weight = deviation["weight_kg"]
    size = np.where(
        weight <= weight.quantile(0.25), "small", np.where(weight >= weight.quantile(0.75), "large", "middle")
    )
    return pd.Series(size, index=deviation.index)


def deviation_figures(deviation: pd.DataFrame) -> dict[str, float]:
    """The year-to-date deviation's figures: rows, median, 75th/90th/95th percentiles, shares beyond
    x2 and x3, and the median and share beyond x2 of the smallest and the largest quarter by weight."""
    r = deviation["deviation"]
    size = flow_size(deviation)
    small, large = r[size == "small"], r[size == "large"]
    return {
        "rows": len(r),
        "median": float(r.median()),
        "p75": float(r.quantile(0.75)),
        "p90": float(r.quantile(0.90)),
        "p95": float(r.quantile(0.95)),
        "beyond_2": float((r > np.log(2.0)).mean()),
        "beyond_3": float((r > np.log(3.0)).mean()),
        "small_median": float(small.median()),
        "small_beyond_2": float((small > np.log(2.0)).mean()),
        "large_median": float(large.median()),
        "large_beyond_2": float((large > np.log(2.0)).mean()),
    }


def deviation_survival(deviation: pd.DataFrame, factors=SURVIVAL_FACTORS) -> dict[str, dict[float, float]]:
    """Per flow size ('small', 'middle', 'large', 'all'): the share of rows beyond each factor."""
    size = flow_size(deviation)
    groups = {name: deviation["deviation"][size == name] for name in ("small", "middle", "large")}
    groups["all"] = deviation["deviation"]
    return {name: {float(f): float((values > np.log(f)).mean()) for f in factors} for name, values in groups.items()}


def _within(kind: str, tolerance, value: float, target: float) -> bool:
    if kind == "abs":
        return abs(value - target) <= tolerance
    if kind == "rel":
        return abs(value - target) <= tolerance * abs(target)
    low, high = tolerance
    return low * target <= value <= high * target


def _tolerance_text(kind: str, tolerance) -> str:
    if kind == "abs":
        return f"±{tolerance * 100:g}%p" if tolerance < 1 else f"±{tolerance:g}"
    if kind == "rel":
        return f"±{tolerance:.0%}"
    return f"×{tolerance[0]:g}~{tolerance[1]:g}"


def _comparison(real_figures: dict, replica_figures: dict, labels: dict, tolerances: dict, absolute=()) -> pd.DataFrame:
    rows = []
    for figure, label in labels.items():
        kind, tolerance = tolerances.get(figure, (None, None))
        if figure in absolute and kind == "abs":
            text = f"±{tolerance:g}"
        else:
            text = _tolerance_text(kind, tolerance) if kind else ""
        rows.append(
            {
                "figure": figure,
                "label": label,
                "real": real_figures[figure],
                "replica": replica_figures[figure],
                "tolerance": text,
                "within": _within(kind, tolerance, replica_figures[figure], real_figures[figure]) if kind else None,
            }
        )
    return pd.DataFrame(rows)


def ytd_table(replica_trade: pd.DataFrame, real_figures: dict | None = None, real_item: dict | None = None):
    """The replica's pooled year-to-date deviation beside the real releases': by country (July, five
    regions) and by item (October). Columns figure, label, real, replica, tolerance (text, empty
    where none is set), within (None where no tolerance); the by-item figures are prefixed 'item_'."""
    by_country = _comparison(
        real.YTD_DEVIATION if real_figures is None else real_figures,
        deviation_figures(pooled_deviation(replica_trade, "country")),
        YTD_LABELS,
        YTD_TOLERANCES,
    )
    item_labels = {k: f"품목별: {YTD_LABELS[k]}" for k in ("rows", "median", "p90", "beyond_2")}
    by_item = _comparison(
        real.ITEM_YTD_DEVIATION if real_item is None else real_item,
        deviation_figures(pooled_deviation(replica_trade, "item")),
        item_labels,
        ITEM_TOLERANCES,
    )
    by_item["figure"] = "item_" + by_item["figure"]
    return pd.concat([by_country, by_item], ignore_index=True)


def survival_table(replica_trade: pd.DataFrame) -> pd.DataFrame:
    """Long frame for the survival figure: source, size (FLOW_SIZE_LABELS key), factor, share beyond."""
    sides = {REAL_LABEL: real.YTD_SURVIVAL, "이 빌드": deviation_survival(pooled_deviation(replica_trade, "country"))}
    return pd.DataFrame(
        [
            {"source": source, "size": size, "factor": factor, "share": share}
            for source, survival in sides.items()
            for size, curve in survival.items()
            for factor, share in curve.items()
        ]
    )


def monthly_log_prices(trade: pd.DataFrame) -> pd.DataFrame:
    """Import series (HSK code x country) of well-traded replica or release rows: series, month,
    log_price. A series is kept when it traded in at least WELL_TRADED_MONTHS months with a median
    traded month of at least WELL_TRADED_MEDIAN_USD."""
    imports = trade[(trade["trade_flow"] == "I") & (trade["weight_kg"] > 0) & (trade["value_usd"] > 0)]
    name = "country_name" if "country_name" in imports.columns else "country_code"
    series = imports["hsk_code"].astype(str) + "|" + imports[name].astype(str)
    frame = pd.DataFrame(
        {
            "series": series.to_numpy(),
            "month": imports["month"].to_numpy(),
            "log_price": np.log(imports["value_usd"].astype(float) / imports["weight_kg"].astype(float)).to_numpy(),
            "value_usd": imports["value_usd"].astype(float).to_numpy(),
        }
    )
    grouped = frame.groupby("series")["value_usd"]
    kept = (grouped.transform("size") >= WELL_TRADED_MONTHS) & (grouped.transform("median") >= WELL_TRADED_MEDIAN_USD)
    return frame.loc[kept, ["series", "month", "log_price"]].reset_index(drop=True)


def read_weekly_prices(path) -> pd.DataFrame:
    """The weekly import unit prices (수산물 수입평균단가, cp949) as monthly series: series (exporting
    and manufacturing country, purpose, category, species, form), month, log_price (the log of the
    median of the month's weekly prices)."""
    raw = pd.read_csv(path, encoding="cp949", dtype=str)
    price = pd.to_numeric(raw["P_PRICE"].str.strip().str.replace(",", "", regex=False))
    parts = ["CTRY_1", "CTRY_2", "P_PURPOSE", "CATEGORY_1", "CATEGORY_2", "P_NAME", "P_IMPORT_TYPE"]
    frame = pd.DataFrame(
        {
            "series": raw[parts].fillna("").agg("|".join, axis=1),
            "month": pd.to_datetime(raw["REG_DATE"]).dt.to_period("M").dt.to_timestamp(),
            "price": price,
        }
    )
    monthly = frame[frame["price"] > 0].groupby(["series", "month"], as_index=False)["price"].median()
    return monthly.assign(log_price=np.log(monthly.pop("price")))


def price_dynamics(prices: pd.DataFrame) -> dict[str, float]:
    """How monthly prices move (series, month, log_price; one row per series and month): over
    consecutive months, the median, 90th and 99th percentile of |Δ log price| and the shares beyond
    x1.5 and x2; of the jumps beyond x1.5 (JUMP_FACTOR) followed by an observed month, the share
    that reverts by at least half; the lag-1 autocorrelation, over consecutive months, of a month's
    deviation from its series' median."""
    frame = prices.sort_values(["series", "month"]).reset_index(drop=True)
    number = frame["month"].dt.year * 12 + frame["month"].dt.month
    by_series = frame.groupby("series")
    previous_number = number.groupby(frame["series"]).shift(1)
    previous = by_series["log_price"].shift(1)
    following = by_series["log_price"].shift(-1)
    consecutive = (number - previous_number) == 1
    change = (frame["log_price"] - previous)[consecutive]
    size = change.abs()
    jump = consecutive & following.notna() & ((frame["log_price"] - previous).abs() > np.log(JUMP_FACTOR))
    step = (frame["log_price"] - previous)[jump]
    back = (following - frame["log_price"])[jump]
    reverts = back * np.sign(step) <= -0.5 * step.abs()
    deviation = frame["log_price"] - by_series["log_price"].transform("median")
    previous_deviation = deviation.groupby(frame["series"]).shift(1)
    pairs = pd.concat([deviation[consecutive], previous_deviation[consecutive]], axis=1).dropna()
    return {
        "series": int(frame["series"].nunique()),
        "changes": int(consecutive.sum()),
        "median_change": float(size.median()),
        "p90_change": float(size.quantile(0.90)),
        "p99_change": float(size.quantile(0.99)),
        "beyond_1_5": float((size > np.log(JUMP_FACTOR)).mean()),
        "beyond_2": float((size > np.log(2.0)).mean()),
        "revert_share": float(reverts.mean()) if len(reverts) else float("nan"),
        "lag1_autocorrelation": float(np.corrcoef(pairs.iloc[:, 0], pairs.iloc[:, 1])[0, 1]),
    }


def dynamics_table(replica_trade: pd.DataFrame, real_figures: dict | None = None) -> pd.DataFrame:
    """The replica's well-traded series beside the weekly file's series: the ``price_dynamics``
    figures with their tolerances."""
    return _comparison(
        real.PRICE_DYNAMICS if real_figures is None else real_figures,
        price_dynamics(monthly_log_prices(replica_trade)),
        DYNAMICS_LABELS,
        DYNAMICS_TOLERANCES,
    )
