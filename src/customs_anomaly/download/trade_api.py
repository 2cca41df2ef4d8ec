"""Items of the MOF open API 15057607 (by country) into rows of the by-country trade release.

The API gives one month per call (`baseDt`) and this month's weight and value only; the release
layout also has year-to-date columns and keeps a row in every later release of the calendar year
once an item-country pair was traded. `releases` rebuilds both from the months of one year,
fetched from January on. Field names: catalog.TRADE_API_FIELDS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from customs_anomaly.download import catalog
from customs_anomaly.download.writers import TRADE_COLUMNS, cell
from customs_anomaly.errors import DownloadError
from customs_anomaly.sources._csv import year_month

WEIGHT, VALUE = "당월수출입중량(킬로그램)", "당월수출입미화금액(달러)"
YTD_WEIGHT, YTD_VALUE = "당해누계수출입중량(킬로그램)", "당해누계수출입미화금액(달러)"
_LABELS = ("국가코드", "국가명", "경제권명", "HSK품목코드", "수산물수출입품목명")
_NAME_OF_FLOW = {code: name for name, code in catalog.TRADE_FLOW_BY_NAME.items()}


def field(column: str) -> str:
    """The API field that fills a column of the release."""
    return catalog.TRADE_API_FIELDS[column][0]


@dataclass(frozen=True)
class ApiRecord:
    key: tuple[str, str, str]  # HSK code, country (name, else code), flow (E/I)
    labels: dict[str, str]
    weight: float
    value: float


def flow_of(item: dict[str, str], where: str, source: str) -> str:
    """E or I from the flow code when it is E/I, else from the flow name (수출/수입)."""
    code = item.get(field("수출입구분코드"), "").strip().upper()
    if code in _NAME_OF_FLOW:
        return code
    name = item.get(field("수출입구분명"), "").strip()
    if name in catalog.TRADE_FLOW_BY_NAME:
        return catalog.TRADE_FLOW_BY_NAME[name]
    raise DownloadError(
        source,
        f"{where}: cannot tell export from import ({field('수출입구분코드')}={code!r}, "
        f"{field('수출입구분명')}={name!r}); correct catalog.TRADE_FLOW_BY_NAME",
    )


def _amount(item: dict[str, str], column: str, where: str, source: str) -> float:
    text = item.get(field(column), "").replace(",", "").strip()
    try:
        return float(text)
    except ValueError:
        raise DownloadError(source, f"{where}: {field(column)}={text!r} is not a number") from None


def record_of(item: dict[str, str], month: pd.Timestamp, source: str) -> ApiRecord:
    where = f"{catalog.TRADE_API_MONTH_PARAMETER}={month:%Y%m}"
    stated = year_month(item.get(field("기준년월"), ""))
    if stated != month:
        raise DownloadError(
            source, f"{where}: an item has {field('기준년월')}={item.get(field('기준년월'))!r}, not {month:%Y-%m}"
        )
    hsk = item.get(field("HSK품목코드"), "").strip()
    if not hsk.isdigit():
        raise DownloadError(source, f"{where}: {field('HSK품목코드')}={hsk!r} is not an HSK code")
    flow = flow_of(item, where, source)
    labels = {column: item.get(field(column), "").strip() for column in _LABELS}
    labels.update({"수출입구분코드": flow, "수출입구분명": _NAME_OF_FLOW[flow]})
    key = (hsk, labels["국가명"] or labels["국가코드"], flow)  # the code is blank in some months
    return ApiRecord(key, labels, _amount(item, WEIGHT, where, source), _amount(item, VALUE, where, source))


def releases(months: list[tuple[pd.Timestamp, list[dict[str, str]]]], source: str) -> dict[pd.Timestamp, list[dict]]:
    """{month: rows of the by-country release} from the consecutive months of one calendar year,
    starting in January (the year-to-date sums need every earlier month of the year)."""
    if months and months[0][0].month != 1:
        raise ValueError("the months of a year must start in January")
    year_to_date: dict[tuple, list[float]] = {}
    labels: dict[tuple, dict[str, str]] = {}
    out = {}
    for month, items in months:
        this_month: dict[tuple, ApiRecord] = {}
        for item in items:
            record = record_of(item, month, source)
            if record.key in this_month:
                raise DownloadError(
                    source,
                    f"{catalog.TRADE_API_MONTH_PARAMETER}={month:%Y%m}: two items for HSK {record.key[0]}, "
                    f"country {record.key[1]}, flow {record.key[2]}",
                )
            this_month[record.key] = record
            labels[record.key] = record.labels
            totals = year_to_date.setdefault(record.key, [0.0, 0.0])
            totals[0] += record.weight
            totals[1] += record.value
        out[month] = [_row(month, labels[key], this_month.get(key), year_to_date[key]) for key in year_to_date]
    return out


def _row(month: pd.Timestamp, labels: dict[str, str], record: ApiRecord | None, totals: list[float]) -> dict:
    values = {
        "기준년월": f"{month:%Y-%m}",
        **labels,
        WEIGHT: cell(record.weight if record else 0.0),
        VALUE: cell(record.value if record else 0.0),
        YTD_WEIGHT: cell(totals[0]),
        YTD_VALUE: cell(totals[1]),
        "데이터기준일자": f"{month + pd.offsets.MonthEnd(0):%Y-%m-%d}",
    }
    return {column: values[column] for column in TRADE_COLUMNS}
