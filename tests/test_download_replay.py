"""The real-data downloader end to end, offline: a replay of data.go.kr (open APIs in XML, odcloud
JSON, the release list), and ECOS on 127.0.0.1, serving the synthetic replica (seed 0) in the
services' response shapes. `download` reaches it through the CUSTOMS_ANOMALY_*_URL variables; what
it writes must load with `load_raw` and merge with `build_panel`.

This module also holds the replay (`ReplayPortal`, `serve`) that test_download.py and
test_download_check.py use.
"""

from __future__ import annotations

import contextlib
import functools
import json
import tempfile
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, quote_plus, unquote, urlsplit
from xml.sax.saxutils import escape

import pandas as pd
import pytest

from customs_anomaly import config, synth
from customs_anomaly.cli import main
from customs_anomaly.download import Choices, download_all, writers
from customs_anomaly.download import catalog as cat
from customs_anomaly.download.http import HttpClient
from customs_anomaly.merge import build_panel
from customs_anomaly.provenance import describe_raw_data
from customs_anomaly.sources import load_raw, read_cpi, read_exchange_rate, read_ppi
from customs_anomaly.sources._csv import read_text_table

# Marker keys: characters that URL-encoding changes, so every encoded form can be searched for.
GO_KEY = "MARKERgo+KEY/with=odd&chars-91f"
ECOS_KEY = "MARKERecosKEY7d3a"
KEYS = {"DATA_GO_KR_SERVICE_KEY": GO_KEY, "ECOS_API_KEY": ECOS_KEY}
TRADE_API_OPERATION = "1192000/replay/getNationSeafoodTrade"  # the replay's own path (the real one is unknown)
START, END = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-07-01")
DUBAI_CODE, OLD_DUBAI_CODE = "010102", "4010102"
MONTH_END_OFFSET = 3.5  # the replay's month-end KRW/USD rate differs from the average by this much
NUMERIC_TRADE_COLUMNS = (
    "HSK품목코드",
    "당월수출입중량(킬로그램)",
    "당월수출입미화금액(달러)",
    "당해누계수출입중량(킬로그램)",
    "당해누계수출입미화금액(달러)",
)


def key_forms(keys=(GO_KEY, ECOS_KEY)) -> set[str]:
    return {form for key in keys for form in (key, quote(key, safe=""), quote_plus(key))}


def assert_no_key(*texts: str, root: Path | None = None) -> None:
    """No form of a marker key in the texts, nor in any file under root."""
    for text in texts:
        for form in key_forms():
            assert form not in text, "a key occurs in an output text"
    if root is not None:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                data = path.read_bytes()
                for form in key_forms():
                    assert form.encode() not in data, f"a key occurs in {path}"


# --- the replica in the services' shapes --------------------------------------------------------


@dataclass(frozen=True)
class Replica:
    trade: dict[pd.Timestamp, list[dict[str, str]]]  # month -> by-country rows (text, Korean keys)
    freight: dict[str, dict[pd.Timestamp, str]]  # route column -> month -> 천원 per 2 TEU
    macro: dict[str, dict[pd.Timestamp, str]]  # usd_krw, Dubai, Brent, WTI, cpi, ppi -> month -> value


def _frame(folder: Path, pattern: str = "*.csv") -> pd.DataFrame:
    return pd.concat([read_text_table(p, ()) for p in sorted(folder.glob(pattern))], ignore_index=True)


def _texts(frame: pd.DataFrame, column: str) -> dict[pd.Timestamp, str]:
    return dict(zip(frame["month"], frame[column].map("{:.2f}".format)))


