"""/api/v1/templates and /api/v1/rules: the words of each kind of message and which events send them."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier

from notification.admin import Admin
from notification.api import json_body
from notification.views import rule_json, template_json


def blueprint(admin: Admin, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("templates", __name__, url_prefix="/api/v1")

    @bp.before_request
    def admins_only() -> None:
        tokens.from_header(request.headers.get("Authorization")).require("admin")

    @bp.get("/templates")
    def list_templates() -> Response:
        return jsonify(templates=[template_json(t) for t in admin.templates(request.args.get("kind") or None)])

    @bp.get("/templates/<kind>/<channel>")
    def latest_template(kind: str, channel: str) -> Response:
        return jsonify(template_json(admin.template(kind, channel)))

    @bp.get("/templates/<kind>/<channel>/<int:version>")
    def template_version(kind: str, channel: str, version: int) -> Response:
        return jsonify(template_json(admin.template(kind, channel, version)))

    @bp.post("/templates/<kind>/<channel>")
    def create_version(kind: str, channel: str) -> tuple[Response, int]:
        principal = tokens.from_header(request.headers.get("Authorization"))
        return jsonify(template_json(admin.create_version(kind, channel, json_body(), principal.sub))), 201

    @bp.post("/templates/<kind>/<channel>/preview")
    def preview(kind: str, channel: str) -> Response:
        return jsonify(admin.preview(kind, channel, json_body()))

    @bp.get("/rules")
    def list_rules() -> Response:
        return jsonify(rules=[rule_json(r) for r in admin.rules()])

    @bp.put("/rules/<event_type>")
    def save_rule(event_type: str) -> Response:
        return jsonify(rule_json(admin.save_rule(event_type, json_body())))

    return bp
