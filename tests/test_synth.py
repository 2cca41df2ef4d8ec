"""The synthetic replica: determinism, the original layouts and quirks, the published facts, the
noise real trade statistics carry, and realism against a real release when one is at hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customs_anomaly import __version__, config, realism, synth
from customs_anomaly.countries import code_from_name, economic_bloc, region_of
from customs_anomaly.synth import reference_figures

REFERENCE_FILE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "hsk_trade_2025-10.csv"
TRADE_NUMBERS = {
    "당월수출입중량(킬로그램)": "weight_kg",
    "당월수출입미화금액(달러)": "value_usd",
    "당해누계수출입중량(킬로그램)": "ytd_weight_kg",
    "당해누계수출입미화금액(달러)": "ytd_value_usd",
}


def read_csv(path: Path, encoding: str = "cp949") -> pd.DataFrame:
    return pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def replica(replica_raw) -> Path:
    """The session's replica of seed 0 (conftest), read only."""
    return replica_raw


@pytest.fixture(scope="module")
def trade(replica) -> pd.DataFrame:
    """Every trade release read back as written (text), plus typed helper columns."""
    files = sorted((replica / config.RAW_SOURCE_DIRS["trade"]).glob("*.csv"))
    frame = pd.concat([read_csv(f).assign(file=f.name) for f in files], ignore_index=True)
    for korean, english in TRADE_NUMBERS.items():
        frame[english] = frame[korean].astype("int64")
    frame["month"] = pd.to_datetime(frame["기준년월"], format="%Y-%m")
    frame["hsk_code"] = frame["HSK품목코드"].str.zfill(10)
    code = frame["국가코드"].where(frame["국가코드"] != "", frame["국가명"].map(code_from_name))
    frame["country_code"] = code
    frame["country_name"] = frame["국가명"]
    frame["region"] = code.map(region_of)
    return frame


@pytest.fixture(scope="module")
def imports(trade) -> pd.DataFrame:
    return trade[trade["수출입구분코드"] == "I"]


@pytest.fixture(scope="module")
def panel_like(imports) -> pd.DataFrame:
    """The import rows the merge keeps: five freight regions, 2020-05..2025-04."""
    kept = imports["region"].notna() & imports["month"].between(config.STUDY_START, config.STUDY_END)
    return imports[kept]


def file_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism, files, marker ------------------------------------------------------------------


def test_same_seed_gives_identical_bytes_and_another_seed_differs_with_its_marker(tmp_path, replica):
    again, other = tmp_path / "again", tmp_path / "other"
    synth.write_replica(again, seed=0)
    other.mkdir()
    (other / config.SYNTHETIC_MARKER).write_text('{"kind": "synthetic", "seed": 7}', encoding="utf-8")
    written = synth.write_replica(other, seed=3)
    first, second, third = file_bytes(replica), file_bytes(again), file_bytes(other)
    assert first == second
    assert first.keys() == third.keys()
    differing = [name for name in first if first[name] != third[name]]
    assert any(name.startswith("trade") for name in differing)
    assert any(name.startswith("freight") for name in differing)
    assert config.SYNTHETIC_MARKER in differing

    assert set(written) == set(config.RAW_SOURCE_DIRS) | {"marker"}
    for source, folder in config.RAW_SOURCE_DIRS.items():
        assert written[source] and all(p.parent == other / folder and p.is_file() for p in written[source])
    names = [p.name for p in written["trade"]]
    expected = [
        f"해양수산부_수산물품목별수출입현황_{m:%Y%m}.csv" for m in pd.date_range("2020-01", "2025-04", freq="MS")
    ]
    assert names == expected
    marker = json.loads((other / config.SYNTHETIC_MARKER).read_text(encoding="utf-8"))
    assert marker == {"kind": "synthetic", "seed": 3, "generator": "customs_anomaly.synth", "version": __version__}
    assert not list(other.rglob("*.tmp")), "temporary files left behind"


def test_atomic_write_leaves_neither_temporary_nor_half_file(tmp_path):
    target = tmp_path / "file.csv"
    target.write_bytes(b"old")
    with pytest.raises(TypeError):
        synth.writers.write_atomic(target, None)  # writing fails half-way
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file.csv"]
    synth.writers.write_atomic(target, b"new")
    assert target.read_bytes() == b"new"


