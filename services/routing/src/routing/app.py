"""create_app: routing's HTTP side (health, metrics, the OpenAPI stub); officials use gRPC Workbench."""

from __future__ import annotations

from flask import Flask
from motcua.health import Readiness
from motcua.http import create_base_app

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "motcua routing", "version": "1.0.0",
             "description": "Routing serves officials over gRPC (motcua.v1.Workbench); HTTP carries health and metrics."},
    "paths": {},
}


def create_app(*, readiness: Readiness) -> Flask:
    return create_base_app("routing", readiness=readiness, openapi=OPENAPI)
