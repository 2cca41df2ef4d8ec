"""Partner countries: ISO 3166-1 alpha-2 code, Korean name, economic bloc, and freight region.

The freight region is decided by ISO code, never by Korean name: the original mapping by name
missed Cyprus and Luxembourg and misspelled Portugal. All 27 EU member states map to 유럽연합.
"""

from __future__ import annotations

import pandas as pd

EU_MEMBERS = {
    "AT": "오스트리아",
    "BE": "벨기에",
    "BG": "불가리아",
    "HR": "크로아티아",
    "CY": "키프로스",
    "CZ": "체코",
    "DK": "덴마크",
    "EE": "에스토니아",
    "FI": "핀란드",
    "FR": "프랑스",
    "DE": "독일",
    "GR": "그리스",
    "HU": "헝가리",
    "IE": "아일랜드",
    "IT": "이탈리아",
    "LV": "라트비아",
    "LT": "리투아니아",
    "LU": "룩셈부르크",
    "MT": "몰타",
    "NL": "네덜란드",
    "PL": "폴란드",
    "PT": "포르투갈",
    "RO": "루마니아",
    "SK": "슬로바키아",
    "SI": "슬로베니아",
    "ES": "스페인",
    "SE": "스웨덴",
}

OTHER_COUNTRIES = {
    "US": "미국",
    "CN": "중국",
    "JP": "일본",
    "VN": "베트남",
    "RU": "러시아",
    "NO": "노르웨이",
    "CL": "칠레",
    "ID": "인도네시아",
    "TH": "태국",
    "CA": "캐나다",
    "PE": "페루",
    "EC": "에콰도르",
    "AR": "아르헨티나",
    "IN": "인도",
    "MY": "말레이시아",
    "PH": "필리핀",
    "TW": "대만",
    "AU": "호주",
    "NZ": "뉴질랜드",
    "MA": "모로코",
    "MR": "모리타니",
    "SN": "세네갈",
    "MX": "멕시코",
    "IS": "아이슬란드",
    "GB": "영국",
    "MM": "미얀마",
    "PK": "파키스탄",
    "BD": "방글라데시",
    "HK": "홍콩",
    "TR": "튀르키예",
    "FK": "포클랜드 제도",
    "SG": "싱가포르",
    "LK": "스리랑카",
}

COUNTRY_NAMES: dict[str, str] = {**EU_MEMBERS, **OTHER_COUNTRIES}

_BLOC_BY_CODE = {
    **{code: "EU" for code in EU_MEMBERS},
    "US": "북미",
    "CA": "북미",
    "MX": "중남미",
    "CN": "중국",
    "HK": "중국",
    "TW": "기타아시아",
    "JP": "일본",
    "VN": "ASEAN",
    "ID": "ASEAN",
    "TH": "ASEAN",
    "MY": "ASEAN",
    "PH": "ASEAN",
    "MM": "ASEAN",
    "SG": "ASEAN",
    "IN": "서남아시아",
    "PK": "서남아시아",
    "BD": "서남아시아",
    "LK": "서남아시아",
    "RU": "CIS",
    "NO": "기타유럽",
    "IS": "기타유럽",
    "GB": "기타유럽",
    "TR": "중동",
    "CL": "중남미",
    "PE": "중남미",
    "EC": "중남미",
    "AR": "중남미",
    "FK": "중남미",
    "AU": "대양주",
    "NZ": "대양주",
    "MA": "아프리카",
    "MR": "아프리카",
    "SN": "아프리카",
}

_REGION_BY_CODE = {
    **{code: "유럽연합" for code in EU_MEMBERS},
    "US": "미국",
    "CN": "중국",
    "JP": "일본",
    "VN": "베트남",
}

_CODE_BY_NAME = {name: code for code, name in COUNTRY_NAMES.items()}


def economic_bloc(country_code: str) -> str:
    """Economic bloc label (경제권명) of a country, '' when unknown."""
    return _BLOC_BY_CODE.get(country_code, "")


def region_of(country_code: str) -> str | None:
    """Freight region of an ISO2 code, or None outside the five freight regions."""
    return _REGION_BY_CODE.get(str(country_code).strip().upper())


def code_from_name(country_name: str) -> str:
    """ISO2 code for a Korean country name, '' when the name is not known."""
    return _CODE_BY_NAME.get(str(country_name).strip(), "")


def country_table() -> pd.DataFrame:
    """Every known country with its Korean name, bloc and freight region (None outside)."""
    rows = [
        {
            "country_code": code,
            "country_name": name,
            "economic_bloc": economic_bloc(code),
            "region": region_of(code),
        }
        for code, name in COUNTRY_NAMES.items()
    ]
    return pd.DataFrame(rows)
