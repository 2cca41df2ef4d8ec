"""Shared CSV reading for the source loaders: file discovery, encoding detection, and parsing of
numbers and months that fails with a one-line error naming file, data row and column."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly.errors import InputError
from customs_anomaly.validation import NON_NEGATIVE, first_problem, parse_number_text

ENCODINGS = ("utf-8", "cp949")
BOM = b"\xef\xbb\xbf"
_FILE, _ROW = "_source_file", "_source_row"  # provenance of a row while repeats are checked


def csv_files(path: str | Path) -> list[Path]:
    """The CSV files of a source: the file itself, or every *.csv of a folder sorted by name
    (hidden files skipped); a folder or a broken link named *.csv is refused."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.glob("*.csv") if not p.name.startswith("."))
        if not files:
            raise InputError(path, "folder holds no .csv file")
        for file in files:
            if not file.is_file():
                raise InputError(file, "is not a regular file (a folder or a broken link named .csv)")
        return files
    if not path.is_file():
        raise InputError(path, "file not found")
    return [path]


def decode(path: Path) -> str:
    """File text: UTF-8 with BOM, UTF-8 or cp949, detected per file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from None
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
    """All cells as stripped text (leading zeros survive); checks emptiness, required columns and
    that every row has as many fields as the header."""
    text = decode(path)
    if not text.strip():
        raise InputError(path, "empty file")
    rows = csv_rows(text, path)
    header = [field.strip().strip('"') for field in rows[0]]
    repeated = [column for position, column in enumerate(header) if column in header[:position]]
    if repeated:
        raise InputError(path, "the header names this column twice", column=repeated[0])
    for column in required:
        if column not in header:
            raise InputError(path, "required column missing", column=column)
    if len(rows) == 1:
        raise InputError(path, "header only, no data rows")
    check_field_counts(rows, header, path)
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    frame.columns = header
    return frame.apply(lambda col: col.str.strip())


def csv_rows(text: str, path: Path) -> list[list[str]]:
    """The fields of every non-blank line (pandas skips blank lines too, so data rows match)."""
    try:
        return [fields for fields in csv.reader(io.StringIO(text), skipinitialspace=True) if fields]
    except csv.Error as exc:
        raise InputError(path, f"malformed CSV: {exc}") from None


def check_field_counts(rows: list[list[str]], header: list[str], path: Path) -> None:
    """Every data row has as many fields as the header: a short row would otherwise read as blank
    cells, a long one shift the columns."""
    for number, fields in enumerate(rows[1:], start=1):
        if len(fields) < len(header):
            raise InputError(path, "fewer fields than the header", row=number, column=header[len(fields)])
        if len(fields) > len(header):
            raise InputError(path, f"{len(fields)} fields but the header has {len(header)}", row=number)


def _first_bad(path: Path, raw: pd.Series, bad: pd.Series, column: str, what: str) -> None:
    first_problem(path, raw, column, [(bad, what)])


def parse_numbers(
    frame: pd.DataFrame, path: Path, column: str, *, allow_blank: bool = False, sign: str = NON_NEGATIVE
) -> pd.Series:
    """Numbers of a text column, strictly (validation.parse_number_text): valid thousands grouping
    only, no decimal comma, finite and non-negative (or positive); blanks NaN only where allowed."""
    return parse_number_text(frame[column], path, column, allow_blank=allow_blank, sign=sign)


def parse_months(
    frame: pd.DataFrame, path: Path, column: str, parse: Callable[[str], pd.Timestamp | None]
) -> pd.Series:
    """Months from text with a per-source parser that returns None for what it cannot read."""
    raw = frame[column]
    parsed = {value: parse(value) for value in pd.unique(raw)}  # a release repeats one month
    months = raw.map(parsed)
    _first_bad(path, raw, months.isna(), column, "not a month")
    return pd.Series(pd.to_datetime(months.to_numpy()), index=raw.index, name="month").astype("datetime64[ns]")


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


def read_monthly(path: str | Path, reader: Callable[[Path], pd.DataFrame], period_column: str) -> pd.DataFrame:
    """Every CSV of a monthly source, one row per month. `reader` returns one row per data row
    with a `month` column. A month listed twice (in one file or across files) is kept once when
    the rows are identical and refused, naming both rows, when they differ."""
    frames = [
        reader(file).assign(**{_FILE: str(file), _ROW: lambda df: np.arange(1, len(df) + 1)})
        for file in csv_files(path)
    ]
    return drop_repeated_months(pd.concat(frames, ignore_index=True), period_column)


def drop_repeated_months(frame: pd.DataFrame, period_column: str) -> pd.DataFrame:
    """Identical repeats dropped; two different rows for one month raise (see read_monthly)."""
    values = [c for c in frame.columns if c not in (_FILE, _ROW)]
    distinct = frame.drop_duplicates(values)
    repeated = distinct["month"].duplicated(keep=False)
    if repeated.any():
        clash = distinct[repeated]
        second = clash[clash["month"].duplicated()].iloc[0]
        first = clash[clash["month"] == second["month"]].iloc[0]
        same_file = first[_FILE] == second[_FILE]
        where = f"row {first[_ROW]}" if same_file else f"row {first[_ROW]} of {Path(first[_FILE]).name}"
        raise InputError(
            second[_FILE],
            f"month {second['month']:%Y-%m} is listed twice with different values (also in {where})",
            row=int(second[_ROW]),
            column=period_column,
        )
    return distinct.drop(columns=[_FILE, _ROW]).reset_index(drop=True)
