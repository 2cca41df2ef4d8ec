"""`customs-anomaly download --check` against the replay server: one line per source saying
whether it is reachable, whether the key is accepted (with the portal's code) and whether the
dataset is confirmed; exit status 0 only when every source is ready; never a key in the output."""

from __future__ import annotations

import pytest
from test_download_replay import (
    GO_KEY,
    KEYS,
    TRADE_API_OPERATION,
    assert_no_key,
    quiet_client,
    replica_data,
    serve,
)

from customs_anomaly.cli import main
from customs_anomaly.download import SOURCES, check_all
from customs_anomaly.download import catalog as cat

REPLAY_PERIOD = ["--from", "2020-01", "--to", "2020-07"]
READY = "reachable; key accepted; dataset confirmed"


@pytest.fixture
def portal():
    with serve(replica_data()) as state:
        yield state


def run_check(portal, monkeypatch, capsys, tmp_path, *options: str, env: dict | None = None):
    """(exit status, {source: line}, stderr) of `download --check` with the replay's environment."""
    for name in (*KEYS, *(variable for variable, _ in cat.BASE_URLS.values())):
        monkeypatch.delenv(name, raising=False)
    for name, value in (portal.env if env is None else env).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr("customs_anomaly.download.keys.dotenv_paths", lambda: ())
    monkeypatch.chdir(tmp_path)
    status = main(["download", "--check", *REPLAY_PERIOD, *options])
    printed = capsys.readouterr()
    assert_no_key(printed.out, printed.err)
    assert list(tmp_path.iterdir()) == []  # a check writes nothing
    lines = printed.out.strip().splitlines()
    return status, {line.split(":", 1)[0]: line for line in lines if line.split(":", 1)[0] in SOURCES}, printed.err


def test_every_source_ready_exits_0_with_one_line_each(portal, monkeypatch, capsys, tmp_path):
    status, lines, err = run_check(portal, monkeypatch, capsys, tmp_path)
    assert status == 0 and err == ""
    assert list(lines) == list(SOURCES)
    assert all(READY in line and f"[{portal.base}/" in line for line in lines.values())
    assert (
        "15129097 1220000/seaimextrnpcst/getSeaImexTrnpCst answered resultCode 00 ('NORMAL SERVICE.') — NORMAL_SERVICE"
        in lines["freight"]
    )
    assert "15102783/v1 lists 7 release(s)" in lines["trade"] and "has the by-country columns" in lines["trade"]
    assert "902Y003 item list: Dubai = 010102, Brent = 010103, WTI = 010101" in lines["oil"]
    assert len(portal.routed("/apis/")) == 1 and len(portal.routed("/ecos/")) == 4  # one small request each


def test_refused_keys_are_reported_with_the_portal_codes(portal, monkeypatch, capsys, tmp_path):
    env = {**portal.env, "DATA_GO_KR_SERVICE_KEY": "MARKERwrong-go", "ECOS_API_KEY": "MARKERwrong-ecos"}
    status, lines, err = run_check(portal, monkeypatch, capsys, tmp_path, env=env)
    assert status == 2
    assert err.strip() == "error: check: not ready: trade, freight, exchange_rate, oil, cpi, ppi (see the lines above)"
    assert "reachable; key REFUSED" in lines["trade"] and "HTTP 401 — code -4: 등록되지 않은 인증키" in lines["trade"]
    assert (
        "reachable; key REFUSED" in lines["freight"]
        and "resultCode 30 ('SERVICE_KEY_IS_NOT_REGISTERED_ERROR')" in lines["freight"]
    )
    for source in ("exchange_rate", "oil", "cpi", "ppi"):
        assert "reachable; key REFUSED; dataset not checked — ECOS INFO-100" in lines[source]
    assert "MARKERwrong" not in "".join(lines.values()) + err


