"""POST /api/v1/attachments: multipart upload by a citizen or a clerk, stored once by SHA-256."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import invalid

from intake.api import caller
from intake.attachments import AttachmentStore


def blueprint(store: AttachmentStore, tokens: TokenVerifier) -> Blueprint:
    bp = Blueprint("attachments", __name__, url_prefix="/api/v1/attachments")

    @bp.post("")
    def upload() -> tuple[Response, int]:
        caller(tokens).require("citizen", "clerk")
        upload = request.files.get("file")
        if upload is None:
            raise invalid("/file", "Thiếu tệp (trường 'file' của multipart/form-data)",
                          "send the file as the 'file' field of multipart/form-data")
        content = upload.stream.read(store.max_bytes + 1)
        record, created = store.store(content, filename=upload.filename or "")
        return jsonify(record), 201 if created else 200

    return bp
