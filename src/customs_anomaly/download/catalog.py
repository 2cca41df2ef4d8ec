"""Every remote code the downloader uses, in one place, with how each was confirmed.

Nothing here was checked against the live services (the project is built offline). "Third-party
code" below means several independent public repositories that call the ECOS API with these codes
and agree with each other; it is not the Bank of Korea's own documentation. data/README.md says
the same to the user; a wrong code fails with a clear portal message (e.g. ECOS INFO-200, no data).
"""

from __future__ import annotations

from dataclasses import dataclass

# Default base URLs (injectable in download_all, so that tests use a local server).
ODCLOUD_API = "https://api.odcloud.kr/api"
# The OpenAPI (swagger) document data.go.kr serves for an auto-converted file dataset: it lists one
# path per release ("/{namespace}/uddi:{id}") with the release's name (ending in its date) as summary.
ODCLOUD_DOCS = "https://infuser.odcloud.kr/oas/docs"
ECOS_API = "https://ecos.bok.or.kr/api"


@dataclass(frozen=True)
class OdcloudDataset:
    """A data.go.kr file dataset read through its odcloud JSON API."""

    source: str
    title: str
    # "{file data id}/v1", e.g. "15012345/v1"; None until someone confirms the id (pass it with
    # --trade-dataset / --freight-dataset; the id is the number in .../data/{id}/fileData.do).
    namespace: str | None
    one_release_per_month: bool
    confirmed: str


@dataclass(frozen=True)
class EcosSeries:
    """One ECOS StatisticSearch series: table code, cycle and item codes."""

    name: str
    table: str
    cycle: str
    items: tuple[str, ...]
    unit: str
    confirmed: str


ODCLOUD_DATASETS: dict[str, OdcloudDataset] = {
    "trade": OdcloudDataset(
        source="trade",
        title="해양수산부_수산물품목별수출입현황 (국가별)",
        namespace=None,
        one_release_per_month=True,
        confirmed=(
            "NOT confirmed offline: the file-data id could not be found in the offline references "
            "(the REST APIs 15057607/15056602 found there return MOF item codes, not the 13-column file; "
            "one public program reads 15102783/v1 under this title, but with the by-item columns only)"
        ),
    ),
    "freight": OdcloudDataset(
        source="freight",
        title="관세청_해상수출입(수입) 운송비용",
        namespace=None,
        one_release_per_month=False,
        confirmed=(
            "NOT confirmed offline: only the XML REST API 15129097 (관세청_해상수출입 운송비용) was found, "
            "not the file dataset with the 기간/미국서부/.../베트남 layout"
        ),
    ),
}

_ECOS_THIRD_PARTY = "third-party code (several independent repositories agree); not the official documentation"

ECOS_SERIES: dict[str, tuple[EcosSeries, ...]] = {
    # 731Y004 = 주요국 통화의 대원화 환율 (monthly); item 0000001 = 원/미국달러(매매기준율),
    # second item 0000100 = 평균자료 (monthly average; 0000200 would be the month-end rate).
    "exchange_rate": (
        EcosSeries("원/미국달러 월평균", "731Y004", "M", ("0000001", "0000100"), "원/달러", _ECOS_THIRD_PARTY),
    ),
    # 902Y003 = 국제 상품가격 (monthly): 010101 WTI, 010102 Dubai, 010103 Brent; Oman is not carried.
    "oil": (
        EcosSeries("Dubai", "902Y003", "M", ("010102",), "달러/배럴", _ECOS_THIRD_PARTY),
        EcosSeries("Brent", "902Y003", "M", ("010103",), "달러/배럴", _ECOS_THIRD_PARTY),
        EcosSeries("WTI", "902Y003", "M", ("010101",), "달러/배럴", _ECOS_THIRD_PARTY),
    ),
    # 901Y009 = 소비자물가지수 (2020=100), item 0 = 총지수.
    "cpi": (EcosSeries("소비자물가지수 총지수", "901Y009", "M", ("0",), "2020=100", _ECOS_THIRD_PARTY),),
    # 404Y014 = 생산자물가지수 (기본분류, 2020=100), item *AA = 총지수.
    "ppi": (EcosSeries("생산자물가지수 총지수", "404Y014", "M", ("*AA",), "2020=100", _ECOS_THIRD_PARTY),),
}
