"""The OpenAPI 3 document of feedback's REST API, served at /openapi.json."""

from __future__ import annotations

from typing import Any

PROBLEM = {"description": "Problem (RFC 9457)", "content": {"application/problem+json": {"schema": {"type": "object"}}}}
LIMITED = {"description": "Too many requests from this address (Retry-After says when to try again)",
           "content": PROBLEM["content"]}
BEARER = [{"bearer": []}]


def _body(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": properties}
    return {"required": True, "content": {"application/json": {"schema": schema}}}


BALLOT = {"level": {"type": "integer", "minimum": 1, "maximum": 5, "description": "on the agency's scale, best highest"},
          "criteria": {"type": "object", "additionalProperties": {"type": "integer"},
                       "description": "levels of the criteria the agency chose, by name"},
          "comment": {"type": "string", "maxLength": 2000}}
STATS_QUERY = [{"name": "by", "in": "query", "schema": {"type": "string", "enum": [
    "all", "agency", "department", "official", "procedure", "channel"]}},
    {"name": "period", "in": "query", "schema": {"type": "string", "pattern": r"^\d{4}(-\d{2})?$"}}]

OPENAPI: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "motcua feedback", "version": "2.0.0",
             "description": "Citizens' ratings (signed links, counter kiosks), complaints and statistics."},
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    "paths": {
        "/api/v1/ratings": {"post": {
            "summary": "Rate a dossier with its signed, single-use link token",
            "requestBody": _body(["dossier_code", "token", "level"], {
                "dossier_code": {"type": "string"}, "token": {"type": "string"}, **BALLOT}),
            "responses": {"201": {"description": "Accepted; `low` asks what went wrong, with `follow_up`"},
                          "401": PROBLEM, "403": PROBLEM, "409": PROBLEM, "422": PROBLEM, "429": LIMITED,
                          "503": PROBLEM}}},
        "/api/v1/ratings/{key}/problems": {"post": {
            "summary": "After a low rating: what went wrong, and a complaint if the citizen wants one",
            "requestBody": _body(["follow_up"], {
                "follow_up": {"type": "string"}, "problems": {"type": "array", "items": {"type": "string"}},
                "complaint": {"type": "boolean"}, "content": {"type": "string"}, "contact": {"type": "string"}}),
            "responses": {"200": {"description": "Recorded"}, "404": PROBLEM, "409": PROBLEM, "422": PROBLEM,
                          "429": LIMITED}}},
        "/api/v1/kiosk/sessions": {"post": {
            "summary": "A clerk binds a counter's kiosk to the dossier just served and to themself",
            "security": BEARER,
            "requestBody": _body(["counter", "dossier_code"], {"counter": {"type": "string"},
                                                               "dossier_code": {"type": "string"}}),
            "responses": {"201": {"description": "The session"}, "401": PROBLEM, "403": PROBLEM, "404": PROBLEM,
                          "422": PROBLEM}}},
        "/api/v1/kiosk/{counter}/ratings": {"post": {
            "summary": "Rate the official at the counter's kiosk, once per dossier and official",
            "requestBody": _body(["session", "level"], {"session": {"type": "string"}, **BALLOT}),
            "responses": {"201": {"description": "Accepted"}, "409": PROBLEM, "422": PROBLEM}}},
        "/api/v1/complaints": {
            "post": {"summary": "File a complaint (phản ánh, kiến nghị), about a dossier or an agency",
                     "requestBody": _body(["content"], {
                         "content": {"type": "string", "maxLength": 4000}, "category": {"type": "string"},
                         "dossier_code": {"type": "string"}, "agency_id": {"type": "string"},
                         "contact": {"type": "string"}}),
                     "responses": {"201": {"description": "Filed: id, key (keep it to follow), due_at"},
                                   "422": PROBLEM, "429": LIMITED}},
            "get": {"summary": "An agency's published complaints and answers",
                    "parameters": [{"name": "agency", "in": "query", "required": True, "schema": {"type": "string"}}],
                    "responses": {"200": {"description": "Published complaints"}}}},
        "/api/v1/complaints/{id}": {"get": {
            "summary": "A complaint, for its filer (key) or anyone once published",
            "parameters": [{"name": "key", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "The complaint"}, "404": PROBLEM}}},
        "/api/v1/complaints/{id}/answer": {"post": {
            "summary": "The responsible agency answers, once; publish now or later", "security": BEARER,
            "requestBody": _body(["answer"], {"answer": {"type": "string"}, "publish": {"type": "boolean"}}),
            "responses": {"200": {"description": "Answered"}, "401": PROBLEM, "403": PROBLEM, "409": PROBLEM,
                          "422": PROBLEM}}},
        "/api/v1/complaints/{id}/publish": {"post": {
            "summary": "Publish an answered complaint", "security": BEARER,
            "responses": {"204": {"description": "Published"}, "401": PROBLEM, "403": PROBLEM, "409": PROBLEM}}},
        "/api/v1/complaints/{id}/rating": {"post": {
            "summary": "The filer rates the answer, once",
            "requestBody": _body(["key", "level"], {"key": {"type": "string"}, "level": {"type": "integer"}}),
            "responses": {"201": {"description": "Rated"}, "403": PROBLEM, "409": PROBLEM, "422": PROBLEM}}},
        "/api/v1/stats": {"get": {
            "summary": "Satisfaction per group of a dimension in a period", "parameters": STATS_QUERY,
            "responses": {"200": {"description": "Groups with ratings, satisfied share and counts per level"},
                          "422": PROBLEM}}},
        "/api/v1/index": {"get": {
            "summary": "The service index (Decision 766) of every agency with data in the period, best first",
            "parameters": [STATS_QUERY[1]],
            "responses": {"200": {"description": "Per agency: score, measured points, groups, parts, missing inputs"},
                          "422": PROBLEM}}},
        "/api/v1/stats/trend": {"get": {
            "summary": "One group's satisfaction month by month",
            "parameters": [STATS_QUERY[0], {"name": "value", "in": "query", "schema": {"type": "string"}},
                           {"name": "until", "in": "query", "schema": {"type": "string"}},
                           {"name": "months", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                                         "maximum": 36}}],
            "responses": {"200": {"description": "Months"}, "422": PROBLEM}}},
    },
}
