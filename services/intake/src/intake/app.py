"""create_app: intake's Flask application."""

from __future__ import annotations

from flask import Flask, request
from motcua.auth import TokenVerifier
from motcua.errors import PayloadTooLarge
from motcua.health import Readiness
from motcua.http import create_base_app

from intake import openapi
from intake.api import admin, dossiers, lookup_page, procedures, reception
from intake.api import attachments as attachments_api
from intake.attachments import AttachmentStore
from intake.calendars import CalendarService
from intake.catalog import CatalogService
from intake.service import IntakeService
from intake.settings import Settings


def create_app(settings: Settings, *, service: IntakeService, catalog: CatalogService, calendars: CalendarService,
               attachments: AttachmentStore, tokens: TokenVerifier, readiness: Readiness) -> Flask:
    app = create_base_app("intake", readiness=readiness, openapi=openapi.document(),
                          max_content_length=max(settings.max_attachment_bytes + 64 * 1024, settings.max_request_bytes))

    @app.before_request
    def limit_json_bodies() -> None:
        if request.mimetype != "multipart/form-data" and (request.content_length or 0) > settings.max_request_bytes:
            raise PayloadTooLarge(detail=f"the request body is larger than {settings.max_request_bytes} bytes",
                                  detail_vi=f"Dữ liệu gửi lên vượt quá {settings.max_request_bytes} byte")

    app.register_blueprint(attachments_api.blueprint(attachments, tokens))
    app.register_blueprint(dossiers.blueprint(service, tokens, settings.signing_public_url))
    app.register_blueprint(reception.blueprint(service, tokens))
    app.register_blueprint(procedures.blueprint(catalog))
    app.register_blueprint(admin.blueprint(catalog, calendars, tokens))
    app.register_blueprint(lookup_page.blueprint(service))
    return app
