"""HTTP GET of JSON with retries and exponential back-off (standard library only).

Retried: HTTP 429 and 5xx, connection errors and time-outs. Not retried: other 4xx (a wrong or
expired key will not get better), which become one-line messages built from the portal's error
payload. Every message has the keys replaced by *** (also the serviceKey query parameter).
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

from customs_anomaly.errors import DownloadError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_SERVICE_KEY_PARAMETER = re.compile(r"(serviceKey=)[^&\s]+", re.IGNORECASE)
_XML_TAGS = ("returnAuthMsg", "returnReasonCode", "errMsg", "resultMsg", "resultCode")
USER_AGENT = "customs-anomaly-downloader"


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

    def fail(self, source: str, message: str) -> DownloadError:
        return DownloadError(source, self.redact(message))

    def get_json(self, url: str, source: str) -> Any:
        """The decoded JSON body; DownloadError (key-free, one line) when it cannot be had."""
        delay = self.backoff_seconds
        shown = self.redact(url)
        for attempt in range(self.retries + 1):
            last_try = attempt == self.retries
            self.requests_made += 1
            request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
            try:
                with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                    body = response.read()
            except urllib.error.HTTPError as exc:
                body = _read_quietly(exc)
                if exc.code in RETRY_STATUSES and not last_try:
                    self.sleep(delay)
                    delay *= 2
                    continue
                raise self.fail(source, f"GET {shown} failed: {describe_http_error(exc.code, body)}") from None
            except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                if not last_try:
                    self.sleep(delay)
                    delay *= 2
                    continue
                reason = getattr(exc, "reason", exc)
                host = urlsplit(url).netloc
                raise self.fail(
                    source, f"cannot reach {host} after {self.retries + 1} attempts ({reason}); check the connection"
                ) from None
            return self._decode(body, source, shown)
        raise AssertionError("unreachable")

    def _decode(self, body: bytes, source: str, shown: str) -> Any:
        try:
            return json.loads(body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            portal = _portal_xml_message(body)
            if portal:
                raise self.fail(source, f"GET {shown}: the portal answered {portal}") from None
            preview = body[:80].decode("utf-8", errors="replace").replace("\n", " ")
            raise self.fail(source, f"GET {shown}: the response is not valid JSON (starts with {preview!r})") from None


def _read_quietly(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read() or b""
    except Exception:  # a broken error body must not hide the status
        return b""


def describe_http_error(status: int, body: bytes) -> str:
    """HTTP status plus the portal's own code and message when the body carries them."""
    text = f"HTTP {status}"
    hint = {
        401: "the key is not registered, expired or not approved for this dataset",
        403: "access denied (is the key approved for this dataset?)",
        429: "the request quota or rate limit was reached; try again later or apply for more traffic",
    }.get(status)
    detail = None
    try:
        payload = json.loads(body.decode("utf-8-sig"))
        if isinstance(payload, dict):
            code, message = payload.get("code"), payload.get("msg") or payload.get("message")
            if message is not None:
                detail = f"code {code}: {message}" if code is not None else str(message)
    except (UnicodeDecodeError, json.JSONDecodeError):
        detail = _portal_xml_message(body)
    parts = [text] + [p for p in (detail, hint) if p]
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
