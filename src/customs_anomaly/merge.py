"""Merge the six raw sources into the monthly panel (one row per month x HSK code x country).

Steps, each with the reason it exists:
1. keep imports only (the method studies import declarations);
2. keep the study period 2020-05..2025-04 (the span where all six sources overlap);
3. pad HSK codes to 10 digits (releases drop the leading zero of chapters 01-09);
4. recover a blank country code from the Korean country name where the name is known;
5. map the partner country to a freight region by ISO code (all 27 EU members to 유럽연합);
6. inner-join the region-month freight cost (미국 = mean of 미국서부 and 미국동부);
7. inner-join the macro series on month;
8. derive unit price (NaN where weight is 0), per-kg freight and total freight.
Every dropped row is counted by reason, so that input rows = kept rows + dropped rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.countries import code_from_name, region_of
from customs_anomaly.errors import InputError
from customs_anomaly.sources import RawSources
from customs_anomaly.sources.trade import COMMON_COLUMNS, NUMBER_COLUMNS

DROP_REASONS = {
    "export": "수출 행",
    "outside_period": "분석 기간(2020-05~2025-04) 밖",
    "duplicate": "중복 행",
    "outside_regions": "운임 5개 지역 밖 국가",
    "no_freight": "해당 월·지역 운임 없음",
    "no_macro": "해당 월 거시 지표 없음",
}

# The original notebook mapped EU countries by Korean name. This is its list as described in the
# report: Cyprus (키프로스) and Luxembourg (룩셈부르크) were missing and Portugal was misspelled.
ORIGINAL_EU_NAMES = (
    "오스트리아",
    "벨기에",
    "불가리아",
    "크로아티아",
    "체코",
    "덴마크",
    "에스토니아",
    "핀란드",
    "프랑스",
    "독일",
    "그리스",
    "헝가리",
    "아일랜드",
    "이탈리아",
    "라트비아",
    "리투아니아",
    "몰타",
    "네덜란드",
    "폴란드",
    "포르투칼",
    "루마니아",
    "슬로바키아",
    "슬로베니아",
    "스페인",
    "스웨덴",
)


TRADE_VALUES = list(NUMBER_COLUMNS)
KOREAN_TRADE_COLUMNS = {english: korean for korean, english in COMMON_COLUMNS.items()}


@dataclass(frozen=True)
class MergeResult:
    panel: pd.DataFrame
    accounting: pd.DataFrame  # columns: step, reason, label, rows
    recovered_country_codes: int


def pad_hsk_code(codes: pd.Series) -> pd.Series:
    """HSK codes as 10-digit strings: releases drop the leading zero of chapters 01-09."""
    return codes.astype(str).str.strip().str.zfill(10)


def recover_country_codes(trade: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Fill a blank country code from the Korean country name when the name is known."""
    blank = trade["country_code"].fillna("").str.strip() == ""
    recovered = trade.loc[blank, "country_name"].map(code_from_name)
    out = trade.copy()
    out.loc[blank, "country_code"] = recovered
    return out, int((recovered != "").sum())


def regional_freight(freight: pd.DataFrame) -> pd.DataFrame:
    """Per-container freight of the five panel regions by month (천원 per 2 TEU).

    미국 is the mean of 미국서부 and 미국동부; it is missing when either coast is missing.
    """
    require_unique(freight, ["month", "route"], "freight")
    wide = freight.pivot(index="month", columns="route", values="freight_kkrw_per_2teu")
    missing = [route for route in config.FREIGHT_ROUTES if route not in wide.columns]
    if missing:
        raise InputError("freight", f"routes missing from the freight file: {', '.join(missing)}")
    wide["미국"] = wide[["미국서부", "미국동부"]].mean(axis=1, skipna=False)
    long = (
        wide[list(config.REGIONS)]
        .reset_index()
        .melt(id_vars="month", var_name="region", value_name="freight_kkrw_per_2teu")
    )
    return long.sort_values(["month", "region"], ignore_index=True)


def macro_table(raw: RawSources) -> pd.DataFrame:
    """Monthly macro series: KRW/USD, Dubai crude, CPI and PPI (inner join on month)."""
    series = {
        "exchange_rate": raw.exchange_rate[["month", "usd_krw"]],
        "oil": raw.oil[["month", "dubai_usd"]],
        "cpi": raw.cpi[["month", "cpi"]],
        "ppi": raw.ppi[["month", "ppi"]],
    }
    for source, frame in series.items():
        require_unique(frame, ["month"], source)
    frames = list(series.values())
    macro = frames[0]
    for frame in frames[1:]:
        macro = macro.merge(frame, on="month", how="inner", validate="one_to_one")
    return macro.dropna().sort_values("month", ignore_index=True)


