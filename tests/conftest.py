"""Shared fixtures. The quick book is built once per test session and reused by every test that
inspects the built pages (book structure, figures, the review-queue page in a browser)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from customs_anomaly import config
from customs_anomaly.pipeline import SINGLE_THREADED

# `make test` runs two workers beside the quick book's build on two cores: TensorFlow in each
# worker keeps to one thread (as the build's own processes do), or its threads would wait on each
# other and burn CPU time (measured: the unit tests take 12% less CPU time). Set before any test
# imports TensorFlow; a variable the caller set is kept.
for _name, _value in SINGLE_THREADED.items():
    os.environ.setdefault(_name, _value)

REFERENCE_DIR = config.PROJECT_ROOT.parent / "shared" / "reference"
# Fake API keys set while the quick book builds; test_download checks that no produced file holds them.
FAKE_DATA_GO_KR_KEY = "FAKEKEY-datagokr-7c1e9"
FAKE_ECOS_KEY = "FAKEKEY-ecos-52ab0"


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE_DIR.is_dir():
        pytest.skip("../shared/reference is absent (a user's clone has no shared/)")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def replica_raw(tmp_path_factory) -> Path:
    """The synthetic replica of seed 0, written once per session (read-only for the tests)."""
    from customs_anomaly import synth

    raw = tmp_path_factory.mktemp("replica") / "raw"
    synth.write_replica(raw, seed=0)
    return raw


def merged_beside(raw: Path) -> Path:
    """`merge` of a raw folder into panel.parquet beside it (with its row accounting)."""
    from customs_anomaly.cli import main

    out = raw.parent / "panel.parquet"
    assert main(["merge", "--raw", str(raw), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="session")
def replica_panel_path(replica_raw) -> Path:
    """The merged panel of the session's replica, with its row accounting beside it."""
    return merged_beside(replica_raw)


# Every SMALL_RAW_STEP-th HSK code (in code order) of the replica's trade releases is kept in the
# small raw folder: a tenth of the rows, merged in about a second instead of seven.
SMALL_RAW_STEP = 10


@pytest.fixture(scope="session")
def small_replica_raw(replica_raw) -> Path:
    """The session's replica with its trade releases cut to every SMALL_RAW_STEP-th HSK code, in
    their original encoding and layout (the other five sources as written): for the tests that
    merge raw files again and again (the monthly run)."""
    import csv
    import io
    import shutil

    raw = replica_raw.parent.parent / "small_replica" / "raw"
    shutil.copytree(replica_raw, raw)
    releases = sorted((raw / config.RAW_SOURCE_DIRS["trade"]).glob("*.csv"))
    tables = {path: list(csv.DictReader(path.read_text(encoding="cp949").splitlines())) for path in releases}
    codes = sorted({row["HSK품목코드"] for rows in tables.values() for row in rows})
    kept = set(codes[::SMALL_RAW_STEP])
    for path, rows in tables.items():
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(row for row in rows if row["HSK품목코드"] in kept)
        path.write_bytes(text.getvalue().encode("cp949"))
    return raw


@pytest.fixture(scope="session")
def small_replica_panel_path(small_replica_raw) -> Path:
    """The merged panel of the small replica."""
    return merged_beside(small_replica_raw)


@pytest.fixture(scope="session")
def small_injected_path(replica_panel_path) -> Path:
    """A tenth of the replica's HSK codes with the default protocol injected (seed 0): big enough
    for every detector and command, small enough to fit networks quickly."""
    from customs_anomaly.inject import inject_anomalies
    from customs_anomaly.storage import read_panel, write_table
    from customs_anomaly.studies.merge import sample_items

    panel = sample_items(read_panel(replica_panel_path), share=0.1, seed=0)
    out = replica_panel_path.with_name("small_injected.parquet")
    write_table(inject_anomalies(panel, seed=0).panel, out)
    return out


@pytest.fixture(scope="session")
def quick_book(tmp_path_factory) -> Path:
    """Root of a quick build of the whole book (small parameters), in a temporary directory."""
    root = tmp_path_factory.mktemp("quick_book")
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "DATA_GO_KR_SERVICE_KEY": FAKE_DATA_GO_KR_KEY,
        "ECOS_API_KEY": FAKE_ECOS_KEY,
    }
    command = [sys.executable, "-m", "customs_anomaly.cli", "book", "--quick", "--root", str(root)]
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    log = root / "build.log"
    log.write_text(completed.stdout + "\n" + completed.stderr, encoding="utf-8")
    if completed.returncode != 0:
        pytest.fail(f"quick book build failed (log {log}):\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return root


QUICK_BOOK_GROUP = "quick_book"
# Groups that take longest after the quick book (measured with --durations), started right after it
# so that the run ends on short ones; every other group follows in collection order.
LONGEST_GROUPS = (
    "example-fits",
    "test_price_detectors",
    "test_cli",
    "test_original_training",
    "test_inject",
    "test_realism",
    "test_learning",
    "test_synth",
    "test_operations",
    "test_model_store",
    "test_ranker",
)


def group_of(item) -> str:
    return item.get_closest_marker("xdist_group").args[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items) -> None:
    """Under pytest-xdist (`make test` runs two workers with `--dist loadgroup
    --no-loadscope-reorder`), every test of the quick book runs in one worker, so that the book is
    built once while the other worker runs the rest. It must run before xdist's own hook, which
    reads the group marks to assign the tests. Every other test without a group of its own runs in
    the worker of its module's other tests: a module's fixtures (a fitted network, a merged
    replica) are then made once, not once in each worker. The groups are handed out in the order of
    the items: the quick book first (it is the longest), then LONGEST_GROUPS."""
    for item in items:
        if "quick_book" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(QUICK_BOOK_GROUP))
        elif item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))
    order = {group: rank for rank, group in enumerate((QUICK_BOOK_GROUP, *LONGEST_GROUPS))}
    items.sort(key=lambda item: order.get(group_of(item), len(order)))
