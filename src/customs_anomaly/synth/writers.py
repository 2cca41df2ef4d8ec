"""The replica's files: formatters to the original layouts and ``write_replica``."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly import __version__, config
from customs_anomaly.synth.freight import freight_series
from customs_anomaly.synth.macro import macro_series
from customs_anomaly.synth.randomness import source_rng
from customs_anomaly.synth.trade import trade_records

TRADE_FILE_PATTERN = "해양수산부_수산물품목별수출입현황_{yyyymm}.csv"
FREIGHT_FILE = "관세청_해상수출입(수입)운송비용.csv"
EXCHANGE_RATE_FILE = "원달러환율_월평균.csv"
OIL_FILE = "국제유가_월별.csv"
CPI_FILE = "소비자물가지수.csv"
PPI_FILE = "생산자물가지수.csv"

TRADE_COLUMNS = {
    "month": "기준년월",
    "country_code": "국가코드",
    "hsk_code": "HSK품목코드",
    "trade_flow": "수출입구분코드",
    "trade_flow_name": "수출입구분명",
    "country_name": "국가명",
    "economic_bloc": "경제권명",
    "item_name": "수산물수출입품목명",
    "weight_kg": "당월수출입중량(킬로그램)",
    "value_usd": "당월수출입미화금액(달러)",
    "ytd_weight_kg": "당해누계수출입중량(킬로그램)",
    "ytd_value_usd": "당해누계수출입미화금액(달러)",
    "reference_date": "데이터기준일자",
}

_MONTH_ABBREVIATIONS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def published_hsk_code(hsk_code: pd.Series) -> pd.Series:
    """HSK codes as the by-country releases print them: chapters 01-09 lose the leading zero."""
    codes = hsk_code.astype(str)
    return codes.where(~codes.str.startswith("0"), codes.str[1:])


def format_trade_release(records: pd.DataFrame) -> pd.DataFrame:
    """Rows of one release in the original layout (13 Korean columns, text cells)."""
    out = pd.DataFrame(
        {
            "month": records["month"].dt.strftime("%Y-%m"),
            "country_code": records["country_code"],
            "hsk_code": published_hsk_code(records["hsk_code"]),
            "trade_flow": records["trade_flow"],
            "trade_flow_name": records["trade_flow_name"],
            "country_name": records["country_name"],
            "economic_bloc": records["economic_bloc"],
            "item_name": records["item_name"],
            "weight_kg": records["weight_kg"].astype("int64").astype(str),
            "value_usd": records["value_usd"].astype("int64").astype(str),
            "ytd_weight_kg": records["ytd_weight_kg"].astype("int64").astype(str),
            "ytd_value_usd": records["ytd_value_usd"].astype("int64").astype(str),
            "reference_date": records["reference_date"].dt.strftime("%Y-%m-%d"),
        }
    )
    return out.rename(columns=TRADE_COLUMNS)


def format_freight(freight: pd.DataFrame) -> pd.DataFrame:
    """`기간` (YYYY-MM) and the six routes as integers in 천원, blank where missing."""
    out = pd.DataFrame({"기간": freight["month"].dt.strftime("%Y-%m")})
    for route in config.FREIGHT_ROUTES:
        out[route] = [("" if np.isnan(v) else str(int(v))) for v in freight[route]]
    return out


def format_exchange_rate(macro: pd.DataFrame) -> pd.DataFrame:
    """`날짜` ("May-20") and `환율` as text with a thousands separator ("1,228.67")."""
    labels = [f"{_MONTH_ABBREVIATIONS[m.month - 1]}-{m.year % 100:02d}" for m in macro["month"]]
    return pd.DataFrame({"날짜": labels, "환율": [f"{v:,.2f}" for v in macro["usd_krw"]]})


def format_oil(macro: pd.DataFrame) -> pd.DataFrame:
    """`월` ("05월", no year), `유종` (blank) and the four benchmarks in USD/bbl."""
    out = pd.DataFrame({"월": [f"{m.month:02d}월" for m in macro["month"]], "유종": ""})
    for column, name in (("dubai_usd", "Dubai"), ("brent_usd", "Brent"), ("wti_usd", "WTI"), ("oman_usd", "Oman")):
        out[name] = [f"{v:.2f}" for v in macro[column]]
    return out


def format_cpi(macro: pd.DataFrame) -> pd.DataFrame:
    """`시점` as text ("2020.05", "2020.10") and `전국`."""
    return pd.DataFrame({"시점": macro["month"].dt.strftime("%Y.%m"), "전국": [f"{v:.2f}" for v in macro["cpi"]]})


def format_ppi(macro: pd.DataFrame) -> pd.DataFrame:
    """`시점` as text and `총지수`."""
    return pd.DataFrame({"시점": macro["month"].dt.strftime("%Y.%m"), "총지수": [f"{v:.2f}" for v in macro["ppi"]]})


_CSV_SPECIAL = r'[,"\r\n]'  # a cell holding one of these is quoted, as ``to_csv`` does
LINE_END = "\r\n"  # every file of the replica ends its lines as the originals do


def _csv_column(column: pd.Series) -> np.ndarray:
    """The cells of one text column as ``to_csv`` writes them: quoted (inner quotes doubled)
    only when they hold a comma, a quote or a line break."""
    text = column.astype(str)
    cells = text.to_numpy(dtype=object)
    special = text.str.contains(_CSV_SPECIAL, regex=True).to_numpy(dtype=bool)
    if special.any():
        cells[special] = ['"' + cell.replace('"', '""') + '"' for cell in cells[special]]
    return cells


def _csv_lines(frame: pd.DataFrame) -> tuple[str, np.ndarray]:
    """The header and the row lines (without line ends) that ``frame.to_csv(index=False)`` would
    write for a frame of text cells; built directly because ``to_csv`` is slow on many rows."""
    header = ",".join(_csv_column(pd.Series(frame.columns, dtype=str)))
    rows = list(map(",".join, zip(*(_csv_column(frame[column]) for column in frame.columns))))
    return header, np.array(rows, dtype=object)


def _csv_bytes(frame: pd.DataFrame, encoding: str, line_end: str = LINE_END) -> bytes:
    """The bytes ``frame.to_csv(index=False, lineterminator=line_end)`` would write."""
    header, rows = _csv_lines(frame)
    return line_end.join([header, *rows, ""]).encode(encoding)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write to a temporary file beside the target and rename it, so no half file remains."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def write_replica(out_dir: str | Path, seed: int) -> dict[str, list[Path]]:
    """Write the six sources of the synthetic replica into ``out_dir/<source folder>/`` in their
    original layouts, then the ``SYNTHETIC.json`` marker. Returns the written files by source
    (and "marker"). Same seed, same bytes."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / config.SYNTHETIC_MARKER
    marker.unlink(missing_ok=True)  # a half-rewritten directory must not pass for a complete replica
    folders = {name: out_dir / folder for name, folder in config.RAW_SOURCE_DIRS.items()}
    written: dict[str, list[Path]] = {name: [] for name in folders}

    records = trade_records(source_rng(seed, "trade"))
    # A year of releases is formatted at once (fast), then split by month (bounded memory).
    for _, year in records.groupby(records["month"].dt.year, sort=True):
        header, rows = _csv_lines(format_trade_release(year))
        for month, index in sorted(year.reset_index(drop=True).groupby("month").indices.items()):
            name = TRADE_FILE_PATTERN.format(yyyymm=f"{month:%Y%m}")
            data = LINE_END.join([header, *rows[index], ""]).encode("cp949")
            written["trade"].append(write_atomic(folders["trade"] / name, data))

    freight = freight_series(source_rng(seed, "freight"))
    written["freight"].append(
        write_atomic(folders["freight"] / FREIGHT_FILE, _csv_bytes(format_freight(freight), "cp949"))
    )

    macro = macro_series(source_rng(seed, "macro"))
    outputs = (
        ("exchange_rate", EXCHANGE_RATE_FILE, format_exchange_rate, "utf-8-sig"),
        ("oil", OIL_FILE, format_oil, "cp949"),
        ("cpi", CPI_FILE, format_cpi, "cp949"),
        ("ppi", PPI_FILE, format_ppi, "cp949"),
    )
    for source, file_name, formatter, encoding in outputs:
        written[source].append(write_atomic(folders[source] / file_name, _csv_bytes(formatter(macro), encoding)))

    info = {"kind": "synthetic", "seed": int(seed), "generator": "customs_anomaly.synth", "version": __version__}
    payload = (json.dumps(info, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    written["marker"] = [write_atomic(marker, payload)]
    return written
