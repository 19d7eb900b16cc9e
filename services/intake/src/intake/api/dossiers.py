"""POST /api/v1/dossiers and GET /api/v1/dossiers/{code}."""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, jsonify, request
from motcua.errors import invalid
from motcua.http import json_body

from intake.api import views
from intake.errors import dossier_not_found
from intake.service import IntakeService
from intake.validation import DOSSIER_CODE, parse_submission


def blueprint(service: IntakeService) -> Blueprint:
    bp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers")

    @bp.post("")
    def submit() -> tuple[Response, int]:
        body = json_body()
        key = request.headers.get("Idempotency-Key", "").strip() or None
        if key is not None and not 8 <= len(key) <= 128:
            raise invalid("/headers/Idempotency-Key", "Khóa Idempotency-Key phải dài 8–128 ký tự",
                          "Idempotency-Key must be 8 to 128 characters")
        digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
        dossier, created = service.submit(parse_submission(body), idempotency_key=key, request_hash=digest)
        response = jsonify(views.dossier(dossier))
        response.headers["Location"] = f"/api/v1/dossiers/{dossier['_id']}"
        return response, 201 if created else 200

    @bp.get("/<code>")
    def lookup(code: str) -> Response:
        phone = request.args.get("phone", "")
        if not phone:
            raise invalid("/phone", "Cần nhập số điện thoại đã dùng khi nộp hồ sơ",
                          "phone is required: the number the dossier was submitted with")
        if not DOSSIER_CODE.match(code):
            raise dossier_not_found(code)
        return jsonify(views.dossier(service.lookup(code, phone)))

    return bp
