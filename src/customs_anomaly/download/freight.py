"""Sea-freight import cost from the KCS open API 15129097 (REST, XML) into the freight file.

`GET {apis}/1220000/seaimextrnpcst/getSeaImexTrnpCst?serviceKey=K&cntyCd=USW&imexTpcd=2
&strtYymm=202001&endYymm=202012&numOfRows=N&pageNo=P`: one call per route and 12 months, import
side, every page. Items carry `year` ("2024.01") and `imexTrnpCst` (천원 per 2 TEU). The file has
`기간` and the six routes (config.FREIGHT_ROUTES), blank where a route has no value.
"""

from __future__ import annotations

import pandas as pd

from customs_anomaly import config
from customs_anomaly.download import catalog, datagokr, writers
from customs_anomaly.download.manifest import file_entry, now_iso, origin_of, source_entry
from customs_anomaly.download.run import Run, SourceReport
from customs_anomaly.download.writers import cell
from customs_anomaly.errors import DownloadError
from customs_anomaly.sources._csv import year_month


def windows(
    start: pd.Timestamp, end: pd.Timestamp, months: int = catalog.FREIGHT_MONTHS_PER_CALL
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Consecutive spans of at most `months` months covering start..end."""
    spans = []
    first = start
    while first <= end:
        last = min(first + pd.DateOffset(months=months - 1), end)
        spans.append((first, last))
        first = last + pd.DateOffset(months=1)
    return spans


def route_parameters(route_code: str, first: pd.Timestamp, last: pd.Timestamp) -> dict[str, str]:
    return {
        "cntyCd": route_code,
        "imexTpcd": catalog.FREIGHT_IMPORT,
        "strtYymm": f"{first:%Y%m}",
        "endYymm": f"{last:%Y%m}",
    }


def route_values(items: list[dict[str, str]], what: str, source: str) -> dict[pd.Timestamp, str]:
    """{month: cost as text} of one route; one value per month, a number or blank."""
    values: dict[pd.Timestamp, str] = {}
    for item in items:
        label = item.get(catalog.FREIGHT_MONTH_FIELD, "")
        month = year_month(label)
        if month is None:
            raise DownloadError(source, f"{what}: item with {catalog.FREIGHT_MONTH_FIELD}={label!r}, not a month")
        if month in values:
            raise DownloadError(source, f"{what}: two items for {month:%Y-%m}")
        values[month] = _number_text(item.get(catalog.FREIGHT_VALUE_FIELD, ""), f"{what} {month:%Y-%m}", source)
    return values


def _number_text(text: str, where: str, source: str) -> str:
    cleaned = text.replace(",", "").strip()
    if not cleaned:
        return ""
    try:
        return cell(float(cleaned))
    except ValueError:
        raise DownloadError(source, f"{where}: {catalog.FREIGHT_VALUE_FIELD}={text!r} is not a number") from None


def freight_rows(values: dict[str, dict[pd.Timestamp, str]]) -> list[dict[str, str]]:
    """Rows of the freight file from {route column: {month: text}}: every month any route has."""
    months = sorted(set().union(*(v.keys() for v in values.values())))
    return [
        {"기간": f"{month:%Y-%m}", **{route: values.get(route, {}).get(month, "") for route in config.FREIGHT_ROUTES}}
        for month in months
    ]


def fetch_freight(run: Run, source: str, rows_per_page: int = catalog.DATA_GO_KR_ROWS_PER_PAGE) -> dict:
    """{route column: {month: text}} for start..end, all six routes."""
    key = run.key(source)
    operation = run.choices.freight_operation
    spans = windows(run.start, run.end)
    values: dict[str, dict[pd.Timestamp, str]] = {route: {} for route in config.FREIGHT_ROUTES}
    with run.bar(source, len(spans) * len(catalog.FREIGHT_ROUTE_CODES), "call") as bar:
        for code, route in catalog.FREIGHT_ROUTE_CODES.items():
            for first, last in spans:
                what = f"{operation} cntyCd={code} {first:%Y-%m}..{last:%Y-%m}"
                parameters = route_parameters(code, first, last)
                items = datagokr.fetch_items(
                    run.client, run.endpoints.apis, operation, key, parameters, source, what, rows_per_page
                )
                found = route_values(items or [], what, source)
                values[route].update({m: v for m, v in found.items() if first <= m <= last})
                bar.update(1)
    return values


def download_freight(run: Run, source: str) -> SourceReport:
    operation = run.choices.freight_operation
    parameters = {"from": f"{run.start:%Y-%m}", "to": f"{run.end:%Y-%m}", "operation": operation}
    kept = run.kept(source, parameters)
    if kept is not None:
        return kept
    values = fetch_freight(run, source)
    rows = freight_rows(values)
    if not rows:
        raise DownloadError(
            source,
            f"{operation} has no data for {run.start:%Y-%m}..{run.end:%Y-%m} on any route (resultCode 03 everywhere)",
        )
    target = run.write(source, writers.FREIGHT_FILE, writers.freight_csv(rows))
    resource = f"{operation}?imexTpcd={catalog.FREIGHT_IMPORT}&cntyCd={','.join(catalog.FREIGHT_ROUTE_CODES)}"
    origin = origin_of(catalog.SERVICE_OPEN_API, catalog.FREIGHT_API.dataset_id, operation)
    run.record(
        source, source_entry([file_entry(run.out_dir, target, len(rows), resource, now_iso())], parameters, origin)
    )
    have = {pd.Timestamp(row["기간"]) for row in rows}
    report = SourceReport(source, fetched=[run.manifest["sources"][source]["files"][0]["name"]])
    report.missing_months = [f"{m:%Y-%m}" for m in run.months() if m not in have]
    empty = [route for route in config.FREIGHT_ROUTES if not any(row[route] for row in rows)]
    if empty:
        report.notes.append(f"no value at all for {', '.join(empty)}")
    return report
