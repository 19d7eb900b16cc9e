"""The Flask side every service shares: problem+json errors, RED metrics, health, /metrics, /openapi.json."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from motcua import health, metrics
from motcua.errors import (
    DomainError,
    MalformedRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
)

log = logging.getLogger(__name__)

PROBLEM = "application/problem+json"


def problem_response(error: DomainError) -> Response:
    """The problem+json response for a domain error."""
    body = json.dumps(error.problem(request.path), ensure_ascii=False)
    return Response(body, status=error.http_status, mimetype=PROBLEM)


def create_base_app(name: str, *, readiness: health.Readiness, openapi: dict[str, Any],
                    max_content_length: int = 1024 * 1024) -> Flask:
    """A Flask app with the shared error handling, instrumentation, health and documents."""
    app = Flask(name)
    app.config["MAX_CONTENT_LENGTH"] = max_content_length
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.register_blueprint(health.blueprint(readiness))

    @app.before_request
    def start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def record(response: Response) -> Response:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.observe_http(request.method, route, response.status_code, time.perf_counter() - g.get("started", 0))
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError) -> Response:
        return problem_response(error)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(_: RequestEntityTooLarge) -> Response:
        limit = app.config["MAX_CONTENT_LENGTH"]
        return problem_response(PayloadTooLarge(
            detail=f"the request body is larger than {limit} bytes",
            detail_vi=f"Dữ liệu gửi lên vượt quá {limit} byte",
        ))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        body = {"type": "about:blank", "title": error.name, "status": error.code, "detail": error.description}
        return Response(json.dumps(body), status=error.code or 500, mimetype=PROBLEM)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        body = {"type": "about:blank", "title": "Internal Server Error", "status": 500,
                "detail": f"internal error: {type(error).__name__}"}
        return Response(json.dumps(body), status=500, mimetype=PROBLEM)

    @app.get("/metrics")
    def metrics_endpoint() -> Response:
        return Response(generate_latest(), mimetype=CONTENT_TYPE_LATEST)

    @app.get("/openapi.json")
    def openapi_document() -> Response:
        return jsonify(openapi)

    return app


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a specific 400/415 problem."""
    if not request.is_json:
        raise UnsupportedMediaType(
            detail="the body must be application/json", detail_vi="Dữ liệu phải ở dạng application/json"
        )
    try:
        body = json.loads(request.get_data(cache=True) or b"")
    except (ValueError, RecursionError) as error:
        raise MalformedRequest(detail=f"the body is not valid JSON: {error}", detail_vi="Dữ liệu JSON không hợp lệ")
    if not isinstance(body, dict):
        raise MalformedRequest(detail="the body must be a JSON object", detail_vi="Dữ liệu phải là một đối tượng JSON")
    try:
        # A \ud800-style escape decodes to a lone surrogate, which no database or log can encode later.
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise MalformedRequest(detail="the body holds a lone UTF-16 surrogate (\\ud800-\\udfff escape)",
                               detail_vi="Dữ liệu chứa ký tự Unicode không hợp lệ") from None
    return body
