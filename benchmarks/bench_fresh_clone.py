"""Time `make test` and `make book` on a fresh clone, as CI and a judge run them, and check that
a second full build gives the same numbers.

Usage: python3 benchmarks/bench_fresh_clone.py [--workdir DIR] [--skip-test] [--builds N]

Clones the committed HEAD of this repository into WORKDIR/customs_anomaly (a temporary folder by
default; a sibling `shared` folder is linked when this repository has one, as CI has), then runs
`make venv` (creating the virtual environment and installing the package, timed on its own so
that it can be added to each of the next two), `make test` and `make book` N times (default 2),
with `make clean` between the builds so that every build generates the data and trains every
model again. Each run's wall-clock seconds and exit status go
to benchmarks/results/fresh_clone.csv, the first build's stage and chapter times
(`data/processed/build_times.csv`, `chapter_times.csv`) and its `evaluation_summary.csv`,
`targets.csv` and `timing.csv` are copied to benchmarks/results/, and the builds'
`evaluation_summary.csv` files are compared byte for byte. Uses only the standard library, so it
runs before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import csv
import filecmp
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RESULTS = PROJECT / "benchmarks" / "results"
COPIED_OUTPUTS = ("build_times.csv", "chapter_times.csv", "evaluation_summary.csv", "targets.csv", "timing.csv")


def timed(command: list[str], cwd: Path, log: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with log.open("w", encoding="utf-8") as out:
        status = subprocess.run(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT).returncode
    return time.perf_counter() - started, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workdir", type=Path, help="where to clone (default: a new temporary folder)")
    parser.add_argument("--skip-test", action="store_true", help="time the builds only")
    parser.add_argument("--builds", type=int, default=2, help="full builds to run (2 checks determinism)")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="fresh_clone_"))
    clone = workdir / "customs_anomaly"
    if clone.exists():
        sys.exit(f"error: {clone} exists; give another --workdir")
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "-q", str(PROJECT), str(clone)], check=True)
    shared = PROJECT.parent / "shared"
    if shared.is_dir() and not (workdir / "shared").exists():
        (workdir / "shared").symlink_to(shared)
    RESULTS.mkdir(exist_ok=True)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True)
    revision = head.stdout.strip()
    rows = []

    def record(step: str, command: list[str]) -> int:
        log = workdir / f"{step}.log"
        seconds, status = timed(command, clone, log)
        rows.append({"step": step, "seconds": round(seconds, 1), "exit_status": status, "commit": revision})
        print(f"{step}: {seconds:.1f} s, exit {status} (log {log})", flush=True)
        return status

    record("make venv", ["make", "venv"])
    if not args.skip_test:
        record("make test", ["make", "test"])
    summaries = []
    for build in range(1, args.builds + 1):
        if build > 1:
            subprocess.run(["make", "clean"], cwd=clone, check=True, capture_output=True)
        if record(f"make book ({build})", ["make", "book"]) != 0:
            break
        processed = clone / "data" / "processed"
        kept = workdir / f"evaluation_summary_{build}.csv"
        shutil.copyfile(processed / "evaluation_summary.csv", kept)
        summaries.append(kept)
        if build == 1:
            for name in COPIED_OUTPUTS:
                shutil.copyfile(processed / name, RESULTS / name)
    if len(summaries) > 1:
        same = all(filecmp.cmp(summaries[0], other, shallow=False) for other in summaries[1:])
        rows.append({"step": "identical evaluation_summary.csv", "seconds": "", "exit_status": int(not same)})
        print(f"{len(summaries)} builds, evaluation_summary.csv identical: {same}")
    with (RESULTS / "fresh_clone.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=["step", "seconds", "exit_status", "commit"])
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
