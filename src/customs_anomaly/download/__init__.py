"""Download the six public sources with the user's own keys into the layouts the loaders read.

`download_all(out_dir, start, end)` fetches seafood trade (data.go.kr file dataset 15102783 through
odcloud, or the open API 15057607 once its operation path is known) and sea freight (data.go.kr
open API 15129097, XML) with DATA_GO_KR_SERVICE_KEY, and KRW/USD, Dubai crude, CPI and PPI from the
Bank of Korea ECOS API with ECOS_API_KEY. Each file is written atomically and recorded in
manifest.json; a re-run fetches only what the manifest lacks or whose checksum no longer matches.
`check_all` tries each source with one small request (`download --check`). Codes: catalog.py;
base URLs: endpoints.py (environment variables CUSTOMS_ANOMALY_*_URL).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.download.check import CheckResult, check_source
from customs_anomaly.download.endpoints import Endpoints
from customs_anomaly.download.freight import download_freight
from customs_anomaly.download.http import HttpClient
from customs_anomaly.download.keys import KeyRing
from customs_anomaly.download.macro import download_ecos
from customs_anomaly.download.manifest import load_manifest
from customs_anomaly.download.run import SOURCES, Choices, Run, SourceReport
from customs_anomaly.download.trade import download_trade
from customs_anomaly.errors import DownloadError, PortalError

__all__ = [
    "DEFAULT_START",
    "SOURCES",
    "CheckResult",
    "Choices",
    "Endpoints",
    "SourceReport",
    "check_all",
    "download_all",
]

# January of the first study year, so that year-to-date columns start with the year.
DEFAULT_START = pd.Timestamp("2020-01-01")
CHECK_RETRIES = 1  # a connection check should answer quickly

_DOWNLOADERS = {
    "trade": download_trade,
    "freight": download_freight,
    "exchange_rate": download_ecos,
    "oil": download_ecos,
    "cpi": download_ecos,
    "ppi": download_ecos,
}


def _redacted(exc: DownloadError, client: HttpClient) -> DownloadError:
    """The same error (type, status, code) with every key replaced by ***."""
    message = client.redact(exc.message)
    if isinstance(exc, PortalError):
        return PortalError(exc.source, message, status=exc.status, code=exc.code)
    return type(exc)(exc.source, message)


def _checked_period(start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    start, end = pd.Timestamp(start).to_period("M").start_time, pd.Timestamp(end).to_period("M").start_time
    if start > end:
        raise DownloadError("download", f"--from {start:%Y-%m} is after --to {end:%Y-%m}")
    return start, end


def _checked_sources(sources: Sequence[str]) -> list[str]:
    unknown = [s for s in sources if s not in SOURCES]
    if unknown:
        raise DownloadError("download", f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(SOURCES)}")
    return list(sources)


def _run(out_dir, start, end, client, env, dotenv, endpoints, choices, progress, manifest) -> Run:
    return Run(
        out_dir=Path(out_dir),
        start=start,
        end=end,
        client=client,
        keys=KeyRing(env, dotenv),
        endpoints=endpoints if endpoints is not None else Endpoints.from_env(env),
        choices=choices,
        progress=progress,
        manifest=manifest,
    )


def download_all(
    out_dir: str | Path,
    start: pd.Timestamp = DEFAULT_START,
    end: pd.Timestamp = config.STUDY_END,
    sources: Sequence[str] = SOURCES,
    *,
    choices: Choices = Choices(),
    endpoints: Endpoints | None = None,
    client: HttpClient | None = None,
    env: Mapping[str, str] | None = None,
    dotenv: tuple[Path, ...] | None = None,
    progress: bool = True,
) -> dict[str, SourceReport]:
    """Fetch the chosen sources for start..end (months) into out_dir/<source folder>/.

    `choices` picks the datasets (defaults: the catalog); `endpoints` defaults to the base URLs of
    the environment (CUSTOMS_ANOMALY_*_URL); `env`/`dotenv` replace os.environ and the .env search
    (tests). Raises DownloadError (one line, no key) on failure; files completed before the failure
    stay recorded in the manifest.
    """
    out_dir = Path(out_dir)
    start, end = _checked_period(start, end)
    sources = _checked_sources(sources)
    if (out_dir / config.SYNTHETIC_MARKER).exists():
        raise DownloadError(
            "download",
            f"{out_dir} holds the synthetic replica ({config.SYNTHETIC_MARKER}); download into another folder",
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    client = client or HttpClient()
    run = _run(out_dir, start, end, client, env, dotenv, endpoints, choices, progress, load_manifest(out_dir))
    reports = {}
    for source in sources:
        try:
            reports[source] = _DOWNLOADERS[source](run, source)
        except DownloadError as exc:  # belt and braces: no key in any message
            raise _redacted(exc, client) from None
    return reports


def check_all(
    start: pd.Timestamp = DEFAULT_START,
    end: pd.Timestamp = config.STUDY_END,
    sources: Sequence[str] = SOURCES,
    *,
    choices: Choices = Choices(),
    endpoints: Endpoints | None = None,
    client: HttpClient | None = None,
    env: Mapping[str, str] | None = None,
    dotenv: tuple[Path, ...] | None = None,
) -> list[CheckResult]:
    """One small request per source (two for trade from the file dataset: its release list and
    one row): is the service reachable, is the key accepted, is the dataset what the catalog says.
    Writes nothing; every text is free of keys."""
    start, end = _checked_period(start, end)
    client = client or HttpClient(retries=CHECK_RETRIES)
    run = _run(Path("."), start, end, client, env, dotenv, endpoints, choices, False, {"sources": {}})  # writes nothing
    return [check_source(run, source) for source in _checked_sources(sources)]
