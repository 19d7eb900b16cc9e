"""Delivery channels behind one interface: e-mail over SMTP, SMS (HTTP brandname gateway or SMPP 3.4), Zalo ZNS.

Each channel sends one message and returns the provider's id for it, or raises DeliveryError telling a
transient failure (retried with backoff) from a permanent one (the next channel is tried instead). The
message id travels as the provider's client reference, the same on every retry (a resend adds its
number), so a provider that deduplicates on it never delivers a retried message twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from notification.templates import Content


class DeliveryError(Exception):
    """A failed delivery; permanent ones are not retried on the same channel."""

    def __init__(self, reason: str, *, permanent: bool) -> None:
        super().__init__(reason)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    """One message to send: its id (the client reference), the address on this channel, what to say."""

    reference: str
    to: str
    content: Content


class Channel(Protocol):
    name: str  # zns, sms, email
    provider: str  # who carries it, a metric label: zalo, the SMS gateway's configured name, smtp
    contact: str  # the contact field it sends to: phone or email

    def send(self, message: Outgoing) -> str: ...


def international(phone: str) -> str:
    """A Vietnamese number as providers want it: 84 and the nine digits, no plus sign."""
    digits = phone.removeprefix("+")
    return f"84{digits[1:]}" if digits.startswith("0") else digits
