"""The service index of Decision 766/QĐ-TTg, per agency and period, from the scorecard's counters.

The groups, their points and how each part is measured are configuration (the portal changes them):
each part earns `points × numerator / denominator` (capped at 1). A part whose input the platform does not
record, or whose denominator is zero in the period, is missing: it is named, earns nothing, and the
index says how many of the 100 points it could measure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from motcua.settings import SettingsError

# The counters the scorecard records (scorecard.addition); a part may only be measured from these.
RECORDED = frozenset({
    "received", "received_online", "completed", "on_time", "late", "results_signed", "ratings", "satisfied",
    "complaints", "complaints_answered", "complaints_on_time", "answer_ratings", "answer_satisfied",
    "notifications_delivered", "notifications_failed",
})

DEFAULT_RULES: dict[str, Any] = {"groups": [
    {"name": "transparency", "label": "Công khai, minh bạch", "parts": [
        {"name": "procedures_published", "label": "Thủ tục được công khai đúng hạn", "points": 10,
         "numerator": "procedures_published_on_time", "denominator": "procedures"},
        {"name": "dossiers_synced", "label": "Hồ sơ được đồng bộ lên Cổng DVC quốc gia", "points": 8,
         "numerator": "dossiers_synced", "denominator": "received"}]},
    {"name": "progress", "label": "Tiến độ giải quyết", "parts": [
        {"name": "on_time", "label": "Hồ sơ giải quyết đúng hạn", "points": 20,
         "numerator": "on_time", "denominator": "completed"}]},
    {"name": "online", "label": "Dịch vụ trực tuyến", "parts": [
        {"name": "online_submission", "label": "Hồ sơ nộp trực tuyến", "points": 12,
         "numerator": "received_online", "denominator": "received"},
        {"name": "online_payment", "label": "Hồ sơ thanh toán trực tuyến", "points": 10,
         "numerator": "paid_online", "denominator": "payments"}]},
    {"name": "digitisation", "label": "Số hóa hồ sơ", "parts": [
        {"name": "electronic_results", "label": "Kết quả được cấp bản điện tử có ký số", "points": 8,
         "numerator": "results_signed", "denominator": "completed"},
        {"name": "documents_digitised", "label": "Thành phần hồ sơ được số hóa", "points": 8,
         "numerator": "documents_digitised", "denominator": "documents"},
        {"name": "data_reused", "label": "Dữ liệu số hóa được tái sử dụng", "points": 6,
         "numerator": "documents_reused", "denominator": "documents"}]},
    {"name": "satisfaction", "label": "Mức độ hài lòng", "parts": [
        {"name": "complaints_on_time", "label": "Phản ánh, kiến nghị được xử lý đúng hạn", "points": 6,
         "numerator": "complaints_on_time", "denominator": "complaints_answered"},
        {"name": "complaint_handling", "label": "Hài lòng với việc xử lý phản ánh", "points": 6,
         "numerator": "answer_satisfied", "denominator": "answer_ratings"},
        {"name": "dossier_satisfaction", "label": "Hài lòng với việc giải quyết hồ sơ", "points": 6,
         "numerator": "satisfied", "denominator": "ratings"}]},
]}


@dataclass(frozen=True)
class Part:
    name: str
    label: str
    points: float
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Group:
    name: str
    label: str
    parts: tuple[Part, ...]

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)


def parse_rules(text: str | None, name: str) -> tuple[Group, ...]:
    """The groups from JSON (the default rules when text is None), naming the variable on any fault."""
    try:
        raw = DEFAULT_RULES if text is None else json.loads(text)
        groups = tuple(Group(g["name"], g["label"], tuple(Part(p["name"], p["label"], float(p["points"]),
                                                               p["numerator"], p["denominator"]) for p in g["parts"]))
                       for g in raw["groups"])
    except (ValueError, KeyError, TypeError) as error:
        raise SettingsError(f"{name}: not valid index rules ({error!r}); see docs/feedback.md") from None
    if not groups or any(not g.parts or any(p.points <= 0 for p in g.parts) for g in groups):
        raise SettingsError(f"{name}: every group needs parts with positive points")
    return groups


def score(groups: tuple[Group, ...], counters: dict[str, Any]) -> dict[str, Any]:
    """One agency's index in one period: points per part and group, what was measured, what is missing."""
    out_groups, missing = [], []
    total = measured = 0.0
    for group in groups:
        parts, earned, available = [], 0.0, 0.0
        for part in group.parts:
            denominator = int(counters.get(part.denominator, 0))
            numerator = int(counters.get(part.numerator, 0))
            if part.numerator not in RECORDED or part.denominator not in RECORDED:
                reason = "not_recorded"
            elif denominator == 0:
                reason = "no_data"
            else:
                reason = ""
            if reason:
                missing.append({"group": group.name, "part": part.name, "label": part.label, "reason": reason,
                                "inputs": [part.numerator, part.denominator]})
                parts.append({"name": part.name, "label": part.label, "points": part.points, "score": None,
                              "missing": reason})
                continue
            value = round(part.points * min(numerator / denominator, 1.0), 2)
            parts.append({"name": part.name, "label": part.label, "points": part.points, "score": value,
                          "numerator": numerator, "denominator": denominator})
            earned += value
            available += part.points
        out_groups.append({"name": group.name, "label": group.label, "points": group.points,
                           "score": round(earned, 2), "measured_points": available, "parts": parts})
        total += earned
        measured += available
    return {"score": round(total, 2), "measured_points": measured,
            "points": sum(g.points for g in groups), "groups": out_groups, "missing": missing}
