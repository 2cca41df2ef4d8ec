"""The review queue in a real headless Chromium: from file:// and over http on 127.0.0.1, and the
same page inside the built book; every page of the built book without a console error. No request
may leave the machine."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from demo_fixtures import panel_and_scores, with_expected_prices

from customs_anomaly import config
from customs_anomaly.demo import cases_of, queue_data, review_queue_iframe, write_review_queue
from customs_anomaly.headless import CHROMIUM, serving
from customs_anomaly.headless import CHROMIUM_FLAGS as FLAGS
from customs_anomaly.pipeline import chapter_names
from customs_anomaly.verdicts import read_verdicts

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
    scores = with_expected_prices(panel, scores)  # as lstm-plus writes them: an expected price and its band
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


def shown_keys(page) -> list[str]:
    """The listed rows' keys (month|hsk_code|country_code), top to bottom."""
    rows = page.locator("[data-testid=queue-table] tbody tr[data-key]")
    return rows.evaluate_all("rows => rows.map(r => r.dataset.key)")


def row_at(page, key: str):
    return page.locator(f'[data-testid=queue-table] tbody tr[data-key="{key}"]')


def assert_offline_and_clean(requests: list[str], errors: list[str]) -> None:
    """Nothing but the page itself and its blobs was requested, and nothing was logged as an error."""
    assert all(url.startswith(("file://", "blob:", "data:")) for url in requests), requests
    assert not errors, errors


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
    keys = {tuple(key.split("|")[:2]) for key in shown_keys(page)}
    assert keys == {(m.strftime("%Y-%m"), code) for m, code in zip(expected["month"], expected["hsk_code"])}
    # CSV of the filtered queue, UTF-8 with BOM
    with page.expect_download() as download_info:
        page.get_by_test_id("download-csv").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(records) == len(expected) and {r["국가명"] for r in records} == {country_name}
    # detail view of the top row shows its chart with the flagged month
    first = shown.first
    month = first.get_attribute("data-key").split("|")[0]
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


def queue_rows(demo_case) -> dict[str, dict]:
    """The page's rows by key, as `demo.queue_data` hands them to the page."""
    panel, scores, _ = demo_case
    return {row["key"]: row for row in queue_data(scores, panel)["rows"]}


# one column of each kind: text, number, date
SORTED_COLUMNS = [("country_name", "text"), ("value_usd", "number"), ("month", "date")]


@pytest.mark.parametrize("key", [key for key, _ in SORTED_COLUMNS], ids=[kind for _, kind in SORTED_COLUMNS])
def test_a_column_of_each_kind_sorts_by_click_and_by_keyboard(browser, demo_case, key):
    page, requests, errors = open_page(browser, demo_case[2].as_uri())
    rows = queue_rows(demo_case)
    header, button = page.locator(f"th[data-key={key}]"), page.get_by_test_id(f"sort-{key}")
    assert page.locator("th[data-key=rank]").get_attribute("aria-sort") == "ascending"  # by score at first
    button.click()
    assert header.get_attribute("aria-sort") == "ascending"
    values = [rows[k][key] for k in shown_keys(page)]
    assert values == sorted(values) and len(set(values)) > 1, values
    button.focus()
    page.keyboard.press("Enter")
    assert header.get_attribute("aria-sort") == "descending"
    values = [rows[k][key] for k in shown_keys(page)]
    assert values == sorted(values, reverse=True), values
    assert page.locator("th[aria-sort=ascending], th[aria-sort=descending]").count() == 1
    assert_offline_and_clean(requests, errors)
    page.close()


