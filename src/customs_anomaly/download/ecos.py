"""Bank of Korea ECOS Open API: StatisticSearch of one monthly series, StatisticItemList of a table.

`GET {base}/StatisticSearch/{key}/json/kr/{first row}/{last row}/{table}/{cycle}/{YYYYMM}/{YYYYMM}/{item...}`
answers `{"StatisticSearch": {"list_total_count": N, "row": [{"TIME": "202005", "DATA_VALUE": "1228.67",
"ITEM_CODE1": ..., "ITEM_CODE2": ..., ...}]}}` or, with HTTP 200 too, an error
`{"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}`.
`GET {base}/StatisticItemList/{key}/json/kr/1/200/{table}` answers
`{"StatisticItemList": {"list_total_count": N, "row": [{"ITEM_CODE", "ITEM_NAME", "CYCLE", "END_TIME", ...}]}}`.
"""

from __future__ import annotations

from urllib.parse import quote

import pandas as pd

from customs_anomaly.download import catalog
from customs_anomaly.download.catalog import EcosItemLookup, EcosSeries
from customs_anomaly.download.endpoints import join
from customs_anomaly.download.http import HttpClient


def series_url(
    base_url: str, key: str, series: EcosSeries, start: pd.Timestamp, end: pd.Timestamp, first: int, last: int
) -> str:
    items = "/".join(quote(item, safe="*") for item in series.items)
    return join(
        base_url,
        f"StatisticSearch/{quote(key, safe='')}/json/kr/{first}/{last}/"
        f"{series.table}/{series.cycle}/{start:%Y%m}/{end:%Y%m}/{items}",
    )


def item_list_url(base_url: str, key: str, table: str, first: int, last: int) -> str:
    return join(base_url, f"StatisticItemList/{quote(key, safe='')}/json/kr/{first}/{last}/{table}")


def describe(series: EcosSeries) -> str:
    return f"{series.table}/{series.cycle}/{'/'.join(series.items)}"


def result_error(client: HttpClient, payload, service: str, what: str, source: str):
    """The PortalError of an ECOS `RESULT` (HTTP 200) other than INFO-000, else None."""
    result = None
    if isinstance(payload, dict):
        result = payload.get("RESULT") or (payload.get(service) or {}).get("RESULT")
    if not isinstance(result, dict):
        return None
    code = str(result.get("CODE", "")).strip()
    if code in ("", "INFO-000"):
        return None
    meaning = catalog.ECOS_CODES.get(code, "ECOS refused the request")
    return client.fail(source, f"ECOS {code} for {what}: {result.get('MESSAGE')} — {meaning}", code=code)


def _rows(client: HttpClient, url: str, service: str, what: str, source: str, page_size: int) -> list[dict]:
    """Every row of a paged ECOS service; `url` is a function of (first row, last row)."""
    rows: list[dict] = []
    first = 1
    while True:
        last = first + page_size - 1
        payload = client.get_json(url(first, last), source)
        error = result_error(client, payload, service, what, source)
        if error is not None:
            raise error
        block = payload.get(service) if isinstance(payload, dict) else None
        if not isinstance(block, dict) or not isinstance(block.get("row", []), list):
            raise client.malformed(source, f"unexpected ECOS response for {what}: no {service}.row")
        part = block.get("row") or []
        rows.extend(part)
        total = int(block.get("list_total_count", len(rows)))
        if len(rows) >= total or not part:
            return rows
        first = last + 1


def fetch_series(
    client: HttpClient,
    base_url: str,
    key: str,
    series: EcosSeries,
    start: pd.Timestamp,
    end: pd.Timestamp,
    source: str,
    page_size: int = catalog.ECOS_ROWS_PER_PAGE,
) -> pd.Series:
    """Values as published text, indexed by month (first day), one value per month."""
    what = f"{series.name} ({describe(series)})"
    rows = _rows(
        client,
        lambda first, last: series_url(base_url, key, series, start, end, first, last),
        "StatisticSearch",
        what,
        source,
        page_size,
    )
    return monthly_values(client, requested_rows(rows, series), series, source)


def requested_rows(rows: list[dict], series: EcosSeries) -> list[dict]:
    """Rows whose ITEM_CODEn is the requested n-th item (where the row carries one): drops e.g. the
    month-end rate (ITEM_CODE2 0000200) beside the monthly average (0000100)."""
    return [
        row
        for row in rows
        if all(str(row.get(f"ITEM_CODE{n}") or "").strip() in ("", item) for n, item in enumerate(series.items, 1))
    ]


def monthly_values(client: HttpClient, rows: list[dict], series: EcosSeries, source: str) -> pd.Series:
    months, values = [], []
    for row in rows:
        time, value = str(row.get("TIME", "")), str(row.get("DATA_VALUE", "")).strip()
        try:
            month = pd.Timestamp(year=int(time[:4]), month=int(time[4:6]), day=1)
        except ValueError:
            raise client.malformed(source, f"ECOS row of {series.name} has TIME {time!r}, not YYYYMM") from None
        months.append(month)
        values.append(value)
    out = pd.Series(values, index=pd.DatetimeIndex(months, name="month"), name=series.name, dtype=str)
    if out.index.has_duplicates:
        raise client.malformed(
            source, f"ECOS returned several series for {series.name} ({series.table}); the item codes do not pick one"
        )
    return out.sort_index()


def fetch_item_list(client: HttpClient, base_url: str, key: str, table: str, source: str) -> list[dict]:
    return _rows(
        client,
        lambda first, last: item_list_url(base_url, key, table, first, last),
        "StatisticItemList",
        f"the item list of {table}",
        source,
        catalog.ECOS_ITEM_LIST_ROWS,
    )


def item_candidates(items: list[dict], lookup: EcosItemLookup) -> list[tuple[str, str]]:
    """(ITEM_CODE, ITEM_NAME) of the items of the lookup's cycle whose name holds one of its names;
    among several codes, those published longest (latest END_TIME). One pair when the look-up is
    clear, none when ECOS has no such item, several when it is ambiguous."""
    matches: dict[str, tuple[str, str]] = {}
    for item in items:
        name = str(item.get("ITEM_NAME", ""))
        cycle = str(item.get("CYCLE") or lookup.cycle)
        if cycle == lookup.cycle and any(n.lower() in name.lower() for n in lookup.names):
            code = str(item.get("ITEM_CODE", "")).strip()
            end = str(item.get("END_TIME") or "")
            if code and (code not in matches or end > matches[code][1]):
                matches[code] = (name, end)
    if not matches:
        return []
    latest = max(end for _, end in matches.values())
    return [(code, name) for code, (name, end) in matches.items() if end == latest]


def looked_up_series(lookup: EcosItemLookup, code: str) -> EcosSeries:
    return EcosSeries(lookup.name, lookup.table, lookup.cycle, (code,), lookup.unit, lookup.confirmed)
