"""The reviewer's verdicts on a review queue, as the page exports them (`verdicts_YYYY-MM.csv`,
UTF-8 with BOM): one row per listed import with its panel key, a status, a free-text note and the
time of the last change. `read_verdicts` reads such a file back with the checks every input of the
package gets: a bad cell is one InputError naming the file, the row and the column.
`verdict_files` and `read_verdict_files` read a folder of such exports, one per earlier month (what
`monthly --verdicts` learns from)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import InputError
from customs_anomaly.storage import check_input_file
from customs_anomaly.validation import (
    COUNTRY_CODE,
    HSK_CODE,
    check_choice,
    check_columns,
    check_months,
    check_pattern,
    check_unique_key,
    first_problem,
)

KEY = list(config.PANEL_KEY)
# To check / anomaly confirmed / normal: the first is what an untouched row of the queue holds.
STATUSES = ("확인 필요", "이상 확인", "정상")
VERDICT_COLUMNS = (*KEY, "status", "note", "time")
SUFFIXES = (".csv",)
TIME_EXAMPLE = "2025-05-03T05:22:05Z"
# The page writes a note that starts like a spreadsheet formula behind an apostrophe (against CSV
# injection); the reader removes that apostrophe again.
FORMULA_GUARD = r"^'(?=[=+\-@\t\r])"
# A folder of exports: every file whose name starts with the prefix must be named as the page names
# it (a browser's second copy, 'verdicts_2024-07 (1).csv', is refused rather than silently skipped).
FILE_PREFIX = "verdicts_"
FILE_NAME = re.compile(rf"^{FILE_PREFIX}(\d{{4}}-\d{{2}})\.csv$")


def verdicts_file_name(queue_month: str) -> str:
    """The name the page gives the export of a queue whose (last) month is `queue_month` (YYYY-MM)."""
    return f"{FILE_PREFIX}{queue_month}.csv"


def read_verdicts(path: str | Path, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Read a verdicts file and check it (with `panel`: every key is a row of it). Returns the
    columns of VERDICT_COLUMNS with months as datetimes and times as UTC datetimes (NaT where
    blank: a row nobody touched)."""
    path = check_input_file(path, SUFFIXES)
    return check_verdicts(_read_text_table(path), path, panel)


def _read_text_table(path: Path) -> pd.DataFrame:
    """Every cell as the text written (a note of digits stays text), blank cells as ''."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read the verdicts file: {exc}") from None


def check_verdicts(frame: pd.DataFrame, path: str | Path, panel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Columns, rows, key cells, statuses and times, one row per key, keys known to the panel."""
    path = Path(path)
    check_columns(frame, path, VERDICT_COLUMNS, "verdicts")
    if frame.empty:
        raise InputError(path, "the verdicts file has no rows")
    frame = frame[list(VERDICT_COLUMNS)].reset_index(drop=True)
    frame = frame.assign(
        month=check_months(frame, path),
        hsk_code=check_pattern(frame, path, "hsk_code", HSK_CODE, "not a 10-digit HSK code"),
        country_code=check_pattern(frame, path, "country_code", COUNTRY_CODE, "not a two-letter country code"),
    )
    check_choice(frame, path, "status", STATUSES, f"not a status ({', '.join(STATUSES)})")
    frame["note"] = frame["note"].str.replace(FORMULA_GUARD, "", regex=True)
    frame["time"] = _check_times(frame, path)
    check_unique_key(frame, path, KEY, "verdict key")
    if panel is not None:
        _check_keys_in_panel(frame, path, panel)
    return frame


def _check_times(frame: pd.DataFrame, path: Path) -> pd.Series:
    """Blank, or an ISO 8601 time (with its zone; read as UTC)."""
    text = frame["time"].astype(str).str.strip()
    times = pd.to_datetime(text.where(text != ""), utc=True, errors="coerce", format="ISO8601")
    first_problem(path, frame["time"], "time", [((text != "") & times.isna(), f"not a time (e.g. {TIME_EXAMPLE})")])
    return times


def _check_keys_in_panel(frame: pd.DataFrame, path: Path, panel: pd.DataFrame) -> None:
    """Every key names a row of the panel; the error names the first that does not."""
    known = pd.MultiIndex.from_frame(panel[KEY].assign(month=pd.to_datetime(panel["month"])))
    unknown = np.flatnonzero(~pd.MultiIndex.from_frame(frame[KEY]).isin(known))
    if len(unknown):
        r = frame.iloc[unknown[0]]
        raise InputError(
            path,
            f"no row of the panel has this key (month {r.month:%Y-%m}, hsk_code {r.hsk_code!r}, "
            f"country_code {r.country_code!r})",
            row=int(unknown[0]) + 1,
            column="month",
        )


def verdict_files(folder: str | Path, before: pd.Timestamp) -> list[tuple[pd.Timestamp, Path]]:
    """The verdicts files of a folder with the month each file name gives, in month order; checked
    before any file is read. Refused (one InputError): a folder that does not exist or holds no
    verdicts file, a file name that is not `verdicts_YYYY-MM.csv`, and a file of the month `before`
    or later (verdicts of the month being scored, or after it, would read the future)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "is a file, not a folder" if folder.exists() else "verdicts folder not found")
    paths = sorted(p for p in folder.iterdir() if p.name.startswith(FILE_PREFIX) and not p.is_dir())
    if not paths:
        raise InputError(folder, f"no verdicts file ({verdicts_file_name('YYYY-MM')}) in the folder")
    files = []
    for path in paths:
        month = file_month(path)
        if month is None:
            raise InputError(path, f"not a verdicts file name: the page writes {verdicts_file_name('YYYY-MM')}")
        if month >= before:
            raise InputError(
                path,
                f"verdicts of {month:%Y-%m}, not of a month before {before:%Y-%m} (the month being scored): "
                "learning from them would read the future",
            )
        files.append((month, path))
    return sorted(files, key=lambda item: item[0])


def file_month(path: Path) -> pd.Timestamp | None:
    """The month a file name `verdicts_YYYY-MM.csv` gives (its first day), None for another name."""
    match = FILE_NAME.match(path.name)
    if not match or not 1 <= int(match.group(1)[-2:]) <= 12:
        return None
    return pd.Timestamp(match.group(1) + "-01")


def read_verdict_files(files: list[tuple[pd.Timestamp, Path]], panel: pd.DataFrame) -> pd.DataFrame:
    """Every file of `verdict_files` read with `read_verdicts` against the panel, one frame. A file
    whose rows have keys of another month than its name's is refused, naming the first such row."""
    frames = []
    for month, path in files:
        verdicts = read_verdicts(path, panel)
        other = np.flatnonzero((verdicts["month"] != month).to_numpy())
        if len(other):
            raise InputError(
                path,
                f"keys from another month ({verdicts['month'].iloc[other[0]]:%Y-%m}) than the file name's "
                f"{month:%Y-%m}: export each month's queue to its own file",
                row=int(other[0]) + 1,
                column="month",
            )
        frames.append(verdicts)
    return pd.concat(frames, ignore_index=True)
