"""Monthly operation through the command line: `score --as-of` scores one month from the months up
to it, and `monthly` turns the raw files of a new month into its review queue; every refusal is one
line with exit status 2 and no output."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from customs_anomaly.cli import main

MONTH = "2024-07"
PLANTED_FACTOR = 1000.0  # a declared value a thousand times too high: the month's top anomaly


def trade_file(raw: Path, month: str) -> Path:
    return next((raw / "trade").glob(f"*_{month.replace('-', '')}.csv"))


def plant_overvalued_import(raw: Path, month: str) -> tuple[str, str]:
    """Multiply the value of the heaviest import row of one of the five regions in the month's
    release (year-to-date value too) and return its (HSK code as written, country code)."""
    path = trade_file(raw, month)
    rows = list(csv.DictReader(path.read_text(encoding="cp949").splitlines()))
    header = list(rows[0])
    imports = [r for r in rows if r["수출입구분코드"] == "I" and r["국가코드"] in ("CN", "VN", "JP", "US")]
    target = max(imports, key=lambda r: int(r["당월수출입중량(킬로그램)"]))
    extra = int(target["당월수출입미화금액(달러)"]) * (PLANTED_FACTOR - 1)
    target["당월수출입미화금액(달러)"] = str(int(int(target["당월수출입미화금액(달러)"]) + extra))
    target["당해누계수출입미화금액(달러)"] = str(int(int(target["당해누계수출입미화금액(달러)"]) + extra))
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(text.getvalue().encode("cp949"))
    return target["HSK품목코드"].zfill(10), target["국가코드"]


@pytest.fixture(scope="module")
def model_dir(small_replica_panel_path, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("model") / "price-band"
    assert main(["fit", "--panel", str(small_replica_panel_path), "--detector", "price-band", "--out", str(out)]) == 0
    return out


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def refused(argv: list[str], capsys, *expected: str) -> str:
    try:
        status = main(argv)
    except SystemExit as exit_info:  # argparse refuses a malformed argument itself
        status = exit_info.code
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    for text in expected:
        assert text in err, err
    return err


def test_monthly_run_puts_the_planted_import_first_with_its_reason(small_replica_raw, model_dir, tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(small_replica_raw, raw)
    code, country = plant_overvalued_import(raw, MONTH)
    out = tmp_path / "queue"
    assert (
        main(["monthly", "--raw", str(raw), "--month", MONTH, "--model-dir", str(model_dir), "--out-dir", str(out)])
        == 0
    )
    captured = capsys.readouterr()
    assert captured.err == "" and f"{MONTH}: scored" in captured.out
    table = pd.read_csv(out / f"queue_{MONTH}.csv", encoding="utf-8-sig", dtype=str)
    assert (out / f"queue_{MONTH}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert set(table["기준년월"]) == {MONTH}
    top = table.iloc[0]
    assert (top["HS코드"], top["국가코드"]) == (code, country)
    assert "단가" in top["위험 현상"] and top["위험 유형"] == "단가"
    rows_in_month = int(json.loads((out / "monthly_queue.json").read_text(encoding="utf-8"))["rows"])
    assert rows_in_month == len(table) > 0
    page = (out / f"queue_{MONTH}.html").read_text(encoding="utf-8")
    assert code in page and "<script src=" not in page
    assert listing(out) == sorted(["monthly_queue.json", f"queue_{MONTH}.csv", f"queue_{MONTH}.html"])


def test_monthly_refusals_are_one_line_and_write_nothing(small_replica_raw, model_dir, tmp_path, capsys):
    out = tmp_path / "queue"
    base = ["monthly", "--raw", str(small_replica_raw), "--model-dir", str(model_dir), "--out-dir", str(out)]
    refused([*base, "--month", "2025-06"], capsys, "do not reach --month 2025-06", "2025-04")
    refused([*base, "--month", "2024-03"], capsys, str(model_dir), "trained on months up to 2024-04")
    refused([*base, "--month", "2024-13"], capsys, "not a month")
    assert listing(out) == []
    gap = tmp_path / "raw"
    shutil.copytree(small_replica_raw, gap)
    trade_file(gap, "2024-08").unlink()
    refused(
        ["monthly", "--raw", str(gap), "--model-dir", str(model_dir), "--out-dir", str(out), "--month", "2024-08"],
        capsys,
        "no import row in 2024-08",
    )
    assert listing(out) == []


def test_a_model_trained_long_before_the_month_warns_on_one_line(
    small_replica_raw, small_replica_panel_path, tmp_path, capsys
):
    old = tmp_path / "old"
    fit = ["fit", "--panel", str(small_replica_panel_path), "--detector", "price-band", "--train-until", "2023-01"]
    assert main([*fit, "--out", str(old)]) == 0
    capsys.readouterr()
    out = tmp_path / "queue"
    argv = [
        "monthly",
        "--raw",
        str(small_replica_raw),
        "--month",
        "2024-06",
        "--model-dir",
        str(old),
        "--out-dir",
        str(out),
    ]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("warning: the model was trained on months up to 2023-01, 17 months")


def test_score_as_of_scores_one_month_and_ignores_later_rows(small_injected_path, model_dir, tmp_path, capsys):
    panel = pd.read_parquet(small_injected_path)
    later = panel["month"] > pd.Timestamp(MONTH)
    changed = panel.copy()
    changed.loc[later, ["value_usd", "unit_price_usd_per_kg"]] *= 9.0
    changed_path = tmp_path / "changed.parquet"
    changed.to_parquet(changed_path)
    outputs = []
    for i, source in enumerate((small_injected_path, changed_path)):
        out = tmp_path / f"scores{i}.csv"
        argv = ["score", "--panel", str(source), "--model-dir", str(model_dir), "--out", str(out), "--as-of", MONTH]
        assert main([*argv, "--budget", "0.05"]) == 0
        outputs.append(pd.read_csv(out, dtype={"hsk_code": str, "country_code": str}, keep_default_na=False))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert set(outputs[0]["month"]) == {f"{MONTH}-01"} and len(outputs[0]) == int((panel["month"] == MONTH).sum())
    scored = pd.to_numeric(outputs[0]["score"], errors="coerce").notna().sum()
    assert outputs[0]["flag"].sum() == max(1, int(0.05 * scored))
    capsys.readouterr()
    out = tmp_path / "x.csv"
    base = ["score", "--panel", str(small_injected_path), "--model-dir", str(model_dir), "--out", str(out)]
    refused([*base, "--as-of", "2024-02"], capsys, "not a new month for it")
    refused([*base, "--as-of", "2026-01"], capsys, "do not reach --as-of 2026-01")
    assert not out.exists()


def test_fit_prospective_is_the_trailing_form_of_lstm_plus_only(small_injected_path, tmp_path, capsys):
    refused(
        [
            "fit",
            "--panel",
            str(small_injected_path),
            "--detector",
            "robust",
            "--prospective",
            "--out",
            str(tmp_path / "m"),
        ],
        capsys,
        "--prospective is a form of lstm-plus only",
    )
    assert not (tmp_path / "detector.json").exists()


def test_consecutive_flags_of_a_series_are_one_case_in_the_queue():
    from customs_anomaly.demo import cases_of

    def row(code, month, score, **extra):
        return {"hsk_code": code, "country_code": "CN", "month": pd.Timestamp(month), "score": score, **extra}

    flagged = pd.DataFrame(
        [
            row("0302110000", "2024-09-01", 3.0, value_at_stake_usd=100.0),
            row("0302110000", "2024-10-01", 5.0, value_at_stake_usd=200.0),
            row("0302110000", "2024-11-01", 4.0, value_at_stake_usd=300.0),
            row("0302110000", "2025-02-01", 9.0, value_at_stake_usd=50.0),  # a gap: a new case
            row("0303000000", "2024-10-01", 7.0, value_at_stake_usd=10.0),
        ]
    )
    cases = cases_of(flagged).set_index(["hsk_code", "month"])
    assert len(cases) == 3
    first = cases.loc[("0302110000", pd.Timestamp("2024-11-01"))]
    assert first["score"] == 5.0 and first["case_value"] == 600.0
    assert first["case_text"] == "2024-09~2024-11, 지적 3개월"
    assert first["case_months"] == ["2024-09", "2024-10", "2024-11"]
    # the detector's own case (lstm-plus's memory) reaches back before the first flag
    own = cases_of(flagged.assign(case_start=pd.Timestamp("2024-07-01"), case_value_usd=1234.0).head(3))
    assert own["case_months"].iloc[0][0] == "2024-07" and own["case_value"].iloc[0] == 1234.0
