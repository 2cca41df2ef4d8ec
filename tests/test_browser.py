"""The review queue in a real headless Chromium: from file:// and over http on 127.0.0.1, and the
same page inside the built book; every page of the built book without a console error. No request
may leave the machine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from demo_fixtures import panel_and_scores

from customs_anomaly import config
from customs_anomaly.demo import cases_of, write_review_queue
from customs_anomaly.headless import CHROMIUM, serving
from customs_anomaly.headless import CHROMIUM_FLAGS as FLAGS
from customs_anomaly.pipeline import chapter_names

ROOT = config.PROJECT_ROOT
ARTIFACTS = ROOT / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed (make test installs it)"),
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("profile")),
            executable_path=str(CHROMIUM),
            args=FLAGS,
            headless=True,
            accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


@pytest.fixture(scope="module")
def demo_case(tmp_path_factory):
    panel, scores = panel_and_scores()
    folder = tmp_path_factory.mktemp("demo")
    page_path = write_review_queue(scores, panel, folder / "review_queue.html", data_label="테스트용 합성 패널")
    return panel, scores, page_path


@pytest.fixture(scope="module")
def local_server(demo_case):
    with serving(demo_case[2].parent) as base:
        yield base


def described(message) -> str:
    """A console message with the address of what logged it (a failed load names no file otherwise)."""
    where = (message.location or {}).get("url")
    return f"{message.text} [{where}]" if where else message.text


def watched_page(browser):
    """A new page with the URLs it requests and its console errors (uncaught exceptions included)."""
    page = browser.new_page()
    requests, console_errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: console_errors.append(described(message)) if message.type == "error" else None)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    return page, requests, console_errors


def open_page(browser, url: str):
    page, requests, console_errors = watched_page(browser)
    page.goto(url)
    page.wait_for_selector("[data-testid=queue-table] tbody tr")
    return page, requests, console_errors


def expected_flags(scores, country_code=None):
    """The rows the queue lists: a series' flags in consecutive months are one case, shown once
    (`demo.cases_of`, unit-tested on its own in test_operations)."""
    in_test = scores["month"].between(config.TEST_START, config.STUDY_END)
    rows = cases_of(scores[scores["flag"] & in_test])
    return rows if country_code is None else rows[rows["country_code"] == country_code]


def check_queue(page, scores, panel, name: str, tmp_path: Path) -> None:
    total = len(expected_flags(scores))
    assert page.get_by_test_id("row-count").inner_text() == f"표시 {total}건 / 전체 {total}건"
    # filter by one country: exactly the flagged rows of that country
    country_code = expected_flags(scores)["country_code"].value_counts().index[0]
    country_name = panel.loc[panel["country_code"] == country_code, "country_name"].iloc[0]
    page.get_by_test_id("filter-country").select_option(country_name)
    expected = expected_flags(scores, country_code)
    shown = page.locator("[data-testid=queue-table] tbody tr")
    assert shown.count() == len(expected)
    shown_keys = {
        (r.split("\t")[1], r.split("\t")[4]) for r in shown.evaluate_all("rows => rows.map(r => r.innerText)")
    }
    assert shown_keys == {(m.strftime("%Y-%m"), code) for m, code in zip(expected["month"], expected["hsk_code"])}
    # CSV of the filtered queue, UTF-8 with BOM
    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(records) == len(expected) and {r["국가명"] for r in records} == {country_name}
    # detail view of the top row shows its chart with the flagged month
    first = shown.first
    month = first.locator("td").nth(1).inner_text()
    first.get_by_test_id("open-detail").click()
    detail = page.get_by_test_id("detail")
    assert detail.is_visible()
    assert page.locator(f"[data-testid=chart-price] [data-flagged-label='{month}']").count() == 1
    assert page.locator("[data-testid=chart-price] path[data-series=actual]").count() == 1
    assert "위험 현상" in page.get_by_test_id("detail-reason").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"review_queue_{name}.png"), full_page=True)
    page.get_by_test_id("detail-close").click()
    assert not detail.is_visible()


def test_standalone_file_from_file_url(browser, demo_case, tmp_path):
    panel, scores, path = demo_case
    page, requests, errors = open_page(browser, path.as_uri())
    check_queue(page, scores, panel, "file", tmp_path)
    assert all(url.startswith(("file://", "blob:", "data:")) for url in requests), requests
    assert not errors, errors
    page.close()


def test_standalone_file_over_local_http(browser, demo_case, local_server, tmp_path):
    panel, scores, path = demo_case
    page, requests, errors = open_page(browser, f"{local_server}/{path.name}")
    check_queue(page, scores, panel, "http", tmp_path)
    assert all(url.startswith((local_server, "blob:", "data:")) for url in requests), requests
    assert not errors, errors
    page.close()


def test_search_box_and_reason_group_filter(browser, demo_case):
    panel, scores, path = demo_case
    page, _, _ = open_page(browser, path.as_uri())
    page.get_by_test_id("filter-reason-group").select_option("운임")
    freight_rows = expected_flags(scores)["reason"].str.contains("운임").sum()
    assert page.locator("[data-testid=queue-table] tbody tr").count() == freight_rows
    page.get_by_test_id("filter-reason-group").select_option("")
    flagged = expected_flags(scores).merge(panel, on=list(config.PANEL_KEY))
    item = flagged["item_name"].iloc[0]
    page.get_by_test_id("search").fill(item)
    texts = page.locator("[data-testid=queue-table] tbody tr").all_inner_texts()
    assert len(texts) == (flagged["item_name"] == item).sum() and all(item in t for t in texts)
    page.close()


@pytest.mark.slow
def test_review_queue_inside_the_built_book(browser, quick_book):
    with serving(quick_book / "_build" / "html") as base:
        page, requests, errors = watched_page(browser)
        page.goto(f"{base}/book/chapters/07_demo.html")
        frame = page.frame_locator("iframe[data-testid=review-queue-frame]")
        count = frame.get_by_test_id("row-count").inner_text()
        assert count.startswith("표시 ") and "전체" in count
        rows = frame.locator("[data-testid=queue-table] tbody tr")
        assert rows.count() > 0
        # wider than the text column: the queue takes the right margin too
        article = page.locator("article.bd-article").bounding_box()
        queue = page.locator("iframe[data-testid=review-queue-frame]").bounding_box()
        assert queue["width"] > article["width"] * 1.2, (queue, article)
        rows.first.get_by_test_id("open-detail").click()
        assert frame.get_by_test_id("detail").is_visible()
        assert frame.locator("[data-testid=chart-price] svg").count() == 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review_queue_book.png"), full_page=False)
        external = [u for u in requests if not u.startswith((base, "about:", "data:", "blob:"))]
        assert not external, external
        assert not errors, errors
        page.close()


def book_pages() -> list[str]:
    """Every page of the book, relative to its HTML root: the intro, then the chapters in toc order."""
    return ["book/intro.html", *(f"book/chapters/{name}.html" for name in chapter_names(ROOT / "_toc.yml"))]


@pytest.mark.slow
def test_every_book_page_without_console_errors_and_with_a_korean_footer(browser, quick_book):
    """No page of the built book logs a console error (sphinx-thebe's script declared THEBE_JS_URL
    twice on every page) or asks for anything off the machine, and the footer names the author in
    Korean word order (the theme's translation of "By" read "으로 customs_anomaly 프로젝트")."""
    problems = {}
    with serving(quick_book / "_build" / "html") as base:
        for path in book_pages():
            page, requests, errors = watched_page(browser)
            # every page as on a first visit: the theme keeps the colour mode in localStorage, and
            # an empty default mode was logged as an error only when none was stored yet
            page.add_init_script("try { window.localStorage.clear(); } catch (error) {}")
            # "load" waits for every script and image to arrive or fail; then no request in flight
            response = page.goto(f"{base}/{path}", wait_until="load")
            page.wait_for_load_state("networkidle")
            assert response is not None and response.ok, (path, response and response.status)
            footer = page.locator("footer.bd-footer-content").inner_text()
            external = [u for u in requests if not u.startswith((base, "about:", "data:", "blob:"))]
            if errors or external or "으로 customs_anomaly" in footer or "customs_anomaly 프로젝트 지음" not in footer:
                problems[path] = {"console errors": errors, "external requests": external, "footer": footer}
            page.close()
    assert not problems, problems