def read_replica(root: Path) -> Replica:
    """The replica's files for START..END (trade) and every month (the rest), as text."""
    by_month = {}
    for month in config.month_range(START, END):
        release = read_text_table(next((root / "trade").glob(f"*{month:%Y%m}.csv")), ())
        by_month[month] = release.to_dict("records")
    freight = _frame(root / "freight")
    months = pd.to_datetime(freight["기간"])
    routes = {route: dict(zip(months, freight[route])) for route in config.FREIGHT_ROUTES}
    macro = {
        "usd_krw": _texts(read_exchange_rate(root / "exchange_rate"), "usd_krw"),
        "cpi": _texts(read_cpi(root / "cpi"), "cpi"),
        "ppi": _texts(read_ppi(root / "ppi"), "ppi"),
    }
    oil = _frame(root / "oil")
    oil_months = config.month_range(config.STUDY_START, config.STUDY_START + pd.DateOffset(months=len(oil) - 1))
    for name in ("Dubai", "Brent", "WTI"):
        macro[name] = dict(zip(oil_months, oil[name]))
    return Replica(by_month, routes, macro)


@functools.cache
def replica_data() -> Replica:
    """Written once per test process (about a second), then served from memory."""
    with tempfile.TemporaryDirectory() as root:
        synth.write_replica(Path(root), seed=0)
        return read_replica(Path(root))


def odcloud_row(row: dict[str, str]) -> dict:
    """A release row as odcloud serves it: numeric columns as JSON numbers (the HSK code too)."""
    return {k: int(float(v)) if k in NUMERIC_TRADE_COLUMNS else v for k, v in row.items()}


def api_item(row: dict[str, str]) -> dict[str, str]:
    """A by-country row as the open API 15057607 would carry it: this month only, 10-digit code."""
    fields = {column: name for column, (name, _) in cat.TRADE_API_FIELDS.items()}
    return {
        fields["기준년월"]: row["기준년월"].replace("-", ""),
        fields["국가코드"]: row["국가코드"],
        fields["국가명"]: row["국가명"],
        fields["경제권명"]: row["경제권명"],
        fields["HSK품목코드"]: row["HSK품목코드"].zfill(10),
        fields["수출입구분코드"]: {"E": "1", "I": "2"}[row["수출입구분코드"]],  # not E/I: the name decides
        fields["수출입구분명"]: row["수출입구분명"],
        fields["수산물수출입품목명"]: row["수산물수출입품목명"],
        fields["당월수출입중량(킬로그램)"]: row["당월수출입중량(킬로그램)"],
        fields["당월수출입미화금액(달러)"]: row["당월수출입미화금액(달러)"],
    }


# --- response bodies ------------------------------------------------------------------------------


def xml_items(code: str, message: str, items: list[dict], rows: int, page: int, total: int) -> bytes:
    body = "".join(
        "<item>" + "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in item.items()) + "</item>" for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><response><header>'
        f"<resultCode>{code}</resultCode><resultMsg>{message}</resultMsg></header><body><items>{body}</items>"
        f"<numOfRows>{rows}</numOfRows><pageNo>{page}</pageNo><totalCount>{total}</totalCount></body></response>"
    ).encode()


def xml_result(code: str, message: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><response><header><resultCode>{code}</resultCode>'
        f"<resultMsg>{message}</resultMsg></header></response>"
    ).encode()


def gateway_error(code: str, message: str) -> bytes:
    return (
        "<OpenAPI_ServiceResponse><cmmMsgHeader><errMsg>SERVICE ERROR</errMsg>"
        f"<returnAuthMsg>{message}</returnAuthMsg><returnReasonCode>{code}</returnReasonCode>"
        "</cmmMsgHeader></OpenAPI_ServiceResponse>"
    ).encode()


