"""HTTP GET with retries and exponential back-off (standard library only).

Retried: HTTP 429 and 5xx, connection errors and time-outs. Not retried: other 4xx (a wrong or
expired key will not get better), which become one-line PortalErrors built from the portal's error
payload (JSON `{"code", "msg"}` of odcloud, or the XML of the data.go.kr gateway). A host that
cannot be reached gives an UnreachableError. Every message has the keys replaced by *** (also the
serviceKey query parameter and the key inside an ECOS path).
"""

from __future__ import annotations

import http.client
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from customs_anomaly.errors import DownloadError, PortalError, UnreachableError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_SERVICE_KEY_PARAMETER = re.compile(r"(serviceKey=)[^&\s]+", re.IGNORECASE)
_XML_TAGS = ("returnAuthMsg", "returnReasonCode", "errMsg", "resultMsg", "resultCode")
_XML_CODE_TAGS = ("returnReasonCode", "resultCode")
USER_AGENT = "customs-anomaly-downloader"
JSON = "application/json"
XML = "application/xml"
HTTP_HINTS = {
    401: "the key is not registered, expired or not approved for this dataset",
    403: "access denied (is the key approved for this dataset?)",
    404: "no such address (check the dataset id, the operation path and the base URL)",
    429: "the request quota or rate limit was reached; try again later or apply for more traffic",
}


@dataclass
class HttpClient:
    retries: int = 4
    backoff_seconds: float = 2.0
    timeout_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep
    requests_made: int = 0
    _secrets: set[str] = field(default_factory=set)

    def add_secret(self, secret: str) -> None:
        if secret:
            self._secrets.add(secret)

    def redact(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):
            for form in {secret, quote(secret, safe=""), quote_plus(secret), quote(secret, safe="*")}:
                text = text.replace(form, "***")
        return _SERVICE_KEY_PARAMETER.sub(r"\1***", text)

    def fail(self, source: str, message: str, *, status: int | None = None, code: str | None = None) -> PortalError:
        """A portal refused or failed the request (one line, no key)."""
        return PortalError(source, self.redact(message), status=status, code=code)

    def malformed(self, source: str, message: str) -> DownloadError:
        """The answer cannot be used (one line, no key)."""
        return DownloadError(source, self.redact(message))

    def get_bytes(self, url: str, source: str, accept: str = JSON) -> bytes:
        """The body of a 2xx answer; PortalError for another status, UnreachableError without answer."""
        delay = self.backoff_seconds
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            self.requests_made += 1
            request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": USER_AGENT})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                    return response.read()
            except urllib.error.HTTPError as exc:
                body = _read_quietly(exc)
                if exc.code in RETRY_STATUSES and not last_try:
                    self.sleep(delay)
                    delay *= 2
                    continue
                raise self.fail(
                    source,
                    f"GET {self.redact(url)} failed: {describe_http_error(exc.code, body)}",
                    status=exc.code,
                    code=portal_code(body),
                ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                if not last_try:
                    self.sleep(delay)
                    delay *= 2
                    continue
                reason = getattr(exc, "reason", exc)
                host = urlsplit(url).netloc
                raise UnreachableError(
                    source,
                    self.redact(
                        f"cannot reach {host} after {self.retries + 1} attempts ({reason}); check the connection "
                        "(or the base-URL variable, see `customs-anomaly download --help`)"
                    ),
                ) from None
        raise AssertionError("unreachable")

    def get_json(self, url: str, source: str) -> Any:
        """The decoded JSON body; a data.go.kr gateway XML error becomes a PortalError with its code."""
        body = self.get_bytes(url, source, JSON)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            portal = _portal_xml_message(body)
            if portal:
                raise self.fail(
                    source, f"GET {self.redact(url)}: the portal answered {portal}", code=portal_code(body)
                ) from None
            raise self.malformed(
                source, f"GET {self.redact(url)}: the response is not valid JSON (starts with {preview(body)!r})"
            ) from None


def preview(body: bytes, length: int = 80) -> str:
    return body[:length].decode("utf-8", errors="replace").replace("\n", " ").replace("\r", " ")


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read() or b""
    except Exception:  # a broken error body must not hide the status
        return b""


def portal_code(body: bytes) -> str | None:
    """The portal's own code in an error body: odcloud JSON `code`, or the gateway XML's
    returnReasonCode / resultCode."""
    try:
        payload = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = body.decode("utf-8", errors="replace")
        for tag in _XML_CODE_TAGS:
            match = re.search(rf"<{tag}>\s*([^<\s]+)\s*</{tag}>", text)
            if match:
                return match.group(1)
        return None
    if isinstance(payload, dict) and payload.get("code") is not None:
        return str(payload["code"])
    return None


def describe_http_error(status: int, body: bytes) -> str:
    """HTTP status plus the portal's own code and message when the body carries them."""
    detail = None
    try:
        payload = json.loads(body.decode("utf-8-sig"))
        if isinstance(payload, dict):
            code, message = payload.get("code"), payload.get("msg") or payload.get("message")
            if message is not None:
                detail = f"code {code}: {message}" if code is not None else str(message)
    except (UnicodeDecodeError, json.JSONDecodeError):
        detail = _portal_xml_message(body)
    parts = [f"HTTP {status}"] + [p for p in (detail, HTTP_HINTS.get(status)) if p]
    return " — ".join(parts)


def _portal_xml_message(body: bytes) -> str | None:
    """data.go.kr gateway errors come as XML (e.g. SERVICE_KEY_IS_NOT_REGISTERED_ERROR)."""
    text = body.decode("utf-8", errors="replace")
    found = []
    for tag in _XML_TAGS:
        match = re.search(rf"<{tag}>([^<]*)</{tag}>", text)
        if match and match.group(1).strip():
            found.append(f"{tag}={match.group(1).strip()}")
    return ", ".join(found) or None
