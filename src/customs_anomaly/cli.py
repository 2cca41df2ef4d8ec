"""The `customs-anomaly` command: one sub-command per stage of the data flow.

Input the command cannot use is reported on one line naming the file, the row and the column,
with exit status 2 and no output file written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import DownloadError, InputError

EXIT_BAD_INPUT = 2


def _month(text: str) -> pd.Timestamp:
    try:
        return pd.Timestamp(pd.Period(text, freq="M").start_time)
    except (ValueError, TypeError) as exc:
        raise argparse.ArgumentTypeError(f"not a month (YYYY-MM): {text!r}") from exc


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"a share between 0 and 1 (e.g. 0.02 for 2%), got {text!r}")
    return value


def cmd_synth(args: argparse.Namespace) -> None:
    from customs_anomaly import synth

    written = synth.write_replica(Path(args.out), seed=args.seed)
    n_files = sum(len(files) for files in written.values())
    print(f"wrote {n_files} files of the synthetic replica (seed {args.seed}) to {args.out}")


def cmd_merge(args: argparse.Namespace) -> None:
    from customs_anomaly.merge import build_panel
    from customs_anomaly.sources import load_raw
    from customs_anomaly.storage import write_table

    result = build_panel(load_raw(Path(args.raw)), payload_kg=args.payload_kg)
    out = Path(args.out)
    write_table(result.panel, out)
    accounting = out.with_name(out.stem + "_row_accounting.csv")
    write_table(result.accounting, accounting)
    print(result.accounting.to_string(index=False))
    print(f"wrote {len(result.panel):,} panel rows to {out} and the row accounting to {accounting}")


def cmd_inject(args: argparse.Namespace) -> None:
    from customs_anomaly.inject import InjectionSpec, inject_anomalies
    from customs_anomaly.storage import read_panel, write_table

    panel = read_panel(args.panel)
    result = inject_anomalies(panel, seed=args.seed, spec=InjectionSpec())
    out = Path(args.out)
    log_path = out.with_name(out.stem + "_log" + out.suffix)
    write_table(result.log, log_path)
    write_table(result.panel, out)
    counts = result.panel.loc[result.panel["is_anomaly"], "anomaly_type"].value_counts().sort_index()
    print(f"injected {int(counts.sum())} anomalies ({', '.join(f'{k}={v}' for k, v in counts.items())})")
    print(f"wrote {out} and the injection log {log_path}")


def cmd_fit(args: argparse.Namespace) -> None:
    from customs_anomaly.detectors import DEFAULT_DETECTOR, make_detector
    from customs_anomaly.storage import read_panel

    panel = read_panel(args.panel)
    name = args.detector or DEFAULT_DETECTOR
    params = {"epochs": args.epochs} if args.epochs is not None else {}
    detector = make_detector(name, **params)
    detector.fit(panel, train_until=args.train_until)
    detector.save(Path(args.out))
    print(f"fitted '{name}' on months up to {args.train_until:%Y-%m}; saved to {args.out}")


def cmd_score(args: argparse.Namespace) -> None:
    from customs_anomaly.detectors import load_detector
    from customs_anomaly.storage import read_panel, write_table

    panel = read_panel(args.panel)
    detector = load_detector(Path(args.model_dir))
    scores = detector.score(panel, budget_share=args.budget)
    write_table(scores, args.out)
    rule = f"the top {args.budget:.1%} of each month" if args.budget is not None else "the detector's threshold"
    print(
        f"scored {len(scores):,} rows with '{detector.name}'; "
        f"{int(scores['flag'].sum()):,} flagged ({rule}); wrote {args.out}"
    )


def cmd_demo(args: argparse.Namespace) -> None:
    from customs_anomaly.demo import write_review_queue
    from customs_anomaly.storage import read_panel, read_table

    path = write_review_queue(read_table(args.scores), read_panel(args.panel), Path(args.out))
    print(f"wrote the review queue to {path}")


def cmd_book(args: argparse.Namespace) -> None:
    from customs_anomaly.pipeline import BuildOptions, build_book

    root = Path(args.root).resolve()
    if root != config.PROJECT_ROOT:
        from customs_anomaly.pipeline import stage_book_sources

        stage_book_sources(config.PROJECT_ROOT, root)
    data_dir = root / "data" / "real" if args.data == "real" else None
    raw_dir = (
        Path(args.raw).resolve() if args.raw else (root / "data" / "raw" / "real" if args.data == "real" else None)
    )
    options = BuildOptions(
        root=root,
        data_dir=data_dir,
        raw_dir=raw_dir,
        seed=args.seed,
        profile="quick" if args.quick else "full",
        data_kind=args.data,
    )
    index = build_book(options)
    print(f"built {index}")


def cmd_download(args: argparse.Namespace) -> None:
    from customs_anomaly.download import Choices, check_all, download_all

    choices = Choices.from_options(args.trade_dataset, args.trade_api_operation, args.freight_operation)
    if args.check:
        results = check_all(args.start, args.end, args.sources, choices=choices)
        for result in results:
            print(result.line())
        failing = [r.source for r in results if not r.ok]
        if failing:
            raise DownloadError("check", f"not ready: {', '.join(failing)} (see the lines above)")
        print(f"all {len(results)} source(s) ready")
        return
    reports = download_all(Path(args.out), args.start, args.end, args.sources, choices=choices)
    for report in reports.values():
        print(report.summary())
    print(f"raw files and manifest.json are in {args.out}; build the book with `make book DATA=real`")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customs-anomaly",
        description="Detect suspicious seafood imports in Korean customs open data (see the book).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write the synthetic replica of the six public sources")
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    p.add_argument("--out", default=str(config.Paths.from_root().raw))
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("merge", help="merge the raw sources into the monthly import panel")
    p.add_argument("--raw", default=str(config.Paths.from_root().raw))
    p.add_argument("--out", default=str(config.Paths.from_root().panel))
    p.add_argument(
        "--payload-kg",
        type=float,
        default=config.CONTAINER_PAYLOAD_KG,
        help="container payload used to turn per-container freight into per-kg freight",
    )
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("inject", help="inject labelled mock anomalies into the test year")
    p.add_argument("--panel", required=True)
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_inject)

    p = sub.add_parser("fit", help="fit a detector on the training months")
    p.add_argument("--panel", required=True)
    p.add_argument("--train-until", type=_month, default=config.TRAIN_UNTIL)
    p.add_argument("--out", required=True, help="model directory")
    p.add_argument("--detector", default=None, help="detector name (default: the project's best)")
    p.add_argument("--epochs", type=int, default=None, help="override training epochs (neural detectors)")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("score", help="score every row of a panel with a fitted detector")
    p.add_argument("--panel", required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--out", required=True, help=".parquet or .csv")
    p.add_argument(
        "--budget",
        type=_share,
        default=None,
        metavar="SHARE",
        help="flag exactly the top SHARE (0-1, e.g. 0.02) of every month's rows instead of the "
        "detector's operating threshold: a fixed monthly review volume",
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("demo", help="write the self-contained review-queue web page")
    p.add_argument("--scores", required=True)
    p.add_argument("--panel", required=True)
    p.add_argument("--out", default="review_queue.html")
    p.set_defaults(func=cmd_demo)

    import textwrap

    from customs_anomaly.download import DEFAULT_START, SOURCES
    from customs_anomaly.download import catalog as download_catalog

    base_urls = "\n".join(
        f"  {variable}  replaces {default}" for variable, default in download_catalog.BASE_URLS.values()
    )
    p = sub.add_parser(
        "download",
        help="download the six public sources with your own API keys "
        "(env DATA_GO_KR_SERVICE_KEY, ECOS_API_KEY or .env)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Fetch the six public sources into the layouts the loaders read (data/README.md). Keys come only "
            "from the environment variables DATA_GO_KR_SERVICE_KEY and ECOS_API_KEY (or .env), never from "
            "options, and are never printed or written."
        ),
        epilog=textwrap.fill(
            "base URLs (for a mirror or proxy; each variable replaces exactly this prefix, the rest of every "
            "URL is appended unchanged):"
        )
        + f"\n{base_urls}\n\n"
        + textwrap.fill(
            "exit status: 0 when everything was fetched (with --check: when every source is reachable, accepts "
            "the key and is the expected dataset), 2 otherwise."
        ),
    )
    p.add_argument("--out", default=str(config.Paths.from_root().raw / "real"))
    p.add_argument("--from", dest="start", type=_month, default=DEFAULT_START, help="first month (YYYY-MM)")
    p.add_argument("--to", dest="end", type=_month, default=config.STUDY_END, help="last month (YYYY-MM)")
    p.add_argument(
        "--sources",
        nargs="+",
        choices=SOURCES,
        default=list(SOURCES),
        metavar="SOURCE",
        help=f"sources to fetch (default all: {' '.join(SOURCES)})",
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="fetch nothing: one small request per source, one line per source saying whether it is "
        "reachable, whether the key is accepted (the portal's code) and whether the dataset is confirmed",
    )
    trade = p.add_mutually_exclusive_group()
    trade.add_argument(
        "--trade-dataset",
        default=None,
        metavar="ID",
        help="data.go.kr file-data id of the by-country trade releases "
        f"(default {download_catalog.TRADE_DATASET.namespace})",
    )
    trade.add_argument(
        "--trade-api-operation",
        default=None,
        metavar="PATH",
        help=f"read trade from the open API {download_catalog.TRADE_API.dataset_id} instead: its operation path "
        f"under {download_catalog.APIS_URL} as shown on the API's data.go.kr page "
        f"({download_catalog.TRADE_API_FAMILY}...)",
    )
    p.add_argument(
        "--freight-operation",
        default=None,
        metavar="PATH",
        help=f"operation path of the freight API {download_catalog.FREIGHT_API.dataset_id} "
        f"(default {download_catalog.FREIGHT_API.operation})",
    )
    p.set_defaults(func=cmd_download)

    p = sub.add_parser("book", help="execute every chapter and build the HTML book")
    p.add_argument("--quick", action="store_true", help="the quick build profile: every chapter, smallest settings")
    p.add_argument("--seed", type=int, default=config.DEFAULT_SEED)
    p.add_argument("--data", choices=("synthetic", "real"), default="synthetic")
    p.add_argument("--raw", default=None, help="raw data directory (default data/raw or data/raw/real)")
    p.add_argument(
        "--root", default=str(config.PROJECT_ROOT), help="build root (a copy of the book sources is staged there)"
    )
    p.set_defaults(func=cmd_book)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (InputError, DownloadError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return 0


if __name__ == "__main__":
    sys.exit(main())
