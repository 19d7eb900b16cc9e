"""SMS over SMPP 3.4: a notification replica bound to the local SMSC (infra/smpp_sink.py), asserting on the PDUs.

The replica runs with MOTCUA_SMS_TRANSPORT=smpp; the messages are made by dossier events on the real
Kafka and by templates added through the admin API, as an agency's administrator would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from motcua import kafka as mkafka

from tests.conftest import eventually
from tests.factories import admin
from tests.integration.test_notification import messages, received
from tests.sinks import mails_about, pdus_to

pytestmark = pytest.mark.stack
PREFIX = "nts"
FAST_RETRIES = {"MOTCUA_NOTIFICATION_RETRY_ATTEMPTS": "3", "MOTCUA_NOTIFICATION_RETRY_FIRST_MS": "200",
                "MOTCUA_NOTIFICATION_RETRY_MAX_MS": "1000"}


@pytest.fixture(scope="module")
def replica(stack) -> Iterator:  # type: ignore[no-untyped-def]
    stack.prefix = PREFIX
    mkafka.ensure_topics(stack.kafka, PREFIX)
    try:
        stack.start_service("notification", label="notification-smpp",
                            env={**FAST_RETRIES, "MOTCUA_SMS_TRANSPORT": "smpp", "MOTCUA_SMS_PROVIDER": "smsc"})
        yield stack, stack.ports.http["notification"]
    finally:
        stack.stop("notification-smpp")
        stack.prefix = ""


def send_received(stack, producer, code: str, phone: str, channels: tuple[str, ...] = ("sms",)) -> dict:  # type: ignore[no-untyped-def]
    mkafka.publish(producer, received(code, phone, channels=channels), PREFIX).get(timeout=30)
    # No receipts come over a transmitter bind: a message is done once sent (or failed).
    [message] = eventually(lambda: [m for m in messages(stack.ports.http["notification"], code)
                                    if m["state"] in ("sent", "failed")] or None, 30, what=f"the message about {code} done")
    return message


def new_version(port: int, body: dict) -> None:
    created = requests.post(f"http://127.0.0.1:{port}/api/v1/templates/received/sms", json=body, headers=admin(),
                            timeout=10)
    assert created.status_code == 201, created.text


def test_a_gsm7_text_goes_in_one_submit_sm_with_data_coding_0(replica, producer):  # type: ignore[no-untyped-def]
    stack, _ = replica
    code = "000.00.12.H56-260304-0001"
    message = send_received(stack, producer, code, "0912000061")
    [pdu] = pdus_to(stack.smpp_dir, "84912000061")
    text = (f"Ho so {code} da duoc tiep nhan luc 09:00 02/03/2026. Hen tra ket qua: 09:00 05/03/2026. "
            "Tra cuu bang ma ho so va so dien thoai.")
    assert (pdu["data_coding"], pdu["esm_class"], pdu["short_message_hex"]) == (0, 0, text.encode("ascii").hex())
    assert (pdu["source_addr_ton"], pdu["source_addr"], pdu["dest_addr_ton"]) == (5, "MOTCUA", 1)
    assert (message["state"], message["provider"], message["provider_message_id"]) == ("sent", "smsc", pdu["message_id"])


def test_vietnamese_with_diacritics_goes_as_ucs2_with_data_coding_8(replica, producer):  # type: ignore[no-untyped-def]
    stack, port = replica
    new_version(port, {"body": "Hồ sơ {{ code }} đã được tiếp nhận.", "ascii": False})
    code = "000.00.12.H56-260304-0002"
    send_received(stack, producer, code, "0912000062")
    [pdu] = pdus_to(stack.smpp_dir, "84912000062")
    assert (pdu["data_coding"], pdu["esm_class"]) == (8, 0)
    assert bytes.fromhex(pdu["short_message_hex"]) == f"Hồ sơ {code} đã được tiếp nhận.".encode("utf-16-be")
    assert bytes.fromhex(pdu["hex"])[:4] == len(bytes.fromhex(pdu["hex"])).to_bytes(4, "big")  # command_length
    assert bytes.fromhex(pdu["hex"])[4:8] == b"\x00\x00\x00\x04"  # submit_sm


def test_a_long_ucs2_text_is_split_into_concatenated_parts(replica, producer):  # type: ignore[no-untyped-def]
    stack, port = replica
    body = "Hồ sơ {{ code }} đã được tiếp nhận. Ngày hẹn trả kết quả: {{ appointment_at | vn_short }}. Trân trọng."
    new_version(port, {"body": body, "ascii": False})
    code = "000.00.12.H56-260304-0003"
    message = send_received(stack, producer, code, "0912000063")
    parts = pdus_to(stack.smpp_dir, "84912000063")
    assert [p["esm_class"] for p in parts] == [0x40, 0x40] and {p["data_coding"] for p in parts} == {8}
    reference = parts[0]["udh_hex"][6:8]
    assert [p["udh_hex"] for p in parts] == [f"050003{reference}0201", f"050003{reference}0202"]
    assert "".join(p["text"] for p in parts) == (f"Hồ sơ {code} đã được tiếp nhận. Ngày hẹn trả kết quả: "
                                                 "09:00 05/03/2026. Trân trọng.")
    assert message["provider_message_id"] == ",".join(p["message_id"] for p in parts)


def test_a_refused_number_falls_back_and_a_throttled_one_is_retried(replica, producer):  # type: ignore[no-untyped-def]
    stack, port = replica
    new_version(port, {"body": "Hồ sơ {{ code }} đã được tiếp nhận.", "ascii": True})  # one part a message
    refused = send_received(stack, producer, "000.00.12.H56-260304-0004", "0912340000", channels=("sms", "email"))
    assert [(h["channel"], h["outcome"]) for h in refused["history"]] == [("sms", "fallback"), ("email", "sent")]
    assert "0x0B" in refused["history"][0]["error"]
    assert mails_about(stack.mail_dir, "000.00.12.H56-260304-0004")
    throttled = send_received(stack, producer, "000.00.12.H56-260304-0005", "0912000058")
    assert [p["status"] for p in pdus_to(stack.smpp_dir, "84912000058")] == [0x58, 0x58, 0]
    assert (throttled["state"], throttled["attempts"]) == ("sent", 3)
