"""/api/v1/ratings and /api/v1/kiosk: rating by signed link, at the counter kiosk, and what went wrong."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.http import json_body

from feedback.complaints import ComplaintService, Filing
from feedback.service import Ballot, FeedbackService


def ballot(body: dict[str, Any]) -> Ballot:
    criteria = body.get("criteria", {})
    if not isinstance(criteria, dict):
        raise invalid("/criteria", "Tiêu chí phải là một đối tượng", "criteria must be an object")
    comment = body.get("comment", "")
    if not isinstance(comment, str):
        raise invalid("/comment", "Ý kiến phải là văn bản", "comment must be a string")
    return Ballot(level=body.get("level"), criteria=criteria, comment=comment)


def string(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise invalid(f"/{name}", f"Thiếu {name}", f"{name} is required")
    return value


def tell_problems(service: FeedbackService, complaints: ComplaintService, key: str, follow_up: str,
                  problems: list[Any], complain: bool, content: str, contact: str) -> dict[str, Any]:
    """Record what went wrong after a low rating and, if the citizen wants, file a complaint from it."""
    rating = service.rating_for_follow_up(key, follow_up)
    checked = service.check_problems(problems)
    filed = None
    if complain:
        dossier = service.dossier(rating["dossier_code"])
        text = content.strip() or "; ".join(checked) or "Không hài lòng"
        filed = complaints.file(Filing(content=text, category="other", dossier_code=dossier["_id"],
                                       contact=contact, rating_id=rating["rating_id"]))
    service.record_problems(key, follow_up, checked, filed["id"] if filed else None)
    return {"problems": checked, "complaint": filed}


def blueprint(service: FeedbackService, complaints: ComplaintService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("ratings", __name__, url_prefix="/api/v1")

    @bp.post("/ratings")
    def rate() -> tuple[Response, int]:
        service.throttle(request.remote_addr or "", "citizen")
        body = json_body()
        rating = service.rate_by_link(code=string(body, "dossier_code"), token=string(body, "token"),
                                      ballot=ballot(body))
        return jsonify(rating), 201

    @bp.post("/ratings/<key>/problems")
    def problems(key: str) -> Response:
        service.throttle(request.remote_addr or "", "citizen")
        body = json_body()
        told = body.get("problems", [])
        if not isinstance(told, list):
            raise invalid("/problems", "Phải là danh sách", "problems must be a list")
        return jsonify(tell_problems(service, complaints, key, string(body, "follow_up"), told,
                                     body.get("complaint") is True, str(body.get("content") or ""),
                                     str(body.get("contact") or "")))

    @bp.post("/kiosk/sessions")
    def open_session() -> tuple[Response, int]:
        principal = tokens.from_header(request.headers.get("Authorization"))
        body = json_body()
        return jsonify(service.open_kiosk(principal, counter=string(body, "counter"),
                                          code=string(body, "dossier_code"))), 201

    @bp.post("/kiosk/<counter>/ratings")
    def rate_at_kiosk(counter: str) -> tuple[Response, int]:
        body = json_body()
        rating = service.rate_at_kiosk(counter=counter, session_id=string(body, "session"), ballot=ballot(body))
        return jsonify(rating), 201

    return bp
