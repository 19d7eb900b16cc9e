"""create_app: the public verification page and API, and document download."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, Response, jsonify, render_template_string, request
from motcua.errors import invalid
from motcua.health import Readiness
from motcua.http import create_base_app

from signing import pades
from signing.service import SigningService

PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiểm tra chữ ký số – {{ id }}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.ok{color:#0a6b2d}.bad{color:#a30f0f}</style></head>
<body><main><h1>Kiểm tra chữ ký số</h1>
<p>Tài liệu <code>{{ id }}</code> (SHA-256 <code>{{ sha256 }}</code>)</p>
<p class="{{ 'ok' if valid else 'bad' }}"><strong>{{ 'Hợp lệ' if valid else 'Không hợp lệ' }}</strong>
({{ 'Valid' if valid else 'Not valid' }})</p>
<ul>{% for s in signatures %}<li>{{ s.signer_common_name or s.signer_subject }}
(mức chữ ký / signature level PAdES {{ s.level }}){% if s.timestamp %}
(dấu thời gian / timestamp {{ s.timestamp.strftime('%Y-%m-%d %H:%M:%S') }} UTC){% endif %}{% if s.level == 'B-LT' %}
(trạng thái chứng thư được xác định theo dữ liệu thu hồi nhúng trong tài liệu tại thời điểm ký / certificate
status judged by the revocation data embedded in the document, as of signing){% endif %}:
{% for m in s.messages %}{{ m.vi }} ({{ m.en }}){% if not loop.last %}; {% endif %}{% endfor %}</li>{% endfor %}
{% for m in messages %}<li>{{ m.vi }} ({{ m.en }})</li>{% endfor %}</ul>
<p><a href="/api/v1/documents/{{ id }}">Tải tài liệu (PDF)</a></p></main></body></html>"""

OPENAPI = {
    "openapi": "3.0.3",
    "info": {"title": "motcua signing", "version": "1.0.0", "description": "Verify signed documents."},
    "paths": {
        "/verify/{id}": {"get": {"summary": "Verification page (HTML, or JSON with Accept: application/json)",
                                 "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                                 "responses": {"200": {"description": "Result"}, "404": {"description": "Unknown"}}}},
        "/api/v1/verify": {"post": {"summary": "Verify an uploaded PDF (multipart field 'file')",
                                    "responses": {"200": {"description": "Result"}, "422": {"description": "No file"}}}},
        "/api/v1/documents/{id}": {"get": {"summary": "Download a signed document",
                                           "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                                           "responses": {"200": {"description": "PDF"}, "404": {"description": "Unknown"}}}},
    },
}


def verification_json(result: pades.Verification) -> dict[str, Any]:
    return {
        "valid": result.valid,
        "messages": [{"vi": m.vi, "en": m.en} for m in result.messages],
        "signatures": [{"field": s.field_name, "signer": s.signer_subject, "common_name": s.signer_common_name,
                        "signed_at": s.signing_time.isoformat() if s.signing_time else None,
                        "timestamp": s.timestamp.isoformat() if s.timestamp else None, "level": s.level,
                        "intact": s.intact,
                        "trusted": s.trusted, "modification_level": s.modification_level, "valid": s.valid,
                        "messages": [{"vi": m.vi, "en": m.en} for m in s.messages]} for s in result.signatures],
    }


def create_app(*, service: SigningService, readiness: Readiness, max_upload: int = 20 * 1024 * 1024) -> Flask:
    app = create_base_app("signing", readiness=readiness, openapi=OPENAPI, max_content_length=max_upload)
    bp = Blueprint("verify", __name__)

    @bp.get("/verify/<document_id>")
    def verify_page(document_id: str) -> Response | str:
        record = service.document(document_id)
        result = service.verify(document_id=document_id)
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"document_id": document_id, "sha256": record["sha256"], **verification_json(result)})
        return render_template_string(PAGE, id=document_id, sha256=record["sha256"], valid=result.valid,
                                      signatures=result.signatures, messages=result.messages)

    @bp.post("/api/v1/verify")
    def verify_upload() -> Response:
        upload = request.files.get("file")
        if upload is None:
            raise invalid("/file", "Thiếu tệp PDF (trường 'file')", "send the PDF as the 'file' field")
        return jsonify(verification_json(service.verify(pdf=upload.read())))

    @bp.get("/api/v1/documents/<document_id>")
    def download(document_id: str) -> Response:
        return Response(service.content(document_id), mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{document_id}.pdf"'})

    app.register_blueprint(bp)
    return app
