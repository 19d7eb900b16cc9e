"""/api/v1/messages: what was sent about a dossier, on which channel, with what outcome; resending one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import invalid

from notification.service import NotificationService
from notification.views import message_json


def blueprint(service: NotificationService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("messages", __name__, url_prefix="/api/v1/messages")

    @bp.get("")
    def list_messages() -> Response:
        tokens.from_header(request.headers.get("Authorization")).require("admin")
        code = request.args.get("dossier_code", "")
        if not code:
            raise invalid("/dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        return jsonify(messages=[message_json(m) for m in service.messages(code)])

    @bp.post("/<message_id>/resend")
    def resend(message_id: str) -> Response:
        principal = tokens.from_header(request.headers.get("Authorization"))
        principal.require("admin")
        return jsonify(message_json(service.resend(message_id, principal.sub)))

    return bp
