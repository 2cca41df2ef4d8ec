"""The replica against the real releases: structure, freight, and the aggregates stored in the
package. Tests that read ../shared/reference skip cleanly without it (a user's clone has none);
the others hold the replica against the package's stored aggregates."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from customs_anomaly import config, plots, realism, synth
from customs_anomaly.sources.freight import read_freight
from customs_anomaly.sources.trade import read_trade
from customs_anomaly.synth import build_catalogue, reference_figures
from customs_anomaly.synth.build_catalogue import round_significant

REPLICA_MONTH = "2024-07-01"
REAL_MONTH = reference_figures.TRADE_RELEASE_MONTH
TRADE_FILE = "country_trade_2025-07.csv"
FREIGHT_FILE = "sea_freight_import_2019-01_2024-06.csv"


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return synth.trade_records(synth.source_rng(config.DEFAULT_SEED, "trade"))


@pytest.fixture(scope="module")
def freight() -> pd.DataFrame:
    return synth.freight_series(synth.source_rng(config.DEFAULT_SEED, "freight"))


@pytest.fixture(scope="module")
def real_trade(reference_dir) -> pd.DataFrame:
    return read_trade(reference_dir / TRADE_FILE)


@pytest.fixture(scope="module")
def real_item_deviation(reference_dir) -> pd.DataFrame:
    """The real by-item release's year-to-date deviations (October against January-September)."""
    return realism.item_ytd_deviation(read_trade(reference_dir / ITEM_FILE), "2025-10")


@pytest.fixture(scope="module")
def real_dynamics(reference_dir) -> dict:
    """The figures of the real weekly import prices (read once: five years of weeks)."""
    return realism.price_dynamics(realism.read_weekly_prices(reference_dir / WEEKLY_FILE))


@pytest.fixture(scope="module")
def real_freight(reference_dir) -> pd.DataFrame:
    return read_freight(reference_dir / FREIGHT_FILE)


def print_table(table: pd.DataFrame) -> None:
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print("\n" + table.to_string())


# --- against the real files (skip without ../shared/reference) ------------------------------------


def test_replica_structure_is_within_tolerance_of_the_real_release(records, real_trade):
    real_figures = realism.structure_figures(real_trade, REAL_MONTH)
    real_prices = realism.unit_price_by_code(real_trade, REAL_MONTH)
    table = realism.structure_table(records, REPLICA_MONTH, real_figures=real_figures, real_prices=real_prices)
    print_table(table[["figure", "real", "replica", "tolerance", "within"]])
    assert table["within"].all(), table.loc[~table["within"], "figure"].tolist()
    assert real_figures["import_rows"] == 1146 and real_figures["hsk_codes"] == 400  # the release's README


def test_replica_freight_follows_the_real_series(freight, real_freight):
    checks = realism.freight_checks(freight, real_freight=real_freight)
    print_table(checks)
    assert checks["within"].all(), checks.loc[~checks["within"], "route"].tolist()
    assert (checks["correlation"] >= realism.FREIGHT_MIN_CORRELATION).all()


def test_stored_aggregates_equal_what_the_functions_compute_from_the_real_files(real_trade, real_freight):
    figures = realism.structure_figures(real_trade, REAL_MONTH)
    assert figures.keys() == reference_figures.STRUCTURE.keys()
    for name, value in figures.items():
        assert reference_figures.STRUCTURE[name] == pytest.approx(value, abs=5e-5), name
    per_code = realism.countries_per_code(real_trade, REAL_MONTH)
    assert dict(zip(per_code["countries"], per_code["codes"])) == reference_figures.COUNTRIES_PER_CODE
    mix = realism.region_mix(real_trade, REAL_MONTH)
    assert dict(zip(mix["region"], mix["rows"])) == reference_figures.REGION_ROWS
    prices = round_significant(realism.unit_price_by_code(real_trade, REAL_MONTH))
    assert prices.to_dict() == reference_figures.UNIT_PRICE_BY_CODE

    wide = real_freight.pivot_table(index="month", columns="route", values="freight_kkrw_per_2teu", aggfunc="first")
    stored = reference_figures.freight_path()
    pd.testing.assert_frame_equal(
        wide[list(config.FREIGHT_ROUTES)], stored, check_names=False, check_freq=False, check_index_type=False
    )
    for route, (month, level) in reference_figures.FREIGHT_PEAKS.items():
        assert (f"{wide[route].idxmax():%Y-%m}", int(wide[route].max())) == (month, level)


def test_catalogue_data_is_what_the_builder_makes_of_the_real_release(reference_dir, tmp_path, capsys):
    assert build_catalogue.main([str(reference_dir / TRADE_FILE), "--out", str(tmp_path)]) == 0
    assert "items.csv" in capsys.readouterr().out
    for name in (build_catalogue.ITEMS_FILE, build_catalogue.PARTNERS_FILE):
        assert (tmp_path / name).read_bytes() == (build_catalogue.DATA_DIR / name).read_bytes(), name


