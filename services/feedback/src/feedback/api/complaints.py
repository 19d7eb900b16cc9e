"""/api/v1/complaints: file, read, answer, publish, and rate the answer."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.http import json_body

from feedback.complaints import ComplaintService, Filing
from feedback.service import FeedbackService


def blueprint(service: FeedbackService, complaints: ComplaintService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("complaints", __name__, url_prefix="/api/v1/complaints")

    @bp.post("")
    def file() -> tuple[Response, int]:
        service.throttle(request.remote_addr or "", "citizen")
        body = json_body()
        filed = complaints.file(Filing(content=body.get("content"), category=body.get("category", "other"),
                                       dossier_code=body.get("dossier_code", ""), agency_id=body.get("agency_id", ""),
                                       contact=body.get("contact", "")))
        return jsonify(filed), 201

    @bp.get("")
    def published() -> Response:
        return jsonify({"items": complaints.published(request.args.get("agency", ""))})

    @bp.get("/<complaint_id>")
    def view(complaint_id: str) -> Response:
        return jsonify(complaints.view(complaint_id, request.args.get("key", "")))

    @bp.post("/<complaint_id>/answer")
    def answer(complaint_id: str) -> Response:
        principal = tokens.from_header(request.headers.get("Authorization"))
        body = json_body()
        return jsonify(complaints.answer(principal, complaint_id, text=body.get("answer"),
                                         publish=body.get("publish", False)))

    @bp.post("/<complaint_id>/publish")
    def publish(complaint_id: str) -> tuple[str, int]:
        complaints.publish(tokens.from_header(request.headers.get("Authorization")), complaint_id)
        return "", 204

    @bp.post("/<complaint_id>/rating")
    def rate_answer(complaint_id: str) -> tuple[Response, int]:
        service.throttle(request.remote_addr or "", "citizen")
        body = json_body()
        return jsonify(complaints.rate_answer(complaint_id, key=str(body.get("key") or ""),
                                              level=body.get("level"))), 201

    return bp
