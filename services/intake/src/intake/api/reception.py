"""Reception (tiếp nhận) by a clerk, and the citizen's supplement and withdrawal."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from motcua.auth import TokenVerifier
from motcua.http import json_body

from intake import views
from intake.api import caller
from intake.service import IntakeService
from intake.validation import parse_reason, parse_supplement, parse_supplement_request


def blueprint(service: IntakeService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("reception", __name__, url_prefix="/api/v1/dossiers/<code>")

    @bp.post("/receive")
    def receive(code: str) -> Response:
        return jsonify(views.dossier(service.receive(code, caller(tokens))))

    @bp.post("/supplement-request")
    def request_supplement(code: str) -> Response:
        principal = caller(tokens)
        items, note = parse_supplement_request(json_body())
        return jsonify(views.dossier(service.request_supplement(code, principal, items, note)))

    @bp.post("/refuse")
    def refuse(code: str) -> Response:
        principal = caller(tokens)
        return jsonify(views.dossier(service.refuse(code, principal, parse_reason(json_body(), required=True))))

    @bp.post("/supplement")
    def supplement(code: str) -> Response:
        principal = caller(tokens)
        return jsonify(views.dossier(service.supplement(code, principal, parse_supplement(json_body()))))

    @bp.post("/withdraw")
    def withdraw(code: str) -> Response:
        principal = caller(tokens)
        return jsonify(views.dossier(service.withdraw(code, principal, parse_reason(json_body(), required=False))))

    return bp
