"""The real-data downloader, offline: recorded responses in the portals' payload shapes are served
by a local HTTP server on 127.0.0.1; the downloaded files must read back through the loaders."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pandas as pd
import pytest
from conftest import FAKE_DATA_GO_KR_KEY, FAKE_ECOS_KEY

from customs_anomaly import config
from customs_anomaly.cli import main
from customs_anomaly.download import Endpoints, download_all, writers
from customs_anomaly.download.http import HttpClient
from customs_anomaly.download.keys import read_key
from customs_anomaly.errors import DownloadError
from customs_anomaly.merge import build_panel
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.sources import load_raw

GO_KEY = "go+KEY/with=odd&chars-91f"  # characters that URL-encoding changes
ECOS_KEY = "ecosKEY7d3a"
ENV = {"DATA_GO_KR_SERVICE_KEY": GO_KEY, "ECOS_API_KEY": ECOS_KEY}
START, END = pd.Timestamp("2020-04-01"), pd.Timestamp("2020-06-01")  # oil starts before the study start
MONTHS = pd.date_range(START, END, freq="MS")
TRADE_NS, FREIGHT_NS = "15000001/v1", "15000002/v1"


# --- recorded responses --------------------------------------------------------------------------

COUNTRIES = [
    ("CN", "중국", "중국"),
    ("JP", "일본", "일본"),
    ("VN", "베트남", "아세안"),
    ("US", "미국", "북미"),
    ("DE", "독일", "EU"),
    ("NO", "노르웨이", "기타유럽"),
]


def trade_rows(month: pd.Timestamp) -> list[dict]:
    """odcloud rows of one by-country release: Korean keys, numbers as JSON numbers, 9-digit codes."""
    rows = []
    for i, (code, name, bloc) in enumerate(COUNTRIES):
        for hsk, item in ((302110000, "송어(신선)"), (303550000, "전갱이(냉동)")):
            kg = 1000 * (i + 1) + month.month
            rows.append(
                {
                    "기준년월": f"{month:%Y-%m}",
                    "국가코드": code,
                    "HSK품목코드": hsk,
                    "수출입구분코드": "I",
                    "수출입구분명": "수입",
                    "국가명": name,
                    "경제권명": bloc,
                    "수산물수출입품목명": item,
                    "당월수출입중량(킬로그램)": kg,
                    "당월수출입미화금액(달러)": kg * 5,
                    "당해누계수출입중량(킬로그램)": kg * month.month,
                    "당해누계수출입미화금액(달러)": kg * 5 * month.month,
                    "데이터기준일자": f"{month + pd.offsets.MonthEnd(0):%Y-%m-%d}",
                }
            )
    rows.append({**rows[0], "수출입구분코드": "E", "수출입구분명": "수출"})
    return rows  # 13 rows per month


FREIGHT_ROWS = [
    {
        "기간": f"{m:%Y-%m}",
        "미국서부": 2000 + i,
        "미국동부": 2100 + i,
        "유럽연합": 1500,
        "중국": 700,
        "일본": 760,
        "베트남": None if i == 0 else 430,
    }
    for i, m in enumerate(pd.date_range("2019-01-01", "2020-06-01", freq="MS"))
]
ECOS_VALUES = {  # ECOS writes plain numbers ("1228.67"); the writer adds the thousands separator
    ("731Y004", "0000001/0000100"): ["1220.74", "1228.67", "1213.89"],
    ("902Y003", "010102"): ["20.39", "30.47", "40.80"],
    ("902Y003", "010103"): ["26.63", "32.41", "40.77"],
    ("902Y003", "010101"): ["16.70", "28.53", "38.31"],
    ("901Y009", "0"): ["99.38", "99.44", "99.71"],
    ("404Y014", "*AA"): ["99.40", "98.95", "99.07"],
}


def odcloud_page(rows: list[dict], page: int, per_page: int) -> dict:
    part = rows[(page - 1) * per_page : page * per_page]
    return {
        "currentCount": len(part),
        "data": part,
        "matchCount": len(rows),
        "page": page,
        "perPage": per_page,
        "totalCount": len(rows),
    }


def ecos_payload(table: str, items: str, values: list[str]) -> dict:
    rows = [
        {
            "STAT_CODE": table,
            "STAT_NAME": "test",
            "ITEM_CODE1": items.split("/")[0],
            "ITEM_NAME1": "x",
            "UNIT_NAME": "",
            "TIME": f"{m:%Y%m}",
            "DATA_VALUE": v,
        }
        for m, v in zip(MONTHS, values)
    ]
    return {"StatisticSearch": {"list_total_count": len(rows), "row": rows}}


class Portal:
    """Routes of the fake data.go.kr + ECOS; `overrides[route]` is a list of (status, body) served
    first (one per request), then the recorded answer. Records every request path."""

    def __init__(self):
        self.requests: list[str] = []
        self.overrides: dict[str, list[tuple[int, bytes]]] = {}
        self.trade_months = {f"/{TRADE_NS}/uddi:trade-{m:%Y%m}": (m, trade_rows(m)) for m in MONTHS}
        self.lock = threading.Lock()

    def answer(self, raw_path: str) -> tuple[int, bytes]:
        parts = urlsplit(raw_path)
        path, query = unquote(parts.path), parse_qs(parts.query)
        route = self.route_of(path, query)
        with self.lock:
            self.requests.append(raw_path)
            queue = self.overrides.get(route)
            if queue:
                return queue.pop(0)
        return 200, json.dumps(self.recorded(route, path, query), ensure_ascii=False).encode("utf-8")

    @staticmethod
    def route_of(path: str, query: dict) -> str:
        if path.startswith("/oas"):
            return f"oas:{query['namespace'][0]}"
        if path.startswith("/odcloud"):
            return "odcloud:" + path.removeprefix("/odcloud")
        if path.startswith("/ecos/StatisticSearch/"):
            fields = path.removeprefix("/ecos/StatisticSearch/").split("/")
            return f"ecos:{fields[5]}:{'/'.join(fields[9:])}"
        return "unknown"

    def recorded(self, route: str, path: str, query: dict):
        if route == f"oas:{TRADE_NS}":
            return {
                "openapi": "3.0.1",
                "paths": {
                    p: {"get": {"summary": f"해양수산부_수산물품목별수출입현황_{m + pd.offsets.MonthEnd(0):%Y%m%d}"}}
                    for p, (m, _) in self.trade_months.items()
                },
            }
        if route == f"oas:{FREIGHT_NS}":
            return {
                "paths": {
                    f"/{FREIGHT_NS}/uddi:freight-old": {
                        "get": {"summary": "관세청_해상수출입(수입) 운송비용_20240531"}
                    },
                    f"/{FREIGHT_NS}/uddi:freight-new": {
                        "get": {"summary": "관세청_해상수출입(수입) 운송비용_20250531"}
                    },
                }
            }
        if route.startswith("odcloud:"):
            resource = route.removeprefix("odcloud:")
            if query.get("serviceKey") != [GO_KEY]:
                return {"code": -4, "msg": "등록되지 않은 인증키 입니다."}
            rows = FREIGHT_ROWS if resource.endswith("freight-new") else self.trade_months[resource][1]
            return odcloud_page(rows, int(query["page"][0]), int(query["perPage"][0]))
        if route.startswith("ecos:"):
            _, table, items = route.split(":")
            if path.split("/")[3] != ECOS_KEY:
                return {"RESULT": {"CODE": "INFO-100", "MESSAGE": "인증키가 유효하지 않습니다. 인증키를 확인하십시오!"}}
            return ecos_payload(table, items, ECOS_VALUES[(table, items)])
        return {"error": "unknown route"}


@pytest.fixture
def portal():
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = state.answer(self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    state.endpoints = Endpoints(odcloud=f"{base}/odcloud", odcloud_docs=f"{base}/oas/docs", ecos=f"{base}/ecos")
    yield state
    server.shutdown()
    server.server_close()


def download(portal, out: Path, sources=None, env=ENV, sleeps=None, **kwargs):
    client = HttpClient(sleep=(sleeps.append if sleeps is not None else (lambda s: None)), backoff_seconds=0.5)
    options = {
        "datasets": {"trade": TRADE_NS, "freight": FREIGHT_NS},
        "endpoints": portal.endpoints,
        "client": client,
        "env": env,
        "dotenv": (),
        "progress": False,
        **kwargs,
    }
    if sources is not None:
        options["sources"] = sources
    return download_all(out, START, END, **options)


def all_bytes(root: Path) -> list[tuple[Path, bytes]]:
    return [(p, p.read_bytes()) for p in sorted(root.rglob("*")) if p.is_file()]


def assert_no_key(root: Path, keys=(GO_KEY, ECOS_KEY)) -> None:
    from urllib.parse import quote, quote_plus

    forms = {form.encode() for key in keys for form in (key, quote(key, safe=""), quote_plus(key))}
    for path, data in all_bytes(root):
        for form in forms:
            assert form not in data, f"a key occurs in {path}"


# --- success, layouts, read-back -----------------------------------------------------------------


def test_full_download_reads_back_into_a_panel(portal, tmp_path):
    reports = download(portal, tmp_path)
    assert {s: len(r.fetched) for s, r in reports.items()} == {
        "trade": 3,
        "freight": 1,
        "exchange_rate": 1,
        "oil": 1,
        "cpi": 1,
        "ppi": 1,
    }

    # layouts exactly as the loaders read them (and as data/README.md describes)
    exchange = (tmp_path / "exchange_rate" / writers.EXCHANGE_RATE_FILE).read_bytes()
    assert exchange.startswith(b"\xef\xbb\xbf") and 'May-20,"1,228.67"' in exchange.decode("utf-8-sig")
    oil_lines = (tmp_path / "oil" / writers.OIL_FILE).read_text(encoding="utf-8-sig").splitlines()
    assert oil_lines[:2] == ["월,유종,Dubai,Brent,WTI,Oman", "04월,,20.39,26.63,16.70,"]
    assert "2020.05,99.44" in (tmp_path / "cpi" / writers.CPI_FILE).read_text(encoding="utf-8-sig")
    trade_file = tmp_path / "trade" / "해양수산부_수산물품목별수출입현황_202005.csv"
    assert trade_file.read_text(encoding="utf-8-sig").splitlines()[1].startswith("2020-05,CN,302110000,I,수입,중국")

    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sources"]["oil"]["first_month"] == "2020-04"
    assert manifest["sources"]["trade"]["rows"] == 39 and len(manifest["sources"]["trade"]["files"]) == 3
    assert manifest["sources"]["freight"]["files"][0]["resource"].endswith("uddi:freight-new")  # latest release
    assert describe_raw_data(tmp_path).kind == "real"
    assert "실제 공개 데이터(내려받은 날짜" in describe_raw_data(tmp_path).detail

    raw = load_raw(tmp_path)  # the oil file starts 2020-04: its first month comes from the manifest
    assert raw.oil["month"].iloc[0] == pd.Timestamp("2020-04-01")
    assert raw.oil.set_index("month").loc["2020-05-01", "dubai_usd"] == pytest.approx(30.47)
    assert raw.freight["freight_kkrw_per_2teu"].isna().sum() == 1
    panel = build_panel(raw).panel
    assert not panel.empty
    assert set(panel["month"]) == {pd.Timestamp("2020-05-01"), pd.Timestamp("2020-06-01")}
    assert set(panel["region"]) == set(config.REGIONS)
    may = panel[panel["month"] == pd.Timestamp("2020-05-01")].iloc[0]
    assert may["usd_krw"] == pytest.approx(1228.67) and may["cpi"] == pytest.approx(99.44)
    assert may["ppi"] == pytest.approx(98.95)
    assert_no_key(tmp_path)


def test_pagination_reads_every_page_until_the_total(portal, tmp_path, monkeypatch):
    from customs_anomaly.download import odcloud

    original = odcloud.fetch_rows
    monkeypatch.setattr(odcloud, "fetch_rows", lambda *a, **k: original(*a, **{**k, "per_page": 5}))
    download(portal, tmp_path, sources=["trade"])
    pages = [r for r in portal.requests if "trade-202005" in r]
    assert len(pages) == 3 and all(f"page={i}" in p for i, p in zip((1, 2, 3), pages))  # 13 rows, 5 per page
    text = (tmp_path / "trade" / "해양수산부_수산물품목별수출입현황_202005.csv").read_text(encoding="utf-8-sig")
    assert len(text.splitlines()) == 1 + 13


# --- portal errors -------------------------------------------------------------------------------


def fails(portal, tmp_path, sources, pattern, **kwargs) -> str:
    with pytest.raises(DownloadError, match=pattern) as info:
        download(portal, tmp_path, sources=sources, **kwargs)
    message = str(info.value)
    assert "\n" not in message and GO_KEY not in message and ECOS_KEY not in message
    assert "go%2BKEY" not in message and "go+KEY" not in message
    return message


def test_empty_odcloud_result_is_an_error_and_writes_nothing(portal, tmp_path):
    route = f"odcloud:/{TRADE_NS}/uddi:trade-202004"
    portal.overrides[route] = [(200, json.dumps(odcloud_page([], 1, 1000)).encode())]
    fails(portal, tmp_path, ["trade"], r"trade: release .*trade-202004 for 2020-04 is empty \(totalCount 0\)")
    assert not (tmp_path / "trade").exists() and not (tmp_path / "manifest.json").exists()


def test_ecos_info_200_no_data(portal, tmp_path):
    portal.overrides["ecos:901Y009:0"] = [
        (
            200,
            json.dumps(
                {"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}, ensure_ascii=False
            ).encode(),
        )
    ]
    fails(portal, tmp_path, ["cpi"], r"^cpi: ECOS INFO-200 .*901Y009/0.*해당하는 데이터가 없습니다.*no data")
    assert not (tmp_path / "cpi").exists()


def test_ecos_info_100_invalid_key_names_the_variable(portal, tmp_path):
    message = fails(
        portal, tmp_path, ["ppi"], r"ECOS INFO-100 .*check ECOS_API_KEY", env={**ENV, "ECOS_API_KEY": "wrong-ecos-key"}
    )
    assert "wrong-ecos-key" not in message


def test_invalid_data_go_kr_key_http_401_payload_becomes_a_clear_message(portal, tmp_path):
    body = json.dumps({"code": -4, "msg": "등록되지 않은 인증키 입니다."}, ensure_ascii=False).encode()
    portal.overrides[f"odcloud:/{FREIGHT_NS}/uddi:freight-new"] = [(401, body)]
    message = fails(
        portal, tmp_path, ["freight"], r"HTTP 401 — code -4: 등록되지 않은 인증키 입니다\. — the key is not registered"
    )
    assert "serviceKey=***" in message


def test_quota_exceeded_is_retried_then_reported(portal, tmp_path):
    body = json.dumps({"code": -429, "msg": "일일 트래픽 한도를 초과했습니다."}, ensure_ascii=False).encode()
    portal.overrides[f"odcloud:/{FREIGHT_NS}/uddi:freight-new"] = [(429, body)] * 5
    sleeps: list[float] = []
    fails(
        portal,
        tmp_path,
        ["freight"],
        r"HTTP 429 — code -429: 일일 트래픽 한도를 초과했습니다\. — the request quota",
        sleeps=sleeps,
    )
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # exponential back-off, then give up


def test_gateway_xml_error_for_an_unregistered_key(portal, tmp_path):
    xml = (
        b"<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        b"<returnAuthMsg>SERVICE_KEY_IS_NOT_REGISTERED_ERROR</returnAuthMsg><returnReasonCode>30</returnReasonCode>"
        b"</cmmMsgHeader></OpenAPI_ServiceResponse>"
    )
    portal.overrides[f"odcloud:/{FREIGHT_NS}/uddi:freight-new"] = [(200, xml)]
    fails(portal, tmp_path, ["freight"], r"returnAuthMsg=SERVICE_KEY_IS_NOT_REGISTERED_ERROR, returnReasonCode=30")


def test_malformed_json_is_an_error(portal, tmp_path):
    portal.overrides["ecos:404Y014:*AA"] = [(200, b'{"StatisticSearch": {"list_total_count": 3, "row": [')]
    fails(portal, tmp_path, ["ppi"], r"^ppi: GET .*/ecos/StatisticSearch/\*\*\*/json/.*not valid JSON")
    assert not (tmp_path / "ppi").exists()


def test_http_500_then_success_retries_with_back_off(portal, tmp_path):
    portal.overrides["ecos:901Y009:0"] = [(500, b"Internal Server Error"), (503, b"")]
    sleeps: list[float] = []
    download(portal, tmp_path, sources=["cpi"], sleeps=sleeps)
    assert sleeps == [0.5, 1.0]
    assert len([r for r in portal.requests if "901Y009" in r]) == 3
    assert (tmp_path / "cpi" / writers.CPI_FILE).is_file()


def test_unreachable_host_is_retried_then_reported(tmp_path):
    sleeps: list[float] = []
    client = HttpClient(sleep=sleeps.append, backoff_seconds=0.1, retries=2, timeout_seconds=2)
    with pytest.raises(DownloadError, match=r"^cpi: cannot reach 127\.0\.0\.1:9 after 3 attempts") as info:
        download_all(
            tmp_path,
            START,
            END,
            ["cpi"],
            endpoints=Endpoints(ecos="http://127.0.0.1:9/ecos"),
            client=client,
            env=ENV,
            dotenv=(),
            progress=False,
        )
    assert sleeps == [0.1, 0.2] and ECOS_KEY not in str(info.value)


def test_missing_key_message_names_the_variable_and_where_to_get_it(portal, tmp_path):
    message = fails(
        portal,
        tmp_path,
        ["trade"],
        r"^trade: missing API key: set the environment variable "
        r"DATA_GO_KR_SERVICE_KEY .*https://www\.data\.go\.kr",
        env={"ECOS_API_KEY": ECOS_KEY},
    )
    assert portal.requests == []  # no request before the key is known
    with pytest.raises(DownloadError, match=r"ECOS_API_KEY .*https://ecos\.bok\.or\.kr/api/"):
        read_key("ECOS_API_KEY", env={}, dotenv=())
    assert message


def test_keys_come_from_dotenv_and_an_encoded_key_is_decoded(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# keys\nexport DATA_GO_KR_SERVICE_KEY='go%2BKEY%2Fx%3D%3D'\nECOS_API_KEY=abc\n", encoding="utf-8"
    )
    assert read_key("DATA_GO_KR_SERVICE_KEY", env={}, dotenv=(dotenv,)) == "go+KEY/x=="
    assert read_key("ECOS_API_KEY", env={"ECOS_API_KEY": "from-env"}, dotenv=(dotenv,)) == "from-env"


def test_cli_missing_key_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ECOS_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("customs_anomaly.download.keys.dotenv_paths", lambda: ())
    assert main(["download", "--out", str(tmp_path / "real"), "--sources", "cpi"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cpi: missing API key") and "ECOS_API_KEY" in err[0]


def test_cli_download_help():
    with pytest.raises(SystemExit) as info:
        main(["download", "--help"])
    assert info.value.code == 0


def test_trade_without_a_dataset_id_says_how_to_find_it(portal, tmp_path):
    with pytest.raises(DownloadError, match=r"^trade: the data\.go\.kr dataset id .* --trade-dataset"):
        download_all(tmp_path, START, END, ["trade"], endpoints=portal.endpoints, env=ENV, dotenv=(), progress=False)


def test_refuses_to_download_into_the_synthetic_replica(portal, tmp_path):
    (tmp_path / config.SYNTHETIC_MARKER).write_text("{}", encoding="utf-8")
    fails(portal, tmp_path, ["cpi"], r"synthetic replica")


# --- resume and atomic writes --------------------------------------------------------------------


def test_rerun_makes_no_request_and_a_deleted_file_is_fetched_alone(portal, tmp_path):
    download(portal, tmp_path)
    first = all_bytes(tmp_path)
    portal.requests.clear()
    reports = download(portal, tmp_path, env={})  # complete: not even a key is needed
    assert portal.requests == []
    assert all(not r.fetched for r in reports.values())

    (tmp_path / "trade" / "해양수산부_수산물품목별수출입현황_202005.csv").unlink()
    (tmp_path / "cpi" / writers.CPI_FILE).write_text("시점,전국\n2020.05,1\n", encoding="utf-8")  # checksum breaks
    reports = download(portal, tmp_path)
    assert {s: r.fetched for s, r in reports.items() if r.fetched} == {
        "trade": ["trade/해양수산부_수산물품목별수출입현황_202005.csv"],
        "cpi": ["cpi/소비자물가지수.csv"],
    }
    fetched = {urlsplit(r).path for r in portal.requests}
    assert fetched == {
        "/oas/docs",
        f"/odcloud/{TRADE_NS}/uddi:trade-202005",
        f"/ecos/StatisticSearch/{ECOS_KEY}/json/kr/1/1000/901Y009/M/202004/202006/0",
    }
    after = dict(all_bytes(tmp_path))
    for path, data in first:
        if path.name != "manifest.json":
            assert after[path] == data


def test_failure_mid_pagination_keeps_the_old_file_and_leaves_no_temporary_file(portal, tmp_path, monkeypatch):
    from customs_anomaly.download import odcloud

    download(portal, tmp_path, sources=["freight"])
    target = tmp_path / "freight" / writers.FREIGHT_FILE
    before = target.read_bytes()
    manifest = json.loads((tmp_path / "manifest.json").read_bytes())  # forget the entry to force a refetch
    manifest["sources"].pop("freight")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    original = odcloud.fetch_rows
    monkeypatch.setattr(odcloud, "fetch_rows", lambda *a, **k: original(*a, **{**k, "per_page": 5}))
    portal.overrides[f"odcloud:/{FREIGHT_NS}/uddi:freight-new"] = [
        (200, json.dumps(odcloud_page(FREIGHT_ROWS, 1, 5), ensure_ascii=False).encode()),
        (404, b"{}"),
    ]
    fails(portal, tmp_path, ["freight"], r"HTTP 404")
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [writers.FREIGHT_FILE]


def test_atomic_write_failure_mid_write_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "cpi" / "x.csv"
    writers.write_atomic(target, b"old")

    class Boom(Exception):
        pass

    def failing_replace(src, dst):
        raise Boom

    monkeypatch.setattr(writers.os, "replace", failing_replace)
    with pytest.raises(Boom):
        writers.write_atomic(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in target.parent.iterdir()] == ["x.csv"]


# --- secrets -------------------------------------------------------------------------------------


def test_no_key_in_files_or_in_the_manifest_parameters(portal, tmp_path):
    download(portal, tmp_path)
    assert_no_key(tmp_path)
    manifest = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    assert "serviceKey" not in manifest and "StatisticSearch" not in manifest


@pytest.mark.slow
def test_quick_book_holds_no_key(quick_book):
    """The quick book is built with fake keys in the environment (conftest): no produced file,
    text or binary, may contain them."""
    keys = (FAKE_DATA_GO_KR_KEY, FAKE_ECOS_KEY)
    files = all_bytes(quick_book)
    assert len(files) > 10
    for path, data in files:
        for key in keys:
            assert key.encode() not in data, f"{key} occurs in {path}"


def test_oil_first_month_defaults_to_the_study_start_and_a_bad_record_is_named(tmp_path):
    from customs_anomaly.errors import InputError
    from customs_anomaly.sources import recorded_oil_first_month

    assert recorded_oil_first_month(tmp_path) == config.STUDY_START  # replica or hand-placed files
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"sources": {"cpi": {"fetched_at": "2025-05-01"}}}), encoding="utf-8")
    assert recorded_oil_first_month(tmp_path) == config.STUDY_START  # oil not downloaded (manual Petronet file)
    manifest.write_text(json.dumps({"sources": {"oil": {"first_month": "2020-13"}}}), encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest\.json: sources\.oil\.first_month is not a month"):
        recorded_oil_first_month(tmp_path)
