"""`customs-anomaly download --check`: one small request per source, one line per source.

Each line says whether the service was reachable, whether it accepted the key (with the portal's
result code and its meaning) and whether the dataset is the one the catalog names. Nothing is
written; every text passes through the client's redaction, so no key is ever shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from customs_anomaly.download import catalog, datagokr, ecos, odcloud
from customs_anomaly.download.keys import DATA_GO_KR
from customs_anomaly.download.run import KEY_OF, Run
from customs_anomaly.errors import DownloadError, PortalError, UnreachableError

ACCEPTED, REFUSED, MISSING, NOT_CHECKED = "accepted", "REFUSED", "MISSING", "not checked"
CONFIRMED, NOT_CONFIRMED = "confirmed", "NOT confirmed"
_KEY_HTTP_STATUSES = frozenset({401, 403})
_ODCLOUD_ROWS = 1  # one row shows the columns and proves the key


@dataclass(frozen=True)
class CheckResult:
    source: str
    base_url: str
    reachable: bool | None  # None: not tried (no key)
    key: str
    dataset: str
    detail: str

    @property
    def ok(self) -> bool:
        return bool(self.reachable) and self.key == ACCEPTED and self.dataset == CONFIRMED

    def line(self) -> str:
        reach = {True: "reachable", False: "NOT reachable", None: "not tried"}[self.reachable]
        return f"{self.source}: {reach}; key {self.key}; dataset {self.dataset} — {self.detail} [{self.base_url}]"


def check_source(run: Run, source: str) -> CheckResult:
    checker, base = _CHECKERS[source](run)
    result = _guarded(run, source, base, checker)
    return CheckResult(
        result.source, result.base_url, result.reachable, result.key, result.dataset, run.client.redact(result.detail)
    )


def _guarded(run: Run, source: str, base: str, checker: Callable[[Run, str, str], CheckResult]) -> CheckResult:
    try:
        run.key(source)
    except DownloadError as exc:
        return CheckResult(source, base, None, MISSING, NOT_CHECKED, exc.message)
    try:
        return checker(run, source, base)
    except UnreachableError as exc:
        return CheckResult(source, base, False, NOT_CHECKED, NOT_CHECKED, exc.message)
    except PortalError as exc:
        return _http_refusal(source, base, exc)
    except DownloadError as exc:  # an answer, but not one this program can read
        return CheckResult(source, base, True, NOT_CHECKED, NOT_CONFIRMED, exc.message)


def _http_refusal(source: str, base: str, exc: PortalError) -> CheckResult:
    """An HTTP error status (or a gateway refusal) before any data: classify by code and status."""
    code = datagokr.normal_code(exc.code)
    if code in catalog.DATA_GO_KR_CODES:
        return _data_go_kr_result(source, base, code, exc.message)
    if exc.status == 404:
        return CheckResult(source, base, True, NOT_CHECKED, NOT_CONFIRMED, exc.message)
    if exc.status in _KEY_HTTP_STATUSES or (code or "").startswith("-"):  # odcloud key codes are negative
        return CheckResult(source, base, True, REFUSED, NOT_CHECKED, f"{exc.message} (check {KEY_OF[source]})")
    return CheckResult(source, base, True, NOT_CHECKED, NOT_CHECKED, exc.message)


def _data_go_kr_result(source: str, base: str, code: str | None, text: str) -> CheckResult:
    """Classify a data.go.kr result code: 00/03 mean the key and the operation were accepted."""
    if code in (catalog.DATA_GO_KR_NORMAL, catalog.DATA_GO_KR_NO_DATA):
        return CheckResult(source, base, True, ACCEPTED, CONFIRMED, text)
    if code in catalog.DATA_GO_KR_KEY_REFUSED:
        return CheckResult(source, base, True, REFUSED, NOT_CHECKED, f"{text} (check {DATA_GO_KR})")
    if code == "22":  # quota: the key was recognised
        return CheckResult(source, base, True, ACCEPTED, NOT_CHECKED, text)
    return CheckResult(source, base, True, NOT_CHECKED, NOT_CONFIRMED, text)


# --- data.go.kr open APIs -----------------------------------------------------------------------


def _check_rest(run: Run, source: str, base: str, api: catalog.RestApi, operation: str, parameters: dict):
    page = datagokr.get_page(run.client, base, operation, run.key(source), parameters, 1, 1, source)
    code = page.code or catalog.DATA_GO_KR_NORMAL
    said = f" ('{page.message}')" if page.message else ""
    text = f"{api.dataset_id} {operation} answered resultCode {code}{said} — {datagokr.meaning(code)}"
    return _data_go_kr_result(source, base, code, text)


def _freight_checker(run: Run):
    first = max(run.start, run.end - pd.DateOffset(months=catalog.FREIGHT_MONTHS_PER_CALL - 1))
    parameters = {
        "cntyCd": next(iter(catalog.FREIGHT_ROUTE_CODES)),
        "imexTpcd": catalog.FREIGHT_IMPORT,
        "strtYymm": f"{first:%Y%m}",
        "endYymm": f"{run.end:%Y%m}",
    }

    def check(run: Run, source: str, base: str) -> CheckResult:
        return _check_rest(run, source, base, catalog.FREIGHT_API, run.choices.freight_operation, parameters)

    return check, run.endpoints.apis


def _trade_checker(run: Run):
    if run.choices.trade_via_api:
        parameters = {catalog.TRADE_API_MONTH_PARAMETER: f"{run.end:%Y%m}"}

        def check_api(run: Run, source: str, base: str) -> CheckResult:
            return _check_rest(run, source, base, catalog.TRADE_API, run.choices.trade_api_operation, parameters)

        return check_api, run.endpoints.apis
    return _check_file_dataset, run.endpoints.odcloud


# --- data.go.kr file dataset (odcloud) ------------------------------------------------------------


def _check_file_dataset(run: Run, source: str, base: str) -> CheckResult:
    namespace = run.choices.trade_dataset
    releases = odcloud.list_releases(run.client, run.endpoints.odcloud_docs, namespace, source)
    path = odcloud.latest_release(releases)
    payload = run.client.get_json(odcloud.page_url(base, path, run.key(source), 1, _ODCLOUD_ROWS), source)
    rows, _ = odcloud.page_rows(run.client, payload, source)
    listed = f"{namespace} lists {len(releases)} release(s); the latest ({path})"
    if not rows:
        return CheckResult(source, base, True, ACCEPTED, NOT_CONFIRMED, f"{listed} is empty")
    missing = [c for c in catalog.TRADE_DATASET.required_columns if c not in rows[0]]
    if missing:
        return CheckResult(
            source,
            base,
            True,
            ACCEPTED,
            NOT_CONFIRMED,
            f"{listed} has no {', '.join(missing)} column: the by-item release, not usable for the panel "
            "(use --trade-api-operation, see data/README.md)",
        )
    return CheckResult(source, base, True, ACCEPTED, CONFIRMED, f"{listed} has the by-country columns")


# --- ECOS ---------------------------------------------------------------------------------------


def _ecos_result(source: str, base: str, exc: PortalError) -> CheckResult:
    if exc.code in catalog.ECOS_KEY_REFUSED:
        return CheckResult(source, base, True, REFUSED, NOT_CHECKED, exc.message)
    if exc.code == catalog.ECOS_NO_DATA:
        return CheckResult(source, base, True, ACCEPTED, NOT_CONFIRMED, exc.message)
    return CheckResult(source, base, True, NOT_CHECKED, NOT_CHECKED, exc.message)


def _ecos_series_checker(run: Run, source: str, base: str) -> CheckResult:
    (series,) = catalog.ECOS_SERIES[source]
    url = ecos.series_url(base, run.key(source), series, run.start, run.end, 1, 1)
    payload = run.client.get_json(url, source)
    error = ecos.result_error(
        run.client, payload, "StatisticSearch", f"{series.name} ({ecos.describe(series)})", source
    )
    if error is not None:
        return _ecos_result(source, base, error)
    rows = (payload.get("StatisticSearch") or {}).get("row") if isinstance(payload, dict) else None
    if not rows:
        return CheckResult(source, base, True, ACCEPTED, NOT_CONFIRMED, f"{ecos.describe(series)} returned no row")
    return CheckResult(source, base, True, ACCEPTED, CONFIRMED, f"{ecos.describe(series)} ({series.name}) has data")


def _oil_checker(run: Run, source: str, base: str) -> CheckResult:
    table = catalog.ECOS_OIL_TABLE
    items = ecos.fetch_item_list(run.client, base, run.key(source), table, source)
    found = []
    for lookup in catalog.ECOS_OIL_LOOKUPS:
        candidates = ecos.item_candidates(items, lookup)
        if lookup.required and len(candidates) != 1:
            problem = "no item" if not candidates else f"{len(candidates)} items"
            return CheckResult(
                source, base, True, ACCEPTED, NOT_CONFIRMED, f"{table} lists {problem} named like {lookup.name}"
            )
        if len(candidates) == 1:
            found.append(f"{lookup.name} = {candidates[0][0]}")
    return CheckResult(source, base, True, ACCEPTED, CONFIRMED, f"{table} item list: {', '.join(found)}")


def _guard_ecos(checker):
    def check(run: Run, source: str, base: str) -> CheckResult:
        try:
            return checker(run, source, base)
        except PortalError as exc:
            if exc.status is None:  # an ECOS RESULT with HTTP 200
                return _ecos_result(source, base, exc)
            raise

    return check


_CHECKERS = {
    "trade": _trade_checker,
    "freight": _freight_checker,
    "exchange_rate": lambda run: (_guard_ecos(_ecos_series_checker), run.endpoints.ecos),
    "oil": lambda run: (_guard_ecos(_oil_checker), run.endpoints.ecos),
    "cpi": lambda run: (_guard_ecos(_ecos_series_checker), run.endpoints.ecos),
    "ppi": lambda run: (_guard_ecos(_ecos_series_checker), run.endpoints.ecos),
}
