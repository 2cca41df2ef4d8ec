"""Screenshots of every page of a built book, to read the pages as a reader sees them.

Usage: .venv/bin/python benchmarks/screenshot_book.py [ROOT] [--out DIR] [--width 1300] [--tile-height 2000]

ROOT is the root of a built book (default: this project's root): the script reads the pages from
ROOT/_build/html and their order from ROOT/_toc.yml (the intro, then every chapter in toc order;
`customs_anomaly.pipeline.chapter_names`). For a quick build made with
`customs-anomaly book --quick --root DIR`, pass DIR.

The pages are served over http on 127.0.0.1 (a free port, as tests/test_browser.py does) and opened
one by one in a headless Debian Chromium (/usr/bin/chromium, driven by Playwright; nothing is
downloaded: never `playwright install`) with a viewport WIDTH px wide. For each page it writes to
DIR (default benchmarks/results/screenshots, git-ignored):

- `NN_NAME.png`: the whole page (full-page screenshot, WIDTH px wide, as tall as the page);
- `tiles/NN_NAME_TT.png`: the same image cut from the top into WIDTH x TILE_HEIGHT px tiles (the last
  one shorter), because a full chapter is many thousand pixels tall and unreadable at a glance;

where NN is the page's place in the book (00 is the intro) and TT the tile's number from 01. PNG
files of an earlier run in DIR and DIR/tiles are removed first. It prints, per page, its height,
its tiles and every console error it logged (uncaught exceptions and failed loads included) and
every request that left 127.0.0.1; the exit status is 1 when any page logged a console error or
made such a request, 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from customs_anomaly.headless import CHROMIUM, serving
from customs_anomaly.headless import CHROMIUM_FLAGS as FLAGS

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = PROJECT / "benchmarks" / "results" / "screenshots"
INTRO_PAGE = "book/intro.html"
VIEWPORT_HEIGHT = 1000


def book_pages(root: Path) -> list[tuple[str, str]]:
    """(name, path relative to the HTML root) of every page: the intro, then the toc's chapters."""
    from customs_anomaly.pipeline import chapter_names

    chapters = chapter_names(root / "_toc.yml")
    return [("intro", INTRO_PAGE), *((name, f"book/chapters/{name}.html") for name in chapters)]


def described(message) -> str:
    """A console message with the address of what logged it (a failed load names no file otherwise)."""
    where = (message.location or {}).get("url")
    return f"{message.text} [{where}]" if where else message.text


def cut_tiles(image_path: Path, tiles_dir: Path, stem: str, tile_height: int) -> list[Path]:
    """Cut a full-page screenshot from the top into tiles of `tile_height` px (the last one shorter)."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None  # our own, very tall screenshots
    tiles = []
    with Image.open(image_path) as image:
        width, height = image.size
        for number, top in enumerate(range(0, height, tile_height), start=1):
            tile = tiles_dir / f"{stem}_{number:02d}.png"
            image.crop((0, top, width, min(top + tile_height, height))).save(tile)
            tiles.append(tile)
    return tiles


def clear_earlier_run(out: Path, tiles_dir: Path) -> None:
    for folder in (out, tiles_dir):
        for old in folder.glob("*.png"):
            old.unlink()


def screenshot_book(root: Path, out: Path, width: int, tile_height: int) -> int:
    """Screenshot every page; returns how many pages logged console errors or left the machine."""
    from playwright.sync_api import sync_playwright

    html_root = root / "_build" / "html"
    if not (html_root / INTRO_PAGE).is_file():
        sys.exit(f"error: {html_root / INTRO_PAGE} is missing; build the book first (customs-anomaly book)")
    if not CHROMIUM.exists():
        sys.exit(f"error: {CHROMIUM} is missing (Debian's chromium package; `make test` installs it)")
    tiles_dir = out / "tiles"
    tiles_dir.mkdir(parents=True, exist_ok=True)
    clear_earlier_run(out, tiles_dir)
    pages = book_pages(root)
    troubled = 0
    with (
        serving(html_root) as base,
        tempfile.TemporaryDirectory(prefix="chromium_profile_") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            viewport={"width": width, "height": VIEWPORT_HEIGHT},
            device_scale_factor=1,
        )
        try:
            for number, (name, path) in enumerate(pages):
                page = context.new_page()
                errors: list[str] = []
                requests: list[str] = []
                page.on("request", lambda request, seen=requests: seen.append(request.url))
                page.on(
                    "console",
                    lambda message, seen=errors: seen.append(described(message)) if message.type == "error" else None,
                )
                page.on("pageerror", lambda error, seen=errors: seen.append(f"uncaught: {error}"))
                # "load" waits for every script and image to arrive or fail; then no request in flight
                response = page.goto(f"{base}/{path}", wait_until="load")
                page.wait_for_load_state("networkidle")
                if response is None or not response.ok:
                    errors.append(f"HTTP {response.status if response else 'no response'} for {path}")
                page.evaluate("document.fonts.ready")
                stem = f"{number:02d}_{name}"
                full = out / f"{stem}.png"
                page.screenshot(path=str(full), full_page=True)
                tiles = cut_tiles(full, tiles_dir, stem, tile_height)
                height = page.evaluate("document.documentElement.scrollHeight")
                external = [u for u in requests if not u.startswith((base, "about:", "data:", "blob:"))]
                page.close()
                print(f"{path}: {height} px high, {full.relative_to(out)} and {len(tiles)} tiles")
                for error in errors:
                    print(f"    console error: {error}")
                for url in external:
                    print(f"    external request: {url}")
                troubled += bool(errors or external)
        finally:
            context.close()
    print(f"{len(pages)} pages in {out}; {troubled} with console errors or external requests")
    return troubled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("root", nargs="?", type=Path, default=PROJECT, help="built book's root (default: project)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of the PNG files")
    parser.add_argument("--width", type=int, default=1300, help="viewport and screenshot width in px")
    parser.add_argument("--tile-height", type=int, default=2000, help="height of one tile in px")
    args = parser.parse_args()
    troubled = screenshot_book(args.root.resolve(), args.out.resolve(), args.width, args.tile_height)
    sys.exit(1 if troubled else 0)


if __name__ == "__main__":
    main()
