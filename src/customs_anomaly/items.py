"""Item groups of HSK codes by HS heading: the one map the exploration, the replica's catalogue
and the review queue's filter share."""

from __future__ import annotations

import pandas as pd

OTHER_GROUP = "기타"
ITEM_GROUPS = {
    "0301": "활어",
    "0302": "신선·냉장 어류",
    "0303": "냉동 어류",
    "0304": "필레·어육",
    "0305": "건조·염장·훈제",
    "0306": "갑각류",
    "0307": "연체동물",
    "0308": "기타 수생 무척추동물",
    "1212": "해조류",
    "1302": "해조류",
    "1603": "어류 조제품",
    "1604": "어류 조제품",
    "1605": "갑각류·연체동물 조제품",
    "2008": "기타 조제품",
    "2104": "기타 조제품",
    "2501": "소금",
}


def item_group(hsk_codes: pd.Series) -> pd.Series:
    """Korean item group from the HS heading (first four digits), OTHER_GROUP otherwise."""
    return hsk_codes.astype(str).str.zfill(10).str[:4].map(ITEM_GROUPS).fillna(OTHER_GROUP)


SHORT_NAME_LENGTH = 14
_BRACKETED = r"\[[^\]]*\]?|\([^)]*\)?"


def short_names(hsk_codes: pd.Series, names: pd.Series, limit: int = SHORT_NAME_LENGTH) -> pd.Series:
    """Item names short enough for an axis or a legend, one label per HSK code.

    Real tariff names run to a hundred characters of scientific names in brackets: the brackets go,
    the rest is cut at `limit` characters, and codes whose short names coincide get the code's last
    six digits so that no two codes share a bar or a line.
    """
    stripped = names.astype(str).str.replace(_BRACKETED, "", regex=True).str.replace(r"\s+", " ", regex=True)
    stripped = stripped.str.strip(" ,ㆍ·").where(lambda s: s.str.len() > 0, names.astype(str))
    short = stripped.where(stripped.str.len() <= limit, stripped.str[: limit - 1].str.rstrip() + "…")
    codes = hsk_codes.astype(str).str.zfill(10)
    shared = short.groupby(short).transform(lambda s: codes.loc[s.index].nunique() > 1)
    return short.where(~shared.astype(bool), short + " (" + codes.str[-6:] + ")")
