"""Seafood trade by HSK item and country: one file per month, in the by-country release layout.

Two services can fill it:
- the file dataset (odcloud, default 15102783/v1): its monthly releases, listed by the dataset's
  OpenAPI document; the first row of the first release fetched must carry the country columns
  (국가코드, 국가명, 경제권명), else the dataset is refused before anything is written;
- the open API 15057607 (once its operation path is known): one call per month (`baseDt`),
  year-to-date columns summed from January (trade_api.py).
Each month is fetched once and kept while its checksum holds (manifest.json).
"""

from __future__ import annotations

import itertools

import pandas as pd

from customs_anomaly.download import catalog, datagokr, odcloud, trade_api, writers
from customs_anomaly.download.manifest import file_entry, file_is_intact, now_iso, origin_of, source_entry
from customs_anomaly.download.run import Run, SourceReport
from customs_anomaly.errors import DownloadError
from customs_anomaly.sources._csv import year_month


def download_trade(run: Run, source: str) -> SourceReport:
    if run.choices.trade_via_api:
        return _download_from_api(run, source)
    return _download_from_file_dataset(run, source)


def _done_months(run: Run, source: str, parameters: dict) -> dict[str, dict]:
    """{'YYYY-MM': file entry} of the months fetched before with these parameters and still intact."""
    entry = run.manifest["sources"].get(source) or {}
    previous = entry.get("files", []) if entry.get("parameters") == parameters else []
    return {f["month"]: f for f in previous if "month" in f and file_is_intact(run.out_dir, f)}


def _save_month(
    run: Run, source: str, done: dict, month: pd.Timestamp, rows: list[dict], resource: str, entry: tuple[dict, dict]
) -> str:
    """Write one month's file and record it at once (an interrupted run keeps what it finished)."""
    parameters, origin = entry
    target = run.write(source, writers.TRADE_FILE.format(yyyymm=f"{month:%Y%m}"), writers.trade_csv(rows))
    done[f"{month:%Y-%m}"] = {
        **file_entry(run.out_dir, target, len(rows), resource, now_iso()),
        "month": f"{month:%Y-%m}",
    }
    run.record(source, source_entry(list(done.values()), parameters, origin))
    return done[f"{month:%Y-%m}"]["name"]


def _nothing_fetched(run: Run, source: str, what: str) -> DownloadError:
    return DownloadError(source, f"{what} has no data for {run.start:%Y-%m}..{run.end:%Y-%m} (is the id right?)")


# --- file dataset (odcloud) ---------------------------------------------------------------------


def refuse_without_country_columns(namespace: str, path: str, source: str):
    """check_first_page for odcloud.fetch_rows: the by-item variant cannot make the by-country panel."""

    def check(rows: list[dict]) -> None:
        if not rows:
            return
        missing = [c for c in catalog.TRADE_DATASET.required_columns if c not in rows[0]]
        if missing:
            raise DownloadError(
                source,
                f"dataset {namespace} (release {path}) has no {', '.join(missing)} column: it is the by-item "
                "release, which cannot make the by-country panel; use the by-country open API 15057607 with "
                "--trade-api-operation, or pass the by-country file dataset with --trade-dataset (data/README.md)",
            )

    return check


def checked_release_rows(rows: list[dict], month: pd.Timestamp, path: str, source: str) -> list[dict]:
    if not rows:
        raise DownloadError(source, f"release {path} for {month:%Y-%m} is empty (totalCount 0)")
    missing = writers.missing_columns(rows, writers.TRADE_COLUMNS)
    if missing:
        raise DownloadError(
            source, f"release {path} lacks the column(s) {', '.join(missing)}: is it the by-country release?"
        )
    months = {year_month(writers.cell(row.get("기준년월"))) for row in rows}
    if months != {month}:
        found = ", ".join(sorted(f"{m:%Y-%m}" if m is not None else "?" for m in months))
        raise DownloadError(source, f"release {path}, named for {month:%Y-%m}, holds rows of {found}")
    return rows


def _download_from_file_dataset(run: Run, source: str) -> SourceReport:
    namespace = run.choices.trade_dataset
    parameters = {"dataset": namespace}
    origin = origin_of(catalog.SERVICE_ODCLOUD, namespace, "monthly releases")
    done = _done_months(run, source, parameters)
    report = SourceReport(source, kept=[done[m]["name"] for m in sorted(done)])
    todo = [m for m in run.months() if f"{m:%Y-%m}" not in done]
    if not todo:
        return report
    key = run.key(source)
    releases = odcloud.months_of_releases(
        odcloud.list_releases(run.client, run.endpoints.odcloud_docs, namespace, source)
    )
    with run.bar(source, len(todo), "release") as bar:
        for month in todo:
            path = releases.get(month)
            if path is None:
                report.missing_months.append(f"{month:%Y-%m}")
                bar.update(1)
                continue
            check = refuse_without_country_columns(namespace, path, source)
            rows = odcloud.fetch_rows(run.client, run.endpoints.odcloud, path, key, source, check_first_page=check)
            rows = checked_release_rows(rows, month, path, source)
            report.fetched.append(_save_month(run, source, done, month, rows, path, (parameters, origin)))
            bar.update(1)
    if not done:
        raise _nothing_fetched(run, source, f"dataset {namespace}")
    return report


# --- open API 15057607 ----------------------------------------------------------------------------


def fetch_year(run: Run, key: str, source: str, last: pd.Timestamp, bar) -> list[tuple[pd.Timestamp, list]]:
    """(month, items) from January of `last`'s year to `last`, stopping before the first month
    the API has no data for (resultCode 03): later year-to-date sums would be wrong without it."""
    operation = run.choices.trade_api_operation
    fetched = []
    for month in pd.date_range(last.replace(month=1), last, freq="MS"):
        parameters = {catalog.TRADE_API_MONTH_PARAMETER: f"{month:%Y%m}"}
        what = f"{operation} {catalog.TRADE_API_MONTH_PARAMETER}={month:%Y%m}"
        items = datagokr.fetch_items(run.client, run.endpoints.apis, operation, key, parameters, source, what)
        bar.update(1)
        if items is None:
            break
        fetched.append((month, items))
    return fetched


def _download_from_api(run: Run, source: str) -> SourceReport:
    operation = run.choices.trade_api_operation
    parameters = {"api": catalog.TRADE_API.dataset_id, "operation": operation}
    origin = origin_of(catalog.SERVICE_OPEN_API, catalog.TRADE_API.dataset_id, operation)
    done = _done_months(run, source, parameters)
    report = SourceReport(source, kept=[done[m]["name"] for m in sorted(done)])
    todo = [m for m in run.months() if f"{m:%Y-%m}" not in done]
    if not todo:
        return report
    key = run.key(source)
    years = [(year, list(months)) for year, months in itertools.groupby(todo, key=lambda m: m.year)]
    with run.bar(source, sum(max(months).month for _, months in years), "month") as bar:
        for _, months in years:
            releases = trade_api.releases(fetch_year(run, key, source, max(months), bar), source)
            for month in months:
                rows = releases.get(month)
                if not rows:
                    report.missing_months.append(f"{month:%Y-%m}")
                    continue
                resource = f"{operation}?{catalog.TRADE_API_MONTH_PARAMETER}={month:%Y%m}"
                report.fetched.append(_save_month(run, source, done, month, rows, resource, (parameters, origin)))
    if not done:
        raise _nothing_fetched(run, source, f"open API {catalog.TRADE_API.dataset_id} ({operation})")
    return report