def test_every_partner_country_of_the_release_is_known_by_its_printed_name_and_bloc(real_trade):
    from customs_anomaly.countries import COUNTRY_NAMES, code_from_name, economic_bloc

    countries = real_trade.groupby("country_code")[["country_name", "economic_bloc"]].first()
    for code, row in countries.iterrows():
        assert COUNTRY_NAMES[code] == row["country_name"], code
        assert economic_bloc(code) == row["economic_bloc"], code
        assert code_from_name(row["country_name"]) == code


# --- against the package's stored aggregates (always run) ----------------------------------------


def test_replica_structure_is_within_tolerance_of_the_stored_real_figures(records):
    table = realism.structure_table(records, REPLICA_MONTH)
    print_table(table[["figure", "real", "replica", "tolerance", "within"]])
    assert table["within"].all(), table.loc[~table["within"], "figure"].tolist()


def test_replica_freight_passes_the_checks_against_the_stored_real_path(freight):
    checks = realism.freight_checks(freight)
    assert checks["within"].all(), checks.loc[~checks["within"], "route"].tolist()
    assert set(checks["route"]) == set(config.FREIGHT_ROUTES)


def test_freight_checks_fail_a_path_that_peaks_elsewhere_or_too_high(freight):
    shifted = freight.assign(**{route: freight[route].shift(12).bfill() for route in config.FREIGHT_ROUTES})
    assert not realism.freight_checks(shifted)["peak_month_within"].any()
    doubled = freight.assign(**{route: 2.0 * freight[route] for route in config.FREIGHT_ROUTES})
    checks = realism.freight_checks(doubled)
    assert not checks["peak_within"].any() and checks["correlation_within"].all()


def test_structure_figures_on_a_hand_built_release():
    def row(code, country, weight, value, name=""):
        return {
            "month": pd.Timestamp("2024-07-01"),
            "trade_flow": "I",
            "hsk_code": code,
            "country_code": country,
            "country_name": name,
            "weight_kg": weight,
            "value_usd": value,
        }

    trade = pd.DataFrame(
        [
            row("302110000", "JP", 10, 100),  # nine digits: padded
            row("0302110000", "CN", 10, 400),
            row("0302110000", "", 0, 0, name="프랑스"),  # blank code recovered from the name
            row("0303000000", "US", 5, 50),
            row("0303000000", "NO", 100, 1000),  # outside the five regions
            {**row("0303000000", "VN", 1, 1), "trade_flow": "E"},  # export
        ]
    )
    figures = realism.structure_figures(trade, "2024-07")
    assert figures["import_rows"] == 4 and figures["hsk_codes"] == 2 and figures["countries"] == 4
    assert figures["zero_weight_share"] == pytest.approx(0.25)
    assert figures["countries_per_code_median"] == pytest.approx(1.5)
    assert figures["region_share_유럽연합"] == pytest.approx(0.25)
    assert figures["value_share_five_regions"] == pytest.approx(550 / 1550)
    assert figures["all_import_rows"] == 5 and figures["all_countries"] == 5
    # unit prices of code 0302110000: 10 and 40 USD/kg, code price 500 / 20 = 25
    assert figures["price_spread"] == pytest.approx(abs(np.log(10 / 25)) / 2 + abs(np.log(40 / 25)) / 2)
    per_code = realism.countries_per_code(trade, "2024-07")
    assert per_code["countries"].tolist() == [1, 2] and per_code["codes"].tolist() == [1, 1]


def test_comparison_tables_and_figures_have_both_sides(records, freight):
    per_code = realism.countries_per_code_table(records, REPLICA_MONTH)
    mix = realism.region_mix_table(records, REPLICA_MONTH)
    assert set(per_code["source"]) == set(mix["source"]) == {realism.REAL_LABEL, "복제 (2024-07)"}
    assert np.allclose(mix.groupby("source")["share"].sum(), 1.0)
    prices = realism.unit_price_comparison(records, REPLICA_MONTH)
    paths = realism.freight_paths(freight)
    assert set(paths["source"]) == {realism.FREIGHT_REAL_LABEL, realism.FREIGHT_REPLICA_LABEL}
    plots.set_style()
    figures = [
        plots.countries_per_code_bars(per_code),
        plots.region_mix_bars(mix),
        plots.unit_price_real_vs_replica(prices, realism.UNIT_PRICE_FACTOR),
        plots.freight_real_vs_replica(paths),
    ]
    for figure in figures:
        axes = [ax for ax in figure.axes if ax.has_data()]
        assert axes and all(ax.get_ylabel() and ax.get_title() for ax in axes)
        assert any(ax.get_xlabel() for ax in axes)
    assert len(figures[3].axes) == len(config.FREIGHT_ROUTES)
    plt.close("all")


# --- legitimate price noise: the year-to-date deviation and the month-to-month dynamics -----------

ITEM_FILE = "hsk_trade_2025-10.csv"
WEEKLY_FILE = "seafood_import_unit_price_weekly_2015-12_2020-12.csv"


def assert_within(table: pd.DataFrame) -> None:
    print_table(table[["figure", "real", "replica", "tolerance", "within"]])
    checked = table[table["within"].notna()]
    assert len(checked) >= 1 and checked["within"].astype(bool).all(), checked.loc[~checked["within"].astype(bool)]


