"""create_app: notification's REST admin API (messages, templates, rules) and the providers' callbacks."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from motcua.auth import TokenVerifier
from motcua.health import Readiness
from motcua.http import create_base_app

from notification.admin import Admin
from notification.api import callbacks, messages, templates
from notification.delivery import Delivery
from notification.openapi import OPENAPI
from notification.service import NotificationService


def create_app(*, service: NotificationService, admin: Admin, delivery: Delivery, callback_secrets: Mapping[str, str],
               callback_window: float, tokens: TokenVerifier, readiness: Readiness) -> Flask:
    app = create_base_app("notification", readiness=readiness, openapi=OPENAPI)
    app.register_blueprint(callbacks.blueprint(delivery, callback_secrets, callback_window))
    app.register_blueprint(messages.blueprint(service, tokens))
    app.register_blueprint(templates.blueprint(admin, tokens))
    return app
