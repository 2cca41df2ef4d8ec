"""Which data a build ran on: the synthetic replica (with its seed) or real public files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from customs_anomaly import config

DOWNLOAD_MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Provenance:
    kind: str  # "synthetic" or "real"
    seed: int | None
    detail: str  # Korean one-liner for the book's banner

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
            detail=(
                f"합성 데이터(synthetic replica, seed {seed}): 공개 원자료의 형식과 규모를 흉내 낸 "
                "모의 자료이며 실제 무역 통계가 아닙니다"
            ),
        )
    manifest = raw_dir / DOWNLOAD_MANIFEST
    if manifest.is_file():
        info = json.loads(manifest.read_text(encoding="utf-8"))
        fetched = sorted(
            str(entry.get("fetched_at", ""))[:10]
            for entry in info.get("sources", {}).values()
            if isinstance(entry, dict) and entry.get("fetched_at")
        )
        when = f"{fetched[0]}~{fetched[-1]}" if fetched else "날짜 미상"
        return Provenance(kind="real", seed=None, detail=f"실제 공개 데이터(내려받은 날짜 {when})")
    return Provenance(kind="real", seed=None, detail=f"사용자가 제공한 실제 공개 데이터 파일({raw_dir.name})")
