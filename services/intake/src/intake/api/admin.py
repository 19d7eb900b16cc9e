"""Administration (role admin): the catalog (create, versioned update, import, export) and calendar overrides."""

from __future__ import annotations

import json

import yaml
from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import UnsupportedMediaType, invalid
from motcua.http import json_body

from intake import views
from intake.api import caller, whole_number
from intake.calendars import CalendarService
from intake.catalog import CatalogService, load_yaml_or_json

IMPORT_TYPES = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")


def blueprint(catalog: CatalogService, calendars: CalendarService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("admin", __name__, url_prefix="/api/v1/admin")

    @bp.before_request
    def admins_only() -> None:
        caller(tokens).require("admin")

    @bp.post("/procedures")
    def create() -> tuple[Response, int]:
        procedure = catalog.create(json_body(), actor=caller(tokens).sub)
        response = jsonify(views.procedure(procedure))
        response.headers["Location"] = f"/api/v1/procedures/{procedure['code']}"
        return response, 201

    @bp.put("/procedures/<code>")
    def update(code: str) -> Response:
        expected = request.headers.get("If-Match", "").strip('" ')
        if expected and not whole_number(expected):
            raise invalid("/headers/If-Match", "If-Match là số phiên bản đang sửa", "If-Match must be the version you edited")
        procedure = catalog.update(code, json_body(), actor=caller(tokens).sub,
                                   expected_version=int(expected) if expected else None)
        return jsonify(views.procedure(procedure))

    @bp.post("/catalog/import")
    def import_catalog() -> Response:
        if request.mimetype not in IMPORT_TYPES:
            raise UnsupportedMediaType(detail="send the catalog as application/json or application/yaml",
                                       detail_vi="Danh mục phải ở dạng application/json hoặc application/yaml")
        document = load_yaml_or_json(request.get_data(as_text=True))
        return jsonify(catalog.import_catalog(document, actor=caller(tokens).sub))

    @bp.get("/catalog/export")
    def export_catalog() -> Response:
        document = catalog.export()
        if request.args.get("format", "json") == "yaml":
            text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
            return Response(text, mimetype="application/yaml")
        return Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype="application/json")

    @bp.get("/agencies/<agency_id>/calendar")
    def list_overrides(agency_id: str) -> Response:
        year = request.args.get("year", "")
        if year and not whole_number(year):
            raise invalid("/year", "Năm là số nguyên", "year must be a whole number")
        return jsonify(overrides=calendars.overrides(agency_id, int(year) if year else None))

    @bp.put("/agencies/<agency_id>/calendar")
    def set_override(agency_id: str) -> Response:
        return jsonify(calendars.set(agency_id, json_body()))

    @bp.delete("/agencies/<agency_id>/calendar/<day>")
    def delete_override(agency_id: str, day: str) -> tuple[str, int]:
        calendars.delete(agency_id, day)
        return "", 204

    return bp
