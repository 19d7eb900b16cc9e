"""Who gets a step's task: the candidate group is the step's agency, department and role, minus those on leave."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from motcua import calendar
from motcua.errors import invalid

from routing import errors
from routing.repository import Repository

MAX_LEAVE_PERIODS = 100


def pool_of(step: dict[str, Any]) -> str:
    """The candidate group's key: agency, department and role."""
    return f"{step['agency']}|{step['department']}|{step['role']}"


def on_leave(officer: dict[str, Any], day: date) -> bool:
    """Whether the official is away on that day (leave periods are inclusive dates in Vietnam time)."""
    return any(period["from"] <= day.isoformat() <= period["to"] for period in officer.get("leave", []))


def available(repo: Repository, step: dict[str, Any], at: datetime) -> list[dict[str, Any]]:
    """The step's candidates who are not on leave at the given moment, by subject."""
    today = at.astimezone(calendar.TZ).date()
    found = [o for o in repo.list_officers(step["agency"], step["department"], step["role"]) if not on_leave(o, today)]
    return sorted(found, key=lambda o: o["_id"])


def choose(repo: Repository, step: dict[str, Any], at: datetime) -> str:
    """The assignee of a new task at this step, or "" when the step waits for a claim."""
    if step["assignment"] == "claim":
        return ""
    candidates = available(repo, step, at)
    if not candidates:
        raise errors.no_officer(step["agency"], step["department"], step["role"])
    if step["assignment"] == "round_robin":
        return str(candidates[repo.next_turn(pool_of(step)) % len(candidates)]["_id"])
    return str(min(candidates, key=lambda o: (o.get("load", 0), o["_id"]))["_id"])


def check_candidate(repo: Repository, step: dict[str, Any], sub: str, at: datetime) -> None:
    """Refuse a reassignment to someone outside the step's group or on leave."""
    if sub not in {o["_id"] for o in available(repo, step, at)}:
        raise errors.not_a_candidate(sub, step["department"], step["role"])


def parse_leave(raw: object) -> list[dict[str, str]]:
    """Leave periods from a request: a list of {"from", "to"} ISO dates, from not after to."""
    if not isinstance(raw, list) or len(raw) > MAX_LEAVE_PERIODS:
        raise invalid("/leave", f"Danh sách tối đa {MAX_LEAVE_PERIODS} kỳ nghỉ",
                      f"leave must be a list of at most {MAX_LEAVE_PERIODS} periods")
    periods = []
    for i, period in enumerate(raw):
        try:
            start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
        except (TypeError, KeyError, ValueError):
            raise invalid(f"/leave/{i}", "Mỗi kỳ nghỉ có from và to dạng YYYY-MM-DD",
                          "each period needs from and to as YYYY-MM-DD dates") from None
        if end < start:
            raise invalid(f"/leave/{i}/to", "Ngày kết thúc trước ngày bắt đầu", "to is before from")
        periods.append({"from": start.isoformat(), "to": end.isoformat()})
    return periods
