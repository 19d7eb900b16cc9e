"""The receipt's rating link: what intake does with feedback's answers, against an in-process gRPC server."""

import logging
import threading
from collections.abc import Iterator
from concurrent import futures

import grpc
import pytest
from intake.forms import RatingLinkSource
from intake.settings import Settings
from motcua.settings import Env, SettingsError
from motcua.v1 import events_pb2, feedback_pb2, feedback_pb2_grpc
from prometheus_client import REGISTRY

CODE = "000.01.31.H56-260302-0001"
URL = f"https://danhgia.example.vn/r/{CODE}?t=a.b"


class Feedback(feedback_pb2_grpc.FeedbackServicer):
    """Answers IssueRatingLink as told: the link, a refusal, or nothing until released."""

    def __init__(self) -> None:
        self.refusal: grpc.StatusCode | None = None
        self.release = threading.Event()
        self.hold = False
        self.asked: list[feedback_pb2.IssueRatingLinkRequest] = []

    def IssueRatingLink(self, request, context):  # type: ignore[no-untyped-def]
        self.asked.append(request)
        if self.hold:
            self.release.wait(5)
        if self.refusal is not None:
            context.abort(self.refusal, "refused")
        return feedback_pb2.RatingLink(url=URL)


@pytest.fixture
def feedback() -> Iterator[tuple[Feedback, RatingLinkSource]]:
    servicer = Feedback()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    feedback_pb2_grpc.add_FeedbackServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield servicer, RatingLinkSource(channel, timeout=0.5)
    servicer.release.set()
    channel.close()
    server.stop(0)


def received() -> events_pb2.DossierReceived:
    received = events_pb2.DossierReceived(dossier_code=CODE)
    received.appointment_at.FromSeconds(1_780_000_000)
    return received


def without_link(code: str) -> float:
    return REGISTRY.get_sample_value("motcua_receipts_without_rating_link_total", {"code": code}) or 0.0


def test_the_link_feedback_gives_is_the_receipts(feedback):  # type: ignore[no-untyped-def]
    servicer, source = feedback
    assert source.url(received()) == URL
    [asked] = servicer.asked
    assert asked.dossier_code == CODE and asked.appointment_at.seconds == 1_780_000_000


@pytest.mark.parametrize(("code", "level"), [
    (grpc.StatusCode.UNAVAILABLE, logging.WARNING),
    (grpc.StatusCode.PERMISSION_DENIED, logging.ERROR),
])
def test_a_refusal_issues_the_receipt_without_the_link_counted_and_logged(feedback, caplog, code, level):  # type: ignore[no-untyped-def]
    servicer, source = feedback
    servicer.refusal = code
    before = without_link(code.name)
    with caplog.at_level(logging.WARNING, logger="intake.forms"):
        assert source.url(received()) == ""
    assert without_link(code.name) == before + 1
    [record] = caplog.records
    assert record.levelno == level and CODE in record.getMessage() and code.name in record.getMessage()


def test_a_late_answer_is_not_waited_for(feedback):  # type: ignore[no-untyped-def]
    servicer, source = feedback
    servicer.hold = True
    before = without_link("DEADLINE_EXCEEDED")
    assert source.url(received()) == ""
    assert without_link("DEADLINE_EXCEEDED") == before + 1


def test_feedbacks_address_and_timeout_are_checked_at_start():
    defaults = Settings.from_env(Env({}))
    assert (defaults.feedback_addr, defaults.feedback_timeout) == ("127.0.0.1:50055", 2.0)
    chosen = Settings.from_env(Env({"MOTCUA_FEEDBACK_ADDR": "feedback:50055", "MOTCUA_FEEDBACK_TIMEOUT_SECONDS": "5"}))
    assert (chosen.feedback_addr, chosen.feedback_timeout) == ("feedback:50055", 5.0)
    for name, bad in (("MOTCUA_FEEDBACK_ADDR", "feedback"), ("MOTCUA_FEEDBACK_TIMEOUT_SECONDS", "0"),
                      ("MOTCUA_FEEDBACK_TIMEOUT_SECONDS", "31")):
        with pytest.raises(SettingsError, match=name):
            Settings.from_env(Env({name: bad}))
