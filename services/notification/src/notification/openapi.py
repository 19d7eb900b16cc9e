"""Notification's OpenAPI document: the admin API (every path needs an admin token)."""

from __future__ import annotations

from typing import Any

ADMIN_ERRORS = {"401": {"description": "No or bad token"}, "403": {"description": "Not an admin"}}
KIND = {"name": "kind", "in": "path", "required": True, "schema": {"type": "string"},
        "description": "received, supplement_requested, assigned, due_soon, apology_issued, result_ready, completed"}
CHANNEL = {"name": "channel", "in": "path", "required": True, "schema": {"type": "string", "enum": ["zns", "sms", "email"]}}
TEMPLATE_INPUT = {"type": "object", "properties": {
    "subject": {"type": "string", "description": "e-mail: Vietnamese subject (Jinja2)"},
    "subject_en": {"type": "string", "description": "e-mail: optional English subject"},
    "body": {"type": "string", "description": "e-mail, SMS: Vietnamese text (Jinja2)"},
    "body_en": {"type": "string", "description": "e-mail, SMS: optional English text, sent after the Vietnamese"},
    "ascii": {"type": "boolean", "description": "SMS: send without diacritics (GSM-7, 160 characters a segment)"},
    "zns_template_id": {"type": "string", "description": "ZNS: the template id Zalo approved"},
    "zns_params": {"type": "object", "additionalProperties": {"type": "string"},
                   "description": "ZNS: each parameter of the Zalo template as a Jinja2 expression"}}}


def responses(ok: str, *extra: str) -> dict[str, Any]:
    found: dict[str, Any] = {"200": {"description": ok}, **ADMIN_ERRORS}
    for code in extra:
        found[code] = {"description": {"404": "No such template or event type", "422": "Invalid fields (problem+json)",
                                       "400": "Not a JSON object"}[code]}
    return found


OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "motcua notification", "version": "1.1.0",
             "description": "Messages sent to citizens; the rules and templates that make them."},
    "paths": {
        "/api/v1/messages": {"get": {
            "summary": "Messages about a dossier",
            "parameters": [{"name": "dossier_code", "in": "query", "required": True, "schema": {"type": "string"}}],
            "responses": responses("Messages", "422")}},
        "/api/v1/messages/{message_id}/resend": {
            "parameters": [{"name": "message_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {"summary": "Send a finished message again from its first channel (a new attempt, recorded)",
                     "responses": {**responses("The message, queued again", "404"),
                                   "409": {"description": "Still being sent (problem+json)"}}}},
        "/api/v1/callbacks/{provider}": {
            "parameters": [{"name": "provider", "in": "path", "required": True, "schema": {"type": "string"}}],
            "post": {"summary": "A provider's delivery receipt, signed (X-Motcua-Timestamp, X-Motcua-Signature); no token",
                     "responses": {"204": {"description": "Applied, or applied before"},
                                   "401": {"description": "Bad signature or outside the replay window"},
                                   "404": {"description": "Unknown provider or message"},
                                   "422": {"description": "Invalid receipt (problem+json)"}}}},
        "/api/v1/templates": {"get": {
            "summary": "Every version of every template",
            "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string"}}],
            "responses": responses("Templates")}},
        "/api/v1/templates/{kind}/{channel}": {
            "parameters": [KIND, CHANNEL],
            "get": {"summary": "The latest version", "responses": responses("The template", "404")},
            "post": {"summary": "Add a version (checked by rendering it with sample values)",
                     "requestBody": {"content": {"application/json": {"schema": TEMPLATE_INPUT}}},
                     "responses": {**responses("unused", "400", "404", "422"), "201": {"description": "The new version"}}}},
        "/api/v1/templates/{kind}/{channel}/{version}": {
            "parameters": [KIND, CHANNEL, {"name": "version", "in": "path", "required": True,
                                           "schema": {"type": "integer", "minimum": 1}}],
            "get": {"summary": "One version", "responses": responses("The template", "404")}},
        "/api/v1/templates/{kind}/{channel}/preview": {
            "parameters": [KIND, CHANNEL],
            "post": {"summary": "Render a version or a draft; an SMS shows its encoding and segments",
                     "requestBody": {"content": {"application/json": {"schema": {"type": "object", "properties": {
                         "version": {"type": "integer", "minimum": 1}, "template": TEMPLATE_INPUT,
                         "data": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
                     "responses": responses("The rendered message", "400", "404", "422")}},
        "/api/v1/rules": {"get": {"summary": "Which event types send which kind of message",
                                  "responses": responses("Rules")}},
        "/api/v1/rules/{event_type}": {
            "parameters": [{"name": "event_type", "in": "path", "required": True, "schema": {"type": "string"}}],
            "put": {"summary": "Create or replace the rule of a dossier event type",
                    "requestBody": {"content": {"application/json": {"schema": {"type": "object", "required": ["kind"],
                        "properties": {"kind": {"type": "string"}, "urgent": {"type": "boolean"},
                                       "enabled": {"type": "boolean"},
                                       "channels": {"type": "array", "items": {"type": "string"}}}}}}},
                    "responses": responses("The rule", "400", "404", "422")}},
    },
}
