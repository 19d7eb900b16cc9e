"""The rating link on the receipt (form 01), through public interfaces: intake's REST API, the signed PDF as
poppler reads it, feedback's topic and its rating page."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from kafka import KafkaConsumer
from motcua.topics import FEEDBACK, qualified
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import eventually
from tests.factories import citizen, clerk, dossier_body, pdf, upload
from tests.feedback_stack import Topic, link_of

pytestmark = pytest.mark.stack
PREFIX = "qr"
RATING_CAPTION = "Quét mã QR để đánh giá mức độ hài lòng:"


@pytest.fixture(scope="module")
def intake(stack) -> Iterator[str]:  # type: ignore[no-untyped-def]
    with stack.serving(PREFIX, "signing", "intake", "feedback") as url:
        yield url


@pytest.fixture(scope="module")
def topic(stack, intake) -> Iterator[Topic]:  # type: ignore[no-untyped-def]
    consumer = KafkaConsumer(qualified(FEEDBACK.name, PREFIX), **stack.kafka.client_options(),
                             auto_offset_reset="earliest", enable_auto_commit=False, group_id=None)
    yield Topic(consumer)
    consumer.close()


def receive_at_the_counter(base: str, seed: str) -> str:
    """A dossier the clerk takes in at the counter: received at once. Returns its code."""
    body = dossier_body(upload(base, pdf(seed), clerk()))
    created = requests.post(f"{base}/api/v1/dossiers", json=body, headers=clerk(), timeout=20)
    assert created.status_code == 201 and created.json()["status"]["code"] == 2, created.text
    return str(created.json()["code"])


def receipt_text(base: str, code: str, tmp_path: Path) -> list[str]:
    """The lines of the signed receipt as pdftotext reads them, once intake has had it issued."""
    def issued() -> requests.Response | None:
        response = requests.get(f"{base}/api/v1/dossiers/{code}/forms/01", headers=citizen(), timeout=20)
        return response if response.status_code == 200 else None

    response = eventually(issued, 60, interval=0.3, what=f"the receipt of {code}")
    path = tmp_path / f"{code}.pdf"
    path.write_bytes(response.content)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, timeout=60,
                         check=True)
    return [line.strip() for line in out.stdout.splitlines()]


def printed_address(lines: list[str], caption: str) -> str:
    """The address printed under a QR code's caption: the lines after it, up to the next empty one."""
    start = next(i for i, line in enumerate(lines) if caption.endswith(line) and line) + 1
    end = lines.index("", start)
    return "".join(lines[start:end])


def test_the_receipt_prints_the_rating_link_feedback_announces_and_it_opens_the_rating_page(
        intake, stack, topic, tmp_path):  # type: ignore[no-untyped-def]
    code = receive_at_the_counter(intake, "receipt-rating-1")
    lines = receipt_text(intake, code, tmp_path)
    assert RATING_CAPTION in " ".join(lines)
    printed = printed_address(lines, RATING_CAPTION)
    assert printed == link_of(topic, code).url
    assert printed.startswith(f"http://127.0.0.1:{stack.ports.http['feedback']}/r/{code}?t=")
    page = requests.get(printed, timeout=10)
    assert page.status_code == 200 and 'name="level"' in page.text
    assert printed_address(lines, "tình trạng giải quyết hồ sơ:").endswith(f"/tra-cuu/{code}")


def test_with_feedback_stopped_the_receipt_is_issued_without_the_rating_code(intake, stack, tmp_path):  # type: ignore[no-untyped-def]
    stack.stop(f"feedback-{PREFIX}")
    code = receive_at_the_counter(intake, "receipt-rating-2")
    text = " ".join(receipt_text(intake, code, tmp_path))
    assert code in text and "tra cứu" in text
    assert "đánh giá" not in text and "/r/" not in text
    metrics = requests.get(f"{intake}/metrics", timeout=10).text
    missing = [s.value for family in text_string_to_metric_families(metrics)
               if family.name == "motcua_receipts_without_rating_link" for s in family.samples
               if s.name.endswith("_total") and s.labels["code"] == "UNAVAILABLE"]
    assert missing and missing[0] >= 1
