"""create_app: routing's HTTP side (health, metrics, workflow administration); officials use gRPC Workbench."""

from __future__ import annotations

from typing import Any

from flask import Flask
from motcua.auth import TokenVerifier
from motcua.health import Readiness
from motcua.http import create_base_app

from routing.api import officers, workflows
from routing.service import RoutingService

PROBLEM = {"description": "a problem (RFC 9457) with a pointer per invalid field",
           "content": {"application/problem+json": {"schema": {"type": "object"}}}}
STEP = {"type": "object", "required": ["id", "name", "role", "share", "actions"], "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}, "name": {"type": "string"},
            "role": {"type": "string", "enum": ["officer", "leader"]},
            "department": {"type": "string", "description": "empty: the procedure's department"},
            "agency": {"type": "string", "description": "empty: the receiving agency; else another agency (liên thông)"},
            "share": {"type": "integer", "minimum": 1, "maximum": 100, "description": "% of the legal time"},
            "weight": {"type": "number", "exclusiveMinimum": 0, "maximum": 100, "default": 1},
            "assignment": {"type": "string", "enum": ["least_loaded", "round_robin", "claim"], "default": "least_loaded"},
            "actions": {"type": "array", "items": {"type": "string",
                                                   "enum": ["forward", "return", "supplement", "reject", "approve"]}}}}
WORKFLOW = {"type": "object", "required": ["name", "steps"],
            "properties": {"name": {"type": "string"}, "steps": {"type": "array", "items": STEP, "minItems": 1}}}
LEAVE = {"type": "object", "required": ["leave"], "properties": {"leave": {"type": "array", "maxItems": 100, "items": {
    "type": "object", "required": ["from", "to"], "properties": {"from": {"type": "string", "format": "date"},
                                                                 "to": {"type": "string", "format": "date"}}}}}}
SECURED: dict[str, Any] = {"security": [{"bearer": []}]}
OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "motcua routing", "version": "1.0.0",
             "description": "Routing serves officials over gRPC (motcua.v1.Workbench); HTTP carries health, metrics "
                            "and the administration of workflows and officials' leave (role admin)."},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    "paths": {
        "/api/v1/admin/workflows": {"get": {**SECURED, "summary": "Every saved workflow",
                                            "responses": {"200": {"description": "the workflows"}, "403": PROBLEM}}},
        "/api/v1/admin/workflows/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
                            "description": "a workflow name (standard) or <procedure code>@<version>"}],
            "get": {**SECURED, "summary": "One workflow",
                    "responses": {"200": {"description": "the workflow"}, "404": PROBLEM}},
            "put": {**SECURED, "summary": "Save a workflow, validated (reachable end, shares adding up to 100)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": WORKFLOW}}},
                    "responses": {"200": {"description": "the saved workflow with its new version"},
                                  "422": PROBLEM, "403": PROBLEM}}},
        "/api/v1/admin/officers/{sub}/leave": {
            "parameters": [{"name": "sub", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {**SECURED, "summary": "Replace an official's leave periods (no new tasks on those days)",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": LEAVE}}},
                    "responses": {"200": {"description": "the official's leave"}, "404": PROBLEM, "422": PROBLEM,
                                  "403": PROBLEM}}},
    },
}


def create_app(*, readiness: Readiness, service: RoutingService, tokens: TokenVerifier) -> Flask:
    app = create_base_app("routing", readiness=readiness, openapi=OPENAPI)
    app.register_blueprint(workflows.blueprint(service, tokens))
    app.register_blueprint(officers.blueprint(service, tokens))
    return app