def test_the_ranking_by_value_at_stake_puts_the_most_usd_first(browser, demo_case):
    panel, scores, path = demo_case
    page, requests, errors = open_page(browser, path.as_uri())
    page.get_by_test_id("rank-by-stake").click()
    keys = shown_keys(page)
    # the estimate from the fixture itself: weight x expected price - declared value, either sign
    frame = panel.merge(scores, on=list(config.PANEL_KEY))
    frame["key"] = frame["month"].dt.strftime("%Y-%m") + "|" + frame["hsk_code"] + "|" + frame["country_code"]
    frame = frame.set_index("key").loc[keys]
    at_stake = (frame["weight_kg"] * frame["expected_unit_price_usd_per_kg"] - frame["value_usd"]).abs()
    assert at_stake.is_monotonic_decreasing and at_stake.iloc[0] > 10 * at_stake.iloc[-1], at_stake
    assert page.locator("th[data-key=stake_rank]").get_attribute("aria-sort") == "ascending"
    assert page.get_by_test_id("rank-by-stake").get_attribute("aria-pressed") == "true"
    ranks = page.locator("tbody tr[data-key] td:nth-child(2)").all_inner_texts()
    assert ranks == [str(i) for i in range(1, len(keys) + 1)]
    page.get_by_test_id("rank-by-score").click()
    assert [queue_rows(demo_case)[k]["rank"] for k in shown_keys(page)] == list(range(1, len(keys) + 1))
    assert_offline_and_clean(requests, errors)
    page.close()


NOTE_IN_LIST = '=단가 재확인, "원산지" 서류 요청'  # starts like a spreadsheet formula
NOTE_IN_DETAIL = "선적 서류 대조\n다음 달 다시 확인"


def test_verdicts_survive_a_reload_and_the_export_reads_back_as_entered(browser, demo_case, tmp_path):
    panel, _, path = demo_case
    page, requests, errors = open_page(browser, path.as_uri())
    page.evaluate("() => window.localStorage.clear()")  # the module's browser profile is shared
    page.reload()
    first, second, *rest = shown_keys(page)
    started = pd.Timestamp.now(tz="UTC").floor("s")
    row_at(page, first).get_by_test_id("verdict-status").select_option("이상 확인")
    row_at(page, first).get_by_test_id("verdict-note").fill(NOTE_IN_LIST)
    row_at(page, second).get_by_test_id("open-detail").click()  # the second through the detail view
    page.get_by_test_id("detail-status").select_option("정상")
    page.get_by_test_id("detail-note").fill(NOTE_IN_DETAIL)
    assert row_at(page, second).get_by_test_id("verdict-status").input_value() == "정상"  # the list follows
    page.reload()
    page.wait_for_selector("[data-testid=queue-table] tbody tr")
    assert row_at(page, first).get_by_test_id("verdict-status").input_value() == "이상 확인"
    assert row_at(page, first).get_by_test_id("verdict-note").input_value() == NOTE_IN_LIST
    assert row_at(page, second).get_attribute("data-status") == "정상"
    row_at(page, second).get_by_test_id("open-detail").click()
    assert page.get_by_test_id("detail-note").input_value() == NOTE_IN_DETAIL
    assert page.get_by_test_id("verdict-progress").inner_text() == f"판정 2 / {len(rest) + 2}건"
    with page.expect_download() as download_info:
        page.get_by_test_id("download-verdicts").click()
    download = download_info.value
    assert download.suggested_filename == "verdicts_2025-04.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"\xef\xbb\xbf")
    verdicts = read_verdicts(saved, panel)
    verdicts["key"] = (
        verdicts["month"].dt.strftime("%Y-%m") + "|" + verdicts["hsk_code"] + "|" + verdicts["country_code"]
    )
    verdicts = verdicts.set_index("key")
    assert sorted(verdicts.index) == sorted([first, second, *rest])  # every row of the queue
    assert verdicts.loc[first, ["status", "note"]].tolist() == ["이상 확인", NOTE_IN_LIST]
    assert verdicts.loc[second, ["status", "note"]].tolist() == ["정상", NOTE_IN_DETAIL]
    assert (verdicts.loc[rest, "status"] == "확인 필요").all() and (verdicts.loc[rest, "note"] == "").all()
    assert verdicts.loc[rest, "time"].isna().all()
    assert verdicts.loc[[first, second], "time"].between(started, pd.Timestamp.now(tz="UTC")).all()
    assert_offline_and_clean(requests, errors)
    page.close()


def sized(value: float) -> str:
    """A number as the page writes it: fewer decimals for larger numbers."""
    size = abs(value)
    return f"{value:,.{0 if size >= 100 else 1 if size >= 10 else 2 if size >= 1 else 3}f}"


