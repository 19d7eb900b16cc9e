"""/api/v1/callbacks/<provider>: delivery receipts from the providers, signed instead of a token."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping

from flask import Blueprint, Response, request

from notification.delivery import Delivery
from notification.receipts import parse, verify


def blueprint(delivery: Delivery, secrets: Mapping[str, str], window: float) -> Blueprint:
    bp = Blueprint("callbacks", __name__, url_prefix="/api/v1/callbacks")

    @bp.post("/<provider>")
    def receipt(provider: str) -> Response:
        raw = request.get_data()
        verify(secrets, provider, request.headers, raw, time.time(), window)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        delivery.on_receipt(parse(provider, body))
        return Response(status=204)

    return bp
