"""Officials' availability (role admin): the leave periods during which an official gets no new tasks."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.http import json_body

from routing.service import RoutingService


def blueprint(service: RoutingService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("officers", __name__, url_prefix="/api/v1/admin/officers")

    @bp.put("/<sub>/leave")
    def set_leave(sub: str) -> Response:
        principal = tokens.from_header(request.headers.get("Authorization"))
        officer = service.set_leave(principal, sub, json_body().get("leave"))
        return jsonify(sub=officer["_id"], leave=officer.get("leave", []))

    return bp
