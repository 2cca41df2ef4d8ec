"""해양수산부 seafood trade by HSK item (and country): monthly releases, exports and imports."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customs_anomaly.errors import InputError
from customs_anomaly.sources._csv import parse_months, parse_numbers, read_each, read_text_table, year_month

COMMON_COLUMNS = {
    "기준년월": "month",
    "HSK품목코드": "hsk_code",
    "수출입구분코드": "trade_flow",
    "수출입구분명": "trade_flow_name",
    "수산물수출입품목명": "item_name",
    "당월수출입중량(킬로그램)": "weight_kg",
    "당월수출입미화금액(달러)": "value_usd",
    "당해누계수출입중량(킬로그램)": "ytd_weight_kg",
    "당해누계수출입미화금액(달러)": "ytd_value_usd",
    "데이터기준일자": "reference_date",
}
COUNTRY_COLUMNS = {"국가코드": "country_code", "국가명": "country_name", "경제권명": "economic_bloc"}
ITEM_CLASS_COLUMNS = {"HSK품목대분류": "hsk_major", "HSK품목중분류": "hsk_mid", "HSK품목소분류": "hsk_minor"}
NUMBER_COLUMNS = ("weight_kg", "value_usd", "ytd_weight_kg", "ytd_value_usd")


def _read_file(path: Path) -> pd.DataFrame:
    probe = read_text_table(path, tuple(COMMON_COLUMNS))
    is_item_variant = "국가코드" not in probe.columns and "국가명" not in probe.columns
    extra = ITEM_CLASS_COLUMNS if is_item_variant else COUNTRY_COLUMNS
    for column in extra:
        if column not in probe.columns:
            raise InputError(path, "required column missing", column=column)
    frame = probe[list(COMMON_COLUMNS) + list(extra)].rename(columns={**COMMON_COLUMNS, **extra})
    out = frame.assign(
        month=parse_months(probe, path, "기준년월", year_month),
        reference_date=_reference_dates(probe, path),
    )
    for english in NUMBER_COLUMNS:
        korean = next(k for k, v in COMMON_COLUMNS.items() if v == english)
        out[english] = parse_numbers(probe, path, korean)
    bad_flow = ~out["trade_flow"].isin(["E", "I"])
    if bad_flow.any():
        position = int(bad_flow.to_numpy().nonzero()[0][0])
        raise InputError(
            path,
            f"trade flow must be E or I: {out['trade_flow'].iloc[position]!r}",
            row=position + 1,
            column="수출입구분코드",
        )
    bad_code = ~out["hsk_code"].str.fullmatch(r"\d{9,10}")
    if bad_code.any():
        position = int(bad_code.to_numpy().nonzero()[0][0])
        raise InputError(
            path, f"not an HSK code: {out['hsk_code'].iloc[position]!r}", row=position + 1, column="HSK품목코드"
        )
    out["source_file"] = path.name
    out.attrs["variant"] = "item" if is_item_variant else "country"
    return out


def _reference_dates(frame: pd.DataFrame, path: Path) -> pd.Series:
    raw = frame["데이터기준일자"]
    unique = pd.Series(pd.unique(raw))  # a release repeats one date
    parsed = pd.to_datetime(unique, format="%Y-%m-%d", errors="coerce").fillna(
        pd.to_datetime(unique, format="%Y%m%d", errors="coerce")
    )
    dates = raw.map(dict(zip(unique, parsed)))
    bad = dates.isna() & (raw != "")
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"not a date: {raw.iloc[position]!r}", row=position + 1, column="데이터기준일자")
    return pd.to_datetime(dates).astype("datetime64[ns]")


def read_trade(path: str | Path) -> pd.DataFrame:
    """One release or a folder of releases as one typed frame (see data/README.md).

    `hsk_code` is kept as written (9 or 10 digits); the merge pads it. The by-item variant has no
    country columns: it gets `hsk_major/hsk_mid/hsk_minor` and `attrs['variant'] == 'item'`.
    """
    files = read_each(path, _read_file)
    variants = {"item" if "hsk_major" in files.columns and "country_code" not in files.columns else "country"}
    if "hsk_major" in files.columns and "country_code" in files.columns:
        raise InputError(path, "folder mixes by-item and by-country releases")
    files.attrs["variant"] = variants.pop()
    return files