# --- layouts and published facts -----------------------------------------------------------------


def test_trade_releases_have_the_original_columns_and_encoding(replica, trade):
    first = sorted((replica / "trade").glob("*.csv"))[0]
    raw = first.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert list(read_csv(first).columns) == list(synth.TRADE_COLUMNS.values())
    assert set(trade["수출입구분코드"]) == {"E", "I"}
    assert set(zip(trade["수출입구분코드"], trade["수출입구분명"])) == {("E", "수출"), ("I", "수입")}
    month_end = (trade["month"] + pd.offsets.MonthEnd(0)).dt.strftime("%Y-%m-%d")
    assert (trade["데이터기준일자"] == month_end).all()
    assert (trade.groupby("file")["기준년월"].nunique() == 1).all()


def test_freight_file_holds_the_published_values(replica):
    freight = read_csv(replica / "freight" / synth.FREIGHT_FILE)
    assert list(freight.columns) == ["기간", *config.FREIGHT_ROUTES]
    assert freight["기간"].iloc[0] == "2019-01" and freight["기간"].iloc[-1] == "2025-04" and len(freight) == 76
    rows = freight.set_index("기간")
    for month, values in synth.FREIGHT_FACTS.items():
        assert [int(v) for v in rows.loc[month]] == list(values)
    assert rows.loc["2020-05", "유럽연합"] == "1442"
    # The real file has values for Vietnam in 2019-04/05 (an earlier replica left them blank).
    cells = rows.stack()
    assert cells.str.fullmatch(r"\d+").all()  # integer 천원, no blanks


def test_freight_keeps_each_route_s_published_peak_and_continues_plausibly(replica):
    rows = read_csv(replica / "freight" / synth.FREIGHT_FILE).set_index("기간").astype(float)
    for route, (month, level) in reference_figures.FREIGHT_PEAKS.items():
        assert rows.loc[month, route] == level
        assert (rows[route].drop(index=month) < level).all(), route
    real = reference_figures.freight_path()
    last_real = rows.loc[[f"{m:%Y-%m}" for m in real.index[-3:]]].mean()
    after = rows.loc["2024-07":"2025-04"]
    assert len(after) == 10
    assert ((after / last_real).stack().between(0.8, 1.35)).all()


def test_exchange_rate_file_is_utf8_with_bom_and_text_numbers(replica):
    path = replica / "exchange_rate" / synth.EXCHANGE_RATE_FILE
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    fx = read_csv(path, encoding="utf-8-sig")
    assert list(fx.columns) == ["날짜", "환율"] and len(fx) == 60
    assert fx["날짜"].iloc[:5].tolist() == ["May-20", "Jun-20", "Jul-20", "Aug-20", "Sep-20"]
    assert fx["환율"].iloc[:5].tolist() == ["1,228.67", "1,210.01", "1,198.90", "1,186.85", "1,178.80"]
    values = dict(zip(fx["날짜"], fx["환율"]))
    assert (values["Jul-24"], values["Dec-24"], values["Feb-25"], values["Apr-25"]) == (
        "1,383.38",
        "1,434.42",
        "1,445.56",
        "1,444.31",
    )


def test_oil_file_has_month_labels_without_year_and_the_published_prices(replica):
    oil = read_csv(replica / "oil" / synth.OIL_FILE)
    assert list(oil.columns) == ["월", "유종", "Dubai", "Brent", "WTI", "Oman"] and len(oil) == 60
    assert oil["월"].iloc[:9].tolist() == ["05월", "06월", "07월", "08월", "09월", "10월", "11월", "12월", "01월"]
    assert (oil["유종"] == "").all()
    for column, facts in synth.OIL_FACTS.items():
        name = {"dubai": "Dubai", "brent": "Brent", "wti": "WTI", "oman": "Oman"}[column]
        for month, value in facts.items():
            row = config.month_range().get_loc(pd.Timestamp(month))
            assert float(oil[name].iloc[row]) == value
    dubai = oil["Dubai"].astype(float)
    assert dubai.iloc[22:28].max() > 100  # 2022-03..2022-08


