"""The `customs-anomaly` command: one sub-command per stage of the data flow.

Input the command cannot use is reported on one line naming the file, the row and the column,
with exit status 2 and no output file written. Arguments and output paths are checked before any
work; library warnings are shown only when the command succeeds, so that a failure prints exactly
one line on stderr.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from customs_anomaly import config
from customs_anomaly.errors import DownloadError, InputError

EXIT_BAD_INPUT = 2
PAGE_SUFFIXES = (".html", ".htm")
ACCOUNTING_SUFFIX = "_row_accounting"  # merge writes PANEL_STEM + this + .csv beside the panel
LOG_SUFFIX = "_log"  # inject writes OUT_STEM + this + OUT_SUFFIX beside the injected panel
MONTHLY_MARKER = "monthly_queue.json"  # written by `monthly` into its output folder
ONE_MONTH_PROTOCOL, SCHEME_PROTOCOL = "one-month", "schemes"  # `inject --protocol`


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors on one line (the README's promise for bad input), exit status 2."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see --help)\n")


class DetectorNames(Sequence):
    """The detector names for `--detector` choices, imported only when an argument is checked or
    the help is shown: importing the detectors takes seconds that other commands need not pay."""

    @staticmethod
    def _names() -> tuple[str, ...]:
        from customs_anomaly.detectors import DETECTOR_NAMES

        return DETECTOR_NAMES

    def __getitem__(self, index):
        return self._names()[index]

    def __len__(self) -> int:
        return len(self._names())


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


def _whole_number(text: str, minimum: int) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from exc
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be {minimum} or more, got {text!r}")
    return value


def _seed(text: str) -> int:
    """A random seed: a whole number, 0 or more."""
    return _whole_number(text, 0)


def _count(text: str) -> int:
    """A count such as epochs: a whole number, 1 or more."""
    return _whole_number(text, 1)


def _positive(text: str) -> float:
    """A finite positive number (a container payload in kg)."""
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def beside(path: Path, suffix: str, extension: str | None = None) -> Path:
    """A companion file next to an output: same stem plus `suffix`, the given or same extension."""
    return path.with_name(path.stem + suffix + (path.suffix if extension is None else extension))


def cmd_synth(args: argparse.Namespace) -> None:
    from customs_anomaly import synth
    from customs_anomaly.provenance import DOWNLOAD_MANIFEST
    from customs_anomaly.storage import check_parents

    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise InputError(out, "is a file, not a folder")
    if (out / DOWNLOAD_MANIFEST).is_file():
        raise InputError(out, f"holds downloaded real data ({DOWNLOAD_MANIFEST}): give another folder")
    check_parents(out)
    written = synth.write_replica(out, seed=args.seed)
    n_files = sum(len(files) for files in written.values())
    print(f"wrote {n_files} files of the synthetic replica (seed {args.seed}) to {args.out}")


def cmd_merge(args: argparse.Namespace) -> None:
    from customs_anomaly.merge import build_panel
    from customs_anomaly.sources import load_raw
    from customs_anomaly.storage import check_output_file, write_tables

    raw = Path(args.raw)
    out = check_output_file(args.out, inputs=(raw,))
    accounting_path = check_output_file(beside(out, ACCOUNTING_SUFFIX, ".csv"), inputs=(raw,))
    if not raw.is_dir():
        raise InputError(raw, "raw data folder not found")
    result = build_panel(load_raw(raw), payload_kg=args.payload_kg)
    if result.panel.empty:
        dropped = result.accounting[result.accounting["step"] == "dropped"]
        reasons = ", ".join(f"{r.reason} {r.rows:,}" for r in dropped.itertuples() if r.rows)
        raise InputError(raw, f"no import row is left after the merge (dropped: {reasons})")
    write_tables([(result.panel, out), (result.accounting, accounting_path)])
    print(result.accounting.to_string(index=False))
    print(f"wrote {len(result.panel):,} panel rows to {out} and the row accounting to {accounting_path}")


def cmd_inject(args: argparse.Namespace) -> None:
    from customs_anomaly.inject import InjectionSpec, SchemeSpec, inject_anomalies, inject_schemes
    from customs_anomaly.storage import check_output_file, read_panel, write_tables

    out = check_output_file(args.out, inputs=(args.panel,))
    log_path = check_output_file(beside(out, LOG_SUFFIX), inputs=(args.panel,))
    panel = read_panel(args.panel)
    try:
        if args.protocol == SCHEME_PROTOCOL:
            result = inject_schemes(panel, seed=args.seed, spec=SchemeSpec())
        else:
            result = inject_anomalies(panel, seed=args.seed, spec=InjectionSpec())
    except ValueError as exc:  # too few eligible rows for the protocol's counts
        raise InputError(args.panel, f"cannot inject the protocol's anomalies: {exc}") from None
    write_tables([(result.log, log_path), (result.panel, out)])
    counts = result.panel.loc[result.panel["is_anomaly"], "anomaly_type"].value_counts().sort_index()
    what = "rows of multi-month schemes" if args.protocol == SCHEME_PROTOCOL else "anomalies"
    print(f"injected {int(counts.sum())} {what} ({', '.join(f'{k}={v}' for k, v in counts.items())})")
    print(f"wrote {out} and the injection log {log_path}")


def cmd_fit(args: argparse.Namespace) -> None:
    from customs_anomaly.detectors import DEFAULT_DETECTOR, MODEL_META, make_detector
    from customs_anomaly.storage import check_output_folder, read_panel, write_folder
    from customs_anomaly.validation import check_months_in_data

    out = check_output_folder(args.out, MODEL_META, inputs=(args.panel,))
    panel = read_panel(args.panel)
    check_months_in_data(panel["month"], args.panel, args.train_until, "--train-until")
    name = args.detector or DEFAULT_DETECTOR
    params = {"epochs": args.epochs} if args.epochs is not None else {}
    if args.prospective:
        if name != DEFAULT_DETECTOR:
            raise InputError(
                args.panel,
                f"--prospective is a form of {DEFAULT_DETECTOR} only: '{name}' is prospective under "
                "`score --as-of` as it is",
            )
        params["alignment"] = "trailing"
    detector = make_detector(name, **params)
    try:
        detector.fit(panel, train_until=args.train_until)
    except ValueError as exc:  # the panel leaves nothing to learn from (no window, no priced month)
        raise InputError(args.panel, f"cannot fit '{name}' on months up to {args.train_until:%Y-%m}: {exc}") from None
    write_folder(out, detector.save)
    print(f"fitted '{name}' on months up to {args.train_until:%Y-%m}; saved to {out}")


def cmd_score(args: argparse.Namespace) -> None:
    from customs_anomaly.detectors import load_detector
    from customs_anomaly.operations import score_month
    from customs_anomaly.storage import check_output_file, read_panel, write_table

    out = check_output_file(args.out, inputs=(args.panel, args.model_dir))
    panel = read_panel(args.panel)
    detector = load_detector(Path(args.model_dir))
    if args.as_of is None:
        scores = detector.score(panel, budget_share=args.budget)
        what = f"{len(scores):,} rows (audit: every month read with the months on both sides)"
    else:
        check_month_to_score(panel, args.panel, args.as_of, detector, Path(args.model_dir), "--as-of")
        scores = score_month(detector, panel, args.as_of, budget_share=args.budget)
        what = f"the {len(scores):,} rows of {args.as_of:%Y-%m} (prospective: months after it ignored)"
    write_table(scores, out)
    rule = f"the top {args.budget:.1%} of each month" if args.budget is not None else "the detector's threshold"
    print(f"scored {what} with '{detector.name}'; {int(scores['flag'].sum()):,} flagged ({rule}); wrote {out}")


def months_between(earlier: pd.Timestamp, later: pd.Timestamp) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def check_month_to_score(panel, panel_file, month: pd.Timestamp, detector, model_dir: Path, option: str) -> None:
    """The month lies inside the data, has rows, and comes after the model's training months
    (a model must never score a month it was trained on as if it were new)."""
    first, last = panel["month"].min(), panel["month"].max()
    if month > last:
        raise InputError(panel_file, f"the data end at {last:%Y-%m}: they do not reach {option} {month:%Y-%m}")
    if month < first:
        raise InputError(panel_file, f"{option} {month:%Y-%m} is before the first month {first:%Y-%m} of the data")
    if not (panel["month"] == month).any():
        raise InputError(panel_file, f"no import row in {month:%Y-%m} ({option})")
    check_month_is_new(month, detector, model_dir, option)


def check_month_is_new(month: pd.Timestamp, detector, model_dir: Path, option: str) -> None:
    """A model must never score a month it was trained on as if it were new."""
    if month <= detector.train_until_:
        raise InputError(
            model_dir,
            f"the model was trained on months up to {detector.train_until_:%Y-%m}: {option} {month:%Y-%m} "
            "is not a new month for it (fit on earlier months, or score a later month)",
        )


def cmd_monthly(args: argparse.Namespace) -> None:
    from customs_anomaly.demo import write_review_queue_files
    from customs_anomaly.detectors import load_detector
    from customs_anomaly.merge import build_panel
    from customs_anomaly.operations import STALE_MODEL_MONTHS, monthly_scores
    from customs_anomaly.provenance import describe_raw_data
    from customs_anomaly.sources import load_raw
    from customs_anomaly.storage import check_output_folder
    from customs_anomaly.verdicts import verdict_files

    raw, model_dir, month = Path(args.raw), Path(args.model_dir), args.month
    verdicts_dir = Path(args.verdicts) if args.verdicts is not None else None
    inputs = (raw, model_dir) if verdicts_dir is None else (raw, model_dir, verdicts_dir)
    out_dir = check_output_folder(args.out_dir, MONTHLY_MARKER, inputs=inputs)
    if not raw.is_dir():
        raise InputError(raw, "raw data folder not found")
    files = verdict_files(verdicts_dir, month) if verdicts_dir is not None else []  # names only: before the merge
    detector = load_detector(model_dir)
    check_month_is_new(month, detector, model_dir, "--month")  # before the merge, which takes a while
    panel = build_panel(load_raw(raw)).panel
    check_month_to_score(panel, raw, month, detector, model_dir, "--month")
    if verdicts_dir is None:
        scores, summary = monthly_scores(detector, panel, month, args.budget), ""
    else:
        from customs_anomaly.ranker import verdict_ranked_queue

        scores, summary = verdict_ranked_queue(detector, panel, month, args.budget, files)
    label = f"{describe_raw_data(raw).detail} · 탐지기 {detector.name} · {month:%Y-%m} 심사 목록"
    files, flagged = write_review_queue_files(
        scores, panel, out_dir, f"queue_{month:%Y-%m}", data_label=label, window=(month, month), marker=MONTHLY_MARKER
    )
    age = months_between(detector.train_until_, month)
    if age > STALE_MODEL_MONTHS:
        print(
            f"warning: the model was trained on months up to {detector.train_until_:%Y-%m}, {age} months before "
            f"{month:%Y-%m}; fit it again on recent months (customs-anomaly fit --train-until)",
            file=sys.stderr,
        )
    if summary:
        print(summary)
    print(
        f"{month:%Y-%m}: scored {int((scores['month'] == month).sum()):,} rows with '{detector.name}' knowing only "
        f"months up to it; {flagged:,} in the review queue (the top {args.budget:.1%}); wrote "
        + " and ".join(str(f) for f in files)
    )


def cmd_demo(args: argparse.Namespace) -> None:
    from customs_anomaly.demo import check_queue_not_empty, write_review_queue
    from customs_anomaly.storage import check_output_file, read_panel, read_scores
    from customs_anomaly.validation import check_scores_match

    out = check_output_file(args.out, PAGE_SUFFIXES, inputs=(args.scores, args.panel))
    scores = read_scores(args.scores)
    panel = read_panel(args.panel)
    unmatched = check_scores_match(scores, panel, args.scores, args.panel, list(config.PANEL_KEY))
    rows = check_queue_not_empty(scores, panel, args.scores)
    path = write_review_queue(scores, panel, out)
    if unmatched:
        print(f"note: {unmatched:,} score rows match no panel row and are left out")
    print(f"wrote the review queue ({rows:,} flagged rows of the test year) to {path}")


def cmd_verdicts_check(args: argparse.Namespace) -> None:
    from customs_anomaly.storage import read_panel
    from customs_anomaly.verdicts import STATUSES, read_verdicts

    panel = read_panel(args.panel)
    verdicts = read_verdicts(args.file, panel)
    counts = verdicts["status"].value_counts()
    tally = ", ".join(f"{status} {int(counts.get(status, 0)):,}" for status in STATUSES)
    print(f"{args.file}: {len(verdicts):,} verdicts ({tally}); every key is a row of {args.panel}")


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


def verdicts_help() -> str:
    """`monthly --verdicts`'s help, with the ranker's defaults (`customs_anomaly.ranker`)."""
    from customs_anomaly import ranker

    return (
        "folder of the review page's exports of earlier months (verdicts_YYYY-MM.csv, each holding that month's "
        "rows only; a file of --month or later is refused): rows marked 이상 확인 or 정상 train a ranker "
        "(scikit-learn gradient boosting on the detector's score rank in its month, log weight, value and unit "
        "price, price against the HS code's other countries, item group and region; each reviewed month "
        "scored knowing only the months up to it). The queue is then the top of a hybrid score, "
        f"{1 - ranker.LEARNED_WEIGHT:g} x the percentile rank of the detector's score in the month + "
        f"{ranker.LEARNED_WEIGHT:g} x the learned probability, with {ranker.EXPLORATION_SHARE:.0%} of the "
        f"queue spent on the rows the ranker is least sure of ({ranker.EXPLORATION}); the CSV adds the learned "
        "probability, the hybrid score and why each row was chosen. With fewer than "
        f"{ranker.MIN_VERDICTS} reviewed rows, or fewer than {ranker.MIN_PER_CLASS} of either kind, a note says "
        "so and the queue is the detector's ranking, as without this option"
    ).replace("%", "%%")  # argparse formats help strings with %


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="customs-anomaly",
        description="Detect suspicious seafood imports in Korean customs open data (see the book).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("synth", help="write the synthetic replica of the six public sources")
    p.add_argument("--seed", type=_seed, default=config.DEFAULT_SEED)
    p.add_argument("--out", default=str(config.Paths.from_root().raw))
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("merge", help="merge the raw sources into the monthly import panel")
    p.add_argument("--raw", default=str(config.Paths.from_root().raw))
    p.add_argument("--out", default=str(config.Paths.from_root().panel), help=".parquet or .csv")
    p.add_argument(
        "--payload-kg",
        type=_positive,
        default=config.CONTAINER_PAYLOAD_KG,
        help="container payload used to turn per-container freight into per-kg freight",
    )
    p.set_defaults(func=cmd_merge)

    p = sub.add_parser("inject", help="inject labelled mock anomalies into the test year")
    p.add_argument("--panel", required=True)
    p.add_argument("--seed", type=_seed, default=config.DEFAULT_SEED)
    p.add_argument(
        "--protocol",
        choices=(ONE_MONTH_PROTOCOL, SCHEME_PROTOCOL),
        default=ONE_MONTH_PROTOCOL,
        help="one-month: the six one-row types a-f (chapter 04); schemes: misdeclaration that lasts several "
        "months, types g-k, each row with its scheme_id",
    )
    p.add_argument("--out", required=True, help=".parquet or .csv")
    p.set_defaults(func=cmd_inject)

    p = sub.add_parser("fit", help="fit a detector on the training months")
    p.add_argument("--panel", required=True)
    p.add_argument("--train-until", type=_month, default=config.TRAIN_UNTIL)
    p.add_argument("--out", required=True, help="model directory")
    p.add_argument(
        "--detector",
        default=None,
        choices=DetectorNames(),
        metavar="NAME",
        help="one of %(choices)s (default: the project's best, lstm-plus)",
    )
    p.add_argument(
        "--epochs",
        type=_count,
        default=None,
        help=(
            "cap on the training epochs of a neural detector (default 50, the original's); training "
            "stops earlier when the loss of the last 6 training months stops falling"
        ),
    )
    p.add_argument(
        "--prospective",
        action="store_true",
        help="lstm-plus only: the form trained for monthly operation (the month under test at the end of its "
        "window; nothing after it is read)",
    )
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
    p.add_argument(
        "--as-of",
        type=_month,
        default=None,
        metavar="YYYY-MM",
        help="score only the rows of this month, reading only the months up to it (prospective: later rows "
        "in the panel are ignored); without it every row is scored with the months on both sides (audit)",
    )
    p.set_defaults(func=cmd_score)

    p = sub.add_parser(
        "monthly",
        help="the analyst's monthly run: merge the raw files, score one month prospectively and write "
        "its review queue (CSV and page)",
    )
    p.add_argument("--raw", required=True, help="raw data folder (the six sources, as `merge` reads them)")
    p.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="the month that has just arrived")
    p.add_argument("--model-dir", required=True, help="a model folder written by `fit` on earlier months")
    p.add_argument("--out-dir", required=True, help="folder for queue_YYYY-MM.csv and queue_YYYY-MM.html")
    p.add_argument(
        "--budget",
        type=_share,
        default=config.REVIEW_BUDGET_SHARE,
        metavar="SHARE",
        help="the month's review volume: its top SHARE of rows (default %(default)s)",
    )
    p.add_argument(
        "--verdicts",
        default=None,
        metavar="DIR",
        help=verdicts_help(),
    )
    p.set_defaults(func=cmd_monthly)

    p = sub.add_parser("demo", help="write the self-contained review-queue web page")
    p.add_argument("--scores", required=True)
    p.add_argument("--panel", required=True)
    p.add_argument("--out", default="review_queue.html", help=".html")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("verdicts", help="the reviewer's verdicts exported by the review-queue page")
    actions = p.add_subparsers(dest="action", required=True)
    check = actions.add_parser(
        "check",
        help="check a verdicts_YYYY-MM.csv against the panel (keys, statuses, months, times); writes nothing",
    )
    check.add_argument("file", metavar="FILE", help="verdicts_YYYY-MM.csv as the page's '판정 내려받기' wrote it")
    check.add_argument("--panel", required=True, help="the panel the queue was made from (.parquet or .csv)")
    check.set_defaults(func=cmd_verdicts_check)

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
    p.add_argument("--seed", type=_seed, default=config.DEFAULT_SEED)
    p.add_argument("--data", choices=("synthetic", "real"), default="synthetic")
    p.add_argument("--raw", default=None, help="raw data directory (default data/raw or data/raw/real)")
    p.add_argument(
        "--root", default=str(config.PROJECT_ROOT), help="build root (a copy of the book sources is staged there)"
    )
    p.set_defaults(func=cmd_book)
    return parser


def quiet_libraries() -> None:
    """TensorFlow's start-up chatter and absl log lines never reach the user's stderr."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    logging.getLogger("absl").setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    quiet_libraries()
    args = build_parser().parse_args(argv)  # --help exits 0; a usage error exits 2 after one line
    with warnings.catch_warnings(record=True) as caught:  # the filters in force decide what is recorded
        try:
            args.func(args)
        except (InputError, DownloadError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    for warning in caught:  # shown only on success: a failure is exactly one line
        warnings.showwarning(warning.message, warning.category, warning.filename, warning.lineno)
    return 0


if __name__ == "__main__":
    sys.exit(main())
