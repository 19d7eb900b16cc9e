import jinja2
import pytest
from motcua.errors import InvalidInput, NotFound
from notification.admin import Admin
from notification.catalog import ZNS_PARAMS, event_values, sample, seed_templates
from notification.settings import KINDS
from notification.templates import Renderer

from .conftest import CODE, START, FakeRepository, received_event

VALUES = {"code": CODE, "name": "Nguyễn Văn An", "procedure_name": "Đăng ký khai sinh",
          "received_at": "2026-03-02T02:00:00+00:00", "appointment_at": "2026-03-05T02:00:00+00:00"}
SEEDS = {t["_id"]: t for t in seed_templates({"received": "100001"}, START)}


def seeded(kind: str, channel: str) -> dict:
    return SEEDS[f"{kind}/{channel}/1"]


@pytest.fixture
def admin() -> Admin:
    repo = FakeRepository()
    repo.seed([], list(SEEDS.values()))
    return Admin(repo=repo, renderer=Renderer(), clock=lambda: START)


def test_the_email_has_a_vietnamese_subject_and_the_appointment_in_vietnam_time():
    email = Renderer().render(seeded("received", "email"), VALUES)
    assert email.subject == f"Hồ sơ {CODE} đã được tiếp nhận"
    assert "Kính gửi Nguyễn Văn An" in email.text
    assert "Ngày hẹn trả kết quả: 09:00 ngày 05/03/2026" in email.text
    assert "tiếp nhận lúc 09:00 ngày 02/03/2026" in email.text
    assert not email.text.startswith("\n")


def test_the_seeded_sms_goes_without_diacritics_in_one_gsm7_segment():
    text = Renderer().render(seeded("received", "sms"), VALUES).text
    assert text.isascii() and len(text) <= 160
    assert f"Ho so {CODE} da duoc tiep nhan luc 09:00 02/03/2026" in text
    assert "Hen tra ket qua: 09:00 05/03/2026" in text


def test_an_sms_template_without_the_ascii_option_keeps_the_diacritics():
    text = Renderer().render({**seeded("received", "sms"), "_id": "", "ascii": False}, VALUES).text
    assert text.startswith(f"Hồ sơ {CODE} đã được tiếp nhận")


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_renders_on_both_text_channels_with_its_sample(kind):
    renderer, values = Renderer(), sample(kind)
    assert values["code"] in renderer.render(seeded(kind, "email"), values).subject
    sms = renderer.render(seeded(kind, "sms"), values).text
    assert values["code"] in sms and sms.isascii()


def test_the_rating_link_appears_only_when_there_is_one():
    renderer = Renderer()
    without = renderer.render(seeded("completed", "sms"), sample("completed")).text
    link = "https://dichvucong.example.vn/danh-gia/" + CODE
    with_link = renderer.render(seeded("completed", "sms"), {**sample("completed"), "rating_url": link}).text
    assert "danh gia" not in without and with_link.endswith(f"Moi danh gia: {link}")


def test_zns_parameters_are_the_template_expressions_with_times_in_short_form():
    content = Renderer().render(seeded("received", "zns"), VALUES)
    assert content.template_id == "100001" and set(content.params) == set(ZNS_PARAMS["received"])
    assert content.params["appointment_at"] == "09:00 05/03/2026" and content.params["procedure"] == "Đăng ký khai sinh"
    assert "assigned/zns/1" not in SEEDS  # a kind without a Zalo template id gets no ZNS template


def test_english_follows_the_vietnamese_when_the_template_has_it():
    template = {**seeded("received", "email"), "_id": "", "subject_en": "Dossier {{ code }} received",
                "body_en": "Your dossier {{ code }} was received."}
    email = Renderer().render(template, VALUES)
    assert email.subject == f"Hồ sơ {CODE} đã được tiếp nhận / Dossier {CODE} received"
    assert email.text.index("Kính gửi") < email.text.index(f"Your dossier {CODE} was received.")


