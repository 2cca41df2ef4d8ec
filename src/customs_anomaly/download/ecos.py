"""Bank of Korea ECOS Open API: StatisticSearch of one monthly series.

`GET {base}/StatisticSearch/{key}/json/kr/{first row}/{last row}/{table}/{cycle}/{YYYYMM}/{YYYYMM}/{item...}`
answers `{"StatisticSearch": {"list_total_count": N, "row": [{"TIME": "202005", "DATA_VALUE": "1228.67", ...}]}}`
or, with HTTP 200 too, an error `{"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}`.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from customs_anomaly.download.catalog import EcosSeries
from customs_anomaly.download.http import HttpClient

ECOS_CODES = {
    "INFO-100": "the ECOS key is not valid (check ECOS_API_KEY)",
    "INFO-200": "no data for this table, item and period (check the codes and the period)",
    "ERROR-602": "too many requests (ECOS rate limit); try again later",
}


def series_url(
    base_url: str, key: str, series: EcosSeries, start: pd.Timestamp, end: pd.Timestamp, first: int, last: int
) -> str:
    items = "/".join(quote(item, safe="*") for item in series.items)
    return (
        f"{base_url.rstrip('/')}/StatisticSearch/{quote(key, safe='')}/json/kr/{first}/{last}/"
        f"{series.table}/{series.cycle}/{start:%Y%m}/{end:%Y%m}/{items}"
    )


def fetch_series(
    client: HttpClient,
    base_url: str,
    key: str,
    series: EcosSeries,
    start: pd.Timestamp,
    end: pd.Timestamp,
    source: str,
    page_size: int = 1000,
) -> pd.Series:
    """Values as published text, indexed by month (first day), one value per month."""
    rows: list[dict] = []
    first = 1
    while True:
        last = first + page_size - 1
        payload = client.get_json(series_url(base_url, key, series, start, end, first, last), source)
        block = _block(client, payload, series, source)
        part = block.get("row") or []
        rows.extend(part)
        total = int(block.get("list_total_count", len(rows)))
        if len(rows) >= total or not part:
            break
        first = last + 1
    return _monthly_values(client, rows, series, source)


def _block(client: HttpClient, payload, series: EcosSeries, source: str) -> dict:
    result = None
    if isinstance(payload, dict):
        result = payload.get("RESULT") or (payload.get("StatisticSearch") or {}).get("RESULT")
    if isinstance(result, dict) and str(result.get("CODE", "")).strip() not in ("", "INFO-000"):
        code = str(result.get("CODE")).strip()
        meaning = ECOS_CODES.get(code, "ECOS refused the request")
        raise client.fail(
            source,
            f"ECOS {code} for {series.name} ({series.table}/{'/'.join(series.items)}): "
            f"{result.get('MESSAGE')} — {meaning}",
        )
    block = payload.get("StatisticSearch") if isinstance(payload, dict) else None
    if not isinstance(block, dict) or not isinstance(block.get("row", []), list):
        raise client.fail(source, f"unexpected ECOS response for {series.name}: no StatisticSearch.row")
    return block


def _monthly_values(client: HttpClient, rows: list[dict], series: EcosSeries, source: str) -> pd.Series:
    months, values = [], []
    for row in rows:
        time, value = str(row.get("TIME", "")), str(row.get("DATA_VALUE", "")).strip()
        try:
            month = pd.Timestamp(year=int(time[:4]), month=int(time[4:6]), day=1)
        except ValueError:
            raise client.fail(source, f"ECOS row of {series.name} has TIME {time!r}, not YYYYMM") from None
        months.append(month)
        values.append(value)
    out = pd.Series(values, index=pd.DatetimeIndex(months, name="month"), name=series.name, dtype=str)
    if out.index.has_duplicates:
        raise client.fail(
            source, f"ECOS returned several series for {series.name} ({series.table}); the item codes do not pick one"
        )
    return out.sort_index()
