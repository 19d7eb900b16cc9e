import email
import email.policy
import smtplib
from email.message import EmailMessage

import pytest
from notification.channels import international
from notification.channels.http import status_error
from notification.channels.sms import accepted as sms_accepted
from notification.channels.smtp import POLICY, smtp_error
from notification.channels.zns import accepted as zns_accepted


@pytest.mark.parametrize(("phone", "expected"), [
    ("0912345678", "84912345678"), ("+84912345678", "84912345678"), ("84912345678", "84912345678")])
def test_numbers_go_to_providers_in_international_form(phone, expected):
    assert international(phone) == expected


@pytest.mark.parametrize(("status", "permanent"), [
    (400, True), (401, True), (404, True), (422, True), (408, False), (429, False), (500, False), (503, False)])
def test_http_errors_are_permanent_for_4xx_but_timeouts_and_throttling(status, permanent):
    assert status_error(status, {"error": "x"}).permanent is permanent


def test_zns_success_gives_zalos_message_id():
    assert zns_accepted(200, {"error": 0, "message": "Success", "data": {"msg_id": "a1b2"}}) == "a1b2"


@pytest.mark.parametrize(("code", "permanent"), [(-100, False), (-144, False), (-108, True), (-118, True),
                                                 (-124, True), (-131, True)])
def test_zns_error_codes_are_classified(code, permanent):
    with pytest.raises(Exception) as failed:
        zns_accepted(200, {"error": code, "message": "..."})
    assert failed.value.permanent is permanent and f"ZNS error {code}" in str(failed.value)


@pytest.mark.parametrize("answer", [None, {"message": "no error field"}, {"error": "0"}])
def test_an_answer_that_is_not_zns_json_is_transient(answer):
    with pytest.raises(Exception) as failed:
        zns_accepted(200, answer)
    assert failed.value.permanent is False


def test_a_zns_http_error_is_classified_like_any_http_error():
    with pytest.raises(Exception) as failed:
        zns_accepted(502, None)
    assert failed.value.permanent is False and "HTTP 502" in str(failed.value)


def test_the_sms_gateway_accepts_with_its_message_id_and_refuses_by_status():
    assert sms_accepted(202, {"message_id": "m-1", "status": "accepted"}) == "m-1"
    with pytest.raises(Exception) as refused:
        sms_accepted(400, {"error": "invalid_subscriber"})
    assert refused.value.permanent is True and "invalid_subscriber" in str(refused.value)


@pytest.mark.parametrize(("error", "permanent"), [
    (smtplib.SMTPRecipientsRefused({"a@x.vn": (550, b"no such user")}), True),
    (smtplib.SMTPRecipientsRefused({"a@x.vn": (450, b"greylisted"), "b@x.vn": (550, b"no")}), False),
    (smtplib.SMTPDataError(554, b"rejected"), True),
    (smtplib.SMTPDataError(451, b"try later"), False),
    (smtplib.SMTPServerDisconnected("gone"), False),
    (ConnectionRefusedError(111, "refused"), False),
    (TimeoutError("timed out"), False),
])
def test_smtp_failures_are_permanent_only_for_5xx(error, permanent):
    assert smtp_error(error).permanent is permanent


def test_a_long_vietnamese_subject_keeps_every_space():
    subject = "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ 000.00.12.H56-260302-0003"
    message = EmailMessage(policy=POLICY)
    message["Subject"] = subject
    message.set_content("Kính gửi")
    assert str(email.message_from_bytes(message.as_bytes(), policy=email.policy.default)["Subject"]) == subject
