"""Intake's OpenAPI 3 document, served at /openapi.json."""

from __future__ import annotations

from typing import Any

PROBLEM = {"description": "Problem (RFC 9457)", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
DOSSIER = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Dossier"}}}}


def document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "motcua intake", "version": "1.0.0",
                 "description": "Dossier submission, attachments and public lookup (tiếp nhận hồ sơ)."},
        "paths": {
            "/api/v1/attachments": {"post": {
                "summary": "Upload an attachment (PDF, JPEG or PNG, judged by content); stored once by SHA-256",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}}}}}},
                "responses": {"201": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Attachment"}}}},
                              "200": {"description": "Already stored"}, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM},
            }},
            "/api/v1/dossiers": {"post": {
                "summary": "Submit a dossier; it is received at once and gets its code and appointment",
                "parameters": [{"name": "Idempotency-Key", "in": "header", "required": False,
                                "schema": {"type": "string", "minLength": 8, "maxLength": 128}}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Submission"}}}},
                "responses": {"201": {"description": "Received", **DOSSIER}, "200": {"description": "Replayed (same Idempotency-Key)", **DOSSIER},
                              "400": PROBLEM, "409": PROBLEM, "413": PROBLEM, "415": PROBLEM, "422": PROBLEM},
            }},
            "/api/v1/dossiers/{code}": {"get": {
                "summary": "Look up a dossier by its code and the phone number it was submitted with",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}},
                               {"name": "phone", "in": "query", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The dossier", **DOSSIER}, "404": PROBLEM, "422": PROBLEM},
            }},
            "/api/v1/procedures": {"get": {"summary": "The procedure catalog", "responses": {"200": {"description": "Procedures"}}}},
            "/api/v1/procedures/{code}": {"get": {
                "summary": "One procedure", "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The procedure"}, "404": PROBLEM}}},
        },
        "components": {"schemas": {
            "Problem": {"type": "object", "properties": {
                "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                "detail": {"type": "string"}, "detail_vi": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object", "properties": {
                    "pointer": {"type": "string"}, "detail": {"type": "string"}, "detail_en": {"type": "string"}}}}}},
            "Attachment": {"type": "object", "properties": {
                "id": {"type": "string"}, "sha256": {"type": "string"}, "size": {"type": "integer"}, "content_type": {"type": "string"}}},
            "Submission": {"type": "object", "required": ["procedure_code", "applicant"], "properties": {
                "procedure_code": {"type": "string", "pattern": "^\\d\\.\\d{6}$", "example": "1.001193"},
                "channel": {"type": "string", "enum": ["counter", "online", "post"], "default": "online"},
                "applicant": {"type": "object", "required": ["full_name", "citizen_id", "phone"], "properties": {
                    "full_name": {"type": "string", "maxLength": 200}, "citizen_id": {"type": "string", "pattern": "^\\d{12}$"},
                    "birth_year": {"type": "integer"}, "phone": {"type": "string"}, "email": {"type": "string", "format": "email"}}},
                "attachments": {"type": "array", "maxItems": 50, "items": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}}},
            "Dossier": {"type": "object", "properties": {
                "code": {"type": "string"}, "procedure": {"type": "object"}, "channel": {"type": "string"},
                "status": {"type": "object"}, "department": {"type": "string"}, "received_at": {"type": "string"},
                "appointment_at": {"type": "string"}, "history": {"type": "array", "items": {"type": "object"}}}},
        }},
    }
