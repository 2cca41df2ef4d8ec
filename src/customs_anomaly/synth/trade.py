"""The replica's trade: design the series (flow x HSK code x partner country) from the catalogue,
simulate them month by month, and lay them out as the monthly releases hold them.

``design_series`` -> ``simulate_trade_latent`` (and ``simulate_trade``) -> ``trade_records``.
Every constant is a field of ``TradeParameters``; the random draws come from one explicit
numpy Generator, in a fixed order, so the same stream gives the same records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from customs_anomaly import config
from customs_anomaly.countries import COUNTRY_NAMES, economic_bloc
from customs_anomaly.synth.catalogue import export_catalogue, item_catalogue, item_names, partner_catalogue
from customs_anomaly.synth.parameters import TRADE_PARAMETERS, TradeParameters
from customs_anomaly.synth.randomness import ar1, smooth_log_path, source_rng

TRADE_START = pd.Timestamp("2020-01-01")  # releases from January so year-to-date columns add up
FLOW_NAMES = {"E": "수출", "I": "수입"}
RECORD_COLUMNS = [
    "month",
    "hsk_code",
    "trade_flow",
    "trade_flow_name",
    "country_code",
    "country_name",
    "economic_bloc",
    "item_name",
    "weight_kg",
    "value_usd",
    "ytd_weight_kg",
    "ytd_value_usd",
    "reference_date",
]


def trade_months() -> pd.DatetimeIndex:
    """Months of the trade releases: 2020-01 (so year-to-date sums start in January) to 2025-04."""
    return config.month_range(TRADE_START, config.STUDY_END)


# ---------------------------------------------------------------------------------------------
# Series design
# ---------------------------------------------------------------------------------------------


def design_series(
    rng: np.random.Generator,
    items: pd.DataFrame | None = None,
    exports: pd.DataFrame | None = None,
    partners: pd.DataFrame | None = None,
    params: TradeParameters = TRADE_PARAMETERS,
) -> pd.DataFrame:
    """One row per series (HSK code x partner country x trade flow): hsk_code, country_code,
    trade_flow, annual_value_usd, base_price (USD/kg) and kind ('listed': a partner of the code
    in the catalogue; 'occasional': a partner that trades the code only in some years).

    A code's yearly value is split over its listed partners by weights that follow the country's
    share of the flow's value, with a wide random spread; every partner, listed or occasional,
    also ships parcels and samples whatever the code's size; a partner's price level is the code's price
    times its country's price factor, relative to the code's value-weighted mean factor (so the
    code's overall price stays the catalogue's)."""
    items = item_catalogue() if items is None else items
    exports = export_catalogue() if exports is None else exports
    partners = partner_catalogue() if partners is None else partners
    frames = [
        _design_flow(rng, flow, catalogue, partners[partners["trade_flow"] == flow], params)
        for flow, catalogue in (("I", items), ("E", exports))
    ]
    return pd.concat(frames, ignore_index=True)


def _design_flow(
    rng: np.random.Generator, flow: str, catalogue: pd.DataFrame, partners: pd.DataFrame, params: TradeParameters
) -> pd.DataFrame:
    listed = {item.hsk_code: item.partners.split() for item in catalogue.itertuples(index=False)}
    occasional = _occasional_partners(
        rng, listed, params.occasional_partners_per_listed_code, params.occasional_code_weight_exponent
    )
    value_share = dict(zip(partners["country_code"], partners["value_share"].to_numpy(float)))
    log_factor = dict(zip(partners["country_code"], np.log(partners["price_factor"].to_numpy(float))))
    columns: dict[str, list] = {
        name: [] for name in ("hsk_code", "country_code", "annual_value_usd", "base_price", "kind")
    }
    for item in catalogue.itertuples(index=False):
        countries = listed[item.hsk_code] + occasional[item.hsk_code]
        n_listed = len(listed[item.hsk_code])
        weight = np.array([value_share[c] for c in countries[:n_listed]]) ** params.partner_weight_exponent
        weight *= np.exp(rng.normal(0.0, params.partner_share_log_sd, n_listed))
        parcels = np.exp(rng.normal(np.log(params.parcel_value_median_usd), params.parcel_value_log_sd, len(countries)))
        bulk = np.concatenate([item.annual_value_usd * weight / weight.sum(), np.zeros(len(countries) - n_listed)])
        value = bulk + parcels
        share = value / value.sum()
        factor = np.array([log_factor[c] for c in countries])
        columns["hsk_code"] += [item.hsk_code] * len(countries)
        columns["country_code"] += countries
        columns["annual_value_usd"] += list(value)
        columns["base_price"] += list(item.unit_price_usd_per_kg * np.exp(factor - np.sum(share * factor)))
        columns["kind"] += ["listed"] * n_listed + ["occasional"] * (len(countries) - n_listed)
    out = pd.DataFrame(columns)
    out.insert(2, "trade_flow", flow)
    return out


def _occasional_partners(
    rng: np.random.Generator, listed: dict[str, list[str]], rate: float, exponent: float
) -> dict[str, list[str]]:
    """Partners that trade a code only in some years: per listed code of a country, on average
    ``rate`` codes it is not listed for, drawn in proportion to the codes' numbers of partners to
    the power ``exponent`` (so occasional partners keep the listed partners' country mix and
    favour widely traded codes)."""
    codes = np.array(list(listed))
    breadth = np.array([len(partners) for partners in listed.values()], float) ** exponent
    codes_of: dict[str, set[str]] = {}
    for code, partners in listed.items():
        for country in partners:
            codes_of.setdefault(country, set()).add(code)
    out: dict[str, list[str]] = {code: [] for code in codes}
    for country in sorted(codes_of):
        available = ~np.isin(codes, sorted(codes_of[country]))
        n = min(int(rng.poisson(rate * len(codes_of[country]))), int(available.sum()))
        if n:
            p = breadth[available] / breadth[available].sum()
            for code in rng.choice(codes[available], size=n, replace=False, p=p):
                out[code].append(country)
    return {code: sorted(countries) for code, countries in out.items()}


# ---------------------------------------------------------------------------------------------
# Monthly simulation
# ---------------------------------------------------------------------------------------------


def simulate_trade(
    series: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator, params: TradeParameters = TRADE_PARAMETERS
) -> dict[str, np.ndarray]:
    """Monthly weight (kg, int) and value (USD, int) of every series: arrays of shape (series, months)."""
    flows = simulate_trade_latent(series, months, rng, params)
    return {"weight_kg": flows["weight_kg"], "value_usd": flows["value_usd"]}


def on_probability(annual_value: np.ndarray, small: np.ndarray, params: TradeParameters) -> np.ndarray:
    """Long-run share of months with trade: 1 - exp(-shipments a month), within the bounds."""
    shipment_value = params.shipment_value_scale_usd * np.power(annual_value, params.shipment_value_exponent)
    shipments = annual_value / 12.0 / shipment_value
    upper = np.where(small, params.max_on_probability_small, params.max_on_probability_large)
    return np.clip(1.0 - np.exp(-shipments), params.min_on_probability, upper)


def level_sd(annual_value: np.ndarray, params: TradeParameters) -> np.ndarray:
    """Spread of a series' price level around its code's (log sd), by the size of the flow."""
    anchors = np.array(params.level_sd_by_log10_value)
    return np.interp(np.log10(np.maximum(annual_value, 1.0)), anchors[:, 0], anchors[:, 1])


def simulate_trade_latent(
    series: pd.DataFrame, months: pd.DatetimeIndex, rng: np.random.Generator, params: TradeParameters = TRADE_PARAMETERS
) -> dict[str, np.ndarray]:
    """``simulate_trade``'s arrays plus the generator's hidden price model, from the same draws:
    ``expected_log_price`` (every smooth component: level, price path, item trend and season,
    drift), ``level_shift`` (cumulative level shifts) and ``level_shift_rate``, ``price_noise_sd``
    (the grade noise's sd), ``mix_probability``, ``product_mix_sd`` and ``product_mix`` (a
    product-mix month), and ``odd_shipment`` (a tiny odd shipment month).

    Activity is a persistent on/off chain whose on-probability follows the flow size, with
    starts, stops and pauses; quantities follow a common early-year high, item seasons and a
    slow drift; the log unit price is the expected path plus level shifts that persist, grade
    noise that shrinks with the number of shipments, product-mix months (likelier and wider in
    months of few shipments) and rare tiny odd shipments.
    """
    n_series, n_months = len(series), len(months)
    annual_value = series["annual_value_usd"].to_numpy(float)
    _, item_index = np.unique(series["hsk_code"].to_numpy(str), return_inverse=True)
    n_items = int(item_index.max()) + 1 if n_series else 0
    month_of_year = months.month.to_numpy()
    small = annual_value < params.small_flow_usd

    # Series-level price; activity and shipments follow the flow's size.
    price_series = series["base_price"].to_numpy(float) * np.exp(rng.normal(0.0, level_sd(annual_value, params)))
    monthly_kg = annual_value / price_series / 12.0
    p_on = on_probability(annual_value, small, params)
    shipment_value = params.shipment_value_scale_usd * np.power(annual_value, params.shipment_value_exponent)
    shipments_per_month = annual_value / 12.0 / shipment_value
    busy = 1.0 + params.busy_amplitude * np.cos(2.0 * np.pi * (month_of_year - params.busy_peak_month) / 12.0)
    p_on_t = np.where(
        small[:, None],
        np.clip(p_on[:, None] * busy[None, :], 0.0, params.max_on_probability_small),
        p_on[:, None],
    )
    active = _activity(p_on_t, rng, persistence=params.persistence)
    # Only small flows start late, stop or pause; the big trades run through the whole period.
    active &= _lifetime_mask(n_series, n_months, small, rng, params)

    # Quantities: common early-year high, item seasons, slow drift, month noise.
    common_season = 1.0 + params.common_season_amplitude * np.cos(
        2.0 * np.pi * (month_of_year - params.common_season_peak_month) / 12.0
    )
    item_amp = rng.uniform(0.0, params.item_season_max_amplitude, n_items)
    item_peak = rng.integers(1, 13, n_items)
    item_season = 1.0 + item_amp[:, None] * np.cos(2.0 * np.pi * (month_of_year[None, :] - item_peak[:, None]) / 12.0)
    drift = ar1(rng, n_series, n_months, phi=params.quantity_drift_phi, sd=params.quantity_drift_sd)
    rate_when_on = np.maximum(shipments_per_month / p_on, 1.0)
    n_ship = 1 + rng.poisson((rate_when_on - 1.0)[:, None] * np.ones((1, n_months)))
    expected_kg_when_on = monthly_kg / p_on
    weight = (
        expected_kg_when_on[:, None]
        * (n_ship / rate_when_on[:, None])
        * common_season[None, :]
        * item_season[item_index]
        * np.exp(drift + rng.normal(0.0, params.quantity_noise_sd, (n_series, n_months)))
    )

    # Unit prices: the expected path (every smooth component), level shifts, month noise.
    level = smooth_log_path(dict(params.price_level_path), months)
    item_trend = np.cumsum(rng.normal(0.0, params.item_trend_sd, (n_items, n_months)), axis=1)
    price_amp = rng.uniform(0.0, params.price_season_max_amplitude, n_items)
    price_peak = rng.integers(1, 13, n_items)
    price_season = price_amp[:, None] * np.cos(2.0 * np.pi * (month_of_year[None, :] - price_peak[:, None]) / 12.0)
    drift = ar1(rng, n_series, n_months, phi=params.price_drift_phi, sd=params.price_drift_sd)
    expected_log_price = (
        np.log(price_series)[:, None] + level[None, :] + item_trend[item_index] + price_season[item_index] + drift
    )
    shift_rate = level_shift_rate(small, params)
    shifts = level_shifts(rng, shift_rate, n_months, params.level_shift_sd)
    noise_sd = grade_noise_sd(n_ship, params)
    mix_probability = product_mix_probability(n_ship, params)
    mix = rng.random((n_series, n_months)) < mix_probability
    mix_sd = product_mix_sd(n_ship, params)
    mix_shift = rng.normal(0.0, 1.0, (n_series, n_months)) * mix_sd
    log_price = (
        expected_log_price
        + shifts
        + rng.normal(0.0, 1.0, (n_series, n_months)) * noise_sd
        + np.where(mix, mix_shift, 0.0)
    )

    # One-off tiny shipments (samples, air parcels) at odd prices: in a big flow they would vanish
    # in the monthly total, so only small series show them.
    odd = active & small[:, None] & (rng.random((n_series, n_months)) < params.odd_shipment_share)
    odd_weight = np.exp(rng.normal(np.log(params.odd_weight_median_kg), params.odd_weight_log_sd, (n_series, n_months)))
    weight = np.where(odd, odd_weight, weight)
    odd_shift = rng.normal(params.odd_price_shift_mean, params.odd_price_shift_sd, (n_series, n_months))
    log_price = log_price + np.where(odd, odd_shift, 0.0)

    weight_kg = np.where(active, np.maximum(np.rint(weight), 1.0), 0.0).astype(np.int64)
    value_usd = np.where(active, np.maximum(np.rint(weight_kg * np.exp(log_price)), 1.0), 0.0).astype(np.int64)
    return {
        "weight_kg": weight_kg,
        "value_usd": value_usd,
        "expected_log_price": expected_log_price,
        "level_shift": shifts,
        "level_shift_rate": np.broadcast_to(shift_rate[:, None], (n_series, n_months)),
        "price_noise_sd": noise_sd,
        "mix_probability": mix_probability,
        "product_mix_sd": mix_sd,
        "product_mix": mix & active,
        "odd_shipment": odd & active,
    }


def grade_noise_sd(shipments: np.ndarray, params: TradeParameters = TRADE_PARAMETERS) -> np.ndarray:
    """Sd of the month's grade noise (log price): it averages out over the month's shipments."""
    return params.noise_sd_floor + params.noise_sd_per_shipment / np.sqrt(shipments)


def product_mix_probability(shipments: np.ndarray, params: TradeParameters = TRADE_PARAMETERS) -> np.ndarray:
    """Probability that a month is a product-mix month (priced by another product of the code)."""
    return np.clip(params.mix_probability_one_shipment * np.power(shipments, -params.mix_probability_exponent), 0, 1)


def product_mix_sd(shipments: np.ndarray, params: TradeParameters = TRADE_PARAMETERS) -> np.ndarray:
    """Sd of a product-mix month's log price shift: the other product's share of the month's
    weight, and so its pull on the price, shrinks as the month's shipments grow."""
    return params.mix_shift_sd * np.power(shipments, -params.mix_shift_exponent)


