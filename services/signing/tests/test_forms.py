"""Tests of the one-stop forms 01–05: content, layout over pages, byte-for-byte determinism."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import replace
from io import BytesIO
from typing import Any

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from signing import forms
from signing.forms import (
    Apology,
    Channel,
    ControlSheet,
    Form,
    FormHeader,
    HandOver,
    HandOverResult,
    Receipt,
    ReceivedDocument,
    Refusal,
    SupplementItem,
    SupplementRequest,
    catalog,
    layout,
)

CODE = "000.00.12.H56-260217-0007"
VERIFY_URL = "https://motcua.example.vn/verify/0123456789abcdef0123456789abcdef"
LOOKUP_URL = "https://dichvucong.ninhbinh.gov.vn/tra-cuu?ma=000.00.12.H56-260217-0007"
RECEIVED_AT = dt.datetime(2026, 2, 17, 1, 30, tzinfo=dt.UTC)


def make_header(**overrides: Any) -> FormHeader:
    fields: dict[str, Any] = {
        "agency_name": "Trung tâm Phục vụ hành chính công",
        "parent_agency_name": "UBND tỉnh Ninh Bình",
        "document_number": "125/TNHS",
        "place_name": "Ninh Bình",
        "issued_at": RECEIVED_AT,
    }
    fields.update(overrides)
    return FormHeader(**fields)


def make_receipt(**overrides: Any) -> Receipt:
    fields: dict[str, Any] = {
        "header": make_header(),
        "receiving_unit": "Bộ phận Một cửa",
        "dossier_code": CODE,
        "applicant_name": "Trần Thị Bích Ngọc",
        "applicant_phone": "0912345678",
        "applicant_address": "Số 12 đường Trần Hưng Đạo, tỉnh Ninh Bình",
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "documents": (
            ReceivedDocument("Tờ khai đăng ký khai sinh", 1),
            ReceivedDocument("Giấy chứng sinh", 2),
            ReceivedDocument("Giấy chứng nhận kết hôn", 0, reused=True),
        ),
        "received_at": RECEIVED_AT,
        "appointment_at": dt.datetime(2026, 2, 24, 1, 30, tzinfo=dt.UTC),
        "clerk_name": "Lê Văn Hùng",
        "channel": Channel.COUNTER,
        "lookup_url": LOOKUP_URL,
    }
    fields.update(overrides)
    return Receipt(**fields)


def make_supplement_request(**overrides: Any) -> SupplementRequest:
    fields: dict[str, Any] = {
        "header": make_header(document_number="126/YCBS"),
        "receiving_unit": "Bộ phận Một cửa",
        "dossier_code": CODE,
        "applicant_name": "Trần Thị Bích Ngọc",
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "received_at": RECEIVED_AT,
        "items": (
            SupplementItem("Giấy chứng sinh", "Bản chụp mờ, cần bản sao có chứng thực"),
            SupplementItem("Tờ khai đăng ký khai sinh", "Thiếu chữ ký của người đi đăng ký"),
        ),
        "due_at": dt.datetime(2026, 2, 27, 10, 0, tzinfo=dt.UTC),
        "official_name": "Lê Văn Hùng",
        "contact_phone": "02293871234",
    }
    fields.update(overrides)
    return SupplementRequest(**fields)


def make_refusal(**overrides: Any) -> Refusal:
    fields: dict[str, Any] = {
        "header": make_header(document_number="127/TCHS"),
        "receiving_unit": "Bộ phận Một cửa",
        "dossier_code": CODE,
        "applicant_name": "Trần Thị Bích Ngọc",
        "procedure_name": "Đăng ký khai sinh",
        "reasons": ("Hồ sơ không thuộc thẩm quyền giải quyết", "Người yêu cầu không cư trú trên địa bàn"),
        "official_name": "Lê Văn Hùng",
    }
    fields.update(overrides)
    return Refusal(**fields)


def make_apology(**overrides: Any) -> Apology:
    fields: dict[str, Any] = {
        "header": make_header(agency_name="Sở Tư pháp", document_number="15/XL",
                              issued_at=dt.datetime(2026, 2, 23, 2, 0, tzinfo=dt.UTC)),
        "dossier_code": CODE,
        "applicant_name": "Trần Thị Bích Ngọc",
        "procedure_name": "Đăng ký khai sinh",
        "received_at": RECEIVED_AT,
        "reason": "Cần xác minh thêm thông tin với nơi cư trú trước đây",
        "original_appointment_at": dt.datetime(2026, 2, 24, 1, 30, tzinfo=dt.UTC),
        "new_appointment_at": dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC),
        "deciding_agency": "Sở Tư pháp tỉnh Ninh Bình",
        "signer_title": "GIÁM ĐỐC",
        "signer_name": "Phạm Minh Đức",
    }
    fields.update(overrides)
    return Apology(**fields)


def make_hand_over(number: int) -> HandOver:
    results = (HandOverResult.EARLY, HandOverResult.ON_TIME, HandOverResult.LATE, None)
    return HandOver(
        step=f"Bước {number}",
        giver=f"Người giao {number}",
        receiver=f"Người nhận {number}",
        handed_over_at=RECEIVED_AT + dt.timedelta(hours=number),
        due_at=RECEIVED_AT + dt.timedelta(days=1),
        result=results[number % 4],
        note="Chuyển điện tử" if number % 5 == 0 else "",
    )


def make_control_sheet(count: int = 4, **overrides: Any) -> ControlSheet:
    fields: dict[str, Any] = {
        "header": make_header(document_number=""),
        "dossier_code": CODE,
        "applicant_name": "Trần Thị Bích Ngọc",
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "deciding_agency": "Phòng Tư pháp",
        "coordinating_agencies": ("Công an xã Hoa Lư",),
        "rows": tuple(make_hand_over(number) for number in range(1, count + 1)),
    }
    fields.update(overrides)
    return ControlSheet(**fields)


BUILDERS: dict[str, Callable[[], Form]] = {
    "receipt": make_receipt,
    "supplement_request": make_supplement_request,
    "refusal": make_refusal,
    "apology": make_apology,
    "control_sheet": make_control_sheet,
}
TITLES = {
    "receipt": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "supplement_request": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "refusal": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "apology": "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
    "control_sheet": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
}


def render(form: Form) -> bytes:
    return forms.render(form, verify_url=VERIFY_URL)


def pages_text(pdf: bytes) -> list[str]:
    """The text of each page with runs of white space (line breaks included) made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(BytesIO(pdf)).pages]


