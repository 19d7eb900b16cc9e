"""The rules of rating: by signed link or at the counter kiosk, once, on the agency's scale and criteria."""

from __future__ import annotations

import logging
import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from motcua import outbox
from motcua.auth import Principal
from motcua.codes import DOSSIER_CODE
from motcua.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotFound,
    Unavailable,
    invalid,
)
from motcua.events import Event, timestamp
from motcua.topics import FEEDBACK_SUBMITTED, RATING_LINK_ISSUED
from motcua.v1 import events_pb2
from pymongo.errors import PyMongoError

from feedback import metrics
from feedback.errors import TooManyRequests, every_field
from feedback.links import RatingLinks
from feedback.policy import PROBLEMS, Policies, Policy
from feedback.repository import Repository

log = logging.getLogger(__name__)
HITS_SWEEP_SECONDS = 60.0
Kick = Callable[[str, Any], None]
Clock = Callable[[], datetime]
MAX_COMMENT = 2000
COUNTER_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-.")
SERVICE = "service"


@dataclass(frozen=True)
class Ballot:
    """What the citizen chose: the overall level, the criteria's levels and an optional comment."""

    level: Any
    criteria: dict[str, Any] = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True)
class LinkSettings:
    public_url: str
    days: int
    kiosk_seconds: int
    rate_limit: int
    # Subjects of the platform services (role service) that may ask for a dossier's link.
    issuers: frozenset[str]


@dataclass(frozen=True)
class RatingLink:
    """A dossier's rating link: the page, its QR code, and when the link expires."""

    url: str
    qr_url: str
    expires_at: datetime