def level_shift_rate(small: np.ndarray, params: TradeParameters = TRADE_PARAMETERS) -> np.ndarray:
    """Per series: probability per month that its price level shifts."""
    return np.where(small, params.level_shift_rate_small, params.level_shift_rate_large)


def level_shifts(rng: np.random.Generator, rate: np.ndarray, n_months: int, sd: float) -> np.ndarray:
    """(series, month) cumulative level shifts: in each month after the first, a series' level moves
    with probability ``rate`` (one per series) by a normal step of sd ``sd`` and stays there."""
    happens = rng.random((len(rate), n_months)) < rate[:, None]
    happens[:, 0] = False
    steps = rng.normal(0.0, sd, (len(rate), n_months))
    return np.cumsum(np.where(happens, steps, 0.0), axis=1)


def _activity(p_on: np.ndarray, rng: np.random.Generator, persistence: float) -> np.ndarray:
    """On/off chain per series (rows) and month (columns): on with probability p_on[:, t] in the
    long run, and a state tends to last (persistence 0 = independent months, 1 = never changes)."""
    stay_on = p_on + persistence * (1.0 - p_on)
    turn_on = p_on * (1.0 - persistence)
    n, t = p_on.shape
    out = np.empty((n, t), dtype=bool)
    draws = rng.random((n, t))
    out[:, 0] = draws[:, 0] < p_on[:, 0]
    for j in range(1, t):
        out[:, j] = np.where(out[:, j - 1], draws[:, j] < stay_on[:, j], draws[:, j] < turn_on[:, j])
    return out


