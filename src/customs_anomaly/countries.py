"""Partner countries: ISO 3166-1 alpha-2 code, Korean name, economic bloc, and freight region.

Every partner country of the MOF by-country seafood trade release of 2025-07 (imports and
exports, 169 countries), with its Korean name and economic bloc (경제권명) exactly as that
release prints them (카나다, 덴마아크, 사이프러스, ...; the bloc is blank for countries in none).
Names in the more common spelling (캐나다, 덴마크, 키프로스, ...) are kept as aliases, so that a
blank code is recovered from either spelling.

The freight region is decided by ISO code, never by Korean name: the original mapping by name
missed Cyprus and Luxembourg and misspelled Portugal. All 27 EU member states map to 유럽연합.
"""

from __future__ import annotations

import pandas as pd

# Economic blocs as the release spells them (including its typo in CPTPP); a country's 경제권명
# is its memberships joined by "/", in the release's order.
EAEU = "EAEU"
GCC = "걸프협력회의"
OECD = "경제협력개발기구"
MERCOSUR = "남미공동시장"
ASEAN = "동남아국가연합"
NAFTA = "북미자유무역연합"
APEC = "아시아.태평양 경제협력체"
RCEP = "역내포괄적경제동반자협정"
EU = "유럽연합"
EFTA = "유럽자유무역연합"
SICA = "중미"
CPTPP = "포괄적.점진적 환태평양 경제동반자협졍"
CJK = "한중일"
TPP = "환태평양경제동반자협정"

