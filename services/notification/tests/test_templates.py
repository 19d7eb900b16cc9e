import jinja2
import pytest
from notification.templates import Templates

CODE = "000.00.12.H56-260302-0001"
VALUES = {"code": CODE, "name": "Nguyễn Văn An", "procedure": "Đăng ký khai sinh",
          "received_at": "2026-03-02T02:00:00+00:00", "appointment_at": "2026-03-05T02:00:00+00:00"}


def test_the_email_has_a_vietnamese_subject_and_the_appointment_in_vietnam_time():
    email = Templates().email("received", VALUES)
    assert email.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "Kính gửi Nguyễn Văn An" in email.body
    assert "Ngày hẹn trả kết quả: 09:00 ngày 05/03/2026" in email.body
    assert "tiếp nhận lúc 09:00 ngày 02/03/2026" in email.body
    assert not email.body.startswith("\n")


def test_the_sms_is_one_plain_ascii_segment():
    text = Templates().sms("received", VALUES)
    assert text.isascii() and len(text) <= 160
    assert f"Ho so {CODE} da duoc tiep nhan luc 09:00 02/03/2026" in text
    assert "Hen tra ket qua: 09:00 05/03/2026" in text


@pytest.mark.parametrize(("kind", "values"), [
    ("assigned", {"code": CODE, "name": "An", "department": "tu-phap", "due_at": "2026-03-04T09:30:00+00:00"}),
    ("result_ready", {"code": CODE, "name": "An", "document_id": "d-1"}),
])
def test_every_kind_renders_on_both_text_channels(kind, values):
    templates = Templates()
    assert CODE in templates.email(kind, values).subject
    assert CODE in templates.sms(kind, values) and templates.sms(kind, values).isascii()


def test_zns_parameters_are_the_values_with_times_in_short_form():
    data = Templates.zns_data(VALUES)
    assert data["appointment_at"] == "09:00 05/03/2026" and data["name"] == "Nguyễn Văn An"
    assert data["code"] == CODE


def test_a_missing_variable_is_an_error_not_a_blank():
    values = {k: v for k, v in VALUES.items() if k != "appointment_at"}
    with pytest.raises(jinja2.UndefinedError):
        Templates().email("received", values)
    with pytest.raises(jinja2.UndefinedError):
        Templates().sms("received", values)
