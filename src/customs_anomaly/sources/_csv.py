"""Shared CSV reading for the source loaders: file discovery, encoding detection, and parsing of
numbers and months that fails with a one-line error naming file, data row and column."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from customs_anomaly.errors import InputError

ENCODINGS = ("utf-8", "cp949")
BOM = b"\xef\xbb\xbf"


def csv_files(path: str | Path) -> list[Path]:
    """The CSV files of a source: the file itself, or every *.csv of a folder sorted by name."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.csv") if not p.name.startswith("."))
        if not files:
            raise InputError(path, "folder holds no .csv file")
        return files
    if not path.is_file():
        raise InputError(path, "file not found")
    return [path]


def decode(path: Path) -> str:
    """File text: UTF-8 with BOM, UTF-8 or cp949, detected per file."""
    data = path.read_bytes()
    if data.startswith(BOM):
        return _decode_or_fail(path, data[len(BOM) :], "utf-8")
    failures = {}
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError as exc:
            failures[encoding] = exc.start
    # report the failure of the encoding that got furthest: most likely the intended one
    return _decode_or_fail(path, data, max(failures, key=failures.get))


def _decode_or_fail(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n")  # 0 = header line, so this is the data row
        where = {"row": line} if line > 0 else {}
        raise InputError(
            path, f"cannot decode as UTF-8 or cp949 (byte {exc.start}); unknown encoding", **where
        ) from None


def read_text_table(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """All cells as stripped text (leading zeros survive); checks emptiness and required columns."""
    text = decode(path)
    if not text.strip():
        raise InputError(path, "empty file")
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(path, f"malformed CSV: {exc}".splitlines()[0]) from None
    frame.columns = [str(c).strip().strip('"') for c in frame.columns]
    for column in required:
        if column not in frame.columns:
            raise InputError(path, "required column missing", column=column)
    if frame.empty:
        raise InputError(path, "header only, no data rows")
    return frame.apply(lambda col: col.str.strip())


def _first_bad(path: Path, raw: pd.Series, bad: pd.Series, column: str, what: str) -> None:
    if bad.any():
        position = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"{what}: {raw.iloc[position]!r}", row=position + 1, column=column)


def parse_numbers(frame: pd.DataFrame, path: Path, column: str, *, allow_blank: bool = False) -> pd.Series:
    """Numbers written with optional thousands separators; blanks are NaN only where allowed."""
    raw = frame[column]
    cleaned = raw.str.replace(",", "", regex=False).str.strip()
    blank = cleaned == ""
    values = pd.to_numeric(cleaned.where(~blank), errors="coerce")
    _first_bad(path, raw, values.isna() & ~blank, column, "not a number")
    if not allow_blank:
        _first_bad(path, raw, blank, column, "blank value")
    return values.astype(float)


def parse_months(
    frame: pd.DataFrame, path: Path, column: str, parse: Callable[[str], pd.Timestamp | None]
) -> pd.Series:
    """Months from text with a per-source parser that returns None for what it cannot read."""
    raw = frame[column]
    months = [parse(value) for value in raw]
    bad = pd.Series([m is None for m in months], index=raw.index)
    _first_bad(path, raw, bad, column, "not a month")
    return pd.Series(pd.to_datetime(months), index=raw.index, name="month").astype("datetime64[ns]")


_YEAR_MONTH = re.compile(r"^(\d{4})[-./]?(\d{2})$")


def year_month(text: str) -> pd.Timestamp | None:
    """'2020-05', '2020.05', '202005' -> first day of the month."""
    match = _YEAR_MONTH.match(text.strip())
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return pd.Timestamp(year=year, month=month, day=1)


def read_each(path: str | Path, reader: Callable[[Path], pd.DataFrame]) -> pd.DataFrame:
    """Read every CSV of a source with `reader` and concatenate in file-name order."""
    frames = [reader(file) for file in csv_files(path)]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
