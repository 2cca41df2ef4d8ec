"""Base URLs of the four services, each replaceable by one environment variable.

Government networks often reach these services only through an internal mirror or proxy:
`CUSTOMS_ANOMALY_APIS_URL=https://mirror.example/datagokr` makes every data.go.kr open-API call
go to `https://mirror.example/datagokr/1220000/...` (the rest of the URL unchanged).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import urlsplit

from customs_anomaly.download import catalog
from customs_anomaly.errors import DownloadError


@dataclass(frozen=True)
class Endpoints:
    apis: str = catalog.APIS_URL
    odcloud: str = catalog.ODCLOUD_API
    odcloud_docs: str = catalog.ODCLOUD_DOCS
    ecos: str = catalog.ECOS_API

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Endpoints:
        """The defaults, with every prefix whose variable is set (and not blank) replaced."""
        env = os.environ if env is None else env
        chosen = {}
        for name, (variable, _) in catalog.BASE_URLS.items():
            value = env.get(variable, "").strip()
            if value:
                chosen[name] = checked_base_url(variable, value)
        return cls(**chosen)

    def overridden(self) -> list[str]:
        """'VARIABLE=value' for every prefix that differs from its default."""
        return [
            f"{catalog.BASE_URLS[f.name][0]}={getattr(self, f.name)}"
            for f in fields(self)
            if getattr(self, f.name) != catalog.BASE_URLS[f.name][1]
        ]


def checked_base_url(variable: str, value: str) -> str:
    """An http(s) URL without query or fragment, with no trailing slash."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        default = dict(catalog.BASE_URLS.values())[variable]
        raise DownloadError(
            "download", f"{variable} must be an http(s) URL prefix without query (like {default}), got {value!r}"
        )
    return value.rstrip("/")


def join(base: str, rest: str) -> str:
    """`base` + '/' + `rest`: the prefix replaced, the rest of the URL unchanged."""
    return f"{base.rstrip('/')}/{rest.lstrip('/')}"
