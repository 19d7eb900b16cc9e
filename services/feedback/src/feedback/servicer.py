"""Feedback over gRPC."""

from __future__ import annotations

import grpc
from motcua.v1 import feedback_pb2, feedback_pb2_grpc

from feedback.service import FeedbackService


class FeedbackServicer(feedback_pb2_grpc.FeedbackServicer):
    def __init__(self, service: FeedbackService) -> None:
        self.service = service

    def GetStats(self, request: feedback_pb2.GetStatsRequest, context: grpc.ServicerContext) -> feedback_pb2.Stats:
        stats = self.service.stats()
        return feedback_pb2.Stats(scale=stats["scale"], total=stats["total"],
                                  levels=[feedback_pb2.LevelCount(**c) for c in stats["levels"]])
