"""/tra-cuu/<code>: the public lookup page the receipt's QR code opens (plain HTML, no JavaScript)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from motcua.errors import DomainError

from intake import views
from intake.service import IntakeService


def blueprint(service: IntakeService) -> Blueprint:
    bp = Blueprint("lookup_page", __name__, template_folder="../templates")

    @bp.get("/tra-cuu/<code>")
    def page(code: str) -> tuple[str, int]:
        phone = request.args.get("phone", "").strip()
        dossier, problem = None, ""
        if phone:
            try:
                dossier = views.dossier(service.lookup(code, phone))
            except DomainError as error:
                problem = error.detail_vi or error.detail
        return render_template("lookup.html", code=code, phone=phone, dossier=dossier, problem=problem), (
            404 if problem else 200)

    return bp
