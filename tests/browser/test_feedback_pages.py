"""Feedback's pages in headless Chromium (Debian's, driven by Playwright): what a citizen, a clerk and a leader do.

The phone's context runs with JavaScript off: the pages must work without it. Screenshots land in
.run/screenshots/feedback/ as test artifacts.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from kafka import KafkaProducer

from tests import feedback_stack
from tests.conftest import ROOT
from tests.feedback_stack import AGENCY, Topic, link_of, official, receive

pytestmark = pytest.mark.stack
feedback, producer, topic = feedback_stack.feedback, feedback_stack.producer, feedback_stack.topic
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / ".run" / "screenshots" / "feedback"
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1280, "height": 800}
# How long a page that a click asks for may take to arrive: the stack shares two cores with the browser.
PAGE_LOAD_MS = 15_000
# Every form control a person operates has a label, and nothing is narrower than a thumb.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), textarea, select, button')]
  .filter(el => el.tagName !== 'BUTTON' && el.labels.length === 0).map(el => el.name)"""
SMALL_TARGETS = """() => [...document.querySelectorAll('label.choice, button')]
  .filter(el => el.getBoundingClientRect().height < 44).map(el => el.textContent.trim())"""


@pytest.fixture(scope="module")
def playwright() -> Iterator:  # type: ignore[type-arg]
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make setup` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        yield p


def context(playwright, **options):  # type: ignore[no-untyped-def]
    """A browser context with a new, empty profile of its own."""
    profile = tempfile.mkdtemp(prefix="chromium-", dir=ROOT / ".run")
    ctx = playwright.chromium.launch_persistent_context(profile, executable_path=str(CHROMIUM), headless=True,
                                                         args=FLAGS, locale="vi-VN", **options)
    ctx.on("close", lambda _: shutil.rmtree(profile, ignore_errors=True))
    return ctx


def check_accessible(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate(UNLABELLED) == []
    assert page.evaluate(SMALL_TARGETS) == []
    assert page.locator("html").get_attribute("lang") == "vi"


def test_a_citizen_rates_from_the_qr_link_on_a_phone_without_javascript(
        playwright, feedback, producer: KafkaProducer, topic: Topic):  # type: ignore[no-untyped-def]
    happy, unhappy = receive(producer), receive(producer)
    ctx = context(playwright, viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False,
                  extra_http_headers={"X-Forwarded-For": "192.0.2.50"})
    try:
        page = ctx.new_page()
        page.goto(link_of(topic, happy).url)
        check_accessible(page)
        page.screenshot(path=SHOTS / "rate-phone.png", full_page=True)
        # By keyboard alone: the first level of the first group is the best one.
        page.focus('input[name="level"]')
        page.keyboard.press("Space")
        page.locator("fieldset").nth(1).get_by_label("Hài lòng", exact=True).check()
        page.get_by_label("Góp ý thêm (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình")
        page.focus('button[type="submit"]')
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Cảm ơn anh/chị đã đánh giá" in page.content() and "Rất hài lòng" in page.content()
        assert "Điều gì chưa tốt?" not in page.content()

        page.goto(link_of(topic, unhappy).url)
        page.locator("fieldset").first.get_by_label("Không hài lòng", exact=True).check()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.get_by_role("heading", name="Điều gì chưa tốt?").wait_for(timeout=PAGE_LOAD_MS)
        page.get_by_label("Phải đi lại nhiều lần").check()
        page.get_by_label("Có, gửi phản ánh để cơ quan trả lời").check()
        page.get_by_label("Nội dung (không bắt buộc)").fill("Phải đến ba lần mới nộp được")
        check_accessible(page)
        page.screenshot(path=SHOTS / "low-rating-phone.png", full_page=True)
        page.get_by_role("button", name="Gửi", exact=True).click()
        page.get_by_text("Chúng tôi đã nhận ý kiến").first.wait_for(timeout=PAGE_LOAD_MS)
        page.get_by_role("link", name="Theo dõi phản ánh").click()
        page.get_by_text("Cơ quan chưa trả lời").first.wait_for(timeout=PAGE_LOAD_MS)
        assert "Phải đến ba lần mới nộp được" in page.content()
    finally:
        ctx.close()


def test_the_counter_kiosk_waits_for_the_clerk_then_takes_the_rating(
        playwright, feedback, producer: KafkaProducer, topic: Topic):  # type: ignore[no-untyped-def]
    code = receive(producer)
    link_of(topic, code)
    counter = "quay-trinh-duyet"
    ctx = context(playwright, viewport=KIOSK, has_touch=True)
    try:
        page = ctx.new_page()
        page.goto(f"{feedback}/kiosk/{counter}")
        assert "Xin mời anh/chị đến quầy" in page.content()
        opened = requests.post(f"{feedback}/api/v1/kiosk/sessions", json={"counter": counter, "dossier_code": code},
                               headers=official("tn-mot-cua-07"), timeout=10)
        assert opened.status_code == 201
        # The waiting page reloads itself (a meta refresh, no script) and shows the form.
        page.get_by_role("heading", name="Mời anh/chị đánh giá cán bộ vừa phục vụ").wait_for(timeout=PAGE_LOAD_MS)
        check_accessible(page)
        page.screenshot(path=SHOTS / "kiosk.png", full_page=True)
        page.locator("fieldset").first.get_by_label("Rất hài lòng").click()
        page.get_by_role("button", name="Gửi đánh giá").click()
        page.get_by_text("Cảm ơn anh/chị đã đánh giá").first.wait_for(timeout=PAGE_LOAD_MS)
        # After the thanks, back to waiting for the next citizen.
        page.get_by_text("Xin mời anh/chị đến quầy").wait_for(timeout=20_000)
    finally:
        ctx.close()


def test_a_citizen_files_a_complaint_and_a_leader_reads_the_index(playwright, feedback):  # type: ignore[no-untyped-def]
    ctx = context(playwright, viewport=PHONE, is_mobile=True, java_script_enabled=False,
                  extra_http_headers={"X-Forwarded-For": "192.0.2.51"})
    try:
        page = ctx.new_page()
        page.goto(f"{feedback}/phan-anh")
        check_accessible(page)
        page.get_by_label("Mã cơ quan (khi không có mã hồ sơ)").fill(AGENCY)
        page.get_by_label("Phí, lệ phí").check()
        page.get_by_label("Nội dung", exact=True).fill("Bị thu thêm phí photo ngoài quy định")
        page.screenshot(path=SHOTS / "complaint-phone.png", full_page=True)
        page.get_by_role("button", name="Gửi phản ánh").click()
        page.get_by_role("heading", name="Phản ánh, kiến nghị").wait_for(timeout=PAGE_LOAD_MS)
        assert "Bị thu thêm phí photo ngoài quy định" in page.content()
    finally:
        ctx.close()

    ctx = context(playwright, viewport={"width": 1280, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{feedback}/chi-so?period={datetime.now(UTC):%Y}")
        chart = page.get_by_role("img", name="Điểm chỉ số của từng cơ quan, theo nhóm tiêu chí, trên 100 điểm")
        assert chart.is_visible() and page.locator("svg rect").count() > 1
        assert page.get_by_role("heading", name=AGENCY, exact=False).count() >= 1
        page.screenshot(path=SHOTS / "index.png", full_page=True)
    finally:
        ctx.close()