def json_body(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def ecos_result(code: str, message: str) -> bytes:
    return json_body({"RESULT": {"CODE": code, "MESSAGE": message}})


NO_DATA = xml_result("03", "NODATA_ERROR")
UNKNOWN_OPERATION = gateway_error("12", "NO_OPENAPI_SERVICE_ERROR")
UNREGISTERED_KEY = gateway_error("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR")
ECOS_BAD_KEY = ecos_result(
    "INFO-100", "인증키가 유효하지 않습니다. 인증키를 확인하십시오! 인증키가 없는 경우 인증키를 신청하십시오!"
)
ECOS_NO_DATA = ecos_result("INFO-200", "해당하는 데이터가 없습니다.")
ODCLOUD_BAD_KEY = json_body({"code": -4, "msg": "등록되지 않은 인증키 입니다."})


def paged(items: list, rows: int, page: int) -> list:
    return items[(page - 1) * rows : page * rows]


# --- the replay server ----------------------------------------------------------------------------


@dataclass
class ReplayPortal:
    """Fake data.go.kr + odcloud + ECOS over the replica. `overrides[route]` is a list of
    (status, body) answers served first, one per request; `requests` records every request line."""

    replica: Replica
    requests: list[str] = field(default_factory=list)
    overrides: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)
    trade_namespace: str = cat.TRADE_DATASET.namespace
    trade_columns_dropped: tuple[str, ...] = ()  # the by-item variant drops the country columns
    trade_api_format: str = "xml"
    last_published: pd.Timestamp = END  # later months: resultCode 03 (trade API) / absent (freight)
    oil_items: list[dict] = field(default_factory=list)
    base: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self):
        if not self.oil_items:
            self.oil_items = [
                {"ITEM_CODE": OLD_DUBAI_CODE, "ITEM_NAME": "두바이(Dubai)", "CYCLE": "M", "END_TIME": "201012"},
                {"ITEM_CODE": DUBAI_CODE, "ITEM_NAME": "두바이유(Dubai)", "CYCLE": "M", "END_TIME": "202504"},
                {"ITEM_CODE": DUBAI_CODE, "ITEM_NAME": "두바이유(Dubai)", "CYCLE": "D", "END_TIME": "20250430"},
                {"ITEM_CODE": "010103", "ITEM_NAME": "브렌트유(Brent)", "CYCLE": "M", "END_TIME": "202504"},
                {"ITEM_CODE": "010101", "ITEM_NAME": "서부텍사스유(WTI)", "CYCLE": "M", "END_TIME": "202504"},
            ]

    @property
    def env(self) -> dict[str, str]:
        """Keys and the four base-URL variables pointing here."""
        return {
            **KEYS,
            "CUSTOMS_ANOMALY_APIS_URL": f"{self.base}/apis",
            "CUSTOMS_ANOMALY_ODCLOUD_URL": f"{self.base}/odcloud",
            "CUSTOMS_ANOMALY_ODCLOUD_DOCS_URL": f"{self.base}/oas/docs",
            "CUSTOMS_ANOMALY_ECOS_URL": f"{self.base}/ecos",
        }

    def routed(self, prefix: str) -> list[str]:
        return [r for r in self.requests if urlsplit(r).path.startswith(prefix)]

    def answer(self, raw: str) -> tuple[int, bytes]:
        parts = urlsplit(raw)
        segments = [unquote(s) for s in parts.path.split("/")[1:]]
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        route = self.route_of(segments)
        with self.lock:
            self.requests.append(raw)
            queue = self.overrides.get(route)
            if queue:
                return queue.pop(0)
        handler = {"apis": self.apis, "odcloud": self.odcloud, "oas": self.oas, "ecos": self.ecos}.get(segments[0])
        return handler(segments[1:], query) if handler else (404, b"not found")

    @staticmethod
    def route_of(segments: list[str]) -> str:
        if segments[0] == "ecos" and len(segments) > 7:  # ecos/SERVICE/KEY/json/kr/FIRST/LAST/TABLE/...
            return f"ecos:{segments[1]}:{segments[7]}"
        return f"{segments[0]}:{'/'.join(segments[1:])}"

    # data.go.kr open APIs: freight (XML only) and the by-country trade API (XML or JSON)
    def apis(self, segments: list[str], query: dict) -> tuple[int, bytes]:
        if query.get("serviceKey") != GO_KEY:
            return 200, UNREGISTERED_KEY
        operation = "/".join(segments)
        rows, page = int(query.get("numOfRows", 10)), int(query.get("pageNo", 1))
        if operation == cat.FREIGHT_API.operation:
            return 200, self.freight(query, rows, page)
        if operation == TRADE_API_OPERATION:
            return 200, self.trade_api(query, rows, page)
        return 200, UNKNOWN_OPERATION

    def freight(self, query: dict, rows: int, page: int) -> bytes:
        route = cat.FREIGHT_ROUTE_CODES.get(query.get("cntyCd", ""))
        if route is None or query.get("imexTpcd") not in ("1", "2"):
            return xml_result("99", "UNKNOWN_ERROR")
        first, last = pd.Timestamp(query["strtYymm"] + "01"), pd.Timestamp(query["endYymm"] + "01")
        values = self.replica.freight[route]
        months = [m for m in sorted(values) if first <= m <= min(last, self.last_published)]
        items = [
            {"year": f"{m:%Y.%m}", "statCd": query["cntyCd"], "statCdCntnKor1": route, "imexTrnpCst": values[m]}
            for m in months
        ]
        if not items:
            return NO_DATA
        return xml_items("00", "NORMAL SERVICE.", paged(items, rows, page), rows, page, len(items))

    def trade_api(self, query: dict, rows: int, page: int) -> bytes:
        month = pd.Timestamp(query["baseDt"] + "01")
        source = self.replica.trade.get(month) if month <= self.last_published else None
        if not source:
            return NO_DATA
        items = [
            api_item(r) for r in source if float(r["당월수출입중량(킬로그램)"]) or float(r["당월수출입미화금액(달러)"])
        ]
        part = paged(items, rows, page)
        if self.trade_api_format == "json":
            header = {"resultCode": "00", "resultMsg": "NORMAL SERVICE."}
            body = {"items": {"item": part}, "numOfRows": rows, "pageNo": page, "totalCount": len(items)}
            return json_body({"response": {"header": header, "body": body}})
        return xml_items("00", "NORMAL SERVICE.", part, rows, page, len(items))

    # odcloud file dataset and its release list
    def release_path(self, month: pd.Timestamp) -> str:
        return f"/{self.trade_namespace}/uddi:replay-trade-{month:%Y%m}"

    def oas(self, segments: list[str], query: dict) -> tuple[int, bytes]:
        if query.get("namespace") != self.trade_namespace:
            return 200, json_body({"openapi": "3.0.1", "paths": {}})
        paths = {
            self.release_path(m): {
                "get": {"summary": f"해양수산부_수산물품목별수출입현황_{m + pd.offsets.MonthEnd(0):%Y%m%d}"}
            }
            for m in self.replica.trade
        }
        return 200, json_body({"openapi": "3.0.1", "paths": paths})

    def odcloud(self, segments: list[str], query: dict) -> tuple[int, bytes]:
        if query.get("serviceKey") != GO_KEY:
            return 401, ODCLOUD_BAD_KEY
        by_path = {self.release_path(m): m for m in self.replica.trade}
        month = by_path.get("/" + "/".join(segments))
        if month is None:
            return 404, json_body({"code": -404, "msg": "요청하신 리소스를 찾을 수 없습니다."})
        rows = [
            {k: v for k, v in odcloud_row(r).items() if k not in self.trade_columns_dropped}
            for r in self.replica.trade[month]
        ]
        page, per_page = int(query.get("page", 1)), int(query.get("perPage", 10))
        part = paged(rows, per_page, page)
        return 200, json_body(
            {
                "currentCount": len(part),
                "data": part,
                "matchCount": len(rows),
                "page": page,
                "perPage": per_page,
                "totalCount": len(rows),
            }
        )

    # ECOS
    def ecos(self, segments: list[str], query: dict) -> tuple[int, bytes]:
        service, key = segments[0], segments[1]
        if key != ECOS_KEY:
            return 200, ECOS_BAD_KEY
        first, last = int(segments[4]), int(segments[5])
        if service == "StatisticItemList":
            rows = [{"STAT_CODE": segments[6], **item} for item in self.oil_items] if segments[6] == "902Y003" else []
            if not rows:
                return 200, ECOS_NO_DATA
            return 200, json_body({service: {"list_total_count": len(rows), "row": rows[first - 1 : last]}})
        table, start, end, items = segments[6], segments[8], segments[9], segments[10:]
        rows = self.ecos_rows(table, items, pd.Timestamp(start + "01"), pd.Timestamp(end + "01"))
        if not rows:
            return 200, ECOS_NO_DATA
        return 200, json_body({service: {"list_total_count": len(rows), "row": rows[first - 1 : last]}})

    def ecos_rows(self, table: str, items: list[str], start: pd.Timestamp, end: pd.Timestamp) -> list[dict]:
        macro = self.replica.macro
        oil = {
            item["ITEM_CODE"]: name
            for name in ("Dubai", "Brent", "WTI")
            for item in self.oil_items
            if item["CYCLE"] == "M" and name.lower() in item["ITEM_NAME"].lower() and item["END_TIME"] >= "2025"
        }
        series: list[tuple[tuple[str, ...], dict]] = []
        if table == "731Y004" and items[:1] == ["0000001"]:
            month_end = {m: f"{float(v) + MONTH_END_OFFSET:.2f}" for m, v in macro["usd_krw"].items()}
            both = [(("0000001", "0000100"), macro["usd_krw"]), (("0000001", "0000200"), month_end)]
            series = [s for s in both if len(items) == 1 or s[0][1] == items[1]]
        elif table == "901Y009" and items == ["0"]:
            series = [(("0",), macro["cpi"])]
        elif table == "404Y014" and items == ["*AA"]:
            series = [(("*AA",), macro["ppi"])]
        elif table == "902Y003" and len(items) == 1 and items[0] in oil:
            series = [((items[0],), macro[oil[items[0]]])]
        rows = []
        for codes, values in series:
            for month in sorted(m for m in values if start <= m <= end):
                row = {"STAT_CODE": table, "STAT_NAME": "replay", "UNIT_NAME": "", "WGT": None}
                for n in range(1, 5):
                    row[f"ITEM_CODE{n}"] = codes[n - 1] if n <= len(codes) else None
                    row[f"ITEM_NAME{n}"] = codes[n - 1] if n <= len(codes) else None
                rows.append({**row, "TIME": f"{month:%Y%m}", "DATA_VALUE": values[month]})
        return rows


