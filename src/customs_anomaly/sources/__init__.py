"""Loaders of the six public sources: each reads the original layout (one file or a folder of
files; UTF-8, UTF-8 with BOM or cp949) into a typed frame with English column names."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError
from customs_anomaly.provenance import DOWNLOAD_MANIFEST
from customs_anomaly.sources._csv import year_month
from customs_anomaly.sources.exchange_rate import read_exchange_rate
from customs_anomaly.sources.freight import read_freight
from customs_anomaly.sources.oil import read_oil
from customs_anomaly.sources.price_index import read_cpi, read_ppi
from customs_anomaly.sources.trade import read_trade

__all__ = [
    "RawSources",
    "load_raw",
    "read_cpi",
    "read_exchange_rate",
    "read_freight",
    "read_oil",
    "read_ppi",
    "read_trade",
    "recorded_oil_first_month",
]


@dataclass(frozen=True)
class RawSources:
    trade: pd.DataFrame
    freight: pd.DataFrame
    exchange_rate: pd.DataFrame
    oil: pd.DataFrame
    cpi: pd.DataFrame
    ppi: pd.DataFrame


def recorded_oil_first_month(raw_dir: str | Path) -> pd.Timestamp:
    """First month of the oil file as `download` recorded it in manifest.json (its month labels
    carry no year); the study start when there is no such record (replica, hand-placed files)."""
    manifest = Path(raw_dir) / DOWNLOAD_MANIFEST
    if manifest.is_file():
        try:
            content = json.loads(manifest.read_text(encoding="utf-8"))
        except (ValueError, OSError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise InputError(manifest, "not a valid JSON manifest; delete it or fetch again") from None
        try:
            recorded = content["sources"]["oil"]["first_month"]
        except (KeyError, TypeError):  # no oil record: a hand-placed oil file starts at the study start
            return config.STUDY_START
        month = year_month(recorded) if isinstance(recorded, str) else None
        if month is None:
            raise InputError(manifest, f"sources.oil.first_month is not a month (YYYY-MM): {recorded!r}")
        return month
    return config.STUDY_START


def load_raw(raw_dir: str | Path, oil_first_month: pd.Timestamp | None = None) -> RawSources:
    """Read the six sources from their sub-folders of the raw directory (config.RAW_SOURCE_DIRS).

    oil_first_month: the month of the oil file's first row; by default the one `download` recorded
    in manifest.json, else the study start."""
    raw_dir = Path(raw_dir)
    if oil_first_month is None:
        oil_first_month = recorded_oil_first_month(raw_dir)
    folders = {}
    for source, name in config.RAW_SOURCE_DIRS.items():
        folder = raw_dir / name
        if not folder.is_dir():
            raise InputError(folder, f"missing folder for the {source} source (see data/README.md)")
        folders[source] = folder
    # the small monthly sources first: a defect in one of them is reported without waiting for
    # the trade releases to load
    freight = read_freight(folders["freight"])
    exchange_rate = read_exchange_rate(folders["exchange_rate"])
    oil = read_oil(folders["oil"], first_month=oil_first_month)
    cpi, ppi = read_cpi(folders["cpi"]), read_ppi(folders["ppi"])
    return RawSources(
        trade=read_trade(folders["trade"]), freight=freight, exchange_rate=exchange_rate, oil=oil, cpi=cpi, ppi=ppi
    )
