"""Delivery receipts: a provider tells us, by a signed HTTP callback, that a message reached the citizen or not.

The contract (docs/notification.md, "Delivery receipts"): `POST /api/v1/callbacks/<provider>` with a JSON
body `{"message_id": <the provider's id>, "status": "delivered" | "failed", "at": <ISO 8601>, "reference"?,
"error"?}` (`reference`: our client reference, when the provider echoes it: a direct look-up), the
header `X-Motcua-Timestamp` (Unix seconds) and `X-Motcua-Signature: sha256=<hex>`, the HMAC-SHA256 of
`<timestamp>.<body>` under the provider's secret. The timestamp must be within the replay window; a
receipt applied before is acknowledged again and changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.errors import FieldError, InvalidInput, NotFound, Unauthenticated

SIGNATURE = "X-Motcua-Signature"
TIMESTAMP = "X-Motcua-Timestamp"
STATUSES = ("delivered", "failed")


@dataclass(frozen=True)
class Receipt:
    provider: str
    provider_message_id: str
    status: str
    at: datetime
    error: str
    reference: str = ""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for a body sent at `timestamp`."""
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def verify(secrets: Mapping[str, str], provider: str, headers: Mapping[str, str], body: bytes, now: float,
           window: float) -> None:
    """Refuse a callback of an unknown provider, with a bad signature, or outside the replay window."""
    secret = secrets.get(provider)
    if secret is None:
        raise NotFound(detail=f"no callbacks are accepted from {provider!r}", detail_vi="Không nhận báo cáo từ nhà cung cấp này")
    timestamp = headers.get(TIMESTAMP, "")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode(), headers.get(SIGNATURE, "").encode()):
        raise Unauthenticated(detail="the callback's signature does not match", detail_vi="Chữ ký báo cáo không đúng")
    if not timestamp.isdigit() or abs(now - int(timestamp)) > window:
        raise Unauthenticated(detail=f"the callback's timestamp is outside the {window:.0f} s window (a replay?)",
                              detail_vi="Thời điểm của báo cáo nằm ngoài khoảng cho phép")


def parse(provider: str, body: Any) -> Receipt:
    """A receipt from the callback's JSON, or InvalidInput naming each bad field."""
    problems = []
    if not isinstance(body, dict):
        raise InvalidInput(detail="the body must be a JSON object", detail_vi="Nội dung phải là một đối tượng JSON")
    if not isinstance(body.get("message_id"), str) or not 0 < len(body["message_id"]) <= 200:
        problems.append(FieldError("/message_id", "Thiếu mã tin của nhà cung cấp", "message_id is required"))
    if body.get("status") not in STATUSES:
        problems.append(FieldError("/status", "status là delivered hoặc failed", "status must be delivered or failed"))
    at = None
    try:
        at = datetime.fromisoformat(str(body.get("at")))
    except ValueError:
        pass
    if at is None or at.tzinfo is None:
        problems.append(FieldError("/at", "at là thời điểm ISO 8601 có múi giờ", "at must be an ISO 8601 time with an offset"))
    if problems:
        raise InvalidInput(detail="the receipt is not valid", detail_vi="Báo cáo không hợp lệ", errors=problems)
    assert at is not None
    reference = body.get("reference", "")
    return Receipt(provider, body["message_id"], body["status"], at, str(body.get("error", ""))[:300],
                   reference if isinstance(reference, str) else "")