def test_stored_noise_figures_equal_what_the_functions_compute_from_the_real_files(
    real_trade, real_item_deviation, real_dynamics
):
    deviation = realism.country_ytd_deviation(real_trade, REAL_MONTH)
    for name, value in realism.deviation_figures(deviation).items():
        assert reference_figures.YTD_DEVIATION[name] == pytest.approx(value, abs=5e-5), name
    for size, curve in realism.deviation_survival(deviation).items():
        assert reference_figures.YTD_SURVIVAL[size] == pytest.approx(curve, abs=5e-5), size
    for name, value in realism.deviation_figures(real_item_deviation).items():
        assert reference_figures.ITEM_YTD_DEVIATION[name] == pytest.approx(value, abs=5e-5), name
    for name, value in real_dynamics.items():
        assert reference_figures.PRICE_DYNAMICS[name] == pytest.approx(value, abs=5e-5), name
    # the figures the reference README states
    assert reference_figures.YTD_DEVIATION["rows"] == 560 and reference_figures.ITEM_YTD_DEVIATION["rows"] == 337


def test_replica_price_noise_is_within_tolerance_of_the_real_files(
    real_trade, real_item_deviation, real_dynamics, records
):
    real_item = realism.deviation_figures(real_item_deviation)
    real_figures = realism.deviation_figures(realism.country_ytd_deviation(real_trade, REAL_MONTH))
    assert_within(realism.ytd_table(records, real_figures=real_figures, real_item=real_item))
    assert_within(realism.dynamics_table(records, real_figures=real_dynamics))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_replica_price_noise_is_within_tolerance_of_the_stored_real_figures(seed, records):
    trade = records if seed == config.DEFAULT_SEED else synth.trade_records(synth.source_rng(seed, "trade"))
    table = realism.ytd_table(trade)
    assert_within(table)
    assert set(table.loc[table["within"].notna(), "figure"]) == {*realism.YTD_TOLERANCES, "item_beyond_2"}
    assert_within(realism.dynamics_table(trade))


def test_ytd_deviation_on_a_hand_built_release():
    def row(code, country, weight, value, ytd_weight, ytd_value, month="2024-07-01", flow="I"):
        return {
            "month": pd.Timestamp(month),
            "trade_flow": flow,
            "hsk_code": code,
            "country_code": country,
            "country_name": "",
            "weight_kg": weight,
            "value_usd": value,
            "ytd_weight_kg": ytd_weight,
            "ytd_value_usd": ytd_value,
        }

    trade = pd.DataFrame(
        [
            row("0302110000", "JP", 10, 40, 110, 140),  # 4 USD/kg against (100 kg, 100 USD): x4
            row("0302110000", "CN", 100, 100, 200, 200),  # 1 against 1: 0
            row("0302110000", "US", 50, 100, 50, 100),  # nothing earlier in the year: left out
            row("0303000000", "VN", 0, 0, 30, 60),  # no kg this month: left out
            row("0303000000", "NO", 10, 10, 20, 40),  # outside the five regions
            row("0303000000", "VN", 10, 10, 20, 40, flow="E"),  # an export
        ]
    )
    deviation = realism.country_ytd_deviation(trade, "2024-07")
    assert deviation["deviation"].tolist() == pytest.approx([np.log(4.0), 0.0])
    figures = realism.deviation_figures(deviation)
    assert figures["rows"] == 2 and figures["beyond_3"] == pytest.approx(0.5)
    assert figures["small_median"] == pytest.approx(np.log(4.0)) and figures["large_median"] == pytest.approx(0.0)
    # by item, every country of a code is summed: 0302110000 160 kg and 240 USD against 200 kg and
    # 200 USD earlier (x1.5); 0303000000 10 kg and 10 USD against 40 kg and 90 USD (x1/2.25)
    by_item = realism.item_ytd_deviation(trade, "2024-07")
    assert by_item["deviation"].tolist() == pytest.approx([np.log(1.5), np.log(2.25)])


def test_price_dynamics_on_hand_built_series():
    months = pd.date_range("2020-01-01", periods=6, freq="MS")
    jump_back = [0.0, 0.0, np.log(2.0), 0.0, 0.0, 0.0]  # a x2 month that reverts
    new_level = [0.0, 0.0, np.log(2.0), np.log(2.0), np.log(2.0), np.log(2.0)]  # a x2 that persists
    prices = pd.DataFrame(
        {
            "series": ["a"] * 6 + ["b"] * 6,
            "month": list(months) * 2,
            "log_price": jump_back + new_level,
        }
    )
    figures = realism.price_dynamics(prices)
    assert figures["series"] == 2 and figures["changes"] == 10
    assert figures["beyond_1_5"] == pytest.approx(3 / 10)  # a: up and down; b: up
    assert figures["revert_share"] == pytest.approx(1 / 3)  # a's up reverts; a's way down and b's up do not
    gap = prices.drop(index=3)  # a month missing: no pair across it
    assert realism.price_dynamics(gap)["changes"] == 8
