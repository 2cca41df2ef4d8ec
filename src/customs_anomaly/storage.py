"""Reading and writing files: format from the file extension, validated panels and scores, and
writes that leave either the complete output or nothing (no temporary file on any failure path).

Output paths are checked before any work (`check_output_file`, `check_output_folder`), so that a
command never computes for minutes and then fails on a path it could have refused at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.anomaly_types import SCHEME_TYPES
from customs_anomaly.errors import InputError
from customs_anomaly.validation import (
    ANOMALY_TYPES,
    COUNTRY_CODE,
    HSK_CODE,
    NON_NEGATIVE,
    POSITIVE,
    SCHEME_ID,
    SIGNED,
    check_booleans,
    check_choice,
    check_columns,
    check_months,
    check_number_column,
    check_pattern,
    check_unique_key,
    first_problem,
)

SUPPORTED_SUFFIXES = (".parquet", ".csv")
CHECKSUMS = "checksums.json"  # written into every folder `write_folder` writes
SCORE_COLUMNS = ("month", "hsk_code", "country_code", "score", "flag", "reason")
MACRO_COLUMNS = ("usd_krw", "dubai_usd", "cpi", "ppi")  # levels that cannot be zero
NUMERIC_PANEL_COLUMNS = tuple(
    c
    for c in config.PANEL_COLUMNS
    if c not in ("month", "hsk_code", "item_name", "country_code", "country_name", "region")
)
TEXT_PANEL_COLUMNS = ("item_name", "country_name")


# checks before any work --------------------------------------------------------------------------
def check_suffix(path: Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> None:
    if path.suffix.lower() not in suffixes:
        raise InputError(path, f"unsupported file type '{path.suffix}': use {' or '.join(suffixes)}")


def check_input_file(path: str | Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES) -> Path:
    """An existing regular file with a supported suffix."""
    path = Path(path)
    check_suffix(path, suffixes)
    if path.is_dir():
        raise InputError(path, "is a folder, not a file")
    if not path.is_file():
        raise InputError(path, "file not found")
    return path


def check_output_file(
    path: str | Path, suffixes: tuple[str, ...] = SUPPORTED_SUFFIXES, inputs: tuple[str | Path, ...] = ()
) -> Path:
    """A file path the command can write: supported suffix, not one of the `inputs` nor inside an
    input folder, not a folder, not under a file, in a folder that takes a new file or can be
    created."""
    path = Path(path)
    check_suffix(path, suffixes)
    check_not_an_input([path], inputs)
    if path.is_dir():
        raise InputError(path, "is a folder: give a file name")
    check_parents(path)
    return path


def check_output_folder(path: str | Path, marker: str, inputs: tuple[str | Path, ...] = ()) -> Path:
    """A folder the command can (re)write: not an input, not a file, not under a file, and either
    new, empty or holding `marker` (a folder this command wrote before); another folder is never
    replaced."""
    path = Path(path)
    check_not_an_input([path], inputs)
    if path.exists() and not path.is_dir():
        raise InputError(path, "is a file, not a folder")
    if path.is_dir() and any(path.iterdir()) and not (path / marker).is_file():
        raise InputError(path, f"folder holds other files (no {marker}): give a new or empty folder")
    check_parents(path)
    return path


def check_not_an_input(outputs: list[Path], inputs: tuple[str | Path, ...]) -> None:
    """No output replaces an input file or lies inside an input folder (raw data is never written)."""
    for output in outputs:
        target = output.resolve()
        for source in map(Path, inputs):
            source = source.resolve()
            if target == source:
                raise InputError(output, f"would overwrite the input {source}: give another output")
            if source in target.parents:
                raise InputError(output, f"lies inside the input folder {source}: give another output")


def check_parents(path: Path) -> None:
    """The nearest existing ancestor of `path` is a folder (not a file) that takes a new file."""
    for parent in path.absolute().parents:
        if parent.is_dir():
            probe_writable(parent, path)
            return
        if parent.exists() or parent.is_symlink():
            raise InputError(path, f"lies under {parent}, which is not a folder")


def probe_writable(folder: Path, path: Path) -> None:
    """Create and remove a hidden file in the folder: permission bits do not tell (root, read-only
    mounts, /proc), an actual attempt does."""
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".probe")
    except OSError as exc:
        raise InputError(path, f"cannot write into the folder {folder}: {exc.strerror or exc}") from None
    os.close(handle)
    os.unlink(name)


# writing ---------------------------------------------------------------------------------------
def _make_parents(path: Path) -> list[Path]:
    """Create the missing folders above `path`; returns them, deepest first."""
    missing = [p for p in path.absolute().parents if not p.exists()]
    path.parent.mkdir(parents=True, exist_ok=True)
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def write_files(writers: list[tuple[Path, Callable[[Path], None]]]) -> list[Path]:
    """Write each file to a hidden temporary file beside it, then rename them all into place.
    On any failure no temporary file and no newly created folder remains; an OSError becomes a
    one-line InputError naming the file."""
    temporaries: list[Path] = []
    created: list[Path] = []
    current = writers[0][0]
    try:
        for path, write in writers:
            current = path
            created += _make_parents(path)
            handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(handle)
            temporaries.append(Path(name))
            write(Path(name))
            os.chmod(name, 0o644)
        for (path, _), temporary in zip(writers, temporaries):
            current = path
            os.replace(temporary, path)
    except BaseException as exc:
        for temporary in temporaries:
            temporary.unlink(missing_ok=True)
        _remove_empty(created)
        if isinstance(exc, OSError):
            raise InputError(current, f"cannot write: {exc.strerror or exc}") from None
        raise
    return [path for path, _ in writers]


def _table_writer(frame: pd.DataFrame, path: Path) -> Callable[[Path], None]:
    if path.suffix.lower() == ".parquet":
        return lambda target: frame.to_parquet(target, index=False)
    return lambda target: frame.to_csv(target, index=False, encoding="utf-8-sig")


def write_tables(tables: list[tuple[pd.DataFrame, str | Path]]) -> list[Path]:
    """Write frames as parquet or CSV (UTF-8 with BOM), all or none."""
    writers = []
    for frame, path in tables:
        path = Path(path)
        check_suffix(path)
        writers.append((path, _table_writer(frame, path)))
    return write_files(writers)


def write_table(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a frame as parquet or CSV (UTF-8 with BOM) atomically: a temp file renamed into place."""
    return write_tables([(frame, path)])[0]


