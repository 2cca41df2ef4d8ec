"""Download the six public sources with the user's own keys into the layouts the loaders read.

`download_all(out_dir, start, end)` fetches seafood trade and sea freight from data.go.kr (odcloud
JSON API, key DATA_GO_KR_SERVICE_KEY) and KRW/USD, Dubai crude, CPI and PPI from the Bank of Korea
ECOS API (key ECOS_API_KEY), writes each file atomically and records it in manifest.json. A re-run
fetches only what the manifest lacks or whose checksum no longer matches. Codes: catalog.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from customs_anomaly import config
from customs_anomaly.download import catalog, ecos, odcloud, writers
from customs_anomaly.download.http import HttpClient
from customs_anomaly.download.keys import DATA_GO_KR, ECOS, KeyRing
from customs_anomaly.download.manifest import (
    file_entry,
    file_is_intact,
    load_manifest,
    now_iso,
    save_manifest,
    source_entry,
    source_is_complete,
)
from customs_anomaly.errors import DownloadError
from customs_anomaly.sources._csv import year_month

__all__ = ["DEFAULT_START", "SOURCES", "Endpoints", "SourceReport", "download_all"]

SOURCES = tuple(config.RAW_SOURCE_DIRS)  # trade, freight, exchange_rate, oil, cpi, ppi
KEY_OF = {"trade": DATA_GO_KR, "freight": DATA_GO_KR, "exchange_rate": ECOS, "oil": ECOS, "cpi": ECOS, "ppi": ECOS}
# January of the first study year, so that year-to-date columns start with the year.
DEFAULT_START = pd.Timestamp("2020-01-01")
PRICE_INDEX_COLUMN = {"cpi": "전국", "ppi": "총지수"}
FILE_OF = {
    "freight": writers.FREIGHT_FILE,
    "exchange_rate": writers.EXCHANGE_RATE_FILE,
    "oil": writers.OIL_FILE,
    "cpi": writers.CPI_FILE,
    "ppi": writers.PPI_FILE,
}


@dataclass(frozen=True)
class Endpoints:
    odcloud: str = catalog.ODCLOUD_API
    odcloud_docs: str = catalog.ODCLOUD_DOCS
    ecos: str = catalog.ECOS_API


@dataclass
class SourceReport:
    source: str
    fetched: list[str] = field(default_factory=list)  # files written by this run
    kept: list[str] = field(default_factory=list)  # files already complete
    missing_months: list[str] = field(default_factory=list)  # trade months with no release on the portal

    def summary(self) -> str:
        text = f"{self.source}: {len(self.fetched)} file(s) fetched, {len(self.kept)} already complete"
        if self.missing_months:
            text += f"; no release on the portal for {', '.join(self.missing_months)}"
        return text


@dataclass
class _Run:
    out_dir: Path
    start: pd.Timestamp
    end: pd.Timestamp
    client: HttpClient
    keys: KeyRing
    endpoints: Endpoints
    datasets: Mapping[str, str]
    progress: bool
    manifest: dict

    def key(self, source: str) -> str:
        key = self.keys.get(KEY_OF[source], source)
        self.client.add_secret(key)
        return key

    def namespace(self, source: str) -> str:
        spec = catalog.ODCLOUD_DATASETS[source]
        namespace = self.datasets.get(source) or spec.namespace
        if not namespace:
            option = f"--{source}-dataset"
            raise DownloadError(
                source,
                f"the data.go.kr dataset id of '{spec.title}' is not recorded (see data/README.md); find the file "
                f"data page on https://www.data.go.kr and pass its number with {option} (e.g. {option} 15012345)",
            )
        return namespace if "/" in namespace else f"{namespace}/v1"

    def record(self, source: str, entry: dict) -> None:
        self.manifest["sources"][source] = entry
        save_manifest(self.out_dir, self.manifest)

    def bar(self, source: str, total: int, unit: str):
        return tqdm(total=total, desc=source, unit=unit, disable=not self.progress, leave=True)


def download_all(
    out_dir: str | Path,
    start: pd.Timestamp = DEFAULT_START,
    end: pd.Timestamp = config.STUDY_END,
    sources: Sequence[str] = SOURCES,
    *,
    datasets: Mapping[str, str] | None = None,
    endpoints: Endpoints = Endpoints(),
    client: HttpClient | None = None,
    env: Mapping[str, str] | None = None,
    dotenv: tuple[Path, ...] | None = None,
    progress: bool = True,
) -> dict[str, SourceReport]:
    """Fetch the chosen sources for start..end (months) into out_dir/<source folder>/.

    `datasets` overrides the data.go.kr dataset ids ({"trade": "15012345"}); `env`/`dotenv` replace
    os.environ and the .env search (tests). Raises DownloadError (one line, no key) on failure;
    files completed before the failure stay recorded in the manifest.
    """
    out_dir = Path(out_dir)
    start, end = pd.Timestamp(start).to_period("M").start_time, pd.Timestamp(end).to_period("M").start_time
    if start > end:
        raise DownloadError("download", f"--from {start:%Y-%m} is after --to {end:%Y-%m}")
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise DownloadError("download", f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    if (out_dir / config.SYNTHETIC_MARKER).exists():
        raise DownloadError(
            "download",
            f"{out_dir} holds the synthetic replica ({config.SYNTHETIC_MARKER}); download into another folder",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    client = client or HttpClient()
    run = _Run(
        out_dir,
        start,
        end,
        client,
        KeyRing(env, dotenv),
        endpoints,
        dict(datasets or {}),
        progress,
        load_manifest(out_dir),
    )
    reports = {}
    for source in sources:
        try:
            reports[source] = _DOWNLOADERS[source](run, source)
        except DownloadError as exc:  # belt and braces: no key in any message
            raise DownloadError(exc.source, client.redact(exc.message)) from None
    return reports


# --- data.go.kr (odcloud) --------------------------------------------------------------------


def _download_trade(run: _Run, source: str) -> SourceReport:
    """One file per monthly release; each month is fetched once and kept while its checksum holds."""
    namespace = run.namespace(source)
    parameters = {"dataset": namespace}
    entry = run.manifest["sources"].get(source) or {}
    previous = entry.get("files", []) if entry.get("parameters") == parameters else []
    done = {f["month"]: f for f in previous if "month" in f and file_is_intact(run.out_dir, f)}
    report = SourceReport(source, kept=[done[m]["name"] for m in sorted(done)])
    todo = [m for m in config.month_range(run.start, run.end) if f"{m:%Y-%m}" not in done]
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
            rows = odcloud.fetch_rows(run.client, run.endpoints.odcloud, path, key, source)
            data = _checked_trade_rows(run, rows, month, path, source)
            target = run.out_dir / config.RAW_SOURCE_DIRS[source] / writers.TRADE_FILE.format(yyyymm=f"{month:%Y%m}")
            writers.write_atomic(target, writers.trade_csv(data))
            done[f"{month:%Y-%m}"] = {
                **file_entry(run.out_dir, target, len(data), path, now_iso()),
                "month": f"{month:%Y-%m}",
            }
            report.fetched.append(done[f"{month:%Y-%m}"]["name"])
            run.record(source, source_entry(list(done.values()), parameters))
            bar.update(1)
    if not done:
        raise DownloadError(
            source,
            f"dataset {namespace} has no release for {run.start:%Y-%m}..{run.end:%Y-%m} (is the dataset id right?)",
        )
    return report


def _checked_trade_rows(run: _Run, rows: list[dict], month: pd.Timestamp, path: str, source: str) -> list[dict]:
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


def _kept_report(run: _Run, source: str, parameters: dict) -> SourceReport | None:
    """The report of a source whose files the manifest already holds intact with these parameters."""
    entry = run.manifest["sources"].get(source)
    if not source_is_complete(run.out_dir, entry, parameters):
        return None
    return SourceReport(source, kept=[f["name"] for f in entry["files"]])


def _download_freight(run: _Run, source: str) -> SourceReport:
    """The latest release of the freight file (it holds every month since 2019-01)."""
    namespace = run.namespace(source)
    parameters = {"dataset": namespace}
    kept = _kept_report(run, source, parameters)
    if kept is not None:
        return kept
    report = SourceReport(source)
    key = run.key(source)
    with run.bar(source, 1, "release") as bar:
        path = odcloud.latest_release(odcloud.list_releases(run.client, run.endpoints.odcloud_docs, namespace, source))
        rows = odcloud.fetch_rows(run.client, run.endpoints.odcloud, path, key, source)
        if not rows:
            raise DownloadError(source, f"release {path} is empty (totalCount 0)")
        missing = writers.missing_columns(rows, writers.FREIGHT_COLUMNS)
        if missing:
            raise DownloadError(source, f"release {path} lacks the column(s) {', '.join(missing)}")
        target = _write(run, source, writers.freight_csv(rows))
        run.record(source, source_entry([file_entry(run.out_dir, target, len(rows), path, now_iso())], parameters))
        bar.update(1)
    report.fetched.append(run.manifest["sources"][source]["files"][0]["name"])
    return report


# --- Bank of Korea ECOS ----------------------------------------------------------------------


def _download_ecos(run: _Run, source: str) -> SourceReport:
    specs = catalog.ECOS_SERIES[source]
    parameters = {
        "from": f"{run.start:%Y-%m}",
        "to": f"{run.end:%Y-%m}",
        "series": [{"name": s.name, "table": s.table, "cycle": s.cycle, "items": list(s.items)} for s in specs],
    }
    kept = _kept_report(run, source, parameters)
    if kept is not None:
        return kept
    report = SourceReport(source)
    key = run.key(source)
    fetched = {}
    with run.bar(source, len(specs), "series") as bar:
        for spec in specs:
            fetched[spec.name] = ecos.fetch_series(
                run.client, run.endpoints.ecos, key, spec, run.start, run.end, source
            )
            bar.update(1)
    for name, values in fetched.items():
        if values.empty:
            raise DownloadError(source, f"ECOS returned no rows for {name}")
        _check_numbers(values, name, source)
    extra = {}
    if source == "oil":
        prices = _consecutive_oil_prices(fetched, source)
        data, rows = writers.oil_csv(prices), len(prices)
        extra["first_month"] = f"{prices.index[0]:%Y-%m}"  # the oil file carries no year (read by load_raw)
    else:
        values = next(iter(fetched.values()))
        rows = len(values)
        data = (
            writers.exchange_rate_csv(values)
            if source == "exchange_rate"
            else writers.price_index_csv(values, PRICE_INDEX_COLUMN[source])
        )
    target = _write(run, source, data)
    resource = ", ".join(f"{s.table}/{s.cycle}/{'/'.join(s.items)}" for s in specs)
    run.record(
        source, {**source_entry([file_entry(run.out_dir, target, rows, resource, now_iso())], parameters), **extra}
    )
    report.fetched.append(run.manifest["sources"][source]["files"][0]["name"])
    return report


def _check_numbers(values: pd.Series, name: str, source: str) -> None:
    numbers = pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")
    if numbers.isna().any():
        month = numbers.index[numbers.isna()][0]
        raise DownloadError(source, f"ECOS value of {name} for {month:%Y-%m} is not a number: {values[month]!r}")


def _consecutive_oil_prices(fetched: dict[str, pd.Series], source: str) -> pd.DataFrame:
    """Dubai (required) with Brent and WTI by month; the months must not have a gap, because the
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


def _write(run: _Run, source: str, data: bytes) -> Path:
    return writers.write_atomic(run.out_dir / config.RAW_SOURCE_DIRS[source] / FILE_OF[source], data)


_DOWNLOADERS = {
    "trade": _download_trade,
    "freight": _download_freight,
    "exchange_rate": _download_ecos,
    "oil": _download_ecos,
    "cpi": _download_ecos,
    "ppi": _download_ecos,
}
