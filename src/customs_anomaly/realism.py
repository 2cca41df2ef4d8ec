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