def test_cpi_and_ppi_periods_are_text_and_hold_the_published_values(replica):
    cpi = read_csv(replica / "cpi" / synth.CPI_FILE)
    ppi = read_csv(replica / "ppi" / synth.PPI_FILE)
    assert list(cpi.columns) == ["시점", "전국"] and list(ppi.columns) == ["시점", "총지수"]
    assert cpi["시점"].iloc[5] == "2020.10" and ppi["시점"].iloc[5] == "2020.10"
    for frame, column, facts in ((cpi, "전국", synth.CPI_FACTS), (ppi, "총지수", synth.PPI_FACTS)):
        values = dict(zip(frame["시점"], frame[column].astype(float)))
        for month, value in facts.items():
            assert values[month.replace("-", ".")] == value
        assert all(len(v.split(".")[1]) == 2 for v in frame[column])


def test_macro_facts_stay_pinned_for_any_random_stream():
    for seed in (0, 11):
        macro = synth.macro_series(np.random.default_rng(seed)).set_index("month")
        for month, value in synth.FX_FACTS.items():
            assert macro.loc[pd.Timestamp(month), "usd_krw"] == value
        for month, value in synth.CPI_FACTS.items():
            assert macro.loc[pd.Timestamp(month), "cpi"] == value
        freight = synth.freight_series(np.random.default_rng(seed)).set_index("month")
        assert freight.loc[pd.Timestamp("2020-05"), "유럽연합"] == 1442


# --- trade quirks --------------------------------------------------------------------------------


def test_chapters_01_to_09_lose_their_leading_zero(trade):
    codes = trade["HSK품목코드"]
    assert not codes.str.startswith("0").any()
    assert set(codes.str.len()) == {9, 10}
    nine = codes[codes.str.len() == 9]
    assert nine.str.zfill(10).str[:2].astype(int).between(1, 9).all()


def test_about_half_of_july_import_rows_have_zero_weight_but_year_to_date_values(imports, panel_like):
    zero = imports["weight_kg"] == 0
    july = panel_like[panel_like["month"] == pd.Timestamp("2024-07-01")]
    share = (july["weight_kg"] == 0).mean()
    print(f"\nzero-weight share of import rows: all releases {zero.mean():.3f}, five regions 2024-07 {share:.3f}")
    assert abs(share - reference_figures.STRUCTURE["zero_weight_share"]) <= realism.ZERO_WEIGHT_TOLERANCE
    # presence accumulates through the year: no 0-kg rows in January, more by July than in March
    by_month = panel_like.groupby(panel_like["month"].dt.month)["weight_kg"].apply(lambda w: (w == 0).mean())
    assert by_month.loc[1] == 0.0 and by_month.loc[3] < by_month.loc[7]
    assert (imports.loc[zero, "ytd_weight_kg"] > 0).all()
    assert ((imports["weight_kg"] == 0) == (imports["value_usd"] == 0)).all()


def test_year_to_date_columns_add_up_from_january(trade):
    frame = trade.assign(year=trade["month"].dt.year).sort_values("month")
    key = ["year", "수출입구분코드", "hsk_code", "국가명"]
    cumulative = frame.groupby(key)[["weight_kg", "value_usd"]].cumsum()
    assert (cumulative["weight_kg"] == frame["ytd_weight_kg"]).all()
    assert (cumulative["value_usd"] == frame["ytd_value_usd"]).all()
    # once a series appears in a year it stays in every later release of that year
    months = frame.groupby(key)["month"].agg(["min", "max", "count"])
    span = (months["max"].dt.month - months["min"].dt.month) + 1
    last_release = frame["month"].max()
    full_year = months["max"].dt.month.eq(12) | months["max"].eq(last_release)
    assert (span == months["count"]).all() and full_year.all()
    first_rows = frame.groupby(key).head(1)
    assert (first_rows["weight_kg"] > 0).all()


def test_some_country_codes_are_blank_while_the_name_stays_and_blocs_are_as_printed(trade):
    blank_code = trade["국가코드"] == ""
    assert 0 < blank_code.mean() < 0.05
    assert (trade.loc[blank_code, "국가명"] != "").all()
    # the bloc is blank exactly for the countries the real release prints without one
    assert (trade["경제권명"] == trade["country_code"].map(economic_bloc)).all()
    assert (trade["경제권명"] == "").any() and (trade["경제권명"] != "").any()
    assert trade.loc[blank_code, "country_code"].ne("").all()  # the name identifies the country


