"""What one download run shares between the sources: the output folder and its manifest, the
period, the HTTP client, the keys, the base URLs and the chosen datasets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from customs_anomaly import config
from customs_anomaly.download import catalog
from customs_anomaly.download.endpoints import Endpoints
from customs_anomaly.download.http import HttpClient
from customs_anomaly.download.keys import DATA_GO_KR, ECOS, KeyRing
from customs_anomaly.download.manifest import save_manifest, source_is_complete
from customs_anomaly.download.writers import write_atomic
from customs_anomaly.errors import DownloadError

SOURCES = tuple(config.RAW_SOURCE_DIRS)  # trade, freight, exchange_rate, oil, cpi, ppi
KEY_OF = {"trade": DATA_GO_KR, "freight": DATA_GO_KR, "exchange_rate": ECOS, "oil": ECOS, "cpi": ECOS, "ppi": ECOS}
_OPERATION = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)+")
_DATASET_ID = re.compile(r"\d+(/v\d+)?")


def checked_operation(option: str, text: str) -> str:
    """An operation path under the data.go.kr API base ('1220000/service/operation')."""
    path = text.strip().strip("/")
    if not _OPERATION.fullmatch(path):
        raise DownloadError(
            "download",
            f"{option} must be the operation path under {catalog.APIS_URL}, like "
            f"{catalog.FREIGHT_API.operation} (no scheme, host or query), got {text!r}",
        )
    return path


def odcloud_namespace(option: str, text: str) -> str:
    """'15102783' or '15102783/v1' -> '15102783/v1'."""
    value = text.strip().strip("/")
    if not _DATASET_ID.fullmatch(value):
        raise DownloadError(
            "download", f"{option} must be a data.go.kr file-data id like 15102783 (or 15102783/v1), got {text!r}"
        )
    return value if "/" in value else f"{value}/v1"


@dataclass(frozen=True)
class Choices:
    """Which dataset or operation serves each data.go.kr source; the defaults come from the catalog.

    Trade comes from the open API 15057607 when its operation path is known (this option or the
    catalog), otherwise from the file dataset (`trade_dataset`)."""

    trade_dataset: str = catalog.TRADE_DATASET.namespace
    trade_api_operation: str | None = catalog.TRADE_API.operation
    freight_operation: str = catalog.FREIGHT_API.operation

    @classmethod
    def from_options(
        cls,
        trade_dataset: str | None = None,
        trade_api_operation: str | None = None,
        freight_operation: str | None = None,
    ) -> Choices:
        """Validated user options (None keeps the catalog's value)."""
        if trade_dataset and trade_api_operation:
            raise DownloadError(
                "download", "--trade-dataset and --trade-api-operation choose two trade sources; pass one"
            )
        default = cls()
        return cls(
            trade_dataset=odcloud_namespace("--trade-dataset", trade_dataset)
            if trade_dataset
            else default.trade_dataset,
            trade_api_operation=(
                checked_operation("--trade-api-operation", trade_api_operation)
                if trade_api_operation
                else (None if trade_dataset else default.trade_api_operation)
            ),
            freight_operation=(
                checked_operation("--freight-operation", freight_operation)
                if freight_operation
                else default.freight_operation
            ),
        )

    @property
    def trade_via_api(self) -> bool:
        return self.trade_api_operation is not None


@dataclass
class SourceReport:
    source: str
    fetched: list[str] = field(default_factory=list)  # files written by this run
    kept: list[str] = field(default_factory=list)  # files already complete
    missing_months: list[str] = field(default_factory=list)  # months the service has no data for (yet)
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"{self.source}: {len(self.fetched)} file(s) fetched, {len(self.kept)} already complete"
        if self.missing_months:
            text += f"; no data on the portal for {', '.join(self.missing_months)}"
        return "; ".join([text, *self.notes])


@dataclass
class Run:
    out_dir: Path
    start: pd.Timestamp
    end: pd.Timestamp
    client: HttpClient
    keys: KeyRing
    endpoints: Endpoints
    choices: Choices
    progress: bool
    manifest: dict

    def key(self, source: str) -> str:
        key = self.keys.get(KEY_OF[source], source)
        self.client.add_secret(key)
        return key

    def months(self) -> pd.DatetimeIndex:
        return config.month_range(self.start, self.end)

    def record(self, source: str, entry: dict) -> None:
        self.manifest["sources"][source] = entry
        save_manifest(self.out_dir, self.manifest)

    def kept(self, source: str, parameters: dict) -> SourceReport | None:
        """The report of a source whose files the manifest already holds intact with these parameters."""
        entry = self.manifest["sources"].get(source)
        if not source_is_complete(self.out_dir, entry, parameters):
            return None
        return SourceReport(source, kept=[f["name"] for f in entry["files"]])

    def write(self, source: str, file_name: str, data: bytes) -> Path:
        return write_atomic(self.out_dir / config.RAW_SOURCE_DIRS[source] / file_name, data)

    def bar(self, source: str, total: int, unit: str):
        return tqdm(total=total, desc=source, unit=unit, disable=not self.progress, leave=True)
