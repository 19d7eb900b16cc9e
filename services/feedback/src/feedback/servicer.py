"""Feedback over gRPC: statistics for agency systems and dashboards, rating links for the receipt."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import grpc
from motcua.auth import TokenVerifier
from motcua.errors import invalid
from motcua.events import timestamp
from motcua.v1 import feedback_pb2, feedback_pb2_grpc

from feedback.service import FeedbackService
from feedback.statistics import Statistics


def group_message(group: dict[str, Any]) -> feedback_pb2.SatisfactionGroup:
    return feedback_pb2.SatisfactionGroup(
        value=group["value"], period=group["period"], ratings=group["ratings"], satisfied=group["satisfied"],
        satisfied_share=group["satisfied_share"] or 0.0,
        scales=[feedback_pb2.ScaleCounts(scale=int(scale), levels=[feedback_pb2.LevelCount(**c) for c in counts])
                for scale, counts in group["levels"].items()])


class FeedbackServicer(feedback_pb2_grpc.FeedbackServicer):
    def __init__(self, statistics: Statistics, service: FeedbackService, tokens: TokenVerifier) -> None:
        self.statistics = statistics
        self.service = service
        self.tokens = tokens

    def GetStats(self, request: feedback_pb2.GetStatsRequest, context: grpc.ServicerContext) -> feedback_pb2.Stats:
        by, period = request.by or "all", request.period or self.statistics.this_year()
        groups = self.statistics.groups(by, period)
        return feedback_pb2.Stats(by=by, period=period, groups=[group_message(g) for g in groups])

    def GetTrend(self, request: feedback_pb2.GetTrendRequest, context: grpc.ServicerContext) -> feedback_pb2.Trend:
        months = request.months or 12
        if not 1 <= months <= 36:
            raise invalid("/months", "Số tháng từ 1 đến 36", "months must be 1 to 36")
        trend = self.statistics.trend(request.by or "all", request.value or "all",
                                      request.until or self.statistics.this_month(), months)
        return feedback_pb2.Trend(months=[group_message(g) for g in trend])

    def IssueRatingLink(self, request: feedback_pb2.IssueRatingLinkRequest,
                        context: grpc.ServicerContext) -> feedback_pb2.RatingLink:
        principal = self.tokens.from_grpc(context)
        appointment_at = request.appointment_at.ToDatetime(UTC) if request.HasField("appointment_at") else None
        link = self.service.link_for_receipt(principal, request.dossier_code, appointment_at)
        return feedback_pb2.RatingLink(url=link.url, qr_url=link.qr_url, expires_at=timestamp(link.expires_at))
