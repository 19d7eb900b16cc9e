"""SMS through an HTTP brandname gateway (the API in docs/notification.md).

POST {url}/api/v1/sms with a bearer API key and {brandname, phone, text, client_ref}; 2xx answers
{message_id}. 4xx is permanent (408, 425 and 429 excepted), 5xx and timeouts transient. The gateway
deduplicates on client_ref, so a retry after a lost answer sends nothing twice.
"""

from __future__ import annotations

from typing import Any

from notification.channels import Outgoing, international
from notification.channels.http import post_json, status_error
from notification.settings import SmsSettings


class SmsChannel:
    name = "sms"
    contact = "phone"

    def __init__(self, settings: SmsSettings) -> None:
        self.settings = settings
        self.provider = settings.provider

    def send(self, message: Outgoing) -> str:
        status, answer = post_json(
            f"{self.settings.url}/api/v1/sms",
            {"brandname": self.settings.brandname, "phone": international(message.to),
             "text": message.content.text, "client_ref": message.reference},
            headers={"Authorization": f"Bearer {self.settings.api_key}"}, timeout=self.settings.timeout)
        return accepted(status, answer)


def accepted(status: int, answer: Any) -> str:
    """The gateway's message id from a 2xx answer (empty if it gave none), or the DeliveryError the answer means."""
    if not 200 <= status < 300:
        raise status_error(status, answer)
    return str(answer.get("message_id") or "") if isinstance(answer, dict) else ""
