"""Workflow administration (role admin): save a workflow, validated, and list or read them."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from motcua.auth import Principal, TokenVerifier
from motcua.http import json_body

from routing.service import RoutingService


def view(workflow: dict[str, Any]) -> dict[str, Any]:
    return {"id": workflow["_id"], "name": workflow["name"], "version": workflow["version"], "steps": workflow["steps"],
            "updated_by": workflow["updated_by"], "updated_at": workflow["updated_at"].isoformat()}


def blueprint(service: RoutingService, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("workflows", __name__, url_prefix="/api/v1/admin/workflows")

    def caller() -> Principal:
        return tokens.from_header(request.headers.get("Authorization"))

    @bp.get("")
    def list_workflows() -> Response:
        return jsonify(workflows=[view(w) for w in service.list_workflows(caller())])

    @bp.get("/<workflow_id>")
    def get_workflow(workflow_id: str) -> Response:
        return jsonify(view(service.workflow(caller(), workflow_id)))

    @bp.put("/<workflow_id>")
    def save_workflow(workflow_id: str) -> Response:
        principal = caller()
        principal.require("admin")
        return jsonify(view(service.save_workflow(principal, workflow_id, json_body())))

    return bp