def test_many_partners_lie_outside_the_five_freight_regions(imports):
    outside = set(imports.loc[imports["region"].isna(), "country_code"])
    assert {"RU", "NO", "CL", "ID", "TH", "CA", "PE"} <= outside
    assert len(outside) >= 20


def test_series_start_stop_and_pause(imports):
    traded = imports[imports["weight_kg"] > 0]
    months = traded.groupby(["hsk_code", "country_name"])["month"].agg(["min", "max", "count"])
    span = (months["max"].dt.year - months["min"].dt.year) * 12 + months["max"].dt.month - months["min"].dt.month + 1
    started_late = months["min"] >= pd.Timestamp("2021-01-01")
    stopped_early = months["max"] <= pd.Timestamp("2023-12-01")
    with_gaps = span > months["count"]
    print(
        f"\nimport series: {len(months)}; started after 2020: {started_late.sum()}, "
        f"stopped before 2024: {stopped_early.sum()}, with months without trade: {with_gaps.sum()}"
    )
    assert started_late.mean() > 0.05 and stopped_early.mean() > 0.03 and with_gaps.mean() > 0.2
    assert (span == months["count"]).sum() > 100  # and many trade every month


def test_the_merge_keeps_about_as_many_july_rows_as_the_real_release(panel_like):
    per_month = panel_like.groupby("month").size()
    print(
        f"\nrows a month in the five regions: min {per_month.min()}, median {per_month.median():.0f}, "
        f"max {per_month.max()} over {len(per_month)} months; July: {per_month[per_month.index.month == 7].tolist()}"
    )
    assert len(per_month) == 60
    real = reference_figures.STRUCTURE["import_rows"]
    july = per_month[per_month.index.month == 7]
    assert ((july - real).abs() <= realism.ROWS_TOLERANCE * real).all()
    january = per_month[per_month.index.month == 1]
    years = january.index.year.intersection(july.index.year)
    assert (january.set_axis(january.index.year)[years] < july.set_axis(july.index.year)[years]).all()


# --- scale, shape and realism --------------------------------------------------------------------


def test_catalogue_holds_the_release_s_codes_names_and_partners():
    catalogue = synth.item_catalogue()
    assert 400 <= len(catalogue) <= 460
    assert catalogue["hsk_code"].is_unique and (catalogue["hsk_code"].str.fullmatch(r"\d{10}")).all()
    assert (catalogue["item_name"] != "").all() and (catalogue["partners"] != "").all()
    assert catalogue["chapter"].value_counts().index[0] == "03"
    assert {"1212", "2501"} <= set(catalogue["hsk_code"].str[:4])
    assert {"냉동 어류", "갑각류", "연체동물", "해조류", "소금", "어류 조제품"} <= set(catalogue["item_group"])
    partners = synth.partner_catalogue()
    listed = {c for text in catalogue["partners"] for c in text.split()}
    assert listed == set(partners.loc[partners["trade_flow"] == "I", "country_code"])
    assert listed <= set(synth.COUNTRY_NAMES) and len(listed) > 100
    assert (catalogue["annual_value_usd"] > 0).all() and (catalogue["unit_price_usd_per_kg"] > 0).all()
    exports = synth.export_catalogue()
    assert len(exports) > 300 and not set(exports["hsk_code"]) <= set(catalogue["hsk_code"])


def test_import_values_prices_and_seasons_are_realistic(trade, imports):
    national = imports.groupby("month")["value_usd"].sum() / 1e6
    exports = trade[trade["수출입구분코드"] == "E"].groupby("month")["value_usd"].sum() / 1e6
    print(
        f"\nnational imports a month: mean {national.mean():.0f}, min {national.min():.0f}, "
        f"max {national.max():.0f} million USD; exports mean {exports.mean():.0f}"
    )
    assert 400 <= national.mean() <= 650
    assert 0.3 * national.mean() <= exports.mean() <= 0.7 * national.mean()
    by_calendar_month = national.groupby(national.index.month).mean()
    assert by_calendar_month.loc[[1, 2, 3]].mean() > by_calendar_month.loc[[7, 8, 9]].mean()

    positive = imports[imports["weight_kg"] > 0]
    per_code = positive.groupby(["month", "hsk_code"])[["value_usd", "weight_kg"]].sum()
    unit = per_code["value_usd"] / per_code["weight_kg"]
    print(
        f"import unit prices by code and month: min {unit.min():.3f}, median {unit.median():.2f}, "
        f"max {unit.max():.0f} USD/kg"
    )
    assert unit.min() < 0.1 and unit.max() > 300 and 4 <= unit.median() <= 20