def _lifetime_mask(n: int, t: int, small: np.ndarray, rng: np.random.Generator, params: TradeParameters) -> np.ndarray:
    """Small series that start late, stop early, or pause for a few months."""
    col = np.arange(t)[None, :]
    starts_late = small & (rng.random(n) < params.late_start_share)
    stops_early = small & (rng.random(n) < params.early_stop_share)
    start = np.where(starts_late, rng.integers(1, t - params.min_lifetime_months, n), 0)
    stop = np.where(stops_early, np.minimum(start + rng.integers(params.min_lifetime_months, t, n), t), t)
    pauses = small & (rng.random(n) < params.pause_share)
    pause_start = rng.integers(0, t, n)
    pause_end = np.where(pauses, pause_start + rng.integers(*params.pause_months, n), pause_start)
    alive = (col >= start[:, None]) & (col < stop[:, None])
    paused = (col >= pause_start[:, None]) & (col < pause_end[:, None])
    return alive & ~paused


# ---------------------------------------------------------------------------------------------
# Releases
# ---------------------------------------------------------------------------------------------


def published_rows(series: pd.DataFrame, flows: dict[str, np.ndarray], months: pd.DatetimeIndex) -> pd.DataFrame:
    """Rows as the releases hold them: a series appears in every release of a calendar year from
    its first trade that year on (0 kg in the months without trade), with year-to-date sums."""
    weight, value = flows["weight_kg"], flows["value_usd"]
    ytd_weight = np.zeros_like(weight)
    ytd_value = np.zeros_like(value)
    present = np.zeros(weight.shape, dtype=bool)
    years = months.year.to_numpy()
    for year in np.unique(years):
        cols = np.flatnonzero(years == year)
        ytd_weight[:, cols] = np.cumsum(weight[:, cols], axis=1)
        ytd_value[:, cols] = np.cumsum(value[:, cols], axis=1)
        present[:, cols] = np.cumsum(weight[:, cols] > 0, axis=1) > 0
    s_idx, m_idx = np.nonzero(present)
    return pd.DataFrame(
        {
            "month": months[m_idx],
            "hsk_code": series["hsk_code"].to_numpy(str)[s_idx],
            "trade_flow": series["trade_flow"].to_numpy(str)[s_idx],
            "country_code": series["country_code"].to_numpy(str)[s_idx],
            "weight_kg": weight[s_idx, m_idx],
            "value_usd": value[s_idx, m_idx],
            "ytd_weight_kg": ytd_weight[s_idx, m_idx],
            "ytd_value_usd": ytd_value[s_idx, m_idx],
        }
    )


