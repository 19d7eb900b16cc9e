"""create_app: intake's Flask application."""

from __future__ import annotations

from flask import Flask
from motcua.health import Readiness
from motcua.http import create_base_app

from intake import openapi
from intake.api import attachments, dossiers, procedures
from intake.service import IntakeService
from intake.settings import Settings


def create_app(settings: Settings, *, service: IntakeService, readiness: Readiness) -> Flask:
    app = create_base_app("intake", readiness=readiness, openapi=openapi.document(),
                          max_content_length=max(settings.max_attachment_bytes + 64 * 1024, settings.max_request_bytes))
    app.register_blueprint(attachments.blueprint(service, settings.max_attachment_bytes))
    app.register_blueprint(dossiers.blueprint(service))
    app.register_blueprint(procedures.blueprint(service))
    return app
