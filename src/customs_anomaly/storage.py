"""Reading and writing tables: format from the file extension, atomic writes, panel validation."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError

SUPPORTED_SUFFIXES = (".parquet", ".csv")


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(path, f"unsupported file type '{path.suffix}': use .parquet or .csv")


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame as parquet or CSV (UTF-8 with BOM) atomically: a temp file renamed into place."""
    path = Path(path)
    _check_suffix(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp_name, index=False)
        else:
            frame.to_csv(tmp_name, index=False, encoding="utf-8-sig")
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a parquet or CSV table; a missing or unreadable file is an InputError."""
    path = Path(path)
    _check_suffix(path)
    if not path.is_file():
        raise InputError(path, "file not found")
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(
            path,
            dtype={"hsk_code": str, "country_code": str},
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
        )
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read table: {exc}") from exc


NUMERIC_PANEL_COLUMNS = tuple(
    c
    for c in config.PANEL_COLUMNS
    if c not in ("month", "hsk_code", "item_name", "country_code", "country_name", "region")
)


def read_panel(path: str | Path) -> pd.DataFrame:
    """Read a panel and check the DESIGN.md contract; errors name file, row and column."""
    path = Path(path)
    frame = read_table(path)
    missing = [c for c in config.PANEL_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, "missing panel column", column=missing[0])
    if frame.empty:
        raise InputError(path, "the panel has no rows")
    month = pd.to_datetime(frame["month"], errors="coerce")
    _raise_first_bad(path, frame["month"], month.isna(), "month", "not a month")
    frame = frame.assign(
        month=month.dt.to_period("M").dt.to_timestamp(),
        hsk_code=frame["hsk_code"].astype(str),
        country_code=frame["country_code"].fillna("").astype(str),
    )
    bad_code = ~frame["hsk_code"].str.fullmatch(r"\d{10}")
    _raise_first_bad(path, frame["hsk_code"], bad_code, "hsk_code", "not a 10-digit HSK code")
    for column in NUMERIC_PANEL_COLUMNS:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        bad = numbers.isna() & frame[column].notna()
        _raise_first_bad(path, frame[column], bad, column, "not a number")
        frame[column] = numbers.astype(float)
    bad_region = ~frame["region"].isin(config.REGIONS)
    _raise_first_bad(path, frame["region"], bad_region, "region", "not one of the five freight regions")
    if "is_anomaly" in frame.columns:
        frame["is_anomaly"] = frame["is_anomaly"].astype(bool)
        frame["anomaly_type"] = frame["anomaly_type"].fillna("").astype(str)
    return frame


def _raise_first_bad(path: Path, values: pd.Series, bad: pd.Series, column: str, message: str) -> None:
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"{message}: {values.iloc[position]!r}", row=position + 1, column=column)
