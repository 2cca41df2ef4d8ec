"""Synthetic replica of the six public sources, written in their original layouts.

The replica stands in for the real files when a build has none: same columns, encodings, units
and quirks, and a structure calibrated to the real releases (``reference_figures`` names them):
the HSK codes, item names and partner countries of the by-country release of 2025-07, about as
many rows, codes and partners per code a month, the same regional mix and share of 0-kg rows,
unit prices near the real ones, and the real freight path. Volumes and prices are generated, with
the noise that real trade statistics carry (series that start, stop or pause, one-off tiny
shipments at odd prices, seasonal price moves, price-level shifts, unit values that are noisier
for small flows). It is **not** real trade; every file set carries a ``SYNTHETIC.json`` marker.
No anomalies are labelled or planted here.

Parts: ``catalogue`` (package data built by ``build_catalogue`` from the real release),
``parameters`` (every constant of the trade model, read by the generator and by ``ceiling``),
``trade`` (series design, monthly simulation, releases), ``freight``, ``macro``, ``writers``
(``write_replica``: same seed, byte-identical files) and ``reference_figures`` (aggregates of the
real releases for the comparison).
"""

from __future__ import annotations

from customs_anomaly.countries import COUNTRY_NAMES
from customs_anomaly.synth.catalogue import (
    CATALOGUE_RELEASE,
    export_catalogue,
    item_catalogue,
    item_group_of,
    partner_catalogue,
)
from customs_anomaly.synth.freight import FREIGHT_EU_2020_05, FREIGHT_FACTS, FREIGHT_START, freight_series
from customs_anomaly.synth.macro import CPI_FACTS, FX_FACTS, OIL_FACTS, PPI_FACTS, macro_series
from customs_anomaly.synth.parameters import TRADE_PARAMETERS, TradeParameters
from customs_anomaly.synth.randomness import source_rng
from customs_anomaly.synth.trade import (
    TRADE_START,
    design_series,
    latent_price_model,
    noise_figures,
    simulate_trade,
    simulate_trade_latent,
    trade_months,
    trade_records,
)
from customs_anomaly.synth.writers import (
    CPI_FILE,
    EXCHANGE_RATE_FILE,
    FREIGHT_FILE,
    OIL_FILE,
    PPI_FILE,
    TRADE_COLUMNS,
    TRADE_FILE_PATTERN,
    format_trade_release,
    published_hsk_code,
    write_replica,
)

# Mean and sd of the log price shift of a tiny odd shipment (the parameters' fields, as a pair).
ODD_PRICE_SHIFT = (TRADE_PARAMETERS.odd_price_shift_mean, TRADE_PARAMETERS.odd_price_shift_sd)

__all__ = [
    "CATALOGUE_RELEASE",
    "COUNTRY_NAMES",
    "CPI_FACTS",
    "CPI_FILE",
    "EXCHANGE_RATE_FILE",
    "FREIGHT_EU_2020_05",
    "FREIGHT_FACTS",
    "FREIGHT_FILE",
    "FREIGHT_START",
    "FX_FACTS",
    "ODD_PRICE_SHIFT",
    "OIL_FACTS",
    "OIL_FILE",
    "PPI_FACTS",
    "PPI_FILE",
    "TRADE_COLUMNS",
    "TRADE_FILE_PATTERN",
    "TRADE_PARAMETERS",
    "TRADE_START",
    "TradeParameters",
    "design_series",
    "export_catalogue",
    "format_trade_release",
    "freight_series",
    "item_catalogue",
    "item_group_of",
    "latent_price_model",
    "macro_series",
    "noise_figures",
    "partner_catalogue",
    "published_hsk_code",
    "simulate_trade",
    "simulate_trade_latent",
    "source_rng",
    "trade_months",
    "trade_records",
    "write_replica",
]
