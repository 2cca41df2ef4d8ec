"""Which data a build ran on: the synthetic replica (with its seed) or real public files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from customs_anomaly import config

DOWNLOAD_MANIFEST = "manifest.json"
# Korean names of the sources in the banner (keys: config.RAW_SOURCE_DIRS).
SOURCE_LABELS = {
    "trade": "수산물 수출입",
    "freight": "해상운임",
    "exchange_rate": "원/달러 환율",
    "oil": "국제유가",
    "cpi": "소비자물가",
    "ppi": "생산자물가",
}


@dataclass(frozen=True)
class Provenance:
    kind: str  # "synthetic" or "real"
    seed: int | None
    detail: str  # Korean one-liner for the book's banner
    origins: tuple[str, ...] = ()  # real downloads: one text per source (service, id, operation, date)

    @property
    def is_synthetic(self) -> bool:
        return self.kind == "synthetic"


def describe_raw_data(raw_dir: str | Path) -> Provenance:
    """Read the marker that `synth` writes, or the manifest that `download` writes."""
    raw_dir = Path(raw_dir)
    marker = raw_dir / config.SYNTHETIC_MARKER
    if marker.is_file():
        info = json.loads(marker.read_text(encoding="utf-8"))
        seed = int(info["seed"])
        return Provenance(
            kind="synthetic",
            seed=seed,
            detail=f"합성 데이터 (synthetic replica, seed {seed}; 실제 무역 통계 아님)",
        )
    manifest = raw_dir / DOWNLOAD_MANIFEST
    if manifest.is_file():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        entries = {k: v for k, v in (info.get("sources") or {}).items() if isinstance(v, dict)}
        fetched = sorted(str(e.get("fetched_at", ""))[:10] for e in entries.values() if e.get("fetched_at"))
        when = f"{fetched[0]}~{fetched[-1]}" if fetched else "날짜 미상"
        origins = tuple(source_origin(raw_dir, source, entries.get(source)) for source in config.RAW_SOURCE_DIRS)
        origins = tuple(o for o in origins if o)
        detail = f"실제 공개 데이터(내려받은 날짜 {when}" + (f"; 출처 {' · '.join(origins)})" if origins else ")")
        return Provenance(kind="real", seed=None, detail=detail, origins=origins)
    return Provenance(kind="real", seed=None, detail=f"사용자가 제공한 실제 공개 데이터 파일({raw_dir.name})")


def source_origin(raw_dir: Path, source: str, entry: dict | None) -> str | None:
    """'해상운임: data.go.kr open API 15129097 1220000/.../getSeaImexTrnpCst, 2025-05-02' from the
    manifest entry; a folder the downloader did not fill is named as placed by hand; None if absent."""
    label = SOURCE_LABELS[source]
    if entry is None:
        folder = raw_dir / config.RAW_SOURCE_DIRS[source]
        return f"{label}: 직접 넣은 파일" if folder.is_dir() else None
    origin = entry.get("origin") if isinstance(entry.get("origin"), dict) else {}
    where = " ".join(str(origin[k]) for k in ("service", "id", "operation") if origin.get(k))
    date = str(entry.get("fetched_at", ""))[:10] or "날짜 미상"
    return f"{label}: {where or '출처 기록 없음'}, {date}"
