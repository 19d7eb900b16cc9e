"""The rules of feedback: one rating per dossier, on the 3-level scale, counted from the event stream."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from motcua import outbox
from motcua.errors import Conflict, NotFound, invalid
from motcua.events import Event, timestamp
from motcua.topics import FEEDBACK_SUBMITTED
from motcua.v1 import events_pb2

from feedback import metrics
from feedback.repository import Repository

SCALE = 3
# Counter kiosks use three levels (DOMAIN: Satisfaction); level 3 is the best.
LEVELS = {1: "Không hài lòng", 2: "Hài lòng", 3: "Rất hài lòng"}
Kick = Callable[[str, Any], None]


class FeedbackService:
    def __init__(self, *, repo: Repository, kick: Kick, clock: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.repo = repo
        self.kick = kick
        self.clock = clock

    def rate(self, *, dossier_code: str, level: Any, comment: str = "") -> dict[str, Any]:
        """Accept a citizen's rating of a dossier known to the platform, once."""
        if not isinstance(level, int) or isinstance(level, bool) or level not in LEVELS:
            raise invalid("/level", "Mức đánh giá phải là 1, 2 hoặc 3", "level must be 1, 2 or 3")
        if len(comment) > 2000:
            raise invalid("/comment", "Ý kiến tối đa 2000 ký tự", "comment must be at most 2000 characters")
        if self.repo.get_dossier(dossier_code) is None:
            raise NotFound(detail=f"no dossier {dossier_code} to rate", detail_vi=f"Không có hồ sơ {dossier_code}",
                           reason="DOSSIER_NOT_FOUND")
        now = self.clock()
        rating_id = str(uuid.uuid4())
        event = Event.new(FEEDBACK_SUBMITTED, events_pb2.FeedbackSubmitted(
            rating_id=rating_id, dossier_code=dossier_code, level=level, scale=SCALE, submitted_at=timestamp(now)),
            subject=dossier_code, source="feedback")
        rating = {"_id": dossier_code, "rating_id": rating_id, "level": level, "scale": SCALE, "comment": comment,
                  "submitted_at": now}
        if not self.repo.insert_rating(outbox.with_outbox(rating, event)):
            raise Conflict(detail=f"dossier {dossier_code} has already been rated",
                           detail_vi=f"Hồ sơ {dossier_code} đã được đánh giá", reason="ALREADY_RATED")
        metrics.ratings.labels(str(level)).inc()
        self.kick("ratings", dossier_code)
        return {"rating_id": rating_id, "dossier_code": dossier_code, "level": level, "label": LEVELS[level]}

    def stats(self) -> dict[str, Any]:
        """Counts per level, folded from FeedbackSubmitted events, and the other facts seen."""
        levels = self.repo.count_facts("rating")
        counts = [{"level": lv, "label": label, "count": levels.get(str(lv), 0)} for lv, label in LEVELS.items()]
        return {
            "scale": SCALE, "total": sum(c["count"] for c in counts), "levels": counts,
            "dossiers_received": sum(self.repo.count_facts("received").values()),
            "documents_signed": sum(self.repo.count_facts("signed").values()),
            "notifications": self.repo.count_facts("notification"),
        }

    def on_received(self, event: Event) -> None:
        p: events_pb2.DossierReceived = event.payload  # type: ignore[assignment]
        self.repo.save_dossier(p.dossier_code, {"procedure_code": p.procedure_code, "agency_id": p.agency_id})
        self.repo.add_fact(event.id, "received", p.procedure_code)

    def on_feedback(self, event: Event) -> None:
        p: events_pb2.FeedbackSubmitted = event.payload  # type: ignore[assignment]
        self.repo.add_fact(event.id, "rating", str(p.level))

    def on_signed(self, event: Event) -> None:
        self.repo.add_fact(event.id, "signed", "result")

    def on_notification(self, event: Event) -> None:
        self.repo.add_fact(event.id, "notification", event.type.name.rsplit(".", 2)[-2])
