"""Dossiers: submission, lookup (by code and phone, or by the caller's token), the citizen's list, forms."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, redirect, request
from motcua.auth import TokenVerifier
from motcua.codes import DOSSIER_CODE
from motcua.errors import invalid
from motcua.http import json_body

from intake import views
from intake.api import caller
from intake.errors import dossier_not_found, form_not_issued
from intake.service import IntakeService
from intake.validation import parse_submission

FORMS = ("01", "02", "03")


def blueprint(service: IntakeService, tokens: TokenVerifier, signing_public_url: str) -> Blueprint:
    bp = Blueprint("dossiers", __name__, url_prefix="/api/v1")

    @bp.post("/dossiers")
    def submit() -> tuple[Response, int]:
        principal = caller(tokens)
        body = json_body()
        key = request.headers.get("Idempotency-Key", "").strip() or None
        if key is not None and not 8 <= len(key) <= 128:
            raise invalid("/headers/Idempotency-Key", "Khóa Idempotency-Key phải dài 8–128 ký tự",
                          "Idempotency-Key must be 8 to 128 characters")
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        dossier, created = service.submit(parse_submission(body), principal, idempotency_key=key, request_hash=digest)
        response = jsonify(views.dossier(dossier))
        response.headers["Location"] = f"/api/v1/dossiers/{dossier['_id']}"
        return response, 201 if created else 200

    @bp.get("/dossiers/<code>")
    def lookup(code: str) -> Response:
        return jsonify(views.dossier(_find(code)))

    @bp.get("/dossiers/<code>/forms/<form>")
    def form(code: str, form: str) -> Response:
        issued = (_find(code).get("forms") or {}).get(form) if form in FORMS else None
        if issued is None:
            raise form_not_issued(code, form)
        return redirect(f"{signing_public_url}/api/v1/documents/{issued['document_id']}", code=303)

    @bp.get("/me/dossiers")
    def mine() -> Response:
        return jsonify(dossiers=[views.dossier(d) for d in service.dossiers_of(caller(tokens))])

    def _find(code: str) -> dict:  # type: ignore[type-arg]
        """By the caller's token when one is sent, else by the phone number given with the dossier."""
        if not DOSSIER_CODE.match(code):
            raise dossier_not_found(code)
        if request.headers.get("Authorization"):
            return service.dossier_for(code, caller(tokens))
        phone = request.args.get("phone", "")
        if not phone:
            raise invalid("/phone", "Cần nhập số điện thoại đã dùng khi nộp hồ sơ",
                          "phone is required: the number the dossier was submitted with")
        return service.lookup(code, phone)

    return bp
