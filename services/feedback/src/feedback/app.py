"""create_app: feedback's REST API and the citizens' pages."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.health import Readiness
from motcua.http import create_base_app, problem_response

from feedback import leaders, pages
from feedback.api import complaints as complaints_api
from feedback.api import ratings as ratings_api
from feedback.complaints import ComplaintService
from feedback.errors import TooManyRequests
from feedback.openapi import OPENAPI
from feedback.service import FeedbackService
from feedback.statistics import Statistics


def create_app(*, service: FeedbackService, complaints: ComplaintService, statistics: Statistics,
               tokens: TokenVerifier, readiness: Readiness) -> Flask:
    app = create_base_app("feedback", readiness=readiness, openapi=OPENAPI, max_content_length=16 * 1024)

    @app.errorhandler(TooManyRequests)
    def too_many(error: TooManyRequests) -> Response:
        response = problem_response(error)
        response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.get("/api/v1/stats")
    def stats() -> Response:
        by = request.args.get("by", "all")
        period = request.args.get("period") or statistics.this_year()
        return jsonify({"by": by, "period": period, "groups": statistics.groups(by, period)})

    @app.get("/api/v1/stats/trend")
    def trend() -> Response:
        by, value = request.args.get("by", "all"), request.args.get("value", "all")
        until = request.args.get("until") or statistics.this_month()
        months = request.args.get("months", "12")
        if not months.isdigit() or not 1 <= int(months) <= 36:
            raise invalid("/months", "Số tháng từ 1 đến 36", "months must be 1 to 36")
        return jsonify({"by": by, "value": value, "months": statistics.trend(by, value, until, int(months))})

    pages.register_filters(app)
    app.register_blueprint(ratings_api.blueprint(service, complaints, tokens))
    app.register_blueprint(complaints_api.blueprint(service, complaints, tokens))
    app.register_blueprint(pages.blueprint(service, complaints))
    app.register_blueprint(leaders.blueprint(statistics))
    return app