def check_level(value: Any, policy: Policy, pointer: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value not in policy.levels:
        raise invalid(pointer, f"Mức đánh giá phải từ 1 đến {policy.scale}", f"level must be 1 to {policy.scale}")
    return value


def check_ballot(ballot: Ballot, policy: Policy) -> tuple[int, dict[str, int]]:
    """The ballot's levels on the policy's scale, or one InvalidInput naming every bad field."""
    errors = []
    try:
        level = check_level(ballot.level, policy, "/level")
    except InvalidInput as error:
        errors += error.errors
    criteria: dict[str, int] = {}
    for name, value in ballot.criteria.items():
        if name not in policy.criteria:
            errors += invalid(f"/criteria/{name}", "Tiêu chí không thuộc phiếu đánh giá của cơ quan",
                              f"criterion {name} is not on this agency's form").errors
            continue
        try:
            criteria[name] = check_level(value, policy, f"/criteria/{name}")
        except InvalidInput as error:
            errors += error.errors
    if len(ballot.comment) > MAX_COMMENT:
        errors += invalid("/comment", f"Ý kiến tối đa {MAX_COMMENT} ký tự",
                          f"comment must be at most {MAX_COMMENT} characters").errors
    if errors:
        raise every_field(errors)
    return level, criteria


class FeedbackService:
    def __init__(self, *, repo: Repository, kick: Kick, links: RatingLinks, policies: Policies,
                 settings: LinkSettings, clock: Clock = lambda: datetime.now(UTC)) -> None:
        self.repo = repo
        self.kick = kick
        self.links = links
        self.policies = policies
        self.settings = settings
        self.clock = clock

    def throttle(self, address: str, scope: str) -> None:
        """Count a request from an address; refuse it past the per-minute limit."""
        now = self.clock()
        window = now.replace(second=0, microsecond=0)
        if self.repo.hit(f"{scope}|{address}|{window:%Y%m%d%H%M}", window) > self.settings.rate_limit:
            metrics.throttled.labels(scope).inc()
            raise TooManyRequests(detail=f"more than {self.settings.rate_limit} requests a minute from this address",
                                  detail_vi="Anh/chị gửi quá nhiều yêu cầu, xin thử lại sau một phút",
                                  reason="RATE_LIMITED", retry_after=60 - now.second)

    def forget_hits(self, stop: threading.Event) -> None:
        """Drop rate-limit windows older than a few minutes, every minute, until stop is set."""
        while not stop.wait(HITS_SWEEP_SECONDS):
            try:
                self.repo.forget_hits(self.clock() - timedelta(minutes=5))
            except PyMongoError as error:
                log.warning("old rate-limit windows not dropped (%r); trying again", error)

    def dossier(self, code: str) -> dict[str, Any]:
        found = self.repo.get_dossier(code)
        if found is None:
            raise NotFound(detail=f"no dossier {code} to rate", detail_vi=f"Không có hồ sơ {code}",
                           reason="DOSSIER_NOT_FOUND")
        return found

    def linked_dossier(self, code: str) -> dict[str, Any]:
        """The dossier of a valid link. The receipt carries the link before feedback has handled the reception,
        so a citizen scanning it at the counter may come a moment too early: told to try again, not "no dossier"."""
        found = self.repo.get_dossier(code)
        if found is None:
            raise Unavailable(detail=f"dossier {code} was received a moment ago and is not known here yet; "
                                     "try again in a minute",
                              detail_vi="Hồ sơ vừa được tiếp nhận, hệ thống đang cập nhật. "
                                        "Xin Ông/Bà thử lại sau ít phút.", reason="DOSSIER_NOT_YET_KNOWN")
        return found

    def link_form(self, code: str, token: str) -> tuple[dict[str, Any], Policy]:
        """The dossier and the policy of a valid, unused link: what the rating page shows."""
        self.links.verify(token, code, self.clock())
        dossier = self.linked_dossier(code)
        if self.repo.get_rating(f"link:{code}") is not None:
            raise _used(code)
        return dossier, self.policies.of(dossier.get("agency_id", ""))

    def rate_by_link(self, *, code: str, token: str, ballot: Ballot) -> dict[str, Any]:
        """Accept the rating a signed link allows: once per dossier, before the link expires."""
        claim = self.links.verify(token, code, self.clock())
        dossier = self.linked_dossier(code)
        rating = self._record(f"link:{code}", dossier, ballot, official="",
                              source=events_pb2.RATING_SOURCE_LINK, extra={"nonce": claim.nonce})
        if rating is None:
            raise _used(code)
        return rating

    def open_kiosk(self, principal: Principal, *, counter: str, code: str) -> dict[str, Any]:
        """A clerk binds the counter's kiosk to the dossier just served and to themself."""
        principal.require("clerk")
        if not counter or len(counter) > 64 or not set(counter) <= COUNTER_CHARS:
            raise invalid("/counter", "Mã quầy chỉ gồm chữ thường, số, '-' và '.'",
                          "counter must be 1-64 of a-z, 0-9, '-' and '.'")
        dossier = self.dossier(code)
        if dossier.get("agency_id") != principal.agency:
            raise Forbidden(detail=f"dossier {code} belongs to another agency",
                            detail_vi=f"Hồ sơ {code} thuộc cơ quan khác", reason="OTHER_AGENCY")
        session = {"id": secrets.token_urlsafe(16), "dossier_code": code, "official": principal.sub,
                   "official_name": principal.name, "agency_id": principal.agency,
                   "expires_at": self.clock() + timedelta(seconds=self.settings.kiosk_seconds)}
        self.repo.open_kiosk_session(counter, session)
        return {**session, "counter": counter, "kiosk_url": f"{self.settings.public_url}/kiosk/{counter}"}

    def kiosk_session(self, counter: str) -> dict[str, Any] | None:
        """The counter's open session, if one is open and not expired."""
        kiosk = self.repo.get_kiosk(counter)
        session = (kiosk or {}).get("session")
        if session is None or session["expires_at"] <= self.clock():
            return None
        return session

    def kiosk_policy(self, session: dict[str, Any]) -> Policy:
        return self.policies.of(session["agency_id"])

    def rate_at_kiosk(self, *, counter: str, session_id: str, ballot: Ballot) -> dict[str, Any]:
        """Accept the rating of the official who served, once per dossier and official."""
        session = self.kiosk_session(counter)
        if session is None or session["id"] != session_id:
            raise Conflict(detail=f"counter {counter} has no open rating session for this form",
                           detail_vi="Phiên đánh giá tại quầy đã kết thúc", reason="KIOSK_SESSION_ENDED")
        code, official = session["dossier_code"], session["official"]
        dossier = self.dossier(code)
        rating = self._record(f"kiosk:{code}:{official}", dossier, ballot, official=official,
                              source=events_pb2.RATING_SOURCE_KIOSK, extra={"counter": counter})
        self.repo.close_kiosk_session(counter, session_id)
        if rating is None:
            raise Conflict(detail=f"dossier {code} has already been rated for this official",
                           detail_vi="Hồ sơ này đã được đánh giá cho cán bộ này", reason="ALREADY_RATED")
        return rating

    def _record(self, key: str, dossier: dict[str, Any], ballot: Ballot, *, official: str, source: int,
                extra: dict[str, Any]) -> dict[str, Any] | None:
        policy = self.policies.of(dossier.get("agency_id", ""))
        level, criteria = check_ballot(ballot, policy)
        now, rating_id, code = self.clock(), str(uuid.uuid4()), dossier["_id"]
        payload = events_pb2.FeedbackSubmitted(
            rating_id=rating_id, dossier_code=code, level=level, scale=policy.scale, submitted_at=timestamp(now),
            agency_id=dossier.get("agency_id", ""), department=dossier.get("department", ""),
            procedure_code=dossier.get("procedure_code", ""), channel=dossier.get("channel", 0), official=official,
            source=source,  # type: ignore[arg-type]
            criteria=[events_pb2.CriterionScore(criterion=c, level=v) for c, v in criteria.items()])
        event = Event.new(FEEDBACK_SUBMITTED, payload, subject=code, source="feedback")
        rating = {"_id": key, "rating_id": rating_id, "dossier_code": code, "level": level, "scale": policy.scale,
                  "criteria": criteria, "comment": ballot.comment, "official": official, "submitted_at": now,
                  "follow_up": secrets.token_urlsafe(16), **extra}
        if not self.repo.insert_rating(outbox.with_outbox(rating, event)):
            return None
        metrics.ratings.labels(str(policy.scale), str(level)).inc()
        self.kick("ratings", key)
        return {"rating_key": key, "rating_id": rating_id, "dossier_code": code, "level": level,
                "scale": policy.scale, "label": policy.levels[level], "low": policy.is_low(level),
                "follow_up": rating["follow_up"]}

    def rating_for_follow_up(self, key: str, follow_up: str) -> dict[str, Any]:
        rating = self.repo.get_rating(key)
        if rating is None or not secrets.compare_digest(rating.get("follow_up", ""), follow_up):
            raise NotFound(detail="no rating for this follow-up", detail_vi="Không tìm thấy lượt đánh giá",
                           reason="RATING_NOT_FOUND")
        return rating

    def check_problems(self, problems: list[Any]) -> list[str]:
        unknown = [p for p in problems if p not in PROBLEMS]
        if unknown:
            raise invalid("/problems", "Lựa chọn không hợp lệ", f"unknown problems: {unknown}")
        return [str(p) for p in problems]

    def record_problems(self, key: str, follow_up: str, problems: list[str], complaint_id: str | None) -> None:
        if not self.repo.save_problems(key, follow_up, problems, complaint_id):
            raise Conflict(detail="what went wrong has already been told for this rating",
                           detail_vi="Anh/chị đã gửi ý kiến cho lượt đánh giá này", reason="ALREADY_TOLD")

    def rating_link(self, code: str, appointment_at: datetime) -> RatingLink:
        """The dossier's link: the same for the same dossier and appointment, whoever mints it and when."""
        expires_at = (appointment_at + timedelta(days=self.settings.days)).replace(microsecond=0)
        token = self.links.mint(code, expires_at)
        page = f"{self.settings.public_url}/r/{code}"
        return RatingLink(url=f"{page}?t={token}", qr_url=f"{page}/qr.svg?t={token}", expires_at=expires_at)

    def link_for_receipt(self, principal: Principal, code: str, appointment_at: datetime | None) -> RatingLink:
        """The link a platform service prints on the receipt (form 01); only the services allowed may ask."""
        if SERVICE not in principal.roles or principal.sub not in self.settings.issuers:
            raise Forbidden(detail=f"{principal.sub!r} may not ask for rating links: only the platform services "
                                   f"{', '.join(sorted(self.settings.issuers))} may",
                            detail_vi="Chỉ dịch vụ của hệ thống được phép lấy đường dẫn đánh giá",
                            reason="NOT_A_LINK_ISSUER")
        errors = []
        if not DOSSIER_CODE.match(code):
            errors += invalid("/dossier_code", "Mã hồ sơ không đúng dạng, ví dụ 000.01.31.H56-251020-0001",
                              "dossier_code must look like 000.01.31.H56-251020-0001").errors
        if appointment_at is None:
            errors += invalid("/appointment_at", "Thiếu thời điểm hẹn trả kết quả",
                              "appointment_at is required").errors
        if errors or appointment_at is None:
            raise every_field(errors)
        return self.rating_link(code, appointment_at)

    def issue_link(self, event: Event) -> None:
        """On a received dossier: remember it and mint its rating link, announced by RatingLinkIssued."""
        p: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        fields = {"procedure_code": p.procedure_code, "agency_id": p.agency_id, "department": p.department,
                  "channel": int(p.channel), "received_by": p.received_by}
        if (known := self.repo.get_dossier(p.dossier_code)) is not None and "link" in known:
            self.repo.save_dossier(p.dossier_code, fields)
            return
        due = p.appointment_at.ToDatetime(UTC) if p.HasField("appointment_at") else event.time
        # The same link intake asked for the receipt, if it did: handling the event again mints it again too.
        link = self.rating_link(p.dossier_code, due)
        issued = Event.new(RATING_LINK_ISSUED, events_pb2.RatingLinkIssued(
            dossier_code=p.dossier_code, agency_id=p.agency_id, url=link.url, qr_url=link.qr_url,
            expires_at=timestamp(link.expires_at)), subject=p.dossier_code, source="feedback")
        self.repo.save_dossier(p.dossier_code, {**fields, "link": link.url, "link_expires_at": link.expires_at},
                               issued)
        self.kick("dossiers", p.dossier_code)


def _used(code: str) -> Conflict:
    return Conflict(detail=f"dossier {code} has already been rated with its link",
                    detail_vi=f"Hồ sơ {code} đã được đánh giá", reason="LINK_USED")
