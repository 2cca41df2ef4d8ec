"""Every remote address, code and field name the downloader uses, in one place, each with how it
was confirmed.

Nothing here was checked against the live services (the project is built offline). The
confidence texts say where each fact comes from: the data.go.kr portal page of a dataset, public
programs that report live tests of the same call, or several independent public programs that
agree (for ECOS). data/README.md repeats them for the user. A wrong fact fails loudly with the
portal's own code (data.go.kr resultCode 12 for a wrong operation, ECOS INFO-200 for no data),
never silently; `customs-anomaly download --check` tries each source with one small request.
"""

from __future__ import annotations

from dataclasses import dataclass

# --- base URLs; each can be replaced by one environment variable (a mirror or proxy) ---------------

APIS_URL = "https://apis.data.go.kr"  # data.go.kr open APIs (REST)
ODCLOUD_API = "https://api.odcloud.kr/api"  # data.go.kr file datasets converted to a JSON API
# The OpenAPI (swagger) document data.go.kr serves for an auto-converted file dataset: it lists one
# path per release ("/{namespace}/uddi:{id}") with the release's name (ending in its date) as summary.
ODCLOUD_DOCS = "https://infuser.odcloud.kr/oas/docs"
ECOS_API = "https://ecos.bok.or.kr/api"  # Bank of Korea ECOS Open API

# Endpoints field -> (environment variable, default). The variable's value replaces exactly this
# prefix; the rest of every URL is appended unchanged.
BASE_URLS = {
    "apis": ("CUSTOMS_ANOMALY_APIS_URL", APIS_URL),
    "odcloud": ("CUSTOMS_ANOMALY_ODCLOUD_URL", ODCLOUD_API),
    "odcloud_docs": ("CUSTOMS_ANOMALY_ODCLOUD_DOCS_URL", ODCLOUD_DOCS),
    "ecos": ("CUSTOMS_ANOMALY_ECOS_URL", ECOS_API),
}

# --- confidence of the facts below --------------------------------------------------------------

PORTAL_PAGE = "confirmed from the dataset's data.go.kr portal page (not checked live from this project)"
LIVE_TESTED_PROGRAMS = "seen in public programs that report live tests of this call; not the portal's documentation"
ONE_PROGRAM = "seen in one public program's response class only; unconfirmed"
ECOS_THIRD_PARTY = "third-party code (several independent repositories agree); not the official documentation"
NOT_KNOWN = "not known offline: supply it (option or this catalog) from the API's data.go.kr page"


# --- data.go.kr file dataset (odcloud JSON API) ------------------------------------------------


@dataclass(frozen=True)
class OdcloudDataset:
    """A data.go.kr file dataset read through its odcloud JSON API, one release per month."""

    source: str
    title: str
    namespace: str  # "{file data id}/v1": the id is the number in .../data/{id}/fileData.do
    required_columns: tuple[str, ...]  # checked on the first row of the first release fetched
    confirmed: str


TRADE_DATASET = OdcloudDataset(
    source="trade",
    title="해양수산부_수산물품목별수출입현황",
    namespace="15102783/v1",
    required_columns=("국가코드", "국가명", "경제권명"),
    confirmed=(
        "the namespace 15102783/v1 and its release list are read by public programs under this title, "
        "but none of them reads a country column: it may be the by-item variant, which the panel cannot use "
        "(the downloader checks the first row and refuses it, naming the missing columns)"
    ),
)


# --- data.go.kr open APIs (REST; XML, or JSON in the same header/body shape) --------------------


@dataclass(frozen=True)
class RestApi:
    """A data.go.kr open API: `GET {apis}/{operation}?serviceKey=...&numOfRows=...&pageNo=...`."""

    source: str
    title: str
    dataset_id: str  # the number in .../data/{id}/openapi.do
    operation: str | None  # path under {apis}, e.g. "1220000/seaimextrnpcst/getSeaImexTrnpCst"; None if unknown
    confirmed: str  # of the dataset id
    operation_confirmed: str


