"""Feedback against the real Kafka and FerretDB: rating links, the kiosk, complaints and statistics.

The test publishes dossier events as intake and routing would, reads feedback's own events back from its
topic, and drives feedback through its REST API and pages. Each test speaks from its own address (through
a trusted X-Forwarded-For), so that only the rate-limit test meets the limit.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from datetime import UTC, datetime, timedelta

import grpc
import pytest
import requests
from kafka import KafkaProducer
from motcua import kafka as mkafka
from motcua.events import Event, timestamp
from motcua.rpc import error_details
from motcua.topics import (
    DOCUMENT_SIGNED,
    DOSSIER_COMPLETED,
)
from motcua.v1 import common_pb2, events_pb2, feedback_pb2, feedback_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from tests import feedback_stack
from tests.conftest import ROOT, eventually
from tests.factories import bearer, clerk
from tests.feedback_stack import (
    AGENCY,
    PREFIX,
    RATE_LIMIT,
    SEQUENCE,
    link_of,
    new_code,
    official,
    receive,
    token_of,
)

pytestmark = pytest.mark.stack
ADDRESSES = itertools.count(10)
feedback, producer, topic = feedback_stack.feedback, feedback_stack.producer, feedback_stack.topic


@pytest.fixture
def address() -> dict[str, str]:
    return {"X-Forwarded-For": f"203.0.113.{next(ADDRESSES)}"}


def rate(base: str, code: str, token: str, headers: dict[str, str], **ballot: object) -> requests.Response:
    body = {"dossier_code": code, "token": token, "level": 3, **ballot}
    return requests.post(f"{base}/api/v1/ratings", json=body, headers=headers, timeout=10)


def test_a_received_dossier_gets_a_link_that_rates_it_once(feedback, producer, topic, address):  # type: ignore[no-untyped-def]
    code = receive(producer)
    link = link_of(topic, code)
    assert link.url.startswith(f"{feedback}/r/{code}?t=") and link.agency_id == AGENCY
    page = requests.get(link.url, headers=address, timeout=10)
    assert page.status_code == 200 and 'lang="vi"' in page.text
    # The agency chose the 3-level scale and one criterion besides the overall level.
    assert page.text.count('name="level"') == 3 and page.text.count('name="c_attitude"') == 3

    qr = requests.get(link.qr_url, headers=address, timeout=10)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml") and "<svg" in qr.text

    rated = rate(feedback, code, token_of(link), address, criteria={"attitude": 2}, comment="Nhanh gọn")
    assert rated.status_code == 201, rated.text
    assert rated.json()["label"] == "Rất hài lòng" and rated.json()["low"] is False
    event = topic.find(lambda e: e.type.name.endswith("feedback.submitted.v1") and e.subject == code, "the rating")
    assert (event.payload.level, event.payload.scale, event.payload.agency_id) == (3, 3, AGENCY)  # type: ignore[attr-defined]
    assert [(c.criterion, c.level) for c in event.payload.criteria] == [("attitude", 2)]  # type: ignore[attr-defined]

    reused = rate(feedback, code, token_of(link), address, level=1)
    assert reused.status_code == 409 and reused.json()["reason"] == "LINK_USED"
    assert requests.get(link.url, headers=address, timeout=10).status_code == 409


def test_another_dossiers_forged_or_expired_link_is_refused_and_nothing_is_stored(feedback, producer, topic,
                                                                                  address):  # type: ignore[no-untyped-def]
    mine, other = receive(producer), receive(producer)
    mine_token, other_token = token_of(link_of(topic, mine)), token_of(link_of(topic, other))
    foreign = rate(feedback, mine, other_token, address)
    assert foreign.status_code == 403 and foreign.json()["reason"] == "LINK_OTHER_DOSSIER"
    payload, signature = mine_token.split(".")
    forged = rate(feedback, mine, f"{payload}.{signature[:-2]}AA", address)
    assert forged.status_code == 401 and forged.json()["reason"] == "LINK_INVALID"
    missing = rate(feedback, mine, "", address)
    assert missing.status_code == 422 and missing.json()["errors"][0]["pointer"] == "/token"
    bad_level = rate(feedback, mine, mine_token, address, level=5)  # the agency's scale has 3 levels
    assert bad_level.status_code == 422 and [e["pointer"] for e in bad_level.json()["errors"]] == ["/level"]

    # A link expires link_days after the appointment: an appointment 31 days ago gives an expired link.
    late = receive(producer, appointment=datetime.now(UTC) - timedelta(days=31))
    expired = rate(feedback, late, token_of(link_of(topic, late)), address)
    assert expired.status_code == 401 and expired.json()["reason"] == "LINK_EXPIRED"
    page = requests.get(link_of(topic, late).url, headers=address, timeout=10)
    assert page.status_code == 401 and "hết hạn" in page.text

    # None of the refusals used the link up.
    assert rate(feedback, mine, mine_token, address).status_code == 201


def test_an_address_past_the_limit_is_told_to_wait(feedback, producer, topic, address):  # type: ignore[no-untyped-def]
    code = receive(producer)
    url = link_of(topic, code).url
    statuses = [requests.get(url, headers=address, timeout=10).status_code for _ in range(RATE_LIMIT + 2)]
    assert statuses[:RATE_LIMIT] == [200] * RATE_LIMIT and statuses[RATE_LIMIT:] == [429, 429]
    limited = rate(feedback, code, token_of(link_of(topic, code)), address)
    assert limited.status_code == 429 and limited.json()["reason"] == "RATE_LIMITED"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # Another address is not held back, and the refused requests did not use the link.
    assert rate(feedback, code, token_of(link_of(topic, code)), {"X-Forwarded-For": "198.51.100.7"}).status_code == 201



def test_the_kiosk_rates_the_official_who_served_once_per_dossier_and_official(feedback, producer, topic):  # type: ignore[no-untyped-def]
    code = receive(producer)
    link_of(topic, code)
    counter = f"quay-{next(SEQUENCE)}"
    waiting = requests.get(f"{feedback}/kiosk/{counter}", timeout=10)
    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.text and 'name="level"' not in waiting.text

    def open_session(sub: str) -> str:
        opened = requests.post(f"{feedback}/api/v1/kiosk/sessions", json={"counter": counter, "dossier_code": code},
                               headers=official(sub), timeout=10)
        assert opened.status_code == 201, opened.text
        return opened.json()["id"]

    session = open_session("tn-mot-cua-01")
    page = requests.get(f"{feedback}/kiosk/{counter}", timeout=10)
    assert f'value="{session}"' in page.text and page.text.count('name="level"') == 3
    rated = requests.post(f"{feedback}/api/v1/kiosk/{counter}/ratings", json={"session": session, "level": 2},
                          timeout=10)
    assert rated.status_code == 201, rated.text
    event = topic.find(lambda e: e.type.name.endswith("feedback.submitted.v1") and e.subject == code
                       and e.payload.official == "tn-mot-cua-01", "the kiosk rating")  # type: ignore[attr-defined]
    assert event.payload.source == events_pb2.RATING_SOURCE_KIOSK  # type: ignore[attr-defined]
    # The session ends with the rating: the kiosk waits for the next citizen.
    ended = requests.post(f"{feedback}/api/v1/kiosk/{counter}/ratings", json={"session": session, "level": 3},
                          timeout=10)
    assert ended.status_code == 409 and ended.json()["reason"] == "KIOSK_SESSION_ENDED"

    again = requests.post(f"{feedback}/api/v1/kiosk/{counter}/ratings",
                          json={"session": open_session("tn-mot-cua-01"), "level": 3}, timeout=10)
    assert again.status_code == 409 and again.json()["reason"] == "ALREADY_RATED"
    returned_by = requests.post(f"{feedback}/api/v1/kiosk/{counter}/ratings",
                                json={"session": open_session("tn-tra-kq-02"), "level": 3}, timeout=10)
    assert returned_by.status_code == 201

    foreign = requests.post(f"{feedback}/api/v1/kiosk/sessions", json={"counter": counter, "dossier_code": code},
                            headers=clerk(agency="000.01.31.H56"), timeout=10)
    assert foreign.status_code == 403 and foreign.json()["reason"] == "OTHER_AGENCY"
    anonymous = requests.post(f"{feedback}/api/v1/kiosk/sessions", json={"counter": counter, "dossier_code": code},
                              timeout=10)
    assert anonymous.status_code == 401


def test_a_low_rating_asks_what_went_wrong_and_files_a_complaint(feedback, producer, topic, address):  # type: ignore[no-untyped-def]
    code = receive(producer)
    link = link_of(topic, code)
    page = requests.post(f"{feedback}/r/{code}", data={"t": token_of(link), "level": "1"}, headers=address,
                         timeout=10)
    assert page.status_code == 201 and "Điều gì chưa tốt?" in page.text
    key = re.search(r'action="/danh-gia/([^/]+)/chua-tot"', page.text).group(1)  # type: ignore[union-attr]
    follow_up = re.search(r'name="follow_up" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    told = requests.post(f"{feedback}/danh-gia/{key}/chua-tot", headers=address, timeout=10, data={
        "follow_up": follow_up, "problems": ["late", "many_trips"], "complaint": "yes",
        "content": "Phải đi lại ba lần", "contact": "0912345678"})
    assert told.status_code == 200 and "hạn trả lời" in told.text
    filed = topic.find(lambda e: e.type.name.endswith("complaint_filed.v1") and e.subject == code, "the complaint")
    assert filed.payload.agency_id == AGENCY and filed.payload.rating_id  # type: ignore[attr-defined]
    twice = requests.post(f"{feedback}/api/v1/ratings/{key}/problems", headers=address, timeout=10,
                          json={"follow_up": follow_up, "problems": ["late"]})
    assert twice.status_code == 409 and twice.json()["reason"] == "ALREADY_TOLD"
    wrong_key = requests.post(f"{feedback}/api/v1/ratings/{key}/problems", headers=address, timeout=10,
                              json={"follow_up": "x" * 22, "problems": ["late"]})
    assert wrong_key.status_code == 404


def test_a_complaint_is_answered_by_its_agency_published_and_its_answer_rated(feedback, topic, address):  # type: ignore[no-untyped-def]
    base = f"{feedback}/api/v1/complaints"
    invalid = requests.post(base, json={"content": "", "category": "nope"}, headers=address, timeout=10)
    assert invalid.status_code == 422
    assert {e["pointer"] for e in invalid.json()["errors"]} == {"/content", "/category"}
    no_agency = requests.post(base, json={"content": "Cổng dịch vụ công lỗi"}, headers=address, timeout=10)
    assert no_agency.status_code == 422 and no_agency.json()["errors"][0]["pointer"] == "/agency_id"

    filed = requests.post(base, json={"content": "Cổng dịch vụ công báo lỗi khi nộp", "category": "online",
                                      "agency_id": AGENCY}, headers=address, timeout=10)
    assert filed.status_code == 201, filed.text
    complaint_id, key = filed.json()["id"], filed.json()["key"]
    event = topic.find(lambda e: e.type.name.endswith("complaint_filed.v1")
                       and e.payload.complaint_id == complaint_id, "ComplaintFiled")  # type: ignore[attr-defined]
    filed_at, due_at = event.payload.filed_at.ToDatetime(UTC), event.payload.due_at.ToDatetime(UTC)  # type: ignore[attr-defined]
    assert due_at - filed_at >= timedelta(days=14)  # ten working days span at least two weekends

    assert requests.get(f"{base}/{complaint_id}", timeout=10).status_code == 404  # not published, no key
    answer = {"answer": "Đã khắc phục lỗi cổng", "publish": False}
    foreign = requests.post(f"{base}/{complaint_id}/answer", json=answer, timeout=10,
                            headers=official("cv-1", agency="000.01.31.H56", role="officer"))
    assert foreign.status_code == 403
    answered = requests.post(f"{base}/{complaint_id}/answer", json=answer, headers=official("cv-1", role="officer"),
                             timeout=10)
    assert answered.status_code == 200 and answered.json()["on_time"] is True
    again = requests.post(f"{base}/{complaint_id}/answer", json=answer, headers=official("cv-1", role="officer"),
                          timeout=10)
    assert again.status_code == 409
    topic.find(lambda e: e.type.name.endswith("complaint_answered.v1")
               and e.payload.complaint_id == complaint_id, "ComplaintAnswered")  # type: ignore[attr-defined]

    assert requests.get(f"{base}/{complaint_id}?key={key}", timeout=10).json()["answer"] == answer["answer"]
    published = requests.post(f"{base}/{complaint_id}/publish", headers=official("ld-1", role="leader"), timeout=10)
    assert published.status_code == 204
    assert requests.get(f"{base}/{complaint_id}", timeout=10).json()["published"] is True
    assert complaint_id in [c["_id"] for c in requests.get(f"{base}?agency={AGENCY}", timeout=10).json()["items"]]

    stranger = requests.post(f"{base}/{complaint_id}/rating", json={"key": "x", "level": 3}, headers=address,
                             timeout=10)
    assert stranger.status_code == 403
    rated = requests.post(f"{base}/{complaint_id}/rating", json={"key": key, "level": 3}, headers=address, timeout=10)
    assert rated.status_code == 201 and rated.json()["label"] == "Rất hài lòng"
    topic.find(lambda e: e.type.name.endswith("complaint_answer_rated.v1")
               and e.payload.complaint_id == complaint_id, "ComplaintAnswerRated")  # type: ignore[attr-defined]


def test_statistics_count_ratings_per_agency_official_and_channel(stack, feedback, producer, topic, address):  # type: ignore[no-untyped-def]
    agency = "000.00.77.H56"
    codes = [receive(producer, agency=agency, channel=common_pb2.CHANNEL_ONLINE) for _ in range(3)]
    for code, level in zip(codes, (5, 4, 1), strict=True):  # the default 5-level scale
        assert rate(feedback, code, token_of(link_of(topic, code)), address, level=level).status_code == 201
    month = f"{datetime.now(UTC):%Y-%m}"

    def agency_group() -> dict | None:
        groups = requests.get(f"{feedback}/api/v1/stats?by=agency&period={month}", timeout=10).json()["groups"]
        return next((g for g in groups if g["value"] == agency and g["ratings"] == 3), None)

    group = eventually(agency_group, 30, what="three ratings counted for the agency")
    assert group["satisfied"] == 2 and group["satisfied_share"] == round(2 / 3, 4)
    assert [c["count"] for c in group["levels"]["5"]] == [1, 0, 0, 1, 1]
    channels = requests.get(f"{feedback}/api/v1/stats?by=channel&period={month}", timeout=10).json()["groups"]
    assert any(g["value"] == "online" and g["ratings"] >= 3 for g in channels)
    trend = requests.get(f"{feedback}/api/v1/stats/trend?by=agency&value={agency}&until={month}&months=3",
                         timeout=10).json()["months"]
    assert [m["ratings"] for m in trend] == [0, 0, 3]
    bad = requests.get(f"{feedback}/api/v1/stats?by=citizen", timeout=10)
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/by"

    gauges = {(s.labels["dimension"], s.labels["value"]): s.value
              for family in text_string_to_metric_families(requests.get(f"{feedback}/metrics", timeout=10).text)
              if family.name == "motcua_satisfaction_ratio" for s in family.samples}
    assert gauges[("agency", agency)] == round(2 / 3, 4) and ("channel", "online") in gauges

    with grpc.insecure_channel(f"127.0.0.1:{stack.ports.grpc['feedback']}") as channel:
        stub = feedback_pb2_grpc.FeedbackStub(channel)
        stats = stub.GetStats(feedback_pb2.GetStatsRequest(by="agency", period=month), timeout=10)
        [mine] = [g for g in stats.groups if g.value == agency]
        assert (mine.ratings, mine.satisfied, round(mine.satisfied_share, 4)) == (3, 2, round(2 / 3, 4))
        assert [c.count for c in mine.scales[0].levels] == [1, 0, 0, 1, 1] and mine.scales[0].scale == 5
        trend = stub.GetTrend(feedback_pb2.GetTrendRequest(by="agency", value=agency, until=month, months=2),
                              timeout=10)
        assert [m.ratings for m in trend.months] == [0, 3]
        with pytest.raises(grpc.RpcError) as refused:
            stub.GetStats(feedback_pb2.GetStatsRequest(by="citizen"), timeout=10)
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def issue_rating_link(stack, code: str, appointment: datetime | None, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """Call IssueRatingLink with the given Authorization header (none when empty)."""
    request = feedback_pb2.IssueRatingLinkRequest(dossier_code=code)
    if appointment is not None:
        request.appointment_at.CopyFrom(timestamp(appointment))
    metadata = [("authorization", headers["Authorization"])] if headers else []
    with grpc.insecure_channel(f"127.0.0.1:{stack.ports.grpc['feedback']}") as channel:
        return feedback_pb2_grpc.FeedbackStub(channel).IssueRatingLink(request, metadata=metadata, timeout=10)


def test_the_receipts_link_is_the_link_feedback_announces_whichever_comes_first(stack, feedback, producer, topic,
                                                                                 address):  # type: ignore[no-untyped-def]
    intake = bearer("--role", "service", "--sub", "intake")
    appointment = datetime.now(UTC).replace(microsecond=123456) + timedelta(days=3)
    asked_first = new_code()
    link = issue_rating_link(stack, asked_first, appointment, intake)
    # Scanned at the counter before feedback has handled the reception: try again shortly, not "no dossier".
    early = requests.post(f"{feedback}/api/v1/ratings", json={"dossier_code": asked_first, "level": 3,
                                                               "token": link.url.split("?t=")[1]},
                          headers=address, timeout=10)
    assert early.status_code == 503 and early.json()["reason"] == "DOSSIER_NOT_YET_KNOWN"
    assert "thử lại" in requests.get(link.url, headers=address, timeout=10).text
    receive(producer, code=asked_first, appointment=appointment)
    announced = link_of(topic, asked_first)
    assert (link.url, link.qr_url, link.expires_at) == (announced.url, announced.qr_url, announced.expires_at)
    assert link.expires_at.ToDatetime(UTC) == (appointment + timedelta(days=30)).replace(microsecond=0)

    announced_first = receive(producer, appointment=appointment)
    announced = link_of(topic, announced_first)
    assert issue_rating_link(stack, announced_first, appointment, intake).url == announced.url != link.url
    assert requests.get(link.url, headers=address, timeout=10).status_code == 200


@pytest.mark.parametrize(("headers", "code", "reason"), [
    ({}, grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING"),
    (bearer("--role", "clerk", "--sub", "intake", "--agency", AGENCY), grpc.StatusCode.PERMISSION_DENIED,
     "NOT_A_LINK_ISSUER"),
    (bearer("--role", "service", "--sub", "routing"), grpc.StatusCode.PERMISSION_DENIED, "NOT_A_LINK_ISSUER"),
])
def test_only_the_allowed_platform_services_get_rating_links(stack, feedback, headers, code, reason):  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as refused:
        issue_rating_link(stack, new_code(), datetime.now(UTC), headers)
    assert refused.value.code() == code and error_details(refused.value)["reason"] == reason


def test_a_malformed_code_or_a_missing_appointment_is_named_field_by_field(stack, feedback):  # type: ignore[no-untyped-def]
    with pytest.raises(grpc.RpcError) as refused:
        issue_rating_link(stack, "H56-1", None, bearer("--role", "service", "--sub", "intake"))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert sorted(error_details(refused.value)["fields"]) == ["/appointment_at", "/dossier_code"]


def complete(producer: KafkaProducer, code: str, agency: str, timeliness: int) -> None:
    completed = events_pb2.DossierCompleted(dossier_code=code, agency_id=agency, procedure_code="1.001193",
                                            department="tu-phap", timeliness=timeliness,
                                            completed_at=timestamp(datetime.now(UTC)))
    event = Event.new(DOSSIER_COMPLETED, completed, subject=code, source="routing")
    for _ in range(2):  # delivered twice, counted once
        mkafka.publish(producer, event, PREFIX).get(10)


def sign(producer: KafkaProducer, code: str) -> None:
    signed = events_pb2.DocumentSigned(document_id=f"doc-{code}", dossier_code=code,
                                       signed_at=timestamp(datetime.now(UTC)))
    mkafka.publish(producer, Event.new(DOCUMENT_SIGNED, signed, subject=code, source="signing"), PREFIX).get(10)


def test_the_service_index_matches_a_hand_computed_fixture_and_a_rebuild_equals_the_live_scorecard(
        stack, feedback, producer, topic, address):  # type: ignore[no-untyped-def]
    agency = "000.00.79.H56"
    online, counter = common_pb2.CHANNEL_ONLINE, common_pb2.CHANNEL_COUNTER
    codes = [receive(producer, agency=agency, channel=channel) for channel in (online, online, online, counter)]
    timeliness = (events_pb2.TIMELINESS_EARLY, events_pb2.TIMELINESS_ON_TIME, events_pb2.TIMELINESS_ON_TIME,
                  events_pb2.TIMELINESS_LATE)
    for code, when in zip(codes, timeliness, strict=True):
        complete(producer, code, agency, when)
    sign(producer, codes[0])
    sign(producer, codes[1])
    for code, level in zip(codes, (5, 4, 2), strict=False):  # the default 5-level scale
        assert rate(feedback, code, token_of(link_of(topic, code)), address, level=level).status_code == 201
    complaints = f"{feedback}/api/v1/complaints"
    first = requests.post(complaints, json={"content": "Chậm", "agency_id": agency}, headers=address, timeout=10).json()
    requests.post(complaints, json={"content": "Khó hiểu", "agency_id": agency}, headers=address, timeout=10)
    answered = requests.post(f"{complaints}/{first['id']}/answer", json={"answer": "Đã xử lý"}, timeout=10,
                             headers=official("cv-9", agency=agency, role="officer"))
    assert answered.status_code == 200
    rated = requests.post(f"{complaints}/{first['id']}/rating", json={"key": first["key"], "level": 3},
                          headers=address, timeout=10)
    assert rated.status_code == 201
    month = f"{datetime.now(UTC):%Y-%m}"

    def scored() -> dict | None:
        index = requests.get(f"{feedback}/api/v1/index?period={month}", timeout=10).json()
        mine = next((a for a in index["agencies"] if a["agency"] == agency), None)
        counted = mine and {p["name"]: p.get("denominator") for g in mine["groups"] for p in g["parts"]}
        settled = counted and (counted["on_time"], counted["dossier_satisfaction"], counted["complaint_handling"],
                               counted["electronic_results"]) == (4, 3, 1, 4)
        return mine if settled else None

    mine = eventually(scored, 30, what="every event of the fixture folded")
    # By hand: progress 20 x 3/4 = 15; online submission 12 x 3/4 = 9; electronic results 8 x 2/4 = 4;
    # complaints on time 6 x 1/1 = 6; satisfied with the answer 6 x 0/1 = 0; satisfied with dossiers 6 x 2/3 = 4.
    assert {g["name"]: g["score"] for g in mine["groups"]} == {
        "transparency": 0, "progress": 15.0, "online": 9.0, "digitisation": 4.0, "satisfaction": 10.0}
    assert mine["score"] == 38.0 and mine["measured_points"] == 58 and mine["points"] == 100
    assert sorted(m["part"] for m in mine["missing"]) == [
        "data_reused", "documents_digitised", "dossiers_synced", "online_payment", "procedures_published"]
    assert all(m["reason"] == "not_recorded" for m in mine["missing"])

    page = requests.get(f"{feedback}/chi-so?period={month}", timeout=10)
    assert page.status_code == 200 and "<svg" in page.text and agency in page.text and "38.00" in page.text

    env = {**stack.service_env("feedback"), "MOTCUA_TOPIC_PREFIX": PREFIX, "MOTCUA_DATABASE_PREFIX": PREFIX}
    done = subprocess.run([str(ROOT / ".venv/bin/python"), "-m", "feedback.rebuild", "--into", "rebuilt"],
                          env=env, capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.startswith("folded ")
    from pymongo import MongoClient

    with MongoClient(stack.mongo_url) as client:
        db = client[f"{PREFIX}_motcua_feedback"]
        def scorecard(name: str) -> dict:
            return {d["_id"]: d for d in db[name].find()}  # the offset marks too: the same on both

        live, rebuilt = scorecard("counters"), scorecard("rebuilt")
        assert f"agency|{agency}|{month}" in rebuilt and rebuilt == live
        members = {d["_id"]: sorted(d["values"]) for d in db["counters_members"].find()}
        assert members == {d["_id"]: sorted(d["values"]) for d in db["rebuilt_members"].find()}
