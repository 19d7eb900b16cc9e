"""The published catalog: GET /api/v1/procedures, one procedure (optionally at a version), its versions."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.errors import invalid

from intake import views
from intake.api import whole_number
from intake.catalog import CatalogService


def blueprint(catalog: CatalogService) -> Blueprint:
    bp = Blueprint("procedures", __name__, url_prefix="/api/v1")

    @bp.get("/procedures")
    def list_procedures() -> Response:
        return jsonify(procedures=[views.procedure(p) for p in catalog.procedures()])

    @bp.get("/procedures/<code>")
    def get_procedure(code: str) -> Response:
        version = request.args.get("version", "0")
        if not whole_number(version):
            raise invalid("/version", "Phiên bản là số nguyên dương", "version must be a positive whole number")
        return jsonify(views.procedure(catalog.procedure(code, int(version))))

    @bp.get("/procedures/<code>/versions")
    def versions(code: str) -> Response:
        return jsonify(versions=[views.procedure(p) for p in catalog.versions(code)])

    @bp.get("/agencies")
    def agencies() -> Response:
        return jsonify(agencies=catalog.export()["agencies"])

    return bp