def trade_records(rng: np.random.Generator, params: TradeParameters = TRADE_PARAMETERS) -> pd.DataFrame:
    """Every row of every trade release 2020-01..2025-04, typed, with English column names.

    Columns: month, hsk_code (10 digits), trade_flow (E/I), trade_flow_name, country_code
    (ISO2, blank in a small share of country-releases, the name stays), country_name and
    economic_bloc (as the real release prints them), item_name, weight_kg, value_usd,
    ytd_weight_kg, ytd_value_usd, reference_date (month end).
    """
    months = trade_months()
    series = design_series(rng, params=params)
    flows = simulate_trade(series, months, rng, params)
    rows = published_rows(series, flows, months)

    rows["item_name"] = rows["hsk_code"].map(item_names())
    rows["trade_flow_name"] = rows["trade_flow"].map(FLOW_NAMES)
    rows["country_name"] = rows["country_code"].map(COUNTRY_NAMES)
    rows["economic_bloc"] = rows["country_code"].map({code: economic_bloc(code) for code in COUNTRY_NAMES})
    rows["reference_date"] = rows["month"] + pd.offsets.MonthEnd(0)

    # Some releases leave a country's code blank; the Korean name stays.
    pairs = rows[["month", "country_code"]].drop_duplicates().sort_values(["month", "country_code"])
    blank_code = pairs[rng.random(len(pairs)) < params.blank_code_share]
    code_is_blank = pd.MultiIndex.from_frame(rows[["month", "country_code"]]).isin(pd.MultiIndex.from_frame(blank_code))
    rows["country_code"] = rows["country_code"].where(~code_is_blank, "")

    order = rows.sort_values(["month", "trade_flow", "hsk_code", "country_name"], kind="stable")
    return order[RECORD_COLUMNS].reset_index(drop=True)