def test_a_missing_variable_is_an_error_not_a_blank():
    values = {k: v for k, v in VALUES.items() if k != "appointment_at"}
    for channel in ("email", "sms", "zns"):
        with pytest.raises(jinja2.UndefinedError):
            Renderer().render(seeded("received", channel), values)


def test_event_values_are_the_scalar_fields_and_times_without_personal_data():
    values = event_values(received_event().payload)
    assert values["code"] == values["dossier_code"] == CODE
    assert values["appointment_at"] == "2026-03-05T02:00:00+00:00" and values["legal_days"] == "3"
    assert "applicant" not in values and not any("0912345678" in v for v in values.values())


def test_a_new_version_is_numbered_after_the_latest_and_the_old_one_stays(admin):
    created = admin.create_version("received", "sms", {"body": "Hồ sơ {{ code }} đã tiếp nhận.", "ascii": False},
                                   "admin-1")
    assert (created["version"], created["created_by"]) == (2, "admin-1")
    assert admin.template("received", "sms")["version"] == 2
    assert admin.template("received", "sms", 1)["body"] == seeded("received", "sms")["body"]


def test_a_template_that_does_not_render_is_refused_with_a_pointer(admin):
    with pytest.raises(InvalidInput) as caught:
        admin.create_version("received", "email", {"subject": "{{ code ", "body": "{{ no_such_value }}"}, "a")
    assert {e.pointer for e in caught.value.errors} == {"/subject", "/body"}
    assert all(e.message_vi and e.message_en for e in caught.value.errors)
    assert admin.template("received", "email")["version"] == 1


def test_an_unknown_kind_or_channel_is_not_found(admin):
    for kind, channel in (("birthday", "sms"), ("received", "fax")):
        with pytest.raises(NotFound):
            admin.create_version(kind, channel, {"body": "x"}, "a")
        with pytest.raises(NotFound):
            admin.preview(kind, channel, {"template": {"body": "x"}})


def test_a_zns_template_needs_its_zalo_id_and_parameters(admin):
    with pytest.raises(InvalidInput) as caught:
        admin.create_version("assigned", "zns", {"zns_params": {"code": 3}}, "a")
    assert {e.pointer for e in caught.value.errors} == {"/zns_template_id", "/zns_params"}


def test_the_preview_of_an_sms_counts_segments_in_its_encoding(admin):
    plain = admin.preview("received", "sms", {})
    assert (plain["encoding"], plain["segments"], plain["version"]) == ("GSM-7", 1, 1)
    accented = admin.preview("received", "sms", {"template": {"body": "Hồ sơ {{ code }} " * 5, "ascii": False}})
    assert accented["encoding"] == "UCS-2" and accented["units"] == len(accented["text"])
    assert accented["segments"] == -(-accented["units"] // 67) and accented["units"] > 70


def test_the_preview_takes_given_values_over_the_sample(admin):
    shown = admin.preview("received", "email", {"data": {"name": "Trần Bình"}})
    assert "Kính gửi Trần Bình" in shown["text"] and shown["subject"].startswith("Hồ sơ 000.00.12.H56-260302-0001")
    with pytest.raises(InvalidInput):
        admin.preview("received", "email", {"data": {"name": 3}})
    with pytest.raises(NotFound):
        admin.preview("received", "email", {"version": 9})


def test_a_rule_names_a_known_kind_and_channels(admin):
    rule = admin.save_rule("vn.motcua.dossier.overdue.v1", {"kind": "due_soon", "channels": ["sms"], "urgent": True})
    assert rule == {"_id": "vn.motcua.dossier.overdue.v1", "kind": "due_soon", "channels": ["sms"], "urgent": True,
                    "enabled": True}
    with pytest.raises(InvalidInput) as caught:
        admin.save_rule("vn.motcua.dossier.overdue.v1", {"kind": "x", "channels": ["fax"], "urgent": "yes"})
    assert {e.pointer for e in caught.value.errors} == {"/kind", "/channels", "/urgent"}
    with pytest.raises(NotFound):
        admin.save_rule("vn.motcua.notification.failed.v1", {"kind": "received"})
