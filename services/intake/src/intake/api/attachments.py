"""POST /api/v1/attachments: multipart upload, stored once by SHA-256."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.errors import invalid

from intake.service import IntakeService


def blueprint(service: IntakeService, max_bytes: int) -> Blueprint:
    bp = Blueprint("attachments", __name__, url_prefix="/api/v1/attachments")

    @bp.post("")
    def upload() -> tuple[Response, int]:
        upload = request.files.get("file")
        if upload is None:
            raise invalid("/file", "Thiếu tệp (trường 'file' của multipart/form-data)",
                          "send the file as the 'file' field of multipart/form-data")
        content = upload.stream.read(max_bytes + 1)
        record, created = service.store_attachment(content, filename=upload.filename or "", max_bytes=max_bytes)
        return jsonify(record), 201 if created else 200

    return bp