def write_text(text: str, path: str | Path) -> Path:
    """Write UTF-8 text atomically."""
    path = Path(path)
    return write_files([(path, lambda target: target.write_text(text, encoding="utf-8"))])[0]


def write_folder(path: str | Path, fill: Callable[[Path], None]) -> Path:
    """Write a folder atomically: `fill` writes into a hidden staging folder beside it, the
    checksums of its files are recorded in CHECKSUMS, then the staging folder replaces `path`.
    On any failure the previous folder (if any) is left as it was and nothing else remains."""
    path = Path(path)
    created = _make_parents(path)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"))
    previous = staging.with_name(staging.name + ".previous")
    try:
        fill(staging)
        record_checksums(staging)
        if path.exists():
            os.replace(path, previous)
        os.replace(staging, path)
    except BaseException as exc:
        if previous.exists() and not path.exists():
            os.replace(previous, path)
        shutil.rmtree(staging, ignore_errors=True)
        _remove_empty(created)
        if isinstance(exc, OSError):
            raise InputError(path, f"cannot write: {exc.strerror or exc}") from None
        raise
    shutil.rmtree(previous, ignore_errors=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def folder_files(folder: Path) -> list[str]:
    """Relative names of the regular files of a folder (recursively), CHECKSUMS excluded."""
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != CHECKSUMS)


def record_checksums(folder: Path) -> None:
    sums = {name: _sha256(folder / name) for name in folder_files(folder)}
    (folder / CHECKSUMS).write_text(json.dumps({"sha256": sums}, indent=2) + "\n", encoding="utf-8")


def verify_checksums(folder: str | Path) -> bool:
    """False when the folder has no CHECKSUMS record; raises when a recorded file is missing or
    changed (corrupt, or copied from another folder); True when every file matches."""
    folder = Path(folder)
    record = folder / CHECKSUMS
    if not record.is_file():
        return False
    try:
        sums = json.loads(record.read_text(encoding="utf-8"))["sha256"]
        items = list(sums.items())
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        raise InputError(folder, f"{CHECKSUMS} is not a checksum record written by this package") from None
    for name, expected in items:
        file = folder / name
        if not file.is_file():
            raise InputError(folder, f"{name} is missing")
        if _sha256(file) != expected:
            raise InputError(folder, f"{name} has changed since it was written (corrupt, or from another folder)")
    return True


# reading ---------------------------------------------------------------------------------------
def read_table(path: str | Path) -> pd.DataFrame:
    """Read a parquet or CSV table; a missing or unreadable file is an InputError."""
    path = check_input_file(path)
    try:
        if path.suffix.lower() == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(
            path,
            dtype={"hsk_code": str, "country_code": str},
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8-sig",
            low_memory=False,
        )
    except (OSError, ValueError) as exc:
        raise InputError(path, f"cannot read table: {exc}") from None


