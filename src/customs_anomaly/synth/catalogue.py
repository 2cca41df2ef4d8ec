"""The replica's catalogue, read from package data built from the MOF by-country release of
2025-07 (``python -m customs_anomaly.synth.build_catalogue``): HSK codes, item names and partner
countries of each flow, rounded yearly values and unit prices per code, and each country's share
of the flow's value, breadth (codes traded) and price factor."""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd

from customs_anomaly.items import ITEM_GROUPS, OTHER_GROUP
from customs_anomaly.synth.build_catalogue import ITEMS_FILE, PARTNERS_FILE

CATALOGUE_RELEASE = "해양수산부_국가별수산물수출입현황 2025-07 (data.go.kr)"


def item_group_of(hsk_code: str) -> str:
    """Korean item group of a 10-digit HSK code (냉동 어류, 갑각류, 연체동물, ...)."""
    return ITEM_GROUPS.get(str(hsk_code).zfill(10)[:4], OTHER_GROUP)


@cache
def _read(name: str) -> pd.DataFrame:
    with resources.files("customs_anomaly.synth").joinpath("data", name).open("r", encoding="utf-8") as stream:
        return pd.read_csv(
            stream, dtype={"hsk_code": str, "country_code": str, "trade_flow": str}, keep_default_na=False
        )


def _items(flow: str) -> pd.DataFrame:
    items = _read(ITEMS_FILE)
    items = items[items["trade_flow"] == flow].drop(columns="trade_flow").reset_index(drop=True)
    items.insert(2, "chapter", items["hsk_code"].str[:2])
    items.insert(3, "item_group", items["hsk_code"].map(item_group_of))
    return items


def item_catalogue() -> pd.DataFrame:
    """Imported items: hsk_code (10 digits), item_name, chapter, item_group, annual_value_usd,
    unit_price_usd_per_kg (over all partners) and partners (ISO codes separated by spaces)."""
    return _items("I")


def export_catalogue() -> pd.DataFrame:
    """Exported items, with the same columns as ``item_catalogue``."""
    return _items("E")


def partner_catalogue() -> pd.DataFrame:
    """Per flow x country: value_share (of the flow's value), codes (traded) and price_factor."""
    return _read(PARTNERS_FILE).copy()


def item_names() -> dict[str, str]:
    """Korean item name of every catalogued HSK code (either flow)."""
    items = _read(ITEMS_FILE)
    return dict(zip(items["hsk_code"], items["item_name"]))