def test_the_detail_view_shows_the_numbers_behind_the_flag(browser, demo_case):
    page, requests, errors = open_page(browser, demo_case[2].as_uri())
    rows = queue_rows(demo_case)
    key = shown_keys(page)[0]
    row = rows[key]
    reason_cell = row_at(page, key).locator("td.reason")
    assert row["reason"] in reason_cell.inner_text()  # the whole reason, not clipped
    assert reason_cell.evaluate("cell => cell.scrollWidth <= cell.clientWidth")
    row_at(page, key).get_by_test_id("open-detail").click()
    band = f"{sized(row['expected_low'])} ~ {sized(row['expected_high'])} USD/kg"
    band = f"{sized(row['expected_price'])} USD/kg (범위 {band})"
    assert page.get_by_test_id("detail-expected").inner_text() == band
    misdeclared = page.get_by_test_id("detail-misdeclared").inner_text()
    assert misdeclared.startswith(("+" if row["misdeclared_usd"] > 0 else "") + f"{row['misdeclared_usd']:,.0f} USD")
    facts = page.get_by_test_id("detail-facts").inner_text()
    assert f"{sized(row['peer_low'])} ~ {sized(row['peer_high'])} USD/kg (같은 품목·같은 달 사분위)" in facts
    # the freight chart draws the region-month level; the weight chart has month ticks
    assert page.locator("[data-testid=chart-freight] path[data-series=region-level]").count() == 1
    ticks = page.locator("[data-testid=chart-weight] [data-tick]").all_text_contents()
    assert len(ticks) >= 2 and all(len(t) == 7 and t[4] == "-" for t in ticks), ticks
    assert page.locator("[data-testid=chart-price] path[data-series=expected]").count() == 1
    # one scroll area: the page's own
    scrolling = page.evaluate(
        """() => Array.from(document.querySelectorAll("body *")).filter(e => {
             const style = getComputedStyle(e);
             return /(auto|scroll)/.test(style.overflowY + style.overflowX)
               && (e.scrollHeight > e.clientHeight + 1 || e.scrollWidth > e.clientWidth + 1)
               && e.tagName !== "TEXTAREA";
           }).map(e => e.tagName + "#" + e.id)"""
    )
    assert scrolling == []
    page.keyboard.press("Escape")
    assert not page.get_by_test_id("detail").is_visible()
    assert_offline_and_clean(requests, errors)
    page.close()


def test_inside_a_frame_the_queue_takes_its_height_so_the_host_page_alone_scrolls(browser, demo_case, local_server):
    path = demo_case[2]
    host = path.with_name("host.html")
    frame_html = review_queue_iframe(path.read_text(encoding="utf-8"), height_px=400)
    head = '<meta charset="utf-8"><link rel="icon" href="data:,">'  # no favicon request
    host.write_text(f'<!DOCTYPE html><html lang="ko">{head}<body><p>앞</p>{frame_html}</body></html>', encoding="utf-8")
    page, requests, errors = watched_page(browser)
    page.goto(f"{local_server}/{host.name}")
    frame = page.frame_locator("iframe[data-testid=review-queue-frame]")
    frame.locator("[data-testid=queue-table] tbody tr").first.wait_for()
    element = page.locator("iframe[data-testid=review-queue-frame]")

    def fits() -> bool:
        inner = page.frames[1].evaluate("() => [document.body.getBoundingClientRect().height, innerHeight]")
        return abs(inner[0] - inner[1]) <= 2

    page.wait_for_function("() => document.querySelector('iframe').clientHeight > 400")
    assert fits()
    closed = element.bounding_box()["height"]
    frame.locator("[data-testid=open-detail]").first.click()
    page.wait_for_function(f"() => document.querySelector('iframe').clientHeight > {closed + 100}")
    assert fits()
    external = [u for u in requests if not u.startswith((local_server, "about:", "data:", "blob:"))]
    assert not external and not errors, (external, errors)
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
        # in the book's narrower frame every column fits (the reason moves under the item)
        inner = page.frames[1]
        table_right, frame_width = inner.evaluate(
            "() => [document.getElementById('queue').getBoundingClientRect().right,"
            " document.documentElement.clientWidth]"
        )
        assert table_right <= frame_width + 1, (table_right, frame_width)
        assert rows.first.locator(".inline-reason").is_visible()
        assert rows.first.get_by_test_id("verdict-status").bounding_box()["x"] < queue["x"] + queue["width"]
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
