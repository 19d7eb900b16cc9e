"""create_app: feedback's REST API (ratings and statistics)."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, jsonify
from motcua.errors import invalid
from motcua.health import Readiness
from motcua.http import create_base_app, json_body

from feedback.service import FeedbackService

PROBLEM = {"description": "Problem (RFC 9457)", "content": {"application/problem+json": {"schema": {"type": "object"}}}}
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "motcua feedback", "version": "1.0.0", "description": "Citizens' ratings and statistics."},
    "paths": {
        "/api/v1/ratings": {"post": {
            "summary": "Rate a dossier on the 3-level scale (3 = very satisfied)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["dossier_code", "level"],
                "properties": {"dossier_code": {"type": "string"}, "level": {"type": "integer", "enum": [1, 2, 3]},
                               "comment": {"type": "string", "maxLength": 2000}}}}}},
            "responses": {"201": {"description": "Accepted"}, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM}}},
        "/api/v1/stats": {"get": {"summary": "Counts per level", "responses": {"200": {"description": "Statistics"}}}},
    },
}


def create_app(*, service: FeedbackService, readiness: Readiness) -> Flask:
    app = create_base_app("feedback", readiness=readiness, openapi=OPENAPI, max_content_length=16 * 1024)
    bp = Blueprint("ratings", __name__, url_prefix="/api/v1")

    @bp.post("/ratings")
    def rate() -> tuple[Response, int]:
        body = json_body()
        code = body.get("dossier_code")
        if not isinstance(code, str) or not code:
            raise invalid("/dossier_code", "Thiếu mã hồ sơ", "dossier_code is required")
        comment = body.get("comment", "")
        if not isinstance(comment, str):
            raise invalid("/comment", "Ý kiến phải là văn bản", "comment must be a string")
        return jsonify(service.rate(dossier_code=code, level=body.get("level"), comment=comment)), 201

    @bp.get("/stats")
    def stats() -> Response:
        return jsonify(service.stats())

    app.register_blueprint(bp)
    return app