# ISO2: (Korean name as printed in the release, economic blocs as printed).
_COUNTRIES: dict[str, tuple[str, tuple[str, ...]]] = {
    "AE": ("아랍에미리트연합", (GCC,)),
    "AL": ("알바니아", ()),
    "AO": ("앙골라", ()),
    "AQ": ("안타티카", ()),
    "AR": ("아르헨티나", (MERCOSUR,)),
    "AS": ("미령사모아", ()),
    "AT": ("오스트리아", (EU, OECD)),
    "AU": ("호주", (APEC, OECD, TPP, RCEP, CPTPP)),
    "AZ": ("아제르바이잔", ()),
    "BA": ("보스니아-헤르체고비나", ()),
    "BB": ("바베이도스", ()),
    "BD": ("방글라데시", ()),
    "BE": ("벨기에", (EU, OECD)),
    "BG": ("불가리아", (EU,)),
    "BH": ("바레인", (GCC,)),
    "BI": ("부룬디", ()),
    "BJ": ("베닝", ()),
    "BN": ("부루나이", (ASEAN, APEC, TPP, RCEP, CPTPP)),
    "BO": ("볼리비아", ()),
    "BR": ("브라질", (MERCOSUR,)),
    "BT": ("부탄", ()),
    "BY": ("베라루스", (EAEU,)),
    "BZ": ("벨리제", ()),
    "CA": ("카나다", (APEC, OECD, NAFTA, TPP, CPTPP)),
    "CD": ("콩고민주공화국", ()),
    "CF": ("중앙아프리카공화국", ()),
    "CG": ("콩고", ()),
    "CH": ("스위스", (OECD, EFTA)),
    "CI": ("코르디봐르", ()),
    "CL": ("칠레", (APEC, TPP, CPTPP)),
    "CM": ("카메룬", ()),
    "CN": ("중국", (APEC, RCEP, CJK)),
    "CO": ("콜롬비아", ()),
    "CR": ("코스타리카", (SICA,)),
    "CW": ("큐라소", ()),
    "CY": ("사이프러스", (EU,)),
    "CZ": ("체코공화국", (EU,)),
    "DE": ("독일", (EU, OECD)),
    "DJ": ("지부티", ()),
    "DK": ("덴마아크", (EU, OECD)),
    "DO": ("도미니카공화국", ()),
    "DZ": ("알제리", ()),
    "EC": ("에쿠아도르", ()),
    "EE": ("에스토니아", (EU,)),
    "EG": ("이집트", ()),
    "ES": ("스페인", (EU, OECD)),
    "FI": ("핀란드", (EU, OECD)),
    "FJ": ("피지", ()),
    "FK": ("포클랜드군도", ()),
    "FM": ("마이크로네시아", ()),
    "FO": ("파로에군도", ()),
    "FR": ("프랑스", (EU, OECD)),
    "GA": ("가봉", ()),
    "GB": ("영국", (OECD,)),
    "GE": ("그루지야", ()),
    "GH": ("가나", ()),
    "GL": ("그린랜드", ()),
    "GM": ("감비아", ()),
    "GN": ("기니아", ()),
    "GR": ("그리스", (EU, OECD)),
    "GT": ("과테말라", ()),
    "GU": ("괌", ()),
    "GW": ("기네비소", ()),
    "HK": ("홍콩", (APEC,)),
    "HN": ("온두라스", (SICA,)),
    "HR": ("크로아티아", (EU, OECD)),
    "HT": ("아이티", ()),
    "HU": ("헝가리", (EU,)),
    "ID": ("인도네시아", (ASEAN, APEC, RCEP)),
    "IE": ("아일랜드", (EU, OECD)),
    "IL": ("이스라엘", ()),
    "IN": ("인디아", (RCEP,)),
    "IQ": ("이라크", ()),
    "IR": ("이란", ()),
    "IS": ("아이슬란드", (OECD, EFTA)),
    "IT": ("이탈리아", (EU, OECD)),
    "JO": ("요르단", ()),
    "JP": ("일본", (APEC, OECD, RCEP, CJK, CPTPP)),
    "KE": ("케냐", ()),
    "KG": ("키르기스", (EAEU,)),
    "KH": ("캄보디아", (ASEAN, RCEP)),
    "KI": ("키리바티", ()),
    "KW": ("쿠웨이트", (GCC,)),
    "KZ": ("카자흐", (EAEU,)),
    "LA": ("라오스", (ASEAN, RCEP)),
    "LB": ("레바논", ()),
    "LK": ("스리랑카", ()),
    "LT": ("리투아니아", (EU,)),
    "LU": ("룩셈부르그", (EU, OECD)),
    "LV": ("라트비아", (EU,)),
    "LY": ("리비아", ()),
    "MA": ("모로코", ()),
    "MD": ("몰도바", ()),
    "MG": ("마다카스카르", ()),
    "MH": ("마샬군도", ()),
    "MK": ("마케도니아", ()),
    "MM": ("미얀마", (ASEAN, RCEP)),
    "MN": ("몽고", ()),
    "MO": ("마카오", ()),
    "MP": ("북마나리아나군도", ()),
    "MR": ("모리타니아", ()),
    "MT": ("몰타", (EU,)),
    "MU": ("모리셔스", ()),
    "MV": ("몰디브", ()),
    "MX": ("멕시코", (APEC, OECD, NAFTA, TPP, CPTPP)),
    "MY": ("말레이시아", (ASEAN, APEC, TPP, RCEP, CPTPP)),
    "MZ": ("모잠비크", ()),
    "NA": ("나미비아", ()),
    "NC": ("뉴칼레도니아", ()),
    "NE": ("니제르", ()),
    "NG": ("나이지리아", ()),
    "NI": ("니카라과", (SICA,)),
    "NL": ("네덜란드", (EU, OECD)),
    "NO": ("노르웨이", (OECD, EFTA)),
    "NP": ("네팔", ()),
    "NR": ("나우루", ()),
    "NZ": ("뉴질랜드", (APEC, OECD, TPP, RCEP, CPTPP)),
    "OM": ("오만", (GCC,)),
    "PA": ("파나마", (SICA,)),
    "PE": ("페루", (TPP, CPTPP)),
    "PF": ("프랑스령 폴리네시아", ()),
    "PG": ("파퓨아뉴기니", (APEC,)),
    "PH": ("필리핀", (ASEAN, APEC, RCEP)),
    "PK": ("파키스탄", ()),
    "PL": ("폴란드", (EU,)),
    "PT": ("포르투갈", (EU, OECD)),
    "PW": ("팔라우", ()),
    "PY": ("파라과이", (MERCOSUR,)),
    "QA": ("카타르", (GCC,)),
    "RO": ("루마니아", (EU,)),
    "RS": ("세르비아", ()),
    "RU": ("러시아", (EAEU,)),
    "RW": ("루안다", ()),
    "SA": ("사우디아라비아", (GCC,)),
    "SB": ("솔로몬군도", ()),
    "SC": ("세이셜", ()),
    "SD": ("수단", ()),
    "SE": ("스웨덴", (EU, OECD)),
    "SG": ("싱가포르", (ASEAN, APEC, TPP, RCEP, CPTPP)),
    "SI": ("슬로베니아", (EU,)),
    "SK": ("슬로바키아", (EU,)),
    "SL": ("시에라리온", ()),
    "SN": ("세네갈", ()),
    "SO": ("소말리아", ()),
    "SR": ("수리남", ()),
    "SV": ("엘살바도르", (SICA,)),
    "SY": ("시리아", ()),
    "TG": ("토고", ()),
    "TH": ("태국", (ASEAN, APEC, RCEP)),
    "TL": ("동티모르", ()),
    "TN": ("튀니지", ()),
    "TR": ("튀르키예", (OECD,)),
    "TT": ("트리니다드토바고", ()),
    "TV": ("투발루", ()),
    "TW": ("대만", (APEC,)),
    "TZ": ("탄자니아", ()),
    "UA": ("우크라이나", ()),
    "UG": ("우간다", ()),
    "US": ("미국", (APEC, OECD, NAFTA)),
    "UY": ("우루과이", (MERCOSUR,)),
    "UZ": ("우즈베크", ()),
    "VE": ("베네주엘라", (MERCOSUR,)),
    "VN": ("베트남", (ASEAN, TPP, RCEP, CPTPP)),
    "VU": ("바누아트", ()),
    "WS": ("서사모아", ()),
    "YE": ("예멘", ()),
    "ZA": ("남아프리카", ()),
    "ZM": ("잠비아", ()),
    "ZZ": ("기타국", ()),
}