def text_of(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def fingerprints() -> dict[str, str]:
    """The SHA-256 of every form as rendered here; compared across processes."""
    return {kind: hashlib.sha256(render(build())).hexdigest() for kind, build in BUILDERS.items()}


@pytest.fixture(scope="module")
def rendered() -> dict[str, bytes]:
    return {kind: render(build()) for kind, build in BUILDERS.items()}


@pytest.mark.parametrize("kind", BUILDERS)
def test_each_form_renders_one_a4_page(kind: str, rendered: dict[str, bytes]) -> None:
    pdf = rendered[kind]
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    assert reader.metadata is not None and reader.metadata.title == TITLES[kind]


@pytest.mark.parametrize("kind", BUILDERS)
def test_each_form_renders_the_same_bytes_every_time(kind: str, rendered: dict[str, bytes]) -> None:
    assert render(BUILDERS[kind]()) == rendered[kind]


@pytest.mark.parametrize("kind", BUILDERS)
def test_each_form_carries_its_title_code_and_header(kind: str, rendered: dict[str, bytes]) -> None:
    text = text_of(rendered[kind])
    for expected in (TITLES[kind], f"Mã hồ sơ: {CODE}", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                     "Độc lập - Tự do - Hạnh phúc", "UBND TỈNH NINH BÌNH", "(Ký số)"):
        assert expected in text


def test_forms_are_identical_whatever_the_hash_seed(rendered: dict[str, bytes]) -> None:
    script = (
        "import importlib.util, json, sys\n"
        "spec = importlib.util.spec_from_file_location('forms_under_test', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "print(json.dumps(module.fingerprints()))\n"
    )
    expected = {kind: hashlib.sha256(pdf).hexdigest() for kind, pdf in rendered.items()}
    for seed in ("1", "4242"):
        run = subprocess.run([sys.executable, "-c", script, __file__], capture_output=True, text=True, check=True,
                             env={**os.environ, "PYTHONHASHSEED": seed}, timeout=120)
        assert json.loads(run.stdout.strip().splitlines()[-1]) == expected


def test_threads_of_a_fresh_process_render_at_once_after_the_warm_up(rendered: dict[str, bytes]) -> None:
    script = (
        "import hashlib, importlib.util, json, sys, threading\n"
        "from signing import forms\n"
        "spec = importlib.util.spec_from_file_location('forms_under_test', sys.argv[1])\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(module)\n"
        "forms.warm_up()\n"
        "found = []\n"
        "threads = [threading.Thread(target=lambda: found.append(module.fingerprints())) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(json.dumps(found))\n"
    )
    run = subprocess.run([sys.executable, "-c", script, __file__], capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
    expected = {kind: hashlib.sha256(pdf).hexdigest() for kind, pdf in rendered.items()}
    assert json.loads(run.stdout.strip().splitlines()[-1]) == [expected] * 8


def test_receipt_lists_documents_times_and_clerk(rendered: dict[str, bytes]) -> None:
    text = text_of(rendered["receipt"])
    for expected in (
        "Bộ phận Một cửa đã tiếp nhận hồ sơ của",
        "Ông/Bà: Trần Thị Bích Ngọc",
        "Số điện thoại: 0912345678",
        "1.001193 - Đăng ký khai sinh",
        "Hình thức nộp hồ sơ: Trực tiếp tại Bộ phận Một cửa",
        "Tờ khai đăng ký khai sinh",
        "Giấy chứng sinh",
        "Giấy chứng nhận kết hôn",
        "Sử dụng lại từ hồ sơ đã nộp",
        "Số lượng giấy tờ: 3, trong đó 1 giấy tờ được sử dụng lại",
        "Thời gian nhận hồ sơ: 08 giờ 30 phút, ngày 17 tháng 02 năm 2026",
        "Thời gian trả kết quả giải quyết hồ sơ: 08 giờ 30 phút, ngày 24 tháng 02 năm 2026",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Văn Hùng",
        "tra cứu tình trạng giải quyết hồ sơ",
    ):
        assert expected in text


def test_receipt_qr_leads_to_the_lookup_not_the_verification_page(rendered: dict[str, bytes]) -> None:
    compact = text_of(rendered["receipt"]).replace(" ", "")
    assert LOOKUP_URL in compact
    assert VERIFY_URL not in compact
    assert forms.render(make_receipt(), verify_url="https://elsewhere.example/verify/x") == rendered["receipt"]
    assert render(make_receipt(lookup_url=LOOKUP_URL + "&k=1")) != rendered["receipt"]


RATING_URL = ("https://danhgia.dichvucong.ninhbinh.gov.vn/r/000.00.12.H56-260217-0007?t=MDAwLjAwLjEyLkg1Ni0yNjAy"
              "MTctMDAwN3wxNzc0MzMxNDAwfA.tS6vd2nHPRqAR9s0TcqAKuDwqMSqgbeo0b7TfNp5c3k")
LONG_NAMES = {
    "applicant_name": "Tôn Nữ Hoàng Thị Minh Nguyệt Phương Thảo Ngọc Bích",
    "applicant_address": "Số 123 ngõ 45 ngách 67 đường Nguyễn Văn Linh, phường Thạch Bàn, quận Long Biên, "
                         "thành phố Hà Nội",
    "procedure_name": "Thủ tục đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi "
                      "(liên thông)",
}


def test_receipt_with_a_rating_link_shows_both_codes_on_one_page_even_with_long_names() -> None:
    for receipt in (make_receipt(rating_url=RATING_URL), make_receipt(rating_url=RATING_URL, **LONG_NAMES)):
        pdf = render(receipt)
        [page] = pages_text(pdf)
        assert "Quét mã QR để đánh giá mức độ hài lòng" in page
        assert RATING_URL in page.replace(" ", "") and LOOKUP_URL in page.replace(" ", "")
        assert render(receipt) == pdf
    plain = text_of(render(make_receipt(**LONG_NAMES)))
    assert "đánh giá" not in plain


def test_receipt_leaves_out_what_was_not_given() -> None:
    text = text_of(render(make_receipt(applicant_phone="", applicant_address="", channel=None,
                                       documents=(ReceivedDocument("Tờ khai", 1),))))
    assert "Số điện thoại" not in text
    assert "Địa chỉ:" not in text
    assert "Hình thức nộp" not in text
    assert "Số lượng giấy tờ: 1." in text


def test_supplement_request_lists_each_item_with_its_reason(rendered: dict[str, bytes]) -> None:
    text = text_of(rendered["supplement_request"])
    for expected in ("Giấy chứng sinh", "Bản chụp mờ, cần bản sao có chứng thực", "Tờ khai đăng ký khai sinh",
                     "Thiếu chữ ký của người đi đăng ký", "Vào 08 giờ 30 phút, ngày 17 tháng 02 năm 2026",
                     "Thời hạn bổ sung, hoàn thiện hồ sơ: 17 giờ 00 phút, ngày 27 tháng 02 năm 2026",
                     "không tính vào thời hạn giải quyết hồ sơ", "02293871234", "NGƯỜI HƯỚNG DẪN"):
        assert expected in text


def test_supplement_request_without_deadline_says_none() -> None:
    text = text_of(render(make_supplement_request(due_at=None, received_at=None, contact_phone="")))
    assert "Thời hạn bổ sung" not in text
    assert "Bộ phận Một cửa đã tiếp nhận hồ sơ của" in text
    assert "liên hệ" not in text


def test_refusal_numbers_its_reasons(rendered: dict[str, bytes]) -> None:
    text = text_of(rendered["refusal"])
    assert "không tiếp nhận giải quyết hồ sơ này vì những lý do sau" in text
    assert "1. Hồ sơ không thuộc thẩm quyền giải quyết" in text
    assert "2. Người yêu cầu không cư trú trên địa bàn" in text


def test_apology_gives_reason_and_new_appointment(rendered: dict[str, bytes]) -> None:
    text = text_of(rendered["apology"])
    for expected in (
        "Kính gửi Ông/Bà: Trần Thị Bích Ngọc",
        "Lý do: Cần xác minh thêm thông tin với nơi cư trú trước đây",
        "đã hẹn: 08 giờ 30 phút, ngày 24 tháng 02 năm 2026",
        "Sở Tư pháp tỉnh Ninh Bình xin lỗi Ông/Bà",
        "vào 16 giờ 00 phút, ngày 03 tháng 3 năm 2026",
        "GIÁM ĐỐC",
        "Phạm Minh Đức",
        "Ninh Bình, ngày 23 tháng 02 năm 2026",
    ):
        assert expected in text


def test_apology_without_signer_title_is_signed_by_the_head_of_agency() -> None:
    assert "THỦ TRƯỞNG CƠ QUAN" in text_of(render(make_apology(signer_title="", signer_name="")))


def test_control_sheet_has_a_row_per_hand_over(rendered: dict[str, bytes]) -> None:
    text = text_of(rendered["control_sheet"])
    for expected in ("Bước xử lý", "Bên giao", "Bên nhận", "Kết quả", "Cơ quan (bộ phận) giải quyết hồ sơ: Phòng Tư pháp",
                     "Công an xã Hoa Lư", "Trước hạn", "Đúng hạn", "Quá hạn"):
        assert expected in text
    for number in range(1, 5):
        for expected in (f"Bước {number}", f"Người giao {number}", f"Người nhận {number}"):
            assert expected in text
    assert "Số:" not in text


def test_forty_row_control_sheet_flows_onto_a_second_page_under_a_repeated_heading() -> None:
    pdf = render(make_control_sheet(count=40))
    pages = pages_text(pdf)
    assert len(pages) >= 2
    for page in pages:
        assert "Bước xử lý" in page and "Bên giao" in page
    assert pages[1].startswith("2 ")
    assert "Người giao 1 " in pages[0]
    assert "Người giao 40" in pages[-1]
    assert "CƠ QUAN GIẢI QUYẾT HỒ SƠ" in pages[-1]
    assert all(f"Người nhận {number} " in " ".join(pages) + " " for number in range(1, 41))


def test_many_documents_repeat_the_table_heading_on_the_next_page() -> None:
    documents = tuple(ReceivedDocument(f"Giấy tờ số {number}", 1) for number in range(1, 61))
    pages = pages_text(render(make_receipt(documents=documents)))
    assert len(pages) >= 2
    assert all("Tên giấy tờ" in page for page in pages[:2])
    assert "Giấy tờ số 60" in pages[-1]
    assert "Thời gian trả kết quả" in pages[-1]


def test_long_text_wraps_and_flows_across_pages() -> None:
    reasons = tuple(f"Lý do thứ {number}: " + "hồ sơ chưa đáp ứng điều kiện theo quy định " * 12
                    for number in range(1, 9))
    pages = pages_text(render(make_refusal(reasons=reasons)))
    assert len(pages) >= 2
    assert "8. Lý do thứ 8" in " ".join(pages)
    assert "Xin thông báo để Ông/Bà được biết" in pages[-1]


def test_very_long_unbroken_text_fits_a_table_cell() -> None:
    row = replace(make_hand_over(1), step="y" * 200, note="x" * 300)
    compact = text_of(render(make_control_sheet(rows=(row,)))).replace(" ", "")
    assert "y" * 200 in compact
    assert "x" * 300 in compact


def test_times_are_shown_in_vietnam_time() -> None:
    evening_utc = dt.datetime(2026, 2, 17, 20, 15, tzinfo=dt.UTC)
    text = text_of(render(make_receipt(received_at=evening_utc, header=make_header(issued_at=evening_utc))))
    assert "03 giờ 15 phút, ngày 18 tháng 02 năm 2026" in text
    assert "Ninh Bình, ngày 18 tháng 02 năm 2026" in text


def test_creation_date_is_the_issue_date(rendered: dict[str, bytes]) -> None:
    metadata = PdfReader(BytesIO(rendered["receipt"])).metadata
    assert metadata is not None
    assert metadata.creation_date == dt.datetime(2026, 2, 17, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))


def test_every_form_kind_has_a_default_signing_reason() -> None:
    reasons = {kind: forms.signing_reason(build()) for kind, build in BUILDERS.items()}
    assert reasons["receipt"] == "Tiếp nhận hồ sơ"
    assert all(reasons.values())
    assert len(set(reasons.values())) == len(reasons)



def catalog_texts(value: Any) -> list[str]:
    """Every string of one of the forms' catalogs (mappings of text, or of mappings of text)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [text for item in value.values() for text in catalog_texts(item)]
    return []


def test_the_font_drawn_with_has_every_character_of_the_catalog() -> None:
    texts = [text for name in dir(catalog) if name.isupper() for text in catalog_texts(getattr(catalog, name))]
    characters = {c for text in texts for c in text if c >= " "}
    assert {"ệ", "Đ", "ữ"} <= characters  # the catalog is read, diacritics and all
    for name in layout.FONT_FILES.values():
        cmap = TTFont(layout.font_directory() / name).getBestCmap()
        assert sorted(c for c in characters if ord(c) not in cmap) == []


def test_names_in_vietnamese_greek_and_cyrillic_are_drawn_with_glyphs_not_boxes() -> None:
    names = "Nguyễn Thị Ánh Tuyết, Иван Петрович Сидоров, Νίκος Παπαδόπουλος"
    assert names in text_of(render(make_receipt(applicant_name=names)))


@pytest.mark.parametrize(("files", "message"), [
    ({}, "DejaVuSerif.ttf, DejaVuSerif-Bold.ttf, DejaVuSerif-Italic.ttf not found in"),
    ({name: b"not a font" for name in layout.FONT_FILES.values()}, "cannot cut the fonts of"),
])
def test_fonts_missing_or_unreadable_stop_the_start_with_what_is_wrong(
        files: dict[str, bytes], message: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    monkeypatch.setenv("MOTCUA_SIGNING_FONT_DIR", str(tmp_path))
    layout.font_directory.cache_clear()
    try:
        with pytest.raises(RuntimeError, match=message):
            layout.font_directory()
    finally:
        monkeypatch.delenv("MOTCUA_SIGNING_FONT_DIR")
        layout.font_directory.cache_clear()
