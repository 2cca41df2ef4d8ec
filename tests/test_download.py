"""The real-data downloader, offline, piece by piece: the portals' error forms become one-line
errors naming the source and the portal's code; keys, base URLs, options, retries, atomic writes
and re-runs. The replay server and the end-to-end runs live in test_download_replay.py."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
from conftest import FAKE_DATA_GO_KR_KEY, FAKE_ECOS_KEY
from test_download_replay import (
    ECOS_KEY,
    GO_KEY,
    KEYS,
    NO_DATA,
    TRADE_API_OPERATION,
    assert_no_key,
    fetch,
    gateway_error,
    json_body,
    quiet_client,
    replica_data,
    serve,
    xml_result,
)

from customs_anomaly import config
from customs_anomaly.cli import main
from customs_anomaly.download import Choices, Endpoints, download_all, writers
from customs_anomaly.download import catalog as cat
from customs_anomaly.download.datagokr import parse_page
from customs_anomaly.download.endpoints import join
from customs_anomaly.download.freight import windows
from customs_anomaly.download.http import HttpClient
from customs_anomaly.download.keys import read_key
from customs_anomaly.errors import DownloadError
from customs_anomaly.provenance import describe_raw_data

FREIGHT_ROUTE = f"apis:{cat.FREIGHT_API.operation}"
ONE_MONTH = {"start": pd.Timestamp("2020-05-01"), "end": pd.Timestamp("2020-05-01")}


@pytest.fixture
def portal():
    with serve(replica_data()) as state:
        yield state


def fails(portal, tmp_path, sources, pattern, **kwargs) -> DownloadError:
    """The download fails with a one-line error matching `pattern` and holding no key."""
    with pytest.raises(DownloadError, match=pattern) as info:
        fetch(portal, tmp_path, sources, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert_no_key(message)
    return info.value


# --- data.go.kr open API (freight, trade) error forms ------------------------------------------


def test_wrong_operation_name_is_result_code_12(portal, tmp_path):
    wrong = "1220000/seaimextrnpcst/getSeaimextrnpcstList"  # the name one public program got wrong
    error = fails(
        portal,
        tmp_path,
        ["freight"],
        r"^freight: 1220000/seaimextrnpcst/getSeaimextrnpcstList cntyCd=USW 2020-05\.\.2020-05: data\.go\.kr "
        r"resultCode 12 \('NO_OPENAPI_SERVICE_ERROR'\) — NO_OPENAPI_SERVICE_ERROR: no such operation",
        choices=Choices.from_options(freight_operation=wrong),
        **ONE_MONTH,
    )
    assert error.code == "12"
    assert not (tmp_path / "freight").exists()


def test_unknown_route_code_is_result_code_99(portal, tmp_path):
    portal.overrides[FREIGHT_ROUTE] = [(200, xml_result("99", "UNKNOWN_ERROR"))]
    fails(portal, tmp_path, ["freight"], r"^freight: .* cntyCd=USW .*resultCode 99 \('UNKNOWN_ERROR'\) — UNKNOWN_ERROR")


def test_unregistered_key_is_result_code_30_and_names_no_key(portal, tmp_path):
    env = {**portal.env, "DATA_GO_KR_SERVICE_KEY": "MARKERwrong-go-key"}
    error = fails(portal, tmp_path, ["freight"], r"resultCode 30 .*the key is not registered", env=env)
    assert "MARKERwrong-go-key" not in str(error)


def test_gateway_refusal_with_http_401_carries_the_portal_code(portal, tmp_path):
    portal.overrides[FREIGHT_ROUTE] = [(401, gateway_error("31", "DEADLINE_HAS_EXPIRED_ERROR"))]
    error = fails(portal, tmp_path, ["freight"], r"HTTP 401 — returnAuthMsg=DEADLINE_HAS_EXPIRED_ERROR")
    assert (error.status, error.code) == (401, "31")
    assert "serviceKey=***" in str(error)


def test_freight_without_any_data_is_an_error(portal, tmp_path):
    late = {"start": pd.Timestamp("2030-01-01"), "end": pd.Timestamp("2030-02-01")}
    fails(portal, tmp_path, ["freight"], r"^freight: .* has no data for 2030-01\.\.2030-02 on any route", **late)


def test_freight_months_not_yet_published_are_reported(portal, tmp_path):
    portal.last_published = pd.Timestamp("2020-05-01")
    reports = fetch(portal, tmp_path, ["freight"])
    assert reports["freight"].missing_months == ["2020-06", "2020-07"]


def test_malformed_xml_is_an_error_naming_the_source(portal, tmp_path):
    portal.overrides[FREIGHT_ROUTE] = [(200, b"<response><header><resultCode>00</resultCode>")]
    fails(portal, tmp_path, ["freight"], r"^freight: GET .*serviceKey=\*\*\*.*: unexpected answer, malformed XML")


def test_a_freight_value_that_is_not_a_number_is_named(portal, tmp_path):
    body = (
        b"<response><header><resultCode>00</resultCode></header><body><items><item><year>2020.05</year>"
        b"<imexTrnpCst>n/a</imexTrnpCst></item></items><totalCount>1</totalCount></body></response>"
    )
    portal.overrides[FREIGHT_ROUTE] = [(200, body)]
    fails(portal, tmp_path, ["freight"], r"cntyCd=USW 2020-01\.\.2020-07 2020-05: imexTrnpCst='n/a' is not a number")


def test_trade_api_without_a_flow_it_understands_is_refused(portal, tmp_path):
    item = "<item><stdYymm>202001</stdYymm><mprcExipitmCode>0302110000</mprcExipitmCode><imxprtSeCode>9</imxprtSeCode>"
    body = f"<response><header><resultCode>00</resultCode></header><body><items>{item}</item></items></body></response>"
    portal.overrides[f"apis:{TRADE_API_OPERATION}"] = [(200, body.encode())]
    choices = Choices.from_options(trade_api_operation=TRADE_API_OPERATION)
    fails(portal, tmp_path, ["trade"], r"^trade: baseDt=202001: cannot tell export from import", choices=choices)


def test_the_first_empty_trade_api_year_is_an_error(portal, tmp_path):
    portal.overrides[f"apis:{TRADE_API_OPERATION}"] = [(200, NO_DATA)] * 12
    choices = Choices.from_options(trade_api_operation=TRADE_API_OPERATION)
    fails(
        portal, tmp_path, ["trade"], r"^trade: open API 15057607 .* has no data for 2020-01\.\.2020-07", choices=choices
    )


def test_rest_answers_in_json_and_xml_read_the_same():
    xml = (
        b"<response><header><resultCode>0</resultCode><resultMsg>OK</resultMsg></header><body><items>"
        b"<item><year>2024.01</year><imexTrnpCst>2,345</imexTrnpCst></item></items>"
        b"<totalCount>1</totalCount></body></response>"
    )
    one = {"year": "2024.01", "imexTrnpCst": "2,345"}
    as_json = json_body(
        {
            "response": {
                "header": {"resultCode": "00", "resultMsg": "OK"},
                "body": {"items": {"item": one}, "totalCount": 1},
            }
        }
    )
    assert parse_page(xml) == parse_page(as_json)
    assert parse_page(xml).code == "00" and parse_page(xml).items == [one]
    empty = json_body({"response": {"header": {"resultCode": "03"}, "body": {"items": "", "totalCount": 0}}})
    assert parse_page(empty).items == [] and parse_page(empty).code == "03"
    with pytest.raises(ValueError, match="neither XML nor JSON"):
        parse_page(b"Service Unavailable")


def test_freight_windows_cover_the_period_in_twelve_month_calls():
    spans = windows(pd.Timestamp("2019-01-01"), pd.Timestamp("2021-02-01"))
    assert [(f"{a:%Y%m}", f"{b:%Y%m}") for a, b in spans] == [
        ("201901", "201912"),
        ("202001", "202012"),
        ("202101", "202102"),
    ]
    assert windows(pd.Timestamp("2020-05-01"), pd.Timestamp("2020-05-01")) == [
        (pd.Timestamp("2020-05-01"), pd.Timestamp("2020-05-01"))
    ]
    assert set(cat.FREIGHT_ROUTE_CODES.values()) == set(config.FREIGHT_ROUTES)


# --- odcloud and ECOS error forms ----------------------------------------------------------------


def test_empty_odcloud_release_is_an_error_and_writes_nothing(portal, tmp_path):
    path = portal.release_path(pd.Timestamp("2020-01-01")).lstrip("/")
    empty = {"currentCount": 0, "data": [], "matchCount": 0, "page": 1, "perPage": 1000, "totalCount": 0}
    portal.overrides[f"odcloud:{path}"] = [(200, json_body(empty))]
    fails(portal, tmp_path, ["trade"], r"^trade: release .*replay-trade-202001 for 2020-01 is empty \(totalCount 0\)")
    assert not (tmp_path / "trade").exists() and not (tmp_path / "manifest.json").exists()


def test_a_wrong_trade_dataset_id_lists_no_release(portal, tmp_path):
    choices = Choices.from_options(trade_dataset="15000000")
    fails(
        portal,
        tmp_path,
        ["trade"],
        r"^trade: dataset 15000000/v1 has no release \(is the id right\?\)",
        choices=choices,
    )


def test_invalid_odcloud_key_http_401_payload_becomes_a_clear_message(portal, tmp_path):
    env = {**portal.env, "DATA_GO_KR_SERVICE_KEY": "MARKERwrong"}
    error = fails(
        portal,
        tmp_path,
        ["trade"],
        r"^trade: GET .*serviceKey=\*\*\* failed: HTTP 401 — code -4: 등록되지 않은 인증키 입니다\. — the key is not "
        r"registered",
        env=env,
    )
    assert (error.status, error.code) == (401, "-4")


def test_quota_exceeded_is_retried_then_reported(portal, tmp_path):
    path = portal.release_path(pd.Timestamp("2020-01-01")).lstrip("/")
    body = json_body({"code": -429, "msg": "일일 트래픽 한도를 초과했습니다."})
    portal.overrides[f"odcloud:{path}"] = [(429, body)] * 5
    sleeps: list[float] = []
    fails(
        portal,
        tmp_path,
        ["trade"],
        r"HTTP 429 — code -429: 일일 트래픽 한도를 초과했습니다\. — the request quota",
        client=quiet_client(sleeps),
    )
    assert sleeps == [0.5, 1.0, 2.0, 4.0]  # exponential back-off, then give up


def test_ecos_info_200_no_data(portal, tmp_path):
    late = {"start": pd.Timestamp("2030-01-01"), "end": pd.Timestamp("2030-02-01")}
    error = fails(
        portal, tmp_path, ["cpi"], r"^cpi: ECOS INFO-200 .*901Y009/M/0.*해당하는 데이터가 없습니다.*no data", **late
    )
    assert error.code == "INFO-200"
    assert not (tmp_path / "cpi").exists()


def test_ecos_info_100_invalid_key_names_the_variable(portal, tmp_path):
    env = {**portal.env, "ECOS_API_KEY": "MARKERwrong-ecos-key"}
    error = fails(portal, tmp_path, ["ppi"], r"^ppi: ECOS INFO-100 .*check ECOS_API_KEY", env=env)
    assert "MARKERwrong-ecos-key" not in str(error)


def test_malformed_json_is_an_error(portal, tmp_path):
    portal.overrides["ecos:StatisticSearch:404Y014"] = [(200, b'{"StatisticSearch": {"list_total_count": 3, "row": [')]
    fails(portal, tmp_path, ["ppi"], r"^ppi: GET .*/ecos/StatisticSearch/\*\*\*/json/.*not valid JSON")
    assert not (tmp_path / "ppi").exists()


def test_an_ambiguous_dubai_item_is_refused_with_the_candidates(portal, tmp_path):
    portal.oil_items = [
        {"ITEM_CODE": "010102", "ITEM_NAME": "두바이유 현물", "CYCLE": "M", "END_TIME": "202504"},
        {"ITEM_CODE": "010199", "ITEM_NAME": "두바이유 선물", "CYCLE": "M", "END_TIME": "202504"},
    ]
    fails(
        portal,
        tmp_path,
        ["oil"],
        r"^oil: ECOS table 902Y003 has several items named like dubai/두바이: 두바이유 현물 \(010102\), "
        r"두바이유 선물 \(010199\); codes public programs use: 010102, 4010102",
    )


def test_http_500_then_success_retries_with_back_off(portal, tmp_path):
    portal.overrides["ecos:StatisticSearch:901Y009"] = [(500, b"Internal Server Error"), (503, b"")]
    sleeps: list[float] = []
    fetch(portal, tmp_path, ["cpi"], client=quiet_client(sleeps))
    assert sleeps == [0.5, 1.0]
    assert len(portal.routed("/ecos/StatisticSearch/")) == 3
    assert (tmp_path / "cpi" / writers.CPI_FILE).is_file()


def test_unreachable_host_is_retried_then_reported(tmp_path):
    sleeps: list[float] = []
    client = HttpClient(sleep=sleeps.append, backoff_seconds=0.1, retries=2, timeout_seconds=2)
    env = {**KEYS, "CUSTOMS_ANOMALY_ECOS_URL": "http://127.0.0.1:9/ecos"}
    with pytest.raises(DownloadError, match=r"^cpi: cannot reach 127\.0\.0\.1:9 after 3 attempts") as info:
        download_all(tmp_path, sources=["cpi"], client=client, env=env, dotenv=(), progress=False)
    assert sleeps == [0.1, 0.2]
    assert_no_key(str(info.value))


# --- keys, base URLs, options ---------------------------------------------------------------------


def test_missing_key_message_names_the_variable_and_where_to_get_it(portal, tmp_path):
    env = {k: v for k, v in portal.env.items() if k != "DATA_GO_KR_SERVICE_KEY"}
    fails(
        portal,
        tmp_path,
        ["freight"],
        r"^freight: missing API key: set .* DATA_GO_KR_SERVICE_KEY .*data\.go\.kr",
        env=env,
    )
    assert portal.requests == []  # no request before the key is known
    with pytest.raises(DownloadError, match=r"ECOS_API_KEY .*https://ecos\.bok\.or\.kr/api/"):
        read_key("ECOS_API_KEY", env={}, dotenv=())


def test_keys_come_from_dotenv_and_an_encoded_key_is_decoded(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(
        "# keys\nexport DATA_GO_KR_SERVICE_KEY='go%2BKEY%2Fx%3D%3D'\nECOS_API_KEY=abc\n", encoding="utf-8"
    )
    assert read_key("DATA_GO_KR_SERVICE_KEY", env={}, dotenv=(dotenv,)) == "go+KEY/x=="
    assert read_key("ECOS_API_KEY", env={"ECOS_API_KEY": "from-env"}, dotenv=(dotenv,)) == "from-env"


def test_each_base_url_variable_replaces_exactly_one_prefix():
    assert Endpoints.from_env({}) == Endpoints()
    mirror = Endpoints.from_env({"CUSTOMS_ANOMALY_APIS_URL": "https://mirror.example/datagokr/"})
    assert mirror == Endpoints(apis="https://mirror.example/datagokr")
    assert join(mirror.apis, cat.FREIGHT_API.operation) == (
        "https://mirror.example/datagokr/1220000/seaimextrnpcst/getSeaImexTrnpCst"
    )
    assert mirror.overridden() == ["CUSTOMS_ANOMALY_APIS_URL=https://mirror.example/datagokr"]
    for variable, _ in cat.BASE_URLS.values():
        chosen = Endpoints.from_env({variable: "http://proxy.local/x"})
        changed = [name for name in cat.BASE_URLS if getattr(chosen, name) != getattr(Endpoints(), name)]
        assert len(changed) == 1 and getattr(chosen, changed[0]) == "http://proxy.local/x", variable
    with pytest.raises(DownloadError, match=r"CUSTOMS_ANOMALY_ECOS_URL must be an http\(s\) URL prefix"):
        Endpoints.from_env({"CUSTOMS_ANOMALY_ECOS_URL": "ecos.local/api?x=1"})


def test_options_choose_the_trade_source_and_are_checked():
    assert not Choices().trade_via_api and Choices().trade_dataset == "15102783/v1"
    via_api = Choices.from_options(trade_api_operation="/1192000/service/getList/")
    assert via_api.trade_via_api and via_api.trade_api_operation == "1192000/service/getList"
    assert Choices.from_options(trade_dataset="15012345").trade_dataset == "15012345/v1"
    with pytest.raises(DownloadError, match="choose two trade sources"):
        Choices.from_options(trade_dataset="15012345", trade_api_operation="1192000/a/b")
    with pytest.raises(DownloadError, match=r"--freight-operation must be the operation path"):
        Choices.from_options(freight_operation="https://apis.data.go.kr/1220000/x?serviceKey=1")
    with pytest.raises(DownloadError, match=r"--trade-dataset must be a data\.go\.kr file-data id"):
        Choices.from_options(trade_dataset="../etc")


def test_sources_subset_needs_no_trade_dataset_nor_data_go_kr_key(portal, tmp_path):
    env = {k: v for k, v in portal.env.items() if k != "DATA_GO_KR_SERVICE_KEY"}
    reports = fetch(portal, tmp_path, ["cpi", "ppi", "exchange_rate"], env=env)
    assert sorted(reports) == ["cpi", "exchange_rate", "ppi"]
    assert not portal.routed("/apis/") and not portal.routed("/odcloud/") and not portal.routed("/oas/")


def test_cli_missing_key_exits_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("ECOS_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("customs_anomaly.download.keys.dotenv_paths", lambda: ())
    assert main(["download", "--out", str(tmp_path / "real"), "--sources", "cpi"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cpi: missing API key") and "ECOS_API_KEY" in err[0]


def test_cli_download_help_names_the_variables_and_the_exit_status(capsys):
    with pytest.raises(SystemExit) as info:
        main(["download", "--help"])
    assert info.value.code == 0
    text = capsys.readouterr().out
    for variable, default in cat.BASE_URLS.values():
        assert f"{variable}  replaces {default}" in text
    assert "exit status: 0" in " ".join(text.split()) and "--check" in text and "--trade-api-operation" in text


def test_cli_rejects_both_trade_sources(capsys):
    with pytest.raises(SystemExit) as info:
        main(["download", "--trade-dataset", "1", "--trade-api-operation", "1192000/a/b"])
    assert info.value.code == 2 and "not allowed with argument" in capsys.readouterr().err


def test_refuses_to_download_into_the_synthetic_replica(portal, tmp_path):
    (tmp_path / config.SYNTHETIC_MARKER).write_text("{}", encoding="utf-8")
    fails(portal, tmp_path, ["cpi"], r"synthetic replica")


# --- resume, atomic writes, provenance -------------------------------------------------------------


def test_rerun_makes_no_request_and_a_deleted_file_is_fetched_alone(portal, tmp_path):
    fetch(portal, tmp_path)
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    portal.requests.clear()
    reports = fetch(portal, tmp_path, env={})  # complete: not even a key is needed
    assert portal.requests == []
    assert all(not r.fetched for r in reports.values())

    (tmp_path / "trade" / "해양수산부_수산물품목별수출입현황_202005.csv").unlink()
    (tmp_path / "cpi" / writers.CPI_FILE).write_text("시점,전국\n2020.05,1\n", encoding="utf-8")  # checksum breaks
    reports = fetch(portal, tmp_path)
    assert {s: r.fetched for s, r in reports.items() if r.fetched} == {
        "trade": ["trade/해양수산부_수산물품목별수출입현황_202005.csv"],
        "cpi": ["cpi/소비자물가지수.csv"],
    }
    assert {urlsplit(r).path for r in portal.requests} == {
        "/oas/docs",
        portal.release_path(pd.Timestamp("2020-05-01")).replace("/", "/odcloud/", 1),
        f"/ecos/StatisticSearch/{ECOS_KEY}/json/kr/1/1000/901Y009/M/202001/202007/0",
    }
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert all(after[p] == data for p, data in first.items() if p.name != "manifest.json")


def test_failure_mid_pagination_keeps_the_old_file_and_leaves_no_temporary_file(portal, tmp_path, monkeypatch):
    from customs_anomaly.download import odcloud

    fetch(portal, tmp_path, ["trade"], **ONE_MONTH)
    target = tmp_path / "trade" / "해양수산부_수산물품목별수출입현황_202005.csv"
    before = target.read_bytes()
    manifest = json.loads((tmp_path / "manifest.json").read_bytes())  # forget the entry to force a refetch
    manifest["sources"].pop("trade")
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")

    original = odcloud.fetch_rows
    monkeypatch.setattr(odcloud, "fetch_rows", lambda *a, **k: original(*a, **{**k, "per_page": 500}))
    path = portal.release_path(pd.Timestamp("2020-05-01")).lstrip("/")
    first_page = portal.odcloud(path.split("/"), {"serviceKey": GO_KEY, "perPage": 500})[1]
    portal.overrides[f"odcloud:{path}"] = [(200, first_page)]
    portal.overrides[f"odcloud:{path}"].append((404, b"{}"))
    fails(portal, tmp_path, ["trade"], r"HTTP 404", **ONE_MONTH)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == [target.name]


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


def test_every_request_carries_the_key_only_where_the_service_wants_it(portal, tmp_path):
    fetch(portal, tmp_path, **ONE_MONTH)
    for raw in portal.requests:
        query = parse_qs(urlsplit(raw).query)
        if raw.startswith(("/apis/", "/odcloud/")):
            assert query["serviceKey"] == [GO_KEY]
        elif raw.startswith("/oas/"):
            assert "serviceKey" not in query  # the release list is public
        else:
            assert urlsplit(raw).path.split("/")[3] == ECOS_KEY


def test_provenance_names_each_source_origin_and_hand_placed_files(tmp_path):
    manifest = {
        "sources": {
            "freight": {
                "fetched_at": "2025-06-02T01:00:00+00:00",
                "origin": {"service": "data.go.kr open API", "id": "15129097", "operation": "1220000/a/b"},
            },
            "cpi": {"fetched_at": "2025-06-01T01:00:00+00:00"},  # written before origins were recorded
        }
    }
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (tmp_path / "oil").mkdir()
    provenance = describe_raw_data(tmp_path)
    assert provenance.origins == (
        "해상운임: data.go.kr open API 15129097 1220000/a/b, 2025-06-02",
        "국제유가: 직접 넣은 파일",
        "소비자물가: 출처 기록 없음, 2025-06-01",
    )
    assert provenance.detail.startswith("실제 공개 데이터(내려받은 날짜 2025-06-01~2025-06-02; 출처 해상운임: ")


@pytest.mark.slow
def test_quick_book_holds_no_key(quick_book):
    """The quick book is built with fake keys in the environment (conftest): no produced file,
    text or binary, may contain them."""
    keys = (FAKE_DATA_GO_KR_KEY, FAKE_ECOS_KEY)
    files = [(p, p.read_bytes()) for p in sorted(Path(quick_book).rglob("*")) if p.is_file()]
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
