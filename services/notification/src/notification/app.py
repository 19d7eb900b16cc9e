"""create_app: notification's REST admin API."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.health import Readiness
from motcua.http import create_base_app

from notification.service import NotificationService
from notification.views import message_json

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "motcua notification", "version": "1.0.0", "description": "Messages sent to citizens."},
    "paths": {"/api/v1/messages": {"get": {
        "summary": "Messages about a dossier (admin token)",
        "parameters": [{"name": "dossier_code", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "Messages"}, "401": {"description": "No or bad token"},
                      "403": {"description": "Not an admin"}, "422": {"description": "Missing dossier_code"}}}}},
}


def create_app(*, service: NotificationService, tokens: TokenVerifier, readiness: Readiness) -> Flask:
    app = create_base_app("notification", readiness=readiness, openapi=OPENAPI)
    bp = Blueprint("messages", __name__, url_prefix="/api/v1/messages")

    @bp.get("")
    def list_messages() -> Response:
        tokens.from_header(request.headers.get("Authorization")).require("admin")
        code = request.args.get("dossier_code", "")
        if not code:
            raise invalid("/dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        return jsonify(messages=[message_json(m) for m in service.messages(code)])

    app.register_blueprint(bp)
    return app
