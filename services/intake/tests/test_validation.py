import pytest
from intake.validation import (
    DocumentInput,
    SupplementItem,
    citizen_id_problem,
    content_type_of,
    normalize_phone,
    parse_submission,
    parse_supplement_request,
)
from motcua.errors import InvalidInput
from motcua.v1 import common_pb2

DIGEST = "a" * 64


def make_body(**overrides):
    body = {
        "procedure_code": "1.001193",
        "channel": "online",
        "applicant": {"full_name": "  Nguyễn Văn An ", "citizen_id": "001190012345", "birth_year": 1990,
                      "phone": "+84912345678", "email": "an@example.vn"},
        "documents": [{"type": "to-khai", "attachment": DIGEST}],
    }
    body.update(overrides)
    return body


def pointers(error: InvalidInput) -> set[str]:
    return {e.pointer for e in error.errors}


def test_a_valid_body_parses_and_normalizes_the_phone():
    submission = parse_submission(make_body())
    assert submission.procedure_code == "1.001193"
    assert submission.channel == common_pb2.CHANNEL_ONLINE
    assert submission.applicant.full_name == "Nguyễn Văn An"
    assert submission.applicant.phone == "0912345678"
    assert submission.applicant.citizen_id == "001190012345"
    assert submission.documents == (DocumentInput("to-khai", DIGEST, reused=False),)


def test_a_document_is_either_a_new_upload_or_a_reused_one():
    other = "b" * 64
    body = make_body(documents=[{"type": "to-khai", "attachment": DIGEST}, {"type": "giay-chung-sinh", "reuse": other}])
    assert parse_submission(body).documents == (DocumentInput("to-khai", DIGEST, False),
                                                DocumentInput("giay-chung-sinh", other, True))


def test_supplement_request_items_need_a_reason_and_a_name_or_document_type():
    with pytest.raises(InvalidInput) as caught:
        parse_supplement_request({"items": [{"document_type": "to-khai"}, {"reason": "thiếu"}, "x"]})
    assert pointers(caught.value) == {"/items/0/reason", "/items/1/name", "/items/2"}
    items, note = parse_supplement_request({"items": [{"document_type": "to-khai", "reason": " mờ "}], "note": "gấp"})
    assert items == [SupplementItem("to-khai", "mờ", "")] and note == "gấp"


def test_an_invalid_body_reports_every_bad_field_at_once():
    body = make_body(
        procedure_code="1001193",
        applicant={"full_name": "   ", "citizen_id": "097190012345", "phone": "12345"},
        documents=[{"type": "to-khai", "attachment": "not-a-digest"}, {"type": "Bad Type"}],
    )
    with pytest.raises(InvalidInput) as caught:
        parse_submission(body)
    assert pointers(caught.value) == {
        "/procedure_code", "/applicant/citizen_id", "/applicant/phone", "/applicant/full_name", "/documents/0/attachment",
        "/documents/1/type"}
    assert caught.value.http_status == 422
    assert all(e.message_vi and e.message_en for e in caught.value.errors)


def test_a_missing_applicant_is_reported():
    body = make_body()
    del body["applicant"]
    with pytest.raises(InvalidInput) as caught:
        parse_submission(body)
    assert pointers(caught.value) == {"/applicant"}


def test_an_unknown_channel_is_reported():
    with pytest.raises(InvalidInput) as caught:
        parse_submission(make_body(channel="fax"))
    assert pointers(caught.value) == {"/channel"}


def test_a_bad_email_is_reported():
    body = make_body()
    body["applicant"] = {**body["applicant"], "email": "not an email"}
    with pytest.raises(InvalidInput) as caught:
        parse_submission(body)
    assert pointers(caught.value) == {"/applicant/email"}


def test_the_citizens_notification_channels_keep_their_order_and_default_to_none():
    assert parse_submission(make_body()).notify_channels == ()
    assert parse_submission(make_body(notify_channels=["email", "sms"])).notify_channels == ("email", "sms")


def test_bad_notification_channels_are_reported_each_with_its_pointer():
    with pytest.raises(InvalidInput) as caught:
        parse_submission(make_body(notify_channels=["sms", "fax", "sms"]))
    assert pointers(caught.value) == {"/notify_channels/1", "/notify_channels/2"}
    with pytest.raises(InvalidInput) as caught:
        parse_submission(make_body(notify_channels="sms"))
    assert pointers(caught.value) == {"/notify_channels"}


def test_the_email_channel_needs_an_email_address():
    body = make_body(notify_channels=["zns", "email"])
    body["applicant"] = {**body["applicant"], "email": ""}
    with pytest.raises(InvalidInput) as caught:
        parse_submission(body)
    assert pointers(caught.value) == {"/notify_channels/1"}
    assert "e-mail" in caught.value.errors[0].message_vi


@pytest.mark.parametrize(("raw", "expected"), [
    ("+84912345678", "0912345678"), ("0912 345 678", "0912345678"), ("0387.654.321", "0387654321"),
    ("0212345678", None), ("091234567", None), ("+8491234567890", None),
])
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_a_well_formed_citizen_id_has_no_problem():
    assert citizen_id_problem("001190012345", None) is None


def test_an_unknown_province_code_is_a_problem():
    problem = citizen_id_problem("097190012345", None)
    assert problem is not None
    assert "097" in problem[1]


@pytest.mark.parametrize("value", ["00119001234", "0011900123456", "00119001234X"])
def test_a_citizen_id_must_be_twelve_digits(value):
    assert citizen_id_problem(value, None) is not None


def test_the_encoded_birth_year_must_match():
    assert citizen_id_problem("001190012345", 1990) is None
    problem = citizen_id_problem("001190012345", 1991)
    assert problem is not None
    assert "1990" in problem[1] and "1991" in problem[1]


def test_century_digits_2_and_3_mean_the_2000s():
    assert citizen_id_problem("001300012345", 2000) is None
    assert citizen_id_problem("001300012345", 1900) is not None
    assert citizen_id_problem("001200012345", 2000) is None


@pytest.mark.parametrize(("head", "expected"), [
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
    (b"PK\x03\x04", None),
    (b"GIF89a", None),
    (b"", None),
    (b"%PD", None),
])
def test_content_type_of_recognizes_the_accepted_magic(head, expected):
    assert content_type_of(head) == expected


@pytest.mark.parametrize(("field", "value"), [
    ("procedure_code", "1.001193\n"), ("procedure_code", "١.٠٠١١٩٣"), ("agency_id", "000.01.31.H56\n"),
])
def test_identifiers_are_ascii_with_nothing_after_them(field, value):
    with pytest.raises(InvalidInput) as caught:
        parse_submission(make_body(**{field: value}))
    assert pointers(caught.value) == {f"/{field}"}


@pytest.mark.parametrize("value", ["001١٩٠٠١٢٣٤٥", "0011900123٤٥"])
def test_a_citizen_id_has_ascii_digits(value):
    assert citizen_id_problem(value, None) is not None


def test_a_phone_number_has_ascii_digits():
    assert normalize_phone("09١2345678") is None
