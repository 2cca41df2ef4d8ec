"""Every constant of the replica's trade model, named once, in one frozen dataclass.

The generator (``synth.trade``) and the noise-ceiling oracle (``ceiling``) read the same
instance, ``TRADE_PARAMETERS``, so the oracle stays exactly consistent with the generator.

Where a value was calibrated against the MOF by-country release of 2025-07 (see
``synth.reference_figures``), the comment says which figure of that release it reproduces; the
others are modelling choices that real single-month releases cannot pin down (how prices move
from month to month, seasons, level shifts).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TradeParameters:
    """Parameters of the trade model: who trades, how much, how often, at what price."""

    # --- partners and values --------------------------------------------------------------------
    # A code's yearly value is split over its listed partners with weights
    # (country's share of the flow's value) ** partner_weight_exponent * lognormal(partner_share_log_sd).
    # On the 2025-07 release the within-code regression of a partner's log year-to-date share on
    # the log value share of its country has slope 0.39 and residual sd 3.1; the slope is raised
    # to 0.5 because the replica's realised slope comes out lower than the one it is given (small
    # partners are absent in many months), and 0.5 gives the five regions about their real share
    # of the import value (44%).
    partner_weight_exponent: float = 0.5
    partner_share_log_sd: float = 3.1
    # Every partner also ships parcels and samples worth a lognormal yearly value (median, log sd;
    # USD) whatever the code's size. Partners that trade a code only in some years are absent
    # from the release's list: per code a country is listed for, it trades this many others
    # occasionally, drawn by the codes' numbers of partners to the power of the exponent.
    # Calibrated (with the activity below, on seeds 1-3) so that a July release has about as many
    # rows, 0-kg rows, single-partner codes and regional shares (five regions) as the real one:
    # 1,146 rows, 46% with 0 kg, 47% of the codes with kg > 0 from one country.
    parcel_value_median_usd: float = 400.0
    parcel_value_log_sd: float = 1.5
    occasional_partners_per_listed_code: float = 0.17
    occasional_code_weight_exponent: float = 2.0
    # Below this yearly value (USD) a flow is small: it may start late, stop early, pause, and
    # carry tiny odd shipments; its price level varies more across countries.
    small_flow_usd: float = 3e6

    # --- activity -------------------------------------------------------------------------------
    # One shipment (declaration) is worth shipment_value_scale_usd * (yearly value) ** exponent;
    # a month has trade with probability 1 - exp(-shipments a month). Calibrated with the values
    # above, and on the share of rows with kg > 0 in July by size of the year-to-date value in the
    # 2025-07 release (12% for the smallest tenth of partners, about half in the middle, 97% for
    # the largest).
    shipment_value_scale_usd: float = 7.0
    shipment_value_exponent: float = 0.5
    min_on_probability: float = 0.002
    max_on_probability_small: float = 0.97
    max_on_probability_large: float = 0.995
    # Small flows ship more often early in the year, when imports peak.
    busy_amplitude: float = 0.3
    busy_peak_month: int = 2
    persistence: float = 0.1  # how much a month with (or without) trade predicts the next
    # Lifetimes of small flows: share starting late, share stopping early (after at least
    # min_lifetime_months), share with one pause of pause_months (low inclusive, high exclusive).
    # Persistence and the late/early shares were lowered from 0.2, 0.2 and 0.15 because the real
    # release has most listed partners of a widely traded code present in the same year.
    late_start_share: float = 0.1
    early_stop_share: float = 0.08
    min_lifetime_months: int = 6
    pause_share: float = 0.2
    pause_months: tuple[int, int] = (2, 9)

    # --- quantities -----------------------------------------------------------------------------
    common_season_amplitude: float = 0.12  # imports rise from December to March
    common_season_peak_month: int = 3
    item_season_max_amplitude: float = 0.35
    quantity_drift_phi: float = 0.95
    quantity_drift_sd: float = 0.06
    quantity_noise_sd: float = 0.25

    # --- prices ---------------------------------------------------------------------------------
    # Spread of a series' price level around its code's price (log sd), by log10 of the yearly
    # value (interpolated, flat beyond the ends). On the 2025-07 release the robust spread of a
    # partner's year-to-date unit price around its code's, after the country factor, falls from
    # about 1.15 (under 10^4 USD a year) to 0.1 (over 10^7); the levels are set so that the
    # replica's spread of July unit prices across countries within a code (``realism.price_spread``)
    # matches the release's 0.50.
    level_sd_by_log10_value: tuple[tuple[float, float], ...] = (
        (3.0, 1.45),
        (4.5, 1.05),
        (5.5, 0.72),
        (6.5, 0.4),
        (7.5, 0.12),
    )
    # Seafood import prices rose in 2021-22 and eased after; catalogue prices are the 2025 level.
    price_level_path: tuple[tuple[str, float], ...] = (
        ("2020-01", -0.10),
        ("2021-01", -0.09),
        ("2022-09", 0.06),
        ("2024-01", 0.0),
        ("2025-04", 0.0),
    )
    item_trend_sd: float = 0.015  # monthly random-walk step of an item's price
    price_season_max_amplitude: float = 0.04
    price_drift_phi: float = 0.4
    price_drift_sd: float = 0.02
    # Month noise of the log unit price, in two parts. Grade noise: normal with sd
    # floor + per_shipment / sqrt(shipments that month) (it averages out over many shipments).
    noise_sd_floor: float = 0.02
    noise_sd_per_shipment: float = 0.08
    # Product-mix months: an HSK code x country lumps several products, forms and grades, and a
    # month whose few shipments are mostly another one of them is priced far from the series'
    # level. Such a month comes with probability
    # mix_probability_one_shipment * shipments ** -mix_probability_exponent and moves the log price
    # by a normal shift of sd mix_shift_sd. Calibrated on the year-to-date deviation of the
    # 2025-07 by-country release (``realism.ytd_deviation``): 16.3% of rows beyond x2 and 9.3%
    # beyond x3, 34% of the smallest quarter of rows by weight beyond x2, a median of 0.068 in
    # the largest quarter.
    mix_probability_one_shipment: float = 0.52
    mix_probability_exponent: float = 0.5
    mix_shift_sd: float = 1.15
    mix_shift_exponent: float = 0.3
    # Level shifts (a new supplier, grade or contract): in any month, with a probability per
    # month that depends on the flow's size, the series' level moves by a normal step of sd
    # level_shift_sd and stays there. Calibrated on the weekly import unit prices 2015-12..2020-12
    # (``realism.price_dynamics``): 3.6% of month-to-month changes beyond x1.5, of which 45%
    # revert by half the next month (the product-mix months above) and the rest persist; lag-1
    # autocorrelation of a month's deviation from its series' median 0.55.
    level_shift_rate_small: float = 0.02
    level_shift_rate_large: float = 0.035
    level_shift_sd: float = 0.18
    # One-off tiny shipments (samples, air parcels) at odd prices, in small flows only.
    odd_shipment_share: float = 0.02
    odd_weight_median_kg: float = 15.0
    odd_weight_log_sd: float = 1.0
    odd_price_shift_mean: float = 0.4  # mean of the log price shift of an odd shipment
    odd_price_shift_sd: float = 0.8

    # --- file quirks ----------------------------------------------------------------------------
    blank_code_share: float = 0.012  # country-releases whose 국가코드 is blank (the name stays)


TRADE_PARAMETERS = TradeParameters()
