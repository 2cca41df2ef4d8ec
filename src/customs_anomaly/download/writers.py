"""Write downloaded data in exactly the layouts the loaders read (data/README.md), atomically.

Files are UTF-8 with BOM (the loaders detect it); the public originals are cp949, which cannot
hold every character a JSON API may return.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from customs_anomaly import config

TRADE_FILE = "해양수산부_수산물품목별수출입현황_{yyyymm}.csv"
FREIGHT_FILE = "관세청_해상수출입(수입)운송비용.csv"
EXCHANGE_RATE_FILE = "원달러환율_월평균.csv"
OIL_FILE = "국제유가_월별.csv"
CPI_FILE = "소비자물가지수.csv"
PPI_FILE = "생산자물가지수.csv"

TRADE_COLUMNS = (
    "기준년월",
    "국가코드",
    "HSK품목코드",
    "수출입구분코드",
    "수출입구분명",
    "국가명",
    "경제권명",
    "수산물수출입품목명",
    "당월수출입중량(킬로그램)",
    "당월수출입미화금액(달러)",
    "당해누계수출입중량(킬로그램)",
    "당해누계수출입미화금액(달러)",
    "데이터기준일자",
)
FREIGHT_COLUMNS = ("기간", *config.FREIGHT_ROUTES)
_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def write_atomic(path: Path, data: bytes) -> Path:
    """Write beside the target under a temporary name, then rename: the old file stays whole
    until the new one is complete, and no temporary file is left behind on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def cell(value) -> str:
    """JSON value as the file would print it: integers without '.0', None as blank."""
    if value is None:
        return ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def missing_columns(rows: list[dict], required: Sequence[str]) -> list[str]:
    present = set().union(*(row.keys() for row in rows)) if rows else set()
    return [column for column in required if column not in present]


def trade_csv(rows: list[dict]) -> bytes:
    """One release of the by-country trade file (13 columns) from odcloud rows."""
    return csv_bytes(TRADE_COLUMNS, ([cell(row.get(column)) for column in TRADE_COLUMNS] for row in rows))


def freight_csv(rows: list[dict]) -> bytes:
    """`기간` and the six routes (천원 per 2 TEU), blank where the source is blank."""
    return csv_bytes(FREIGHT_COLUMNS, ([cell(row.get(column)) for column in FREIGHT_COLUMNS] for row in rows))


def exchange_rate_csv(values: pd.Series) -> bytes:
    """`날짜` ("May-20") and `환율` with a thousands separator ("1,228.67")."""
    rows = (
        (f"{_MONTH_ABBREVIATIONS[month.month - 1]}-{month.year % 100:02d}", f"{float(value):,.2f}")
        for month, value in values.items()
    )
    return csv_bytes(("날짜", "환율"), rows)


def oil_csv(prices: pd.DataFrame) -> bytes:
    """`월` ("05월", no year), blank `유종`, Dubai, Brent, WTI, Oman (blank where not published).
    `prices` is indexed by consecutive months; the year lives in the manifest (first_month)."""
    rows = (
        [f"{month.month:02d}월", ""]
        + [_text(prices.at[month, column]) if column in prices else "" for column in ("Dubai", "Brent", "WTI", "Oman")]
        for month in prices.index
    )
    return csv_bytes(("월", "유종", "Dubai", "Brent", "WTI", "Oman"), rows)


def price_index_csv(values: pd.Series, value_column: str) -> bytes:
    """`시점` as text ("2020.05", never 2020.1) and the index value as published."""
    return csv_bytes(("시점", value_column), ((f"{month:%Y.%m}", _text(value)) for month, value in values.items()))


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value).strip()
