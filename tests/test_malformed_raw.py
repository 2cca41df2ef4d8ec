"""Malformed raw files and arguments for `merge` and `synth`: each is refused with exit status 2,
one line on stderr naming the file, the row and the column where they apply, and nothing written
(the folder listing, hidden files included, is the same before and after).

Every case breaks one thing of a tiny raw folder that merges cleanly (the first test)."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from raw_builders import TRADE_HEADER, RawFile, RawFolder, assert_refused, run

FX, OIL, CPI, PPI = "원달러환율_월평균.csv", "국제유가_월별.csv", "소비자물가지수.csv", "생산자물가지수.csv"
FREIGHT = "관세청_해상수출입(수입)운송비용.csv"
TRADE_05, TRADE_06 = "해양수산부_수산물품목별수출입현황_202005.csv", "해양수산부_수산물품목별수출입현황_202006.csv"
WEIGHT, VALUE, YTD_WEIGHT = "당월수출입중량(킬로그램)", "당월수출입미화금액(달러)", "당해누계수출입중량(킬로그램)"
COMMA = "not a thousands separator (a decimal comma?)"


@dataclass(frozen=True)
class Case:
    id: str
    expected: tuple[str, ...]
    edit: Callable[[RawFolder], None] | None = None  # on the tables before they are written
    after: Callable[[Path], None] | None = None  # on the written raw folder
    options: tuple[str, ...] = ()


def cell(source: str, row: int, column: str, value: str) -> Callable[[RawFolder], None]:
    return lambda raw: raw.files[source].set(row, column, value)


def add_row(source: str, row: list[str]) -> Callable[[RawFolder], None]:
    return lambda raw: raw.files[source].rows.append(row)


def write_file(relative: str, data: bytes) -> Callable[[Path], None]:
    def after(root: Path) -> None:
        (root / relative).write_bytes(data)

    return after


def by_item_release(raw: RawFolder) -> None:
    header = [c for c in TRADE_HEADER if c not in ("국가코드", "국가명", "경제권명")]
    header += ["HSK품목대분류", "HSK품목중분류", "HSK품목소분류"]
    for key in ("trade_05", "trade_06"):
        rows = [
            [r[i] for i, c in enumerate(TRADE_HEADER) if c in header] + ["0304", "94", "1000"]
            for r in raw.files[key].rows
        ]
        raw.files[key] = RawFile("trade", raw.files[key].name, "utf-8", header, rows)


def mixed_releases(raw: RawFolder) -> None:
    by_item_release(raw)
    raw.files["trade_06"] = RawFolder.tiny().files["trade_06"]


def only_exports(raw: RawFolder) -> None:
    for key in ("trade_05", "trade_06"):
        for row in raw.files[key].rows:
            row[3], row[4] = "E", "수출"


def drop_column(source: str, column: str) -> Callable[[RawFolder], None]:
    def edit(raw: RawFolder) -> None:
        file = raw.files[source]
        index = file.header.index(column)
        file.header.pop(index)
        for row in file.rows:
            row.pop(index)

    return edit


def second_file(source: str, name: str, rows: list[list[str]]) -> Callable[[RawFolder], None]:
    def edit(raw: RawFolder) -> None:
        original = raw.files[source]
        raw.files[source + "_2"] = RawFile(original.folder, name, original.encoding, original.header, rows)

    return edit


def remove_folder(name: str) -> Callable[[Path], None]:
    def after(root: Path) -> None:
        for file in (root / name).iterdir():
            file.unlink()
        (root / name).rmdir()

    return after


def empty_folder(name: str) -> Callable[[Path], None]:
    def after(root: Path) -> None:
        for file in (root / name).iterdir():
            file.unlink()

    return after


def manifest(content: str) -> Callable[[Path], None]:
    return write_file("manifest.json", content.encode("utf-8"))


RAW_CASES = [
    # numbers: one strict parser for every source
    Case(
        "decimal comma in the exchange rate",
        (FX, "row 1", "column '환율'", COMMA),
        cell("exchange_rate", 1, "환율", "1.228,67"),
    ),
    Case("decimal comma in oil", (OIL, "row 2", "column 'Dubai'", COMMA, "'99,71'"), cell("oil", 2, "Dubai", "99,71")),
    Case(
        "decimal comma in a weight",
        (TRADE_05, "row 2", f"column '{WEIGHT}'", COMMA),
        cell("trade_05", 2, WEIGHT, "592,5"),
    ),
    Case("decimal comma in CPI", (CPI, "row 2", "column '전국'", COMMA), cell("cpi", 2, "전국", "99,4")),
    Case("four digits after a comma", (FREIGHT, "row 1", "column '중국'", COMMA), cell("freight", 1, "중국", "1,2345")),
    Case(
        "grouping by two digits",
        (TRADE_06, "row 1", f"column '{VALUE}'", COMMA),
        cell("trade_06", 1, VALUE, "12,34,567"),
    ),
    Case("negative weight", (TRADE_05, "row 2", f"column '{WEIGHT}'", "negative"), cell("trade_05", 2, WEIGHT, "-300")),
    Case(
        "inf value", (TRADE_05, "row 1", f"column '{VALUE}'", "not a number: 'inf'"), cell("trade_05", 1, VALUE, "inf")
    ),
    Case(
        "exponent value",
        (TRADE_06, "row 2", f"column '{VALUE}'", "not a number: '1e308'"),
        cell("trade_06", 2, VALUE, "1e308"),
    ),
    Case(
        "implausibly large value",
        (TRADE_05, "row 1", f"column '{VALUE}'", "implausibly large"),
        cell("trade_05", 1, VALUE, "1" + "0" * 16),
    ),
    Case("negative CPI", (CPI, "row 1", "column '전국'", "negative"), cell("cpi", 1, "전국", "-99.44")),
    Case("zero PPI", (PPI, "row 2", "column '총지수'", "must be positive"), cell("ppi", 2, "총지수", "0")),
    Case(
        "zero exchange rate",
        (FX, "row 2", "column '환율'", "must be positive"),
        cell("exchange_rate", 2, "환율", "0.00"),
    ),
    Case("nan text in PPI", (PPI, "row 1", "column '총지수'", "not a number: 'nan'"), cell("ppi", 1, "총지수", "nan")),
    Case("blank Dubai price", (OIL, "row 1", "column 'Dubai'", "blank value"), cell("oil", 1, "Dubai", "")),
    Case("blank exchange rate", (FX, "row 2", "column '환율'", "blank value"), cell("exchange_rate", 2, "환율", " ")),
    Case(
        "NaN text in freight",
        (FREIGHT, "row 2", "column '일본'", "not a number: 'NaN'"),
        cell("freight", 2, "일본", "NaN"),
    ),
    Case(
        "blank year-to-date weight",
        (TRADE_06, "row 3", f"column '{YTD_WEIGHT}'", "blank value"),
        cell("trade_06", 3, YTD_WEIGHT, ""),
    ),
    Case("negative Brent price", (OIL, "row 2", "column 'Brent'", "negative"), cell("oil", 2, "Brent", "-1.5")),
    Case(
        "letters in freight",
        (FREIGHT, "row 1", "column '미국서부'", "not a number: '2O00'"),
        cell("freight", 1, "미국서부", "2O00"),
    ),
    # periods: a month listed twice with different values names both rows
    Case(
        "exchange-rate month twice",
        (FX, "row 3", "column '날짜'", "2020-05 is listed twice with different values (also in row 1)"),
        add_row("exchange_rate", ["May-20", "1,300.00"]),
    ),
    Case("CPI month twice", (CPI, "row 3", "column '시점'", "also in row 2"), add_row("cpi", ["2020.06", "100.10"])),
    Case(
        "PPI month twice across files",
        ("생산자물가지수_2.csv", "row 1", "column '시점'", f"also in row 1 of {PPI}"),
        second_file("ppi", "생산자물가지수_2.csv", [["2020.05", "97.00"]]),
    ),
    Case(
        "freight month twice",
        (FREIGHT, "row 3", "column '기간'", "2020-05 is listed twice"),
        add_row("freight", ["2020-05", "2000", "1000", "1400", "700", "800", "999"]),
    ),
    Case(
        "conflicting trade rows in two releases",
        (TRADE_06, "row 2", f"column '{WEIGHT}'", f"conflicts with row 2 of {TRADE_05}"),
        lambda raw: (raw.files["trade_06"].set(2, "기준년월", "2020-05"), raw.files["trade_06"].set(2, WEIGHT, "999")),
    ),
    Case(
        "bad exchange-rate date",
        (FX, "row 2", "column '날짜'", "not a month: 'Jum-20'"),
        cell("exchange_rate", 2, "날짜", "Jum-20"),
    ),
    Case("freight month 13", (FREIGHT, "row 2", "column '기간'", "not a month"), cell("freight", 2, "기간", "2020-13")),
    Case("gap in the oil months", (OIL, "row 2", "column '월'", "a gap, a duplicate"), cell("oil", 2, "월", "07월")),
    Case("oil label without 월", (OIL, "row 1", "column '월'", "not a month label"), cell("oil", 1, "월", "May")),
    Case("ambiguous CPI period", (CPI, "row 1", "column '시점'", "ambiguous period"), cell("cpi", 1, "시점", "2020.1")),
    Case(
        "trade month 13",
        (TRADE_05, "row 3", "column '기준년월'", "not a month"),
        cell("trade_05", 3, "기준년월", "2020-13"),
    ),
    Case(
        "trade flow X",
        (TRADE_06, "row 1", "column '수출입구분코드'", "E or I"),
        cell("trade_06", 1, "수출입구분코드", "X"),
    ),
    Case(
        "letter in an HSK code",
        (TRADE_05, "row 4", "column 'HSK품목코드'", "not an HSK code"),
        cell("trade_05", 4, "HSK품목코드", "16042O0000"),
    ),
    Case(
        "impossible reference date",
        (TRADE_06, "row 2", "column '데이터기준일자'", "not a date"),
        cell("trade_06", 2, "데이터기준일자", "2020-02-30"),
    ),
    # files and folders
    Case("empty file", (FX, "empty file"), after=write_file(f"exchange_rate/{FX}", b"")),
    Case("whitespace-only file", (CPI, "empty file"), after=write_file(f"cpi/{CPI}", b" \r\n\r\n")),
    Case("header only", (PPI, "header only"), after=write_file(f"ppi/{PPI}", "시점,총지수\r\n".encode("cp949"))),
    Case(
        "missing route column",
        (FREIGHT, "column '베트남'", "required column missing"),
        drop_column("freight", "베트남"),
    ),
    Case(
        "undecodable bytes",
        (FX, "row 2", "cannot decode"),
        after=write_file(f"exchange_rate/{FX}", "날짜,환율\r\nMay-20,1\r\n".encode() + b"Jun-20,\xff\xfe\r\n"),
    ),
    Case(
        "short row",
        (FX, "row 2", "column '환율'", "fewer fields"),
        after=write_file(f"exchange_rate/{FX}", "날짜,환율\r\nMay-20,1\r\nJun-20\r\n".encode()),
    ),
    Case(
        "extra field",
        (CPI, "row 2", "3 fields but the header has 2"),
        after=write_file(f"cpi/{CPI}", "시점,전국\r\n2020.05,99.4\r\n2020.06,99.7,1\r\n".encode()),
    ),
    Case("folder named .csv", ("x.csv", "not a regular file"), after=lambda root: (root / "trade" / "x.csv").mkdir()),
    Case(
        "broken link named .csv",
        ("gone.csv", "not a regular file"),
        after=lambda root: os.symlink(root / "nowhere", root / "cpi" / "gone.csv"),
    ),
    Case("missing source folder", ("ppi", "missing folder for the ppi source"), after=remove_folder("ppi")),
    Case("empty source folder", ("oil", "folder holds no .csv file"), after=empty_folder("oil")),
    Case("corrupt manifest", ("manifest.json", "not a valid JSON manifest"), after=manifest("{not json")),
    Case(
        "manifest month",
        ("manifest.json", "first_month is not a month"),
        after=manifest(json.dumps({"sources": {"oil": {"first_month": "May"}}})),
    ),
    Case(
        "column named twice",
        (FX, "column '환율'", "names this column twice"),
        after=write_file(f"exchange_rate/{FX}", "날짜,환율,환율\r\nMay-20,1,1\r\n".encode()),
    ),
    Case(
        "unbalanced quote",
        (TRADE_05, "row 2", "fewer fields than the header"),
        after=write_file(
            f"trade/{TRADE_05}",
            (
                ",".join(TRADE_HEADER)
                + "\r\n"
                + "2020-05,US,304941000,I,수입,미국,북미,x,1,2,3,4,2020-05-31\r\n"
                + '2020-05,CN,307229000,I,수입,중국,동아시아,x,1,"2,3,4,2020-05-31\r\n'
            ).encode("cp949"),
        ),
    ),
    Case("by-item release", ("by-item release", "국가코드"), by_item_release),
    Case("mixed releases", ("mixes by-item and by-country releases",), mixed_releases),
    Case("only exports", ("no import row is left after the merge", "export 8"), only_exports),
]


@pytest.fixture
def tiny_raw(tmp_path: Path) -> Path:
    return RawFolder.tiny().write(tmp_path / "raw")


def test_the_tiny_raw_folder_merges_cleanly(tiny_raw: Path, tmp_path: Path):
    out = tmp_path / "panel.csv"
    assert run(["merge", "--raw", str(tiny_raw), "--out", str(out)]) == 0
    assert len(pd.read_csv(out)) == 5


def test_an_identical_repeated_month_is_kept_once(tmp_path: Path):
    raw = RawFolder.tiny()
    raw.files["exchange_rate"].rows.append(["May-20", "1,228.67"])
    raw.files["ppi"].rows.insert(0, ["2020.06", "99.47"])
    out = tmp_path / "panel.parquet"
    assert run(["merge", "--raw", str(raw.write(tmp_path / "raw")), "--out", str(out)]) == 0
    panel = pd.read_parquet(out)
    assert len(panel) == 5 and not panel.duplicated(["month", "hsk_code", "country_code"]).any()
    accounting = pd.read_csv(tmp_path / "panel_row_accounting.csv").set_index("reason")["rows"]
    assert (accounting >= 0).all() and accounting["input"] == accounting.drop("input").sum()


@pytest.mark.parametrize("case", RAW_CASES, ids=[c.id for c in RAW_CASES])
def test_merge_refuses_malformed_raw_input(case: Case, tmp_path: Path, capsys):
    raw = RawFolder.tiny()
    if case.edit:
        case.edit(raw)
    root = raw.write(tmp_path / "raw")
    if case.after:
        case.after(root)
    argv = ["merge", "--raw", str(root), "--out", str(tmp_path / "out" / "panel.parquet"), *case.options]
    assert_refused(argv, tmp_path, capsys, case.expected)


def _dir_at_accounting(tmp_path: Path) -> str:
    (tmp_path / "p_row_accounting.csv").mkdir()
    return str(tmp_path / "p.csv")


def _folder_at(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).mkdir()
    return tmp_path / name


def _file_at(tmp_path: Path, name: str) -> Path:
    (tmp_path / name).write_text("x", encoding="utf-8")
    return tmp_path / name


MERGE_ARGUMENT_CASES = [
    ("payload zero", lambda t: ["--payload-kg", "0"], ("--payload-kg", "positive")),
    ("payload negative", lambda t: ["--payload-kg", "-5"], ("--payload-kg",)),
    ("payload nan", lambda t: ["--payload-kg", "nan"], ("--payload-kg",)),
    ("payload inf", lambda t: ["--payload-kg", "inf"], ("--payload-kg",)),
    ("payload text", lambda t: ["--payload-kg", "heavy"], ("--payload-kg", "not a number")),
    ("unsupported suffix", lambda t: ["--out", str(t / "panel.txt")], ("panel.txt", "unsupported file type")),
    ("output is a folder", lambda t: ["--out", str(_folder_at(t, "dir.parquet"))], ("dir.parquet", "is a folder")),
    (
        "output under a file",
        lambda t: ["--out", str(_file_at(t, "plain") / "panel.csv")],
        ("lies under", "not a folder"),
    ),
    (
        "accounting path is a folder",
        lambda t: ["--out", _dir_at_accounting(t)],
        ("p_row_accounting.csv", "is a folder"),
    ),
    (
        "output inside the raw folder",
        lambda t: ["--out", str(t / "raw" / "trade" / "p.csv")],
        ("p.csv", "lies inside the input folder"),
    ),
    ("raw folder missing", lambda t: ["--raw", str(t / "nowhere")], ("nowhere", "raw data folder not found")),
]


@pytest.mark.parametrize("name, options, expected", MERGE_ARGUMENT_CASES, ids=[c[0] for c in MERGE_ARGUMENT_CASES])
def test_merge_refuses_bad_arguments_before_any_work(name, options, expected, tiny_raw: Path, tmp_path: Path, capsys):
    argv = ["merge", "--raw", str(tiny_raw), "--out", str(tmp_path / "panel.parquet"), *options(tmp_path)]
    assert_refused(argv, tmp_path, capsys, expected)


def _with_manifest(tmp_path: Path) -> Path:
    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "manifest.json").write_text("{}", encoding="utf-8")
    return folder


SYNTH_CASES = [
    ("negative seed", lambda t: ["--seed", "-1", "--out", str(t / "raw")], ("--seed", "0 or more")),
    ("fractional seed", lambda t: ["--seed", "1.5", "--out", str(t / "raw")], ("--seed", "not a whole number")),
    ("output is a file", lambda t: ["--out", str(_file_at(t, "raw"))], ("is a file, not a folder",)),
    ("output under a file", lambda t: ["--out", str(_file_at(t, "plain") / "raw")], ("lies under",)),
    ("folder of real data", lambda t: ["--out", str(_with_manifest(t))], ("holds downloaded real data",)),
]


@pytest.mark.parametrize("name, argv, expected", SYNTH_CASES, ids=[c[0] for c in SYNTH_CASES])
def test_synth_refuses_bad_arguments(name, argv, expected, tmp_path: Path, capsys):
    assert_refused(["synth", *argv(tmp_path)], tmp_path, capsys, expected)