def _check_key_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """month, hsk_code (10 digits) and country_code (ISO2 or blank), typed."""
    return frame.assign(
        month=check_months(frame, path),
        hsk_code=check_pattern(frame, path, "hsk_code", HSK_CODE, "not a 10-digit HSK code"),
        country_code=check_pattern(frame, path, "country_code", COUNTRY_CODE, "not a two-letter country code"),
    )


def check_panel(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """The panel contract (config.PANEL_COLUMNS), checked: columns, months, codes, regions, numbers that are
    finite and non-negative (macro levels positive), unit price blank exactly where the weight
    is 0, labels if present, and one row per (month, hsk_code, country_code)."""
    path = Path(path)
    check_columns(frame, path, config.PANEL_COLUMNS, "panel")
    if frame.empty:
        raise InputError(path, "the panel has no rows")
    frame = _check_key_columns(frame.reset_index(drop=True), path)
    check_choice(frame, path, "region", config.REGIONS, "not one of the five freight regions")
    for column in TEXT_PANEL_COLUMNS:
        frame[column] = frame[column].fillna("").astype(str)
    weight = check_number_column(frame, path, "weight_kg")
    for column in NUMERIC_PANEL_COLUMNS:
        blank_allowed = (weight == 0) if column == "unit_price_usd_per_kg" else None
        sign = POSITIVE if column in MACRO_COLUMNS else NON_NEGATIVE
        frame[column] = check_number_column(frame, path, column, blank_allowed=blank_allowed, sign=sign)
    price = frame["unit_price_usd_per_kg"]
    first_problem(
        path,
        frame["unit_price_usd_per_kg"],
        "unit_price_usd_per_kg",
        [((weight == 0) & price.notna(), "a unit price where the weight is 0 (it must be blank there)")],
    )
    frame = _check_labels(frame, path)
    check_unique_key(frame, path, config.PANEL_KEY, "panel key")
    return frame


def _check_labels(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    present = [c for c in config.LABEL_COLUMNS if c in frame.columns]
    if not present:
        return frame
    check_columns(frame, path, config.LABEL_COLUMNS, "label")
    frame["anomaly_type"] = frame["anomaly_type"].fillna("").astype(str)
    check_choice(frame, path, "anomaly_type", ANOMALY_TYPES, "not an anomaly type ('' or a-k)")
    frame["is_anomaly"] = check_booleans(frame, path, "is_anomaly")
    first_problem(
        path,
        frame["anomaly_type"],
        "anomaly_type",
        [(frame["is_anomaly"] != (frame["anomaly_type"] != ""), "an anomaly type that disagrees with is_anomaly")],
    )
    scheme = frame["anomaly_type"].isin(SCHEME_TYPES)
    if config.SCHEME_COLUMN in frame.columns:
        ids = check_pattern(frame, path, config.SCHEME_COLUMN, SCHEME_ID, "not a scheme id ('' or S and digits)")
        frame[config.SCHEME_COLUMN] = ids
        first_problem(
            path,
            frame[config.SCHEME_COLUMN],
            config.SCHEME_COLUMN,
            [
                (scheme & (ids == ""), "a scheme type (g-k) without a scheme id"),
                (~scheme & (ids != ""), "a scheme id on a row that is not part of a scheme"),
            ],
        )
    else:
        first_problem(
            path,
            frame["anomaly_type"],
            "anomaly_type",
            [(scheme, f"a scheme type (g-k) but no {config.SCHEME_COLUMN} column")],
        )
    return frame


def read_panel(path: str | Path) -> pd.DataFrame:
    """Read a panel and check the panel contract (config.PANEL_COLUMNS); errors name file, row and column."""
    return check_panel(read_table(path), path)


def check_scores(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Scores as `score` writes them: key columns, a numeric score (blank only where not
    flagged), True/False flags, text reasons, one row per key."""
    path = Path(path)
    check_columns(frame, path, SCORE_COLUMNS, "score")
    if frame.empty:
        raise InputError(path, "the scores have no rows")
    frame = _check_key_columns(frame.reset_index(drop=True), path)
    frame["flag"] = check_booleans(frame, path, "flag")
    # a detector's score has no natural scale: any finite number, of either sign
    frame["score"] = check_number_column(frame, path, "score", blank_allowed=~frame["flag"], sign=SIGNED, largest=None)
    frame["reason"] = frame["reason"].fillna("").astype(str)
    check_unique_key(frame, path, config.PANEL_KEY, "score key")
    return frame


def read_scores(path: str | Path) -> pd.DataFrame:
    """Read scores and check them; errors name file, row and column."""
    return check_scores(read_table(path), path)