@contextlib.contextmanager
def serve(replica: Replica):
    portal = ReplayPortal(replica)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = portal.answer(self.path)
            kind = "application/xml" if body.lstrip().startswith(b"<") else "application/json"
            self.send_response(status)
            self.send_header("Content-Type", f"{kind};charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    portal.base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def portal():
    with serve(replica_data()) as state:
        yield state


def quiet_client(sleeps: list | None = None) -> HttpClient:
    return HttpClient(sleep=sleeps.append if sleeps is not None else (lambda s: None), backoff_seconds=0.5)


def fetch(portal: ReplayPortal, out: Path, sources=None, *, env=None, client=None, **kwargs):
    """download_all against the replay, base URLs from the environment mapping."""
    start, end = kwargs.pop("start", START), kwargs.pop("end", END)
    options = {"env": portal.env if env is None else env, "dotenv": (), "progress": False, **kwargs}
    options["client"] = client or quiet_client()
    if sources is not None:
        options["sources"] = sources
    return download_all(out, start, end, **options)


# --- end to end ---------------------------------------------------------------------------------


def test_cli_download_through_the_base_url_variables_builds_a_panel(portal, tmp_path, monkeypatch, capsys):
    for name, value in portal.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("customs_anomaly.download.keys.dotenv_paths", lambda: ())
    out = tmp_path / "real"
    assert main(["download", "--out", str(out), "--from", "2020-01", "--to", "2020-07"]) == 0
    printed = capsys.readouterr()
    assert "trade: 7 file(s) fetched" in printed.out and "freight: 1 file(s) fetched" in printed.out

    panel_file = tmp_path / "panel.parquet"
    assert main(["merge", "--raw", str(out), "--out", str(panel_file)]) == 0 and panel_file.is_file()
    capsys.readouterr()
    raw = load_raw(out)
    result = build_panel(raw)
    panel = result.panel
    assert set(panel["month"]) == set(config.month_range(config.STUDY_START, END))
    assert set(panel["region"]) == set(config.REGIONS)
    may = panel[panel["month"] == pd.Timestamp("2020-05-01")].iloc[0]
    assert may["usd_krw"] == pytest.approx(float(portal.replica.macro["usd_krw"][pd.Timestamp("2020-05-01")]))
    assert may["dubai_usd"] == pytest.approx(float(portal.replica.macro["Dubai"][pd.Timestamp("2020-05-01")]))
    replica_rows = sum(len(rows) for rows in portal.replica.trade.values())
    assert len(raw.trade) == replica_rows  # every row of every release, none lost in paging

    # the same panel as from the replica's own files for these months
    assert raw.freight.set_index(["month", "route"]).loc[
        (pd.Timestamp("2020-03-01"), "베트남"), "freight_kkrw_per_2teu"
    ] == (float(portal.replica.freight["베트남"][pd.Timestamp("2020-03-01")]))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    origins = {s: e["origin"] for s, e in manifest["sources"].items()}
    assert origins["freight"] == {
        "service": "data.go.kr open API",
        "id": "15129097",
        "operation": "1220000/seaimextrnpcst/getSeaImexTrnpCst",
    }
    assert origins["trade"]["id"] == "15102783/v1" and origins["oil"]["operation"].startswith("StatisticSearch 902Y003")
    provenance = describe_raw_data(out)
    assert provenance.kind == "real" and len(provenance.origins) == 6
    assert "해상운임: data.go.kr open API 15129097 1220000/seaimextrnpcst/getSeaImexTrnpCst" in provenance.detail
    assert_no_key(printed.out, printed.err, root=out)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert "serviceKey" not in text and "StatisticSearch/" not in text


def test_exchange_rate_is_the_monthly_average_when_ecos_returns_both_items(portal, tmp_path):
    # A mirror that drops ITEM2 answers both the average (0000100) and the month-end rate (0000200).
    both = portal.ecos_rows("731Y004", ["0000001"], START, END)
    assert {r["ITEM_CODE2"] for r in both} == {"0000100", "0000200"}
    portal.overrides["ecos:StatisticSearch:731Y004"] = [
        (200, json_body({"StatisticSearch": {"list_total_count": len(both), "row": both}}))
    ]
    fetch(portal, tmp_path, ["exchange_rate"])
    assert portal.overrides["ecos:StatisticSearch:731Y004"] == []  # the mixed answer was served
    rate = load_raw_part(tmp_path, "exchange_rate")
    expected = {m: float(v) for m, v in portal.replica.macro["usd_krw"].items() if m <= END}
    assert dict(zip(rate["month"], rate["usd_krw"])) == pytest.approx(expected)


def load_raw_part(raw: Path, source: str) -> pd.DataFrame:
    from customs_anomaly import sources

    reader = {"exchange_rate": sources.read_exchange_rate, "freight": sources.read_freight, "trade": sources.read_trade}
    return reader[source](raw / config.RAW_SOURCE_DIRS[source])


def test_dubai_is_looked_up_by_name_whatever_its_code(portal, tmp_path):
    portal.oil_items = [
        {"ITEM_CODE": OLD_DUBAI_CODE, "ITEM_NAME": "Dubai", "CYCLE": "M", "END_TIME": "202504"},
        {"ITEM_CODE": "4010103", "ITEM_NAME": "Brent", "CYCLE": "M", "END_TIME": "202504"},
    ]
    reports = fetch(portal, tmp_path, ["oil"])
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert "902Y003/M/4010102 (Dubai)" in manifest["sources"]["oil"]["files"][0]["resource"]
    assert any("WTI left blank" in note for note in reports["oil"].notes)
    lines = (tmp_path / "oil" / writers.OIL_FILE).read_text(encoding="utf-8-sig").splitlines()
    may = portal.replica.macro
    assert lines[1] == f"05월,,{may['Dubai'][config.STUDY_START]},{may['Brent'][config.STUDY_START]},,"
    assert manifest["sources"]["oil"]["first_month"] == "2020-05"
    searched = [unquote(urlsplit(r).path) for r in portal.routed("/ecos/StatisticSearch/")]
    assert all(p.split("/")[-1] in (OLD_DUBAI_CODE, "4010103") for p in searched)


def test_freight_comes_in_twelve_month_calls_for_six_routes_with_paging(portal, tmp_path, monkeypatch):
    from customs_anomaly.download import freight

    original = freight.fetch_freight
    monkeypatch.setattr(freight, "fetch_freight", lambda run, source: original(run, source, rows_per_page=5))
    start, end = pd.Timestamp("2019-01-01"), pd.Timestamp("2020-06-01")  # 18 months: a 12- and a 6-month call
    fetch(portal, tmp_path, ["freight"], start=start, end=end)
    calls = [parse_qs(urlsplit(r).query) for r in portal.routed("/apis/1220000/")]
    spans = {(q["cntyCd"][0], q["strtYymm"][0], q["endYymm"][0], q["pageNo"][0]) for q in calls}
    assert {q["imexTpcd"][0] for q in calls} == {"2"} and {q["numOfRows"][0] for q in calls} == {"5"}
    for code in cat.FREIGHT_ROUTE_CODES:
        assert {(s[1], s[2]) for s in spans if s[0] == code} == {("201901", "201912"), ("202001", "202006")}
        assert {s[3] for s in spans if s[0] == code and s[1] == "201901"} == {"1", "2", "3"}  # 12 items, 5 a page
    frame = load_raw_part(tmp_path, "freight")
    assert len(frame) == 18 * 6
    wide = frame.pivot(index="month", columns="route", values="freight_kkrw_per_2teu")
    for route, values in portal.replica.freight.items():
        expected = {m: float(v) if v else float("nan") for m, v in values.items() if start <= m <= end}
        assert wide[route].to_dict() == pytest.approx(expected, nan_ok=True)


def test_trade_from_the_open_api_rebuilds_the_release_with_year_to_date(portal, tmp_path):
    portal.trade_api_format = "json"
    start = pd.Timestamp("2020-03-01")
    choices = Choices.from_options(trade_api_operation=TRADE_API_OPERATION)
    reports = fetch(portal, tmp_path, ["trade"], choices=choices, start=start)
    assert len(reports["trade"].fetched) == 5  # 2020-03..07; January and February only feed the sums
    asked = [parse_qs(urlsplit(r).query)["baseDt"][0] for r in portal.routed("/apis/1192000/")]
    assert sorted(set(asked)) == [f"2020{m:02d}" for m in range(1, 8)]
    trade = load_raw_part(tmp_path, "trade")
    assert sorted(trade["month"].unique()) == list(config.month_range(start, END))
    assert trade["hsk_code"].str.len().eq(10).all()

    # this month's columns as the replica published them; year-to-date = the sum since January
    published = pd.DataFrame([r for month in sorted(portal.replica.trade) for r in portal.replica.trade[month]])
    published["month"] = pd.to_datetime(published["기준년월"])
    published["key"] = published["HSK품목코드"].str.zfill(10) + published["국가명"] + published["수출입구분코드"]
    published["weight"] = published["당월수출입중량(킬로그램)"].astype(float)
    published["ytd"] = published.groupby("key")["weight"].cumsum()
    mine = trade.assign(key=trade["hsk_code"] + trade["country_name"] + trade["trade_flow"])
    mine = mine.set_index(["month", "key"])
    theirs = published[published["ytd"] > 0].set_index(["month", "key"]).loc[mine.index.unique()]
    assert len(mine) == len(theirs)
    assert mine["weight_kg"].to_numpy() == pytest.approx(theirs["weight"].to_numpy())
    assert mine["ytd_weight_kg"].to_numpy() == pytest.approx(theirs["ytd"].to_numpy())
    assert (mine["weight_kg"] == 0).any()  # pairs traded earlier in the year stay, with 0 this month


def test_trade_api_months_not_yet_published_are_reported_missing(portal, tmp_path):
    portal.last_published = pd.Timestamp("2020-05-01")
    choices = Choices.from_options(trade_api_operation=TRADE_API_OPERATION)
    reports = fetch(portal, tmp_path, ["trade"], choices=choices)
    assert reports["trade"].missing_months == ["2020-06", "2020-07"]
    assert "no data on the portal for 2020-06, 2020-07" in reports["trade"].summary()
    asked = [parse_qs(urlsplit(r).query)["baseDt"][0] for r in portal.routed("/apis/1192000/")]
    assert asked[-1] == "202006"  # stopped at the first empty month (resultCode 03)
    assert sorted(p.name[-10:-4] for p in (tmp_path / "trade").iterdir()) == [f"2020{m:02d}" for m in range(1, 6)]


def test_by_item_dataset_is_refused_before_anything_is_written(portal, tmp_path):
    portal.trade_columns_dropped = cat.TRADE_DATASET.required_columns
    with pytest.raises(
        Exception, match=r"^trade: dataset 15102783/v1 .* has no 국가코드, 국가명, 경제권명 column"
    ) as info:
        fetch(portal, tmp_path, ["trade"])
    assert "--trade-api-operation" in str(info.value)
    assert len(portal.routed("/odcloud/")) == 1  # refused on the first page
    assert not (tmp_path / "trade").exists()


def test_interrupted_runs_resume_without_refetching_complete_files(portal, tmp_path):
    failing = [(500, b"Internal Server Error")] * 5  # retries exhausted
    portal.overrides[f"odcloud:{portal.release_path(pd.Timestamp('2020-04-01')).lstrip('/')}"] = list(failing)
    with pytest.raises(Exception, match=r"^trade: GET .* failed: HTTP 500"):
        fetch(portal, tmp_path)
    written = {p: p.read_bytes() for p in (tmp_path / "trade").iterdir()}
    assert sorted(p.name[-10:-4] for p in written) == ["202001", "202002", "202003"]

    portal.requests.clear()
    portal.overrides["ecos:StatisticItemList:902Y003"] = list(failing)
    with pytest.raises(Exception, match=r"^oil: GET .*StatisticItemList/\*\*\*/.* failed: HTTP 500"):
        fetch(portal, tmp_path)
    odcloud_paths = {urlsplit(r).path.rsplit("-", 1)[-1] for r in portal.routed("/odcloud/")}
    assert odcloud_paths == {"202004", "202005", "202006", "202007"}  # the first three months were complete
    assert all(p.read_bytes() == data for p, data in written.items())

    portal.requests.clear()
    reports = fetch(portal, tmp_path)
    assert {s: bool(r.fetched) for s, r in reports.items()} == {
        "trade": False,
        "freight": False,
        "exchange_rate": False,
        "oil": True,
        "cpi": True,
        "ppi": True,
    }
    assert not portal.routed("/odcloud/") and not portal.routed("/apis/") and not portal.routed("/oas/")
    assert {urlsplit(r).path.split("/")[2] for r in portal.requests} == {"StatisticItemList", "StatisticSearch"}
    assert len(load_raw(tmp_path).trade["month"].unique()) == 7
    assert_no_key(root=tmp_path)