def test_unit_values_are_as_noisy_as_real_trade_statistics(panel_like, imports):
    figures = synth.noise_figures(panel_like)
    everything = synth.noise_figures(imports)
    print(f"\nnoise figures, five regions 2020-05..2025-04: {figures}\nnoise figures, all import rows: {everything}")
    for f in (figures, everything):
        assert f["median_abs_dlog_price"] >= 0.10
        assert f["median_abs_dlog_price_smallest_quarter"] > f["median_abs_dlog_price_largest_quarter"]
        assert f["share_beyond_factor_2"] >= 0.02


def test_noise_figures_on_a_hand_built_table():
    def row(month, code, weight, price, flow="I"):
        return {
            "month": pd.Timestamp(month),
            "hsk_code": "0301992000",
            "country_code": code,
            "trade_flow": flow,
            "weight_kg": weight,
            "value_usd": weight * price,
        }

    records = pd.DataFrame(
        [
            row("2020-01", "JP", 100, 1.0),
            row("2020-02", "JP", 100, 2.0),  # change log 2
            row("2020-03", "JP", 0, 0.0),
            row("2020-04", "JP", 100, 2.0),  # no pair across a 0 kg month
            row("2020-01", "CN", 10, 4.0),
            row("2020-02", "CN", 1000, 4.0),
            row("2020-03", "CN", 1000, 4.0),
            row("2020-01", "US", 100, 1.0),
            row("2020-02", "US", 100, 1.0),
            row("2020-03", "US", 100, 1.0),
            row("2020-04", "US", 100, 5.0),  # 5x its series median
            row("2020-03", "US", 100, 50.0, flow="E"),  # exports are ignored
        ]
    )
    figures = synth.noise_figures(records)
    assert figures["rows"] == 6
    assert figures["median_abs_dlog_price"] == pytest.approx(0.0)
    assert figures["median_abs_dlog_price_smallest_quarter"] == pytest.approx(np.log(2.0) / 2)
    assert figures["median_abs_dlog_price_largest_quarter"] == pytest.approx(0.0)
    assert figures["share_beyond_factor_2"] == pytest.approx(1 / 6)


def test_records_match_the_written_files(trade):
    records = synth.trade_records(synth.source_rng(0, "trade"))
    assert len(records) == len(trade)
    assert records["weight_kg"].sum() == trade["weight_kg"].sum()
    assert (records["hsk_code"].str.len() == 10).all()


def test_replica_resembles_a_real_release(imports):
    if not REFERENCE_FILE.is_file():
        pytest.skip("../shared/reference is absent (a user's clone has no shared/)")
    real = pd.read_csv(REFERENCE_FILE, dtype=str, encoding="utf-8")
    real = real[real["수출입구분코드"] == "I"]
    weight = real["당월수출입중량(킬로그램)"].astype(float)
    value = real["당월수출입미화금액(달러)"].astype(float)
    real_total = value.sum()
    positive = weight > 0
    real_price = pd.Series(
        (value[positive] / weight[positive]).to_numpy(), index=real.loc[positive, "HSK품목코드"].str.zfill(10)
    )

    recent = imports[imports["month"].between("2024-11-01", "2025-04-01") & (imports["weight_kg"] > 0)]
    per_month = recent.groupby(["hsk_code", "month"])[["value_usd", "weight_kg"]].sum()
    replica_price = (per_month["value_usd"] / per_month["weight_kg"]).groupby(level="hsk_code").median()
    common = replica_price.index.intersection(real_price.index)
    ratio = replica_price[common] / real_price[common]
    within = (np.abs(np.log(ratio)) <= np.log(3.0)).mean()

    replica_total = imports.loc[imports["month"] == pd.Timestamp("2024-10-01"), "value_usd"].sum()
    print(
        f"\nrealism: {len(common)} HSK codes in common, {within:.0%} within a factor 3 of the real unit price; "
        f"imports 2024-10 replica {replica_total / 1e6:.0f} vs real 2025-10 {real_total / 1e6:.0f} million USD"
    )
    assert len(common) >= 50
    assert within >= 0.70
    assert 0.5 <= replica_total / real_total <= 2.0
