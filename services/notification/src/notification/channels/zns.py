"""Zalo Notification Service (ZNS): a pre-approved template, its parameters, sent to a phone number.

POST {url}/message/template with the Official Account's `access_token` header and {phone, template_id,
template_data, tracking_id}; the answer is JSON whose `error` is 0 on success, with data.msg_id. The
tracking_id is the message id, the same on every retry.
"""

from __future__ import annotations

from typing import Any

from notification.channels import DeliveryError, Outgoing, international
from notification.channels.http import post_json, status_error
from notification.settings import ZnsSettings

# Zalo's error codes worth a retry; every other non-zero code fails the message on ZNS for good, and
# the next channel is tried. -100: an unknown error on Zalo's side; -144: the OA's daily quota is spent.
TRANSIENT_ERRORS = frozenset({-100, -144})


class ZnsChannel:
    name = "zns"
    provider = "zalo"
    contact = "phone"

    def __init__(self, settings: ZnsSettings) -> None:
        self.settings = settings

    def send(self, message: Outgoing) -> str:
        status, answer = post_json(
            f"{self.settings.url}/message/template",
            {"phone": international(message.to), "template_id": message.content.template_id,
             "template_data": message.content.params, "tracking_id": message.reference},
            headers={"access_token": self.settings.access_token}, timeout=self.settings.timeout)
        return accepted(status, answer)


def accepted(status: int, answer: Any) -> str:
    """Zalo's msg_id from a successful answer, or the DeliveryError the answer means."""
    if not 200 <= status < 300:
        raise status_error(status, answer)
    if not isinstance(answer, dict) or not isinstance(answer.get("error"), int):
        raise DeliveryError(f"HTTP {status} without an error code: {answer!r:.300}", permanent=False)
    code = answer["error"]
    if code != 0:
        raise DeliveryError(f"ZNS error {code}: {answer.get('message', '')}", permanent=code not in TRANSIENT_ERRORS)
    return str((answer.get("data") or {}).get("msg_id") or "")
