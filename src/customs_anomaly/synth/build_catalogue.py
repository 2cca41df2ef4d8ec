"""Build the replica's catalogue (package data) from one real by-country release.

    python -m customs_anomaly.synth.build_catalogue PATH/TO/by_country_release.csv [--out DIR]

What is taken from the release is what its README allows: public classification and structure
facts (HSK codes, item names, which partner countries trade each code) and rounded aggregates
(a code's yearly value and unit price over all its partners; a country's share of the flow's
value, the number of codes it trades and its price factor over its codes). No row's weight or
value is written. The replica generates every volume and price from these.

Two files: ``items.csv`` (trade_flow, hsk_code, item_name, annual_value_usd,
unit_price_usd_per_kg, partners; codes declared without any weight are left out) and
``partners.csv`` (trade_flow, country_code, value_share, codes, price_factor).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from customs_anomaly.sources.trade import read_trade

DATA_DIR = Path(__file__).resolve().parent / "data"
ITEMS_FILE = "items.csv"
PARTNERS_FILE = "partners.csv"
SIGNIFICANT_DIGITS = 2  # aggregates are rounded to two significant digits
MIN_CODES_FOR_PRICE_FACTOR = 5  # a country's price factor needs this many priced codes, else 1


def round_significant(values: pd.Series, digits: int = SIGNIFICANT_DIGITS) -> pd.Series:
    """Round positive numbers to ``digits`` significant digits (0 and NaN stay)."""
    values = values.astype(float)
    magnitude = np.floor(np.log10(values.where(values > 0)))
    scale = 10.0 ** (digits - 1 - magnitude)
    return (np.round(values * scale) / scale).where(values > 0, values)


def year_to_date_pairs(trade: pd.DataFrame) -> pd.DataFrame:
    """One row per flow x code x country with its year-to-date weight and value (one release)."""
    months = trade["month"].unique()
    if len(months) != 1:
        raise ValueError(f"the catalogue is built from one monthly release, got {len(months)} months")
    frame = trade.assign(hsk_code=trade["hsk_code"].astype(str).str.zfill(10))
    columns = ["trade_flow", "hsk_code", "country_code", "ytd_weight_kg", "ytd_value_usd"]
    return frame[columns].groupby(["trade_flow", "hsk_code", "country_code"], as_index=False).sum()


def code_prices(pairs: pd.DataFrame) -> pd.Series:
    """Year-to-date unit price of each flow x code over all its partners (USD/kg)."""
    totals = pairs.groupby(["trade_flow", "hsk_code"])[["ytd_value_usd", "ytd_weight_kg"]].sum()
    return totals["ytd_value_usd"] / totals["ytd_weight_kg"].where(totals["ytd_weight_kg"] > 0)


def item_table(trade: pd.DataFrame) -> pd.DataFrame:
    """Per flow x code: item name, yearly value (year to date scaled to twelve months) and unit
    price over all partners, both rounded, and the partner countries (sorted ISO codes)."""
    pairs = year_to_date_pairs(trade)
    months_in_year = int(pd.Timestamp(trade["month"].iloc[0]).month)
    names = trade.assign(hsk_code=trade["hsk_code"].astype(str).str.zfill(10)).groupby("hsk_code")["item_name"].first()
    grouped = pairs.groupby(["trade_flow", "hsk_code"])
    table = pd.DataFrame(
        {
            "annual_value_usd": round_significant(grouped["ytd_value_usd"].sum() * 12.0 / months_in_year),
            "unit_price_usd_per_kg": round_significant(code_prices(pairs)),
            "partners": grouped["country_code"].agg(lambda codes: " ".join(sorted(codes))),
        }
    ).reset_index()
    table.insert(2, "item_name", table["hsk_code"].map(names))
    # Codes declared without weight (priced per piece) have no unit price: the replica leaves them out.
    return table[(table["annual_value_usd"] > 0) & table["unit_price_usd_per_kg"].notna()].reset_index(drop=True)


def partner_table(trade: pd.DataFrame) -> pd.DataFrame:
    """Per flow x country: share of the flow's year-to-date value, number of codes traded and
    price factor (median over its codes of its unit price relative to the code's), rounded."""
    pairs = year_to_date_pairs(trade)
    priced = pairs[(pairs["ytd_weight_kg"] > 0) & (pairs["ytd_value_usd"] > 0)]
    code_price = code_prices(pairs)
    own = priced["ytd_value_usd"] / priced["ytd_weight_kg"]
    reference = code_price.reindex(pd.MultiIndex.from_frame(priced[["trade_flow", "hsk_code"]])).to_numpy()
    log_ratio = np.log(own.to_numpy() / reference)
    factors = (
        priced.assign(log_ratio=log_ratio).groupby(["trade_flow", "country_code"])["log_ratio"].agg(["median", "size"])
    )
    factor = np.exp(factors["median"]).where(factors["size"] >= MIN_CODES_FOR_PRICE_FACTOR, 1.0).round(2)
    grouped = pairs.groupby(["trade_flow", "country_code"])
    flow_total = pairs.groupby("trade_flow")["ytd_value_usd"].sum()
    value = grouped["ytd_value_usd"].sum()
    share = value / flow_total.reindex(value.index.get_level_values("trade_flow")).to_numpy()
    table = pd.DataFrame(
        {
            "value_share": round_significant(share),
            "codes": grouped["hsk_code"].nunique(),
            "price_factor": factor.reindex(value.index).fillna(1.0),
        }
    ).reset_index()
    return table


def write_catalogue(release: str | Path, out_dir: str | Path = DATA_DIR) -> list[Path]:
    """Read one by-country release and write ``items.csv`` and ``partners.csv`` into ``out_dir``."""
    trade = read_trade(release)
    if trade.attrs.get("variant") != "country":
        raise ValueError(f"{release}: the catalogue needs a by-country release (국가코드, 국가명)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, table in ((ITEMS_FILE, item_table(trade)), (PARTNERS_FILE, partner_table(trade))):
        path = out_dir / name
        table.to_csv(path, index=False, lineterminator="\n", float_format="%.6g")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the replica's catalogue from a by-country trade release.")
    parser.add_argument("release", help="path of one monthly by-country release (the loaders' layout)")
    parser.add_argument("--out", default=str(DATA_DIR), help="output folder (default: the package data folder)")
    args = parser.parse_args(argv)
    for path in write_catalogue(args.release, args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