def _drop_duplicate_keys(imports: pd.DataFrame, rows_in_file: pd.Series) -> tuple[pd.DataFrame, int]:
    """Identical rows of one key (a release repeated in two files) are kept once; rows of one key
    with different values raise, naming both rows (file and data row) and the first differing column."""
    key = list(config.PANEL_KEY)
    duplicated = imports.duplicated(key, keep=False)
    if not duplicated.any():
        return imports, 0
    distinct = imports[duplicated].drop_duplicates([*key, *TRADE_VALUES])
    clash = distinct[distinct.duplicated(key, keep=False)]
    if not clash.empty:
        second_index = clash.index[clash.duplicated(key)][0]
        second = clash.loc[second_index]
        same_key = (clash[key] == second[key]).all(axis=1)
        first_index = clash.index[same_key][0]
        first = clash.loc[first_index]
        column = next(c for c in TRADE_VALUES if first[c] != second[c])
        raise InputError(
            second["source_file"],
            f"conflicts with row {rows_in_file[first_index]} of {first['source_file']}: same month "
            f"{second['month']:%Y-%m}, HSK {second['hsk_code']} and country {second['country_code']}, "
            "different values",
            row=int(rows_in_file[second_index]),
            column=KOREAN_TRADE_COLUMNS[column],
        )
    kept = imports.drop_duplicates(key, keep="first")
    return kept, len(imports) - len(kept)


def require_unique(frame: pd.DataFrame, key: list[str], source: str) -> None:
    """A source frame has one row per key (the loaders ensure it; hand-built frames are checked)."""
    repeated = frame.duplicated(key)
    if repeated.any():
        first = frame[repeated].iloc[0]
        shown = ", ".join(f"{c} {first[c]:%Y-%m}" if c == "month" else f"{c} {first[c]}" for c in key)
        raise InputError(source, f"more than one row for {shown}")


def build_panel(raw: RawSources, payload_kg: float = config.CONTAINER_PAYLOAD_KG) -> MergeResult:
    """The monthly import panel (config.PANEL_COLUMNS), with row accounting."""
    trade = raw.trade
    if trade.attrs.get("variant") == "item":
        files = ", ".join(sorted(set(trade["source_file"])))
        raise InputError(
            files,
            "by-item release without 국가코드/국가명/경제권명: the panel needs the by-country release",
            column="국가코드",
        )
    if payload_kg <= 0:
        raise ValueError(f"payload_kg must be positive, got {payload_kg}")

    counts: list[tuple[str, int]] = []
    n_input = len(trade)

    imports = trade[trade["trade_flow"] == "I"]
    counts.append(("export", n_input - len(imports)))

    in_period = imports["month"].between(config.STUDY_START, config.STUDY_END)
    counts.append(("outside_period", int((~in_period).sum())))
    imports = imports[in_period].assign(hsk_code=lambda df: pad_hsk_code(df["hsk_code"]))

    imports, recovered = recover_country_codes(imports)
    rows_in_file = trade.groupby("source_file", sort=False).cumcount() + 1
    imports, n_duplicates = _drop_duplicate_keys(imports, rows_in_file)
    counts.append(("duplicate", n_duplicates))

    regions = imports["country_code"].map(region_of)
    counts.append(("outside_regions", int(regions.isna().sum())))
    imports = imports.assign(region=regions)[regions.notna()]

    freight = regional_freight(raw.freight).dropna(subset=["freight_kkrw_per_2teu"])
    with_freight = imports.merge(freight, on=["month", "region"], how="inner", validate="many_to_one")
    counts.append(("no_freight", len(imports) - len(with_freight)))

    panel = with_freight.merge(macro_table(raw), on="month", how="inner", validate="many_to_one")
    counts.append(("no_macro", len(with_freight) - len(panel)))

    panel = derive_columns(panel, payload_kg)
    panel = panel[list(config.PANEL_COLUMNS)].sort_values(list(config.PANEL_KEY), ignore_index=True)

    accounting = accounting_table(n_input, counts, len(panel))
    return MergeResult(panel=panel, accounting=accounting, recovered_country_codes=recovered)


