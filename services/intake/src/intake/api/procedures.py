"""GET /api/v1/procedures and /api/v1/procedures/{code}: the published catalog."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from intake.api import views
from intake.service import IntakeService


def blueprint(service: IntakeService) -> Blueprint:
    bp = Blueprint("procedures", __name__, url_prefix="/api/v1/procedures")

    @bp.get("")
    def list_procedures() -> Response:
        return jsonify(procedures=[views.procedure(p) for p in service.procedures()])

    @bp.get("/<code>")
    def get_procedure(code: str) -> Response:
        return jsonify(views.procedure(service.procedure(code)))

    return bp