def latent_price_model(seed: int, params: TradeParameters = TRADE_PARAMETERS) -> pd.DataFrame:
    """The replica's hidden price model for every traded series-month (weight > 0) of the
    ``write_replica`` seed: month, hsk_code, trade_flow, country_code; what the price process
    knows of the month: expected_log_price (every smooth component: the series' level, the price
    path, the item's trend and season, the persistent drift), price_noise_sd (the grade noise's sd),
    mix_probability and product_mix_sd (how likely a product-mix month is and how far it moves the
    price), level_shift_rate (the series' probability per month of a level shift), odd_shipment (a
    tiny odd shipment month); and what happened, which no ranking may read: level_shift (the
    series' cumulative level shifts) and product_mix (whether the month was a product-mix month).
    Only the noise-ceiling analysis reads it; detectors never do."""
    rng = source_rng(seed, "trade")
    months = trade_months()
    series = design_series(rng, params=params)
    flows = simulate_trade_latent(series, months, rng, params)
    s_idx, m_idx = np.nonzero(flows["weight_kg"] > 0)
    cell = (s_idx, m_idx)
    return pd.DataFrame(
        {
            "month": months[m_idx],
            "hsk_code": series["hsk_code"].to_numpy(str)[s_idx],
            "trade_flow": series["trade_flow"].to_numpy(str)[s_idx],
            "country_code": series["country_code"].to_numpy(str)[s_idx],
            "expected_log_price": flows["expected_log_price"][cell],
            "price_noise_sd": flows["price_noise_sd"][cell],
            "mix_probability": flows["mix_probability"][cell],
            "product_mix_sd": flows["product_mix_sd"][cell],
            "level_shift_rate": flows["level_shift_rate"][cell],
            "odd_shipment": flows["odd_shipment"][cell],
            "level_shift": flows["level_shift"][cell],
            "product_mix": flows["product_mix"][cell],
        }
    )