FREIGHT_API = RestApi(
    source="freight",
    title="관세청_해상수출입 운송비용",
    dataset_id="15129097",
    operation="1220000/seaimextrnpcst/getSeaImexTrnpCst",
    confirmed=PORTAL_PAGE,
    operation_confirmed=LIVE_TESTED_PROGRAMS,
)
# cntyCd -> the freight file's column (config.FREIGHT_ROUTES); any other cntyCd gets resultCode 99.
FREIGHT_ROUTE_CODES = {
    "USW": "미국서부",
    "USE": "미국동부",
    "EU": "유럽연합",
    "CN": "중국",
    "JP": "일본",
    "VN": "베트남",
}
FREIGHT_IMPORT = "2"  # imexTpcd: 1 export, 2 import
FREIGHT_MONTHS_PER_CALL = 12  # strtYymm..endYymm span of one call, as the public programs do
FREIGHT_MONTH_FIELD = "year"  # "2024.01"
FREIGHT_VALUE_FIELD = "imexTrnpCst"  # 천원 per 2 TEU
FREIGHT_FACTS_CONFIRMED = LIVE_TESTED_PROGRAMS  # parameters, codes 12/99, fields and unit

TRADE_API = RestApi(
    source="trade",
    title="해양수산부_국가별 수산물 수출입 현황",
    dataset_id="15057607",
    operation=None,  # complete with the path shown on the API's page (under 1192000/), or use --trade-api-operation
    confirmed=PORTAL_PAGE,
    operation_confirmed=NOT_KNOWN,
)
TRADE_API_FAMILY = "1192000/"  # the MOF open APIs of this family live under {apis}/1192000/...
TRADE_API_MONTH_PARAMETER = "baseDt"  # YYYYMM, required
# The by-country file's columns and the API fields that fill them, with their confidence. The
# year-to-date columns are not API fields: the downloader sums the months of the year.
TRADE_API_FIELDS = {
    "기준년월": ("stdYymm", PORTAL_PAGE),
    "국가코드": ("nationCode", PORTAL_PAGE),
    "국가명": ("nationNm", PORTAL_PAGE),
    "경제권명": ("ecoblNm", PORTAL_PAGE),
    "HSK품목코드": ("mprcExipitmCode", PORTAL_PAGE + "; 10 digits"),
    "수출입구분코드": ("imxprtSeCode", PORTAL_PAGE + "; its values are not known (E/I is accepted)"),
    "수출입구분명": ("imxprtSeNm", ONE_PROGRAM + " (수출/수입)"),
    "수산물수출입품목명": ("mprcExipitmNm", ONE_PROGRAM),
    "당월수출입중량(킬로그램)": ("imxprtWt", ONE_PROGRAM + " (kg per another program's label)"),
    "당월수출입미화금액(달러)": ("imxprtDollarAmount", ONE_PROGRAM + " (USD per another program's label)"),
}
TRADE_FLOW_BY_NAME = {"수출": "E", "수입": "I"}
TRADE_FACTS_CONFIRMED = "publication 2-3 months late and resultCode 03 for an empty month: " + LIVE_TESTED_PROGRAMS

# data.go.kr result codes (the portal's common codes in every API guide), with what they mean here.
DATA_GO_KR_NORMAL = "00"
DATA_GO_KR_NO_DATA = "03"
DATA_GO_KR_CODES = {
    "00": "NORMAL_SERVICE",
    "01": "APPLICATION_ERROR: the service failed; try again later",
    "02": "DB_ERROR: the service failed; try again later",
    "03": "NODATA_ERROR: no data for this request (month not yet published?)",
    "04": "HTTP_ERROR: the service failed; try again later",
    "05": "SERVICETIME_OUT: the service timed out; try again later",
    "10": "INVALID_REQUEST_PARAMETER_ERROR: a parameter was refused",
    "11": "NO_MANDATORY_REQUEST_PARAMETERS_ERROR: a required parameter is missing",
    "12": "NO_OPENAPI_SERVICE_ERROR: no such operation (check the operation path)",
    "20": "SERVICE_ACCESS_DENIED_ERROR: the key is not approved for this API (활용신청)",
    "21": "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR: the key is disabled for now",
    "22": "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR: the daily quota is used up",
    "30": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR: the key is not registered",
    "31": "DEADLINE_HAS_EXPIRED_ERROR: the key's approval has expired",
    "32": "UNREGISTERED_IP_ERROR: this IP address is not registered for the key",
    "33": "UNSIGNED_CALL_ERROR: the call is not signed",
    "99": "UNKNOWN_ERROR (this API also answers 99 for a parameter value it does not know)",
}
DATA_GO_KR_KEY_REFUSED = frozenset({"20", "21", "30", "31", "32", "33"})
DATA_GO_KR_ROWS_PER_PAGE = 1000


