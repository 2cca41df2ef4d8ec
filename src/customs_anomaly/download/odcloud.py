"""data.go.kr file datasets through the odcloud JSON API.

`GET {base}/{namespace}/uddi:{id}?page=P&perPage=N&serviceKey=K` answers
`{"currentCount", "data": [row, ...], "matchCount", "page", "perPage", "totalCount"}`; the rows are
keyed by the file's own (Korean) column names. Pages are read until `totalCount` rows are in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd

from customs_anomaly.download.endpoints import join
from customs_anomaly.download.http import HttpClient

_DATE_IN_NAME = re.compile(r"(20\d{2})[-_.]?(\d{2})(?:[-_.]?(\d{2}))?(?!\d)")


def fetch_rows(
    client: HttpClient,
    base_url: str,
    path: str,
    key: str,
    source: str,
    per_page: int = 1000,
    check_first_page: Callable[[list[dict]], None] | None = None,
) -> list[dict]:
    """Every row of one resource. check_first_page(rows) may refuse the resource (raise) before the
    other pages are fetched."""
    rows: list[dict] = []
    page = 1
    while True:
        payload = client.get_json(page_url(base_url, path, key, page, per_page), source)
        data, total = page_rows(client, payload, source)
        if page == 1 and check_first_page is not None:
            check_first_page(data)
        rows.extend(data)
        if len(rows) >= total or not data:
            break
        page += 1
    if len(rows) != total:
        raise client.malformed(source, f"{path}: received {len(rows)} rows but totalCount is {total}")
    return rows


def page_url(base_url: str, path: str, key: str, page: int, per_page: int) -> str:
    return f"{join(base_url, path)}?{urlencode({'page': page, 'perPage': per_page, 'serviceKey': key})}"


def docs_url(docs_base: str, namespace: str) -> str:
    return f"{docs_base.rstrip('/')}?{urlencode({'namespace': namespace})}"


def page_rows(client: HttpClient, payload, source: str) -> tuple[list[dict], int]:
    if isinstance(payload, dict) and "data" not in payload and ("msg" in payload or "code" in payload):
        code = payload.get("code")
        raise client.fail(
            source,
            f"the portal answered code {code}: {payload.get('msg')}",
            code=None if code is None else str(code),
        )
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list) or "totalCount" not in payload:
        raise client.malformed(source, "unexpected odcloud response: no 'data' list or 'totalCount'")
    try:
        total = int(payload["totalCount"])
    except (TypeError, ValueError):
        raise client.malformed(source, f"unexpected totalCount {payload['totalCount']!r}") from None
    return payload["data"], total


def list_releases(client: HttpClient, docs_base: str, namespace: str, source: str) -> dict[str, str]:
    """{resource path: release name} from the dataset's OpenAPI document (no key needed)."""
    payload = client.get_json(docs_url(docs_base, namespace), source)
    paths = payload.get("paths") if isinstance(payload, dict) else None
    if not isinstance(paths, dict):
        raise client.malformed(source, f"the OpenAPI document of dataset {namespace} lists no paths (is the id right?)")
    releases = {}
    for path, operations in paths.items():
        get = operations.get("get", {}) if isinstance(operations, dict) else {}
        releases[path] = str(get.get("summary") or get.get("description") or path)
    if not releases:
        raise client.malformed(source, f"dataset {namespace} has no release (is the id right?)")
    return releases


def release_month(name: str) -> pd.Timestamp | None:
    """The month a release is named after ("..._20200531" or "..._202005"); None if no date."""
    matches = list(_DATE_IN_NAME.finditer(name))
    if not matches:
        return None
    year, month = int(matches[-1].group(1)), int(matches[-1].group(2))
    if not 1 <= month <= 12:
        return None
    return pd.Timestamp(year=year, month=month, day=1)


def months_of_releases(releases: dict[str, str]) -> dict[pd.Timestamp, str]:
    """{month: path}; when two releases name the same month, the later name (a re-release) wins."""
    by_month: dict[pd.Timestamp, tuple[str, str]] = {}
    for path, name in releases.items():
        month = release_month(name)
        if month is not None and (month not in by_month or name > by_month[month][0]):
            by_month[month] = (name, path)
    return {month: path for month, (_, path) in sorted(by_month.items())}


def latest_release(releases: dict[str, str]) -> str:
    """Path of the most recent release (by the date in its name, else the last listed)."""
    dated = months_of_releases(releases)
    return dated[max(dated)] if dated else list(releases)[-1]