def noise_figures(records: pd.DataFrame) -> dict[str, float]:
    """How noisy monthly unit values are, over import rows with weight > 0 in two consecutive months.

    Returns the number of such rows, the median absolute change of log unit price (all rows, the
    smallest and the largest quarter of flows by weight), and the share of those rows whose unit
    price is more than a factor 2 from the median unit price of their own series (all positive
    rows of the series). A series is HSK code x country: the Korean country name when the frame
    has one (it is never blank, unlike the code), else the country code.
    """
    frame = records
    if "trade_flow" in frame.columns:
        frame = frame[frame["trade_flow"] == "I"]
    frame = frame[frame["weight_kg"] > 0]
    key = ["hsk_code", "country_name" if "country_name" in frame.columns else "country_code"]
    frame = frame[[*key, "month", "weight_kg", "value_usd"]].copy()
    frame["log_price"] = np.log(frame["value_usd"].astype(float) / frame["weight_kg"].astype(float))
    frame["series_median"] = frame.groupby(key)["log_price"].transform("median")
    previous = frame[[*key, "month", "log_price"]].assign(month=frame["month"] + pd.DateOffset(months=1))
    pairs = frame.merge(previous, on=[*key, "month"], suffixes=("", "_previous"), how="inner")
    change = (pairs["log_price"] - pairs["log_price_previous"]).abs()
    small = pairs["weight_kg"] <= pairs["weight_kg"].quantile(0.25)
    large = pairs["weight_kg"] >= pairs["weight_kg"].quantile(0.75)
    far = (pairs["log_price"] - pairs["series_median"]).abs() > np.log(2.0)
    return {
        "rows": len(pairs),
        "median_abs_dlog_price": float(change.median()),
        "median_abs_dlog_price_smallest_quarter": float(change[small].median()),
        "median_abs_dlog_price_largest_quarter": float(change[large].median()),
        "share_beyond_factor_2": float(far.mean()),
    }
