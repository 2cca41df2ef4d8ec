"""API keys: only from environment variables or a git-ignored `.env` file, never from arguments."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote

from customs_anomaly import config
from customs_anomaly.errors import DownloadError

DATA_GO_KR = "DATA_GO_KR_SERVICE_KEY"
ECOS = "ECOS_API_KEY"

WHERE_TO_GET = {
    DATA_GO_KR: "https://www.data.go.kr (로그인 후 각 데이터셋의 '활용신청'; 마이페이지의 일반 인증키)",
    ECOS: "https://ecos.bok.or.kr/api/ (인증키 신청)",
}


def dotenv_paths() -> tuple[Path, ...]:
    """`.env` in the current directory, then in the project root."""
    return (Path.cwd() / ".env", config.PROJECT_ROOT / ".env")


def read_dotenv(path: Path) -> dict[str, str]:
    """KEY=VALUE lines (optional `export`, quotes, comments); a missing file is empty."""
    if not path.is_file():
        return {}
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, value = line.removeprefix("export ").partition("=")
        values[name.strip()] = value.strip().strip("'\"")
    return values


def read_key(
    name: str, env: Mapping[str, str] | None = None, dotenv: tuple[Path, ...] | None = None, source: str = "download"
) -> str:
    """The key from the environment, else from the first `.env` that sets it; one-line error if absent."""
    env = os.environ if env is None else env
    value = env.get(name, "").strip()
    if not value:
        for path in dotenv_paths() if dotenv is None else dotenv:
            value = read_dotenv(path).get(name, "").strip()
            if value:
                break
    if not value:
        raise DownloadError(
            source,
            f"missing API key: set the environment variable {name} (or put it in .env); "
            f"get one at {WHERE_TO_GET[name]}",
        )
    # data.go.kr shows an "Encoding" key (URL-encoded) and a "Decoding" key: accept both.
    return unquote(value) if name == DATA_GO_KR and "%" in value else value


class KeyRing:
    """Reads each key once, when a source first needs it (a complete re-run needs none)."""

    def __init__(self, env: Mapping[str, str] | None = None, dotenv: tuple[Path, ...] | None = None) -> None:
        self._env, self._dotenv, self._keys = env, dotenv, {}

    def get(self, name: str, source: str) -> str:
        if name not in self._keys:
            self._keys[name] = read_key(name, self._env, self._dotenv, source)
        return self._keys[name]

    def secrets(self) -> tuple[str, ...]:
        return tuple(self._keys.values())
