"""manifest.json in the raw directory: what was fetched, when, how many rows, checksums and the
request parameters (never a key). provenance.py reads `sources -> {name: {fetched_at}}` from it.

{"kind": "real", "generator": "customs_anomaly.download", "sources": {"cpi": {"fetched_at": ISO,
 "rows": N, "sha256": digest of the file digests, "files": [{"name", "rows", "sha256",
 "fetched_at", "resource"}], "parameters": {...}, "origin": {"service", "id", "operation"}}}}

`origin` names where the data came from (for the book's banner): the service ("data.go.kr open
API", "data.go.kr file data (odcloud)", "ECOS"), the dataset id or ECOS table, and the operation
or series codes.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from customs_anomaly.download.writers import write_atomic
from customs_anomaly.provenance import DOWNLOAD_MANIFEST


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_manifest(raw_dir: Path) -> dict:
    path = raw_dir / DOWNLOAD_MANIFEST
    if not path.is_file():
        return {"kind": "real", "generator": "customs_anomaly.download", "sources": {}}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"kind": "real", "generator": "customs_anomaly.download", "sources": {}}  # refetch everything
    manifest.setdefault("sources", {})
    return manifest


def save_manifest(raw_dir: Path, manifest: dict) -> Path:
    text = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return write_atomic(raw_dir / DOWNLOAD_MANIFEST, text.encode("utf-8"))


def file_entry(raw_dir: Path, path: Path, rows: int, resource: str, fetched_at: str) -> dict:
    return {
        "name": path.relative_to(raw_dir).as_posix(),
        "rows": rows,
        "sha256": sha256_of(path),
        "fetched_at": fetched_at,
        "resource": resource,
    }


def file_is_intact(raw_dir: Path, entry: dict) -> bool:
    path = raw_dir / entry.get("name", "")
    return path.is_file() and sha256_of(path) == entry.get("sha256")


def origin_of(service: str, dataset: str, operation: str) -> dict:
    return {"service": service, "id": dataset, "operation": operation}


def source_entry(files: list[dict], parameters: dict, origin: dict) -> dict:
    files = sorted(files, key=lambda f: f["name"])
    combined = hashlib.sha256("".join(f["sha256"] for f in files).encode("ascii")).hexdigest()
    return {
        "fetched_at": max(f["fetched_at"] for f in files),
        "rows": sum(f["rows"] for f in files),
        "sha256": files[0]["sha256"] if len(files) == 1 else combined,
        "files": files,
        "parameters": parameters,
        "origin": origin,
    }


def source_is_complete(raw_dir: Path, entry: dict | None, parameters: dict) -> bool:
    """Fetched before with the same parameters, and every file still has its checksum."""
    return (
        bool(entry)
        and entry.get("parameters") == parameters
        and bool(entry.get("files"))
        and all(file_is_intact(raw_dir, f) for f in entry["files"])
    )
