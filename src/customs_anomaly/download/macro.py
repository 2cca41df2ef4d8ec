"""KRW/USD, crude oil, CPI and PPI from the Bank of Korea ECOS API into their files.

The exchange rate, CPI and PPI are one StatisticSearch series each (catalog.ECOS_SERIES). The
crudes are looked up by name in the item list of table 902Y003 first (the Dubai code differs
between sources); Dubai is required, Brent and WTI are left blank when ECOS has no clear item,
Oman is never on ECOS.
"""

from __future__ import annotations

import pandas as pd

from customs_anomaly.download import catalog, ecos, writers
from customs_anomaly.download.catalog import EcosItemLookup, EcosSeries
from customs_anomaly.download.manifest import file_entry, now_iso, origin_of, source_entry
from customs_anomaly.download.run import Run, SourceReport
from customs_anomaly.errors import DownloadError, PortalError

PRICE_INDEX_COLUMN = {"cpi": "전국", "ppi": "총지수"}
FILE_OF = {
    "exchange_rate": writers.EXCHANGE_RATE_FILE,
    "oil": writers.OIL_FILE,
    "cpi": writers.CPI_FILE,
    "ppi": writers.PPI_FILE,
}


def check_numbers(values: pd.Series, name: str, source: str) -> None:
    numbers = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    if numbers.isna().any():
        month = numbers.index[numbers.isna()][0]
        raise DownloadError(source, f"ECOS value of {name} for {month:%Y-%m} is not a number: {values[month]!r}")


def _fetch(run: Run, key: str, series: EcosSeries, source: str) -> pd.Series:
    values = ecos.fetch_series(run.client, run.endpoints.ecos, key, series, run.start, run.end, source)
    if values.empty:
        raise DownloadError(source, f"ECOS returned no rows for {series.name} ({ecos.describe(series)})")
    check_numbers(values, series.name, source)
    return values


def _record(run: Run, source: str, data: bytes, rows: int, resource: str, parameters: dict, extra: dict) -> str:
    target = run.write(source, FILE_OF[source], data)
    origin = origin_of(catalog.SERVICE_ECOS, resource.split("/")[0], f"StatisticSearch {resource}")
    entry = source_entry([file_entry(run.out_dir, target, rows, resource, now_iso())], parameters, origin)
    run.record(source, {**entry, **extra})
    return entry["files"][0]["name"]


def download_ecos(run: Run, source: str) -> SourceReport:
    if source == "oil":
        return _download_oil(run, source)
    (series,) = catalog.ECOS_SERIES[source]
    parameters = {
        "from": f"{run.start:%Y-%m}",
        "to": f"{run.end:%Y-%m}",
        "series": {"table": series.table, "cycle": series.cycle, "items": list(series.items)},
    }
    kept = run.kept(source, parameters)
    if kept is not None:
        return kept
    values = _fetch(run, run.key(source), series, source)
    data = (
        writers.exchange_rate_csv(values)
        if source == "exchange_rate"
        else writers.price_index_csv(values, PRICE_INDEX_COLUMN[source])
    )
    name = _record(run, source, data, len(values), ecos.describe(series), parameters, {})
    return SourceReport(source, fetched=[name])


def consecutive_oil_prices(fetched: dict[str, pd.Series], source: str) -> pd.DataFrame:
    """Dubai (required) with the other crudes by month; the months must not have a gap, because the
    file's month labels carry no year and the loader counts them from the first month."""
    prices = pd.concat(fetched, axis=1).reindex(columns=list(fetched))
    prices = prices[prices["Dubai"].notna()]
    expected = pd.date_range(prices.index[0], prices.index[-1], freq="MS")
    gaps = expected.difference(prices.index)
    if len(gaps):
        raise DownloadError(
            source, f"the Dubai series has a gap at {gaps[0]:%Y-%m}; the oil file needs consecutive months"
        )
    return prices


def _oil_series(items: list[dict], lookup: EcosItemLookup, source: str) -> tuple[EcosSeries | None, str | None]:
    """The series of one crude, or (None, why it is left blank); DownloadError for Dubai."""
    candidates = ecos.item_candidates(items, lookup)
    if len(candidates) == 1:
        return ecos.looked_up_series(lookup, candidates[0][0]), None
    names = "/".join(lookup.names)
    problem = (
        f"ECOS table {lookup.table} lists no {lookup.cycle} item named like {names}"
        if not candidates
        else f"ECOS table {lookup.table} has several items named like {names}: "
        + ", ".join(f"{name} ({code})" for code, name in candidates)
    )
    if lookup.required:
        raise DownloadError(
            source,
            f"{problem}; codes public programs use: {', '.join(lookup.known_codes)}; correct catalog.ECOS_OIL_LOOKUPS",
        )
    return None, f"{lookup.name} left blank ({problem})"


def _download_oil(run: Run, source: str) -> SourceReport:
    parameters = {
        "from": f"{run.start:%Y-%m}",
        "to": f"{run.end:%Y-%m}",
        "lookups": [{"name": x.name, "table": x.table, "names": list(x.names)} for x in catalog.ECOS_OIL_LOOKUPS],
    }
    kept = run.kept(source, parameters)
    if kept is not None:
        return kept
    key = run.key(source)
    items = ecos.fetch_item_list(run.client, run.endpoints.ecos, key, catalog.ECOS_OIL_TABLE, source)
    report = SourceReport(source)
    fetched, used = {}, []
    with run.bar(source, len(catalog.ECOS_OIL_LOOKUPS), "series") as bar:
        for lookup in catalog.ECOS_OIL_LOOKUPS:
            series, blank = _oil_series(items, lookup, source)
            if series is not None:
                try:
                    fetched[lookup.name] = _fetch(run, key, series, source)
                    used.append(series)
                except PortalError as exc:
                    if lookup.required or exc.code != catalog.ECOS_NO_DATA:
                        raise
                    blank = f"{lookup.name} left blank (ECOS {exc.code} for {ecos.describe(series)})"
            if blank:
                report.notes.append(blank)
            bar.update(1)
    prices = consecutive_oil_prices(fetched, source)
    resource = ", ".join(f"{ecos.describe(s)} ({s.name})" for s in used)
    extra = {"first_month": f"{prices.index[0]:%Y-%m}"}  # the oil file carries no year (read by load_raw)
    report.fetched.append(_record(run, source, writers.oil_csv(prices), len(prices), resource, parameters, extra))
    return report
