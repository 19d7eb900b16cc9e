"""JSON over HTTP for the gateway channels: the answer, or a DeliveryError for a transport failure."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from notification.channels import DeliveryError

# Worth another try later: the provider is busy, rate-limits or timed out on its side.
TRANSIENT_STATUS = frozenset({408, 425, 429})


def post_json(url: str, body: dict[str, Any], *, headers: dict[str, str], timeout: float) -> tuple[int, Any]:
    """POST a JSON body; returns the status and the decoded answer (None when it is not JSON)."""
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(), method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8", **headers})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, decode(response.read())
    except urllib.error.HTTPError as error:
        return error.code, decode(error.read())
    except (OSError, ValueError) as error:
        raise DeliveryError(f"{url}: {type(error).__name__}: {error}", permanent=False) from error


def decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def status_error(status: int, answer: Any) -> DeliveryError:
    """The failure an HTTP error status means: 5xx and a few 4xx are transient, other 4xx permanent."""
    detail = json.dumps(answer, ensure_ascii=False)[:300] if answer is not None else "no JSON body"
    return DeliveryError(f"HTTP {status}: {detail}", permanent=status < 500 and status not in TRANSIENT_STATUS)
