"""A tiny raw folder in the layouts of the six public sources (two months, a few trade rows) that
merges cleanly, and the helpers the malformed-input tests use to break one cell or file of it and
to check that a refused command wrote nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from customs_anomaly import config
from customs_anomaly.cli import main

TRADE_HEADER = [
    "기준년월",
    "국가코드",
    "HSK품목코드",
    "수출입구분코드",
    "수출입구분명",
    "국가명",
    "경제권명",
    "수산물수출입품목명",
    "당월수출입중량(킬로그램)",
    "당월수출입미화금액(달러)",
    "당해누계수출입중량(킬로그램)",
    "당해누계수출입미화금액(달러)",
    "데이터기준일자",
]


def _trade_rows(month: str, day: str) -> list[list[str]]:
    return [
        [
            month,
            "US",
            "304941000",
            "I",
            "수입",
            "미국",
            "북미",
            "냉동 명태 연육",
            "1,200",
            "3600",
            "5000",
            "15000",
            day,
        ],
        [month, "CN", "307229000", "I", "수입", "중국", "동아시아", "냉동 가리비", "300", "1800", "300", "1800", day],
        [month, "JP", "301992000", "E", "수출", "일본", "일본", "활 방어", "10", "90", "10", "90", day],
        [month, "", "1604200000", "I", "수입", "베트남", "", "어류 조제품", "0", "0", "80", "400", day],
    ]


@dataclass
class RawFile:
    folder: str
    name: str
    encoding: str
    header: list[str]
    rows: list[list[str]]

    @property
    def relative(self) -> str:
        return f"{self.folder}/{self.name}"

    def text(self) -> str:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return buffer.getvalue()

    def set(self, row: int, column: str, value: str) -> None:
        """Set the cell of a 1-based data row."""
        self.rows[row - 1][self.header.index(column)] = value


@dataclass
class RawFolder:
    """The six sources as editable tables; `write` puts them in their folders."""

    files: dict[str, RawFile] = field(default_factory=dict)

    @classmethod
    def tiny(cls) -> RawFolder:
        files = {
            "trade_05": RawFile(
                "trade",
                "해양수산부_수산물품목별수출입현황_202005.csv",
                "cp949",
                TRADE_HEADER,
                _trade_rows("2020-05", "2020-05-31"),
            ),
            "trade_06": RawFile(
                "trade",
                "해양수산부_수산물품목별수출입현황_202006.csv",
                "cp949",
                TRADE_HEADER,
                _trade_rows("2020-06", "2020-06-30"),
            ),
            "freight": RawFile(
                "freight",
                "관세청_해상수출입(수입)운송비용.csv",
                "cp949",
                ["기간", *config.FREIGHT_ROUTES],
                [
                    ["2020-05", "2000", "1000", "1400", "700", "800", "400"],
                    ["2020-06", "2100", "1100", "1500", "", "800", "420"],
                ],
            ),
            "exchange_rate": RawFile(
                "exchange_rate",
                "원달러환율_월평균.csv",
                "utf-8-sig",
                ["날짜", "환율"],
                [["May-20", "1,228.67"], ["Jun-20", "1,210.01"]],
            ),
            "oil": RawFile(
                "oil",
                "국제유가_월별.csv",
                "cp949",
                ["월", "유종", "Dubai", "Brent", "WTI", "Oman"],
                [["05월", "", "30.47", "32.41", "28.53", "30.75"], ["06월", "", "40.80", "40.77", "38.31", "40.85"]],
            ),
            "cpi": RawFile(
                "cpi", "소비자물가지수.csv", "cp949", ["시점", "전국"], [["2020.05", "99.44"], ["2020.06", "99.71"]]
            ),
            "ppi": RawFile(
                "ppi", "생산자물가지수.csv", "cp949", ["시점", "총지수"], [["2020.05", "98.96"], ["2020.06", "99.47"]]
            ),
        }
        return cls(files)

    def write(self, root: Path) -> Path:
        for file in self.files.values():
            path = root / file.folder / file.name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(file.text().encode(file.encoding))
        return root


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under root, hidden ones included, with its kind, size and modification time."""
    entries = {}
    for path in sorted(root.rglob("*")):
        info = path.lstat()
        entries[str(path.relative_to(root))] = (path.is_dir(), path.is_symlink(), info.st_size, info.st_mtime_ns)
    return entries


def run(argv: list[str]) -> int:
    """The command in-process; a usage error (argparse) gives its exit status like the console script."""
    try:
        return main(argv)
    except SystemExit as exc:
        return exc.code


def assert_refused(argv: list[str], root: Path, capsys: pytest.CaptureFixture, expected: tuple[str, ...]) -> str:
    """Exit status 2, exactly one line on stderr holding every expected text, and no change under root."""
    capsys.readouterr()
    before = snapshot(root)
    status = run(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.endswith("\n") and err.count("\n") == 1, f"stderr is not one line: {err!r}"
    for text in expected:
        assert text in err, f"{text!r} not in {err!r}"
    assert snapshot(root) == before, "the refused command changed files"
    return err