# --- Bank of Korea ECOS ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EcosSeries:
    """One ECOS StatisticSearch series: table code, cycle and item codes (ITEM1, ITEM2, ...).
    Rows whose ITEM_CODEn differs from the requested code are dropped (ECOS returns every ITEM2 of
    an ITEM1 when ITEM2 is left out, e.g. the month-end rate beside the monthly average)."""

    name: str
    table: str
    cycle: str
    items: tuple[str, ...]
    unit: str
    confirmed: str


@dataclass(frozen=True)
class EcosItemLookup:
    """A series whose item code is looked up by name in `StatisticItemList/.../{table}`, because
    the code differs between sources; `names` are matched case-insensitively inside ITEM_NAME."""

    name: str  # column of the oil file
    table: str
    cycle: str
    names: tuple[str, ...]
    required: bool  # False: the column is left blank when ECOS has no such item
    known_codes: tuple[str, ...]  # codes public programs use, for the user's information only
    unit: str
    confirmed: str


ECOS_SERIES: dict[str, tuple[EcosSeries, ...]] = {
    # 731Y004 = 주요국 통화의 대원화 환율 (monthly); item 0000001 = 원/미국달러(매매기준율),
    # second item 0000100 = 평균자료 (monthly average; 0000200 is the month-end rate).
    "exchange_rate": (
        EcosSeries("원/미국달러 월평균", "731Y004", "M", ("0000001", "0000100"), "원/달러", ECOS_THIRD_PARTY),
    ),
    # 901Y009 = 소비자물가지수 (2020=100), item 0 = 총지수.
    "cpi": (EcosSeries("소비자물가지수 총지수", "901Y009", "M", ("0",), "2020=100", ECOS_THIRD_PARTY),),
    # 404Y014 = 생산자물가지수 (기본분류, 2020=100), item *AA = 총지수.
    "ppi": (EcosSeries("생산자물가지수 총지수", "404Y014", "M", ("*AA",), "2020=100", ECOS_THIRD_PARTY),),
}
# 902Y003 = 국제 상품가격 (monthly). The Dubai code is 010102 in recent programs and 4010102 in
# older ones, so every crude is looked up by name. ECOS has no Oman series (the column stays blank).
ECOS_OIL_TABLE = "902Y003"
ECOS_OIL_UNIT = "달러/배럴"
ECOS_OIL_LOOKUPS = (
    EcosItemLookup(
        "Dubai", ECOS_OIL_TABLE, "M", ("dubai", "두바이"), True, ("010102", "4010102"), ECOS_OIL_UNIT, ECOS_THIRD_PARTY
    ),
    EcosItemLookup(
        "Brent", ECOS_OIL_TABLE, "M", ("brent", "브렌트"), False, ("010103",), ECOS_OIL_UNIT, ECOS_THIRD_PARTY
    ),
    EcosItemLookup(
        "WTI", ECOS_OIL_TABLE, "M", ("wti", "서부텍사스"), False, ("010101",), ECOS_OIL_UNIT, ECOS_THIRD_PARTY
    ),
)
ECOS_ITEM_LIST_ROWS = 200  # StatisticItemList/KEY/json/kr/1/200/902Y003
ECOS_ROWS_PER_PAGE = 1000
ECOS_NO_DATA = "INFO-200"
ECOS_KEY_REFUSED = frozenset({"INFO-100"})
ECOS_CODES = {
    "INFO-100": "the ECOS key is not valid (check ECOS_API_KEY)",
    "INFO-200": "no data for this table, item and period (check the codes and the period)",
    "ERROR-100": "a required field of the request is missing",
    "ERROR-101": "the cycle does not match the period",
    "ERROR-602": "too many requests (ECOS rate limit); try again later",
}

# --- how the manifest names each service (the book's data banner prints it) ----------------------

SERVICE_OPEN_API = "data.go.kr open API"
SERVICE_ODCLOUD = "data.go.kr file data (odcloud)"
SERVICE_ECOS = "ECOS"