# The 27 EU member states are the countries whose blocs include the EU.
EU_MEMBERS = {code: name for code, (name, blocs) in _COUNTRIES.items() if EU in blocs}
OTHER_COUNTRIES = {code: name for code, (name, _) in _COUNTRIES.items() if code not in EU_MEMBERS}
COUNTRY_NAMES: dict[str, str] = {code: name for code, (name, _) in _COUNTRIES.items()}

# Common spellings of names the release spells otherwise (a release of another year may use them).
NAME_ALIASES = {
    "캐나다": "CA",
    "키프로스": "CY",
    "체코": "CZ",
    "덴마크": "DK",
    "에콰도르": "EC",
    "포클랜드 제도": "FK",
    "인도": "IN",
    "룩셈부르크": "LU",
    "모리타니": "MR",
}

_REGION_BY_CODE = {
    **{code: "유럽연합" for code in EU_MEMBERS},
    "US": "미국",
    "CN": "중국",
    "JP": "일본",
    "VN": "베트남",
}

_CODE_BY_NAME = {**NAME_ALIASES, **{name: code for code, name in COUNTRY_NAMES.items()}}


def economic_bloc(country_code: str) -> str:
    """Economic bloc label (경제권명) of a country as the release prints it, '' when it has none
    or the code is unknown."""
    country = _COUNTRIES.get(country_code)
    return "/".join(country[1]) if country else ""


def region_of(country_code: str) -> str | None:
    """Freight region of an ISO2 code, or None outside the five freight regions."""
    return _REGION_BY_CODE.get(str(country_code).strip().upper())


def code_from_name(country_name: str) -> str:
    """ISO2 code for a Korean country name (as printed in the release, or a common spelling),
    '' when the name is not known."""
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