def test_a_wrong_dataset_id_and_a_wrong_operation_are_not_confirmed(portal, monkeypatch, capsys, tmp_path):
    wrong = ["--trade-dataset", "15000000", "--freight-operation", "1220000/seaimextrnpcst/getSeaimextrnpcstList"]
    status, lines, _ = run_check(portal, monkeypatch, capsys, tmp_path, *wrong)
    assert status == 2
    assert (
        "dataset NOT confirmed" in lines["trade"] and "15000000/v1 has no release (is the id right?)" in lines["trade"]
    )
    assert "dataset NOT confirmed" in lines["freight"] and "resultCode 12" in lines["freight"]
    assert "NO_OPENAPI_SERVICE_ERROR" in lines["freight"]
    assert all(READY in lines[s] for s in ("exchange_rate", "oil", "cpi", "ppi"))


def test_the_by_item_dataset_is_not_confirmed(portal, monkeypatch, capsys, tmp_path):
    portal.trade_columns_dropped = cat.TRADE_DATASET.required_columns
    status, lines, _ = run_check(portal, monkeypatch, capsys, tmp_path, "--sources", "trade")
    assert status == 2 and list(lines) == ["trade"]
    assert "reachable; key accepted; dataset NOT confirmed" in lines["trade"]
    assert "has no 국가코드, 국가명, 경제권명 column: the by-item release" in lines["trade"]


def test_the_trade_api_is_checked_once_its_operation_is_given(portal, monkeypatch, capsys, tmp_path):
    option = ["--sources", "trade", "--trade-api-operation", TRADE_API_OPERATION]
    status, lines, _ = run_check(portal, monkeypatch, capsys, tmp_path, *option)
    assert status == 0 and READY in lines["trade"] and "15057607" in lines["trade"]

    portal.last_published = portal.last_published.replace(month=5)  # --to month not yet published: code 03
    status, lines, _ = run_check(portal, monkeypatch, capsys, tmp_path, *option)
    assert (
        status == 0
        and READY in lines["trade"]
        and "resultCode 03 ('NODATA_ERROR') — NODATA_ERROR: no data" in lines["trade"]
    )


def test_ecos_codes_without_data_and_a_table_without_dubai(portal, monkeypatch, capsys, tmp_path):
    portal.oil_items = [{"ITEM_CODE": "010103", "ITEM_NAME": "Brent", "CYCLE": "M", "END_TIME": "202504"}]
    status, lines, _ = run_check(
        portal, monkeypatch, capsys, tmp_path, "--sources", "cpi", "oil", "--from", "2030-01", "--to", "2030-02"
    )
    assert status == 2
    assert "reachable; key accepted; dataset NOT confirmed" in lines["cpi"] and "ECOS INFO-200" in lines["cpi"]
    assert "dataset NOT confirmed — 902Y003 lists no item named like Dubai" in lines["oil"]


def test_unreachable_services_and_missing_keys(portal):
    env = {**portal.env, "CUSTOMS_ANOMALY_ECOS_URL": "http://127.0.0.1:9/ecos"}
    env.pop("DATA_GO_KR_SERVICE_KEY")
    results = {r.source: r for r in check_all(env=env, dotenv=(), client=quiet_client())}
    for source in ("trade", "freight"):
        assert not results[source].ok
        assert results[source].line().startswith(f"{source}: not tried; key MISSING; dataset not checked")
        assert "DATA_GO_KR_SERVICE_KEY" in results[source].line()
    for source in ("exchange_rate", "oil", "cpi", "ppi"):
        assert results[source].line().startswith(f"{source}: NOT reachable; key not checked")
        assert "cannot reach 127.0.0.1:9" in results[source].line()
    assert not portal.routed("/apis/") and not portal.routed("/odcloud/")
    assert_no_key(*(r.line() for r in results.values()))
    assert GO_KEY not in repr(results)


def test_a_release_that_is_not_found_is_not_a_refused_key(portal, monkeypatch, capsys, tmp_path):
    latest = portal.release_path(max(portal.replica.trade)).lstrip("/")
    portal.overrides[f"odcloud:{latest}"] = [(404, b'{"code": -404, "msg": "not found"}')]
    status, lines, _ = run_check(portal, monkeypatch, capsys, tmp_path, "--sources", "trade")
    assert status == 2
    assert "reachable; key not checked; dataset NOT confirmed" in lines["trade"] and "HTTP 404" in lines["trade"]
