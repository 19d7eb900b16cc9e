"""Tests of reading the forms of a SignPdfRequest: translation, and refusals that name the field."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from google.protobuf.message import Message
from motcua.errors import InvalidInput
from motcua.events import timestamp
from motcua.v1 import signing_pb2
from signing.form_requests import form_from_request
from signing.forms import Channel, HandOverResult, Receipt, ResultDocument

FormMessages = Any


def read(**source: Message) -> Any:
    return form_from_request(signing_pb2.SignPdfRequest(**source, signer="official"))


def refusal_of(**source: Message) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        read(**source)
    return caught.value


def pointers(error: InvalidInput) -> list[str]:
    return [field.pointer for field in error.errors]


def cleared(message: Message, *names: str) -> Message:
    for name in names:
        message.ClearField(name)
    return message


def test_a_pdf_or_stored_document_is_not_a_form() -> None:
    assert form_from_request(signing_pb2.SignPdfRequest(pdf=b"%PDF-1.7")) is None
    assert form_from_request(signing_pb2.SignPdfRequest(document_id="0" * 32)) is None
    assert form_from_request(signing_pb2.SignPdfRequest()) is None


def test_receipt_becomes_the_domain_form(messages: FormMessages) -> None:
    receipt = read(receipt=messages.receipt(applicant_name="  Tra\u0302\u0300n Thi\u0323 Bi\u0301ch Ngo\u0323c "))
    assert isinstance(receipt, Receipt)
    assert receipt.applicant_name == unicodedata.normalize("NFC", "Trần Thị Bích Ngọc")
    assert receipt.channel is Channel.ONLINE
    assert receipt.received_at == dt.datetime(2026, 2, 17, 1, 30, tzinfo=dt.UTC)
    assert [(d.name, d.copies, d.reused) for d in receipt.documents] == [
        ("Tờ khai đăng ký khai sinh", 1, False), ("Giấy chứng nhận kết hôn", 0, True)]
    assert receipt.header.parent_agency_name == "UBND tỉnh Ninh Bình"
    assert receipt.rating_url == ""
    rated = read(receipt=messages.receipt(rating_url="https://danhgia.example.vn/r/000.00.12.H56-260217-0007?t=a.b"))
    assert isinstance(rated, Receipt) and rated.rating_url.endswith("?t=a.b")


def test_receiving_unit_and_deciding_agency_default_to_the_issuing_agency(messages: FormMessages) -> None:
    assert read(receipt=messages.receipt(receiving_unit="")).receiving_unit == "Trung tâm Phục vụ hành chính công"
    assert read(apology=messages.apology(deciding_agency="")).deciding_agency == "Sở Tư pháp"
    assert read(control_sheet=messages.control_sheet()).deciding_agency == "Trung tâm Phục vụ hành chính công"


def test_hand_over_results_and_open_steps(messages: FormMessages) -> None:
    sheet = read(control_sheet=messages.control_sheet())
    assert [row.result for row in sheet.rows] == [HandOverResult.ON_TIME, None]


def test_result_document_without_header_is_headed_by_its_agency(messages: FormMessages) -> None:
    result = read(render=messages.result())
    assert isinstance(result, ResultDocument)
    assert result.header.agency_name == "UBND tỉnh Ninh Bình"
    assert result.header.issued_at == result.decided_at
    headed = read(render=messages.result(agency_name="", header=messages.header(agency_name="Sở Tư pháp")))
    assert headed.agency_name == "Sở Tư pháp"


MISSING: list[tuple[str, Callable[[FormMessages], Message], str]] = [
    ("receipt", lambda m: cleared(m.receipt(), "dossier_code"), "receipt.dossier_code"),
    ("receipt", lambda m: cleared(m.receipt(), "appointment_at"), "receipt.appointment_at"),
    ("receipt", lambda m: cleared(m.receipt(), "received_at"), "receipt.received_at"),
    ("receipt", lambda m: cleared(m.receipt(), "applicant_name"), "receipt.applicant_name"),
    ("receipt", lambda m: cleared(m.receipt(), "procedure_code"), "receipt.procedure_code"),
    ("receipt", lambda m: cleared(m.receipt(), "clerk_name"), "receipt.clerk_name"),
    ("receipt", lambda m: cleared(m.receipt(), "lookup_url"), "receipt.lookup_url"),
    ("receipt", lambda m: cleared(m.receipt(), "header"), "receipt.header"),
    ("receipt", lambda m: m.receipt(header=cleared(m.header(), "issued_at")), "receipt.header.issued_at"),
    ("receipt", lambda m: m.receipt(header=m.header(agency_name=" ")), "receipt.header.agency_name"),
    ("supplement_request", lambda m: cleared(m.supplement_request(), "dossier_code"),
     "supplement_request.dossier_code"),
    ("supplement_request", lambda m: cleared(m.supplement_request(), "procedure_name"),
     "supplement_request.procedure_name"),
    ("refusal", lambda m: cleared(m.refusal(), "applicant_name"), "refusal.applicant_name"),
    ("apology", lambda m: cleared(m.apology(), "new_appointment_at"), "apology.new_appointment_at"),
    ("apology", lambda m: cleared(m.apology(), "original_appointment_at"), "apology.original_appointment_at"),
    ("apology", lambda m: cleared(m.apology(), "reason"), "apology.reason"),
    ("control_sheet", lambda m: cleared(m.control_sheet(), "dossier_code"), "control_sheet.dossier_code"),
    ("render", lambda m: cleared(m.result(), "decided_at"), "render.decided_at"),
    ("render", lambda m: cleared(m.result(), "dossier_code"), "render.dossier_code"),
]


@pytest.mark.parametrize(("kind", "build", "pointer"), MISSING, ids=[case[2] for case in MISSING])
def test_a_missing_required_field_is_named(kind: str, build: Callable[[FormMessages], Message], pointer: str,
                                           messages: FormMessages) -> None:
    error = refusal_of(**{kind: build(messages)})
    assert pointers(error) == [pointer]
    assert error.errors[0].message_vi.startswith("Thiếu ")
    assert error.errors[0].message_en == f"{pointer} is required"


EMPTY_LISTS = [
    ("receipt", "documents", "receipt.documents", "Cần ít nhất một giấy tờ trong thành phần hồ sơ"),
    ("supplement_request", "items", "supplement_request.items", "Cần ít nhất một nội dung cần bổ sung"),
    ("refusal", "reasons", "refusal.reasons", "Cần ít nhất một lý do từ chối"),
    ("control_sheet", "rows", "control_sheet.rows", "Cần ít nhất một lần giao, nhận hồ sơ"),
]


@pytest.mark.parametrize(("kind", "field", "pointer", "message_vi"), EMPTY_LISTS)
def test_a_form_without_items_is_refused(kind: str, field: str, pointer: str, message_vi: str,
                                         messages: FormMessages) -> None:
    error = refusal_of(**{kind: cleared(getattr(messages, kind)(), field)})
    assert pointers(error) == [pointer]
    assert error.errors[0].message_vi == message_vi


def test_an_item_without_its_text_is_named_with_its_position(messages: FormMessages) -> None:
    receipt = messages.receipt()
    receipt.documents.add(name="", copies=1)
    error = refusal_of(receipt=receipt)
    assert pointers(error) == ["receipt.documents[2].name"]
    assert error.errors[0].message_vi == "Thiếu tên giấy tờ (mục 3)"
    supplement = messages.supplement_request(items=[signing_pb2.SupplementItem(document_name="Giấy chứng sinh")])
    assert pointers(refusal_of(supplement_request=supplement)) == ["supplement_request.items[0].reason"]
    assert pointers(refusal_of(refusal=messages.refusal(reasons=["Lý do", "  "]))) == ["refusal.reasons[1]"]
    sheet = messages.control_sheet(rows=[cleared(messages.hand_over(), "handed_over_at", "receiver")])
    assert pointers(refusal_of(control_sheet=sheet)) == ["control_sheet.rows[0].receiver",
                                                         "control_sheet.rows[0].handed_over_at"]


def test_every_problem_is_reported_at_once(messages: FormMessages) -> None:
    error = refusal_of(receipt=cleared(messages.receipt(), "dossier_code", "appointment_at", "documents"))
    assert sorted(pointers(error)) == ["receipt.appointment_at", "receipt.documents", "receipt.dossier_code"]
    assert "receipt.dossier_code is required" in error.detail
    assert "Thiếu mã hồ sơ" in error.detail_vi


def test_appointment_must_follow_reception(messages: FormMessages) -> None:
    receipt = messages.receipt(appointment_at=messages.receipt().received_at)
    error = refusal_of(receipt=receipt)
    assert pointers(error) == ["receipt.appointment_at"]
    assert error.errors[0].message_vi == "Thời điểm hẹn trả kết quả phải sau thời điểm nhận hồ sơ"


def test_new_appointment_must_follow_the_original(messages: FormMessages) -> None:
    apology = messages.apology()
    apology.new_appointment_at.CopyFrom(timestamp(dt.datetime(2026, 2, 20, tzinfo=dt.UTC)))
    error = refusal_of(apology=apology)
    assert pointers(error) == ["apology.new_appointment_at"]
    assert error.errors[0].message_en == "apology.new_appointment_at must be after apology.original_appointment_at"


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"procedure_code": "1001193"}, "receipt.procedure_code"),
        ({"lookup_url": "javascript:alert(1)"}, "receipt.lookup_url"),
        ({"rating_url": "ftp://danhgia.example.vn/r/1"}, "receipt.rating_url"),
        ({"rating_url": "https://danhgia.example.vn/r/" + "x" * 500}, "receipt.rating_url"),
        ({"channel": 9}, "receipt.channel"),
        ({"dossier_code": "x" * 65}, "receipt.dossier_code"),
        ({"applicant_name": "Ngọc" * 60}, "receipt.applicant_name"),
        ({"documents": [signing_pb2.ReceivedDocument(name="Tờ khai", copies=0)]}, "receipt.documents[0].copies"),
        ({"documents": [signing_pb2.ReceivedDocument(name="Tờ khai", copies=-1, reused=True)]},
         "receipt.documents[0].copies"),
        ({"documents": [signing_pb2.ReceivedDocument(name=f"G{n}", copies=1) for n in range(101)]},
         "receipt.documents"),
    ],
)
def test_malformed_receipt_values_are_named(overrides: dict[str, Any], pointer: str,
                                            messages: FormMessages) -> None:
    assert pointers(refusal_of(receipt=messages.receipt(**overrides))) == [pointer]


def test_control_sheet_limits_its_rows_and_checks_results(messages: FormMessages) -> None:
    too_many = messages.control_sheet(rows=[messages.hand_over()] * 501)
    assert pointers(refusal_of(control_sheet=too_many)) == ["control_sheet.rows"]
    unknown = messages.control_sheet(rows=[messages.hand_over(result=7)])
    assert pointers(refusal_of(control_sheet=unknown)) == ["control_sheet.rows[0].result"]


def test_a_timestamp_out_of_range_is_named(messages: FormMessages) -> None:
    row = messages.hand_over()
    row.due_at.seconds = 10**13
    error = refusal_of(control_sheet=messages.control_sheet(rows=[row]))
    assert pointers(error) == ["control_sheet.rows[0].due_at"]
    assert error.errors[0].message_vi == "Hạn xử lý không hợp lệ (mục 1)"


def test_too_long_reason_is_refused_with_the_limit(messages: FormMessages) -> None:
    error = refusal_of(apology=messages.apology(reason="chậm " * 500))
    assert pointers(error) == ["apology.reason"]
    assert error.errors[0].message_vi == "Lý do chậm trả kết quả dài quá 2000 ký tự"
