"""data.go.kr open APIs (REST): `GET {apis}/{operation}?serviceKey=K&...&numOfRows=N&pageNo=P`.

The answer is XML (the freight API sends XML even when JSON is asked for), or JSON in the same
shape:

    <response><header><resultCode>00</resultCode><resultMsg>NORMAL SERVICE.</resultMsg></header>
    <body><items><item><year>2024.01</year>...</item></items>
    <numOfRows>100</numOfRows><pageNo>1</pageNo><totalCount>12</totalCount></body></response>

A refusal by the portal's gateway (unregistered key, no approval) comes as
`<OpenAPI_ServiceResponse><cmmMsgHeader>...<returnReasonCode>30</returnReasonCode>...`. Result
codes and their meanings: catalog.DATA_GO_KR_CODES (03 = no data, 12 = no such operation).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from customs_anomaly.download import catalog
from customs_anomaly.download.endpoints import join
from customs_anomaly.download.http import XML, HttpClient, preview

_CODE_TAGS = ("resultCode", "returnReasonCode")
_MESSAGE_TAGS = ("resultMsg", "returnAuthMsg", "errMsg")


@dataclass(frozen=True)
class RestPage:
    code: str | None  # normalised to two digits ("00", "03"); None if the answer carries none
    message: str
    items: list[dict[str, str]]
    total: int | None


def normal_code(code: str | None) -> str | None:
    """'0', '00' and '0000' -> '00'; '3' -> '03'; other codes as written."""
    if code is None:
        return None
    code = str(code).strip()
    if code.isdigit():
        return f"{int(code):02d}"
    return code or None


def meaning(code: str | None) -> str:
    return catalog.DATA_GO_KR_CODES.get(code or "", "a code this program does not know")


def parse_page(body: bytes) -> RestPage:
    """One answer, XML or JSON; ValueError when it is neither in the data.go.kr shape."""
    text = body.decode("utf-8-sig", errors="replace").strip()
    if text.startswith("<"):
        return _xml_page(text)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError:
        raise ValueError(f"neither XML nor JSON (starts with {preview(body)!r})") from None
    return _json_page(payload)


def _xml_page(text: str) -> RestPage:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ValueError(f"malformed XML ({exc})") from None
    code = next((root.findtext(f".//{tag}") for tag in _CODE_TAGS if root.find(f".//{tag}") is not None), None)
    message = next(
        (root.findtext(f".//{tag}", "").strip() for tag in _MESSAGE_TAGS if root.find(f".//{tag}") is not None), ""
    )
    items = [{child.tag: (child.text or "").strip() for child in item} for item in root.iter("item")]
    total_text = root.findtext(".//totalCount")
    return RestPage(normal_code(code), message, items, _count(total_text))


def _json_page(payload) -> RestPage:
    if not isinstance(payload, dict):
        raise ValueError("JSON without the response/header/body shape")
    response = payload.get("response", payload)
    header = response.get("header") or {}
    body = response.get("body") or {}
    if not isinstance(header, dict) or not isinstance(body, dict) or (not header and not body):
        raise ValueError("JSON without the response/header/body shape")
    items = body.get("items")
    if isinstance(items, dict):
        items = items.get("item", [])
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        items = []  # an empty result is written "items": "" by some APIs
    rows = [
        {k: "" if v is None else str(v).strip() for k, v in item.items()} for item in items if isinstance(item, dict)
    ]
    total = body.get("totalCount", header.get("totalCount"))
    return RestPage(normal_code(header.get("resultCode")), str(header.get("resultMsg") or ""), rows, _count(total))


def _count(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def request_url(base: str, operation: str, key: str, parameters: Mapping[str, str], rows: int, page: int) -> str:
    query = urlencode({"serviceKey": key, **parameters, "numOfRows": rows, "pageNo": page})
    return f"{join(base, operation)}?{query}"


def get_page(
    client: HttpClient,
    base: str,
    operation: str,
    key: str,
    parameters: Mapping[str, str],
    rows: int,
    page: int,
    source: str,
) -> RestPage:
    """One page; DownloadError when the answer cannot be read (the result code is not judged here)."""
    url = request_url(base, operation, key, parameters, rows, page)
    body = client.get_bytes(url, source, XML)
    try:
        return parse_page(body)
    except ValueError as exc:
        raise client.malformed(source, f"GET {client.redact(url)}: unexpected answer, {exc}") from None


def refusal(client: HttpClient, source: str, what: str, page: RestPage):
    """The PortalError for a page whose result code is neither normal nor 'no data'."""
    said = f" ('{page.message}')" if page.message else ""
    return client.fail(
        source, f"{what}: data.go.kr resultCode {page.code}{said} — {meaning(page.code)}", code=page.code
    )


def fetch_items(
    client: HttpClient,
    base: str,
    operation: str,
    key: str,
    parameters: Mapping[str, str],
    source: str,
    what: str,
    rows_per_page: int = catalog.DATA_GO_KR_ROWS_PER_PAGE,
) -> list[dict[str, str]] | None:
    """Every item of one request over all its pages; None when the API answers 03 (no data).
    `what` names the request in messages (e.g. "cntyCd=USW 2020-01..2020-12")."""
    items: list[dict[str, str]] = []
    total = None
    page_number = 1
    while True:
        page = get_page(client, base, operation, key, parameters, rows_per_page, page_number, source)
        if page.code == catalog.DATA_GO_KR_NO_DATA:
            if page_number == 1:
                return None
            break
        if page.code not in (catalog.DATA_GO_KR_NORMAL, None):
            raise refusal(client, source, what, page)
        items.extend(page.items)
        total = page.total if page.total is not None else total
        done = len(items) >= total if total is not None else len(page.items) < rows_per_page
        if done or not page.items:
            break
        page_number += 1
    if total is not None and len(items) != total:
        raise client.malformed(source, f"{what}: received {len(items)} items but totalCount is {total}")
    return items
