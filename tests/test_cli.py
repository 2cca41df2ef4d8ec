"""The command line: every sub-command answers --help; bad input is one line, exit 2, no output."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customs_anomaly import config
from customs_anomaly.cli import build_parser, main

SUBCOMMANDS = ["synth", "merge", "inject", "fit", "score", "demo", "verdicts", "book", "download"]


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args([name, "--help"])
    assert exit_info.value.code == 0
    assert "usage: customs-anomaly" in capsys.readouterr().out


def test_synth_then_merge_gives_the_contract_panel(replica_panel_path: Path):
    panel = pd.read_parquet(replica_panel_path)
    assert list(panel.columns) == list(config.PANEL_COLUMNS)
    months = panel["month"].drop_duplicates().sort_values()
    assert list(months) == list(config.month_range())
    assert panel["hsk_code"].str.fullmatch(r"\d{10}").all()
    assert set(panel["region"]) == set(config.REGIONS)
    rows_per_month = panel.groupby("month").size()
    print(f"panel rows per month: min {rows_per_month.min()}, max {rows_per_month.max()}")
    # about the real by-country release's 1,146 rows in July (fewer in January: a release holds the
    # pairs traded so far that year)
    assert rows_per_month.between(700, 1400).all()
    accounting = pd.read_csv(replica_panel_path.with_name("panel_row_accounting.csv")).set_index("reason")["rows"]
    assert accounting["input"] == accounting.drop("input").sum()


def test_merge_of_a_broken_file_is_one_line_exit_2_and_no_output(tmp_path: Path, replica_raw: Path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(replica_raw, raw)
    fx_file = next((raw / "exchange_rate").glob("*.csv"))
    text = fx_file.read_text(encoding="utf-8-sig").splitlines()
    text[3] = text[3].replace(".", "x", 1)  # data row 3: an unparseable rate
    fx_file.write_text("\n".join(text) + "\n", encoding="utf-8-sig")
    out = tmp_path / "panel.parquet"
    assert main(["merge", "--raw", str(raw), "--out", str(out)]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert fx_file.name in error and "row 3" in error and "환율" in error
    assert not out.exists()


def test_reading_a_panel_with_a_bad_cell_names_row_and_column(tmp_path: Path, capsys):
    from customs_anomaly.errors import InputError
    from customs_anomaly.storage import read_panel

    row = {c: 1.0 for c in config.PANEL_COLUMNS}
    row.update(
        month="2024-05-01", hsk_code="0302110000", item_name="x", country_code="US", country_name="미국", region="미국"
    )
    frame = pd.DataFrame([row, {**row, "weight_kg": "abc"}])
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"panel\.csv, row 2, column 'weight_kg': not a number: 'abc'"):
        read_panel(path)
    frame.drop(columns="ppi").to_csv(path, index=False)
    with pytest.raises(InputError, match="column 'ppi'"):
        read_panel(path)


def test_the_panel_is_reproducible_from_the_raw_files(
    tmp_path: Path, small_replica_raw: Path, small_replica_panel_path: Path
):
    """The replica's bytes depend only on the seed (test_synth); the merge of the same files gives
    the same panel (a tenth of the replica's codes: the merge does the same to every row)."""
    out = tmp_path / "panel.parquet"
    assert main(["merge", "--raw", str(small_replica_raw), "--out", str(out)]) == 0
    pd.testing.assert_frame_equal(pd.read_parquet(out), pd.read_parquet(small_replica_panel_path))


def test_fit_score_and_demo_through_the_cli(tmp_path: Path, replica_panel_path: Path, capsys):
    injected = tmp_path / "injected.parquet"
    assert main(["inject", "--panel", str(replica_panel_path), "--seed", "0", "--out", str(injected)]) == 0
    assert (
        main(
            [
                "fit",
                "--panel",
                str(injected),
                "--train-until",
                "2024-04",
                "--out",
                str(tmp_path / "m"),
                "--detector",
                "rules",
            ]
        )
        == 0
    )
    scores_path = tmp_path / "scores.csv"
    assert main(["score", "--panel", str(injected), "--model-dir", str(tmp_path / "m"), "--out", str(scores_path)]) == 0
    scores = pd.read_csv(scores_path, dtype={"hsk_code": str, "country_code": str}, keep_default_na=False)
    assert {"month", "hsk_code", "country_code", "score", "flag", "reason"} <= set(scores.columns)
    assert len(scores) == len(pd.read_parquet(injected))
    page = tmp_path / "queue.html"
    assert main(["demo", "--scores", str(scores_path), "--panel", str(injected), "--out", str(page)]) == 0
    text = page.read_text(encoding="utf-8")
    assert "<script src=" not in text  # all JavaScript inline
    assert not re.search(r"""(src|href)\s*=\s*["']https?:""", text)  # nothing loaded from the network
    capsys.readouterr()
    assert (
        main(
            ["score", "--panel", str(injected), "--model-dir", str(tmp_path / "none"), "--out", str(tmp_path / "x.csv")]
        )
        == 2
    )
    assert "detector.json" in capsys.readouterr().err and not (tmp_path / "x.csv").exists()


def test_fit_without_a_detector_trains_the_improved_one_and_score_gives_reasons(
    tmp_path: Path, small_injected_path: Path
):
    injected = small_injected_path
    assert main(["fit", "--panel", str(injected), "--out", str(tmp_path / "m"), "--epochs", "1"]) == 0
    assert '"name": "lstm-plus"' in (tmp_path / "m" / "detector.json").read_text(encoding="utf-8")
    scores_path = tmp_path / "scores.parquet"
    assert main(["score", "--panel", str(injected), "--model-dir", str(tmp_path / "m"), "--out", str(scores_path)]) == 0
    scores = pd.read_parquet(scores_path)
    flagged = scores[scores["flag"]]
    assert len(flagged) > 0 and flagged["reason"].str.len().gt(0).all()
    assert set(flagged["reason_group"]) == {"운임", "단가"}
    labels = pd.read_parquet(injected)
    freight_anomalies = labels["anomaly_type"].isin(["a", "b", "c"]).to_numpy()
    assert (scores.loc[freight_anomalies & scores["flag"].to_numpy(), "reason_group"] == "운임").all()
    budget_path = tmp_path / "budget.csv"
    assert (
        main(
            [
                "score",
                "--panel",
                str(injected),
                "--model-dir",
                str(tmp_path / "m"),
                "--out",
                str(budget_path),
                "--budget",
                "0.02",
            ]
        )
        == 0
    )
    budget = pd.read_csv(budget_path, dtype={"hsk_code": str, "country_code": str}, keep_default_na=False)
    budget["score"] = pd.to_numeric(budget["score"].replace("", np.nan))  # blank: a row without imports
    per_month = budget.groupby("month").agg(rows=("score", "count"), flagged=("flag", "sum"))
    assert (per_month["flagged"] == (per_month["rows"] * 0.02).astype(int).clip(lower=1)).all()
    assert budget.loc[budget["flag"], "reason"].str.len().gt(0).all()
    assert (budget.loc[~budget["flag"], "reason"] == "").all()


@pytest.mark.parametrize("share", ["0", "1.5", "two"])
def test_score_refuses_a_budget_that_is_not_a_share(share, capsys):
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["score", "--panel", "p", "--model-dir", "m", "--out", "o.csv", "--budget", share])
    assert exit_info.value.code == 2
    assert "--budget: " in capsys.readouterr().err


def test_inject_the_scheme_protocol_writes_labelled_schemes_that_read_back(tmp_path: Path, replica_panel_path: Path):
    from customs_anomaly.storage import read_panel

    out = tmp_path / "schemes.parquet"
    assert (
        main(["inject", "--panel", str(replica_panel_path), "--seed", "1", "--protocol", "schemes", "--out", str(out)])
        == 0
    )
    panel = read_panel(out)
    ids = panel.loc[panel["is_anomaly"], "scheme_id"]
    assert ids.str.fullmatch(r"S\d{2}").all() and ids.nunique() == 30
    assert set(panel.loc[panel["is_anomaly"], "anomaly_type"]) == {"g", "h", "i", "j", "k"}
    assert (panel.loc[~panel["is_anomaly"], "scheme_id"] == "").all()