def derive_columns(panel: pd.DataFrame, payload_kg: float = config.CONTAINER_PAYLOAD_KG) -> pd.DataFrame:
    """Unit price (NaN where weight is 0), freight in KRW per container, per kg and in total."""
    weight = panel["weight_kg"].astype(float)
    freight_per_2teu = panel["freight_kkrw_per_2teu"].astype(float) * 1000.0
    per_kg = freight_per_2teu / payload_kg
    return panel.assign(
        unit_price_usd_per_kg=np.where(weight > 0, panel["value_usd"] / weight.where(weight > 0), np.nan),
        freight_krw_per_2teu=freight_per_2teu,
        freight_krw_per_kg=per_kg,
        total_freight_krw=per_kg * weight,
    )


def accounting_table(n_input: int, drops: list[tuple[str, int]], n_kept: int) -> pd.DataFrame:
    """Input rows, rows dropped by reason in the order applied, rows kept; checks they add up and
    that no count is negative."""
    negative = [reason for reason, n in drops if n < 0]
    if negative or n_kept < 0:
        raise AssertionError(f"row accounting has a negative count: {negative or 'kept'}")
    dropped = sum(n for _, n in drops)
    if n_input != n_kept + dropped:
        raise AssertionError(f"row accounting does not add up: {n_input} != {n_kept} + {dropped}")
    rows = [{"step": "input", "reason": "input", "label": "입력 행 (무역 통계 전체)", "rows": n_input}]
    rows += [{"step": "dropped", "reason": reason, "label": DROP_REASONS[reason], "rows": n} for reason, n in drops]
    rows.append({"step": "kept", "reason": "kept", "label": "패널에 남은 행", "rows": n_kept})
    return pd.DataFrame(rows)


def region_mapping_table(trade: pd.DataFrame) -> pd.DataFrame:
    """Partner countries of the import rows: ISO code, Korean name, region by code and by the
    original's Korean-name list (to show what the name-based mapping missed), and row counts."""
    imports = trade[trade["trade_flow"] == "I"]
    imports, _ = recover_country_codes(imports)
    table = imports.groupby(["country_code", "country_name"], dropna=False).size().rename("rows").reset_index()
    table["region"] = table["country_code"].map(region_of)
    table["eu_by_original_names"] = table["country_name"].isin(ORIGINAL_EU_NAMES)
    return table.sort_values("rows", ascending=False, ignore_index=True)


def source_summary(raw: RawSources) -> pd.DataFrame:
    """One line per source: rows, months covered and value columns, for the merge chapter."""
    frames = {
        "수산물 품목별·국가별 수출입": raw.trade,
        "해상 수입 운송비용": raw.freight,
        "원/달러 월평균 환율": raw.exchange_rate,
        "국제 유가": raw.oil,
        "소비자물가지수": raw.cpi,
        "생산자물가지수": raw.ppi,
    }
    rows = []
    for label, frame in frames.items():
        value_columns = [c for c in frame.columns if c not in ("month", "source_file", "reference_date")]
        rows.append(
            {
                "자료": label,
                "행 수": len(frame),
                "시작 월": f"{frame['month'].min():%Y-%m}",
                "끝 월": f"{frame['month'].max():%Y-%m}",
                "열": ", ".join(value_columns[:6]) + (" …" if len(value_columns) > 6 else ""),
            }
        )
    return pd.DataFrame(rows)


def before_after_example(
    trade: pd.DataFrame, panel: pd.DataFrame, months: int = 4
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Raw rows of one imported series whose code lost its leading zero, and the same rows in the panel."""
    raw_imports = trade[(trade["trade_flow"] == "I") & (trade["hsk_code"].str.len() == 9)]
    in_panel = raw_imports.assign(hsk_code=pad_hsk_code(raw_imports["hsk_code"])).merge(
        panel[list(config.PANEL_KEY)], on=list(config.PANEL_KEY), how="inner"
    )
    if in_panel.empty:
        in_panel = trade[trade["trade_flow"] == "I"].assign(hsk_code=lambda df: pad_hsk_code(df["hsk_code"]))
    biggest = in_panel.groupby(["hsk_code", "country_code"])["value_usd"].sum().idxmax()
    key = (panel["hsk_code"] == biggest[0]) & (panel["country_code"] == biggest[1])
    after = panel[key].sort_values("month").tail(months)
    raw_key = (
        (trade["trade_flow"] == "I")
        & (pad_hsk_code(trade["hsk_code"]) == biggest[0])
        & (trade["country_code"] == biggest[1])
        & trade["month"].isin(after["month"])
    )
    before = trade[raw_key].sort_values("month")
    return before.reset_index(drop=True), after.reset_index(drop=True)
