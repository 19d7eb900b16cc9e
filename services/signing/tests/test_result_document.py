"""Tests of the result document rendering and of the Vietnamese date formats."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pypdf import PdfReader
from signing import forms
from signing.forms import FormHeader, ResultDocument
from signing.forms.dates import place_and_date, vietnamese_date, vietnamese_datetime

VERIFY_URL = "https://motcua.example.vn/xac-thuc/000.00.12.H56-260217-0007"


def render_result_document(*, verify_url: str = VERIFY_URL, header: FormHeader | None = None,
                           **overrides: Any) -> bytes:
    fields: dict[str, Any] = {
        "dossier_code": "000.00.12.H56-260217-0007",
        "procedure_name": "Đăng ký khai sinh",
        "applicant_name": "Trần Thị Bích Ngọc",
        "agency_name": "UBND tỉnh Ninh Bình",
        "decided_at": dt.datetime(2026, 2, 17, 7, 30, tzinfo=dt.UTC),
    }
    fields.update(overrides)
    header = header or FormHeader(agency_name=fields["agency_name"], issued_at=fields["decided_at"])
    return forms.render(ResultDocument(header=header, **fields), verify_url=verify_url)


@pytest.fixture(scope="module")
def rendered() -> bytes:
    return render_result_document()


def extracted_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)


def test_rendering_is_deterministic(rendered: bytes) -> None:
    assert render_result_document() == rendered


def test_different_dossiers_give_different_documents(rendered: bytes) -> None:
    other = render_result_document(dossier_code="000.00.12.H56-260217-0008")
    assert other != rendered


def test_document_is_one_a4_page(rendered: bytes) -> None:
    assert rendered.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(rendered))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) * 25.4 / 72) == 210
    assert round(float(box.height) * 25.4 / 72) == 297


def test_text_carries_vietnamese_diacritics(rendered: bytes) -> None:
    text = extracted_text(rendered)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ",
        "000.00.12.H56-260217-0007",
        "Đăng ký khai sinh",
        "Trần Thị Bích Ngọc",
        "UBND TỈNH NINH BÌNH",
        "Ngày 17 tháng 02 năm 2026",
        "14 giờ 30 phút, ngày 17 tháng 02 năm 2026",
    ):
        assert expected in text


def test_verification_address_is_printed(rendered: bytes) -> None:
    assert "xac-thuc/000.00.12.H56-260217-0007" in extracted_text(rendered).replace("\n", "")


def test_font_with_vietnamese_glyphs_is_embedded(rendered: bytes) -> None:
    reader = PdfFileReader(BytesIO(rendered))
    page = reader.root["/Pages"]["/Kids"][0]
    fonts = page["/Resources"]["/Font"]
    assert len(fonts) >= 1
    for font_ref in fonts.values():
        font = font_ref.get_object()
        assert "DejaVuSerif" in str(font["/BaseFont"])
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"]
        assert "/ToUnicode" in font


def test_time_is_shown_in_vietnam_time() -> None:
    late_evening_utc = dt.datetime(2026, 2, 17, 20, 15, tzinfo=dt.UTC)
    text = extracted_text(render_result_document(decided_at=late_evening_utc))
    assert "03 giờ 15 phút, ngày 18 tháng 02 năm 2026" in text


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 31), "ngày 31 tháng 01 năm 2026"),
        (dt.date(2026, 4, 30), "ngày 30 tháng 4 năm 2026"),
        (dt.date(2026, 11, 9), "ngày 09 tháng 11 năm 2026"),
    ],
)
def test_vietnamese_date_follows_the_administrative_style(day: dt.date, expected: str) -> None:
    assert vietnamese_date(day) == expected


def test_vietnamese_datetime_pads_hours_and_minutes() -> None:
    moment = dt.datetime(2026, 9, 2, 8, 5)
    assert vietnamese_datetime(moment) == "08 giờ 05 phút, ngày 02 tháng 9 năm 2026"


def test_a_given_header_heads_the_result_document() -> None:
    header = FormHeader(agency_name="Sở Tư pháp", parent_agency_name="UBND tỉnh Ninh Bình",
                        document_number="57/QĐ-STP", place_name="Ninh Bình",
                        issued_at=dt.datetime(2026, 2, 18, 2, 0, tzinfo=dt.UTC))
    text = extracted_text(render_result_document(header=header))
    for expected in ("UBND TỈNH NINH BÌNH", "SỞ TƯ PHÁP", "Số: 57/QĐ-STP", "Ninh Bình, ngày 18 tháng 02 năm 2026"):
        assert expected in text


def test_place_and_date_line_starts_with_the_place() -> None:
    moment = dt.datetime(2026, 4, 29, 18, 0, tzinfo=dt.UTC)
    assert place_and_date("Hoa Lư", moment) == "Hoa Lư, ngày 30 tháng 4 năm 2026"
    assert place_and_date("", moment) == "Ngày 30 tháng 4 năm 2026"
